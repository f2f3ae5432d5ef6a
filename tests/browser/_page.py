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


def open_notebook(
    page: Any, server: JupyterServer, name: str, timeout: float = 90.0, ui: str | None = None
) -> float:
    """Open ``name`` and wait until its kernel is connected and idle; returns seconds taken."""
    began = time.monotonic()
    goto(page, server, name, ui)
    wait_ready(page, timeout)
    return time.monotonic() - began


def goto(page: Any, server: JupyterServer, name: str, ui: str | None = None) -> None:
    """Start loading ``name`` (in JupyterLab or Notebook 7); returns once the DOM is there."""
    page.goto(server.notebook_url(name, ui), wait_until="domcontentloaded")


def wait_ready(page: Any, timeout: float = 90.0) -> None:
    """Wait until the notebook's kernel is connected and idle."""
    page.wait_for_function(READY_JS, timeout=timeout * 1000, polling=250)


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


def cell(page: Any, index: int) -> Any:
    """The ``index``-th cell of the notebook (a Playwright locator)."""
    return page.locator(".jp-Notebook .jp-Cell").nth(index)


def save(page: Any) -> None:
    """Save the notebook, as Ctrl+S does; returns once the server has it."""
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")


def trusted(page: Any) -> list[bool]:
    """Whether each code cell with outputs is trusted (a reopened notebook's are not)."""
    js = """() => {
      const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
      const out = [];
      for (let i = 0; i < cells.length; i++) {
        const c = cells.get(i);
        if (c.type === 'code' && c.outputs.length) out.push(!!c.trusted);
      }
      return out;
    }"""
    return list(page.evaluate(js))


def computed(page: Any, selector: str, props: tuple[str, ...]) -> list[dict[str, str]]:
    """The computed ``props`` of every element matching ``selector``, in document order."""
    js = """([sel, props]) => Array.from(document.querySelectorAll(sel)).map(e => {
      const s = getComputedStyle(e);
      return Object.fromEntries(props.map(p => [p, s.getPropertyValue(p)]));
    })"""
    return list(page.evaluate(js, [selector, list(props)]))


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


def quick_shot(page: Any, path: pathlib.Path, selector: str, index: int = 0) -> None:
    """A screenshot of an element as it is now, where it is now: no scrolling and no wait
    for it to be stable (for sampling a running page without holding the sampler up)."""
    box = page.locator(selector).nth(index).bounding_box()
    view = page.viewport_size or {"width": 0, "height": 0}
    if not box:
        return
    left, top = max(0.0, box["x"]), max(0.0, box["y"])
    right = min(float(view["width"]), box["x"] + box["width"])
    bottom = min(float(view["height"]), box["y"] + box["height"])
    if right - left < 1 or bottom - top < 1:
        return  # scrolled out of view at this moment: no shot rather than a failed clip
    clip = {"x": left, "y": top, "width": right - left, "height": bottom - top}
    page.screenshot(path=str(path), clip=clip, animations="allow", caret="initial")


def kernel_execute(page: Any, code: str) -> str:
    """Run ``code`` in the notebook's kernel outside any cell (as a console would); returns
    the reply's status ("ok" or "error")."""
    js = """async (code) => {
      const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
      const reply = await k.requestExecute({code, store_history: false}).done;
      return reply.content.status;
    }"""
    return str(page.evaluate(js, code))
