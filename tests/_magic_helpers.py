"""Helpers the ``%jobstatus`` tests share: running a cell or a line in the in-process shell,
and reading what it displayed. The fixtures are in ``_magic_fixtures``."""

from __future__ import annotations

from typing import Any

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import CapturedIO, capture_output

from nb_jobstatus.core.providers import PROVIDERS
from nb_jobstatus.sandbox import Sandbox

CANARY = "canary-KEY-1234567890"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
KEY_VARIABLES = tuple(name for p in PROVIDERS.values() for name in p.key_env)
BASE_VARIABLES = tuple(p.base_env for p in PROVIDERS.values())


def run(shell: InteractiveShell, cell: str) -> tuple[Any, CapturedIO]:
    """Run a cell as a notebook would; (its result, what it printed and displayed)."""
    with capture_output() as captured:
        result = shell.run_cell(cell, store_history=True)
    return result, captured


def line(shell: InteractiveShell, text: str) -> Any:
    with capture_output():
        return shell.run_line_magic("jobstatus", text)


def new_displays(captured: CapturedIO) -> list[Any]:
    """The displays made, leaving out updates (a view's final frame, maybe of another job)."""
    return [output for output in captured.outputs if not output.update]


def api_requests(sb: Sandbox, rid: str) -> list[Any]:
    return [r for r in sb.requests if r.request_id == rid and r.origin == "api"]


def everything(captured: CapturedIO, *values: Any) -> str:
    shown = [str(data) for output in captured.outputs for data in output.data.values()]
    texts = [repr(v) + str(getattr(v, "_repr_html_", str)()) for v in values]
    return "\n".join([captured.stdout, captured.stderr, *shown, *texts])
