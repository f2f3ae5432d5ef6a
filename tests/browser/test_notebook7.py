"""Jupyter Notebook 7 in headless Chromium: the quickstart renders live and ends in a gallery."""

from __future__ import annotations

from typing import Any

import pytest

from . import _page as P
from ._jupyter import JupyterServer
from .conftest import NOTEBOOKS
from .test_lab import assert_gallery, assert_grew, assert_links_answer, follow_progress

pytestmark = pytest.mark.browser


def test_quickstart_in_notebook7(notebook7: JupyterServer, page: Any, screenshots: Any) -> None:
    name = P.place(notebook7, NOTEBOOKS / "quickstart.ipynb", "quickstart.ipynb")
    P.open_notebook(page, notebook7, name)
    P.run_all(page)
    page.wait_for_selector(".nbjs-job .nbjs-progress", timeout=60_000)
    assert_grew(follow_progress(page, screenshots, "nb7-quickstart"))
    page.wait_for_function(
        "() => document.querySelectorAll('.nbjs-job .nbjs-gallery').length >= 2", timeout=60_000
    )
    dims = assert_gallery(page, notebook7, want=6)
    assert any("1080 × 1080 px" in d for d in dims), dims
    assert_links_answer(page)
    P.wait_idle(page)
    assert not P.cell_errors(page), P.cell_errors(page)
    P.shot(page, screenshots / "nb7-quickstart-gallery.png", ".nbjs-job", 0)
    page.screenshot(path=str(screenshots / "nb7-quickstart-page.png"), full_page=True)
