"""A notebook that exercises the failures with a canary key, for ``test_faults``.

The key is read from ``$NBJS_FAULT_KEY`` inside the kernel, so the notebook's source never
holds it: whatever of it turns up in the saved ``.ipynb`` came out of nb_jobstatus. The
notebook starts its own sandbox, logs at DEBUG into the cell outputs, shows failing jobs (one
widget each and one batch), waits for them, prints their errors, ``curl`` and last polls,
re-displays them, lets one verbose traceback (frame variables shown) through, and lists the
jobs, the providers, the jobs remembered across kernels and the cache with the magic.
"""

from __future__ import annotations

from typing import Any

import nbformat

KEY_VARIABLE = "NBJS_FAULT_KEY"

# What the saved notebook must contain, so that "no key in it" is not vacuous.
EXPECTED = (
    "AuthenticationError",
    "ExpiredError",
    "TransportError",
    "ResponseError",
    "nbjs-error",
    "decompression bomb",
    "key *** is not valid",
    "Bearer ***",
    "$SIVI_API_KEY",
)

SETUP = f"""\
import logging, os, sys, time
import nb_jobstatus as njs
from nb_jobstatus import sandbox
from nb_jobstatus.core import budget

logging.basicConfig(stream=sys.stdout, level=logging.DEBUG, force=True)
budget.BACKOFF_BASE, budget.BACKOFF_CAP = 0.01, 0.05  # retries in milliseconds
KEY = os.environ[{KEY_VARIABLE!r}]
sb = sandbox.start()


def follow(provider, **script):
    rid = sb.add_job(provider, **script)
    return njs.watch(provider, rid, api_key=KEY, base_url=sb.base_url(provider))"""

JOBS = """\
jobs = [
    follow("sivi", faults=["401"], duration=5),
    follow("napkin", faults=["410"], duration=5),
    follow("clipia", faults=["drop"] * 5, duration=20),
    follow("napkin", faults=["html"] * 5, duration=20),
    follow("sivi", faults=["envelope-500"] * 5, duration=20),
    follow("sivi", outcome="failed", reason="key " + KEY + " is not valid", duration=0.5),
    follow("clipia", outcome="failed", duration=0.5,
           overrides={"debug": {"auth": "Bearer " + KEY}}),
    follow("sivi", images=2, size=(200, 120), duration=0.5, media_faults={1: "bomb"},
           overrides={"shareLink": "https://sivi.example/s?key=" + KEY}),
]
ids = [sb.add_job("clipia", faults=["403"], duration=5), sb.add_job("clipia", duration=0.5)]
batch = njs.watch("clipia", ids, api_key=KEY, base_url=sb.base_url("clipia"))"""

WAIT = """\
for job in jobs + batch:
    try:
        job.wait(120)
    except njs.JobStatusError as error:
        print(type(error).__name__, repr(error), error.body)
    print(job.curl())
    print(job.history[-1])


def cached(job):
    return job.state is not njs.State.COMPLETED or len(job.media) == len(job.status.assets)


deadline = time.monotonic() + 90
while not all(map(cached, jobs + batch)) and time.monotonic() < deadline:
    time.sleep(0.1)
time.sleep(1.0)  # the final display updates
[job.error for job in jobs]"""

AGAIN = """\
display(*jobs)
jobs[-1].widget"""

TRACEBACK = """\
%xmode Verbose
jobs[0].wait()  # the traceback shows the variables of every frame"""

MAGIC = """\
%load_ext nb_jobstatus
os.environ["CLIPIA_API_KEY"] = KEY
%jobstatus providers"""

LIST = "%jobstatus"

REMEMBERED = "%jobstatus --recent"  # written to the cache folder: never a key

CACHE = "%jobstatus cache"

STOP = "sb.stop()"


def build() -> Any:
    """The notebook, ready for nbclient."""
    cells = [nbformat.v4.new_code_cell(source) for source in (SETUP, JOBS, WAIT, AGAIN)]
    failing = nbformat.v4.new_code_cell(TRACEBACK)
    failing.metadata["tags"] = ["raises-exception"]  # the traceback is kept in the output
    cells.append(failing)
    cells += [
        nbformat.v4.new_code_cell(source) for source in (MAGIC, LIST, REMEMBERED, CACHE, STOP)
    ]
    intro = nbformat.v4.new_markdown_cell("Failures run with a canary key; none of it may leak.")
    nb = nbformat.v4.new_notebook(cells=[intro, *cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return nb
