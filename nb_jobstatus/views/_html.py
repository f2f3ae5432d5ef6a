"""HTML building blocks shared by every view: escaping, links, pills, code, blocks, folds.

Every text is masked (keys), stripped of control characters and escaped, quotes too, so it
is safe in attributes. Links are made only for absolute http(s) URLs and open in a new tab
without opener or referrer.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from urllib.parse import urlsplit

from ..core.redact import redact
from . import _format as fmt
from . import palette as pal


def esc(value: object) -> str:
    """Any text for HTML: keys masked, controls stripped, then escaped."""
    return html.escape(fmt.clean(redact(fmt.text(value))), quote=True)


def safe_url(url: object) -> str | None:
    """``url`` if it is an absolute http(s) URL without controls or spaces, else None."""
    if not isinstance(url, str) or len(url) > 8192:
        return None
    url = url.strip()
    if fmt.clean(url) != url or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def link(url: object, label: str, *, title: str | None = None) -> str:
    """An ``<a>`` for an http(s) URL, opening in a new tab; other URLs stay plain text."""
    target = safe_url(url)
    if target is None:
        return f'<span title="not a web link">{esc(label)}</span>'
    hover = f' title="{esc(title or target)}"'
    return (
        f'<a href="{esc(target)}" target="_blank" rel="noopener noreferrer"{hover} '
        f'style="color: {pal.LINK}; text-decoration: none">{esc(label)}</a>'
    )


def links(pairs: Iterable[tuple[str, object]], *, css: str = "nbjs-links", style: str = "") -> str:
    """The one links renderer: ``view · share`` (label, url) pairs in a ``nbjs-links`` span;
    empty when no pair has a URL."""
    found = [link(url, label) for label, url in pairs if url]
    if not found:
        return ""
    return f'<span class="{css}" style="{style}">{" · ".join(found)}</span>'


def pill(word: str, *classes: str) -> str:
    """The coloured state badge (class ``nbjs-state`` and ``nbjs-state-<word>``)."""
    color = pal.STATE_COLORS.get(word, pal.MUTED_COLOR)
    extra = "".join(f" {esc(name)}" for name in classes)
    return (
        f'<span class="nbjs-state nbjs-state-{esc(word)}{extra}" style="display: inline-block; '
        f"padding: 0 9px; border-radius: 9px; border: 1px solid {color}; color: {color}; "
        "font-size: 11px; font-weight: 600; letter-spacing: 0.04em; text-transform: uppercase; "
        f'line-height: 16px; white-space: nowrap; vertical-align: middle">{esc(word)}</span>'
    )


def code(text: str, *, title: str | None = None, wrap: bool = False) -> str:
    """Inline monospace (request ids; ``wrap`` breaks long ones anywhere)."""
    attr = f' title="{esc(title)}"' if title else ""
    breaks = "word-break: break-all" if wrap else "white-space: nowrap"
    return (
        f'<code{attr} style="font-family: {pal.MONO}; font-size: 12px; '
        f'background-color: {pal.CODE_BG}; padding: 1px 5px; border-radius: 4px; {breaks}">'
        f"{esc(text)}</code>"
    )


def pre(text: str, *, max_height: str = "none") -> str:
    """A monospace block (curl, raw JSON) that scrolls instead of overflowing."""
    return (
        f'<pre style="font-family: {pal.MONO}; font-size: 12px; '
        f"background-color: {pal.CODE_BG}; padding: 6px 8px; margin: 4px 0; border-radius: 4px; "
        f'overflow: auto; max-height: {max_height}; white-space: pre">{esc(text)}</pre>'
    )


def details(summary: str, inner: str, *, opened: bool = False, color: str = "") -> str:
    """A fold: ``<details>`` with a one-line summary (escaped) and trusted inner HTML."""
    attr = " open" if opened else ""
    tint = f"color: {color}; " if color else f"color: {pal.MUTED_COLOR}; "
    return (
        f'<details{attr} style="margin: 6px 0"><summary style="cursor: pointer; {tint}'
        f'font-weight: 600">{esc(summary)}</summary>'
        f'<div style="overflow-x: auto">{inner}</div></details>'
    )


def muted(text: str, *, css: str = "") -> str:
    """A line of small grey text (escaped)."""
    attr = f' class="{css}"' if css else ""
    return f'<div{attr} style="{pal.MUTED}">{esc(text)}</div>'
