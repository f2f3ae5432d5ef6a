"""The three providers, one module each. ``get(name)`` returns the provider's description."""

from __future__ import annotations

from ..errors import ConfigurationError
from ._base import Provider
from .clipia import CLIPIA
from .napkin import NAPKIN
from .sivi import SIVI

PROVIDERS: dict[str, Provider] = {p.name: p for p in (SIVI, NAPKIN, CLIPIA)}


def get(name: str) -> Provider:
    """The provider called ``name`` (case-insensitive), or a ConfigurationError."""
    provider = PROVIDERS.get(str(name).strip().lower())
    if provider is None:
        known = ", ".join(PROVIDERS)
        raise ConfigurationError(f"unknown provider {name!r}: choose one of {known}")
    return provider


__all__ = ["PROVIDERS", "Provider", "get"]
