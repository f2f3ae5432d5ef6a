"""``watch``: follow one request (or several) in the background, reusing a running job."""

from __future__ import annotations

import threading
import weakref

from . import poller
from .core.errors import ConfigurationError
from .core.providers import get as get_provider
from .http import Client, client_for
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
    provider: str,
    request_id: str | list[str] | tuple[str, ...],
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    interval: float | None = None,
    timeout: float | None = None,
    display: bool = True,
) -> Job | JobList:
    """Follow a request in the background and return its ``Job`` at once.

    With a list of ids, returns a list of jobs shown together in one table and gallery.
    Watching the same provider and id again reuses the running job (a finished one is
    replaced by a fresh one). Every id is validated before any request is sent.
    """
    spec = get_provider(provider)
    single = not isinstance(request_id, (list, tuple))
    ids = [request_id] if single else list(request_id)
    ids = [spec.check_id(one) for one in ids]
    for name, value in (("interval", interval), ("timeout", timeout)):
        if value is not None and not value > 0:  # also refuses NaN
            raise ConfigurationError(f"{name} must be a positive number of seconds")
    client = client_for(spec.name, api_key, base_url)
    found = JobList(_watch_one(client, one, interval, timeout) for one in ids)
    if display:
        from .views import show

        show(found[0] if single else found)
    return found[0] if single else found


def _watch_one(
    client: Client, request_id: str, interval: float | None, timeout: float | None
) -> Job:
    key = (client.provider.name, request_id)
    with _lock:
        running = _registry.get(key)
        if running is not None and not running.done and running.client is client:
            return running
        job = Job(client, request_id, interval=interval, timeout=timeout, engine=poller.engine())
        _registry.pop(key, None)
        _registry[key] = job
    if running is not None and not running.done:
        running.cancel()  # same request with another key or base URL: replace it
    return job.start()
