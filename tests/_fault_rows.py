"""The fault matrix (tests/test_faults.py): one ``Row`` per fault, read left to right as
*name, provider, final state, error class, history checks, text the views show, the script*.
A new fault is one more row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from _fault_checks import (
    RETRIES,
    Check,
    all_unknown,
    at_once,
    card,
    ended_with,
    in_html,
    key_paused,
    no_files,
    no_progress,
    not_linked,
    retried,
    saw_unknown,
    showed,
    spent,
    waited,
    within_budget,
)

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

OK, FAILED = State.COMPLETED, State.FAILED

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
