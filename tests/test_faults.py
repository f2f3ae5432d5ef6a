"""The fault matrix: every injected fault against the sandbox, and the behaviour that must follow,
checked on the ``Job``, its history and its rendered views (static HTML and text, and the live
widget's trait values). Every row polls with the canary key, which must turn up in no output.

``MATRIX`` is the table: one ``Row`` per fault, read left to right as
*name, provider, final state, error class, history checks, text the views show, the script*.
A new fault is one more row; ``test_fault_matrix`` walks them all. Besides the row's own
checks, every row is held to the same rules (``verify``): the error names its provider and
request, no key anywhere, no ``<script>``, no inlined SVG, links only http(s), no crash logged.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import nb_jobstatus as njs
from nb_jobstatus import sandbox
from nb_jobstatus.core import budget, config
from nb_jobstatus.core import follow as follow_module
from nb_jobstatus.core.errors import (
    AuthenticationError,
    ConfigurationError,
    ExpiredError,
    JobStatusError,
    NotFoundError,
    PollTimeout,
    ProviderError,
    RateLimitError,
    ResponseError,
    TransportError,
)
from nb_jobstatus.core.model import State
from nb_jobstatus.views import static

OK, FAILED = State.COMPLETED, State.FAILED
RETRIES = budget.MAX_RETRIES
KEY_HEADERS = ("authorization", "sivi-api-key", "x-api-key")
MESSAGES = {  # the sandbox's documented error messages
    401: "Authentication required or invalid API key",
    403: "Access denied: the request belongs to another user",
    404: "Request not found",
    410: "Request has expired and is no longer available",
}
HOSTILE = "<script>alert('reason')</script><img src=x onerror=alert(1)>"
HOSTILE_VARIANT = {
    "variantImageUrl": "javascript:alert('image')",
    "variantEditLink": "javascript:alert('edit')",
    "variantId": "<script>alert('id')</script>",
    "variantType": '<img src=x onerror="alert(4)">',
    "variantWidth": 640,
    "variantHeight": 480,
}
HOSTILE_LOG = {"message": "<script>alert('log')</script>", "level": "INFO"}
GOOD_UUID = "600d0000-0001-4001-8000-00000000abcd"  # a typed sandbox id: would complete


# -- a run of one row ----------------------------------------------------------------------------


@dataclass
class Run:
    """What a row's checks look at: its jobs, the sandbox's record, the views as they went."""

    row: Row
    sb: sandbox.Sandbox
    jobs: list[njs.Job]
    companion: njs.Job | None = None
    snapshots: list[tuple[str, str]] = field(default_factory=list)  # (text, html) per change

    @property
    def job(self) -> njs.Job:
        return self.jobs[0]

    def requests(self, job: njs.Job | None = None) -> list[Any]:
        """The API requests the sandbox saw for ``job`` (the row's first job), oldest first."""
        rid = (job or self.job).request_id
        found = [r for r in self.sb.requests if r.request_id == rid and r.origin == "api"]
        return sorted(found, key=lambda r: r.time)


Check = Callable[[Run], None]


# -- the history column: what must be true of Job.history and the sandbox's record ---------------


def retried(code: int | None, times: int, error: type[JobStatusError] = ProviderError) -> Check:
    """The first ``times`` polls failed with ``error`` (HTTP ``code``), each a retry; then the
    job went on with normal answers."""

    def check(run: Run) -> None:
        polls = run.job.history
        assert len(polls) > times, polls
        for number, poll in enumerate(polls[:times], start=1):
            assert isinstance(poll.error, error), poll
            assert poll.http_status == code, poll
            assert poll.why.startswith(f"retry {number} of {RETRIES}"), poll
            assert poll.next_delay is not None, poll
        assert all(poll.error is None for poll in polls[times:]), polls

    return check


def spent(code: int | None, error: type[JobStatusError] = ProviderError) -> Check:
    """1 + MAX_RETRIES polls (and requests), every one failed with ``error``; the last final."""

    def check(run: Run) -> None:
        polls = run.job.history
        assert len(polls) == 1 + RETRIES, polls
        assert all(isinstance(p.error, error) and p.http_status == code for p in polls), polls
        whys = [p.why.split(":")[0] for p in polls[:-1]]
        assert whys == [f"retry {n} of {RETRIES}" for n in range(1, 5)]
        assert polls[-1].why == "final error" and polls[-1].next_delay is None
        # a slow answer is recorded when the sandbox has sent it, after the client gave up
        eventually(lambda: len(run.requests()) >= 1 + RETRIES, 30)
        assert len(run.requests()) == 1 + RETRIES

    return check


def at_once(code: int) -> Check:
    """Final at once: the first answer is ``code``, one request, no retry."""

    def check(run: Run) -> None:
        (poll,) = run.job.history
        assert poll.http_status == code and poll.why == "final error", poll
        assert [r.status for r in run.requests()] == [code]

    return check


def ended_with(code: int) -> Check:
    """Normal polls, then ``code`` once, final (no retry after it)."""

    def check(run: Run) -> None:
        *before, last = run.job.history
        assert before and all(p.error is None for p in before), run.job.history
        assert last.http_status == code and last.why == "final error", last
        assert [r.status for r in run.requests()].count(code) == 1

    return check


def waited(seconds: float) -> Check:
    """No request for the job before ``seconds`` after its 429 (by the sandbox's clock), and
    the history says the retry was planned that far ahead."""

    def check(run: Run) -> None:
        requests = run.requests()
        first = next(i for i, r in enumerate(requests) if r.status == 429)
        gap = requests[first + 1].time - requests[first].time
        assert gap >= seconds - 0.05, f"next request {gap:.3f}s after the 429, asked {seconds}s"
        planned = run.job.history[0].next_delay
        assert planned is not None and planned >= seconds - 1.0

    return check


def key_paused(seconds: float) -> Check:
    """Another job on the same key (polling every 0.2 s) sent nothing while the key waited
    out the 429, then went on."""

    def check(run: Run) -> None:
        assert run.companion is not None
        first_429 = next(r for r in run.requests() if r.status == 429)
        start, end = first_429.time + 0.3, first_429.time + seconds - 0.1  # 0.3 s: in flight
        others = [r.time for r in run.requests(run.companion)]
        during = [t - first_429.time for t in others if start < t < end]
        assert during == [], f"requests at +{during}s while the key was paused"
        assert any(t >= end for t in others), "the other job never polled again"
        assert any(t < first_429.time for t in others), "the other job had not started polling"

    return check


def within_budget(count: int, window: float) -> Check:
    """Every job of the batch completed, and the key never sent more than ``count`` requests
    in ``window`` seconds (one late booking aside); a 429 of the provider is retried."""

    def check(run: Run) -> None:
        ids = {job.request_id for job in run.jobs}
        sent = [r for r in run.sb.requests if r.request_id in ids and r.origin == "api"]
        times = sorted(r.time for r in sent)
        worst = max(sum(1 for t in times if start <= t < start + window) for start in times)
        refused = sum(1 for r in sent if r.status == 429)
        print(f"budget {count}/{window}s: {len(times)} requests, worst window {worst}, "
              f"{refused} answered 429")  # fmt: skip
        assert worst <= count + 1
        assert refused <= len(run.jobs), "the budget should keep the key under the limit"

    return check


def saw_unknown(raw: str) -> Check:
    """A poll came back with an unknown status: kept as UNKNOWN with the raw word, polling
    went on, and the views showed the raw word while it lasted."""

    def check(run: Run) -> None:
        unknown = [p for p in run.job.history if p.status and p.status.state is State.UNKNOWN]
        assert unknown and unknown[0].status is not None
        assert unknown[0].status.provider_status == raw and unknown[0].next_delay is not None
        assert any(raw in text for text, _ in run.snapshots), run.snapshots

    return check


def all_unknown(run: Run) -> None:
    """Every answer said an unknown status: never terminal, polled until the deadline."""
    polls = run.job.history
    assert len(polls) >= 2 and all(p.status and p.status.state is State.UNKNOWN for p in polls)


def no_progress(run: Run) -> None:
    """Running answers without ``progress``: kept as None, the bar indeterminate meanwhile."""
    running = [p for p in run.job.history if p.status and p.status.state is State.RUNNING]
    assert any(p.status.progress is None for p in running if p.status), running
    assert any("nbjs-progress" in page and "working…" in page for _, page in run.snapshots)


def no_files(run: Run) -> None:
    """``null`` where a list was documented: completed, no assets, the gallery says so."""
    status = run.job.status
    assert status is not None and status.assets == ()
    assert "no files in the result" in static.job_html(run.job)


def in_html(fragment: str) -> Check:
    """``fragment`` is in the HTML view and the widget (as text, once unescaped): the raw
    response in the debugger, an asset's id in its gallery card."""

    def check(run: Run) -> None:
        assert fragment in html.unescape(static.job_html(run.job))
        assert fragment in html.unescape(" ".join(widget_html(run.job.widget)))

    return check


def showed(fragment: str) -> Check:
    """The views showed ``fragment`` (as text) while the job ran."""

    def check(run: Run) -> None:
        assert any(fragment in text for text, _ in run.snapshots), run.snapshots[-3:]

    return check


def card(index: int, says: str) -> Check:
    """The gallery card ``index`` says what went wrong; every other card shows its picture."""

    def check(run: Run) -> None:
        cards = gallery_cards(static.job_html(run.job))
        assert run.job.status is not None and len(cards) == len(run.job.status.assets)
        assert says in html.unescape(cards[index]), cards[index]
        for number, other in enumerate(cards):
            if number != index:
                assert '<img src="data:image/' in other and "nbjs-error" not in other, other

    return check


def not_linked(url: str) -> Check:
    """``url`` is never the target of a link (nor of an image or a player)."""

    def check(run: Run) -> None:
        page = static.job_html(run.job)
        targets = attributes(page, "href") + attributes(page, "src")
        assert not any(url in target for target in targets)

    return check


# -- the matrix ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    provider: str
    state: State | None  # the job's final state; None: refused, no job at all
    error: type[JobStatusError] | None  # the job's final error class (exactly)
    history: tuple[Check, ...] = ()
    shows: tuple[str, ...] = ()  # in the text view, the HTML view and the widget (as text)
    script: dict[str, Any] = field(default_factory=dict)  # sb.add_job(...); "{key}": the key
    watch: dict[str, Any] = field(default_factory=dict)  # njs.watch(...) options
    request_id: str | tuple[str, ...] | None = None  # watch this instead of a scripted job
    read_timeout: float | None = None  # patched nb_jobstatus.core.follow.READ_TIMEOUT
    batch: int = 1
    limit: tuple[int, float] | None = None  # Sivi budget, sandbox and client: N per W s
    companion: bool = False  # another job polls on the same key meanwhile
    fast_backoff: bool = True


def burst(fault: str, times: int = 2) -> dict[str, Any]:
    return {"faults": [fault] * times, "duration": 0.3}


def forever(fault: str) -> dict[str, Any]:
    return {"faults": [fault] * (1 + RETRIES), "duration": 20.0}


def final(provider: str, code: int, error: type[JobStatusError]) -> Row:
    return Row(
        f"{code} final at once", provider, FAILED, error, (at_once(code),),
        (error.__name__, f"HTTP {code}", MESSAGES[code]), {"faults": [str(code)], "duration": 5},
    )  # fmt: skip


def media(fault: str, **script: Any) -> dict[str, Any]:
    """Three images, the second one broken by ``fault``."""
    return {"images": 3, "size": (240, 160), "duration": 0.2, "media_faults": {1: fault}} | script


def refused(provider: str, request_id: str | tuple[str, ...]) -> Row:
    return Row(f"id {request_id!r}", provider, None, ConfigurationError, request_id=request_id)


R = Row
MATRIX: list[Row] = [
    # -- 5xx bursts, then success: the job completes, the retries are in the history ---------
    R("500 burst, then ok", "sivi", OK, None, (retried(500, 2),), script=burst("500")),
    R("502 burst, then ok", "napkin", OK, None, (retried(502, 2),), script=burst("502")),
    R("503 burst, then ok", "clipia", OK, None, (retried(503, 2),), script=burst("503")),
    R("504 burst, then ok", "sivi", OK, None, (retried(504, 2),), script=burst("504")),
    R("503 for good", "clipia", FAILED, ProviderError, (spent(503),),
      ("ProviderError", "HTTP 503", "Service temporarily unavailable"), forever("503")),
    # -- 429: no request before the provider's time; the whole key backs off ----------------
    R("429 Retry-After: 2 (seconds), key paused", "clipia", OK, None,
      (retried(429, 1, RateLimitError), waited(2.0), key_paused(2.0)),
      script=burst("429:2", 1), companion=True),
    R("429 Retry-After: an HTTP date", "clipia", OK, None,
      (retried(429, 1, RateLimitError), waited(1.0)), script=burst("429-date:1", 1)),
    R("429 without Retry-After", "sivi", OK, None, (retried(429, 2, RateLimitError),),
      script=burst("429-bare")),
    R("429 without Retry-After, for good", "napkin", FAILED, RateLimitError,
      (spent(429, RateLimitError),), ("RateLimitError", "HTTP 429"), forever("429-bare")),
    R("Napkin retry_after in the body, key paused", "napkin", OK, None,
      (retried(429, 1, RateLimitError), waited(2.0), key_paused(2.0)),
      script=burst("429-body:2", 1), companion=True),
    R("Sivi budget (50/min as 5/s), a batch of 6", "sivi", OK, None, (within_budget(5, 1.0),),
      script={"duration": 1.5}, batch=6, limit=(5, 1.0), fast_backoff=False),
    # -- transport and body faults: retried where that can help, then a clear error -----------
    R("dropped connection, then ok", "clipia", OK, None, (retried(None, 2, TransportError),),
      script=burst("drop")),
    R("dropped connection, for good", "napkin", FAILED, TransportError,
      (spent(None, TransportError),), ("TransportError",), forever("drop")),
    R("slower than the read timeout, then ok", "sivi", OK, None,
      (retried(None, 2, TransportError),), script=burst("slow:1"), read_timeout=0.5),
    R("slower than the read timeout, for good", "clipia", FAILED, TransportError,
      (spent(None, TransportError),), ("TransportError", "timed out"), forever("slow:1"),
      read_timeout=0.5),
    R("truncated body, then ok", "napkin", OK, None, (retried(None, 2, TransportError),),
      script=burst("truncated")),
    R("truncated body, for good", "sivi", FAILED, TransportError, (spent(None, TransportError),),
      ("TransportError", "cut short"), forever("truncated")),
    R("HTML error page (502), then ok", "clipia", OK, None, (retried(502, 2, ResponseError),),
      script=burst("html")),
    R("HTML error page (502), for good", "napkin", FAILED, ResponseError,
      (spent(502, ResponseError),), ("ResponseError", "HTTP 502", "not JSON"), forever("html")),
    R("HTML page under HTTP 200, for good", "sivi", FAILED, ResponseError,
      (spent(200, ResponseError),), ("ResponseError", "HTTP 200", "text/html"),
      forever("html-200")),
    R("malformed JSON, then ok", "clipia", OK, None, (retried(200, 2, ResponseError),),
      script=burst("malformed")),
    R("malformed JSON, for good", "napkin", FAILED, ResponseError, (spent(200, ResponseError),),
      ("ResponseError", "not JSON"), forever("malformed")),
    R("JSON of the wrong shape once, then ok", "clipia", OK, None,
      (retried(200, 1, ResponseError),), script=burst("wrong-shape", 1)),
    R("JSON of the wrong shape, for good", "napkin", FAILED, ResponseError,
      (spent(200, ResponseError),), ("ResponseError", "HTTP 200", "expected a JSON object"),
      forever("wrong-shape")),
    R("envelope 500 inside HTTP 200, then ok", "sivi", OK, None, (retried(500, 2),),
      script=burst("envelope-500")),
    R("envelope 500 inside HTTP 200, for good", "sivi", FAILED, ProviderError, (spent(500),),
      ("ProviderError", "inside HTTP 200", "Internal error"), forever("envelope-500")),
    # -- 401, 403, 404, 410: final at once, with the right error and message ------------------
    final("sivi", 401, AuthenticationError),
    final("napkin", 401, AuthenticationError),
    final("clipia", 401, AuthenticationError),
    final("sivi", 403, AuthenticationError),
    final("napkin", 403, AuthenticationError),
    final("clipia", 403, AuthenticationError),
    final("sivi", 404, NotFoundError),
    final("napkin", 404, NotFoundError),
    final("clipia", 404, NotFoundError),
    final("sivi", 410, ExpiredError),
    final("napkin", 410, ExpiredError),
    final("clipia", 410, ExpiredError),
    R("Napkin request expires while watched", "napkin", FAILED, ExpiredError, (ended_with(410),),
      ("ExpiredError", "HTTP 410", MESSAGES[410]), {"outcome": "expired", "duration": 1.0}),
    # -- bodies off the documented path: no crash, the raw value shown ------------------------
    R("unknown status string once", "clipia", OK, None, (saw_unknown("paused_by_operator"),),
      script={"faults": ["slow:0", "unknown-status"], "duration": 2.0}),
    R("unknown status string for good", "sivi", State.UNKNOWN, PollTimeout, (all_unknown,),
      ("paused_by_operator", "stopped"),
      {"overrides": {"status": "paused_by_operator"}, "duration": 0.2}, {"timeout": 2.5}),
    R("missing progress (Clipia)", "clipia", OK, None, (no_progress,),
      script={"faults": ["missing-progress"] * 3, "duration": 2.5}),
    R("missing progress (Sivi)", "sivi", OK, None, (no_progress,),
      script={"faults": ["missing-progress"] * 3, "duration": 2.5}),
    R("null lists in a Sivi result", "sivi", OK, None, (no_files,), ("0 files",),
      {"faults": ["null-lists"], "duration": 0.0}),
    R("null generated_files (Napkin)", "napkin", OK, None, (no_files,), ("0 files",),
      {"faults": ["null-lists"], "duration": 0.0}),
    R("null images and logs (Clipia)", "clipia", OK, None, (no_files,), ("0 files",),
      {"faults": ["null-lists"] * 2, "duration": 0.0}),
    R("null logs while running, then failed", "clipia", FAILED, None,
      (in_html('"output": null'),), ("generation_failed",),
      {"faults": ["null-lists"] * 4, "duration": 0.5, "outcome": "failed"}),
    # -- media faults: the gallery says what went wrong for that asset, shows the others ------
    R("image answers 404", "sivi", OK, None, (card(1, "HTTP 404"),), ("HTTP 404",),
      media("404")),
    R("non-image bytes", "clipia", OK, None, (card(1, "not an image: text/html"),),
      ("not an image: text/html",), media("not-image")),
    R("truncated image", "napkin", OK, None, (card(1, "truncated image"),),
      ("truncated image",), media("truncated")),
    R("declared 60000 x 60000 (bomb)", "sivi", OK, None,
      (card(1, "refused: declares 60000 × 60000 px (decompression bomb)"),),
      ("decompression bomb",), media("bomb")),
    R("larger than the download limit", "sivi", OK, None,
      (card(1, "over the 64 MB download limit"),), ("download limit",), media("huge")),
    R("SVG with a script inside", "napkin", OK, None,
      (card(1, "the SVG contains scripts (not run: shown as an image)"),),
      ("the SVG contains scripts",), media("svg-script", format="svg")),
    # -- hostile text: escaped, not linked, not executed -------------------------------------
    R("reason with HTML and script", "clipia", FAILED, None, (), (HOSTILE,),
      {"outcome": "failed", "reason": HOSTILE, "duration": 0.2}),
    R("variant id with script, javascript: links", "sivi", OK, None,
      (card(0, "refused: not an http(s) URL"), not_linked("javascript:alert('edit')"),
       in_html("<script>alert('id')</script>")), (),
      {"duration": 0.2, "overrides": {"result": {"variations": [HOSTILE_VARIANT]}}}),
    R("javascript: share link, data: view link", "sivi", OK, None,
      (not_linked("javascript:alert(1)"), not_linked("data:text/html,<script>alert(2)</script>")),
      (),
      {"duration": 0.2, "overrides": {"shareLink": "javascript:alert(1)",
                                      "link": "data:text/html,<script>alert(2)</script>"}}),
    R("log line with script while running", "clipia", OK, None,
      (showed("<script>alert('log')</script>"),), (), {"duration": 1.5,
                                                       "overrides": {"logs": [HOSTILE_LOG]}}),
    # -- the provider echoes the key: masked wherever it would be shown ----------------------
    R("key echoed in a failure reason", "sivi", FAILED, None, (), ("key *** is not valid",),
      {"outcome": "failed", "reason": "key {key} is not valid", "duration": 0.2}),
    R("key echoed in the raw body", "clipia", FAILED, None, (in_html("Bearer ***"),), (),
      {"outcome": "failed", "duration": 0.2, "overrides": {"debug": {"auth": "Bearer {key}"}}}),
    R("key echoed in a share link", "sivi", OK, None, (), ("https://sivi.example/s?key=***",),
      {"duration": 0.2, "overrides": {"shareLink": "https://sivi.example/s?key={key}"}}),
    # -- path-injecting ids: refused before any request ---------------------------------------
    refused("sivi", "../../etc/passwd"),
    refused("sivi", "a%2F..%2Fb"),
    refused("sivi", "demo-ok-1s x"),
    refused("sivi", "ｄｅｍｏ-ok-1s"),
    refused("sivi", ""),
    refused("sivi", "demo-ok-1s\n"),
    refused("sivi", "<script>alert(1)</script>"),
    refused("napkin", f"{GOOD_UUID}/../../x"),
    refused("napkin", f"{GOOD_UUID}%2F..%2Fx"),
    refused("napkin", f" {GOOD_UUID}"),
    refused("napkin", ""),
    refused("clipia", GOOD_UUID[:-1] + "١"),  # an Arabic-Indic digit one
    refused("clipia", "../" + GOOD_UUID),
    refused("clipia", ""),
    refused("clipia", (GOOD_UUID, "../x")),  # one bad id: nothing sent for the good one
]  # fmt: skip


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


def widget_strings(widget: Any) -> list[str]:
    """Every trait value of every widget in the tree (children, layouts, styles), as text."""
    import ipywidgets

    seen: set[int] = set()
    found: list[str] = [repr(widget)]

    def visit(value: Any) -> None:
        if isinstance(value, ipywidgets.Widget):
            walk(value)
        elif isinstance(value, (list, tuple, set)):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for name, item in value.items():
                found.append(str(name))
                visit(item)
        else:
            found.append(str(value))

    def walk(node: ipywidgets.Widget) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        for name in node.trait_names():
            with contextlib.suppress(Exception):
                visit(getattr(node, name))

    walk(widget)
    return found


def widget_html(widget: Any) -> list[str]:
    """The ``value`` of every HTML widget in the tree."""
    import ipywidgets

    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, ipywidgets.HTML):
            found.append(node.value)
        for child in getattr(node, "children", ()):
            walk(child)

    walk(widget)
    return found


def surfaces(job: njs.Job, run: Run) -> list[str]:
    """Everything a person or a log could ever see of ``job``."""
    texts = [repr(job), static.job_text(job), static.job_html(job), job.curl()]
    for error in [job.error, *(p.error for p in job.history)]:
        if error is not None:
            texts += [str(error), repr(error), str(getattr(error, "body", ""))]
    texts += [repr(poll) for poll in job.history]
    if job.status is not None:
        texts += [repr(job.status), json.dumps(job.status.raw, default=str)]
    texts += [repr(item) for item in job.media.values()]
    texts += widget_strings(job.widget)
    texts += [text for pair in run.snapshots for text in pair]
    return texts


def attributes(page: str, name: str) -> list[str]:
    return re.findall(rf'\b{name}\s*=\s*"([^"]*)"', page, flags=re.IGNORECASE)


def check_html(page: str) -> None:
    """Escaped, not linked, not executed: no script, no event handler, no inline SVG, and
    links and sources only to http(s) (images: embedded data URIs)."""
    lowered = page.lower()
    assert "<script" not in lowered and "<svg" not in lowered and "<iframe" not in lowered
    tags = re.findall(r"<[a-z][^>]*>", page, flags=re.IGNORECASE)
    handlers = [tag for tag in tags if re.search(r"\son[a-z]+\s*=", tag, flags=re.IGNORECASE)]
    assert not handlers, handlers
    for href in attributes(page, "href"):
        assert re.match(r"https?://", html.unescape(href)), href
    for src in attributes(page, "src"):
        assert re.match(r"data:image/(png|jpeg|svg\+xml);base64,|https?://", src), src[:80]


def gallery_cards(page: str) -> list[str]:
    return page.split('class="nbjs-asset"')[1:]


def eventually(check: Callable[[], object], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout}s")
        time.sleep(0.05)


# -- all of it together, and the media origin ------------------------------------------------------


def test_views_of_every_job_together(canary: str) -> None:
    """The batch views (table, failures, one gallery) of every job the matrix ran."""
    if not ALL_JOBS:
        pytest.skip("run with the matrix")
    from nb_jobstatus.views import BatchView

    view = BatchView(ALL_JOBS)
    pages = [static.jobs_html(ALL_JOBS), *widget_html(view)]
    for page in pages:
        check_html(page)
    texts = [*pages, static.jobs_text(ALL_JOBS), *widget_strings(view)]
    assert not [t[:200] for t in texts if canary in t]
    assert "failed" in static.jobs_text(ALL_JOBS) and "completed" in static.jobs_text(ALL_JOBS)


def test_no_credential_reaches_the_media_origin(sb: sandbox.Sandbox, canary: str) -> None:
    """The sandbox recorded every header: a key goes to the API origin only."""
    if not ALL_JOBS:
        pytest.skip("run with the matrix")
    media_requests = [r for r in sb.requests if r.origin == "media"]
    assert media_requests, "Sivi and Clipia files live on the media origin"
    for request in media_requests:
        names = {name.lower() for name in request.headers}
        assert not names & set(KEY_HEADERS), (request.path, request.headers)
        assert canary not in json.dumps(request.headers) and canary not in request.path
    napkin_files = [r for r in sb.requests if r.origin == "api" and "/file/" in r.path]
    assert napkin_files, "Napkin files are on the API origin, behind the Bearer header"


# -- a notebook that ran the failures, as saved ---------------------------------------------------


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
