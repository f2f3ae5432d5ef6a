"""Configuration: the key and base URL of a provider (argument, then environment, then default),
and the shared clients, one per provider, key and base URL, with one request budget per key."""

from __future__ import annotations

import os
import threading

from .budget import RateBudget
from .client import Client
from .errors import ConfigurationError
from .model import Status
from .providers import Provider
from .providers import get as get_provider
from .redact import register
from .transport import Transport
from .urls import check_base_url

rate_limits: dict[str, tuple[int, float] | None] = {}  # provider -> (requests, window s)
_budgets: dict[tuple[str, str], RateBudget] = {}
_clients: dict[tuple[str, str, str, int], Client] = {}
_lock = threading.Lock()


def resolve_key(provider: Provider, api_key: str | None) -> str:
    """The key: the argument, then the environment; ConfigurationError when there is none."""
    variable = provider.key_variable()
    key = api_key or (os.environ[variable] if variable else None)
    if not key:
        names = " or ".join(provider.key_env)
        raise ConfigurationError(
            f"no {provider.title} key: set {names} or pass api_key=", provider=provider.name
        )
    if not isinstance(key, str) or any(c.isspace() or ord(c) < 32 for c in key):
        raise ConfigurationError(
            f"the {provider.title} key must be one word of printable characters",
            provider=provider.name,
        )
    register(key)
    return key


def resolve_base_url(provider: Provider, base_url: str | None) -> str:
    """The base URL: the argument, then the environment, then the documented default."""
    url = base_url or os.environ.get(provider.base_env) or provider.base_url
    try:
        return check_base_url(url, provider.title)
    except ConfigurationError as error:
        error.provider = provider.name
        raise


def client_for(
    provider: str,
    api_key: str | None = None,
    base_url: str | None = None,
    *,
    transport: Transport | None = None,
) -> Client:
    """The shared client for this provider, key and base URL (one budget per key)."""
    spec = get_provider(provider)
    key = resolve_key(spec, api_key)
    base = resolve_base_url(spec, base_url)
    with _lock:
        index = (spec.name, key, base, id(transport))
        client = _clients.get(index)
        if client is None:
            limit = rate_limits.get(spec.name, spec.rate_limit)
            budget = _budgets.setdefault((spec.name, key), RateBudget(limit))
            client = _clients[index] = Client(spec, key, base, budget, transport)
        return client


def set_rate_limit(provider: str, requests_per_window: int | None, window: float = 60.0) -> None:
    """Change the request budget of a provider (e.g. Sivi's super plan: 100 a minute)."""
    spec = get_provider(provider)
    if requests_per_window is not None and not 0 < requests_per_window <= 10**7:
        raise ConfigurationError(
            "requests_per_window must be a positive number", provider=spec.name
        )
    if not 0 < window < 86400:
        raise ConfigurationError("window must be a positive number of seconds", provider=spec.name)
    limit = (int(requests_per_window), float(window)) if requests_per_window else None
    rate_limits[spec.name] = limit
    with _lock:
        for (name, _), budget in _budgets.items():
            if name == spec.name:
                budget.limit = limit


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
    if not 0 < timeout < 86400:
        raise ConfigurationError("timeout must be a positive number of seconds", provider=spec.name)
    return client_for(spec.name, api_key, base_url).get_status(request_id, timeout)
