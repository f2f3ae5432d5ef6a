"""What the browser tests do on a page: open a notebook, run it, read what a person sees."""

from __future__ import annotations

import pathlib
import re
import time
from typing import Any

import nbformat

from ._jupyter import KERNEL_STATUS_JS, READY_JS, JupyterServer

DIMS = re.compile(r"\d+\s*×\s*\d+\s*px")

PROGRESS_JS = """() => Array.from(document.querySelectorAll('.nbjs-job')).map(job => {
  const bar = job.querySelector('.nbjs-progress .progress-bar, .progress-bar');
  if (!bar) return null;
  // an indeterminate bar (queued, or no progress reported) is drawn full: not a width
  if (bar.closest('.nbjs-indeterminate')) return 'indeterminate';
  return bar.style.width || '';
})"""
STATES_JS = """() => Array.from(document.querySelectorAll('.nbjs-job .nbjs-state'))
  .map(e => e.innerText.trim().toLowerCase())"""
IMAGES_JS = """() => Array.from(document.querySelectorAll('.nbjs-asset img')).map(img => ({
  src: img.currentSrc.slice(0, 60), complete: img.complete, natural: img.naturalWidth,
  shown: img.getBoundingClientRect().width}))"""
LINKS_JS = """() => Array.from(document.querySelectorAll('.nbjs-links a, .nbjs-asset a'))
  .map(a => ({href: a.href, text: a.innerText.trim(), target: a.target,
              where: a.closest('.nbjs-links') ? 'request' : 'asset'}))"""
DIMS_JS = """() => Array.from(document.querySelectorAll('.nbjs-dims'))
  .map(e => e.innerText.trim())"""
ERRORS_JS = """() => Array.from(document.querySelectorAll('.nbjs-error'))
  .map(e => e.innerText.trim())"""


def code_notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    return nb


def place(server: JupyterServer, nb: Any, name: str) -> str:
    """Write a fresh copy of ``nb`` (a NotebookNode or a path) into the server's root."""
    if isinstance(nb, (str, pathlib.Path)):
        nb = nbformat.read(str(nb), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, str(server.root_dir / name))
    return name


def open_notebook(page: Any, server: JupyterServer, name: str, timeout: float = 90.0) -> float:
    """Open ``name`` and wait until its kernel is connected and idle; returns seconds taken."""
    began = time.monotonic()
    page.goto(server.notebook_url(name), wait_until="domcontentloaded")
    page.wait_for_function(READY_JS, timeout=timeout * 1000, polling=250)
    return time.monotonic() - began


def run_all(page: Any) -> None:
    """Start every cell; returns at once (the command's promise settles only when all ran)."""
    page.evaluate(
        "() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); return true; }"
    )


def kernel_status(page: Any) -> str | None:
    return page.evaluate(KERNEL_STATUS_JS)


def wait_idle(page: Any, timeout: float = 120.0) -> None:
    """Wait for every cell to have run (no ``[*]`` prompt left) and the kernel to be idle."""
    js = """() => {
      const w = window.jupyterapp.shell.currentWidget;
      const k = w.sessionContext.session.kernel;
      const busy = Array.from(document.querySelectorAll('.jp-InputPrompt'))
        .some(p => p.innerText.includes('*'));
      return k.status === 'idle' && !busy;
    }"""
    page.wait_for_function(js, timeout=timeout * 1000, polling=250)


def widths(page: Any) -> list[float | None]:
    out: list[float | None] = []
    for width in page.evaluate(PROGRESS_JS):
        out.append(float(width.rstrip("%")) if width and width.endswith("%") else None)
    return out


def states(page: Any) -> list[str]:
    return list(page.evaluate(STATES_JS))


def images(page: Any) -> list[dict[str, Any]]:
    return list(page.evaluate(IMAGES_JS))


def links(page: Any) -> list[dict[str, Any]]:
    return list(page.evaluate(LINKS_JS))


def dims(page: Any) -> list[str]:
    return list(page.evaluate(DIMS_JS))


def errors(page: Any) -> list[str]:
    return list(page.evaluate(ERRORS_JS))


def cell_errors(page: Any) -> list[str]:
    """Tracebacks shown in the notebook (a cell that raised)."""
    js = """() => Array.from(document.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], .jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]'))
      .map(e => e.innerText.slice(0, 2000))"""  # noqa: E501
    return list(page.evaluate(js))


def shot(
    page: Any, path: pathlib.Path, selector: str | None = None, index: int = 0
) -> pathlib.Path:
    """Screenshot of one element (scrolled into view) or of the whole page."""
    if selector is None:
        page.screenshot(path=str(path), full_page=False)
    else:
        target = page.locator(selector).nth(index)
        target.scroll_into_view_if_needed()
        target.screenshot(path=str(path))
    return path
