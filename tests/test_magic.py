"""``%jobstatus`` in a real in-process IPython shell, against the sandbox over real HTTP."""

from __future__ import annotations

import contextlib
import gc
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from IPython.core.displaypub import CapturingDisplayPublisher
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import CapturedIO, capture_output

import nb_jobstatus as njs
from nb_jobstatus import Job, State, jobs, magic, views
from nb_jobstatus.core import config
from nb_jobstatus.core.providers import PROVIDERS
from nb_jobstatus.sandbox import Sandbox

CANARY = "canary-KEY-1234567890"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
KEY_VARIABLES = tuple(name for p in PROVIDERS.values() for name in p.key_env)
BASE_VARIABLES = tuple(p.base_env for p in PROVIDERS.values())


@pytest.fixture(scope="module")
def shell() -> Iterator[InteractiveShell]:
    """The process's plain (notebook-like, not terminal) shell, as tests/test_views.py uses:
    one shell class per process, as IPython's shell is a singleton. Displays made outside a
    test's capture (a view's final update, from an engine thread) are kept, not printed."""
    ip = InteractiveShell.instance()
    saved, ip.display_pub = ip.display_pub, CapturingDisplayPublisher()
    ip.run_line_magic("load_ext", "nb_jobstatus")
    yield ip
    ip.display_pub = saved


@pytest.fixture(autouse=True)
def settle() -> Iterator[None]:
    """Let this test's jobs end inside it: no polling spills into the next test."""
    before = set(map(id, jobs()))
    yield
    for job in jobs():
        if id(job) not in before:
            with contextlib.suppress(Exception):
                job.wait(10)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, sb: Sandbox) -> pytest.MonkeyPatch:
    """Keys and base URLs of the sandbox for all three providers."""
    for name in KEY_VARIABLES + BASE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in sb.environment().items():
        monkeypatch.setenv(name, value)
    return monkeypatch


@pytest.fixture
def only(env: pytest.MonkeyPatch) -> Any:
    """``only("clipia")`` leaves just that provider's key set."""

    def keep(provider: str) -> None:
        for name in KEY_VARIABLES:
            if not name.lower().startswith(provider):
                env.delenv(name, raising=False)

    return keep


def run(shell: InteractiveShell, cell: str) -> tuple[Any, CapturedIO]:
    """Run a cell as a notebook would; (its result, what it printed and displayed)."""
    with capture_output() as captured:
        result = shell.run_cell(cell, store_history=True)
    return result, captured


def line(shell: InteractiveShell, text: str) -> Any:
    with capture_output():
        return shell.run_line_magic("jobstatus", text)


def new_displays(captured: CapturedIO) -> list[Any]:
    """The displays made, leaving out updates (a view's final frame, maybe of another job)."""
    return [output for output in captured.outputs if not output.update]


def api_requests(sb: Sandbox, rid: str) -> list[Any]:
    return [r for r in sb.requests if r.request_id == rid and r.origin == "api"]


def everything(captured: CapturedIO, *values: Any) -> str:
    shown = [str(data) for output in captured.outputs for data in output.data.values()]
    texts = [repr(v) + str(getattr(v, "_repr_html_", str)()) for v in values]
    return "\n".join([captured.stdout, captured.stderr, *shown, *texts])


# -- help and settings ---------------------------------------------------------------------------


def test_help_explains_usage_with_examples(shell: InteractiveShell) -> None:
    doc = shell.find_line_magic("jobstatus").__doc__
    for part in ("%jobstatus", "--wait", "--save", "--no-images", "providers", "$first"):
        assert part in doc
    _, captured = run(shell, "%jobstatus?")
    assert "REQUEST_ID" in captured.stdout + everything(captured)


def test_help_is_plain_text(shell: InteractiveShell) -> None:
    """No reStructuredText left for a person to read: no ``::`` block, no double backquotes,
    no ``<[DIR]>``; the usage line and the examples are there as plain lines."""
    doc = shell.find_line_magic("jobstatus").__doc__
    assert "::" not in doc.replace("https://", "") and "``" not in doc and "<[" not in doc, doc
    assert doc.startswith("Usage:\n  %jobstatus [--wait]"), doc[:200]
    assert "\nExamples:\n    %jobstatus clipia" in doc
    assert "  --save [DIR]          Wait" in doc, doc  # the options column stays aligned


def test_config_lists_the_settings(shell: InteractiveShell) -> None:
    _, captured = run(shell, "%config JobStatusMagics")
    for name in ("interval", "timeout", "show_images", "save_dir", "sivi_rate_limit"):
        assert f"JobStatusMagics.{name}" in captured.stdout


def test_config_interval_reaches_the_job(shell: InteractiveShell, sb: Sandbox, env: Any) -> None:
    first, second = sb.add_job("clipia", duration=0.3), sb.add_job("clipia", duration=0.3)
    try:
        run(shell, "%config JobStatusMagics.interval = 2")
        assert line(shell, f"clipia {first}").interval == 2
        assert line(shell, f"clipia {second} --interval 0.5").interval == 0.5  # the option wins
    finally:
        run(shell, "%config JobStatusMagics.interval = None")


def test_reload_keeps_one_settings_object(shell: InteractiveShell) -> None:
    try:
        run(shell, "%config JobStatusMagics.interval = 3")
        run(shell, "%reload_ext nb_jobstatus")
        names = [type(c).__name__ for c in shell.configurables]
        assert names.count("JobStatusMagics") == 1
        assert shell.run_line_magic("config", "JobStatusMagics.interval") == 3
    finally:
        run(shell, "%config JobStatusMagics.interval = None")


def test_config_sivi_rate_limit(shell: InteractiveShell) -> None:
    try:
        run(shell, "%config JobStatusMagics.sivi_rate_limit = 100")
        assert config.rate_limits["sivi"] == (100, 60.0)
    finally:
        run(shell, "%config JobStatusMagics.sivi_rate_limit = 50")
    assert config.rate_limits["sivi"] == (50, 60.0)


# -- which provider, which id -----------------------------------------------------------------


def test_napkin_status_and_file_urls(shell: InteractiveShell, sb: Sandbox, env: Any) -> None:
    env.delenv("NAPKIN_BASE_URL")  # the base comes from the pasted URL
    rid = sb.add_job("napkin", duration=0.3)
    for url in (f"/v1/visual/{rid}/status", f"/v1/visual/{rid}/file/abc_c", f"/v1/visual/{rid}"):
        job = line(shell, sb.base_url("napkin") + url)
        assert (job.provider, job.request_id) == ("napkin", rid)
        assert job.client.base_url == sb.base_url("napkin")
    assert job.wait(10).state is State.COMPLETED


def test_clipia_status_and_result_urls(shell: InteractiveShell, sb: Sandbox, env: Any) -> None:
    env.delenv("CLIPIA_BASE_URL")
    rid = sb.add_job("clipia", duration=0.3)
    for url in (f"/v1/requests/{rid}/status", f"/v1/requests/{rid}"):
        job = line(shell, sb.base_url("clipia") + url)
        assert (job.provider, job.request_id) == ("clipia", rid)
    assert job.wait(10).state is State.COMPLETED


def test_sivi_status_url_decodes_the_request_id(
    shell: InteractiveShell, sb: Sandbox, env: Any
) -> None:
    env.delenv("SIVI_BASE_URL")
    rid = sb.add_job("sivi", duration=0.3)
    query = quote(f'{{"requestId":"{rid}"}}', safe="")
    job = line(shell, f"{sb.base_url('sivi')}/general/get-request-status?queryParams={query}")
    assert (job.provider, job.request_id) == ("sivi", rid)
    assert job.wait(10).state is State.COMPLETED
    raw = f'{sb.base_url("sivi")}/general/get-request-status?queryParams={{"requestId":"{rid}"}}'
    result, _ = run(shell, f"job = %jobstatus {raw}")  # braces as pasted survive expansion
    assert result.success and shell.user_ns["job"].request_id == rid


def test_sivi_design_link_of_a_known_job(shell: InteractiveShell, sb: Sandbox, env: Any) -> None:
    rid = sb.add_job("sivi", duration=0.2)
    line(shell, f"sivi {rid}").wait(10)
    job = next(j for j in jobs() if j.request_id == rid)
    assert job.status is not None and job.status.view_url and job.status.share_url
    for link in (job.status.view_url, job.status.share_url):
        assert line(shell, link).request_id == rid


def test_sivi_design_link_unknown_is_a_usage_error(shell: InteractiveShell, env: Any) -> None:
    with pytest.raises(UsageError, match="paste the requestId"):
        line(shell, "https://instant.sivi.ai/#/design/97026520-1f1b-11f0-ada0-01392001fe46")


def test_urls_on_the_providers_own_hosts() -> None:
    uuid = "764cabcf-b745-4b3e-ae38-1200304cf45b"
    napkin = f"https://api.napkin.ai/v1/visual/{uuid}/status"
    clipia = f"https://api.clipia.ai/v1/requests/{uuid}"
    sivi = "https://connect.sivi.ai/api/prod/v2/general/get-request-status?queryParams=" + quote(
        '{"requestId":"sbhMkIZKCPp"}'
    )
    assert magic.resolve_targets([napkin], None) == ("napkin", [uuid], "https://api.napkin.ai")
    pasted = napkin.replace("https://", "https://me:secret@")  # credentials are dropped
    assert magic.resolve_targets([pasted], None)[2] == "https://api.napkin.ai"
    assert magic.resolve_targets([clipia], None) == ("clipia", [uuid], "https://api.clipia.ai")
    assert magic.resolve_targets([sivi], None) == (
        "sivi",
        ["sbhMkIZKCPp"],
        "https://connect.sivi.ai/api/prod/v2",
    )


def test_url_on_a_foreign_host_needs_base_url(
    shell: InteractiveShell, sb: Sandbox, env: Any
) -> None:
    uuid = "764cabcf-b745-4b3e-ae38-1200304cf45b"
    with pytest.raises(UsageError, match="--base-url https://evil.example"):
        line(shell, f"https://evil.example/v1/visual/{uuid}/status")
    with pytest.raises(UsageError, match="not Napkin's API"):
        line(shell, f"https://api.clipia.ai/v1/visual/{uuid}/status")
    assert api_requests(sb, uuid) == []
    rid, base = sb.add_job("napkin", duration=0.2), sb.base_url("napkin")
    job = line(shell, f"https://evil.example/v1/visual/{rid}/status --base-url {base}")
    assert job.client.base_url == base and job.request_id == rid  # the explicit base wins


def test_a_production_url_while_the_sandbox_is_in_use_is_refused(
    shell: InteractiveShell, sb: Sandbox, env: Any
) -> None:
    """With the sandbox's base URLs set (``sb.use()``), a pasted URL of the real API would get
    the sandbox's key: one line says so at once, instead of a transport error seconds later."""
    rid = sb.add_job("clipia", duration=0.2)
    began = time.monotonic()
    with pytest.raises(UsageError) as raised:
        line(shell, f"https://api.clipia.ai/v1/requests/{rid}/status")
    message = str(raised.value)
    assert "CLIPIA_BASE_URL points at a local sandbox" in message, message
    assert "--base-url https://api.clipia.ai" in message and "\n" not in message
    assert time.monotonic() - began < 1 and api_requests(sb, rid) == []
    job = line(shell, f"{sb.base_url('clipia')}/v1/requests/{rid}/status")  # its own URL: fine
    assert job.wait(10).state is State.COMPLETED


def test_the_only_key_names_the_provider(shell: InteractiveShell, sb: Sandbox, only: Any) -> None:
    only("clipia")
    rid = sb.add_job("clipia", duration=0.3)
    job = line(shell, rid)
    assert (job.provider, job.request_id) == ("clipia", rid)


def test_no_key_or_several_keys_is_a_usage_error(
    shell: InteractiveShell, env: pytest.MonkeyPatch
) -> None:
    uuid = "764cabcf-b745-4b3e-ae38-1200304cf45b"
    with pytest.raises(UsageError, match=r"keys are set for sivi, napkin, clipia: name one of"):
        line(shell, uuid)
    for name in KEY_VARIABLES:
        env.delenv(name, raising=False)
    with pytest.raises(UsageError, match="no provider key is set"):
        line(shell, uuid)


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
    rid = sb.add_job("sivi", duration=1.0)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    result, captured = run(shell, f"job = %jobstatus sivi {rid} --wait")
    timer.join()
    job = shell.user_ns["job"]
    assert result.success and "Stopped waiting" in captured.stdout
    assert not job.done
    assert job.wait(10).state is State.COMPLETED


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


# -- mistakes are one-line UsageErrors, sent nowhere ------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("sivvi demo-ok-1s", r"'sivvi' is not a provider \(did you mean sivi\?\)"),
        ("midjourney abc123", "'midjourney' is not a provider: nb_jobstatus follows sivi, napkin"),
        ("napkin not-a-uuid", "Napkin request id 'not-a-uuid' is malformed"),
        ("clipia", "give a request id"),
        ("napkin 764cabcf-b745-4b3e-ae38-1200304cf45b --interval abc", "--interval"),
        ("napkin 764cabcf-b745-4b3e-ae38-1200304cf45b --timeout 0", "positive number"),
        ("napkin 764cabcf-b745-4b3e-ae38-1200304cf45b --bogus", "unrecognized"),
        ("napkin 764cabcf-b745-4b3e-ae38-1200304cf45b --base-url ftp://x", "is not http or https"),
        ("https://example.com/nothing", "not a Sivi, Napkin or Clipia status URL"),
        (
            "napkin https://api.clipia.ai/v1/requests/764cabcf-b745-4b3e-ae38-1200304cf45b",
            r"different providers \(clipia, napkin\)",
        ),
    ],
)
def test_mistakes_are_usage_errors(
    shell: InteractiveShell, sb: Sandbox, env: Any, text: str, message: str
) -> None:
    before = len(sb.requests)
    with pytest.raises(UsageError, match=message):
        line(shell, text)
    sent = [r.request_id for r in sb.requests[before:]]
    assert not [rid for rid in sent if rid and rid in text], sent


def test_missing_key_is_a_usage_error(shell: InteractiveShell, sb: Sandbox, only: Any) -> None:
    only("sivi")
    with pytest.raises(UsageError, match="no Napkin key: set NAPKIN_API_TOKEN"):
        line(shell, "napkin 764cabcf-b745-4b3e-ae38-1200304cf45b")


def test_a_mistake_prints_one_line_not_a_traceback(shell: InteractiveShell, env: Any) -> None:
    result, captured = run(shell, "%jobstatus napkin not-a-uuid")
    assert not result.success and isinstance(result.error_in_exec, UsageError)
    printed = (captured.stdout + captured.stderr).strip()
    assert "Traceback" not in printed and len(printed.splitlines()) == 1, printed


# -- the cache and the jobs remembered across kernels -----------------------------------------


@pytest.fixture
def fresh_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    folder = tmp_path / "cache"
    monkeypatch.setenv("NB_JOBSTATUS_CACHE", str(folder))
    return folder


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
    shown = everything(captured, table) + (fresh_cache / "recent.json").read_text()
    assert rid in shown and CANARY not in shown and CANARY[-6:] not in shown
    with pytest.raises(UsageError, match="--recent takes no request id"):
        line(shell, f"--recent clipia {rid}")
