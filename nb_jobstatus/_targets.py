"""What a pasted or returned request reference names: its provider, request id and API base.

A reference is a bare request id, a status URL (Napkin, Clipia, Sivi; a Napkin file URL, a
Clipia result URL), a Sivi design link of a job already followed, or what a submit call
returned (an object with ``request_id`` and ``status_url``, or a dict with ``request_id`` /
``id`` / ``requestId`` and ``status_url``). The key goes to the base a URL names only when that
base is the provider's own host, the configured one, one in use in this kernel, or loopback.
Mistakes are ``ConfigurationError``; the magic shows them as one-line ``UsageError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, Protocol

from .core import urls
from .core.config import resolve_base_url
from .core.errors import ConfigurationError
from .core.providers import PROVIDERS, Provider, design_link
from .core.providers import get as get_provider
from .core.providers.submission import from_submission

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class Target(NamedTuple):
    """What one reference says: maybe its provider, its request id, maybe the API base."""

    provider: str | None
    request_id: str
    base_url: str | None = None


class Followed(Protocol):
    """A job of this kernel, as far as references need it."""

    provider: str
    request_id: str
    status: Any


def base_of(job: Followed) -> str:
    """The API base a job polls (the core Job's ``base_url``; today's, its client's)."""
    found = getattr(job, "base_url", None) or getattr(job, "client", None)
    return found if isinstance(found, str) else str(getattr(found, "base_url", ""))


_designs: dict[str, Target] = {}  # Sivi design id -> its request, for jobs seen in this kernel


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) as the client connects (core.urls); ConfigurationError if unsafe."""
    try:
        return urls.origin(url)
    except urls.UnsafeURL as error:
        raise ConfigurationError(f"{url[:200]} is not a usable URL: {error}") from None


def is_url(text: object) -> bool:
    return isinstance(text, str) and text.strip().lower().startswith(("http://", "https://"))


def design_target(spec: Provider, design_id: str, known: Iterable[Followed]) -> Target:
    """The request behind a design followed in this kernel: a design link names only the
    design, and the status API takes only the request id."""
    for job in known:  # remembered, as watching it again replaces a finished job
        named = spec.design_id_in(job.status) if job.status and job.provider == spec.name else None
        if named:
            _designs[named] = Target(spec.name, job.request_id, base_of(job))
    if design_id not in _designs:
        raise ConfigurationError(
            f"this {spec.title} link names design {design_id}, not a request: paste the "
            "requestId that the generation call returned (e.g. sbhMkIZKCPp), or its status URL"
        )
    return _designs[design_id]


def reference(value: object, known: Iterable[Followed] = ()) -> Target:
    """One reference of any accepted form (see the module docstring) as a Target; the
    providers' ``from_submission`` reads every form but a design link."""
    if isinstance(value, str) and not is_url(value):
        return Target(None, value)  # as typed: a malformed id is refused, never mended
    if isinstance(value, str):
        design = design_link(value.strip())
        if design is not None:
            return design_target(*design, known)
    found = from_submission(value)
    return Target(found.provider, found.request_id, found.base_url)


def resolve(
    named: str | None,
    targets: Sequence[Target],
    base_url: str | None,
    in_use: Iterable[str],
    *,
    option: str = "base_url=",
) -> tuple[str, list[str], str | None]:
    """(provider, request ids, base URL) for references of one provider."""
    providers = {t.provider for t in targets if t.provider} | ({named} if named else set())
    if len(providers) > 1:
        found = ", ".join(sorted(providers))
        raise ConfigurationError(f"these ids belong to different providers ({found}): one per call")
    provider = providers.pop() if providers else provider_from_keys()
    spec = get_provider(provider)
    ids = [spec.check_id(t.request_id) for t in targets]
    if base_url:
        return spec.name, ids, base_url
    bases = {t.base_url for t in targets if t.base_url}
    return spec.name, ids, trusted_base(spec, bases, in_use, option=option)


def trusted_base(
    spec: Provider, bases: set[str], in_use: Iterable[str], *, option: str = "base_url="
) -> str | None:
    """The API base the pasted URLs name, if the key may go there (see the module docstring).
    While the configured base is local (a sandbox in use), the provider's real host is refused:
    its key is then meant for the sandbox."""
    if len(bases) > 1:
        raise ConfigurationError(f"the URLs point at different APIs ({', '.join(sorted(bases))})")
    if not bases:
        return None
    base, configured = bases.pop(), resolve_base_url(spec, None)
    if origin(configured)[1] in LOOPBACK and origin(base) == origin(spec.base_url):
        raise ConfigurationError(
            f"{spec.base_env} points at a local sandbox ({configured}): {base} is "
            f"{spec.title}'s real API, not sent the sandbox's key; unset {spec.base_env} (or "
            f"restore() what sb.use() returned) to follow it, or pass {option}{base}"
        )
    trusted = {origin(url) for url in (spec.base_url, configured, *in_use)}
    if origin(base) not in trusted and origin(base)[1] not in LOOPBACK:
        raise ConfigurationError(
            f"{base} is not {spec.title}'s API: add {option}{base} if you trust it"
        )
    return base


def provider_from_keys() -> str:
    """The only provider with a key set; otherwise a ConfigurationError naming the choices."""
    keyed = [name for name, spec in PROVIDERS.items() if spec.key_variable()]
    if len(keyed) == 1:
        return keyed[0]
    why = f"keys are set for {', '.join(keyed)}" if keyed else "no provider key is set"
    raise ConfigurationError(f"which provider? {why}: name one of {', '.join(PROVIDERS)}")
