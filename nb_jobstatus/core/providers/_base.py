"""What a provider module describes: URLs, auth, id format and the parse of its JSON. No I/O."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..errors import ConfigurationError, ResponseError
from ..model import State, Status

UUID_RE = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


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
    docs_url: str = ""

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


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def as_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def clamp_progress(value: Any) -> float | None:
    number = as_float(value)
    return None if number is None else max(0.0, min(100.0, number))
