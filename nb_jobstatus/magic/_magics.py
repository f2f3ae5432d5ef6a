"""``JobStatusMagics``: the ``%jobstatus`` line magic and its settings."""

from __future__ import annotations

import argparse
import contextlib
import math
from collections.abc import Sequence
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from traitlets import Bool, Float, Int, Unicode, observe

from .._api import JobList, watch
from ..core.config import set_rate_limit
from ..core.errors import ConfigurationError, JobStatusError
from ..core.model import State
from ..job import Job
from . import _cache
from ._help import plain_help
from ._tables import Table, job_table, providers_table
from ._words import resolve_targets


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
    @argument("--recent", action="store_true", help="List the jobs followed lately (any kernel).")
    @line_magic
    def jobstatus(self, line: str = "") -> Job | JobList | Table | None:
        """Follow generation requests live: state, progress, then the files.

        Examples:
            %jobstatus clipia 764cabcf-b745-4b3e-ae38-1200304cf45b
            job = %jobstatus sivi sbhMkIZKCPp --wait      # the Job, shown once
            %jobstatus https://api.napkin.ai/v1/visual/<uuid>/status --save out/
            jobs = %jobstatus napkin $first $second       # several ids: a list of Job
            %jobstatus                                    # the jobs of this kernel
            %jobstatus providers                          # keys set? base URLs in use
            %jobstatus --recent                           # jobs followed lately, any kernel
            %jobstatus cache                              # the file cache; cache clear empties it

        PROVIDER may be left out when REQUEST_ID is a status URL (Napkin, Clipia, Sivi),
        a Napkin file URL, or a Sivi design link of a job already followed in this
        kernel; or when exactly one provider has a key (SIVI_API_KEY, NAPKIN_API_TOKEN,
        CLIPIA_API_KEY). A URL on another host than the provider's is used as its base
        URL only for 127.0.0.1/localhost; pass --base-url for anything else.

        The value is the Job (job.status, job.wait(), job.cancel(), job.save(dir)).
        Defaults: %config JobStatusMagics (interval, timeout, show_images, save_dir,
        sivi_rate_limit).
        """
        args = parse_argstring(self.jobstatus, line)
        words = [word.lower() for word in args.target]
        try:
            if args.recent or words[:1] == ["cache"] or words == ["providers"] or not words:
                return self._listing(args, words)
            return self._follow(args)
        except ConfigurationError as error:
            raise UsageError(str(error)) from None

    def _listing(self, args: argparse.Namespace, words: list[str]) -> Table | None:
        if args.recent:
            if words:
                raise UsageError("--recent takes no request id: %jobstatus --recent")
            return _cache.recent_jobs()
        if words[:1] == ["cache"]:
            return _cache.cache_command(words[1:])
        return providers_table() if words else job_table()

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


plain_help(JobStatusMagics.jobstatus)


def _show(result: Job | JobList) -> None:
    from ..views import show

    show(list(result) if isinstance(result, JobList) else result)


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


def register(ipython: Any) -> JobStatusMagics:
    """Register ``%jobstatus`` and its settings (a reload replaces the previous ones)."""
    ipython.configurables = [
        c for c in ipython.configurables if type(c).__name__ != JobStatusMagics.__name__
    ]
    magics = JobStatusMagics(shell=ipython)  # Magics adds itself to shell.configurables
    ipython.register_magics(magics)
    return magics
