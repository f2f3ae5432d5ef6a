"""``python -m nb_jobstatus.sandbox --port N [--media-port M] [--rtt MS --jitter MS
--processing MS --bandwidth BYTES]``: serve until Ctrl-C."""

from __future__ import annotations

import argparse
import shlex
import threading
from typing import Any

from . import Sandbox, start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m nb_jobstatus.sandbox",
        description="Play Sivi, Napkin and Clipia on 127.0.0.1 with scripted demo jobs.",
    )
    parser.add_argument("--port", type=int, default=8765, help="API port (0: any free port)")
    parser.add_argument("--media-port", type=int, default=0, help="media port (default: any)")
    parser.add_argument("--rtt", type=float, default=0, help="round trip, ms (both origins)")
    parser.add_argument("--jitter", type=float, default=0, help="± jitter of the round trip, ms")
    parser.add_argument("--processing", type=float, default=0, help="server time per request, ms")
    parser.add_argument(
        "--bandwidth", type=bandwidth, default=None, help="media bodies, bytes/s (500k, 2M)"
    )
    args = parser.parse_args(argv)
    sandbox = start(args.port, args.media_port, network=network_of(args))
    print(banner(sandbox), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nstopping")
    finally:
        sandbox.stop()


def bandwidth(text: str) -> float:
    """ "500k" -> 500000.0, "2M" -> 2000000.0, "1e6" -> 1000000.0 (bytes per second)."""
    scale = {"k": 1e3, "m": 1e6, "g": 1e9}.get(text[-1:].lower(), 1.0)
    value = float(text[:-1] if scale != 1.0 else text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"bandwidth must be > 0, not {text!r}")
    return value * scale


def network_of(args: argparse.Namespace) -> dict[str, Any]:
    link = {"rtt": args.rtt / 1000, "jitter": args.jitter / 1000}
    link["processing"] = args.processing / 1000
    return {"api": link, "media": link | {"bandwidth": args.bandwidth}}


def banner(sandbox: Sandbox) -> str:
    environment = sandbox.environment().items()
    exports = "\n".join(f"  export {name}={shlex.quote(value)}" for name, value in environment)
    examples = "\n".join(
        f"  {provider:<7} {sandbox.demo_id(provider, outcome, seconds, images)}"
        for provider, outcome, seconds, images in _EXAMPLES
    )
    bases = "\n".join(f"  {p:<7} {sandbox.base_url(p)}" for p in ("sivi", "napkin", "clipia"))
    return (
        f"nb_jobstatus sandbox: API {sandbox.api_origin}, media {sandbox.media_origin}\n"
        f"Network: api {sandbox.link('api')}, media {sandbox.link('media')}\n\n"
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
