"""The code stays as the README promises: ruff-clean, formatted, and typed (mypy over the
package). The tools are pinned in the ``test`` extra, so a new release cannot fail CI alone."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy", "--cache-dir", "{tmp}/mypy"],
    ],
    ids=["ruff check", "ruff format", "mypy"],
)
def test_clean(command: list[str], tmp_path: pathlib.Path) -> None:
    args = [sys.executable, "-m", *(word.format(tmp=tmp_path) for word in command)]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
