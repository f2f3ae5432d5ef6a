"""Fixtures for the browser tests: Chromium through Playwright, JupyterLab 4 and Notebook 7.

Locally, the tests skip when Debian's Chromium (or Playwright) is missing; with ``CI`` set
they fail instead, so a CI machine without a browser can never pass them silently.
Screenshots go to ``artifacts/screenshots/`` at the repository root.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from ._export import Export
from ._jupyter import CHROMIUM, CHROMIUM_ARGS, JupyterServer, ci, local_only
from ._stage import Stage, new_context, open_stage

REPO = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
SCREENSHOTS = REPO / "artifacts" / "screenshots"


def _browser_missing() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium fonts-dejavu-core)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def screenshots() -> pathlib.Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session", autouse=True)
def export(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Export:
    """The quickstart through nbconvert, started first thing (in the background) when a test
    of this session needs it."""
    work = tmp_path_factory.mktemp("nbconvert")
    job = Export(NOTEBOOKS / "quickstart.ipynb", work)
    if any("exported" in item.fixturenames for item in request.session.items):
        job.start()
    return job


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if ci():
            pytest.fail(f"CI is set and the browser tests cannot run: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    context.route("**/*", local_only)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def jupyter(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """One ``jupyter lab`` for the session, serving JupyterLab 4 and Notebook 7 alike
    (started only once a browser is known to be there)."""
    root = tmp_path_factory.mktemp("jupyter-root")
    server = JupyterServer("lab", root, tmp_path_factory.mktemp("jupyter-home")).start()
    try:
        yield server
    finally:
        server.stop()
        log = SCREENSHOTS.parent / "jupyter.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(server.log_path, log)


@pytest.fixture(scope="session")
def lab(jupyter: JupyterServer) -> JupyterServer:
    """The session's server, for JupyterLab 4 pages."""
    return jupyter


@pytest.fixture(scope="session")
def notebook7(jupyter: JupyterServer) -> JupyterServer:
    """The session's server, for Notebook 7 pages (``notebook_url(name, "notebook")``)."""
    return jupyter


@pytest.fixture(scope="session")
def stage(chromium: Any, jupyter: JupyterServer, screenshots: pathlib.Path) -> Iterator[Stage]:
    """The live pages (quickstart in JupyterLab 4 and Notebook 7, the features notebook in
    JupyterLab 4), loaded and run once, sampled while they run; see ``_stage``."""
    context = new_context(chromium)
    try:
        opened = open_stage(context, jupyter, screenshots, NOTEBOOKS / "quickstart.ipynb")
        record = {"server up": round(jupyter.started_in, 1), **opened.seconds}
        (SCREENSHOTS.parent / "browser-stage.json").write_text(
            json.dumps({"seconds": record, "slow samples": opened.slow}, indent=1)
        )
        yield opened
    finally:
        context.close()
