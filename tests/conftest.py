"""Shared fixtures: one sandbox server per test session, the sandbox in memory on a jumping
clock, a canary key, fast backoff."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _memory import Memory

from nb_jobstatus import sandbox as sandbox_module
from nb_jobstatus.core import budget

CANARY = "canary-KEY-d3adb33f0123456789"
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session", autouse=True)
def media_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Completed jobs cache their files: keep them in a temporary folder, not ~/.cache."""
    patch = pytest.MonkeyPatch()
    patch.setenv("NB_JOBSTATUS_CACHE", str(tmp_path_factory.mktemp("media-cache")))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def sb() -> Iterator[sandbox_module.Sandbox]:
    server = sandbox_module.start()
    yield server
    server.stop()


@pytest.fixture
def http() -> Iterator[Any]:
    """A plain ``requests`` Session (the sandbox's tests speak HTTP without nb_jobstatus)."""
    import requests

    with requests.Session() as session:
        yield session


@pytest.fixture
def memory() -> Iterator[Memory]:
    """The sandbox in memory and an engine of its own on a clock that jumps to the next timer:
    jobs end in milliseconds, no socket (see tests/_memory.py)."""
    held = Memory()
    yield held
    held.close()


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries back off in milliseconds instead of seconds (Retry-After is still honoured)."""
    monkeypatch.setattr(budget, "BACKOFF_BASE", 0.01)
    monkeypatch.setattr(budget, "BACKOFF_CAP", 0.05)


@pytest.fixture
def canary() -> str:
    """A key that must never appear in any output."""
    return CANARY


_MARKED_DIRS = {"browser": "browser", "test_notebooks.py": "notebooks"}


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Every test under tests/browser/ is marked ``browser`` and every one in
    test_notebooks.py ``notebooks``: when ``-m`` deselects that mark, they are not even
    imported (Playwright and nbformat cost each xdist worker seconds of CPU)."""
    mark = _MARKED_DIRS.get(collection_path.name)
    markexpr = config.getoption("markexpr", "")
    if mark is None or collection_path.parent != HERE or not markexpr:
        return None
    try:  # pytest's own parser of -m (not public: if it moves, collect as usual, only slower)
        from _pytest.mark.expression import Expression

        selected = Expression.compile(markexpr).evaluate(lambda name, **_: name == mark)
    except Exception:
        return None
    return None if selected else True
