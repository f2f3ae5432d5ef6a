"""The notebooks/ run top to bottom headless (nbclient) on the sandbox, with no key.

Each run must end in the final state a person would see in the saved notebook: the galleries
with ``W × H px`` in the static text/html the views leave behind, the failure reasons, the
widget state in the notebook metadata, and no key anywhere. ``real_providers.ipynb`` needs real
keys: it is only checked for what it tells the user, never run.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from nb_jobstatus.core.providers import PROVIDERS

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

pytestmark = pytest.mark.notebooks

REPO = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
RUN = ("quickstart", "debugging", "batch", "outputs")
DIMS = re.compile(r"(\d+)\s*(?:×|&times;|&#215;)\s*(\d+)\s*px")
PLACEHOLDER_KEYS = ("sandbox-sivi-key", "sandbox-napkin-token", "sandbox-clipia-key")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
EXECUTED = REPO / "artifacts" / "notebooks"


@pytest.fixture(scope="module")
def kernel_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A ``python3`` kernelspec that runs this interpreter, first on JUPYTER_PATH."""
    base = tmp_path_factory.mktemp("kernelspec")
    spec = base / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"})
    )
    saved = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(base), saved]))
    yield
    if saved is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = saved


_executed: dict[str, Any] = {}


def execute(name: str) -> Any:
    """Run ``notebooks/NAME.ipynb`` once per session; saved under artifacts/notebooks/."""
    if name not in _executed:
        path = NOTEBOOKS / f"{name}.ipynb"
        nb = nbformat.read(str(path), as_version=4)
        client = nbclient.NotebookClient(
            nb, timeout=240, kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )  # fmt: skip
        began = time.monotonic()
        client.execute()
        nb.metadata["nbjs_test_seconds"] = round(time.monotonic() - began, 1)
        EXECUTED.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(EXECUTED / f"{name}.ipynb"))
        _executed[name] = nb
    return _executed[name]


def outputs(cell: Any) -> list[Any]:
    return list(cell.get("outputs", [])) if cell.cell_type == "code" else []


def html_of(cell: Any) -> str:
    parts = [o.get("data", {}).get("text/html", "") for o in outputs(cell)]
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


def text_of(cell: Any) -> str:
    parts = []
    for out in outputs(cell):
        parts.append(out.get("text", "") or out.get("data", {}).get("text/plain", ""))
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


def cell_with(nb: Any, snippet: str) -> Any:
    found = [c for c in nb.cells if c.cell_type == "code" and snippet in c.source]
    assert found, f"no code cell contains {snippet!r}"
    return found[0]


def sizes(html: str) -> set[tuple[int, int]]:
    return {(int(w), int(h)) for w, h in DIMS.findall(html)}


def widget_models(nb: Any) -> dict[str, Any]:
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {})
    return dict(state.get("state", {}))


def runner() -> Any:
    """scripts/run_notebook.py as a module."""
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import run_notebook
    finally:
        sys.path.remove(str(REPO / "scripts"))
    return run_notebook


def with_class(models: dict[str, Any], name: str) -> list[Any]:
    return [m for m in models.values() if name in m.get("state", {}).get("_dom_classes", [])]


# -- every notebook -------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*RUN, "real_providers"])
def test_committed_without_outputs(name: str) -> None:
    nb = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{name}: a cell has outputs committed:\n{cell.source}"
            assert cell.execution_count is None
    assert "widgets" not in nb.metadata, f"{name}: widget state committed"


@pytest.mark.parametrize("name", RUN)
def test_runs_to_the_end(name: str, kernel_path: None) -> None:
    nb = execute(name)
    errors = [o for c in nb.cells for o in outputs(c) if o.get("output_type") == "error"]
    assert not errors, f"{name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert "wait" in last.source, f"{name}: the last cell must wait for the jobs"
    saved = json.dumps(nb)
    for key in PLACEHOLDER_KEYS:
        assert key not in saved, f"{name}: the key {key!r} appears in the saved notebook"
    models = widget_models(nb)
    assert models, f"{name}: no widget state saved in the notebook metadata"
    assert with_class(models, "nbjs-job"), f"{name}: no widget with class nbjs-job in the state"


# -- what each one must end with -------------------------------------------------------------


def test_quickstart_final_gallery(kernel_path: None) -> None:
    nb = execute("quickstart")
    sivi = cell_with(nb, "%jobstatus sivi demo-ok-5s-4img")
    html = html_of(sivi)
    assert "nbjs-gallery" in html, "the Sivi job's output has no static gallery"
    assert (1080, 1080) in sizes(html), f"no '1080 × 1080 px' in the Sivi output: {sizes(html)}"
    assert html.count("nbjs-asset") >= 4, "the Sivi gallery should show its 4 images"
    thumbs = html.count("<img")
    assert thumbs >= 4, (
        f"the saved Sivi gallery has {thumbs} thumbnails of 4: its final update (after the "
        "media were cached) came after the last cell, which waited with job.wait()"
    )
    clip = html_of(cell_with(nb, 'njs.watch("clipia", clip_id)'))
    assert (768, 512) in sizes(clip), f"no '768 × 512 px' in the Clipia output: {sizes(clip)}"
    last = text_of([c for c in nb.cells if c.cell_type == "code"][-1])
    assert last.count(": completed after") == 2, last
    assert "saved 4 file(s)" in last, last


def test_debugging_shows_failures(kernel_path: None) -> None:
    nb = execute("debugging")
    failed = html_of(cell_with(nb, "%jobstatus sivi demo-fail-3s"))
    assert "nbjs-error" in failed and "Image url invalid" in failed, failed[:2000]
    policy = html_of(cell_with(nb, "policy = njs.watch"))
    assert "Content policy violation" in policy, policy[:2000]
    expired = html_of(cell_with(nb, 'njs.watch("napkin", sb.add_job("napkin"'))
    assert "nbjs-error" in expired and "410" in expired, expired[:2000]
    limited = html_of(cell_with(nb, "limited = njs.watch"))
    assert limited.count("nbjs-asset") >= 4, "the rate-limited batch should still complete"
    reading = text_of(cell_with(nb, "for j in (failed, policy, expired, *limited)"))
    assert "ExpiredError (HTTP 410)" in reading, reading
    assert reading.count(" completed ") == 4, reading
    timeline = text_of(cell_with(nb, "def timeline"))
    assert "HTTP 429" in timeline, timeline
    curl = text_of(cell_with(nb, "print(failed.curl())"))
    assert "$SIVI_API_KEY" in curl and "$NAPKIN_API_TOKEN" in curl, curl


def test_batch_fills_one_gallery_per_provider(kernel_path: None) -> None:
    nb = execute("batch")
    last = text_of([c for c in nb.cells if c.cell_type == "code"][-1])
    assert "12 jobs" in last, last
    for snippet, count in [("%jobstatus sivi", 6), ("napkin_jobs = njs.watch", 4),
                           ("clipia_jobs = %jobstatus", 5)]:  # fmt: skip
        html = html_of(cell_with(nb, snippet))
        assert "nbjs-gallery" in html, f"{snippet}: no static gallery"
        assert html.count("nbjs-dims") >= count, f"{snippet}: fewer than {count} sizes shown"


def test_outputs_plays_audio_and_video_and_follows_a_submission(kernel_path: None) -> None:
    nb = execute("outputs")
    speech = html_of(cell_with(nb, 'audio="speech"'))
    assert speech.count("<audio") >= 2, "speech and music should each show a player"
    video = html_of(cell_with(nb, "video=True"))
    assert "<video" in video and "nbjs-asset" in video, video[:2000]
    followed = html_of(cell_with(nb, "njs.watch(submitted)"))
    assert (640, 640) in sizes(followed), f"no '640 × 640 px' in the followed job: {followed[:500]}"
    last = text_of([c for c in nb.cells if c.cell_type == "code"][-1])
    assert last.count(": completed") == 4, last
    assert last.count("audio ") >= 3 and "video " in last and last.count("image ") == 2, last


def test_wait_is_described_as_it_behaves() -> None:
    """The notebooks say what wait() does: a failed request is a returned Status; only an
    error that ended polling (or PollTimeout) raises."""
    for name in ("debugging", "quickstart", "real_providers"):
        nb = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "raises the job's error" not in text and "a failed job raises" not in text
        assert "a failed one too" in text or "a **failed**" in text, name


def test_real_providers_says_what_to_set() -> None:
    nb = nbformat.read(str(NOTEBOOKS / "real_providers.ipynb"), as_version=4)
    intro = nb.cells[0].source
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for spec in PROVIDERS.values():
        for variable in spec.key_env:  # every variable the package reads a key from
            assert variable in intro, f"{variable} is not named in the introduction"
            assert variable not in code, f"{variable} hard-coded: read PROVIDERS' key_env"
    assert "key_variable()" in code and "key_env" in code
    assert "sandbox" not in code, "real_providers must talk to the real APIs"


def test_demo_runner(tmp_path: pathlib.Path, kernel_path: None) -> None:
    """What ``bash scripts/demo`` runs once its venv is there: quickstart executed, saved as a
    notebook and an HTML page whose static gallery needs no widget manager, and a summary."""
    import subprocess

    from bs4 import BeautifulSoup

    run = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "run_notebook.py"), "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=REPO,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "without encryption" not in run.stdout + run.stderr  # an IPC kernel: no TCP
    assert not run.stderr.strip(), run.stderr  # a newcomer sees only the summary
    assert run.stdout.count(" completed ") == 2, run.stdout
    assert run.stdout.count("1080 × 1080 px  JPEG") == 4, run.stdout
    assert "768 × 512 px" in run.stdout and "bytes" in run.stdout, run.stdout
    saved = nbformat.read(str(tmp_path / "quickstart.ipynb"), as_version=4)
    assert runner().keep_needed_widgets(saved) == 0, "widget state saved that no output shows"
    page = (tmp_path / "quickstart.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    remote = [s.get("src") for s in soup.find_all("script") if s.get("src")]
    assert not remote and "cdnjs" not in page and "unpkg.com" not in page, remote
    assert not soup.find_all("script", type=WIDGET_STATE), "the HTML embeds widget state"
    for script in soup.find_all("script"):
        script.decompose()
    text = " ".join(g.get_text(" ") for g in soup.select(".nbjs-gallery"))
    assert len(DIMS.findall(text)) >= 6, text[:2000]
    assert len(soup.select(".nbjs-gallery .nbjs-asset img")) >= 6


def test_demo_keeps_only_widget_state_an_output_shows() -> None:
    """The runner's pruning: models a saved output shows, and the models those refer to."""
    run_notebook = runner()

    def model(*refs: str) -> dict[str, Any]:
        return {"model_name": "X", "state": {"children": [f"IPY_MODEL_{r}" for r in refs]}}

    state = {"a1": model("b2"), "b2": model("c3"), "c3": model(), "d4": model("c3"), "e5": model()}
    shown = nbformat.v4.new_output(
        "display_data", data={run_notebook.WIDGET_VIEW: {"model_id": "a1"}}
    )
    cell = nbformat.v4.new_code_cell("x", outputs=[shown])
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["widgets"] = {WIDGET_STATE: {"state": state, "version_major": 2}}
    assert run_notebook.keep_needed_widgets(nb) == 2
    assert sorted(widget_models(nb)) == ["a1", "b2", "c3"]
    cell.outputs = []
    assert run_notebook.keep_needed_widgets(nb) == 3 and "widgets" not in nb.metadata
