"""The one palette and the inline styles every view uses.

A reopened (untrusted) notebook goes through JupyterLab's HTML sanitizer, which keeps only
the CSS properties and values of its allow-list (``packages/apputils/src/sanitizer.ts``):
no ``var(--jp-...)``, no ``calc()``, no ``gap`` / ``flex-wrap`` / ``flex`` /
``user-select``, no ``repeating-linear-gradient``, ``rgba()`` only with a 0-1 alpha. So
every colour here is plain, mid-tone colours and translucent greys read on light and dark
themes alike, body text inherits the theme's colour, and layouts are inline blocks and
floats (``display: flex`` survives, but without ``gap`` or wrapping). ``tests/test_views_
sanitizer.py`` checks every style of every view against that allow-list.
"""

from __future__ import annotations

MUTED_COLOR = "#757575"
BORDER_COLOR = "rgba(127, 127, 127, 0.45)"
CODE_BG = "rgba(127, 127, 127, 0.14)"
TRACK = "rgba(127, 127, 127, 0.22)"
ERROR = "#d32f2f"
WARN = "#ef6c00"
SUCCESS = "#2e7d32"
INFO = "#1976d2"
NEUTRAL = "#757575"
LINK = "#1976d2"
UNKNOWN = "#7b1fa2"
INDETERMINATE = "#90caf9"  # a pale info blue: reads as "busy" in light and dark

MONO = "SFMono-Regular, Menlo, Consolas, monospace"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

# The pill's colour for each word the pill can say.
STATE_COLORS = {
    "queued": MUTED_COLOR,
    "running": INFO,
    "completed": SUCCESS,
    "failed": ERROR,
    "canceled": WARN,
    "unknown": UNKNOWN,
    "stopped": NEUTRAL,
    "expired": WARN,
}

# ipywidgets' bar_style colours, so the static bar matches the widget's.
BAR_COLORS = {
    "success": SUCCESS,
    "danger": ERROR,
    "warning": WARN,
    "info": "#0097a7",
    "": NEUTRAL,
}

CARD = (
    f"border: 1px solid {BORDER_COLOR}; border-radius: 6px; padding: 8px 12px; margin: 4px 0; "
    f"font-family: {FONT}; font-size: 13px; line-height: 1.45; max-width: 960px; "
    "box-sizing: border-box"
)
MUTED = f"color: {MUTED_COLOR}; font-size: 12px; line-height: 1.45"
SMALL = f"color: {MUTED_COLOR}; font-size: 11px; line-height: 1.45"
TITLE = "font-weight: 600; font-size: 14px; margin-right: 8px"
CELL = "padding: 3px 8px; text-align: left; vertical-align: middle"
HEAD_CELL = (
    f"{CELL}; color: {MUTED_COLOR}; font-weight: 600; border-bottom: 1px solid {BORDER_COLOR}"
)
THUMB_SIDE = 240  # px: the card's width, the thumbnail's box
