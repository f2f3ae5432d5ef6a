"""A local HTTP server on 127.0.0.1 that plays Sivi, Napkin and Clipia, with scripted scripted.

::

    from nb_jobstatus import sandbox

    with sandbox.start() as sb:               # two ports: the API origin and a media origin
        rid = sb.add_job("clipia", duration=2, images=2, faults=["429:1", "malformed"])
        sb.base_url("clipia")                 # "http://127.0.0.1:P/clipia"
        ...                                   # poll it with any HTTP client
        sb.requests                           # every request both origins saw, with headers

From a shell: ``python -m nb_jobstatus.sandbox --port 8765 [--rtt 150 --jitter 20 ...]``.
``sb.use()`` points the ``*_BASE_URL`` and key variables of nb_jobstatus at the sandbox.
``sandbox.in_memory()`` has the same methods without a socket (see :mod:`.memory`).

Network
-------
Loopback by default (about 1 ms a request). ``start(network=...)`` or ``sb.set_network(...)``
plays a real one, per origin ("api", "media"): ``rtt`` (s), ``jitter`` (s, uniform ±),
``processing`` (s), ``bandwidth`` (bytes/s, for bodies). A request waits rtt/2 before it is
handled (its answer's facts are those of that moment), then processing + rtt/2 before its
answer arrives; a new connection costs one more round trip. See :mod:`.network`.

    start(network={"rtt": 0.15, "jitter": 0.02})                 # both origins
    start(network={"api": Link(rtt=0.15), "media": Link(rtt=0.05, bandwidth=2e6)})
    sb.set_network(origin="media", bandwidth=500_000)            # change one field, live
    sb.finishes_at(rid)                # the monotonic moment the job reaches its outcome

Jobs
----
Time 0 is ``add_job`` (or, for a typed id, the first request naming it). A job is queued for
``queue`` seconds, runs for ``duration`` seconds (default 5; a Napkin job without one takes
what its format, size and visual count would: see ``scripted.napkin_duration``), then ends
with ``outcome``: ``completed``
(Sivi says ``"completed"``; ``outcome="complete"`` makes it say ``"complete"``, the other
documented word), ``failed`` (with ``reason``), ``canceled`` (Clipia only), ``expired`` (410 on
status and files from then on). ``expire_after=S``: a completed job answers 410 S seconds after
completing (Napkin's 30-minute expiry). ``overrides`` is merged into every status body (into
``body`` for Sivi), e.g. ``{"shareLink": "javascript:alert(1)"}``.

Progress (``progress=``): "linear" (the default but on Clipia), "ease", "none" (a blind job),
"stepped", or a ``ProgressScript(curve, steps, load, finalize, finalize_percent, jitter,
stall)``: a load phase at 0 %, ``steps`` integer-percent steps whose times vary by ``± jitter``
(seeded per job: ``seed=``, by default from the request id), one ``stall=(at, seconds)``, and
a finalize phase held at ``finalize_percent`` before the outcome; load, finalize and the stall
are seconds inside ``duration``. Clipia's default agrees with its logs: load for the first
tenth, 28 steps (a log line per step), upload for the last 5 %. See :mod:`.timeline`.

Outputs (Clipia): ``images=N`` (WebP ``url`` and PNG ``original_url``), ``video=True`` (a real
H.264 MP4, 160 × 96, 5 s: see :mod:`.video`), ``audio="speech"`` or ``"music"`` (WAV files;
``output.audio`` and ``output.audios[]``, ``tracks=N`` for music, default 2; images default
to 0 then), ``extra_output={"text": ...}`` (keys nobody documented), ``warnings=["seed"]``
(``unknown_parameter`` warnings in the result). ``cost`` is whole credits: the reserve while
running, the charge once completed, 0 for FAILED and CANCELED.

Typed ids
---------
Ids that a person can type; any other unknown id gets the provider's documented 404 (Napkin: 400
for an id that is not a UUID). A typed job is queued for the first fifth of its seconds.

    provider  typed id
    --------  -------------------------------------------------------------------------
    Sivi      demo-ok-5s, demo-fail-3s, demo-expire-4s, demo-complete-5s; an optional
              -Nimg (demo-ok-8s-4img), then an optional free -tag (demo-ok-5s-x7)
    Napkin,   a UUID. First group: the outcome in hex, 600d0000 completed, fa11ed00
    Clipia    failed, ca9ce1ed canceled (Clipia only), dead0000 expired. Second group:
              the seconds in decimal. Third group: 4NNN, the image count in decimal.
              The rest is free. 600d0000-0005-4002-8000-000000000001 completes after
              5 s with 2 images.

``sb.demo_id(provider, outcome, seconds, images)`` makes a fresh one (with a random free part).

Faults
------
``faults=[...]``: one is consumed per status request of the job, in order (on Clipia per
request to either endpoint); once they are spent, normal answers.

    fault               answer
    ------------------  -------------------------------------------------------------------
    "429", "429:S"      429 with Retry-After: S (default 1; fractions allowed, for fast tests)
    "429-date:S"        429 with Retry-After as an HTTP date S seconds ahead (rounded up)
    "429-bare"          429 without Retry-After (Napkin: nor retry_after in the body)
    "429-body:S"        429 without the header; Napkin's body says retry_after: S
    "500" "502" "503"   that status with the provider's error body
    "504" "401" "403"
    "404" "410"
    "slow:S"            wait S seconds, then the normal answer (of that moment)
    "malformed"         200, application/json, invalid JSON
    "truncated"         Content-Length larger than the body sent, then the connection closes
    "html"              502 text/html proxy error page
    "html-200"          200 with an HTML page
    "drop"              close the connection without an answer (recorded with status None)
    "wrong-shape"       200 with valid JSON of the wrong shape (a list)
    "envelope-500"      Sivi only: HTTP 200 with {"status": 500, "body": {"message": ...}}
    "unknown-status"    the normal body, its status replaced by "paused_by_operator"
    "null-lists"        the normal body with variations / generated_files / images / logs null
    "missing-progress"  the normal body without progress

Hostile faults (untrusted numbers, slow or huge bodies, the key echoed back; :mod:`.hostile`):

    fault                  answer
    ---------------------  ----------------------------------------------------------------
    "retry-after:VALUE"    429 whose Retry-After header is VALUE as given: "inf", "-1",
                           "1000000000", "120s", "Fri, 01 Jan 2100 00:00:00 GMT", ...
    "retry-after-body:T"   Napkin: 429 whose body's retry_after is the raw JSON text T
    "raw:FIELD=TEXT"       the normal body with FIELD (in Sivi's body) set to the raw JSON
                           TEXT: "raw:progress=1e309", "raw:queue_position=NaN", 'raw:x="²"'
    "drip:S"               the normal answer, its body sent one byte every S seconds
    "huge:MB"              the normal body padded to MB MiB (a "padding" string), streamed
    "deep:N"               the normal body with a "deep" list nested N deep
    "echo-key"             401 whose message holds the presented key (plain)
    "echo-key-json"        ... JSON-escaped: every character a \\uXXXX escape, "/" as "\\/"
    "echo-key-percent"     ... percent-encoded: every byte %XX
    "echo-key-header"      502 text/plain whose Content-Type header holds the key
    "echo-key-at:N"        500 text/plain whose body holds the key at character offset N

Scripted 429s and the rate limiter's 429s carry each provider's documented body (Napkin's with
limit, window, reset_time and, unless bare, retry_after).

Media faults
------------
``media_faults={image index: fault}``: on every download of that file (for Clipia both its
WebP and its PNG; for Sivi the variation, not its options).

    media fault   answer
    ------------  ------------------------------------------------------------------
    "404"         404 from the file host
    "not-image"   HTML bytes sent with the image content type
    "truncated"   the first half of the valid file (with a matching Content-Length)
    "bomb"        a 300-byte PNG whose IHDR declares 60000 x 60000 pixels
    "huge"        64 MiB streamed in chunks as image/png
    "svg-script"  an SVG with <script>alert(1)</script> and an onload attribute

Where files live: Sivi JPEGs on the media origin (no key); Napkin PNG / SVG / pptx files on the
API origin behind ``Authorization: Bearer``; Clipia WebP (``url``) and PNG (``original_url``),
the ``video/mp4`` and the ``audio/wav`` tracks, on the media origin. Pictures are drawn with
Pillow at exactly the declared size, on first download, and cached.

Keys and limits: ``keys={"sivi": "..."}`` makes that provider answer 401 to a missing or wrong
key (otherwise any key or none passes on status endpoints; Napkin files always want a Bearer).
A Clipia key starting ``clipia_test_`` sees every request COMPLETED at once with one mock image.
``rate_limits={"sivi": (50, 60.0)}``: a sliding window per (provider, key), then the
provider's documented 429.
"""

from __future__ import annotations

from collections.abc import Callable

from . import scripted
from .app import App, RecordedRequest
from .control import Controls, EnvironmentPatch, Sandbox
from .memory import API_ORIGIN, MEDIA_ORIGIN, MemorySandbox, MemoryTransport
from .network import Link, LinkSpec, Network
from .responses import Origins
from .server import Server
from .timeline import ProgressScript, stepped

__all__ = [
    "Controls",
    "EnvironmentPatch",
    "Link",
    "MemorySandbox",
    "MemoryTransport",
    "ProgressScript",
    "RecordedRequest",
    "Sandbox",
    "in_memory",
    "start",
    "stepped",
]

NetworkSpec = LinkSpec | dict[str, LinkSpec]


def start(
    port: int = 0,
    media_port: int = 0,
    *,
    keys: dict[str, str] | None = None,
    rate_limits: dict[str, tuple[int, float]] | None = None,
    network: NetworkSpec = None,
    clock: Callable[[], float] | None = None,
) -> Sandbox:
    """Start the sandbox in background threads (port 0: any free port) and return it.
    ``clock``: the monotonic clock the jobs' timelines follow (default ``time.monotonic``)."""
    app = _app(keys, rate_limits, network, clock)
    api = Server(port, app, "api")
    try:
        media = Server(media_port, app, "media")
    except OSError:
        api.server_close()
        raise
    app.origins = Origins(api.url, media.url)
    return Sandbox(app, api, media)


def in_memory(
    *,
    keys: dict[str, str] | None = None,
    rate_limits: dict[str, tuple[int, float]] | None = None,
    network: NetworkSpec = None,
    clock: Callable[[], float] | None = None,
    api_origin: str = API_ORIGIN,
    media_origin: str = MEDIA_ORIGIN,
) -> MemorySandbox:
    """The sandbox without sockets: ``.transport`` (a MemoryTransport) reaches it. ``clock``:
    the monotonic clock the jobs' timelines follow (default ``time.monotonic``)."""
    app = _app(keys, rate_limits, network, clock)
    app.origins = Origins(api_origin.rstrip("/"), media_origin.rstrip("/"))
    return MemorySandbox(app)


def _app(
    keys: dict[str, str] | None,
    rate_limits: dict[str, tuple[int, float]] | None,
    network: NetworkSpec,
    clock: Callable[[], float] | None = None,
) -> App:
    for provider in [*(keys or {}), *(rate_limits or {})]:
        scripted.check_provider(provider)
    if clock is None:
        return App(keys, rate_limits, network=Network(network))
    return App(keys, rate_limits, network=Network(network), clock=clock)
