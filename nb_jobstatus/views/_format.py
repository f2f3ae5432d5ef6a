"""Small formatting helpers that know nothing of ``Job``: durations, bytes, escaping, links,
the state pill and the theme colours (JupyterLab CSS variables with light-theme fallbacks)."""

from __future__ import annotations

import html
import time
from urllib.parse import urlsplit

from ..core.redact import redact

# Inline styles only: a <style> block is dropped by some sanitizers, classes alone carry no look.
FG = "var(--jp-ui-font-color1, #1f1f1f)"
FG_MUTED = "var(--jp-ui-font-color2, #616161)"
BORDER = "var(--jp-border-color2, #d5d5d5)"
MONO = "var(--jp-code-font-family, SFMono-Regular, Menlo, Consolas, monospace)"
CODE_BG = "var(--jp-layout-color2, rgba(127, 127, 127, 0.10))"
FONT = "var(--jp-ui-font-family, system-ui, -apple-system, 'Segoe UI', sans-serif)"
ERROR = "var(--jp-error-color1, #d32f2f)"
WARN = "var(--jp-warn-color1, #ef6c00)"
SUCCESS = "var(--jp-success-color1, #2e7d32)"
INFO = "var(--jp-brand-color1, #1976d2)"

STATE_COLORS = {
    "queued": FG_MUTED,
    "running": INFO,
    "completed": SUCCESS,
    "failed": ERROR,
    "canceled": WARN,
    "unknown": "var(--jp-ui-font-color2, #7b1fa2)",
}


def esc(value: object) -> str:
    """Any text for HTML: keys masked, then escaped (quotes too, so it is safe in attributes)."""
    return html.escape(redact(str(value)), quote=True)


def safe_url(url: object) -> str | None:
    """``url`` if it is an absolute http(s) URL, else None (never a javascript: or data: link)."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def link(url: object, label: str) -> str:
    """An ``<a>`` opening in a new tab for http(s) URLs; other schemes stay plain text."""
    target = safe_url(url)
    if target is None:
        return esc(label)
    return (
        f'<a href="{esc(target)}" target="_blank" rel="noopener noreferrer" '
        f'style="color: {INFO}; text-decoration: none">{esc(label)}</a>'
    )


def duration(seconds: float | None, *, tenths: bool = True) -> str:
    """``0.4s``, ``12s``, ``3m 05s``, ``1h 02m``; an em dash when unknown. Without
    ``tenths`` (a clock that ticks once a second) short durations are whole seconds too."""
    if seconds is None or seconds != seconds:  # None or NaN
        return "—"
    seconds = max(0.0, seconds)
    if seconds < 10 and tenths:
        return f"{seconds:.1f}s"
    whole = int(seconds) if seconds < 60 and not tenths else int(round(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def size(count: int | None) -> str:
    """``812 B``, ``183 KB``, ``4.2 MB`` (binary multiples, as the gallery writes them)."""
    if count is None:
        return "—"
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{round(count / 1024)} KB"
    if count < 1024**3:
        return f"{count / 1024**2:.1f} MB"
    return f"{count / 1024**3:.1f} GB"


def dims(width: int | None, height: int | None) -> str | None:
    """``1080 × 1080 px`` or None when a side is unknown."""
    if not width or not height:
        return None
    return f"{width} × {height} px"


def percent(progress: float | None) -> str:
    return "—" if progress is None else f"{progress:.0f}%"


def clock(wall: float) -> str:
    """Local wall-clock time with milliseconds: ``14:03:07.512``."""
    local = time.localtime(wall)
    return time.strftime("%H:%M:%S", local) + f".{int((wall % 1) * 1000):03d}"


def pill(state: str) -> str:
    """The coloured state badge (class ``nbjs-state``)."""
    color = STATE_COLORS.get(state, FG_MUTED)
    return (
        f'<span class="nbjs-state nbjs-state-{esc(state)}" style="display: inline-block; '
        f"padding: 1px 9px; border-radius: 999px; border: 1px solid {color}; color: {color}; "
        f"font-size: 11px; font-weight: 600; letter-spacing: 0.04em; text-transform: uppercase; "
        f'line-height: 16px; white-space: nowrap">{esc(state)}</span>'
    )


def code(text: str, title: str | None = None) -> str:
    """Inline monospace (request ids)."""
    attr = f' title="{esc(title)}"' if title else ""
    return (
        f'<code{attr} style="font-family: {MONO}; font-size: 12px; background: {CODE_BG}; '
        f'padding: 1px 5px; border-radius: 4px">{esc(text)}</code>'
    )


def pre(text: str, *, max_height: str = "none", select_all: bool = False) -> str:
    """A monospace block (curl, raw JSON) that scrolls instead of overflowing."""
    select = "; user-select: all" if select_all else ""
    return (
        f'<pre style="font-family: {MONO}; font-size: 12px; background: {CODE_BG}; '
        f"color: {FG}; padding: 6px 8px; margin: 4px 0; border-radius: 4px; overflow: auto; "
        f'max-height: {max_height}; white-space: pre{select}">{esc(text)}</pre>'
    )


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"
