"""The sockets: two threading HTTP/1.1 servers on 127.0.0.1 (the API origin and the media
origin) whose handler threads hand every request to one :class:`~.app.App`.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import sys
import threading
import time
import traceback
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from .app import App, Request
from .exchange import drive, exchange, paced
from .reply import Reply


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    wbufsize = 64 * 1024  # headers and a small body leave in one write, as from a real server
    timeout = 300  # an idle keep-alive connection gives its thread back after this
    server: Server
    fresh = True  # no request answered on this connection yet (it pays for the handshake)

    def do_GET(self) -> None:
        request = Request(self.server.origin, self.command, self.path, dict(self.headers.items()))
        fresh, self.fresh = self.fresh, False
        try:
            reply = drive(exchange(self.server.app, request, new_connection=fresh), time.sleep)
        except Exception:  # a bug of the sandbox: say so rather than drop the connection
            traceback.print_exc()
            reply = Reply(500, {"message": "sandbox error; see the server's stderr"}, close=True)
        self._send(reply)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _send(self, reply: Reply) -> None:
        if reply.drop:
            self.close_connection = True
            return
        content = reply.content()
        length = reply.length if reply.length is not None else len(content)  # type: ignore[arg-type]
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(length))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.close:
            self.send_header("Connection", "close")
        self.end_headers()
        self._write(content, reply.pacing)

    def _write(self, content: bytes | Any, pacing: tuple[int, float] | None) -> None:
        try:
            if isinstance(content, bytes) and pacing is None:
                self.wfile.write(content)
                return
            chunks: Iterable[bytes] = (  # a stream of chunks, or bytes paced on the link
                cast(Iterable[bytes], content) if pacing is None else paced(content, pacing[0])
            )
            for chunk in chunks:
                if pacing is not None:  # each chunk takes its time on the link
                    self.wfile.flush()
                    time.sleep(pacing[1])
                self.wfile.write(chunk)
                self.wfile.flush()  # a streamed body goes out chunk by chunk
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away mid-body: nothing to do

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the record in App.recorded is the log


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the listen backlog: a thousand clients may connect at once

    def __init__(self, port: int, app: App, origin: str) -> None:
        self.app = app
        self.origin = origin
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), Handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skips HTTPServer's slow getfqdn()
        self.server_name, self.server_port = self.server_address[:2]  # type: ignore[assignment]

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, address = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no delayed-ACK stalls
        with self.connections_lock:
            self.connections.add(conn)
        return conn, address

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that went away
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> threading.Thread:
        thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"nb_jobstatus-sandbox-{self.origin}",
            daemon=True,
        )
        thread.start()
        return thread

    def close(self) -> None:
        """Stop accepting, then cut every open keep-alive connection."""
        self.shutdown()
        self.server_close()
        with self.connections_lock:
            open_connections = list(self.connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
