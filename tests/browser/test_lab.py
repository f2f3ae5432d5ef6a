"""JupyterLab 4 in headless Chromium: what a person sees when running the notebooks.

Every test opens a fresh copy of a notebook, runs it with ``notebook:run-all-cells`` and
reads the page: the job widget, its progress bar growing, the gallery's images actually
loaded, ``W × H px`` under each, the links answering, the failure reason. Screenshots of each
step go to ``artifacts/screenshots/lab-*.png``.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from . import _page as P
from ._jupyter import JupyterServer, wait_until
from .conftest import NOTEBOOKS

pytestmark = pytest.mark.browser

SETUP = """%load_ext nb_jobstatus
import nb_jobstatus as njs
from nb_jobstatus import sandbox
sb = sandbox.start()
sb.use();"""


def follow_progress(
    page: Any, shots: Any, prefix: str, index: int = 0, timeout: float = 40.0, idle: bool = False
) -> list[tuple[float, float | None, str | None]]:
    """Sample the ``index``-th job's bar until it is full or its state is terminal.

    Takes a screenshot of the job each time the bar has moved (at most 4). With ``idle``, also
    records the kernel's status at each sample. Returns (t, width %, kernel status) samples.
    """
    samples: list[tuple[float, float | None, str | None]] = []
    began, last_shot, taken = time.monotonic(), -100.0, 0
    while time.monotonic() - began < timeout:
        widths = P.widths(page)
        width = widths[index] if len(widths) > index else None
        status = P.kernel_status(page) if idle else None
        samples.append((round(time.monotonic() - began, 2), width, status))
        if width is not None and width != last_shot and width < 100 and taken < 4:
            taken += 1
            P.shot(page, shots / f"{prefix}-running-{taken}.png", ".nbjs-job", index)
            last_shot = width
        states = P.states(page)
        state = states[index] if len(states) > index else ""
        if width == 100 or any(word in state for word in ("completed", "failed")):
            break
        time.sleep(0.3)
    return samples


def assert_grew(samples: list[tuple[float, float | None, str | None]]) -> None:
    """The bar was seen at two widths or more while running (the poller may poll rarely: it
    aims at the predicted end), and never went backwards."""
    values = [w for _, w, _ in samples if w is not None]
    running = sorted({w for w in values if w < 100})
    assert len(running) >= 2, f"the bar never moved while running: {samples}"
    assert running[-1] > 0, f"the bar never left 0%: {samples}"
    assert values == sorted(values), f"the bar went backwards: {samples}"


def assert_gallery(page: Any, lab: JupyterServer, want: int) -> list[str]:
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


def test_quickstart_live_in_lab(lab: JupyterServer, page: Any, screenshots: Any) -> None:
    name = P.place(lab, NOTEBOOKS / "quickstart.ipynb", "quickstart.ipynb")
    P.open_notebook(page, lab, name)
    P.run_all(page)
    page.wait_for_selector(".nbjs-job .nbjs-progress", timeout=60_000)
    samples = follow_progress(page, screenshots, "lab-quickstart")
    assert_grew(samples)
    page.wait_for_function(
        "() => document.querySelectorAll('.nbjs-job .nbjs-gallery').length >= 2", timeout=60_000
    )
    dims = assert_gallery(page, lab, want=6)
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


def test_updates_while_kernel_idle(lab: JupyterServer, page: Any, screenshots: Any) -> None:
    """The cells return at once; the widgets keep moving and complete with the kernel idle.

    Sivi reports progress (a bar that grows); Napkin does not (an indeterminate bar), and
    its files need the Bearer token, so its thumbnails can only come through the kernel."""
    nb = P.code_notebook(
        SETUP,
        'job = njs.watch("sivi", sb.add_job("sivi", duration=7, images=2, size=(1200, 800)))',
        'vis = njs.watch("napkin", sb.add_job("napkin", duration=5, size=(900, 600)))',
    )
    name = P.place(lab, nb, "idle.ipynb")
    P.open_notebook(page, lab, name)
    P.run_all(page)
    page.wait_for_selector(".nbjs-job .nbjs-progress")
    P.wait_idle(page, timeout=30)
    assert "completed" not in " ".join(P.states(page)), "finished before the kernel was idle"
    samples = follow_progress(page, screenshots, "lab-idle", idle=True)
    assert_grew(samples)
    assert {s for _, _, s in samples} == {"idle"}, f"kernel not idle throughout: {samples}"
    page.wait_for_function(
        "() => document.querySelectorAll('.nbjs-job .nbjs-gallery').length >= 2", timeout=30_000
    )
    assert P.states(page) == ["completed", "completed"], P.states(page)
    dims = assert_gallery(page, lab, want=3)
    assert any("1200 × 800 px" in d for d in dims), dims
    assert any("900 × 600 px" in d for d in dims), dims
    assert P.kernel_status(page) == "idle"
    P.shot(page, screenshots / "lab-idle-completed.png", ".nbjs-job", 0)
    P.shot(page, screenshots / "lab-idle-napkin.png", ".nbjs-job", 1)


def test_failures_in_lab(lab: JupyterServer, page: Any, screenshots: Any) -> None:
    nb = P.code_notebook(
        SETUP,
        "failed = %jobstatus sivi demo-fail-2s",
        'gone = njs.watch("napkin", sb.add_job("napkin", duration=1, outcome="expired"))',
    )
    name = P.place(lab, nb, "failures.ipynb")
    P.open_notebook(page, lab, name)
    P.run_all(page)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.nbjs-error'))"
        ".filter(e => e.offsetParent !== null).length >= 2",
        timeout=60_000,
    )
    errors = P.errors(page)
    assert any("Image url invalid" in e for e in errors), errors
    assert any("410" in e for e in errors), errors
    assert any("$SIVI_API_KEY" in e for e in errors), "no curl with the key variable"
    assert not any("sandbox-sivi-key" in e for e in errors), "the key is shown"
    P.shot(page, screenshots / "lab-failed.png", ".nbjs-job", 0)
    P.shot(page, screenshots / "lab-expired.png", ".nbjs-job", 1)
