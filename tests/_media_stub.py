"""A job as ``core.media`` sees it, whose ``download`` serves bytes from a dict: tests of the
cache's bookkeeping on bytes, with no socket (the HTTP paths are tested against the sandbox)."""

from __future__ import annotations

import io
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image

from nb_jobstatus.core.errors import TransportError
from nb_jobstatus.core.model import Asset, State, Status


@dataclass(frozen=True)
class Download:
    http_status: int
    content: bytes
    content_type: str | None


Served = bytes | int | Callable[["StubJob", float], bytes]  # the file, an HTTP error, or a
# function of the job and the download's timeout


class StubJob:
    """``provider``, ``request_id``, ``origin``, ``base_url``, ``status``, ``media``,
    ``stopped``, ``state`` and ``download(url, *, limit, timeout)``; records every download."""

    def __init__(
        self,
        files: dict[str, Served],
        *,
        origin: str = "https://api.example.com:443",
        provider: str = "clipia",
        request_id: str = "req-1",
        kinds: dict[str, str] | None = None,
    ) -> None:
        self.provider, self.request_id, self.origin = provider, request_id, origin
        self.base_url = origin + "/v1"
        self.files = files
        kinds = kinds or {}
        assets = tuple(Asset(url=url, kind=kinds.get(url, "image")) for url in files)
        self.status = Status(provider, request_id, State.COMPLETED, assets=assets)
        self.state = State.COMPLETED
        self.media: dict[str, Any] = {}
        self.stopped: str | None = None
        self.downloads: list[tuple[str, float]] = []
        self.lock = threading.Lock()

    def download(self, url: str, *, limit: int, timeout: float) -> Download:
        with self.lock:
            self.downloads.append((url, timeout))
        if self.stopped == "canceled":
            raise TransportError("download canceled", provider=self.provider)
        served = self.files[url]
        if isinstance(served, int):
            return Download(served, b"<h1>error</h1>", "text/html")
        content = served(self, timeout) if callable(served) else served
        return Download(200, content, None)


def png(color: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def wav(seconds: float, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        sound.writeframes(bytes(2 * round(seconds * rate)))
    return out.getvalue()
