"""What a submit call returned, whichever provider: its request id, status URL and provider.

Accepted forms:

- an object with a ``request_id`` attribute (and ``status_url``, ``response_url``): the
  Clipia SDK's ``SubmitResponse``;
- a dict from a provider's submit call: ``request_id``, ``requestId`` or ``id`` (and
  ``status_url`` / ``statusUrl`` / ``response_url``); Sivi's envelope ``{"status", "body":
  {"requestId"}}`` too;
- a status URL (or a Clipia result URL, a Napkin file URL).

The provider is inferred from the status URL's documented path when there is one (Sivi's
envelope names Sivi); otherwise it is None and the caller asks for it. Whether the key may go
to the URL's host is the caller's decision: ``status_url`` is only what was returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from ..errors import ConfigurationError
from . import UrlMatch, match_url

ID_KEYS = ("request_id", "requestId", "id")
URL_KEYS = ("status_url", "statusUrl", "response_url", "responseUrl")


class Submission(NamedTuple):
    """A request to follow: its provider when known, its id and the URL it was returned with."""

    provider: str | None
    request_id: str
    status_url: str | None = None
    base_url: str | None = None  # the API base the URL names (untrusted until checked)


def from_submission(obj: object) -> Submission:
    """The Submission ``obj`` describes; ConfigurationError (one line) when it is none of the
    accepted forms."""
    if isinstance(obj, str):
        return _from_url(obj)
    if isinstance(obj, Mapping):
        body = _sivi_body(obj)
        return _from_fields(body, obj, "sivi" if body is not obj else None)
    if isinstance(getattr(obj, "request_id", None), str):
        fields = {key: getattr(obj, key, None) for key in ("request_id", *URL_KEYS)}
        return _from_fields(fields, obj, None)
    raise ConfigurationError(
        f"cannot follow a {type(obj).__name__}: pass a request id with its provider, a status "
        "URL, or what submit returned (with request_id / id / requestId)"
    )


def _from_url(url: str) -> Submission:
    found = match_url(url.strip())  # a Sivi status URL without its requestId: raises
    if found is None:
        raise ConfigurationError(
            f"{url[:200]!r} is not a Sivi, Napkin or Clipia status URL: pass the provider "
            "and the request id"
        )
    return Submission(found.provider.name, found.request_id, url.strip(), found.base_url)


def _sivi_body(data: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """Sivi answers in an envelope: its ``body`` holds the requestId."""
    body = data.get("body")
    if isinstance(data.get("status"), int) and isinstance(body, Mapping) and "requestId" in body:
        return body
    return data


def _from_fields(fields: Mapping[Any, Any], obj: object, provider: str | None) -> Submission:
    request_id = next((fields[k] for k in ID_KEYS if isinstance(fields.get(k), str)), None)
    if not request_id or not request_id.strip():
        raise ConfigurationError(
            f"this {type(obj).__name__} has no request id (request_id, requestId or id)"
        )
    url = next((fields[k] for k in URL_KEYS if isinstance(fields.get(k), str)), None)
    found = _quiet_match(url) if url else None
    if found is not None and found.request_id != request_id:
        found = None  # a URL naming another request says nothing about this one
    if found is None:
        return Submission(provider, request_id, url)
    return Submission(found.provider.name, request_id, url, found.base_url)


def _quiet_match(url: str) -> UrlMatch | None:
    try:
        return match_url(url.strip())
    except ConfigurationError:
        return None
