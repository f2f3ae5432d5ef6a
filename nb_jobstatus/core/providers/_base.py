"""What a provider module describes: URLs, auth, id format, the URLs a user may paste, hints
for the polling policy and the parse of its JSON. No I/O."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

from ..errors import ConfigurationError, ResponseError
from ..model import State, Status
from ._values import MAX_URL

UUID_RE = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


def no_match(_: str) -> tuple[str, str] | None:
    """For a provider whose URLs nobody pastes."""
    return None


def no_design(_: object) -> str | None:
    """For providers without design links."""
    return None


@dataclass(frozen=True)
class Provider:
    """Everything nb_jobstatus needs to know about one provider's status API."""

    name: str
    title: str
    base_url: str
    key_env: tuple[str, ...]
    base_env: str
    id_re: re.Pattern[str]
    id_hint: str
    status_url: Callable[[str, str], str]
    auth_headers: Callable[[str], dict[str, str]]
    curl_header: str  # the auth header for curl, with the key as "{env}"
    parse: Callable[[str, Any], Status]
    error_detail: Callable[[Any], tuple[str | None, str | None]]
    envelope_status: Callable[[Any], int | None] = lambda data: None
    result_url: Callable[[str, str], str] | None = None
    parse_result: Callable[[Status, Any], Status] | None = None
    rate_limit: tuple[int, float] | None = None  # documented requests per window (s)
    test_key_prefix: str | None = None  # keys of the provider's own test mode
    # URLs a user may paste: (API base, request id) for this provider's forms, else None
    match_url: Callable[[str], tuple[str, str] | None] = no_match
    # a link to a design in the provider's app (a design id, not a request id), else None
    design_id_of: Callable[[str], str | None] = no_design
    # the design id a status names (to find the request behind a pasted design link)
    design_id_in: Callable[[Status], str | None] = no_design
    # hints for the polling policy
    reports_progress: bool = True  # a percentage while running
    reports_queue: bool = True  # a place or a wait while queued (False: "pending" is all it says)
    expires_after: float | None = None  # seconds after which status and file URLs are gone
    # what kind of output a request asks for (jobs alike teach the policy about each other)
    kind_of: Callable[[Status | None], str] = lambda status: "any"

    def key_variable(self) -> str | None:
        """The environment variable holding this provider's key, if one is set."""
        return next((name for name in self.key_env if os.environ.get(name)), None)

    def check_id(self, request_id: object) -> str:
        """The id, or ConfigurationError before any request is sent."""
        if not isinstance(request_id, str) or not self.id_re.fullmatch(request_id):
            shown = repr(request_id)[:80]
            raise ConfigurationError(
                f"{self.title} request id {shown} is malformed: expected {self.id_hint}",
                provider=self.name,
            )
        return request_id


def path_id(request_id: str) -> str:
    """A request id percent-encoded for a URL path, whatever it contains."""
    return quote(request_id, safe="")


def state_of(raw_status: object, table: Mapping[str, State]) -> State:
    """The State a provider's status string maps to; anything else is UNKNOWN, never an error."""
    return table.get(raw_status, State.UNKNOWN) if isinstance(raw_status, str) else State.UNKNOWN


def require_dict(data: Any, what: str) -> dict[str, Any]:
    """``data`` if it is a JSON object, else ResponseError (wrong shape)."""
    if not isinstance(data, dict):
        raise ResponseError(f"expected a JSON object for {what}, got {type(data).__name__}")
    return data


def as_list(value: Any) -> list[Any]:
    """A documented list that may arrive as null or as something else: always a list."""
    return value if isinstance(value, list) else []


# -- URLs a user pastes ---------------------------------------------------------------------

_ODD_URL = re.compile(r"[^\x21-\x7e]|\\")  # whitespace, controls, non-ASCII, backslash


def split_url(url: object) -> SplitResult | None:
    """An http(s) URL split into parts, or None for anything on which URL parsers could
    disagree (whitespace, control or non-ASCII characters, backslashes, a percent sign in
    the host). A ``user:password@`` is dropped: it never goes into a base URL."""
    if not isinstance(url, str) or len(url) > MAX_URL or _ODD_URL.search(url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return None
    host = parts.netloc.rpartition("@")[2]
    if parts.scheme.lower() not in ("http", "https") or not host or "%" in host:
        return None
    return parts._replace(netloc=host)


def match_path(url: object, pattern: re.Pattern[str]) -> tuple[str, re.Match[str]] | None:
    """(API base, match) when the URL's path is ``{base path}`` + what ``pattern`` matches;
    ``pattern`` must have a ``base`` group for the path before the documented part."""
    parts = split_url(url)
    match = pattern.fullmatch(parts.path) if parts else None
    if parts is None or match is None:
        return None
    return f"{parts.scheme.lower()}://{parts.netloc}{match['base']}", match
