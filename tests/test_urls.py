"""core.urls beyond ``parse``: base URLs (issue 10.3, 10.20), curl commands (10.4), redirects."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from nb_jobstatus.core import urls
from nb_jobstatus.core.errors import ConfigurationError

SECRET = "s3cret-PW"
API = "http://api.example:8080"


def refused(url: str, title: str = "Clipia") -> str:
    """The message of the ConfigurationError ``check_base_url`` raises, checked for form."""
    with pytest.raises(ConfigurationError) as caught:
        urls.check_base_url(url, title, "CLIPIA_API_KEY")
    message = str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert "\n" not in message and "\r" not in message and len(message) < 300
    assert SECRET not in message
    assert message.startswith(f"{title} base URL")
    return message


@pytest.mark.parametrize(
    "url",
    [
        f"http://user:{SECRET}@127.0.0.1:9/",
        f"https://user:{SECRET}@api.clipia.ai",
        f"https://:{SECRET}@api.clipia.ai/v1",
        f"https://{SECRET}@api.clipia.ai",
        f"https://a@b:{SECRET}@api.clipia.ai",
    ],
)
def test_userinfo_is_refused_and_the_message_says_where_a_key_goes(url: str) -> None:
    message = refused(url)
    assert "api_key=" in message and "CLIPIA_API_KEY" in message
    assert url.rpartition("@")[2].split("/")[0] in message  # the host, never what is before @


def test_the_key_variable_comes_from_the_provider_when_not_given() -> None:
    with pytest.raises(ConfigurationError, match="SIVI_API_KEY"):
        urls.check_base_url("https://u:p@connect.sivi.ai", "Sivi")


@pytest.mark.parametrize(
    "url",
    [
        f"https://api.clipia.ai/?key={SECRET}",
        f"https://api.clipia.ai/v1?x={SECRET}",
        "https://api.clipia.ai#frag",
        "https://api.clipia.ai/?",
    ],
)
def test_a_query_or_fragment_is_refused_never_mangled(url: str) -> None:
    assert "query string" in refused(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.clipia.ai/it's",
        'https://api.clipia.ai/"x"',
        "https://api.clipia.ai/a b",
        "https://api.clipia.ai\n",
        " https://api.clipia.ai",
        "https://api.clipia.ai/\t",
        "https://api.clipia.ai/\x1b[31m",
        "https://api.clipia.ai/`id`",
        "https://api.clipia.ai/\u202eevil",
        "https://api.clipia.ai\\@evil.example",
        "https://api.clipia.ai/a/../b",
        "https://api.clipia.ai/%zz",
        "ftp://api.clipia.ai",
        "api.clipia.ai",
        "https://",
        "https://api.clipia.ai:0",
        "http://localhost.",
        "http://0x7f000001",
        "http://127.1",
    ],
)
def test_quotes_whitespace_controls_and_odd_urls_are_refused(url: str) -> None:
    refused(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://api.clipia.ai",
        "http://localhost.evil.com",
        "http://127.0.0.1.nip.io:8000",
        "http://LOCALHOST.evil.com",
        "http://127.0.0.2",
        "http://[::2]",
        "http://[::ffff:127.0.0.1]",
        "http://10.0.0.1",
    ],
)
def test_plain_http_is_refused_outside_loopback(url: str) -> None:
    assert "https://" in refused(url)


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("http://localhost:8000/", "http://localhost:8000"),
        ("http://LOCALHOST", "http://localhost"),
        ("http://127.0.0.1:5/x/", "http://127.0.0.1:5/x"),
        ("http://[::1]:5", "http://[::1]:5"),
        ("HTTPS://API.Clipia.AI:443/", "https://api.clipia.ai"),
        ("https://connect.sivi.ai/api/prod/v2/", "https://connect.sivi.ai/api/prod/v2"),
        ("https://x.example:8443//", "https://x.example:8443"),
    ],
)
def test_good_base_urls_are_normalized(url: str, normalized: str) -> None:
    assert urls.check_base_url(url, "Clipia") == normalized
    assert urls.check_base_url(normalized, "Clipia") == normalized


# -- curl ---------------------------------------------------------------------------------------

HOSTILE_CURL = [  # (URL, the word curl must receive)
    ("https://api.example/v1/x'; touch pwned; '", "https://api.example/v1/x'; touch pwned; '"),
    ("https://api.example/$(touch pwned)", "https://api.example/$(touch pwned)"),
    ("https://api.example/`touch pwned`?q=`id`", "https://api.example/`touch pwned`?q=`id`"),
    ('https://api.example/a"b"?x="$HOME"', 'https://api.example/a"b"?x="$HOME"'),
    ("https://api.example/a;touch pwned&&x|y>z", "https://api.example/a;touch pwned&&x|y>z"),
    (
        "https://api.example/a\ntouch pwned\n?b=\r\n",
        "https://api.example/a%0Atouch pwned%0A?b=%0D%0A",
    ),
    ("https://api.example/a\\'b!!x", "https://api.example/a\\'b!!x"),
    ("https://api.example/\u202e\x1b[2J\x00", "https://api.example/%E2%80%AE%1B[2J%00"),
]


def curl_words(command: str) -> list[str]:
    """The words bash gives curl (``\\`` + newline continues the line, as in bash)."""
    return shlex.split(command.replace("\\\n", ""))


@pytest.mark.parametrize(("url", "word"), HOSTILE_CURL)
def test_curl_command_quotes_every_word(url: str, word: str) -> None:
    command = urls.curl_command(url, "Authorization: Bearer {env}", "CLIPIA_API_KEY")
    word = word.replace(" ", "%20")
    assert curl_words(command) == [
        "curl", "-sS", word, "-H", "Authorization: Bearer $CLIPIA_API_KEY",
    ]  # fmt: skip
    assert 'Bearer $CLIPIA_API_KEY"' in command and "\n" not in command.replace("\\\n", "")


@pytest.mark.parametrize(("url", "word"), HOSTILE_CURL)
def test_curl_command_in_real_bash_runs_curl_only(url: str, word: str, tmp_path: Path) -> None:
    command = urls.curl_command(url, "sivi-api-key: {env}", "SIVI_API_KEY")
    script = 'curl() { printf "%s\\0" "$@"; }\n' + command
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SIVI_API_KEY": "k-$(id)`x`'"}
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", script],
        cwd=tmp_path, env=env, capture_output=True, check=True, timeout=30,
    )  # fmt: skip
    words = done.stdout.decode().split("\0")[:-1]
    assert words == ["-sS", word.replace(" ", "%20"), "-H", "sivi-api-key: k-$(id)`x`'"]
    assert list(tmp_path.iterdir()) == [] and done.stderr == b""


def test_curl_header_with_odd_text_and_a_variable_inside() -> None:
    command = urls.curl_command("https://a.example/", "X-Key: a!b'\"{env}c$d", "MY_KEY")
    assert curl_words(command)[-1] == "X-Key: a!b'\"${MY_KEY}c$d"
    assert curl_words(urls.curl_command("https://a.example/", "Key", "K"))[-1] == "Key $K"
    for bad in ("", "1X", "A B", "A$(x)", "K\n"):
        with pytest.raises(ValueError):
            urls.curl_command("https://a.example/", "H: {env}", bad)
    with pytest.raises(ValueError):
        urls.curl_command("https://a.example/", "H: {env}\nX: y", "K")


# -- origins and redirects ----------------------------------------------------------------------


def test_parse_refuses_what_is_not_a_string() -> None:
    for value in (None, b"http://API/", 42):
        with pytest.raises(urls.UnsafeURL):
            urls.parse(value)  # type: ignore[arg-type]


def test_origin_text_and_same_origin() -> None:
    assert urls.origin_text("https://API.example/x") == "https://api.example:443"
    assert urls.origin_text("http://[::1]:8/") == "http://[::1]:8"
    assert urls.same_origin("https://a.example/x", "https://A.EXAMPLE:443/y?z")
    assert not urls.same_origin("https://a.example/", "http://a.example/")
    assert not urls.same_origin("https://a.example/", "https://a.example:444/")


@pytest.mark.parametrize(
    "location",
    [
        "//evil.example\\@api.example/",
        "http:evil.example/x",
        "\t//evil.example/",
        "/%zz",
        "ftp://x/",
    ]
    + ["http://user:pw@api.example/", "javascript:alert(1)", "//ＡＰＩ/", "", "/a\nb", "/a b"],
)
def test_join_refuses_hostile_redirects(location: str) -> None:
    with pytest.raises(urls.UnsafeURL):
        urls.join(API + "/v1/a", location)


def test_join_resolves_like_a_browser() -> None:
    assert urls.join(API + "/v1/a/b?x", "../c?y") == API + "/v1/c?y"
    assert urls.join(API + "/v1/a", "//evil.example:1/z") == "http://evil.example:1/z"
    assert urls.join(API + "/v1/a", "https://b.example/") == "https://b.example/"
    assert urls.join(API + "/v1/a", "?page=2") == API + "/v1/a?page=2"
