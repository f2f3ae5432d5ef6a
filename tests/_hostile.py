"""A small hostile HTTP server on 127.0.0.1 (not the sandbox): every answer is scripted by the
test, headers and body, so that a test can send what no well-behaved provider would."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    body: bytes | Callable[[], Iterator[bytes]] = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    drip: float = 0.0  # seconds between the bytes of the body


class Hostile(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, answer: Callable[[str], Answer]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer
        self.seen: list[tuple[float, str, dict[str, str]]] = []  # (monotonic, path, headers)
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Hostile

    def do_GET(self) -> None:
        self.server.seen.append((time.monotonic(), self.path, dict(self.headers.items())))
        answer = self.server.answer(self.path)
        chunks = answer.body() if callable(answer.body) else None
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.headers.pop("Content-Type", "application/json"))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if chunks is None:
            assert isinstance(answer.body, bytes)
            self.send_header("Content-Length", str(len(answer.body)))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            self._write(answer, chunks)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _write(self, answer: Answer, chunks: Iterator[bytes] | None) -> None:
        if chunks is not None:
            for chunk in chunks:
                self.wfile.write(chunk)
            self.close_connection = True
            return
        assert isinstance(answer.body, bytes)
        if not answer.drip:
            self.wfile.write(answer.body)
            return
        for byte in answer.body:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(answer.drip)

    def log_message(self, *args: object) -> None:
        pass
