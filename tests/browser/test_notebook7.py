"""Jupyter Notebook 7 in headless Chromium: the quickstart renders live and ends in a gallery.

The page is loaded and run once per session with the others (``_stage``)."""

from __future__ import annotations

from typing import Any

import pytest

from . import _page as P
from ._stage import Stage
from .test_lab import assert_gallery, assert_grew, assert_links_answer

pytestmark = pytest.mark.browser


def test_quickstart_in_notebook7(stage: Stage, screenshots: Any) -> None:
    page = stage.pages["nb7"]
    assert "/notebooks/" in page.url, page.url
    assert_grew(stage.followers["nb7-quickstart"].samples)
    page.wait_for_function(
        "() => document.querySelectorAll('.nbjs-job .nbjs-gallery').length >= 2", timeout=60_000
    )
    dims = assert_gallery(page, want=6)
    assert any("1080 × 1080 px" in d for d in dims), dims
    assert_links_answer(page)
    P.wait_idle(page)
    assert not P.cell_errors(page), P.cell_errors(page)
    P.shot(page, screenshots / "nb7-quickstart-gallery.png", ".nbjs-job", 0)
    page.screenshot(path=str(screenshots / "nb7-quickstart-page.png"), full_page=True)
