"""The real transport (aiohttp, ``core/aio.py``) against real servers on 127.0.0.1: keep-alive,
``Connection: close``, TLS verification, one deadline per request (a slow origin neither holds
a poll for minutes nor delays another origin), and the cap on a body."""

from __future__ import annotations

import asyncio
import pathlib
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nb_jobstatus import ResponseError, State, TransportError
from nb_jobstatus.core.aio import AioTransport
from nb_jobstatus.core.config import client_for
from nb_jobstatus.core.engine import engine
from nb_jobstatus.core.transport import Reply, TooLarge, Unreachable

EXAMPLES = pathlib.Path(__file__).parent / "examples"
BODY = (EXAMPLES / "clipia_in_progress.json").read_bytes()
Cert = tuple[pathlib.Path, pathlib.Path]  # (certificate, private key)
RID = "764cabcf-b745-4b3e-ae38-1200304cf45b"


class Counting(ThreadingHTTPServer):
    daemon_threads = True
    connections = 0
    paths: list[str]
    close_each = False  # answer every request with Connection: close
    drip: float = 0.0  # seconds between the bytes of the body (a slow origin)
    body = BODY
    headers: list[dict[str, str]]  # of every request, in order

    @property
    def port(self) -> int:
        return self.server_address[1]

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up on a dripping body: expected here, not worth a traceback


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
        body = self.server.body
        self.send_header("Content-Length", str(len(body)))
        if self.server.close_each:
            self.send_header("Connection", "close")
        self.end_headers()
        if not self.server.drip:
            self.wfile.write(body)
            return
        for byte in body:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(self.server.drip)

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


def get(url: str, context: ssl.SSLContext | None = None, **kw: float) -> Reply:
    """One GET through a fresh transport on the engine's loop (a transport per test)."""
    return engine().run(_get([url], context, **kw))[0]


async def _get(
    urls: list[str], context: ssl.SSLContext | None, timeout: float = 5, limit: int = 2**20
) -> list[Reply]:
    transport = AioTransport("transport-test", ssl_context=context)
    try:
        return [await transport.get(u, {}, timeout=timeout, limit=limit) for u in urls]
    finally:
        await transport.close()


def test_one_connection_serves_every_poll(servers: list[Counting]) -> None:
    servers.append(server := serve())
    urls = [f"http://127.0.0.1:{server.port}/s?{i}" for i in range(20)]
    replies = engine().run(_get(urls, None))
    assert [r.status for r in replies] == [200] * 20
    assert (
        replies[0].content == BODY and replies[0].headers.get("Content-Type") == "application/json"
    )
    assert server.connections == 1 and len(server.paths) == 20


def test_connection_close_is_obeyed(servers: list[Counting]) -> None:
    servers.append(server := serve())
    server.close_each = True
    urls = [f"http://127.0.0.1:{server.port}/{i}" for i in range(3)]
    assert [r.content for r in engine().run(_get(urls, None))] == [BODY] * 3
    assert server.connections == 3


def test_client_polls_with_the_key_on_the_api_origin_only(servers: list[Counting]) -> None:
    servers.append(server := serve())
    client = client_for("clipia", "wire-key-1", f"http://127.0.0.1:{server.port}")
    statuses = [client.get_status(RID, 5) for _ in range(3)]
    assert [s.state for s in statuses] == [State.RUNNING] * 3 and statuses[0].progress == 45
    assert server.paths == [f"/v1/requests/{RID}/status"] * 3
    assert server.headers[0]["Authorization"] == "Bearer wire-key-1"
    assert server.headers[0]["User-Agent"].startswith("nb-jobstatus/")
    assert server.connections == 1


def test_tls_is_verified(servers: list[Counting], cert: Cert) -> None:
    """A self-signed certificate is refused before any request (so before the key) is sent."""
    servers.append(server := serve(tls=cert))
    client = client_for("clipia", "wire-key-2", f"https://localhost:{server.port}")
    with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED|certificate") as caught:
        client.get_status(RID, 5)
    assert "wire-key-2" not in str(caught.value)
    assert server.paths == []


def test_tls_polls_when_the_certificate_is_trusted(servers: list[Counting], cert: Cert) -> None:
    servers.append(server := serve(tls=cert))
    context = ssl.create_default_context(cafile=str(cert[0]))
    urls = [f"https://localhost:{server.port}/s"] * 3
    assert [r.content for r in engine().run(_get(urls, context))] == [BODY] * 3
    assert server.connections == 1


def test_a_slow_body_meets_one_deadline_for_the_whole_request(servers: list[Counting]) -> None:
    """1 byte every 0.2 s: each read is quick, the request is not; it ends at its deadline."""
    servers.append(server := serve())
    server.drip = 0.2
    began = time.monotonic()
    with pytest.raises(Unreachable, match="within 1s") as caught:
        get(f"http://127.0.0.1:{server.port}/slow", timeout=1.0)
    assert caught.value.timed_out and time.monotonic() - began < 2.0


def test_a_slow_origin_does_not_delay_another(servers: list[Counting]) -> None:
    servers.append(slow := serve())
    servers.append(fast := serve())
    slow.drip = 0.5

    async def both() -> tuple[float, list[BaseException | Reply]]:
        transport = AioTransport("transport-test")
        began = time.monotonic()
        stuck = [
            transport.get(f"http://127.0.0.1:{slow.port}/{i}", {}, timeout=3, limit=2**20)
            for i in range(20)
        ]
        pending = asyncio.gather(*stuck, return_exceptions=True)
        await asyncio.sleep(0.1)
        await transport.get(f"http://127.0.0.1:{fast.port}/ok", {}, timeout=3, limit=2**20)
        took = time.monotonic() - began
        results = await pending
        await transport.close()
        return took, results

    took, results = engine().run(both())
    assert took < 2.0, took  # starved, it would wait for the 3 s deadline
    assert all(isinstance(r, Unreachable) for r in results)


def test_a_body_over_the_cap_is_refused(servers: list[Counting]) -> None:
    servers.append(server := serve())
    server.body = b"[" + b"0," * 600_000 + b"0]"  # 1.2 MB
    with pytest.raises(TooLarge):
        get(f"http://127.0.0.1:{server.port}/big", limit=2**20)


def test_a_status_body_over_the_cap_is_a_clear_response_error(
    servers: list[Counting], monkeypatch: pytest.MonkeyPatch
) -> None:
    from nb_jobstatus.core import client as client_module

    servers.append(server := serve())
    server.body = b'{"status": "IN_PROGRESS", "logs": ["' + b"x" * 300_000 + b'"]}'
    monkeypatch.setattr(client_module, "STATUS_LIMIT", 100_000)
    client = client_for("clipia", "wire-key-3", f"http://127.0.0.1:{server.port}")
    with pytest.raises(ResponseError, match="over the 100,000-byte limit") as caught:
        client.get_status(RID, 5)
    assert caught.value.code == "too_large" and caught.value.http_status is None
