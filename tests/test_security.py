"""The key stays home (issue 10.1, 10.3, 10.4, 10.20): URL decisions made with yarl, the parser
that makes the connection; URLs on which parsers could disagree refused; base URLs without
secrets or clear text; curl commands that run nothing but curl. Ends with two real loopback
servers, an API with the key and an EVIL one, and hostile URLs and redirects between them."""

from __future__ import annotations

import contextlib
import ipaddress
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
import urllib3.util
import yarl
from _loopback import CANARY, Recorder, serve
from hypothesis import given, settings
from hypothesis import strategies as st

from nb_jobstatus.core import urls
from nb_jobstatus.core.config import client_for
from nb_jobstatus.core.errors import JobStatusError

API = "http://api.example:8080"
DEFAULTS = {"http": 80, "https": 443}

# fmt: off
HOSTILE = [  # each refused by parse: the classic, its variants, and every class of oddity
    "http://EVIL\\@API/x", "http://EVIL\\@API:80/x", "http://API\\.EVIL/x", "http://EVIL:80\\@API/",
    "http:\\\\EVIL/x", "http://API/x\\y", "http://API/?q=\\", "http://EVIL%5c@API/x",
    "http://API:80@EVIL/x", "http://user:pw@API/", "http://@API/", "http://EVIL%40API/x",
    "http://API%2eEVIL/x", "http://a\tb/x", "http://API\n.EVIL/", "http://API/x\ny", " http://API/",
    "http://API/ x", "http://API\x00.EVIL/", "http://API/\x7f", "http://API/\u202e", "http://API\u3002EVIL/",
    "http://ＡＰＩ/", "http://API\uff0eEVIL/", "http://xn--zz/", "http://xn--zca.com/",
    "http://API:/x", "http://API:0080/", "http://API:+80/", "http://API:８０/", "http://API:65536/",
    "http://API:0/", "http://API:80:80/", "http://127.1/", "http://0x7f.0.0.1/", "http://2130706433/",
    "http://0177.0.0.1/", "http://[fe80::1%25eth0]/", "http://[::1/", "http://[v1.x]/", "http://API./",
    "http://.API/", "http://A..B/", "http:///x", "http:API/x", "http:/API/x", "//API/x", "ftp://API/",
    "javascript://API/%0aalert(1)", "file:///etc/passwd", "http://API/%zz", "http://API/%", "",
]
SAFE = {  # accepted, with the origin every parser agrees on
    "http://api.example/x": ("http", "api.example", 80),
    "HTTPS://API.Example:8443/a?b=c#d": ("https", "api.example", 8443),
    "http://api.example#@evil.example/": ("http", "api.example", 80),
    "http://api.example?@evil.example/": ("http", "api.example", 80),
    "http://[::1]:9/x": ("http", "::1", 9),
    "http://127.0.0.1:5000/v1/x@y/%2F": ("http", "127.0.0.1", 5000),
    "https://xn--nxa.example/": ("https", "xn--nxa.example", 443),
}
# fmt: on


def agreed(url: str) -> set[tuple[str, str, int]]:
    """(scheme, host, port) as yarl (both modes), urllib.parse and urllib3 read ``url``."""

    def host(name: str | None) -> str:
        name = (name or "").strip("[]").lower()
        with contextlib.suppress(ValueError):
            return ipaddress.ip_address(name).compressed
        return name

    y, u, v = yarl.URL(url), urllib.parse.urlsplit(url), urllib3.util.parse_url(url)
    raw = yarl.URL(url, encoded=True)  # as the aiohttp transport is handed it
    return {
        (y.scheme, host(y.raw_host), y.port or 0),
        (raw.scheme, host(raw.raw_host), raw.port or 0),
        (u.scheme, host(u.hostname), u.port or DEFAULTS[u.scheme]),
        (str(v.scheme), host(v.host), v.port or DEFAULTS[str(v.scheme)]),
    }


@pytest.mark.parametrize("url", HOSTILE)
def test_parse_refuses_urls_parsers_could_read_differently(url: str) -> None:
    with pytest.raises(urls.UnsafeURL):
        urls.parse(url)
    assert not urls.same_origin(url, "http://API/") and not urls.same_origin("http://API/", url)


@pytest.mark.parametrize(("url", "expected"), SAFE.items())
def test_accepted_urls_have_one_origin_for_every_parser(url: str, expected: Any) -> None:
    assert urls.origin(url) == expected
    assert agreed(url) == {expected}


# fmt: off
PIECES = [
    "\\", "@", "#", "?", "/", "%2f", "%40", "%5c", "%2e", "\t", "\n", "\r", " ", "\u3002", "\uff0e",
    "\u2024", ".", ":", ":80", ":8080", ":08080", "[", "]", "[::1]", "api.example", "API.EXAMPLE",
    "evil.example", "user:pw@", "user@", "127.0.0.1", "0x7f.1", "xn--nxa", "Ａ", ";", "&", "=",
]
SCHEMES = ["http://", "https://", "HTTP://", "http:", "http:/", "http:\\\\", "//", "http:///", ""]
# fmt: on


def _fuzz_url() -> st.SearchStrategy[str]:
    anything = st.builds(
        lambda scheme, parts: scheme + "".join(parts),
        st.sampled_from(SCHEMES),
        st.lists(st.sampled_from(PIECES), max_size=9),
    )
    hosts = ["api.example", "API.EXAMPLE", "evil.example", "127.0.0.1", "[::1]", "xn--nxa.x"]
    plausible = st.builds(  # a host and port, then separators: more of these are accepted
        lambda scheme, host, port, lead, parts: scheme + host + port + lead + "".join(parts),
        st.sampled_from(["http://", "https://", "HTTP://"]),
        st.sampled_from(hosts),
        st.sampled_from(["", ":80", ":443", ":8080"]),
        st.sampled_from(["", "/", "?", "#"]),
        st.lists(st.sampled_from(PIECES), max_size=6),
    )
    return st.one_of(anything, plausible)


@settings(max_examples=3000, deadline=None)
@given(_fuzz_url())
def test_fuzz_parse_and_same_origin_agree_with_every_parser(url: str) -> None:
    try:
        parsed = urls.parse(url)
    except urls.UnsafeURL:
        assert not urls.same_origin(API, url)
        return
    views = agreed(url)
    assert len(views) == 1, (url, views)
    assert views == {urls.origin(url)}
    assert str(urls.parse(str(parsed))) == str(parsed)  # what yarl sends parses the same
    same = urls.same_origin(API, url)
    assert same == (views == {("http", "api.example", 8080)}), (url, views)


# -- two real servers on loopback: the API (it holds the key) and EVIL ------------------------


@pytest.fixture
def servers() -> Iterator[tuple[Recorder, Recorder]]:
    yield from serve()


def _client(api: Recorder) -> Any:
    return client_for("napkin", api_key=CANARY, base_url=api.base)


def _hostile(api: Recorder, evil: Recorder) -> list[str]:
    a, e = api.base.removeprefix("http://"), evil.base.removeprefix("http://")
    return [
        f"http://{e}\\@{a}/file", f"http://{e}\\\\@{a}/file", f"http://{e}/\\@{a}/file",
        f"http://{a}\\@{e}/file", f"http://{e}%5c@{a}/file", f"http://{a}@{e}/file",
        f"http://{e}\t\\@{a}/file", f"http://{e}\\\t@{a}/file", f"http://{e} \\@{a}/file",
        f"http://{e}\\@{a}:80/file", f"HTTP://{e}\\@{a}/file",
    ]  # fmt: skip


def _try_download(client: Any, url: str) -> list[str]:
    """Download ``url``; a refusal is a JobStatusError, anything else is listed (a bug too)."""
    try:
        client.download(url, timeout=5.0)
    except JobStatusError:
        pass
    except Exception as exc:  # the contract: download raises JobStatusError only
        return [f"{url!r}: {type(exc).__name__}"]
    return []


def _keyed(client: Any, url: str) -> bool:
    try:
        return bool(client.credentials_for(url))
    except Exception:  # not a leak, but not the contract either: a plain answer is expected
        return True


def test_the_key_reaches_the_api_and_only_the_api(servers: tuple[Recorder, Recorder]) -> None:
    api, evil = servers
    client = _client(api)
    assert client.download(api.base + "/file").content == b"data"
    assert client.download(evil.base + "/file").content == b"data"
    assert api.leaked() == ["/file"]  # the key went to the API: the check below can fail
    assert evil.seen and evil.leaked() == []


def test_hostile_urls_get_no_key_and_send_none_to_evil(servers: tuple[Recorder, Recorder]) -> None:
    api, evil = servers
    client = _client(api)
    hostile = _hostile(api, evil)
    odd = [line for url in hostile for line in _try_download(client, url)]
    assert evil.leaked() == []
    assert [url for url in hostile if _keyed(client, url)] == []
    assert odd == []


def test_redirects_media_to_api_to_evil_with_a_backslash(
    servers: tuple[Recorder, Recorder],
) -> None:
    api, evil = servers
    client = _client(api)
    odd = []
    for trick in _hostile(api, evil):
        hop = api.base + "/hop?u=" + urllib.parse.quote(trick, safe="")
        start = evil.base + "/media?u=" + urllib.parse.quote(hop, safe="")
        odd += _try_download(client, start)  # media host (EVIL) -> API -> EVIL with a trick
    assert any(path.startswith("/hop") for path, _ in api.seen)  # the chain reached the API
    assert evil.leaked() == []
    assert odd == []


def test_a_redirect_from_the_api_to_another_host_drops_the_key(
    servers: tuple[Recorder, Recorder],
) -> None:
    api, evil = servers
    client = _client(api)
    away = urllib.parse.quote(evil.base + "/away", safe="")
    assert client.download(f"{api.base}/hop?u={away}").content == b"data"
    assert [path for path, _ in evil.seen] == ["/away"] and evil.leaked() == []
    assert api.leaked()  # the first hop carried the key


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[Recorder, Recorder]]:
    yield from serve()


@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(st.sampled_from(["\\", "@", "#", "?", "/", "%5c", "%40", "\t", ":"]), max_size=4)
)
def test_fuzz_no_key_reaches_evil_over_the_wire(
    shared: tuple[Recorder, Recorder], parts: list[str]
) -> None:
    api, evil = shared
    evil.seen.clear()
    client, a, e = _client(api), api.base[7:], evil.base[7:]
    url = f"http://{e}{''.join(parts)}{a}/file"
    odd = _try_download(client, url)
    assert evil.leaked() == [], url
    if _keyed(client, url):
        assert agreed(url) == {urls.origin(api.base)}, url
    assert odd == []


def test_no_cookie_jar_cookies_set_by_any_server_are_never_sent(
    servers: tuple[Recorder, Recorder],
) -> None:
    api, evil = servers
    api.base = api.base.replace("127.0.0.1", "localhost")  # a name: jars refuse IP cookies
    client = _client(api)
    for url in (api.base + "/cookie", evil.base + "/cookie", api.base + "/file"):
        client.download(url)
    client.download(api.base + "/file")
    sent = [
        path for server in (api, evil) for path, h in server.seen if "cookie" in map(str.lower, h)
    ]
    assert len(api.seen) == 3 and sent == []
