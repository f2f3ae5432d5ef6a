"""``watch``: follow one request (or several, or what a submit call returned) in the background,
reusing a running job."""

from __future__ import annotations

import threading
import weakref

from ._targets import base_of, reference, resolve
from .core.client import Client
from .core.config import client_for
from .core.errors import ConfigurationError
from .core.follow import start
from .core.providers import PROVIDERS
from .core.providers import get as get_provider
from .job import Job

# Weak: a job lives while it is polled (the engine holds it), shown (its widget holds it) or
# kept by the user; the registry alone never keeps a finished job alive.
_registry: weakref.WeakValueDictionary[tuple[str, str], Job] = weakref.WeakValueDictionary()
_lock = threading.Lock()


class JobList(list[Job]):
    """The jobs of one ``watch`` (or ``%jobstatus``) with several ids: shown as one batch view,
    so a list on a cell's last line shows the view, not its repr."""

    def _ipython_display_(self) -> None:
        from .views import show

        show(list(self))


def jobs() -> list[Job]:
    """Every job watched in this kernel, oldest first."""
    with _lock:
        return list(_registry.values())


def watch(
    provider: object,
    request_id: object = None,
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    interval: float | None = None,
    timeout: float | None = None,
    display: bool = True,
) -> Job | JobList:
    """Follow a request in the background and return its ``Job`` at once.

    ``watch(provider, request_id)``, or ``watch(what_submit_returned)``: an object with
    ``request_id`` and ``status_url`` (the Clipia SDK's ``SubmitResponse``), a dict with
    ``request_id`` / ``id`` / ``requestId`` (and ``status_url``), or a status URL; the provider
    is then read from the URL (or is the only one with a key). The key goes only to the
    provider's own API, the configured base, or loopback (else pass ``base_url=``).

    With a list, returns a list of jobs shown together in one table and gallery. Watching the
    same provider and id again reuses the running job (a finished one is replaced by a fresh
    one). Every id is validated before any request is sent.
    """
    named, refs = _split(provider, request_id)
    many = refs if isinstance(refs, (list, tuple)) else None
    found = [reference(one, jobs()) for one in ([refs] if many is None else many)]
    in_use = [base_of(job) for job in jobs()]
    name, ids, base = resolve(named, found, base_url, in_use)
    for label, value in (("interval", interval), ("timeout", timeout)):
        if value is not None and not value > 0:  # also refuses NaN
            raise ConfigurationError(f"{label} must be a positive number of seconds")
    client = client_for(name, api_key, base)
    watched = JobList(_watch_one(client, one, interval, timeout) for one in ids)
    if display:
        from .views import show

        show(watched[0] if many is None else watched)
    return watched[0] if many is None else watched


def _split(provider: object, request_id: object) -> tuple[str | None, object]:
    """(the provider named, the reference(s)) from watch's two positional arguments."""
    if request_id is not None:
        return get_provider(str(provider)).name, request_id
    if isinstance(provider, str) and provider.strip().lower() in PROVIDERS:
        raise ConfigurationError(f"give a request id: watch({provider!r}, REQUEST_ID)")
    return None, provider


def _watch_one(
    client: Client, request_id: str, interval: float | None, timeout: float | None
) -> Job:
    key = (client.provider.name, request_id)
    with _lock:
        running = _registry.get(key)
        if running is not None and not running.done and running.client is client:
            return running
        job = Job(client, request_id, interval=interval, timeout=timeout)
        _registry.pop(key, None)
        _registry[key] = job
    if running is not None and not running.done:
        running.cancel()  # same request with another key or base URL: replace it
    start(job)
    return job
