"""``%jobstatus`` following jobs in a real in-process IPython shell, against the sandbox: shown
once, --wait, --save, Ctrl-C, the listings, the cache and the jobs remembered across kernels."""

from __future__ import annotations

import gc
import re
import signal
import sys
import threading
import time
from typing import Any

import pytest
from _magic_helpers import (
    CANARY,
    WIDGET_MIME,
    everything,
    line,
    new_displays,
    run,
)
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import nb_jobstatus as njs
from nb_jobstatus import Job, State, views
from nb_jobstatus.core.media import flush_recent
from nb_jobstatus.sandbox import Sandbox

pytest_plugins = ["_magic_fixtures"]


# -- $var, {expr}, several ids, display once ---------------------------------------------------


def test_var_and_expr_expand(shell: InteractiveShell, sb: Sandbox, env: Any) -> None:
    shell.user_ns["rid"] = sb.add_job("napkin", duration=0.3)
    shell.user_ns["ids"] = [sb.add_job("napkin", duration=0.3)]
    run(shell, "a = %jobstatus napkin $rid\nb = %jobstatus napkin {ids[0]}")
    assert shell.user_ns["a"].request_id == shell.user_ns["rid"]
    assert shell.user_ns["b"].request_id == shell.user_ns["ids"][0]


def test_several_ids_give_a_list(shell: InteractiveShell, sb: Sandbox, env: Any) -> None:
    ids = [sb.add_job("sivi", duration=0.3) for _ in range(3)]
    found = line(shell, "sivi " + " ".join(ids))
    assert isinstance(found, list) and [job.request_id for job in found] == ids
    assert all(isinstance(job, Job) for job in found)


@pytest.mark.parametrize("assign", ["job = ", ""], ids=["assigned", "bare"])
def test_the_widget_shows_once(shell: InteractiveShell, sb: Sandbox, env: Any, assign: str) -> None:
    rid = sb.add_job("clipia", duration=0.3)
    result, captured = run(shell, f"{assign}%jobstatus clipia {rid}")
    job = shell.user_ns["job"] if assign else result.result
    assert result.success and isinstance(job, Job) and job.request_id == rid
    assert [WIDGET_MIME in o.data for o in new_displays(captured)] == [True]
    assert "<Job" not in captured.stdout  # and no repr of the value


@pytest.mark.parametrize("assign", ["jobs = ", ""], ids=["assigned", "bare"])
def test_a_batch_shows_once(shell: InteractiveShell, sb: Sandbox, env: Any, assign: str) -> None:
    ids = " ".join(sb.add_job("clipia", duration=0.3) for _ in range(2))
    result, captured = run(shell, f"{assign}%jobstatus clipia {ids}")
    assert result.success
    assert [WIDGET_MIME in o.data for o in new_displays(captured)] == [True]
    assert "<Job" not in captured.stdout


KERNEL_CELLS = [
    "from nb_jobstatus import sandbox\nsb = sandbox.start(); sb.use()\n%load_ext nb_jobstatus",
    "job = %jobstatus clipia {sb.add_job('clipia', duration=0.3)}",
    "%jobstatus clipia {sb.add_job('clipia', duration=0.3)}",
    "jobs = %jobstatus sivi {sb.add_job('sivi', duration=0.3)} {sb.add_job('sivi', duration=0.3)}",
    "%jobstatus sivi {sb.add_job('sivi', duration=0.3)} {sb.add_job('sivi', duration=0.3)}",
    "%jobstatus napkin {sb.add_job('napkin', duration=0.3)} --wait",
    "%jobstatus napkin not-a-uuid",
    "print(type(job).__name__, type(jobs).__name__, len(jobs)); sb.stop()",
]


def test_a_real_kernel_shows_the_widget_once() -> None:
    """End to end in ipykernel: each form displays one widget bundle, the value displays
    nothing more, and a mistake is one stderr line."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [nbformat.v4.new_code_cell(source) for source in KERNEL_CELLS]
    notebook = nbformat.v4.new_notebook(cells=cells)
    nbclient.NotebookClient(notebook, timeout=60, allow_errors=True).execute()
    outputs = [cell.outputs for cell in notebook.cells]
    for shown in outputs[1:6]:
        displays = [o for o in shown if o.output_type != "stream"]  # a log line may come too
        assert [o.output_type for o in displays] == ["display_data"], shown
        # the final frame replaces the widget with its static HTML (views/_show.py)
        assert "nbjs-job" in displays[0].data["text/html"]
    assert [o.output_type for o in outputs[6]] == ["stream"], outputs[6]  # no traceback
    (mistake,) = [o.text for o in outputs[6] if o.name == "stderr"]
    assert mistake.startswith("UsageError: Napkin request id 'not-a-uuid' is malformed")
    assert mistake.count("\n") == 1, mistake
    assert "Job JobList 2\n" in [o.get("text") for o in outputs[7]], outputs[7]


def test_no_images_hides_the_thumbnails(shell: InteractiveShell, sb: Sandbox, env: Any) -> None:
    hidden = line(shell, f"clipia {sb.add_job('clipia', duration=0.2)} --no-images --wait")
    shown = line(shell, f"clipia {sb.add_job('clipia', duration=0.2)} --wait")
    assert (hidden.show_images, shown.show_images) == (False, True)
    assert "<img" not in views.job_html(hidden) and "nbjs-dims" in views.job_html(hidden)
    deadline = time.monotonic() + 10
    while "<img" not in views.job_html(shown) and time.monotonic() < deadline:
        time.sleep(0.05)  # thumbnails come once the media are cached, just after the end
    assert "<img" in views.job_html(shown)


# -- wait, save, Ctrl-C --------------------------------------------------------------------------


def test_wait_blocks_until_terminal(shell: InteractiveShell, sb: Sandbox, env: Any) -> None:
    ok = sb.add_job("clipia", duration=0.3)
    bad = sb.add_job("clipia", duration=0.2, outcome="failed")
    result, captured = run(shell, f"both = %jobstatus clipia {ok} {bad} --wait")
    assert result.success and "Traceback" not in captured.stdout + captured.stderr
    assert [job.state for job in shell.user_ns["both"]] == [State.COMPLETED, State.FAILED]


def test_save_writes_the_originals(
    shell: InteractiveShell, sb: Sandbox, env: Any, tmp_path: Any
) -> None:
    rid = sb.add_job("napkin", duration=0.3, images=2, size=(64, 48))
    result, captured = run(shell, f"job = %jobstatus napkin {rid} --save {tmp_path}")
    assert result.success and shell.user_ns["job"].state is State.COMPLETED
    saved = sorted(tmp_path.iterdir())
    assert len(saved) == 2 and all(p.stat().st_size > 0 for p in saved)
    assert all(str(p) in captured.stdout for p in saved)
    try:
        run(shell, f"%config JobStatusMagics.save_dir = {str(tmp_path / 'default')!r}")
        other = sb.add_job("sivi", duration=0.2)
        run(shell, f"%jobstatus sivi {other} --save")
        assert [p.name for p in (tmp_path / "default").iterdir()] == [f"sivi-{other}-0.jpg"]
    finally:
        run(shell, "%config JobStatusMagics.save_dir = '.'")


def test_ctrl_c_stops_waiting_and_the_job_goes_on(
    shell: InteractiveShell, sb: Sandbox, env: Any
) -> None:
    rid = sb.add_job("sivi", duration=10.0)  # still running after a slow Ctrl-C on a loaded box

    main = threading.get_ident()

    def waiting() -> bool:  # is the main thread inside the magic's wait?
        frame = sys._current_frames().get(main)
        while frame is not None and frame.f_code.co_name != "wait_all":
            frame = frame.f_back
        return frame is not None

    def interrupt() -> None:  # Ctrl-C once the magic waits, not at a guessed moment
        deadline = time.monotonic() + 10
        while not waiting() and time.monotonic() < deadline:
            time.sleep(0.01)
        # to the main thread itself: os.kill lets the kernel pick any thread, and then the
        # main thread, asleep in the wait, sees it only once the wait ends (CI: after the job)
        signal.pthread_kill(main, signal.SIGINT)

    timer = threading.Thread(target=interrupt)
    timer.start()
    result, captured = run(shell, f"job = %jobstatus sivi {rid} --wait")
    timer.join()
    job = shell.user_ns["job"]
    said = (result.error_before_exec, result.error_in_exec, captured.stdout)
    assert result.success and "Stopped waiting" in captured.stdout, said
    assert not job.done, job
    assert job.wait(20).state is State.COMPLETED


# -- the listings -----------------------------------------------------------------------------


def test_bare_magic_lists_this_kernels_jobs(shell: InteractiveShell, sb: Sandbox, env: Any) -> None:
    rid = sb.add_job("napkin", duration=0.1, images=3)
    line(shell, f"napkin {rid}").wait(10)
    table = line(shell, "")
    row = next(row for row in table.rows if row[1] == rid)
    assert row[0] == "napkin" and row[2] == "completed" and row[3].endswith("s") and row[4] == "3"
    assert rid in repr(table) and "<table" in table._repr_html_() and rid in table._repr_html_()
    result, captured = run(shell, "%jobstatus")
    assert rid in everything(captured)


def test_the_table_says_a_stopped_job_stopped(
    shell: InteractiveShell, sb: Sandbox, env: Any
) -> None:
    rid = sb.add_job("clipia", duration=30)
    job = line(shell, f"clipia {rid}")
    job.cancel()
    row = next(row for row in line(shell, "").rows if row[1] == rid)
    assert row[2].endswith("(stopped: canceled)") and not row[2].startswith("failed"), row


def test_providers_never_show_the_key(
    shell: InteractiveShell, sb: Sandbox, env: pytest.MonkeyPatch
) -> None:
    env.setenv("SIVI_API_KEY", CANARY)
    env.delenv("NAPKIN_API_TOKEN")
    env.setenv("NAPKIN_API_KEY", CANARY)
    env.delenv("CLIPIA_API_KEY")
    result, captured = run(shell, "%jobstatus providers")
    table = line(shell, "providers")
    shown = everything(captured, table)
    assert "SIVI_API_KEY" in shown and "NAPKIN_API_KEY" in shown and sb.base_url("sivi") in shown
    assert "not set (CLIPIA_API_KEY or CLIPIA_KEY)" in shown
    assert "canary" not in shown.lower() and CANARY[-6:] not in shown


# -- the cache and the jobs remembered across kernels -----------------------------------------


def test_cache_shows_and_clears(
    shell: InteractiveShell, sb: Sandbox, env: Any, fresh_cache: Any
) -> None:
    kept = line(shell, f"napkin {sb.add_job('napkin', duration=0.1, images=2)} --wait")
    gone = njs.watch("napkin", sb.add_job("napkin", duration=0.1, images=3), display=False)
    gone.wait(10)
    table = line(shell, "cache")
    rows = dict(table.rows)
    assert rows["location"] == str(fresh_cache.resolve()) and rows["files"] == "5", rows
    assert re.fullmatch(r"[\d.]+ [KM]B", rows["size"]) and "NB_JOBSTATUS_CACHE_MAX" in rows["cap"]
    assert "cache clear" in repr(table) and "<table" in table._repr_html_()
    del gone
    gc.collect()
    result, captured = run(shell, "%jobstatus cache clear")
    assert result.success and result.result is None
    assert "Cache cleared: 3 file(s)" in captured.stdout, captured.stdout
    assert "2 file(s) kept: a job of this kernel shows them" in captured.stdout
    assert kept.state is State.COMPLETED and line(shell, "cache").rows[2] == ("files", "2")
    with pytest.raises(UsageError, match="cache clear empties it"):
        line(shell, "cache everything")


def test_recent_lists_jobs_without_keys(
    shell: InteractiveShell, sb: Sandbox, env: pytest.MonkeyPatch, fresh_cache: Any
) -> None:
    assert "No jobs followed yet" in repr(line(shell, "--recent"))
    env.setenv("CLIPIA_API_KEY", CANARY)
    rid = sb.add_job("clipia", duration=0.1)
    line(shell, f"clipia {rid} --wait")
    result, captured = run(shell, "%jobstatus --recent")
    table = line(shell, "--recent")
    assert table.rows[0][:4] == ("clipia", rid, table.rows[0][2], sb.base_url("clipia"))
    assert table.rows[0][2] in ("completed", "failed"), table.rows  # the key may be refused
    flush_recent()  # at most one write a second: what waits, now
    shown = everything(captured, table) + (fresh_cache / "recent.json").read_text()
    assert rid in shown and CANARY not in shown and CANARY[-6:] not in shown
    with pytest.raises(UsageError, match="--recent takes no request id"):
        line(shell, f"--recent clipia {rid}")
