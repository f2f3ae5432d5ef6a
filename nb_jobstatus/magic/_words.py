"""What the words on a ``%jobstatus`` line mean: ``[PROVIDER] REQUEST_ID...`` and ``--base-url``."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from IPython.core.error import UsageError

from .._api import jobs
from .._targets import base_of, reference, resolve
from ..core.providers import PROVIDERS

Targets = tuple[str, list[str], str | None]  # provider, request ids, base URL
NAME_LIKE = re.compile(r"[a-z]+")  # a lower-case word: a name, not a request id


def resolve_targets(words: Sequence[str], base_url: str | None) -> Targets:
    """(provider, request ids, base URL) from ``[PROVIDER] ID...`` and ``--base-url``.
    Mistakes are ConfigurationError (one-line UsageErrors in the magic)."""
    words = list(words)
    named = provider_word(words[0], more=len(words) > 1)
    if named:
        words.pop(0)
    if not words:
        raise UsageError(f"give a request id: %jobstatus {named} REQUEST_ID")
    known = jobs()
    targets = [reference(word, known) for word in words]
    in_use = [base_of(job) for job in known]
    return resolve(named, targets, base_url, in_use, option="--base-url ")


def provider_word(word: str, more: bool) -> str | None:
    """The provider the first word names, if any. A first word of several that reads like a
    name (``midjourney ID``, ``sivvi ID``) but is no provider is a UsageError."""
    if word.lower() in PROVIDERS:
        return word.lower()
    near = difflib.get_close_matches(word.lower(), PROVIDERS, n=1, cutoff=0.75)
    if more and (near or NAME_LIKE.fullmatch(word)):
        hint = f" (did you mean {near[0]}?)" if near else ""
        choices = ", ".join(PROVIDERS)
        raise UsageError(f"{word!r} is not a provider{hint}: nb_jobstatus follows {choices}")
    return None
