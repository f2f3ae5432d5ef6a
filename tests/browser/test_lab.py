"""JupyterLab 4 in headless Chromium: what a person sees when running the notebooks.

The pages are loaded and run once per session (``_stage``): the shipped quickstart and the
features notebook (``_notebooks``). The tests read what a person sees: the job widget, its
progress bar growing, the gallery's images actually loaded, ``W × H px`` under each, the
links answering, the failure reason. Screenshots go to ``artifacts/screenshots/lab-*.png``.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import _page as P
from ._jupyter import wait_until
from ._notebooks import cell_index
from ._stage import Stage

pytestmark = pytest.mark.browser


def assert_grew(samples: list[tuple[float, float | None, str | None]]) -> None:
    """The bar was seen at two widths or more while running (the poller may poll rarely: it
    aims at the predicted end), and never went backwards."""
    values = [w for _, w, _ in samples if w is not None]
    running = sorted({w for w in values if w < 100})
    assert len(running) >= 2, f"the bar never moved while running: {samples}"
    assert running[-1] > 0, f"the bar never left 0%: {samples}"
    assert values == sorted(values), f"the bar went backwards: {samples}"


def assert_gallery(page: Any, want: int) -> list[str]:
    """``want`` images loaded with a natural width, and ``W × H px`` under each."""
    loaded = wait_until(
        lambda: (lambda imgs: len(imgs) >= want and all(i["natural"] > 0 for i in imgs))(
            P.images(page)
        ),
        timeout=30,
    )
    assert loaded, f"gallery images not all loaded: {P.images(page)}"
    assert all(i["shown"] > 20 for i in P.images(page)), P.images(page)
    dims = P.dims(page)
    assert len([d for d in dims if P.DIMS.search(d)]) >= want, dims
    return dims


def assert_links_answer(page: Any) -> list[dict[str, Any]]:
    """The request's view/share links and every asset's edit link answer 200 (the sandbox
    serves those pages); they open in a new tab."""
    links = [a for a in P.links(page) if a["where"] == "request" or a["text"] == "edit"]
    assert any(a["where"] == "request" for a in links), f"no link under .nbjs-links: {links}"
    assert any(a["text"] == "edit" for a in links), f"no edit link on any asset: {links}"
    for link in links:
        assert link["target"] == "_blank", link
        assert link["href"].startswith("http://127.0.0.1:"), link
        answer = page.request.get(link["href"])
        assert answer.status == 200, f"{link} answered {answer.status}"
    return links


def test_quickstart_live_in_lab(stage: Stage, screenshots: Any) -> None:
    page = stage.pages["lab"]
    assert_grew(stage.followers["lab-quickstart"].samples)
    page.wait_for_function(
        "() => document.querySelectorAll('.nbjs-job .nbjs-gallery').length >= 2", timeout=60_000
    )
    dims = assert_gallery(page, want=6)
    assert any("1080 × 1080 px" in d for d in dims), dims
    assert any("768 × 512 px" in d for d in dims), dims
    links = assert_links_answer(page)
    assert {"view", "share", "edit"} <= {a["text"] for a in links}, links
    P.wait_idle(page)
    assert not P.cell_errors(page), P.cell_errors(page)
    P.shot(page, screenshots / "lab-quickstart-gallery.png", ".nbjs-job", 0)
    P.shot(page, screenshots / "lab-quickstart-clipia.png", ".nbjs-job", 1)
    page.locator(".nbjs-job").first.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "lab-quickstart-page.png"))


def test_updates_while_kernel_idle(stage: Stage, screenshots: Any) -> None:
    """The cells return at once; the widgets keep moving and complete with the kernel idle.

    Sivi reports progress (a bar that grows); Napkin does not (an indeterminate bar), and
    its files need the Bearer token, so its thumbnails can only come through the kernel."""
    page, follower = stage.pages["features"], stage.followers["lab-idle"]
    assert follower.first_states is not None, "the features notebook never went idle"
    assert follower.first_states[0] != "completed", "finished before the kernel was idle"
    assert_grew(follower.samples)
    assert {s for _, _, s in follower.samples} == {"idle"}, (
        f"kernel not idle throughout: {follower.samples}"
    )
    sivi, napkin = (P.cell(page, cell_index(key)) for key in ("sivi", "napkin"))
    for cell in (sivi, napkin):
        cell.locator(".nbjs-gallery").wait_for(timeout=30_000)
        assert cell.locator(".nbjs-state").first.inner_text().lower() == "completed"
    assert "1200 × 800 px" in sivi.inner_text() and "900 × 600 px" in napkin.inner_text()
    for cell in (sivi, napkin):
        cell.locator(".nbjs-asset img").first.wait_for()
        loaded = cell.locator(".nbjs-asset img").evaluate_all(
            "imgs => imgs.every(i => i.complete && i.naturalWidth > 0)"
        )
        assert loaded, f"thumbnails not loaded in {cell.inner_text()[:200]}"
    P.shot(page, screenshots / "lab-idle-completed.png", ".nbjs-job", 0)
    sivi.scroll_into_view_if_needed()
    napkin.locator(".nbjs-job").screenshot(path=str(screenshots / "lab-idle-napkin.png"))


def test_failures_in_lab(stage: Stage, screenshots: Any) -> None:
    """A real failure: the red debugger with the provider's reason and a curl that reads
    the key from its variable (the key itself never shown)."""
    page = stage.pages["features"]
    failed = P.cell(page, cell_index("failed"))
    error = failed.locator(".nbjs-error")
    error.wait_for(timeout=30_000)
    text = error.inner_text()
    assert "Image url invalid" in text, text
    assert "$SIVI_API_KEY" in text, "no curl with the key variable"
    assert "sandbox-sivi-key" not in page.content(), "the key is shown"
    assert failed.locator(".nbjs-state").first.inner_text().lower() == "failed"
    failed.locator(".nbjs-job").screenshot(path=str(screenshots / "lab-failed.png"))
