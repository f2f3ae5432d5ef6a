"""The notebooks the browser tests run, made here (the shipped ones live in notebooks/).

``FEATURES`` is one notebook with every view a person meets, so one page load and one
kernel show them all: two jobs that finish while the kernel is idle, a batch of eight
(completed with images, failed, one rate-limited, two still running for a while), a job
stopped by ``cancel()``, one stopped by the watch timeout, an expired one, audio and video
players, and two failures with their debugger and timeline chart. Every cell but the last
returns at once; the last cancels one job after a second.
"""

from __future__ import annotations

SETUP = """%load_ext nb_jobstatus
import nb_jobstatus as njs
from nb_jobstatus import sandbox
sb = sandbox.start()
sb.use();"""

RUNNING_FOR = 60  # s: the batch's two running jobs (stopped by the reopen test)

# (key, source): tests find a cell's outputs by its key (see cell_index)
FEATURES: tuple[tuple[str, str], ...] = (
    ("setup", SETUP),
    ("sivi", 'job = njs.watch("sivi", sb.add_job("sivi", duration=8, images=2, size=(1200, 800)))'),
    ("napkin", 'vis = njs.watch("napkin", sb.add_job("napkin", duration=5, size=(900, 600)))'),
    (
        "batch",
        f"""batch = njs.watch("clipia", [
    sb.add_job("clipia", duration=1.5, images=2, size=(640, 400)),
    sb.add_job("clipia", duration=2.0, images=1, size=(512, 512)),
    sb.add_job("clipia", duration=2.5, images=1, size=(768, 512), faults=["429:0.5"]),
    sb.add_job("clipia", duration=1.0, images=1, size=(400, 600)),
    sb.add_job("clipia", duration=1.5, outcome="failed", reason="Content policy violation"),
    sb.add_job("clipia", duration=2.0, outcome="failed", reason="Content policy violation"),
    sb.add_job("clipia", duration={RUNNING_FOR}, images=1, size=(600, 600)),
    sb.add_job("clipia", duration={RUNNING_FOR}, images=1, size=(600, 600)),
])""",
    ),
    ("canceled", 'stopped = njs.watch("sivi", sb.add_job("sivi", duration=120))'),
    ("timeout", 'timed = njs.watch("sivi", sb.add_job("sivi", duration=120), timeout=2)'),
    ("expired", 'gone = njs.watch("clipia", sb.add_job("clipia", duration=1, outcome="expired"))'),
    ("speech", 'speech = njs.watch("clipia", sb.add_job("clipia", duration=1.5, audio="speech"))'),
    ("video", 'clip = njs.watch("clipia", sb.add_job("clipia", duration=1.5, video=True))'),
    ("failed", "failed = %jobstatus sivi demo-fail-2s"),
    (
        "retried",
        """bumpy = njs.watch("sivi", sb.add_job(
    "sivi", duration=3, outcome="failed", reason="Upstream model crashed",
    faults=["429:0.4", "500", "malformed"]))""",
    ),
    ("cancel", "import time\ntime.sleep(1.0)\nstopped.cancel()"),
)


def cell_index(key: str) -> int:
    """The position of the cell ``key`` in ``FEATURES``."""
    return [name for name, _ in FEATURES].index(key)


def sources() -> list[str]:
    return [source for _, source in FEATURES]
