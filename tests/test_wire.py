"""The status path's keep-alive connections (``nb_jobstatus._wire``) against real servers on
127.0.0.1: one connection reused, an idle connection the server closed is never reused nor the
request resent, ``Connection: close`` obeyed, and TLS verified against requests' CA bundle."""

from __future__ import annotations

import pathlib
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nb_jobstatus import State, TransportError, _wire
from nb_jobstatus.http import client_for

EXAMPLES = pathlib.Path(__file__).parent / "examples"
BODY = (EXAMPLES / "clipia_in_progress.json").read_bytes()
Cert = tuple[pathlib.Path, pathlib.Path]  # (certificate, private key)
RID = "764cabcf-b745-4b3e-ae38-1200304cf45b"


class Counting(ThreadingHTTPServer):
    daemon_threads = True
    connections = 0
    paths: list[str]
    close_each = False  # answer every request with Connection: close
    headers: list[dict[str, str]]  # of every request, in order

    @property
    def port(self) -> int:
        return self.server_address[1]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Counting

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        self.server.headers.append(dict(self.headers.items()))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        if self.server.close_each:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> Cert:
    """A throwaway self-signed certificate for localhost: (certificate, private key)."""
    openssl = shutil.which("openssl")
    assert openssl, "the TLS tests need the openssl command (.ci/run installs it)"
    folder = tmp_path_factory.mktemp("tls")
    pem, key = folder / "localhost.pem", folder / "localhost.key"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(pem)],
        check=True, capture_output=True,
    )  # fmt: skip
    return pem, key


def serve(idle_timeout: float | None = None, tls: Cert | None = None) -> Counting:
    handler = type("Timed", (Handler,), {"timeout": idle_timeout})
    server = Counting(("127.0.0.1", 0), handler)
    server.paths, server.headers = [], []
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls[0], tls[1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
    return server


@pytest.fixture
def servers() -> Iterator[list[Counting]]:
    started: list[Counting] = []
    yield started
    for server in started:
        server.shutdown()
        server.server_close()


def pool_of(server: Counting, scheme: str = "http") -> _wire.Pool:
    return _wire.Pool(scheme, "localhost" if scheme == "https" else "127.0.0.1", server.port)


def test_one_connection_serves_every_poll(servers: list[Counting]) -> None:
    servers.append(server := serve())
    pool = pool_of(server)
    replies = [pool.get(f"/s?{i}", {}, 5, 5) for i in range(20)]
    assert [r.status_code for r in replies] == [200] * 20
    assert (
        replies[0].content == BODY and replies[0].headers.get("content-type") == "application/json"
    )
    assert server.connections == 1 and len(server.paths) == 20


def test_an_idle_connection_the_server_closed_is_not_reused_nor_the_request_resent(
    servers: list[Counting],
) -> None:
    servers.append(server := serve(idle_timeout=0.2))
    pool = pool_of(server)
    pool.get("/first", {}, 5, 5)
    time.sleep(0.6)  # the server has closed the idle connection by now
    assert pool.get("/second", {}, 5, 5).status_code == 200
    assert server.connections == 2
    assert server.paths == ["/first", "/second"]  # nothing sent twice


def test_connection_close_is_obeyed(servers: list[Counting]) -> None:
    servers.append(server := serve())
    server.close_each = True
    pool = pool_of(server)
    for i in range(3):
        assert pool.get(f"/{i}", {}, 5, 5).content == BODY
    assert server.connections == 3 and not pool._idle


def test_client_polls_through_the_pool_with_the_key_on_the_api_origin_only(
    servers: list[Counting],
) -> None:
    servers.append(server := serve())
    client = client_for("clipia", "wire-key", f"http://127.0.0.1:{server.port}")
    statuses = [client.fetch_status(RID, 5).status for _ in range(3)]
    assert [s.state for s in statuses] == [State.RUNNING] * 3 and statuses[0].progress == 45
    assert server.paths == [f"/v1/requests/{RID}/status"] * 3
    assert server.headers[0]["Authorization"] == "Bearer wire-key"
    assert server.headers[0]["User-Agent"].startswith("nb-jobstatus/")
    assert server.connections == 1


def test_tls_is_verified_against_requests_ca_bundle(servers: list[Counting], cert: Cert) -> None:
    """A self-signed certificate is refused before any request (so before the key) is sent."""
    servers.append(server := serve(tls=cert))
    client = client_for("clipia", "wire-key", f"https://localhost:{server.port}")
    with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED") as caught:
        client.fetch_status(RID, 5)
    assert "wire-key" not in str(caught.value)
    assert server.paths == []


def test_tls_polls_when_the_certificate_is_trusted(
    servers: list[Counting],
    cert: Cert,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    servers.append(server := serve(tls=cert))
    monkeypatch.setattr(_wire, "_tls", lambda: ssl.create_default_context(cafile=cert[0]))
    pool = pool_of(server, "https")
    assert [pool.get("/s", {}, 5, 5).content for _ in range(3)] == [BODY] * 3
    assert server.connections == 1
