"""One downloadable file of a job, and how it is served (well, or under a media fault)."""

from __future__ import annotations

from dataclasses import dataclass

from . import pictures, sounds, video
from .reply import HTML, Reply

NOUNS = {"sivi": "variant", "napkin": "visual", "clipia": "image"}


@dataclass(frozen=True)
class FileSpec:
    kind: str  # a key of pictures.CONTENT_TYPES
    size: tuple[int, int]
    provider: str
    lines: tuple[str, ...]  # what is written on the picture
    track: int = 0  # which audio track (``kind`` "speech" or "music")

    @property
    def content_type(self) -> str:
        return pictures.CONTENT_TYPES[self.kind]

    def data(self) -> bytes:
        if self.kind == "svg":
            return pictures.svg(self.size, self.lines)
        if self.kind == "ppt":
            return pictures.pptx(self.size, self.lines)
        if self.kind == "mp4":
            return video.mp4()
        if self.kind in ("speech", "music"):
            return sounds.wav(self.kind, self.track)
        return pictures.picture(self.kind, self.size, self.provider, self.lines)


def spec(
    provider: str, request_id: str, kind: str, size: tuple[int, int], label: str, track: int = 0
) -> FileSpec:
    """A file of ``kind`` labelled like "Sivi / request sbhMkIZKCPp / variant 2 / 1080 × 1080"."""
    lines = (
        provider.capitalize(),
        f"request {request_id[:13]}",
        f"{NOUNS[provider]} {label}",
        f"{size[0]} × {size[1]}",
    )
    return FileSpec(kind, size, provider, lines, track)


def not_found() -> Reply:
    """A file host's 404."""
    return Reply(404, body=b"<h1>404 Not Found</h1>", content_type=HTML)


def serve(item: FileSpec, fault: str | None = None) -> Reply:
    """The download of ``item`` under a media fault (see the package docstring)."""
    if fault is None:
        return Reply(200, body=item.data(), content_type=item.content_type)
    if fault == "404":
        return not_found()
    if fault == "not-image":
        return Reply(200, body=pictures.NOT_IMAGE, content_type=item.content_type)
    if fault == "truncated":
        data = item.data()
        return Reply(200, body=data[: len(data) // 2], content_type=item.content_type)
    if fault == "bomb":
        return Reply(200, body=pictures.bomb(), content_type="image/png")
    if fault == "huge":
        return Reply(
            200, body=pictures.huge(), content_type="image/png", length=pictures.HUGE_BYTES
        )
    if fault == "svg-script":
        hostile = pictures.svg(item.size, item.lines, script=True)
        return Reply(200, body=hostile, content_type="image/svg+xml")
    raise ValueError(f"unknown media fault {fault!r}")
