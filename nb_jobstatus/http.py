"""The HTTP layer: status polls over keep-alive connections (``_wire``), downloads through one
``requests`` session per provider and key, explicit timeouts, retries only where a retry can
help, ``Retry-After``, a shared request budget per key, credentials scoped to the provider's own
origin, and redaction of keys from everything that leaves as text."""

from __future__ import annotations

import collections
import email.utils
import json
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from http.client import HTTPException
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

from . import _wire
from ._version import __version__
from .core.errors import (
    ConfigurationError,
    JobStatusError,
    ResponseError,
    TransportError,
    error_for_status,
)
from .core.model import State, Status
from .core.providers import Provider
from .core.providers import get as get_provider
from .core.redact import logger, redact, redact_json, register

USER_AGENT = f"nb-jobstatus/{__version__}"
CONNECT_TIMEOUT = 5.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRIES = 4
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
DOWNLOAD_LIMIT = 64 * 1024 * 1024 - 1  # bytes; a larger media file is refused
rate_limits: dict[str, tuple[int, float]] = {}  # provider -> (requests, window s) overrides


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the default port made explicit."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def backoff(attempt: int) -> float:
    """Jittered exponential backoff: about 0.5 s, 1 s, 2 s ... capped at 30 s."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)
    return random.uniform(ceiling / 2, ceiling)


def retry_after(response: _wire.Reply, data: Any = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or an HTTP date) or a ``retry_after`` body."""
    value = response.headers.get("Retry-After")
    if value:
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value) if value else None
            if when is not None:
                return max(0.0, when.timestamp() - time.time())
    if isinstance(data, dict) and isinstance(data.get("retry_after"), (int, float)):
        return max(0.0, float(data["retry_after"]))
    return None


class RateBudget:
    """Requests allowed per window for one key, and a shared pause after a 429."""

    def __init__(self, limit: tuple[int, float] | None) -> None:
        self.limit = limit
        self.paused_until = 0.0  # time.monotonic()
        self._sent: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def reserve(self, now: float | None = None) -> float:
        """Book the earliest monotonic time at or after ``now`` a request may be sent."""
        now = time.monotonic() if now is None else now
        with self._lock:
            when = max(now, self.paused_until)
            if self.limit:
                count, window = self.limit
                while self._sent and self._sent[0] <= when - window:
                    self._sent.popleft()
                if len(self._sent) >= count:  # margin: a booked request may leave a bit late
                    when = max(when, self._sent[-count] + window * 1.02 + 0.1)
                self._sent.append(when)
            return when

    def pause(self, seconds: float) -> None:
        """Hold every request of this key for ``seconds`` (after a 429 or Retry-After)."""
        with self._lock:
            self.paused_until = max(self.paused_until, time.monotonic() + seconds)


@dataclass(frozen=True)
class Answer:
    """One completed status request: its status and what it cost."""

    status: Status
    http_status: int
    duration: float


_sessions: dict[tuple[str, str], requests.Session] = {}
_budgets: dict[tuple[str, str], RateBudget] = {}
_clients: dict[tuple[str, str, str], Client] = {}
_lock = threading.Lock()


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept"] = "application/json"
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.trust_env = False  # no .netrc credentials, no proxies picked up behind our back
    return session


def resolve_key(provider: Provider, api_key: str | None) -> str:
    """The key: the argument, then the environment; ConfigurationError when there is none."""
    variable = provider.key_variable()
    key = api_key or (os.environ[variable] if variable else None)
    if not key:
        names = " or ".join(provider.key_env)
        raise ConfigurationError(
            f"no {provider.title} key: set {names} or pass api_key=", provider=provider.name
        )
    register(key)
    return key


def resolve_base_url(provider: Provider, base_url: str | None) -> str:
    """The base URL: the argument, then the environment, then the documented default."""
    url = (base_url or os.environ.get(provider.base_env) or provider.base_url).rstrip("/")
    scheme, host, _ = origin(url)
    if scheme not in ("http", "https") or not host:
        raise ConfigurationError(f"base URL {url!r} is not an http(s) URL", provider=provider.name)
    return url


def client_for(provider: str, api_key: str | None = None, base_url: str | None = None) -> Client:
    """The shared client for this provider, key and base URL (one session, one budget)."""
    spec = get_provider(provider)
    key = resolve_key(spec, api_key)
    base = resolve_base_url(spec, base_url)
    with _lock:
        client = _clients.get((spec.name, key, base))
        if client is None:
            session = _sessions.setdefault((spec.name, key), new_session())
            limit = rate_limits.get(spec.name, spec.rate_limit)
            budget = _budgets.setdefault((spec.name, key), RateBudget(limit))
            client = _clients[(spec.name, key, base)] = Client(spec, key, base, session, budget)
        return client


def set_rate_limit(provider: str, requests_per_window: int | None, window: float = 60.0) -> None:
    """Change the request budget of a provider (e.g. Sivi's super plan: 100 a minute)."""
    spec = get_provider(provider)
    limit = None if not requests_per_window else (int(requests_per_window), float(window))
    rate_limits[spec.name] = limit  # type: ignore[assignment]
    with _lock:
        for (name, _), budget in _budgets.items():
            if name == spec.name:
                budget.limit = limit


class Client:
    """Talks to one provider with one key. Never shows the key in its repr."""

    def __init__(
        self,
        provider: Provider,
        key: str,
        base_url: str,
        session: requests.Session,
        budget: RateBudget,
    ) -> None:
        self.provider = provider
        self.base_url = base_url
        self.session = session
        self.budget = budget
        self._key = key
        self.test_mode = bool(provider.test_key_prefix and key.startswith(provider.test_key_prefix))
        self._routes: dict[str, tuple[_wire.Pool, dict[str, str]]] = {}

    def __repr__(self) -> str:
        return f"<Client {self.provider.name} {self.base_url}>"

    @property
    def key_env(self) -> str:
        """The environment variable the key is read from (for curl commands)."""
        return self.provider.key_variable() or self.provider.key_env[0]

    def curl(self, request_id: str) -> str:
        """A copy-paste curl command for the status call; the key stays in its variable."""
        url = self.provider.status_url(self.base_url, request_id)
        header = self.provider.curl_header.format(env="$" + self.key_env)
        return f"curl -sS '{url}' \\\n  -H \"{header}\""

    def credentials_for(self, url: str) -> dict[str, str]:
        """The auth header, but only for the provider's own origin."""
        same = origin(url) == origin(self.base_url)
        return self.provider.auth_headers(self._key) if same else {}

    def fetch_status(self, request_id: str, timeout: float = 30.0) -> Answer:
        """One status request (and, for Clipia once terminal, the result). No retry here:
        a failure raises a JobStatusError whose ``retryable`` and ``retry_after`` say more."""
        request_id = self.provider.check_id(request_id)
        started = time.monotonic()
        url = self.provider.status_url(self.base_url, request_id)
        http_status, data = self._get_json(url, request_id, timeout)
        status = self._parse(self.provider.parse, request_id, http_status, data)
        if status.state.terminal and self.provider.result_url and self.provider.parse_result:
            status, http_status = self._with_result(status, request_id, timeout)
        if self.test_mode:
            status = replace(status, test_mode=True)
        return Answer(status, http_status, time.monotonic() - started)

    def _with_result(self, status: Status, request_id: str, timeout: float) -> tuple[Status, int]:
        assert self.provider.result_url and self.provider.parse_result
        url = self.provider.result_url(self.base_url, request_id)
        http_status, data = self._get_json(url, request_id, timeout)
        if http_status == 202:  # terminal on /status, result not written yet: poll again
            return replace(status, state=State.RUNNING), http_status
        parse_result = self.provider.parse_result
        merged = self._parse(
            lambda _, body: parse_result(status, body), request_id, http_status, data
        )
        return merged, http_status

    def _parse(
        self, parse: Callable[[str, Any], Status], request_id: str, http_status: int, data: Any
    ) -> Status:
        """``parse(request_id, data)``; JSON of the wrong shape becomes a retryable
        ResponseError that says which provider, request and HTTP status it came from."""
        try:
            return parse(request_id, data)
        except ResponseError as error:
            error.provider, error.request_id = self.provider.name, request_id
            error.http_status = http_status
            error.body = redact(json.dumps(data)[:500])
            error.retryable = True
            raise

    def get_status(self, request_id: str, timeout: float = 30.0) -> Status:
        """The status, retrying 429/5xx/transport failures with backoff (blocking)."""
        attempt = 0
        while True:
            time.sleep(max(0.0, self.budget.reserve() - time.monotonic()))
            try:
                return self.fetch_status(request_id, timeout).status
            except JobStatusError as error:
                if not error.retryable or attempt >= MAX_RETRIES:
                    raise
                delay = self.retry_delay(error, attempt)
                logger.info(
                    "%s %s: %s; retry in %.1fs", self.provider.name, request_id, error, delay
                )
                attempt += 1
                time.sleep(delay)

    def retry_delay(self, error: JobStatusError, attempt: int) -> float:
        """How long to wait before retry ``attempt``; a Retry-After pauses the whole key."""
        if error.retry_after is not None:
            self.budget.pause(error.retry_after)
            return error.retry_after
        if error.http_status == 429:  # no word on when: slow down more than for a 5xx
            delay = backoff(attempt + 3)
            self.budget.pause(delay)
            return delay
        return backoff(attempt)

    def _get_json(self, url: str, request_id: str, timeout: float) -> tuple[int, Any]:
        response = self._send(url, request_id, timeout)
        try:
            data = json.loads(response.content) if response.content else None
        except ValueError:
            data = None
        if data is None and response.status_code not in (202, 204):
            raise self._error(response, request_id, ResponseError, "a body that is not JSON")
        if data is not None and self._leaks(response):
            data = redact_json(data)
        effective = self.provider.envelope_status(data) or response.status_code
        if response.status_code >= 300 or effective >= 300:
            raise self._status_error(response, data, effective, request_id)
        return response.status_code, data

    def _leaks(self, response: _wire.Reply) -> bool:
        """Does the body echo the key? (bytes: ``response.text`` would guess a charset)"""
        return self._key.encode() in response.content

    def _route(self, url: str) -> tuple[_wire.Pool, dict[str, str], str]:
        """The pool of ``url``'s origin, the headers for it (the key only on the API's origin)
        and the request target. Kept by ``scheme://host:port`` as written: no parse per poll."""
        cut = url.find("/", url.find("//") + 2)
        prefix, target = (url, "/") if cut < 0 else (url[:cut], url[cut:].partition("#")[0])
        route = self._routes.get(prefix)
        if route is None:
            scheme, host, port = origin(url)
            headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
            pool = _wire.pool_for(scheme, host, port or 0)
            route = self._routes[prefix] = (pool, {**headers, **self.credentials_for(url)})
        return route[0], route[1], target

    def _send(self, url: str, request_id: str, timeout: float) -> _wire.Reply:
        """One status GET over a keep-alive ``http.client`` connection (see ``_wire``)."""
        pool, headers, target = self._route(url)
        try:
            return pool.get(target, headers, min(CONNECT_TIMEOUT, timeout), timeout)
        except (OSError, HTTPException) as exc:
            raise self._transport_error(exc, request_id) from None

    def _transport_error(self, exc: Exception, request_id: str) -> TransportError:
        kind = "timed out" if isinstance(exc, (requests.Timeout, TimeoutError)) else "failed"
        detail = redact(str(exc) or type(exc).__name__)[:300]
        error = TransportError(
            f"{self.provider.title} request {kind}: {detail}",
            provider=self.provider.name,
            request_id=request_id,
        )
        error.retryable = True
        return error

    def _error(
        self, response: _wire.Reply, request_id: str, cls: type[JobStatusError], what: str
    ) -> JobStatusError:
        snippet = redact(response.content[:200].decode("utf-8", "replace"))
        kind = response.headers.get("Content-Type", "no content type")
        error = cls(
            f"{self.provider.title} answered HTTP {response.status_code} with {what} "
            f"({kind}): {snippet!r}",
            provider=self.provider.name,
            request_id=request_id,
            http_status=response.status_code,
            body=snippet,
        )
        error.retryable = response.status_code in RETRY_STATUSES or response.status_code < 300
        error.retry_after = retry_after(response)
        return error

    def _status_error(
        self, response: _wire.Reply, data: Any, status: int, request_id: str
    ) -> JobStatusError:
        code, message = self.provider.error_detail(data)
        reason = redact(message or response.reason or "error")
        cls = error_for_status(status)
        where = "" if status == response.status_code else f" inside HTTP {response.status_code}"
        error = cls(
            f"{self.provider.title} answered {status}{where} for request {request_id}: {reason}",
            provider=self.provider.name,
            request_id=request_id,
            http_status=status,
            code=code,
            body=redact(json.dumps(data)[:500]) if data is not None else None,
        )
        error.retryable = status in RETRY_STATUSES
        error.retry_after = retry_after(response, data)
        return error

    def download(self, url: str, limit: int = DOWNLOAD_LIMIT, timeout: float = 60.0) -> Download:
        """A media file, with the key only on the provider's origin, following at most five
        redirects by hand (the key is dropped when a redirect leaves the origin)."""
        for _ in range(6):
            try:
                response = self.session.get(
                    url,
                    headers={"Accept": "*/*", **self.credentials_for(url)},
                    timeout=(CONNECT_TIMEOUT, timeout),
                    allow_redirects=False,
                    stream=True,
                )
                if response.is_redirect and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    response.close()
                    continue
                return read_limited(response, limit)
            except requests.RequestException as exc:
                raise self._transport_error(exc, "") from None
        raise ResponseError(f"too many redirects for {redact(url)}", provider=self.provider.name)


@dataclass(frozen=True)
class Download:
    http_status: int
    content: bytes
    content_type: str | None


def read_limited(response: requests.Response, limit: int) -> Download:
    """The body, refused past ``limit`` bytes (declared or actual)."""
    with response:
        declared = int(response.headers.get("Content-Length") or 0)
        if declared > limit:
            message = f"file of {declared:,} bytes is over the {limit:,}-byte download limit"
            raise ResponseError(message, code="too_large")
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise ResponseError(
                    f"file is over the {limit:,}-byte download limit", code="too_large"
                )
            chunks.append(chunk)
        return Download(
            response.status_code, b"".join(chunks), response.headers.get("Content-Type")
        )


def get_status(
    provider: str,
    request_id: str,
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    timeout: float = 30.0,
) -> Status:
    """One status check, with retries (for Clipia, also the result once terminal)."""
    spec = get_provider(provider)
    request_id = spec.check_id(request_id)
    return client_for(spec.name, api_key, base_url).get_status(request_id, timeout)
