"""The live pages every browser test reads, opened and run once per session.

Three pages load at once on one server: the shipped quickstart in JupyterLab 4, the same in
Notebook 7, and the ``FEATURES`` notebook in JupyterLab 4. While they run, one loop samples
what only a running page shows (each bar growing, the kernel idle meanwhile, the batch with
jobs still running) and takes those screenshots; the tests then read the finished pages.
"""

from __future__ import annotations

import pathlib
import time
from dataclasses import dataclass, field
from typing import Any

from . import _page as P
from ._jupyter import JupyterServer, local_only
from ._notebooks import FEATURES, cell_index, sources

Sample = tuple[float, float | None, str | None]  # (t, bar width %, kernel status)

IDLE_JS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext.session && w.sessionContext.session.kernel;
  const busy = Array.from(document.querySelectorAll('.jp-InputPrompt'))
    .some(p => p.innerText.includes('*'));
  return !!k && k.status === 'idle' && !busy;
}"""
BATCH_JS = """(index) => {
  const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[index];
  const batch = cell && cell.querySelector('.nbjs-batch');
  if (!batch) return null;
  const count = w => batch.querySelectorAll('.nbjs-summary .nbjs-state-' + w).length;
  const imgs = Array.from(batch.querySelectorAll('.nbjs-gallery .nbjs-asset img'));
  return {completed: count('completed'), failed: count('failed'), running: count('running'),
          summary: batch.querySelector('.nbjs-summary').innerText,
          images: imgs.filter(i => i.complete && i.naturalWidth > 0).length};
}"""


class Follower:
    """Samples the first job's bar on a page until it is full or its state terminal, and
    takes one screenshot of it running when asked (``shoot``). With ``idle``, it starts once
    every cell has run and records the kernel's status too."""

    def __init__(self, page: Any, shots: pathlib.Path, prefix: str, idle: bool = False) -> None:
        self.page, self.shots, self.prefix, self.idle = page, shots, prefix, idle
        self.samples: list[Sample] = []
        self.first_states: list[str] | None = None
        self.done = False
        self._began: float | None = None
        self._shot = False

    def sample(self) -> None:
        if self.done or not self._started():
            return
        widths, states = P.widths(self.page), P.states(self.page)
        width = widths[0] if widths else None
        status = P.kernel_status(self.page) if self.idle else None
        self.samples.append((round(time.monotonic() - (self._began or 0.0), 2), width, status))
        state = states[0] if states else ""
        self.done = width == 100 or any(word in state for word in ("completed", "failed"))

    def shoot(self) -> None:
        """One quick screenshot of the job while it still runs (called once every follower
        has seen its bar move, so that no shot, 0.1-3 s each, holds up a sample)."""
        width = self.samples[-1][1] if self.samples else None
        if not self._shot and not self.done and width is not None and width < 100:
            self._shot = True
            P.quick_shot(self.page, self.shots / f"{self.prefix}-running.png", ".nbjs-job")

    @property
    def moved(self) -> bool:
        """Seen at two widths below 100 % (what the tests need of the running page)."""
        return len({w for _, w, _ in self.samples if w is not None and w < 100}) >= 2

    def _started(self) -> bool:
        if self._began is None:
            if self.idle and not self.page.evaluate(IDLE_JS):
                return False
            self._began = time.monotonic()
            self.first_states = P.states(self.page)
        return True


@dataclass
class BatchShot:
    """The live batch, shot once its finished jobs show their files while two still run."""

    page: Any
    path: pathlib.Path
    seen: dict[str, Any] | None = None

    def sample(self) -> None:
        if self.seen is not None:
            return
        found = self.page.evaluate(BATCH_JS, cell_index("batch"))
        if found and found["completed"] and found["failed"] and found["images"] >= 5:
            P.shot(self.page, self.path, ".nbjs-batch")
            self.seen = found

    @property
    def done(self) -> bool:
        return self.seen is not None


@dataclass
class Stage:
    server: JupyterServer
    pages: dict[str, Any]
    followers: dict[str, Follower] = field(default_factory=dict)
    batch: BatchShot | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    slow: list[str] = field(default_factory=list)  # samples that held the loop up


QUICKSTART = {"lab": "quickstart.ipynb", "nb7": "nb7-quickstart.ipynb"}


def open_stage(
    context: Any, server: JupyterServer, shots: pathlib.Path, quickstart: pathlib.Path
) -> Stage:
    """Load the three pages at once, run them, and follow them until the sampling is done."""
    began = time.monotonic()
    P.place(server, quickstart, QUICKSTART["lab"])
    P.place(server, quickstart, QUICKSTART["nb7"])
    P.place(server, P.code_notebook(*sources()), "features.ipynb")
    targets = {
        "lab": (QUICKSTART["lab"], "lab"),
        "nb7": (QUICKSTART["nb7"], "notebook"),
        "features": ("features.ipynb", "lab"),
    }
    pages = {key: context.new_page() for key in targets}
    pages["features"].set_viewport_size({"width": 1280, "height": 2400})  # tall views
    for key, (name, ui) in targets.items():
        pages[key].set_default_timeout(30_000)
        P.goto(pages[key], server, name, ui)
    stage = Stage(server, pages)
    for key, page in pages.items():
        P.wait_ready(page)
        P.run_all(page)
        stage.seconds[f"{key} ready and started"] = round(time.monotonic() - began, 1)
    follow(stage, shots)
    stage.seconds["sampled"] = round(time.monotonic() - began, 1)
    return stage


def follow(stage: Stage, shots: pathlib.Path, timeout: float = 90.0) -> None:
    """Sample every page until each follower and the batch shot are done."""
    pages = stage.pages
    stage.followers = {
        "lab-quickstart": Follower(pages["lab"], shots, "lab-quickstart"),
        "nb7-quickstart": Follower(pages["nb7"], shots, "nb7-quickstart"),
        "lab-idle": Follower(pages["features"], shots, "lab-idle", idle=True),
    }
    stage.batch = BatchShot(pages["features"], shots / "lab-batch-live.png")
    watched: list[Any] = [*stage.followers.values(), stage.batch]
    end = time.monotonic() + timeout
    while time.monotonic() < end and not all(w.done for w in watched):
        calm = all(f.done or f.moved for f in stage.followers.values())  # shots wait
        for watcher in watched if calm else stage.followers.values():
            t0 = time.monotonic()
            watcher.sample()
            if calm and isinstance(watcher, Follower):
                watcher.shoot()
            took = time.monotonic() - t0
            if took > 0.1:  # a screenshot, or a page slow to answer: kept for the record
                at = round(t0 - end + timeout, 2)
                stage.slow.append(f"{at}s {getattr(watcher, 'prefix', 'batch')} {took:.2f}s")
        time.sleep(0.25)


def new_context(chromium: Any) -> Any:
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    context.route("**/*", local_only)
    return context


__all__ = ["FEATURES", "Stage", "new_context", "open_stage"]
