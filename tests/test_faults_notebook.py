"""A notebook that ran the fault matrix's failures with the canary key, saved: the key is in
the file nowhere (the notebook is built by tests/fault_notebook.py, run in a real kernel)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest


@pytest.fixture
def kernel_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``python3`` kernelspec that runs this interpreter, first on JUPYTER_PATH."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"})
    )
    paths = [str(tmp_path / "jupyter"), os.environ.get("JUPYTER_PATH", "")]
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join(filter(None, paths)))


def test_saved_notebook_has_no_key(
    kernel_path: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, canary: str
) -> None:
    """A notebook that starts the sandbox, runs failing jobs with the canary key (read from the
    environment, so that the source never holds it), displays them, waits, prints errors,
    logs at DEBUG and lets one traceback through; saved, the file holds the key nowhere."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    import fault_notebook

    monkeypatch.setenv(fault_notebook.KEY_VARIABLE, canary)
    monkeypatch.setenv("NB_JOBSTATUS_CACHE", str(tmp_path / "cache"))
    nb = fault_notebook.build()
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    saved = tmp_path / "faults.ipynb"
    nbformat.write(nb, str(saved))
    text = saved.read_text(encoding="utf-8")
    for expected in fault_notebook.EXPECTED:  # the failures really ran and were shown
        assert expected in text, expected
    assert "application/vnd.jupyter.widget-state+json" in text
    assert canary not in text, [line[:160] for line in text.splitlines() if canary in line]
