"""The status path before the aiohttp engine, kept only as the benchmark's baseline.

Status GETs over keep-alive ``http.client`` connections: the polling hot path.

Every poll is a small GET whose answer is read whole, and a notebook following 1,000 jobs sends
hundreds a second. Each one takes CPU, and the GIL, from the user's own code. ``requests``
spends two to three times the CPU of ``http.client`` on such a GET (settings merged, cookies,
hooks, adapters: measured in the README's benchmark), so status and result GETs go through this
pool; downloads, which stream and follow redirects, stay on ``requests``. As there: the same
CA bundle (certifi's), no proxies, no retries. A connection the server closed while it sat idle
is noticed before it is reused, so no request is ever sent twice.
"""

from __future__ import annotations

import functools
import http.client
import select
import socket
import ssl
import threading
from dataclasses import dataclass
from email.message import Message

import requests.utils

IDLE_KEPT = 16  # idle connections kept open per origin
Connection = http.client.HTTPConnection


@dataclass(frozen=True)
class Reply:
    """A whole response, as the status path reads it."""

    status_code: int
    reason: str
    headers: Message  # case-insensitive ``get``
    content: bytes


@functools.cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=requests.utils.DEFAULT_CA_BUNDLE_PATH)


def _closed_by_peer(sock: socket.socket) -> bool:
    """An idle keep-alive socket that has become readable was closed (or is out of step)."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])  # Windows


class Pool:
    """Keep-alive connections to one origin, shared by every thread (one user at a time each)."""

    def __init__(self, scheme: str, host: str, port: int) -> None:
        self.scheme, self.host, self.port = scheme, host, port
        self._idle: list[Connection] = []
        self._lock = threading.Lock()

    def get(self, target: str, headers: dict[str, str], connect: float, read: float) -> Reply:
        """GET ``target`` (path and query). Raises ``OSError`` (``TimeoutError`` among them)
        or ``http.client.HTTPException``; the connection is then dropped, not reused."""
        conn = self._take() or self._connect(connect)
        try:
            assert conn.sock is not None
            conn.sock.settimeout(read)
            conn.request("GET", target, headers=headers)
            response = conn.getresponse()
            reply = Reply(response.status, response.reason, response.msg, response.read())
        except BaseException:
            conn.close()
            raise
        self._give(conn)
        return reply

    def _connect(self, timeout: float) -> Connection:
        if self.scheme == "https":
            conn: Connection = http.client.HTTPSConnection(
                self.host, self.port, timeout=timeout, context=_tls()
            )
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        conn.connect()  # sets TCP_NODELAY
        return conn

    def _take(self) -> Connection | None:
        while True:
            with self._lock:
                if not self._idle:
                    return None
                conn = self._idle.pop()
            if conn.sock is not None and not _closed_by_peer(conn.sock):
                return conn
            conn.close()

    def _give(self, conn: Connection) -> None:
        """Back to the idle list, unless the server said it closes (http.client then has)."""
        if conn.sock is None:
            return
        with self._lock:
            if len(self._idle) < IDLE_KEPT:
                self._idle.append(conn)
                return
        conn.close()


_pools: dict[tuple[str, str, int], Pool] = {}
_pools_lock = threading.Lock()


def pool_for(scheme: str, host: str, port: int) -> Pool:
    """The one pool of this origin (connections carry no credentials: keys are per request)."""
    with _pools_lock:
        pool = _pools.get((scheme, host, port))
        if pool is None:
            pool = _pools[(scheme, host, port)] = Pool(scheme, host, port)
        return pool
