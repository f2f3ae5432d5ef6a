"""The fault matrix: every injected fault against the sandbox, and the behaviour that must follow,
checked on the ``Job``, its history and its rendered views (static HTML and text, and the live
widget's trait values). Every row polls with the canary key, which must turn up in no output.

``MATRIX`` (tests/_fault_rows.py) is the table: one ``Row`` per fault, read left to right as
*name, provider, final state, error class, history checks, text the views show, the script*.
A new fault is one more row; ``test_fault_matrix`` walks them all. Besides the row's own
checks, every row is held to the same rules (``verify``): the error names its provider and
request, no key anywhere, no ``<script>``, no inlined SVG, links only http(s), no crash logged.
The checks live in tests/_fault_checks.py; the saved notebook in test_faults_notebook.py.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _fault_checks import Run, eventually
from _fault_rows import MATRIX, OK, Row
from _fault_views import check_html, surfaces, widget_html, widget_strings

import nb_jobstatus as njs
from nb_jobstatus import sandbox
from nb_jobstatus.core import budget, config
from nb_jobstatus.core import follow as follow_module
from nb_jobstatus.core.errors import ConfigurationError, JobStatusError
from nb_jobstatus.views import static

KEY_HEADERS = ("authorization", "sivi-api-key", "x-api-key")


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def roomy_sivi_budget() -> Iterator[None]:
    """Every row uses the canary key: Sivi's 50/min would only slow the matrix down."""
    saved = config.rate_limits.get("sivi", (50, 60.0))
    njs.set_rate_limit("sivi", 100_000, 60.0)
    yield
    njs.set_rate_limit("sivi", *saved)


@pytest.fixture(scope="module")
def limited() -> Iterator[dict[tuple[int, float], sandbox.Sandbox]]:
    """Sandboxes enforcing a Sivi rate limit, one per limit, started on demand."""
    servers: dict[tuple[int, float], sandbox.Sandbox] = {}
    yield servers
    for server in servers.values():
        server.stop()


@contextlib.contextmanager
def sivi_budget(limit: tuple[int, float] | None) -> Iterator[None]:
    if limit is None:
        yield
        return
    saved = config.rate_limits.get("sivi", (50, 60.0))
    njs.set_rate_limit("sivi", *limit)
    try:
        yield
    finally:
        njs.set_rate_limit("sivi", *saved)


ALL_JOBS: list[njs.Job] = []  # every job of the matrix, for the views of them all together


# -- the test ----------------------------------------------------------------------------------


@pytest.mark.parametrize("row", MATRIX, ids=lambda row: f"{row.provider}: {row.name}")
def test_fault_matrix(
    row: Row,
    sb: sandbox.Sandbox,
    limited: dict[tuple[int, float], sandbox.Sandbox],
    canary: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("NB_JOBSTATUS_CACHE", str(tmp_path / "cache"))
    if row.fast_backoff:
        monkeypatch.setattr(budget, "BACKOFF_BASE", 0.01)
        monkeypatch.setattr(budget, "BACKOFF_CAP", 0.05)
    if row.read_timeout is not None:
        monkeypatch.setattr(follow_module, "READ_TIMEOUT", row.read_timeout)
    server = sb
    if row.limit is not None:
        if row.limit not in limited:
            limited[row.limit] = sandbox.start(rate_limits={"sivi": row.limit})
        server = limited[row.limit]
    if row.request_id is not None:
        check_refused(row, server, canary, caplog)
        return
    with sivi_budget(row.limit):
        run = start(row, server, canary)
        finish(run)
    ALL_JOBS.extend(run.jobs)
    verify(run, canary, caplog)


def start(row: Row, server: sandbox.Sandbox, key: str) -> Run:
    base = server.base_url(row.provider)
    run = Run(row, server, [])
    if row.companion:
        other = server.add_job(row.provider, duration=4.0)
        run.companion = watched(row.provider, other, key, base, interval=0.2)
        time.sleep(0.4)  # polling before the 429 comes
    for _ in range(row.batch):
        rid = server.add_job(row.provider, **fill(row.script, key))
        job = watched(row.provider, rid, key, base, **row.watch)
        job.on_change(lambda j: run.snapshots.append((static.job_text(j), static.job_html(j))))
        assert job.widget is not None  # the live widget follows from the start
        run.jobs.append(job)
    return run


def watched(provider: str, rid: str, key: str, base: str, **options: Any) -> njs.Job:
    job = njs.watch(provider, rid, api_key=key, base_url=base, display=False, **options)
    assert isinstance(job, njs.Job)
    return job


def fill(value: Any, key: str) -> Any:
    """The script with ``{key}`` replaced by the key (a provider echoing it back)."""
    if isinstance(value, str):
        return value.replace("{key}", key)
    if isinstance(value, dict):
        return {k: fill(v, key) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, key) for v in value]
    return value


def finish(run: Run) -> None:
    """Wait (generously: the machine is shared) for every job to end and its files to cache."""
    for job in [*run.jobs, *([run.companion] if run.companion else [])]:
        with contextlib.suppress(JobStatusError):
            job.wait(120)
        assert job.done, f"{job!r} still polling after 120 s"
        status = job.status
        if job.state is OK and status is not None and status.assets:
            count = len(status.assets)
            eventually(lambda j=job, n=count: len(j.media) == n, 90)


def verify(run: Run, key: str, caplog: pytest.LogCaptureFixture) -> None:
    row = run.row
    for job in run.jobs:
        assert job.state is row.state, (job, job.error, job.history)
        if row.error is None:
            assert job.error is None, repr(job.error)
        else:
            assert type(job.error) is row.error, repr(job.error)
        errors = [p.error for p in job.history if p.error is not None] + [job.error]
        for error in filter(None, errors):  # the contract: every error names its request
            assert isinstance(error, JobStatusError)
            assert (error.provider, error.request_id) == (row.provider, job.request_id), (
                f"{error!r} carries provider={error.provider!r} request_id={error.request_id!r}"
            )
    for check in row.history:
        check(run)
    for job in run.jobs:
        eventually(lambda j=job: views_show(j, row.shows), 30)
        outputs = surfaces(job, run)
        pages = [static.job_html(job), *widget_html(job.widget)]
        for page in pages + [page for _, page in run.snapshots]:
            check_html(page)
        leaks = [text[:200] for text in outputs if key in text]
        assert not leaks, f"the key is in: {leaks}"
    assert key not in caplog.text
    crashes = [r for r in caplog.records if r.name.startswith("nb_jobstatus")
               and r.levelno >= logging.ERROR]  # fmt: skip
    assert not crashes, [r.getMessage() for r in crashes]


def check_refused(
    row: Row, server: sandbox.Sandbox, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A path-injecting id: ConfigurationError from watch and get_status, and not a single
    request sent (nothing new in ``sb.requests`` but what other, older jobs may still send)."""
    assert row.request_id is not None
    base = server.base_url(row.provider)
    known = {r.request_id for r in server.requests}
    before = len(server.requests)
    with pytest.raises(ConfigurationError) as watching:
        njs.watch(row.provider, row.request_id, api_key=key, base_url=base, display=False)
    ids = [row.request_id] if isinstance(row.request_id, str) else list(row.request_id)
    with pytest.raises(ConfigurationError) as getting:
        njs.get_status(row.provider, ids[-1], api_key=key, base_url=base)
    time.sleep(0.3)  # a request sent by mistake would be recorded by now
    fresh = [r for r in server.requests[before:] if r.request_id not in known]
    assert fresh == [], [(r.path, r.status) for r in fresh]
    assert not [j for j in njs.jobs() if j.request_id in ids]
    for error in (watching.value, getting.value):
        assert error.provider == row.provider
        assert key not in str(error) and key not in repr(error)
    assert key not in caplog.text


# -- what the views and outputs are made of ------------------------------------------------------


def views_show(job: njs.Job, shows: tuple[str, ...]) -> bool:
    """Every ``shows`` text is in the text view, the HTML view and the widget, and the widget
    shows the job's final state."""
    text = static.job_text(job)
    page = html.unescape(static.job_html(job))
    live = html.unescape(" ".join(widget_html(job.widget)))
    shown = "expired" if job.expired else "stopped" if job.stopped else job.state.value
    state = f"nbjs-state-{shown}"
    return state in live and all(s in text and s in page and s in live for s in shows)


# -- all of it together, and the media origin ------------------------------------------------------


def test_views_of_every_job_together(sb: sandbox.Sandbox, canary: str) -> None:
    """The batch views (table, failures, one gallery) of every job the matrix ran on this
    worker, and of a completed and a failed job of its own (so that it never depends on which
    rows ran here)."""
    from nb_jobstatus.views import BatchView

    own = []
    for outcome in ("completed", "failed"):
        rid = sb.add_job("clipia", duration=0.1, images=1, size=(32, 32), outcome=outcome)
        own.append(watched("clipia", rid, canary, sb.base_url("clipia")))
    for job in own:
        with contextlib.suppress(JobStatusError):
            job.wait(60)
    jobs = [*ALL_JOBS, *own]
    view = BatchView(jobs)
    pages = [static.jobs_html(jobs), *widget_html(view)]
    for page in pages:
        check_html(page)
    texts = [*pages, static.jobs_text(jobs), *widget_strings(view)]
    assert not [t[:200] for t in texts if canary in t]
    assert "failed" in static.jobs_text(jobs) and "completed" in static.jobs_text(jobs)


def test_no_credential_reaches_the_media_origin(sb: sandbox.Sandbox, canary: str) -> None:
    """The sandbox recorded every header: a key goes to the API origin only (a job of each
    provider with a file, polled with the canary key; and whatever the matrix ran on this
    worker's sandbox before)."""
    jobs = []
    for provider in ("sivi", "napkin", "clipia"):
        rid = sb.add_job(provider, duration=0.1, images=1, size=(32, 32))
        jobs.append(watched(provider, rid, canary, sb.base_url(provider)))
    for job in jobs:
        assert job.wait(60).state is OK
        eventually(lambda j=job: len(j.media) == 1, 60)
    media_requests = [r for r in sb.requests if r.origin == "media"]
    assert media_requests, "Sivi and Clipia files live on the media origin"
    for request in media_requests:
        names = {name.lower() for name in request.headers}
        assert not names & set(KEY_HEADERS), (request.path, request.headers)
        assert canary not in json.dumps(request.headers) and canary not in request.path
    napkin_files = [r for r in sb.requests if r.origin == "api" and "/file/" in r.path]
    assert napkin_files, "Napkin files are on the API origin, behind the Bearer header"
