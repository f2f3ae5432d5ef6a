"""The code stays as the README promises: ruff-clean, formatted, typed (mypy over the
package). The tools are pinned in the ``test`` extra, so a new release cannot fail CI alone."""

from __future__ import annotations

import ast
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


def test_small_and_clear() -> None:
    """Every module of the package fits in 300 lines and every function in 40: each can be
    read whole."""
    long = []
    for path in sorted((ROOT / "nb_jobstatus").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT)
        if source.count("\n") > 300:
            long.append(f"{name}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > 40:
                    long.append(f"{name}: {node.name}() {lines} lines")
    assert not long, long
