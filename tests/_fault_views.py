"""What the views and outputs of a job are made of, for the fault matrix (tests/test_faults.py):
every trait of the live widget, every HTML fragment, every text a person or a log could see."""

from __future__ import annotations

import contextlib
import html
import json
import re
from typing import TYPE_CHECKING, Any

import nb_jobstatus as njs
from nb_jobstatus.views import static

if TYPE_CHECKING:
    from _fault_checks import Run


def widget_strings(widget: Any) -> list[str]:
    """Every trait value of every widget in the tree (children, layouts, styles), as text."""
    import ipywidgets

    seen: set[int] = set()
    found: list[str] = [repr(widget)]

    def visit(value: Any) -> None:
        if isinstance(value, ipywidgets.Widget):
            walk(value)
        elif isinstance(value, (list, tuple, set)):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for name, item in value.items():
                found.append(str(name))
                visit(item)
        else:
            found.append(str(value))

    def walk(node: ipywidgets.Widget) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        for name in node.trait_names():
            with contextlib.suppress(Exception):
                visit(getattr(node, name))

    walk(widget)
    return found


def widget_html(widget: Any) -> list[str]:
    """The ``value`` of every HTML widget in the tree."""
    import ipywidgets

    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, ipywidgets.HTML):
            found.append(node.value)
        for child in getattr(node, "children", ()):
            walk(child)

    walk(widget)
    return found


def surfaces(job: njs.Job, run: Run) -> list[str]:
    """Everything a person or a log could ever see of ``job``."""
    texts = [repr(job), static.job_text(job), static.job_html(job), job.curl()]
    for error in [job.error, *(p.error for p in job.history)]:
        if error is not None:
            texts += [str(error), repr(error), str(getattr(error, "body", ""))]
    texts += [repr(poll) for poll in job.history]
    if job.status is not None:
        texts += [repr(job.status), json.dumps(job.status.raw, default=str)]
    texts += [repr(item) for item in job.media.values()]
    texts += widget_strings(job.widget)
    texts += [text for pair in run.snapshots for text in pair]
    return texts


def attributes(page: str, name: str) -> list[str]:
    return re.findall(rf'\b{name}\s*=\s*"([^"]*)"', page, flags=re.IGNORECASE)


def check_html(page: str) -> None:
    """Escaped, not linked, not executed: no script, no event handler, no inline SVG, and
    links and sources only to http(s) (images: embedded data URIs)."""
    lowered = page.lower()
    assert "<script" not in lowered and "<svg" not in lowered and "<iframe" not in lowered
    tags = re.findall(r"<[a-z][^>]*>", page, flags=re.IGNORECASE)
    handlers = [tag for tag in tags if re.search(r"\son[a-z]+\s*=", tag, flags=re.IGNORECASE)]
    assert not handlers, handlers
    for href in attributes(page, "href"):
        assert re.match(r"https?://", html.unescape(href)), href
    for src in attributes(page, "src"):
        assert re.match(r"data:image/(png|jpeg|svg\+xml);base64,|https?://", src), src[:80]


def gallery_cards(page: str) -> list[str]:
    return page.split('class="nbjs-asset"')[1:]
