"""``jupyter nbconvert --to html`` of an executed notebook shows the final state on its own.

No widget manager can load here (its scripts come from a CDN), so the page a person opens
must show the finished gallery through the project's static text/html fallback: checked by
parsing the HTML (scripts removed) and by a screenshot of the page in Chromium with
JavaScript disabled.
"""

from __future__ import annotations

import pathlib
import re
from typing import Any

import pytest

from ._export import Export
from ._jupyter import local_only

pytestmark = pytest.mark.browser

DIMS = re.compile(r"\d+\s*×\s*\d+\s*px")


@pytest.fixture(scope="module")
def exported(export: Export) -> pathlib.Path:
    """quickstart.ipynb executed headless, then ``jupyter nbconvert --to html`` (started in
    the background at the beginning of the session: see conftest's ``export``)."""
    page = export.result()
    assert "application/vnd.jupyter.widget-state+json" in export.executed.read_text()
    assert page.exists()
    out = pathlib.Path(__file__).resolve().parents[2] / "artifacts" / "quickstart.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(page.read_bytes())
    return page


def visible_soup(page: pathlib.Path) -> Any:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for script in soup.find_all(["script", "style"]):
        script.decompose()
    return soup


def test_nbconvert_html_shows_final_gallery(exported: pathlib.Path) -> None:
    soup = visible_soup(exported)
    galleries = soup.select(".nbjs-gallery")
    assert galleries, (
        "no .nbjs-gallery outside <script>: the static fallback is not in the page (nbconvert "
        "renders an output's widget view instead of its text/html whenever the saved widget "
        "state holds that model, and that view needs a widget manager from a CDN)"
    )
    text = " ".join(g.get_text(" ") for g in galleries)
    dims = DIMS.findall(text)
    assert len(dims) >= 6, f"expected 6 'W × H px' in the galleries, found {dims}"
    assert "1080 × 1080 px" in text and "768 × 512 px" in text, dims
    images = [img for g in galleries for img in g.select(".nbjs-asset img")]
    assert len(images) >= 6 and all(img.get("src") for img in images)
    assert "completed" in " ".join(s.get_text() for s in soup.select(".nbjs-state"))
    for key in ("sandbox-sivi-key", "sandbox-clipia-key"):
        assert key not in exported.read_text(encoding="utf-8")


def test_nbconvert_html_offline_in_chromium(
    exported: pathlib.Path, chromium: Any, screenshots: pathlib.Path
) -> None:
    """The exported page opened offline: the CDN widget manager cannot load (every request
    that is not local is aborted), so what shows is the static fallback alone."""
    context = chromium.new_context(viewport={"width": 1100, "height": 900})
    context.route("**/*", local_only)
    page = context.new_page()
    try:
        page.goto(exported.as_uri(), wait_until="load")
        page.locator(".nbjs-gallery").first.wait_for(state="visible", timeout=3_000)  # static
        images = page.eval_on_selector_all(
            ".nbjs-gallery .nbjs-asset img",
            "imgs => imgs.map(i => [i.naturalWidth, i.getBoundingClientRect().width])",
        )
        assert len(images) >= 6 and all(n > 0 and w > 20 for n, w in images), images
        job = page.locator(".nbjs-job").first
        job.screenshot(path=str(screenshots / "html-quickstart-gallery.png"))
        page.screenshot(path=str(screenshots / "html-quickstart-page.png"), full_page=True)
    finally:
        context.close()
