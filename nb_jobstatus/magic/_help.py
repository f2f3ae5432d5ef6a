"""``%jobstatus?`` as plain text: IPython's magic_arguments writes the usage as reStructuredText
(a ``::`` block, ``<[DIR]>``); a person reading the help in a notebook wants plain lines."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any


def plain_help(magic: Callable[..., Any]) -> None:
    """Rewrite the help text magic_arguments made from ``magic``'s docstring, in place."""
    doc = magic.__doc__ or ""
    doc = doc.replace("::\n\n  %", "Usage:\n  %", 1)
    doc = re.sub(r"<(\[[A-Z]+\])>( {2,})?", lambda m: m[1] + (m[2] + "  " if m[2] else ""), doc)
    magic.__doc__ = doc.replace("``", "")
