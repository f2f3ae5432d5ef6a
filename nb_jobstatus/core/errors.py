"""Every error nb_jobstatus raises. All carry ``provider``, ``request_id`` and ``http_status``.

::

    JobStatusError
    ├── ConfigurationError (ValueError)   unknown provider, bad id, missing key, bad option;
    │                                     raised before any request is sent
    ├── AuthenticationError               401 / 403
    ├── NotFoundError                     404
    ├── ExpiredError                      410 (Napkin requests expire ~30 min after generation)
    ├── RateLimitError                    429, once retries are spent
    ├── ProviderError                     any other 4xx/5xx, once retries are spent
    ├── ResponseError                     a body that is not the documented JSON
    ├── TransportError                    connection failure or timeout, once retries are spent
    └── PollTimeout (TimeoutError)        the overall deadline passed before a terminal state

Messages never contain an API key: they are built from redacted text only.
"""

from __future__ import annotations


class JobStatusError(Exception):
    """Root of the error tree."""

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        request_id: str | None = None,
        http_status: int | None = None,
        code: str | None = None,
        body: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.request_id = request_id
        self.http_status = http_status
        self.code = code  # the provider's error code, when it gives one
        self.body = body  # the first bytes of the response body, redacted
        self.retryable = False  # set by the HTTP layer: may another attempt help?
        self.retry_after: float | None = None  # seconds the provider asked us to wait

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, http_status={self.http_status})"


class ConfigurationError(JobStatusError, ValueError):
    """Unknown provider, malformed request id, missing key or bad option."""


class AuthenticationError(JobStatusError):
    """The provider refused the key (401) or the request belongs to someone else (403)."""


class NotFoundError(JobStatusError):
    """The provider does not know this request id (404)."""


class ExpiredError(JobStatusError):
    """The request has expired and its status and files are gone (410)."""


class RateLimitError(JobStatusError):
    """429, still after the retries."""


class ProviderError(JobStatusError):
    """Any other 4xx or 5xx, still after the retries."""


class ResponseError(JobStatusError):
    """The body was not the documented JSON (an HTML error page, a truncated body...)."""


class TransportError(JobStatusError):
    """The connection failed or timed out, still after the retries."""


class PollTimeout(JobStatusError, TimeoutError):
    """The overall deadline passed before the request reached a terminal state."""


def error_for_status(http_status: int) -> type[JobStatusError]:
    """The error class a final HTTP status maps to."""
    if http_status in (401, 403):
        return AuthenticationError
    if http_status == 404:
        return NotFoundError
    if http_status == 410:
        return ExpiredError
    if http_status == 429:
        return RateLimitError
    return ProviderError
