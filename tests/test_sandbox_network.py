"""The sandbox's network over real sockets: round trips, handshakes, bandwidth, many clients.

Timing assertions here are lower bounds (the sandbox sleeps on purpose, so it cannot be
faster) or wide margins. ``pytest -s`` prints the measured round trips.
"""

from __future__ import annotations

import socket
import statistics
import time
from collections.abc import Iterator

import pytest
import requests

from nb_jobstatus import sandbox
from nb_jobstatus.sandbox import __main__ as cli
from nb_jobstatus.sandbox.network import Link, Network

AUTH = {"Authorization": "Bearer clipia_live_x"}


@pytest.fixture
def slow() -> Iterator[sandbox.Sandbox]:
    with sandbox.start(network={"rtt": 0.2}) as running:
        yield running


def status_url(sb: sandbox.Sandbox, rid: str) -> str:
    return f"{sb.base_url('clipia')}/v1/requests/{rid}/status"


def timed(http: requests.Session, url: str) -> tuple[float, requests.Response]:
    began = time.perf_counter()
    answer = http.get(url, headers=AUTH, timeout=10)
    return time.perf_counter() - began, answer


def test_default_network_is_loopback_fast(sb: sandbox.Sandbox) -> None:
    assert sb.link("api") == sb.link("media") == Link()
    assert Link().instant


def test_round_trips_are_played_and_printed(slow: sandbox.Sandbox) -> None:
    rid = slow.add_job("clipia", duration=60)
    with requests.Session() as http:
        handshake, _ = timed(http, status_url(slow, rid))
        trips = [timed(http, status_url(slow, rid))[0] for _ in range(8)]
    median = statistics.median(trips)
    print(
        f"\nrtt 200 ms: first (new connection) {handshake * 1000:.0f} ms, "
        f"keep-alive median {median * 1000:.0f} ms, max {max(trips) * 1000:.0f} ms"
    )
    assert min(trips) >= 0.2
    assert median < 0.35, "the sandbox adds much more than the round trip"
    assert handshake >= 0.4  # a new connection pays one round trip more


def test_answer_facts_are_those_of_arrival(slow: sandbox.Sandbox) -> None:
    slow.set_network(rtt=0.6)
    rid = slow.add_job("clipia", duration=0.15)
    sent = time.monotonic()
    with requests.Session() as http:
        body = http.get(status_url(slow, rid), headers=AUTH, timeout=10).json()
    assert body["status"] == "COMPLETED"  # it arrived 0.6 s (handshake) + 0.3 s after sending
    (record,) = [r for r in slow.requests if r.request_id == rid]
    assert record.time - sent >= 0.85


def test_processing_jitter_and_per_origin_links(slow: sandbox.Sandbox) -> None:
    slow.set_network(Link(), origin="media")
    slow.set_network(origin="api", processing=0.1, jitter=0.05)
    assert slow.link("api") == Link(rtt=0.2, jitter=0.05, processing=0.1)
    assert slow.link("media") == Link()
    rid = slow.add_job("clipia", duration=0, images=1, size=(64, 64))
    with requests.Session() as http:
        timed(http, status_url(slow, rid))
        api, _ = timed(http, status_url(slow, rid))
        result = http.get(f"{slow.base_url('clipia')}/v1/requests/{rid}", headers=AUTH).json()
        url = result["output"]["images"][0]["url"]
        http.get(url, timeout=10)
        media, answer = timed(http, url)
    assert answer.status_code == 200
    assert api >= 0.25 and media < api


def test_bandwidth_paces_media_bodies() -> None:
    with sandbox.start(network={"media": {"bandwidth": 200_000}}) as sb:
        rid = sb.add_job("clipia", duration=0, video=True)
        with requests.Session() as http:
            result = http.get(f"{sb.base_url('clipia')}/v1/requests/{rid}", headers=AUTH).json()
            took, answer = timed(http, result["output"]["video"]["url"])
    size = len(answer.content)
    assert size > 100_000 and answer.headers["Content-Length"] == str(size)
    assert took >= 0.9 * size / 200_000


def test_network_settings_are_checked() -> None:
    network = Network()
    with pytest.raises(ValueError):
        network.set({"rtt": -1})
    with pytest.raises(ValueError):
        network.set({"rtt": float("nan")})
    with pytest.raises(ValueError):
        network.set(Link(), origin="cdn")
    with pytest.raises(ValueError):
        Link(bandwidth=0)
    network.set({"api": {"rtt": 0.1}, "media": Link(rtt=0.3)})
    assert (network.link("api").rtt, network.link("media").rtt) == (0.1, 0.3)


def test_jitter_draws_stay_in_their_band() -> None:
    network = Network({"rtt": 0.15, "jitter": 0.05}, seed=7)
    draws = [network.draw("api")[1] for _ in range(500)]
    assert 0.1 <= min(draws) < 0.11 and 0.19 < max(draws) <= 0.2
    assert Network({"rtt": 0.01, "jitter": 0.05}, seed=1).draw("api")[1] >= 0


def test_command_line_network() -> None:
    args = cli.argparse.Namespace(rtt=150.0, jitter=20.0, processing=10.0, bandwidth=2e6)
    network = Network(cli.network_of(args))
    assert network.link("api") == Link(rtt=0.15, jitter=0.02, processing=0.01)
    assert network.link("media").bandwidth == 2e6
    assert [cli.bandwidth(t) for t in ("500k", "2M", "1e6", "300")] == [5e5, 2e6, 1e6, 300]
    with pytest.raises(cli.argparse.ArgumentTypeError):
        cli.bandwidth("-1k")


def test_a_thousand_concurrent_keep_alive_connections() -> None:
    """1,000 clients connect at once, each sends a status GET and then a second one on the
    same connection; every answer arrives, in a fraction of 1,000 round trips."""
    with sandbox.start(network={"rtt": 0.1}) as sb:
        rid = sb.add_job("napkin", duration=60)
        host, port = sb.api_origin.removeprefix("http://").split(":")
        wire = (
            f"GET /napkin/v1/visual/{rid}/status HTTP/1.1\r\nHost: {host}\r\n"
            "Authorization: Bearer t\r\n\r\n"
        ).encode()
        began = time.monotonic()
        clients = [socket.create_connection((host, int(port)), timeout=30) for _ in range(1000)]
        try:
            for _ in range(2):
                for client in clients:
                    client.sendall(wire)
                answers = [_read_answer(client) for client in clients]
                assert all(a.startswith(b"HTTP/1.1 200") for a in answers)
        finally:
            for client in clients:
                client.close()
        took = time.monotonic() - began
    print(f"\n1,000 keep-alive clients x 2 GETs at rtt 100 ms: {took:.1f} s")
    assert took < 30  # one after the other would take 300 s


def _read_answer(client: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += client.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(
            line.split(b":")[1]
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
    )
    while len(body) < length:
        body += client.recv(65536)
    return head
