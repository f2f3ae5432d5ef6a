"""One provider with one key: status requests, the errors they map to, and downloads.

Every request goes through a :class:`~.transport.Transport` (aiohttp on the engine's loop, or
the sandbox in memory). The key goes only to the API's own origin, decided by ``core.urls`` with
the parser that makes the connection; every body is capped and decoded strictly; every text
that leaves in an error is redacted before it is cut.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from . import downloads
from . import engine as engine_module
from .budget import MAX_RETRIES, backoff, body_retry_after, parse_retry_after
from .downloads import DOWNLOAD_LIMIT, Download
from .errors import JobStatusError, ResponseError, TransportError, error_for_status
from .jsonbody import decode
from .model import State, Status
from .providers import Provider
from .redact import found_in, redact_cut, redact_json
from .transport import Reply, TooLarge, Transport, Unreachable
from .urls import curl_command, origin_text, same_origin

STATUS_LIMIT = 8 * 2**20  # bytes: a status or result body past this is refused
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Answer:
    """One completed status request: its status and what it cost."""

    status: Status
    http_status: int
    duration: float


class Client:
    """Talks to one provider with one key. Never shows the key in its repr."""

    def __init__(
        self, provider: Provider, key: str, base_url: str, budget: Any, transport: Transport | None
    ) -> None:
        self.provider = provider
        self.base_url = base_url
        self.budget = budget
        self._key = key
        self._transport = transport
        self.test_mode = bool(provider.test_key_prefix and key.startswith(provider.test_key_prefix))
        self.origin = origin_text(base_url)  # scheme://host:port
        self.sent = 0  # status and result requests sent so far (for measures)
        self._api_headers = {"Accept": "application/json", **provider.auth_headers(key)}

    def __repr__(self) -> str:
        return f"<Client {self.provider.name} {self.base_url}>"

    @property
    def transport(self) -> Transport:
        return self._transport or engine_module.here().transport

    @property
    def key_env(self) -> str:
        """The environment variable the key is read from (for curl commands)."""
        return self.provider.key_variable() or self.provider.key_env[0]

    def curl(self, request_id: str) -> str:
        """A copy-paste curl command for the status call; the key stays in its variable."""
        url = self.provider.status_url(self.base_url, request_id)
        return curl_command(url, self.provider.curl_header, self.key_env)

    def credentials_for(self, url: str) -> dict[str, str]:
        """The auth header, but only for the provider's own origin."""
        return self.provider.auth_headers(self._key) if same_origin(url, self.base_url) else {}

    # -- status ------------------------------------------------------------------------------

    async def fetch_status(self, request_id: str, timeout: float = 30.0) -> Answer:
        """One status request (and, for Clipia once terminal, the result). No retry here: a
        failure raises a JobStatusError whose ``retryable`` and ``retry_after`` say more."""
        status_url, result_url = self._urls(request_id)
        started = time.monotonic()
        http_status, data = await self._get_json(status_url, request_id, timeout)
        status = self._parse(self.provider.parse, request_id, http_status, data)
        if status.state.terminal and result_url:
            left = max(0.1, timeout - (time.monotonic() - started))
            result = await self._get_json(result_url, request_id, left)
            status, http_status = self._with_result(status, request_id, *result)
        return self._answer(status, http_status, started)

    async def fetch_result(self, request_id: str, timeout: float, last: Status) -> Answer:
        """Only the result, once the finish may have come (``last``: the latest status, at
        100 %): a terminal result is the end in one request and one round trip; a 202 says
        not yet, and ``last`` stands (still at 100 %: what a status would have said). A
        result that says neither, or a provider without one: the status is asked."""
        _, result_url = self._urls(request_id)
        if result_url is None:
            return await self.fetch_status(request_id, timeout)
        started = time.monotonic()
        http_status, data = await self._get_json(result_url, request_id, timeout)
        if http_status == 202:
            return self._answer(replace(last, raw=data), 202, started)
        ended = self._ended(last, request_id, data)
        if ended is None:
            return await self.fetch_status(
                request_id, max(0.1, timeout - (time.monotonic() - started))
            )
        return self._answer(*self._with_result(ended, request_id, http_status, data), started)

    def _ended(self, last: Status, request_id: str, data: Any) -> Status | None:
        """``last`` in the terminal state a result body reports; None if it reports none."""
        try:
            reported = self.provider.parse(request_id, data)
        except ResponseError:
            return None
        if not reported.state.terminal:
            return None
        return replace(last, state=reported.state, provider_status=reported.provider_status)

    def _answer(self, status: Status, http_status: int, started: float) -> Answer:
        if self.test_mode:
            status = replace(status, test_mode=True)
        return Answer(status, http_status, time.monotonic() - started)

    def _urls(self, request_id: str) -> tuple[str, str | None]:
        """The status URL and, for a provider with a separate result, the result URL."""
        spec, base = self.provider, self.base_url
        request_id = spec.check_id(request_id)
        found = spec.result_url if spec.parse_result else None
        return spec.status_url(base, request_id), found(base, request_id) if found else None

    def _with_result(
        self, status: Status, request_id: str, http_status: int, data: Any
    ) -> tuple[Status, int]:
        assert self.provider.parse_result
        if http_status == 202:  # terminal on /status, result not written yet: poll again
            return replace(status, state=State.RUNNING), http_status
        parse_result = self.provider.parse_result
        merged = self._parse(
            lambda _, body: parse_result(status, body), request_id, http_status, data
        )
        return merged, http_status

    def _parse(
        self, parse_fn: Callable[[str, Any], Status], request_id: str, http_status: int, data: Any
    ) -> Status:
        """``parse(request_id, data)``; JSON of the wrong shape becomes a retryable
        ResponseError that says which provider, request and HTTP status it came from."""
        try:
            return parse_fn(request_id, data)
        except ResponseError as error:
            self._tag(error, request_id, http_status)
            error.body = redact_cut(_json_text(data), 500)
            error.retryable = True
            raise

    async def _get_json(self, url: str, request_id: str, timeout: float) -> tuple[int, Any]:
        reply = await self._send(url, request_id, timeout)
        data, why = None, "a body that is not JSON"
        if reply.content:
            try:
                data = decode(reply.content, what=f"the {self.provider.title} answer")
            except ResponseError as error:
                why = f"a body that is not JSON: {error.message}"
        if data is None and reply.status not in (202, 204):
            raise self._error(reply, request_id, why)
        if data is not None and found_in(reply.content.decode("utf-8", "replace")):
            data = redact_json(data)  # a key echoed in any form (raw, \\u-escaped...) is masked
        effective = self.provider.envelope_status(data) or reply.status
        if reply.status >= 300 or effective >= 300:
            raise self._status_error(reply, data, effective, request_id)
        return reply.status, data

    async def _send(self, url: str, request_id: str, timeout: float) -> Reply:
        """A status or result request: its URL is built on the checked base URL, so the key
        goes with it (no URL parse per poll; downloads decide per URL)."""
        headers = self._api_headers
        self.sent += 1
        try:
            return await self.transport.get(url, headers, timeout=timeout, limit=STATUS_LIMIT)
        except Unreachable as error:
            raise self.transport_error(error, request_id) from None
        except TooLarge as error:
            failure = ResponseError(
                f"{self.provider.title} answered with {error}", code="too_large"
            )
            raise self._tag(failure, request_id, None) from None

    # -- errors ------------------------------------------------------------------------------

    def _tag(self, error: JobStatusError, request_id: str, http_status: int | None) -> Any:
        error.provider, error.request_id = self.provider.name, request_id or None
        error.http_status = http_status
        return error

    def transport_error(self, error: Unreachable, request_id: str) -> TransportError:
        kind = "timed out" if error.timed_out else "failed"
        failure = TransportError(
            f"{self.provider.title} request {kind}: {redact_cut(str(error), 300)}"
        )
        failure.retryable = True
        return self._tag(failure, request_id, None)  # type: ignore[no-any-return]

    def _error(self, reply: Reply, request_id: str, what: str) -> JobStatusError:
        snippet = redact_cut(reply.content[:4096].decode("utf-8", "replace"), 200)
        kind = redact_cut(reply.headers.get("content-type") or "no content type", 100)
        error = ResponseError(
            f"{self.provider.title} answered HTTP {reply.status} with {what} ({kind}): {snippet!r}",
            body=snippet,
        )
        self._tag(error, request_id, reply.status)
        error.retryable = reply.status in RETRY_STATUSES or reply.status < 300
        error.retry_after = parse_retry_after(reply.headers.get("retry-after"))
        return error

    def _status_error(
        self, reply: Reply, data: Any, status: int, request_id: str
    ) -> JobStatusError:
        code, message = self.provider.error_detail(data)
        reason = redact_cut(message or reply.reason or "error", 300)
        where = "" if status == reply.status else f" inside HTTP {reply.status}"
        error = error_for_status(status)(
            f"{self.provider.title} answered {status}{where} for request {request_id}: {reason}",
            code=code if code is None else redact_cut(code, 100),
            body=redact_cut(_json_text(data), 500) if data is not None else None,
        )
        self._tag(error, request_id, status)
        error.retryable = status in RETRY_STATUSES
        header = parse_retry_after(reply.headers.get("retry-after"))
        error.retry_after = header if header is not None else body_retry_after(data)
        return error

    def retry_delay(self, error: JobStatusError, attempt: int, now: float | None = None) -> float:
        """How long to wait before retry ``attempt``; a Retry-After pauses the whole key
        (from ``now`` on the engine's clock)."""
        if error.retry_after is not None:
            self.budget.pause(error.retry_after, now)
            return error.retry_after
        if error.http_status == 429:  # no word on when: slow down more than for a 5xx
            delay = backoff(attempt + 3)
            self.budget.pause(delay, now)
            return delay
        return backoff(attempt)

    # -- the blocking face -------------------------------------------------------------------

    def get_status(self, request_id: str, timeout: float = 30.0) -> Status:
        """The status, retrying 429/5xx/transport failures with backoff (blocking)."""
        return engine_module.engine().run(self.get_status_async(request_id, timeout))

    async def get_status_async(self, request_id: str, timeout: float = 30.0) -> Status:
        attempt = 0
        while True:
            await self.budget.take(time.monotonic)
            try:
                return (await self.fetch_status(request_id, timeout)).status
            except JobStatusError as error:
                if not error.retryable or attempt >= MAX_RETRIES:
                    raise
                delay = self.retry_delay(error, attempt)
            finally:
                self.budget.settle(time.monotonic())
            attempt += 1
            await asyncio.sleep(delay)

    # -- downloads ---------------------------------------------------------------------------

    def download(self, url: str, limit: int = DOWNLOAD_LIMIT, timeout: float = 60.0) -> Download:
        """A media file (blocking; see :meth:`download_async`)."""
        return engine_module.engine().run(self.download_async(url, limit, timeout))

    async def download_async(
        self, url: str, limit: int = DOWNLOAD_LIMIT, timeout: float = 60.0
    ) -> Download:
        """A media file within one deadline (see ``core.downloads``)."""
        return await downloads.fetch(self, url, limit, timeout)


def _json_text(data: Any) -> str:
    try:
        return json.dumps(data)[:20000]
    except (ValueError, TypeError, RecursionError):
        return repr(data)[:20000]
