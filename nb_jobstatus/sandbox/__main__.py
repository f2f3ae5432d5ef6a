"""``python -m nb_jobstatus.sandbox --port N [--media-port M]``: serve until Ctrl-C."""

from __future__ import annotations

import argparse
import shlex
import threading

from . import Sandbox, start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m nb_jobstatus.sandbox",
        description="Play Sivi, Napkin and Clipia on 127.0.0.1 with scripted demo jobs.",
    )
    parser.add_argument("--port", type=int, default=8765, help="API port (0: any free port)")
    parser.add_argument("--media-port", type=int, default=0, help="media port (default: any)")
    args = parser.parse_args(argv)
    sandbox = start(args.port, args.media_port)
    print(banner(sandbox), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nstopping")
    finally:
        sandbox.stop()


def banner(sandbox: Sandbox) -> str:
    environment = sandbox.environment().items()
    exports = "\n".join(f"  export {name}={shlex.quote(value)}" for name, value in environment)
    examples = "\n".join(
        f"  {provider:<7} {sandbox.demo_id(provider, outcome, seconds, images)}"
        for provider, outcome, seconds, images in _EXAMPLES
    )
    bases = "\n".join(f"  {p:<7} {sandbox.base_url(p)}" for p in ("sivi", "napkin", "clipia"))
    return (
        f"nb_jobstatus sandbox: API {sandbox.api_origin}, media {sandbox.media_origin}\n\n"
        f"Base URLs:\n{bases}\n\nFor nb_jobstatus in another shell:\n{exports}\n\n"
        f"Ids to try (any id of this shape works; the job starts at its first request):\n"
        f"{examples}\n  sivi    demo-ok-5s, demo-fail-3s, demo-expire-4s, demo-ok-8s-4img\n\n"
        "Ctrl-C to stop."
    )


_EXAMPLES = (
    ("sivi", "completed", 8, 2),
    ("napkin", "completed", 6, 2),
    ("napkin", "failed", 4, 1),
    ("clipia", "completed", 10, 3),
    ("clipia", "canceled", 5, 1),
    ("clipia", "expired", 4, 1),
)

if __name__ == "__main__":
    main()
