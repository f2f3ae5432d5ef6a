"""Execute a notebook headless (nbclient), save it and an HTML page, print what it ended with.

    python scripts/run_notebook.py [NOTEBOOK] [--out DIR] [--timeout S]

Default: notebooks/quickstart.ipynb into demo-output/. The kernel is this interpreter (a
kernelspec written to a temporary JUPYTER_PATH, so a user's own ``python3`` spec can't pick
another Python). The HTML is nbconvert's; no widget manager is needed to read it, because
the project's views leave the final state as static HTML in the outputs.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter
from traitlets.config import Config

REPO = pathlib.Path(__file__).resolve().parents[1]
MARK = "NJS-SUMMARY "
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
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


def execute(path: pathlib.Path, timeout: float) -> tuple[nbformat.NotebookNode, list, float]:
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(SUMMARY_CELL))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (kernel_path(), os.environ.get("JUPYTER_PATH")) if p
    )
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )  # fmt: skip
    began = time.monotonic()
    failure = None
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


def static_exporter() -> HTMLExporter:
    """nbconvert's HTML exporter, preferring each output's static text/html to the widget
    view: the page then needs no widget manager (nor the CDN scripts it would load)."""
    config = Config()
    default = HTMLExporter().default_config.NbConvertBase.display_data_priority
    priority = [m for m in default if m != WIDGET_VIEW]
    config.NbConvertBase.display_data_priority = priority
    return HTMLExporter(template_name="lab", config=config)


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
    ipynb = out / source.name
    nbformat.write(nb, str(ipynb))
    html, _ = static_exporter().from_notebook_node(nb)
    page = ipynb.with_suffix(".html")
    page.write_text(html, encoding="utf-8")
    print(f"==> executed in {took:.1f}s")
    print(describe(jobs))
    print(f"==> executed notebook: {ipynb}")
    print(f"==> HTML page:         {page}   (open it in a browser; no Jupyter needed)")
    return 0 if jobs else 1


if __name__ == "__main__":
    sys.exit(main())
