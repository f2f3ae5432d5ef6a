"""Two real HTTP servers on loopback for the security tests: each records the headers of every
request; ``?u=X`` answers 302 to X, ``/cookie`` sets a cookie, anything else is 4 bytes."""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CANARY = "canary-KEY-d3adb33f0123456789"
KEY_HEADERS = {"authorization", "sivi-api-key", "x-api-key"}


class Recorder(ThreadingHTTPServer):
    """A loopback server that records the path and headers of every request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.base = f"http://127.0.0.1:{self.server_address[1]}"

    def leaked(self) -> list[str]:
        return [path for path, headers in self.seen if carries_key(headers)]


def carries_key(headers: dict[str, str]) -> bool:
    names = {name.lower() for name in headers}
    return bool(names & KEY_HEADERS) or any(CANARY in value for value in headers.values())


class _Handler(BaseHTTPRequestHandler):
    server: Recorder

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.seen.append((self.path, dict(self.headers.items())))
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        if "u" in query:
            self.send_response(302)
            self.send_header("Location", query["u"][0])
            self.send_header("Content-Length", "0")
        else:
            self.send_response(200)
            if self.path.startswith("/cookie"):
                self.send_header("Set-Cookie", f"sid=from-{self.server.base[7:]}; Path=/")
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", "4")
        self.end_headers()
        if "u" not in query:
            self.wfile.write(b"data")

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve() -> Iterator[tuple[Recorder, Recorder]]:
    """An API and an EVIL server, running until the generator is closed."""
    api, evil = Recorder(), Recorder()
    for server in (api, evil):
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield api, evil
    for server in (api, evil):
        server.shutdown()
        server.server_close()
