"""The three providers, one module each. ``get(name)`` returns the provider's description;
``match_url(url)`` says which provider a pasted URL belongs to."""

from __future__ import annotations

from typing import NamedTuple

from ..errors import ConfigurationError
from ._base import Provider
from .clipia import CLIPIA
from .napkin import NAPKIN
from .sivi import SIVI

PROVIDERS: dict[str, Provider] = {p.name: p for p in (SIVI, NAPKIN, CLIPIA)}


class UrlMatch(NamedTuple):
    """What a pasted status (or result, or file) URL names. ``base_url`` is the base the URL
    was pasted from: whether the key may go there is the caller's decision."""

    provider: Provider
    base_url: str
    request_id: str


def get(name: str) -> Provider:
    """The provider called ``name`` (case-insensitive), or a ConfigurationError."""
    provider = PROVIDERS.get(str(name).strip().lower())
    if provider is None:
        known = ", ".join(PROVIDERS)
        raise ConfigurationError(f"unknown provider {name!r}: choose one of {known}")
    return provider


def match_url(url: str) -> UrlMatch | None:
    """The provider, API base and request id of a URL of one of the providers' documented
    forms, or None (ConfigurationError for a provider's form that lacks the id)."""
    for provider in PROVIDERS.values():
        found = provider.match_url(url)
        if found is not None:
            return UrlMatch(provider, *found)
    return None


def design_link(url: str) -> tuple[Provider, str] | None:
    """(provider, design id) of a link into a provider's app (Sivi's ``#/design/<id>``)."""
    for provider in PROVIDERS.values():
        design = provider.design_id_of(url)
        if design is not None:
            return provider, design
    return None


__all__ = ["PROVIDERS", "Provider", "UrlMatch", "design_link", "get", "match_url"]
