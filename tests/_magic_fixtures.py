"""Fixtures the ``%jobstatus`` tests share, loaded with ``pytest_plugins = ["_magic_fixtures"]``:
a real in-process IPython shell, the sandbox's keys and base URLs, a fresh media cache."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from _magic_helpers import BASE_VARIABLES, KEY_VARIABLES
from IPython.core.displaypub import CapturingDisplayPublisher
from IPython.core.interactiveshell import InteractiveShell

from nb_jobstatus import jobs
from nb_jobstatus.sandbox import Sandbox


@pytest.fixture(scope="module")
def shell() -> Iterator[InteractiveShell]:
    """The process's plain (notebook-like, not terminal) shell, as tests/test_views.py uses:
    one shell class per process, as IPython's shell is a singleton. Displays made outside a
    test's capture (a view's final update, from an engine thread) are kept, not printed."""
    ip = InteractiveShell.instance()
    saved, ip.display_pub = ip.display_pub, CapturingDisplayPublisher()
    ip.run_line_magic("load_ext", "nb_jobstatus")
    yield ip
    ip.display_pub = saved


@pytest.fixture(autouse=True)
def settle() -> Iterator[None]:
    """Let this test's jobs end inside it: no polling spills into the next test."""
    before = set(map(id, jobs()))
    yield
    for job in jobs():
        if id(job) not in before:
            with contextlib.suppress(Exception):
                job.wait(10)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, sb: Sandbox) -> pytest.MonkeyPatch:
    """Keys and base URLs of the sandbox for all three providers."""
    for name in KEY_VARIABLES + BASE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in sb.environment().items():
        monkeypatch.setenv(name, value)
    return monkeypatch


@pytest.fixture
def only(env: pytest.MonkeyPatch) -> Any:
    """``only("clipia")`` leaves just that provider's key set."""

    def keep(provider: str) -> None:
        for name in KEY_VARIABLES:
            if not name.lower().startswith(provider):
                env.delenv(name, raising=False)

    return keep


@pytest.fixture
def fresh_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    folder = tmp_path / "cache"
    monkeypatch.setenv("NB_JOBSTATUS_CACHE", str(folder))
    return folder
