"""The gallery of a job's files as an HTML string: used inside the live widget (an
``ipywidgets.HTML``) and in the static fallback (saved notebooks, nbconvert, GitHub).

Every text that comes from a provider is escaped; links are made only for http(s) URLs and
open in a new tab without an opener or referrer. Thumbnails are embedded as data URIs (an SVG
too, only ever through ``<img>``, where its scripts cannot run). Inline styles use JupyterLab's
CSS variables, with light-theme fallbacks outside JupyterLab.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.model import Asset, State
from ._format import esc, safe_url

if TYPE_CHECKING:
    from ..job import Job
    from ..media import Media

THUMB_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
FG = "var(--jp-ui-font-color1, #1f1f1f)"
MUTED = "var(--jp-ui-font-color2, #616161)"
BORDER = "var(--jp-border-color2, #ddd)"
CARD_BG = "var(--jp-layout-color1, transparent)"
THUMB_BG = "var(--jp-layout-color2, #f3f3f3)"
LINK = "var(--jp-content-link-color, #1976d2)"
ERROR = "var(--jp-error-color1, #d32f2f)"
WARN = "var(--jp-warn-color1, #ef6c00)"
MONO = "var(--jp-code-font-family, SFMono-Regular, Menlo, Consolas, monospace)"
SMALL = "var(--jp-ui-font-size0, 11px)"

GALLERY_STYLE = f"margin: 8px 0 4px; color: {FG}"
GRID_STYLE = "display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start"
CARD_STYLE = (
    f"flex: 0 1 240px; min-width: 200px; max-width: 260px; box-sizing: border-box; "
    f"border: 1px solid {BORDER}; border-radius: 6px; padding: 6px; background: {CARD_BG}"
)
THUMB_STYLE = (
    f"display: flex; align-items: center; justify-content: center; min-height: 96px; "
    f"background: {THUMB_BG}; border-radius: 4px; overflow: hidden; text-align: center"
)
IMG_STYLE = "display: block; max-width: 100%; max-height: 260px; height: auto; width: auto"
CAPTION_STYLE = f"font-size: {SMALL}; color: {MUTED}; line-height: 1.45; margin-top: 5px"
DIMS_STYLE = f"color: {FG}; font-weight: 600"
NOTE_STYLE = f"font-size: {SMALL}; color: {MUTED}; padding: 8px"
BADGE_STYLE = (
    f"display: inline-block; font-size: {SMALL}; color: {WARN}; border: 1px solid {WARN}; "
    "border-radius: 999px; padding: 0 8px; margin: 2px 0 6px"
)
KINDS = {"video": "video", "file": "file"}


# -- small helpers -----------------------------------------------------------------------------


def link(url: object, label: str) -> str:
    """A link opening in a new tab, or, for any other scheme, the escaped text itself."""
    target = safe_url(url)
    if target is None:
        shown = f"{label}: {url}" if url else label
        return f'<span title="not a web link">{esc(shown)}</span>'
    return (
        f'<a href="{esc(target)}" target="_blank" rel="noopener noreferrer" '
        f'title="{esc(target)}" style="color: {LINK}; text-decoration: none">{esc(label)}</a>'
    )


def human_size(count: int | None) -> str | None:
    """``812 B``, ``183 KB``, ``4.2 MB`` (binary multiples)."""
    if count is None:
        return None
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{round(count / 1024)} KB"
    return f"{count / 1024 / 1024:.1f} MB"


def human_duration(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d} min"


def dims_text(width: int | None, height: int | None) -> str | None:
    return f"{width} × {height} px" if width and height else None


def home_path(path: Path) -> str:
    """``path`` with the home folder written ``~`` (no user name in a shared notebook)."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


# -- the gallery -------------------------------------------------------------------------------


def gallery_html(job: Job) -> str:
    """The request's links, a test-key badge if any, and one card per asset."""
    status = job.status
    if status is None:
        return ""
    media_map: dict[str, Any] = job.media  # replaced, never mutated, by media.cache_all
    cards = [
        asset_card(job, index, asset, media_map.get(asset.url))
        for index, asset in enumerate(status.assets)
    ]
    if not cards and status.state is State.COMPLETED:
        cards.append(f'<div style="{NOTE_STYLE}">no files in the result</div>')
    grid = f'<div class="nbjs-grid" style="{GRID_STYLE}">{"".join(cards)}</div>'
    return f'<div class="nbjs-gallery" style="{GALLERY_STYLE}">{links_row(job)}{grid}</div>'


def links_row(job: Job) -> str:
    """View and share links of the request (``nbjs-links``) and the test-key badge."""
    status = job.status
    assert status is not None
    pairs = ((status.view_url, "view"), (status.share_url, "share"))
    found = [link(url, label) for url, label in pairs if url]
    badge = ""
    if status.test_mode:
        badge = f'<div class="nbjs-test" style="{BADGE_STYLE}">test key: mock result</div>'
    if not found:
        return badge
    row = " · ".join(found)
    return f'{badge}<div class="nbjs-links" style="{CAPTION_STYLE}; margin: 0 0 6px">{row}</div>'


def asset_card(job: Job, index: int, asset: Asset, media: Media | None) -> str:
    """One card: the picture (or a placeholder), then the caption."""
    if media is None:
        picture = pending(job)
    elif asset.kind in KINDS:
        picture = kind_box(job, asset, media)
    else:
        picture = thumbnail(asset, index, media)
    return (
        f'<div class="nbjs-asset" style="{CARD_STYLE}">'
        f'<div class="nbjs-thumb" style="{THUMB_STYLE}">{picture}</div>'
        f'<div class="nbjs-caption" style="{CAPTION_STYLE}">{caption(job, asset, media)}</div>'
        "</div>"
    )


def pending(job: Job) -> str:
    """Before the media worker has cached the file."""
    text = "downloading…" if job.state is State.COMPLETED else "not downloaded"
    return f'<span class="nbjs-pending" style="{NOTE_STYLE}">{text}</span>'


def thumbnail(asset: Asset, index: int, media: Media) -> str:
    """The embedded thumbnail; SVG only ever as an ``<img>`` data URI."""
    if not media.thumbnail or media.thumbnail_type not in THUMB_TYPES:
        return f'<span style="{NOTE_STYLE}">no preview</span>'
    data = base64.b64encode(media.thumbnail).decode("ascii")
    alt = asset.id or f"asset {index}"
    backdrop = "" if media.thumbnail_type == "image/jpeg" else "; background: #fff"
    return (
        f'<img src="data:{media.thumbnail_type};base64,{data}" alt="{esc(alt)}" '
        f'title="{esc(alt)}" style="{IMG_STYLE}{backdrop}">'
    )


def kind_box(job: Job, asset: Asset, media: Media) -> str:
    """Videos: a link to play them (when it needs no key). Files: where the copy is.

    A Napkin file URL needs the Bearer header and expires after 30 minutes, so a link would
    only answer 401 or 410 in a browser: the cached copy's path is shown instead."""
    label = "▶ video" if asset.kind == "video" else (file_label(media) or "") + " file"
    url = media.source_url or asset.url
    if asset.kind == "video" and not media.error and public(job, url):
        return link(url, label)
    return f'<span style="{NOTE_STYLE}; font-size: 13px">{esc(label)}</span>'


def file_label(media: Media) -> str | None:
    """``PPTX`` for a file whose cached copy is ``....pptx``."""
    if media.path is not None and media.path.suffix:
        return media.path.suffix.lstrip(".").upper()
    return None


def public(job: Job, url: str) -> bool:
    """True when ``url`` is an http(s) URL that needs no key (so a browser can open it)."""
    try:
        return safe_url(url) is not None and not job.client.credentials_for(url)
    except Exception:  # a client without the method (a test double): no link, to be safe
        return False


# -- the caption -------------------------------------------------------------------------------


def caption(job: Job, asset: Asset, media: Media | None) -> str:
    """Dimensions, format and size; id and links; then the warning or the error."""
    lines = [facts_line(asset, media), id_line(job, asset, media)]
    if media is not None and asset.kind == "file" and media.path is not None:
        lines.append(f"cached as {code(home_path(media.path))}; job.save(dir) copies it")
    lines = [f"<div>{line}</div>" for line in lines if line]
    if media is not None and media.warning:
        lines.append(
            f'<div class="nbjs-warning" style="color: {WARN}">⚠ {esc(media.warning)}</div>'
        )
    if media is not None and media.error:
        lines.append(f'<div class="nbjs-error" style="color: {ERROR}">✖ {esc(media.error)}</div>')
    return "".join(lines)


def facts_line(asset: Asset, media: Media | None) -> str:
    """``<span class="nbjs-dims">1080 × 1080 px</span> · JPEG · 183 KB`` (reported sizes are
    marked as such until the file is measured)."""
    measured = bool(media is not None and not media.error and media.width and media.height)
    width, height = (
        (media.width, media.height) if media and measured else (asset.width, asset.height)
    )
    dims = dims_text(width, height)
    parts = []
    if dims:
        note = "" if measured else ' <span title="as the provider reports it">(reported)</span>'
        parts.append(f'<span class="nbjs-dims" style="{DIMS_STYLE}">{esc(dims)}</span>{note}')
    if media is not None:
        kind = media.format or file_label(media) or (media.content_type or "").upper() or None
        size = human_size(media.size_bytes)
        parts.extend(esc(word) for word in (kind, size, human_duration(media.duration)) if word)
    elif asset.kind != "image":
        parts.append(esc(asset.kind))
    return " · ".join(parts)


def id_line(job: Job, asset: Asset, media: Media | None) -> str:
    """The variant / file id, the variant type, the edit link and a link to the original."""
    parts = []
    if asset.id:
        parts.append(code(asset.id))
    variant = asset.variant_type
    if isinstance(variant, str) and variant:
        parts.append(esc(variant))
    if asset.edit_url:
        parts.append(link(asset.edit_url, "edit"))
    original = asset.original_url or asset.url
    if asset.kind == "image" and isinstance(original, str) and public(job, original):
        parts.append(link(original, "original"))
    return " · ".join(parts)


def code(text: str) -> str:
    return (
        f'<code style="font-family: {MONO}; font-size: {SMALL}; word-break: break-all">'
        f"{esc(text)}</code>"
    )
