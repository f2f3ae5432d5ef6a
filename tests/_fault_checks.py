"""The fault matrix's checks (tests/test_faults.py): what a row's run is (``Run``), the
history column's checks, and what the views and outputs of a job are made of."""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from _fault_views import attributes, gallery_cards, widget_html

import nb_jobstatus as njs
from nb_jobstatus import sandbox
from nb_jobstatus.core import budget
from nb_jobstatus.core.errors import JobStatusError, ProviderError
from nb_jobstatus.core.model import State
from nb_jobstatus.views import static

if TYPE_CHECKING:
    from _fault_rows import Row

RETRIES = budget.MAX_RETRIES


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


def eventually(check: Callable[[], object], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout}s")
        time.sleep(0.05)
