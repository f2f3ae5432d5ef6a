"""Helpers for the browser tests: an isolated Jupyter server, a kernelspec, a browser page.

Everything here follows shared/TESTING.md: a server on 127.0.0.1 with its own config, runtime,
settings and workspaces dirs, in its own process group, ready when ``/api/status`` answers
200, stopped with SIGTERM to the group; Debian's Chromium launched by Playwright with every
request that is not to 127.0.0.1 aborted.
"""

from __future__ import annotations

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from nb_jobstatus.core.providers import PROVIDERS

CHROMIUM = os.environ.get("NJS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
KEY_VARIABLES = tuple(name for p in PROVIDERS.values() for name in (*p.key_env, p.base_env))
READY_JS = """() => {
  const app = window.jupyterapp;
  const widget = app && app.shell && app.shell.currentWidget;
  const ctx = widget && widget.sessionContext;
  const kernel = ctx && ctx.session && ctx.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle'
    && !!widget.content && widget.content.widgets && widget.content.widgets.length > 0;
}"""
KERNEL_STATUS_JS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return k ? k.status : null;
}"""


def ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_kernelspec(data_dir: pathlib.Path) -> pathlib.Path:
    """A ``python3`` kernelspec that runs THIS interpreter; put ``data_dir`` on JUPYTER_PATH."""
    spec = data_dir / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    body = {"argv": argv, "display_name": "Python 3 (ipykernel)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(body, indent=1))
    return data_dir


def isolated_env(base: pathlib.Path) -> dict[str, str]:
    """Environment for a Jupyter server or kernel that sees none of the user's Jupyter files."""
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARIABLES}
    dirs = {
        "JUPYTER_CONFIG_DIR": base / "config",
        "JUPYTER_RUNTIME_DIR": base / "runtime",
        "JUPYTER_DATA_DIR": base / "data",
        "JUPYTERLAB_SETTINGS_DIR": base / "settings",
        "JUPYTERLAB_WORKSPACES_DIR": base / "workspaces",
        "IPYTHONDIR": base / "ipython",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    env.update({k: str(v) for k, v in dirs.items()})
    env["JUPYTER_PATH"] = str(write_kernelspec(base / "kernelspec"))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _lab_settings(env: dict[str, str]) -> None:
    labconfig = pathlib.Path(env["JUPYTER_CONFIG_DIR"]) / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    disabled = {"@jupyterlab/apputils-extension:announcements": True}
    (labconfig / "page_config.json").write_text(json.dumps({"disabledExtensions": disabled}))
    tracker = pathlib.Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    news = pathlib.Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    (news / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )


class JupyterServer:
    """``jupyter lab`` (kind "lab") or ``jupyter notebook`` (kind "notebook") on 127.0.0.1.

    With both packages installed, one ``jupyter lab`` also serves Notebook 7's pages
    (``/notebooks/NAME``), so the suite starts one server for both front ends."""

    def __init__(self, kind: str, root_dir: pathlib.Path, base: pathlib.Path) -> None:
        self.kind = kind
        self.root_dir = root_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = isolated_env(base)
        _lab_settings(self.env)
        self.log_path = base / f"jupyter-{kind}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_in = 0.0

    def command(self) -> list[str]:
        module = "jupyterlab" if self.kind == "lab" else "notebook"
        app = "LabApp" if self.kind == "lab" else "JupyterNotebookApp"
        cmd = [
            sys.executable, "-m", module, "--no-browser", "--allow-root",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", f"--ServerApp.root_dir={self.root_dir}",
            "--IdentityProvider.token=", "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True", f"--{app}.expose_app_in_browser=True",
            "--JupyterNotebookApp.expose_app_in_browser=True",
        ]  # fmt: skip
        if self.kind == "lab":
            cmd += [
                "--LabApp.news_url=None",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ]
        return cmd

    def start(self, timeout: float = 60.0) -> JupyterServer:
        began = time.monotonic()
        log = open(self.log_path, "wb")  # noqa: SIM115 - kept open for the server's life
        self.proc = subprocess.Popen(
            self.command(), env=self.env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        while time.monotonic() - began < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter {self.kind} exited: {self.tail()}")
            if self._status() == 200:
                self.started_in = time.monotonic() - began
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"jupyter {self.kind} not ready after {timeout}s: {self.tail()}")

    def _status(self) -> int | None:
        try:
            with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as answer:
                return int(answer.status)
        except (urllib.error.URLError, OSError):
            return None

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass

    def notebook_url(self, name: str, ui: str | None = None) -> str:
        """``name`` in JupyterLab (``ui="lab"``, in a workspace of its own, reset) or in
        Notebook 7 (``ui="notebook"``); by default the server's own front end."""
        if (ui or self.kind) == "lab":
            workspace = "".join(c if c.isalnum() else "-" for c in name)
            return f"{self.url}/lab/workspaces/{workspace}/tree/{name}?reset"
        return f"{self.url}/notebooks/{name}"


def local_only(route: Any) -> None:
    """Playwright route handler: let 127.0.0.1 (and file:) through, abort everything else."""
    parts = urlsplit(route.request.url)
    if parts.scheme in ("file", "data", "blob") or parts.hostname in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


def wait_until(check: Any, timeout: float, step: float = 0.25) -> Any:
    """Call ``check()`` until it returns something truthy; returns it (or the last value)."""
    end = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < end:
        time.sleep(step)
        value = check()
    return value


def iter_outputs(nb: Any) -> Iterator[dict[str, Any]]:
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.get("outputs", [])
