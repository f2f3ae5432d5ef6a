"""Execute a notebook headless (nbclient), save it and an HTML page, print what it ended with.

    python scripts/run_notebook.py [NOTEBOOK] [--out DIR] [--timeout S]

Default: notebooks/quickstart.ipynb into demo-output/. The kernel is this interpreter (a
kernelspec written to a temporary JUPYTER_PATH, so a user's own ``python3`` spec can't pick
another Python), reached over IPC sockets rather than TCP (no network port, and no warning
about one). The saved notebook keeps only the widget state that a saved output refers to: the
project's views leave their final state as static HTML, so usually none. The HTML is
nbconvert's lab page without its CDN scripts (require.js, MathJax, mermaid, the widget
manager): it reads offline.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import pathlib
import re
import sys
import tempfile
import time

import nbformat
from jinja2 import DictLoader
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter
from traitlets.config import Config

REPO = pathlib.Path(__file__).resolve().parents[1]
MARK = "NJS-SUMMARY "
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
MODEL_REF = re.compile(r"IPY_MODEL_([0-9a-f]+)")
OFFLINE_TEMPLATE = "nbjs_offline.html.j2"
OFFLINE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""  # the lab page without the scripts it loads from a CDN (the outputs need none)
SUMMARY_CELL = f"""
import json as _json
import time as _time
import nb_jobstatus as _njs

def _njs_asset(job, asset):
    media = job.media.get(asset.url)
    return {{"width": getattr(media, "width", None) or asset.width,
            "height": getattr(media, "height", None) or asset.height,
            "kind": asset.kind, "format": getattr(media, "format", None) or asset.media_type,
            "bytes": getattr(media, "size_bytes", None), "url": asset.url}}

def _njs_summary():
    out = []
    for job in _njs.jobs():
        status = job.status
        assets = status.assets if status else ()
        end = _time.monotonic() + 15  # the measured sizes: wait() already waits for them
        while job.state.value == "completed" and len(job.media) < len(assets):
            if _time.monotonic() > end:
                break
            _time.sleep(0.1)
        out.append({{"provider": job.provider, "request_id": job.request_id,
                    "state": job.state.value, "elapsed": round(job.elapsed, 1),
                    "reason": (status and status.reason) or (job.error and str(job.error)),
                    "assets": [_njs_asset(job, a) for a in assets]}})
    return out

print({MARK!r} + _json.dumps(_njs_summary()))
"""


def kernel_path() -> str:
    """A temporary data dir whose ``python3`` kernelspec runs this interpreter."""
    base = pathlib.Path(tempfile.mkdtemp(prefix="njs-kernel-"))
    spec = base / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    body = {"argv": argv, "display_name": "Python 3 (ipykernel)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(body))
    return str(base)


def kernel_config(folder: str) -> Config:
    """The kernel is reached over IPC sockets in a private folder (ZeroMQ has none on
    Windows: TCP there), so it opens no network port and has no plain-text TCP to warn of."""
    config = Config()
    if os.name != "nt":
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(pathlib.Path(folder, "kernel").resolve())  # absolute
    return config


def execute(path: pathlib.Path, timeout: float) -> tuple[nbformat.NotebookNode, list, float]:
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(SUMMARY_CELL))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (kernel_path(), os.environ.get("JUPYTER_PATH")) if p
    )
    began = time.monotonic()
    failure = None
    with tempfile.TemporaryDirectory(prefix="njs-ipc-") as sockets:
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", config=kernel_config(sockets),
            resources={"metadata": {"path": str(path.parent)}},
        )  # fmt: skip
        try:
            client.execute()
        except CellExecutionError as error:
            failure = error
    took = time.monotonic() - began
    summary_cell = nb.cells.pop()
    if failure is not None:
        raise SystemExit(f"the notebook failed:\n{failure}")
    return nb, _summary(summary_cell), took


def _summary(cell: nbformat.NotebookNode) -> list:
    for output in cell.get("outputs", []):
        for line in str(output.get("text", "")).splitlines():
            if line.startswith(MARK):
                return list(json.loads(line[len(MARK) :]))
    return []


def describe(jobs: list) -> str:
    lines = [f"{len(jobs)} job(s):"]
    for job in jobs:
        head = f"  {job['provider']:<7} {job['request_id']:<40} {job['state']:<10}"
        lines.append(f"{head} {job['elapsed']:>5}s  {len(job['assets'])} asset(s)")
        if job["state"] != "completed" and job.get("reason"):
            lines.append(f"      reason: {job['reason']}")
        for asset in job["assets"]:
            size = f"{asset['width']} × {asset['height']} px" if asset["width"] else "size n/a"
            kind = asset.get("format") or asset["kind"]
            nbytes = f", {asset['bytes']:,} bytes" if asset.get("bytes") else ""
            lines.append(f"      {size}  {kind}{nbytes}")
    return "\n".join(lines)


def keep_needed_widgets(nb: nbformat.NotebookNode) -> int:
    """Drop the saved widget models that no saved output shows (nor any shown model refers
    to); returns how many were dropped. No model left: no widget metadata at all."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    todo = [
        output["data"][WIDGET_VIEW]["model_id"]
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]
    needed: set[str] = set()
    while todo:
        model = todo.pop()
        if model in state and model not in needed:
            needed.add(model)
            todo.extend(MODEL_REF.findall(json.dumps(state[model])))
    dropped = len(state) - len(needed)
    if needed:
        nb.metadata.widgets[WIDGET_STATE]["state"] = {k: state[k] for k in needed}
    else:
        nb.metadata.pop("widgets", None)
    return dropped


def static_exporter() -> HTMLExporter:
    """nbconvert's lab HTML exporter, preferring each output's static text/html to the widget
    view, without the scripts the lab page loads from a CDN: it reads offline."""
    config = Config()
    default = HTMLExporter().default_config.NbConvertBase.display_data_priority
    priority = [m for m in default if m != WIDGET_VIEW]
    config.NbConvertBase.display_data_priority = priority
    return HTMLExporter(
        template_name="lab",
        template_file=OFFLINE_TEMPLATE,
        extra_loaders=[DictLoader({OFFLINE_TEMPLATE: OFFLINE})],
        config=config,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", default=str(REPO / "notebooks/quickstart.ipynb"))
    parser.add_argument("--out", default=str(REPO / "demo-output"))
    parser.add_argument("--timeout", type=float, default=300.0, help="per cell, in seconds")
    args = parser.parse_args(argv)
    source = pathlib.Path(args.notebook).resolve()
    out = pathlib.Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    print(f"==> running {source.relative_to(REPO) if REPO in source.parents else source}")
    nb, jobs, took = execute(source, args.timeout)
    keep_needed_widgets(nb)
    ipynb = out / source.name
    nbformat.write(nb, str(ipynb))
    page_nb = copy.deepcopy(nb)  # the page shows each output's HTML, never a widget view:
    page_nb.metadata.pop("widgets", None)  # it needs no widget state
    html, _ = static_exporter().from_notebook_node(page_nb)
    page = ipynb.with_suffix(".html")
    page.write_text(html, encoding="utf-8")
    print(f"==> executed in {took:.1f}s")
    print(describe(jobs))
    print(f"==> executed notebook: {ipynb}")
    print(f"==> HTML page:         {page}   (open it in a browser; no Jupyter needed)")
    return 0 if jobs else 1


if __name__ == "__main__":
    sys.exit(main())
