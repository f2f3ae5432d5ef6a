"""``%jobstatus``: follow Sivi, Napkin and Clipia requests from one notebook line.

``%load_ext nb_jobstatus`` calls :func:`register`; ``%jobstatus?`` is the help. Defaults are
traits of :class:`JobStatusMagics` (``%config JobStatusMagics`` lists them).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import html
import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from traitlets import Bool, Float, Int, Unicode, observe

from ._api import JobList, jobs, watch
from .core.errors import ConfigurationError, JobStatusError
from .core.model import State
from .core.providers import PROVIDERS
from .core.providers import get as get_provider
from .core.providers._base import UUID_RE
from .http import origin, resolve_base_url, set_rate_limit
from .job import Job

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_UUID = UUID_RE.pattern
URL_PATHS = {  # provider -> its status (or file, or result) path: the base is what precedes it
    "napkin": re.compile(rf"(?P<base>.*)/v1/visual/(?P<id>{_UUID})(?:/status|/file/[^/]+)?/?"),
    "clipia": re.compile(rf"(?P<base>.*)/v1/requests/(?P<id>{_UUID})(?:/status)?/?"),
    "sivi": re.compile(r"(?P<base>.*)/general/get-request-status/?"),
}
SIVI_LINK = re.compile(r"/?(?:design|results)/(?P<design>[^/?&]+)")  # a Sivi app #fragment


class Target(NamedTuple):
    """What one REQUEST_ID word says: maybe its provider and the API base it was pasted from."""

    provider: str | None
    request_id: str
    base_url: str | None = None


_designs: dict[str, Target] = {}  # Sivi design id -> its request, for jobs seen in this kernel


@dataclass(frozen=True)
class Table:
    """Rows shown as an HTML table in a notebook and as aligned text elsewhere."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = ""

    def _repr_html_(self) -> str:
        if not self.rows and self.empty:
            return f"<p>{html.escape(self.empty)}</p>"
        cells = [[f"<td>{html.escape(v)}</td>" for v in row] for row in self.rows]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(f"<tr>{''.join(row)}</tr>" for row in cells)
        return f'<table class="nbjs-table"><tr>{head}</tr>{body}</table>'

    def __repr__(self) -> str:
        if not self.rows and self.empty:
            return self.empty
        lines = (self.columns, *self.rows)
        widths = [max(len(line[i]) for line in lines) for i in range(len(self.columns))]
        return "\n".join("  ".join(map(str.ljust, line, widths)).rstrip() for line in lines)


def _seconds(text: str) -> float:
    """argparse type: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, not {text!r}")
    return value


@magics_class
class JobStatusMagics(Magics):
    """``%jobstatus`` and its defaults, settable with ``%config JobStatusMagics.<name> = ...``."""

    interval = Float(
        None, allow_none=True, help="Seconds between polls; None: the adaptive policy."
    ).tag(config=True)
    timeout = Float(
        None, allow_none=True, help="Overall deadline per job in seconds; None: 30 minutes."
    ).tag(config=True)
    show_images = Bool(True, help="Show the gallery of results (--no-images hides it).").tag(
        config=True
    )
    save_dir = Unicode(".", help="Where --save writes when it is given no directory.").tag(
        config=True
    )
    sivi_rate_limit = Int(
        50, min=0, help="Sivi requests per minute per key: 50 (general plan), 100 (super); 0: none."
    ).tag(config=True)

    @observe("sivi_rate_limit")
    def _apply_rate_limit(self, change: dict[str, Any]) -> None:
        set_rate_limit("sivi", change["new"])

    @magic_arguments()
    @argument(
        "target",
        nargs="*",
        metavar="[PROVIDER] REQUEST_ID",
        help="sivi, napkin or clipia (optional: see above), then request ids or status URLs.",
    )
    @argument("--wait", action="store_true", help="Block until every job ends (Ctrl-C stops).")
    @argument("--timeout", type=_seconds, metavar="S", help="Give up polling after S seconds.")
    @argument("--interval", type=_seconds, metavar="S", help="Poll every S seconds.")
    @argument("--base-url", metavar="URL", help="The provider API base URL (e.g. a sandbox).")
    @argument(
        "--save",
        nargs="?",
        const="",
        metavar="DIR",
        help="Wait, then save the original files into DIR (default: the save_dir setting).",
    )
    @argument("--no-images", action="store_true", help="Hide the gallery of results.")
    @line_magic
    def jobstatus(self, line: str = "") -> Job | JobList | Table:
        """Follow image-generation requests live: state, progress, then the images.

        ::

            %jobstatus clipia 764cabcf-b745-4b3e-ae38-1200304cf45b
            job = %jobstatus sivi sbhMkIZKCPp --wait      # the Job, shown once
            %jobstatus https://api.napkin.ai/v1/visual/<uuid>/status --save out/
            jobs = %jobstatus napkin $first $second       # several ids: a list of Job
            %jobstatus                                    # the jobs of this kernel
            %jobstatus providers                          # keys set? base URLs in use

        PROVIDER may be left out when REQUEST_ID is a status URL (Napkin, Clipia, Sivi),
        a Napkin file URL, or a Sivi design link of a job already followed in this
        kernel; or when exactly one provider has a key (SIVI_API_KEY, NAPKIN_API_TOKEN,
        CLIPIA_API_KEY). A URL on another host than the provider's is used as its base
        URL only for 127.0.0.1/localhost; pass --base-url for anything else.

        The value is the ``Job`` (``.status``, ``.wait()``, ``.cancel()``, ``.save(dir)``).
        Defaults: ``%config JobStatusMagics`` (interval, timeout, show_images, save_dir,
        sivi_rate_limit).
        """
        args = parse_argstring(self.jobstatus, line)
        if not args.target:
            return job_table()
        if [word.lower() for word in args.target] == ["providers"]:
            return providers_table()
        try:
            return self._follow(args)
        except ConfigurationError as error:
            raise UsageError(str(error)) from None

    def _follow(self, args: argparse.Namespace) -> Job | JobList:
        provider, ids, base_url = resolve_targets(args.target, args.base_url)
        found = watch(
            provider,
            ids,
            base_url=base_url,
            interval=self.interval if args.interval is None else args.interval,
            timeout=self.timeout if args.timeout is None else args.timeout,
            display=False,
        )
        assert isinstance(found, list)
        for job in found:
            job.show_images = self.show_images and not args.no_images
        result: Job | JobList = found[0] if len(found) == 1 else JobList(found)
        _show(result)
        if args.wait or args.save is not None:
            finished = wait_all(found)
            if finished and args.save is not None:
                save_all(found, args.save or self.save_dir)
        return result


def _show(result: Job | JobList) -> None:
    from .views import show

    show(list(result) if isinstance(result, JobList) else result)


# -- what the words on the line mean ----------------------------------------------------------


Targets = tuple[str, list[str], str | None]  # provider, request ids, base URL


def resolve_targets(words: Sequence[str], base_url: str | None) -> Targets:
    """(provider, request ids, base URL) from ``[PROVIDER] ID...`` and ``--base-url``."""
    words = list(words)
    named = provider_word(words[0], more=len(words) > 1)
    if named:
        words.pop(0)
    if not words:
        raise UsageError(f"give a request id: %jobstatus {named} REQUEST_ID")
    targets = [parse_target(word) for word in words]
    providers = {t.provider for t in targets if t.provider} | ({named} if named else set())
    if len(providers) > 1:
        found = ", ".join(sorted(providers))
        raise UsageError(f"these ids belong to different providers ({found}): one per line")
    provider = providers.pop() if providers else provider_from_keys()
    return provider, [t.request_id for t in targets], base_url or pasted_base(provider, targets)


def provider_word(word: str, more: bool) -> str | None:
    """The provider the first word names, if any; a near miss (``sivvi ID``) is a UsageError."""
    if word.lower() in PROVIDERS:
        return word.lower()
    if more and difflib.get_close_matches(word.lower(), PROVIDERS, n=1, cutoff=0.75):
        raise UsageError(f"unknown provider {word!r}: choose one of {', '.join(PROVIDERS)}")
    return None


def parse_target(word: str) -> Target:
    """A bare id as it is; a provider URL as its provider, id and API base."""
    if not re.match(r"https?://", word, re.IGNORECASE):
        return Target(None, word)
    parts = urlsplit(word)
    link = SIVI_LINK.fullmatch(parts.fragment)
    if link:
        return sivi_design(link["design"])
    for name, pattern in URL_PATHS.items():
        match = pattern.fullmatch(parts.path)
        if match:
            host = parts.netloc.rpartition("@")[2]  # never a user:password@ from a paste
            base = f"{parts.scheme}://{host}{match['base']}"
            found = match.groupdict().get("id") or sivi_query_id(parts.query)
            return Target(name, found, base)
    raise UsageError(f"{word} is not a Sivi, Napkin or Clipia status URL nor a Sivi design link")


def sivi_query_id(query: str) -> str:
    """The requestId inside a Sivi status URL's ``queryParams`` JSON."""
    try:
        params = json.loads(parse_qs(query).get("queryParams", [""])[0])
    except ValueError:
        params = None
    request_id = params.get("requestId") if isinstance(params, dict) else None
    if not isinstance(request_id, str):
        raise UsageError('this Sivi status URL has no queryParams={"requestId": ...}')
    return request_id


def sivi_design(design_id: str) -> Target:
    """The request behind a Sivi design followed in this kernel: a design link names only the
    design, and Sivi's status API takes only the request id."""
    for job in jobs():  # remembered, as watching it again replaces a finished job
        raw = job.status.raw if job.status and job.provider == "sivi" else None
        body = raw.get("body") if isinstance(raw, dict) else None
        if isinstance(body, dict) and isinstance(body.get("designId"), str):
            _designs[body["designId"]] = Target("sivi", job.request_id, job.client.base_url)
    if design_id not in _designs:
        raise UsageError(
            f"this Sivi link names design {design_id}, not a request: paste the requestId "
            "that the generation call returned (e.g. sbhMkIZKCPp), or its status URL"
        )
    return _designs[design_id]


def pasted_base(provider: str, targets: Sequence[Target]) -> str | None:
    """The API base of the pasted URLs, if on the provider's own host, the configured base, a
    base already in use in this kernel, or loopback (a sandbox). The key goes to that base:
    any other host needs --base-url."""
    bases = {t.base_url for t in targets if t.base_url}
    if len(bases) > 1:
        raise UsageError(f"the URLs point at different APIs ({', '.join(sorted(bases))})")
    if not bases:
        return None
    base, spec = bases.pop(), get_provider(provider)
    in_use = [spec.base_url, resolve_base_url(spec, None), *(j.client.base_url for j in jobs())]
    trusted = {origin(url) for url in in_use}
    if origin(base) not in trusted and (urlsplit(base).hostname or "") not in LOOPBACK:
        raise UsageError(f"{base} is not {spec.title}'s API: add --base-url {base} if you trust it")
    return base


def provider_from_keys() -> str:
    """The only provider with a key set; otherwise a UsageError naming the choices."""
    keyed = [name for name, spec in PROVIDERS.items() if spec.key_variable()]
    if len(keyed) == 1:
        return keyed[0]
    why = f"keys are set for {' and '.join(keyed)}" if keyed else "no provider key is set"
    raise UsageError(f"which provider? {why}: %jobstatus {'|'.join(PROVIDERS)} REQUEST_ID")


# -- waiting and saving -------------------------------------------------------------------------


def wait_all(found: Sequence[Job]) -> bool:
    """Block until every job ends; False when Ctrl-C stopped the wait (jobs keep polling)."""
    try:
        for job in found:
            with contextlib.suppress(JobStatusError):  # the job's view shows its error
                job.wait()
    except KeyboardInterrupt:
        print("Stopped waiting; the jobs go on in the background (job.cancel() stops one).")
        return False
    return True


def save_all(found: Sequence[Job], directory: str) -> None:
    """Save the originals of every completed job and print where they went."""
    for job in found:
        name = f"{job.provider} {job.request_id}"
        if job.state is not State.COMPLETED or job.status is None:
            print(f"{name}: {job.state.value}, nothing to save")
            continue
        try:
            paths = job.save(directory)
        except (JobStatusError, OSError) as error:
            print(f"{name}: not saved: {error}")
            continue
        print(*paths, sep="\n")
        if len(paths) < len(job.status.assets):
            print(f"{name}: {len(job.status.assets) - len(paths)} file(s) could not be saved")


# -- the two listings ---------------------------------------------------------------------------


def job_table() -> Table:
    """One row per job of this kernel."""
    rows = tuple(
        (
            job.provider,
            job.request_id,
            job.state.value,
            f"{job.elapsed:.1f}s",
            str(len(job.status.images) if job.status else 0),
        )
        for job in jobs()
    )
    columns = ("provider", "request id", "state", "elapsed", "images")
    return Table(columns, rows, "No jobs yet: %jobstatus PROVIDER REQUEST_ID follows one.")


def providers_table() -> Table:
    """Each provider, whether a key is set (by the variable's name only) and its base URL."""
    rows = []
    for spec in PROVIDERS.values():
        variable = spec.key_variable()
        key = f"set in {variable}" if variable else f"not set ({' or '.join(spec.key_env)})"
        try:
            base = resolve_base_url(spec, None)
        except ConfigurationError as error:
            base = str(error)
        source = spec.base_env if os.environ.get(spec.base_env) else "default"
        rows.append((spec.name, key, f"{base} ({source})"))
    return Table(("provider", "key", "base URL"), tuple(rows))


def register(ipython: Any) -> JobStatusMagics:
    """Register ``%jobstatus`` and its settings (a reload replaces the previous ones)."""
    ipython.configurables = [
        c for c in ipython.configurables if type(c).__name__ != JobStatusMagics.__name__
    ]
    magics = JobStatusMagics(shell=ipython)  # Magics adds itself to shell.configurables
    ipython.register_magics(magics)
    return magics
