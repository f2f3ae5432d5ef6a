"""``jupyter nbconvert`` of the shipped quickstart (executed, then to HTML), started in the
background when the session begins, so that its 10-15 s overlap the browser's work."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import threading

from ._jupyter import isolated_env


class Export:
    """quickstart.ipynb executed headless by nbconvert, then ``--to html``, in a thread."""

    def __init__(self, notebook: pathlib.Path, work: pathlib.Path) -> None:
        self.notebook, self.work = notebook, work
        self.executed = work / notebook.name
        self.page = work / f"{notebook.stem}.html"
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="nbconvert", daemon=True)

    def start(self) -> Export:
        """Start the thread (once; later calls do nothing)."""
        if self._thread.ident is None:
            self._thread.start()
        return self

    def _run(self) -> None:
        env = isolated_env(self.work / "home")
        try:
            subprocess.run(
                [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                 "--ExecutePreprocessor.timeout=240", "--ExecutePreprocessor.kernel_name=python3",
                 f"--output-dir={self.work}", str(self.notebook)],
                env=env, check=True, capture_output=True, timeout=600, cwd=self.notebook.parent,
            )  # fmt: skip
            subprocess.run(
                [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(self.executed)],
                env=env, check=True, capture_output=True, timeout=300,
            )  # fmt: skip
        except BaseException as exc:  # reported by result()
            self.error = exc

    def result(self, timeout: float = 900.0) -> pathlib.Path:
        """The HTML page, once both steps ran (raises what went wrong); starts them if they
        were not started."""
        self.start()._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"nbconvert still running after {timeout}s")
        if isinstance(self.error, subprocess.CalledProcessError):
            tail = (self.error.stderr or b"")[-3000:].decode(errors="replace")
            raise RuntimeError(f"nbconvert failed: {self.error}\n{tail}")
        if self.error is not None:
            raise self.error
        return self.page
