"""A saved notebook reopened (untrusted) in JupyterLab 4 and Notebook 7 looks like the live one.

The features notebook, once every job has ended (the batch's two long jobs are stopped with
``cancel()`` from the kernel), is saved from the live JupyterLab page and reopened as a
notebook from elsewhere would be: untrusted, so JupyterLab's HTML sanitizer goes over every
output. The computed styles of what carries the look (pills, cards, file cards, bars, the
debugger and the stopped panel, code, players, the chart) must equal the live page's, in
both front ends. Screenshots of the batch and of a failure, live and reopened, side by side
in ``artifacts/screenshots/{lab-live,lab-reopened,nb7-reopened}-*.png``.
"""

from __future__ import annotations

import pathlib
from typing import Any

import nbformat
import pytest

from . import _page as P
from ._notebooks import cell_index
from ._stage import Stage

pytestmark = pytest.mark.browser

BORDER = ("border-top-color", "border-top-style", "border-top-width", "border-top-left-radius")
LOOKS: dict[str, tuple[str, ...]] = {
    ".nbjs-state": (
        "color", "background-color", *BORDER, "padding-left", "text-transform", "font-weight",
        "display", "width",
    ),
    ".nbjs-job": (*BORDER, "padding-left", "max-width", "font-family", "width"),
    ".nbjs-asset": (*BORDER, "display", "width", "height", "vertical-align"),
    ".nbjs-progress": ("background-color", "height", "border-top-left-radius"),
    ".nbjs-progress .progress-bar": ("background-color", "width"),
    ".nbjs-error": ("border-left-color", "border-left-width", "background-color", "padding-left"),
    ".nbjs-stopped": ("border-left-color", "border-left-width", "border-left-style"),
    ".nbjs-job code": ("background-color", "font-family", "border-top-left-radius"),
    ".nbjs-job table": ("border-collapse", "width"),
    ".nbjs-timeline-chart": ("width", "height", "display"),
    ".nbjs-player": ("display", "width", "height"),
    ".nbjs-job a": ("color", "text-decoration-line"),
}  # fmt: skip
# widths that follow the notebook's column, which Notebook 7 lays out wider than JupyterLab
FLUID = {
    (".nbjs-job", "width"),
    (".nbjs-job table", "width"),
    (".nbjs-progress .progress-bar", "width"),
}
SETTLED_JS = """() => document.querySelectorAll('.nbjs-job').length > 0
  && document.querySelectorAll('.nbjs-state-running, .nbjs-state-queued').length === 0
  && document.querySelectorAll('.jupyter-widgets.nbjs-job').length === 0"""
SAVED_JS = "() => !window.jupyterapp.shell.currentWidget.context.model.dirty"
SHOTS = {"batch": ".nbjs-batch", "failed": ".nbjs-job", "canceled": ".nbjs-job"}


def looks(page: Any) -> dict[str, list[dict[str, str]]]:
    return {selector: P.computed(page, selector, props) for selector, props in LOOKS.items()}


def shoot(page: Any, prefix: str, shots: pathlib.Path) -> None:
    for key, selector in SHOTS.items():
        target = P.cell(page, cell_index(key)).locator(selector).first
        target.scroll_into_view_if_needed()
        target.screenshot(path=str(shots / f"{prefix}-{key}.png"))


@pytest.fixture(scope="module")
def saved(stage: Stage, screenshots: pathlib.Path) -> dict[str, Any]:
    """Stop what still runs, wait for every final view, save; the live looks and shots."""
    page = stage.pages["features"]
    assert P.kernel_execute(page, "for j in batch: j.cancel()") == "ok"
    page.wait_for_function(SETTLED_JS, timeout=60_000, polling=250)
    live = looks(page)
    shoot(page, "lab-live", screenshots)
    P.save(page)
    page.wait_for_function(SAVED_JS, timeout=30_000, polling=100)
    nb = nbformat.read(str(stage.server.root_dir / "features.ipynb"), as_version=4)
    nb.metadata["reopened_elsewhere"] = True  # not the content Lab signed: untrusted
    nbformat.write(nb, str(stage.server.root_dir / "reopened.ipynb"))
    return {"live": live, "trusted": P.trusted(page)}


@pytest.fixture(scope="module")
def reopened(stage: Stage, saved: dict[str, Any]) -> dict[str, Any]:
    """The saved copy opened in a JupyterLab 4 page and a Notebook 7 page (loaded at once)."""
    context = stage.pages["features"].context
    pages = {"lab": context.new_page(), "nb7": context.new_page()}
    pages["lab"].set_viewport_size({"width": 1280, "height": 2400})
    pages["nb7"].set_viewport_size({"width": 1280, "height": 2400})
    P.goto(pages["lab"], stage.server, "reopened.ipynb", "lab")
    P.goto(pages["nb7"], stage.server, "reopened.ipynb", "notebook")
    count = len(saved["live"][".nbjs-job"])
    for page in pages.values():
        page.wait_for_function(
            "n => document.querySelectorAll('.nbjs-job').length >= n", arg=count, timeout=60_000
        )
        page.wait_for_function(  # the images and the chart drawn
            "() => Array.from(document.querySelectorAll('.nbjs-job img')).every(i => i.complete)",
            timeout=30_000,
        )
    yield pages
    for page in pages.values():
        page.close()


def test_live_outputs_are_trusted(saved: dict[str, Any]) -> None:
    assert saved["trusted"] and all(saved["trusted"]), saved["trusted"]


@pytest.mark.parametrize("front", ["lab", "nb7"])
def test_reopened_looks_like_live(
    front: str, saved: dict[str, Any], reopened: dict[str, Any], screenshots: pathlib.Path
) -> None:
    page = reopened[front]
    trusted = P.trusted(page)
    assert trusted and not any(trusted), f"the reopened notebook is trusted: {trusted}"
    shoot(page, f"{front}-reopened", screenshots)
    now, live = looks(page), saved["live"]
    for selector in LOOKS:
        assert len(now[selector]) == len(live[selector]), (
            f"{front}: {len(now[selector])} {selector} reopened, {len(live[selector])} live"
        )
        for index, (was, is_) in enumerate(zip(live[selector], now[selector], strict=True)):
            fluid = {k for s, k in FLUID if s == selector} if front != "lab" else set()
            changed = {k: (was[k], is_[k]) for k in was if was[k] != is_[k] and k not in fluid}
            assert not changed, f"{front}: {selector} #{index} changed (live, reopened): {changed}"
    assert len(live[".nbjs-state"]) >= 20 and len(live[".nbjs-asset"]) >= 8, {
        s: len(v) for s, v in live.items()
    }


OVERLAP_JS = """() => Array.from(document.querySelectorAll('.nbjs-table tbody tr')).map(tr => {
  const bar = tr.querySelector('.nbjs-progress');
  const label = bar && bar.parentElement.previousElementSibling;
  if (!bar || !label) return null;
  const b = bar.getBoundingClientRect(), l = label.getBoundingClientRect();
  return {bar_right: Math.round(b.right), label_left: Math.round(l.left), text: label.innerText};
}).filter(Boolean)"""


def test_final_batch_table_bar_and_label_apart(
    stage: Stage, saved: dict[str, Any], reopened: dict[str, Any]
) -> None:
    """In the final (static) batch table, live and reopened, each row's bar ends before its
    label begins, as in the live widget."""
    for page in (stage.pages["features"], reopened["lab"]):
        rows = page.evaluate(OVERLAP_JS)
        assert len(rows) == 8, rows
        over = [r for r in rows if r["bar_right"] > r["label_left"]]
        assert not over, f"the bar runs over its label: {over}"
