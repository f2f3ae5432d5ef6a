"""Fixtures for the browser tests: Chromium through Playwright, JupyterLab 4 and Notebook 7.

Locally, the tests skip when Debian's Chromium (or Playwright) is missing; with ``CI`` set
they fail instead, so a CI machine without a browser can never pass them silently.
Screenshots go to ``artifacts/screenshots/`` at the repository root.
"""

from __future__ import annotations

import os
import pathlib
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from ._jupyter import CHROMIUM, CHROMIUM_ARGS, JupyterServer, ci, local_only

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


def _server(kind: str, factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    root = factory.mktemp(f"{kind}-root")
    server = JupyterServer(kind, root, factory.mktemp(f"{kind}-home")).start()
    try:
        yield server
    finally:
        server.stop()
        log = SCREENSHOTS.parent / f"jupyter-{kind}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(server.log_path, log)


@pytest.fixture(scope="session")
def lab(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """JupyterLab 4 (started only once a browser is known to be there)."""
    yield from _server("lab", tmp_path_factory)


@pytest.fixture(scope="session")
def notebook7(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """Jupyter Notebook 7."""
    yield from _server("notebook", tmp_path_factory)
