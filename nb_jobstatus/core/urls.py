"""URL decisions made with the parser that makes the connection (yarl, under aiohttp).

``parse`` refuses every URL on which URL parsers could disagree about where it goes
(backslashes, control characters, whitespace, userinfo, percent-encodings or non-ASCII in the
authority, odd ports, ambiguous numeric hosts, IDNA oddities), so that the origin yarl reports
is the origin every parser reports. The key is sent only when ``same_origin`` says so.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
import unicodedata

import yarl

from .errors import ConfigurationError

MAX_URL = 16 * 1024
SCHEMES = {"http": 80, "https": 443}
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

_PREFIX_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_LABEL_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_NUMERIC_LABEL_RE = re.compile(r"0x[0-9a-f]*|[0-9]+")
_PORT_RE = re.compile(r"[1-9][0-9]{0,4}")
_BAD_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_BASE_PATH_RE = re.compile(r"(?:/[A-Za-z0-9\-._~!$&()*+,;=:@%]*)*")
_ENV_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PLAIN_RE = re.compile(r"[A-Za-z0-9 :_./=,+-]*")


class UnsafeURL(ValueError):
    """A URL that is not a plain http(s) URL every parser reads the same way."""


def _bad_character(url: str) -> str | None:
    """What is wrong with the characters of ``url`` anywhere in it, or None."""
    if "\\" in url:
        return f"a backslash at position {url.index(chr(92))}"
    for index, char in enumerate(url):
        category = unicodedata.category(char)
        if char.isspace() or category[0] in "CZ":  # controls, format (bidi), separators
            return f"the character U+{ord(char):04X} at position {index}"
    if _BAD_PERCENT_RE.search(url):
        return "a '%' that is not followed by two hex digits"
    return None


def _split(url: str) -> tuple[str, str, str]:
    """(lower-cased scheme, authority, rest from the first '/', '?' or '#')."""
    match = _PREFIX_RE.match(url)
    if not match:
        raise UnsafeURL("not an absolute URL (scheme://host...)")
    scheme = match.group(1).lower()
    if scheme not in SCHEMES:
        raise UnsafeURL(f"the scheme {scheme[:20]!r} is not http or https")
    start = match.end()
    end = next((i for i in range(start, len(url)) if url[i] in "/?#"), len(url))
    return scheme, url[start:end], url[end:]


def _check_ip6(literal: str) -> None:
    inside = literal[1:-1]
    if not re.fullmatch(r"[0-9a-f:.]+", inside):
        raise UnsafeURL("an IPv6 literal with a zone id or other characters")
    try:
        ipaddress.IPv6Address(inside)
    except ValueError:
        raise UnsafeURL("a malformed IPv6 literal") from None


def _check_name(host: str) -> None:
    """A DNS name of plain labels, or a canonical dotted-quad IPv4 address."""
    if len(host) > 253:
        raise UnsafeURL("a host name longer than 253 characters")
    labels = host.split(".")
    if _NUMERIC_LABEL_RE.fullmatch(labels[-1]):  # resolvers read it as a number: be exact
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise UnsafeURL("a numeric host that is not a plain dotted-quad address") from None
        return
    for label in labels:
        if not _LABEL_RE.fullmatch(label):
            raise UnsafeURL("a host name with an empty, over-long or odd label")
        if label.startswith("xn--"):
            _check_idna(label)


def _check_idna(label: str) -> None:
    """An A-label must decode and encode back to itself (IDNA 2003 and 2008 agree on it)."""
    try:
        decoded = label.encode("ascii").decode("idna")
        again = decoded.encode("idna").decode("ascii")
    except UnicodeError:
        raise UnsafeURL("a host label that is not valid IDNA") from None
    if again != label:
        raise UnsafeURL("a host label whose IDNA form does not round-trip")


def _check_authority(authority: str) -> None:
    if not authority:
        raise UnsafeURL("an empty host")
    if "@" in authority:
        raise UnsafeURL("a user name or password before '@' in the host part")
    if "%" in authority:
        raise UnsafeURL("a percent-encoding in the host part")
    lowered = authority.lower()
    host, sep, port = lowered.rpartition(":") if not lowered.endswith("]") else (lowered, "", "")
    if not sep:
        host = lowered
    elif not _PORT_RE.fullmatch(port) or int(port) > 65535:
        raise UnsafeURL("a port that is not a number from 1 to 65535 without leading zeros")
    if host.startswith("["):
        if not host.endswith("]"):
            raise UnsafeURL("a malformed IPv6 literal")
        _check_ip6(host)
    else:
        _check_name(host)


def parse(url: str) -> yarl.URL:
    """``url`` as yarl reads it, or UnsafeURL when parsers could disagree about it."""
    if not isinstance(url, str):
        raise UnsafeURL(f"a URL must be a string, not {type(url).__name__}")
    if len(url) > MAX_URL:
        raise UnsafeURL(f"a URL longer than {MAX_URL} characters")
    problem = _bad_character(url)
    if problem:
        raise UnsafeURL(f"a URL with {problem}")
    _scheme, authority, _rest = _split(url)
    if not authority.isascii():
        raise UnsafeURL("a host part with non-ASCII characters (write it in xn-- form)")
    _check_authority(authority)
    try:
        parsed = yarl.URL(url)
    except (ValueError, UnicodeError, TypeError) as exc:
        raise UnsafeURL(f"a URL yarl refuses: {type(exc).__name__}") from None
    if not parsed.raw_host or parsed.port is None or parsed.raw_user or parsed.raw_password:
        raise UnsafeURL("a URL whose host, port or userinfo yarl reads differently")
    return parsed


def join(url: str, location: str) -> str:
    """The absolute URL a redirect's ``Location`` points to from ``url``, or UnsafeURL.

    An absolute or scheme-relative location must itself pass ``parse``; a relative one must
    have no unsafe character; the result is resolved by yarl and checked again."""
    base = parse(url)
    if not isinstance(location, str) or not location:
        raise UnsafeURL("an empty redirect location")
    if location.startswith("//"):
        location = f"{base.scheme}:{location}"
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", location):
        return str(parse(location))
    problem = _bad_character(location)
    if problem:
        raise UnsafeURL(f"a redirect location with {problem}")
    try:
        joined = str(base.join(yarl.URL(location)))
    except (ValueError, UnicodeError, TypeError) as exc:
        raise UnsafeURL(f"a redirect location yarl refuses: {type(exc).__name__}") from None
    parse(joined)
    return joined


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, lower-cased host, port with the default made explicit), as yarl connects."""
    parsed = parse(url)
    assert parsed.raw_host is not None and parsed.port is not None  # checked by parse
    return parsed.scheme, parsed.raw_host.lower(), parsed.port


def origin_text(url: str) -> str:
    """``scheme://host:port`` (IPv6 in brackets), for cache keys and display."""
    scheme, host, port = origin(url)
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def same_origin(a: str, b: str) -> bool:
    """Do ``a`` and ``b`` go to the same scheme, host and port? False if either is unsafe."""
    try:
        return origin(a) == origin(b)
    except UnsafeURL:
        return False


def check_base_url(url: str, title: str, key_env: str | None = None) -> str:
    """The normalized base URL (no trailing slash), or a one-line ConfigurationError."""
    if not isinstance(url, str):
        raise ConfigurationError(f"{title} base URL must be a string, not {type(url).__name__}")
    try:
        scheme, authority, rest = _split(url)
    except UnsafeURL as exc:
        raise ConfigurationError(f"{title} base URL is not usable: {exc}") from None
    if "@" in authority:
        shown = f"{scheme}://{authority.rpartition('@')[2][:100]}"
        raise ConfigurationError(
            f"{title} base URL {shown} must not carry a user name or password (user:pw@): "
            f"{_where_key_goes(title, key_env)}"
        )
    if "?" in rest or "#" in rest:
        raise ConfigurationError(
            f"{title} base URL must not have a query string or fragment (?... #...): "
            f"give the base only, e.g. {scheme}://{authority[:100]}; "
            f"{_where_key_goes(title, key_env)}"
        )
    return _normalized_base(url, title, scheme, rest)


def _normalized_base(url: str, title: str, scheme: str, path: str) -> str:
    try:
        parsed = parse(url)
    except UnsafeURL as exc:
        raise ConfigurationError(f"{title} base URL is not usable: {exc}") from None
    if "'" in path or '"' in path or not _BASE_PATH_RE.fullmatch(path):
        raise ConfigurationError(f"{title} base URL has quotes or odd characters in its path")
    if any(segment in (".", "..") for segment in path.split("/")):
        raise ConfigurationError(f"{title} base URL has '.' or '..' segments in its path")
    host = parsed.raw_host or ""
    if scheme == "http" and host not in LOOPBACK_HOSTS:
        raise ConfigurationError(
            f"{title} base URL must be https:// (plain http:// is allowed only for "
            f"localhost, 127.0.0.1 and [::1]) so that the key never travels in clear text"
        )
    shown_host = f"[{host}]" if ":" in host else host
    port = "" if parsed.port == SCHEMES[scheme] else f":{parsed.port}"
    return f"{scheme}://{shown_host}{port}{path.rstrip('/')}"


def _where_key_goes(title: str, key_env: str | None) -> str:
    if not key_env:
        from .providers import PROVIDERS  # here: so that providers may import this module

        provider = PROVIDERS.get(title.strip().lower())
        key_env = " or ".join(provider.key_env) if provider else "the provider's key variable"
    return f"the key goes in api_key= or the {key_env} environment variable"


def _header_word(before: str, variable: str, after: str) -> str:
    """One shell word: the literal parts quoted, only ``variable`` expanding."""
    if _PLAIN_RE.fullmatch(before + after):  # the usual header: "Authorization: Bearer $VAR"
        return f'"{before}{variable}{after}"'
    quoted = [shlex.quote(part) if part else "" for part in (before, after)]
    return f'{quoted[0]}"{variable}"{quoted[1]}'


def _printable(url: str) -> str:
    """``url`` with control, separator and format characters percent-encoded (UTF-8)."""
    return "".join(
        "".join(f"%{b:02X}" for b in c.encode()) if unicodedata.category(c)[0] in "CZ" else c
        for c in url
    )


def curl_command(url: str, header: str, env_var: str) -> str:
    """A copy-paste curl command; the key stays in ``"$ENV_VAR"``.

    ``header`` is the auth header with ``{env}`` where the key goes (a provider's
    ``curl_header``); without ``{env}`` the variable is appended after a space. Every word is
    shell-quoted; only the variable expands. Control characters in ``url`` are percent-encoded.
    """
    if not _ENV_RE.fullmatch(env_var):
        raise ValueError(f"not an environment variable name: {env_var[:40]!r}")
    if any(unicodedata.category(c)[0] in "CZ" and c != " " for c in header):
        raise ValueError("a header with control characters")
    before, found, after = header.partition("{env}")
    if not found:
        before, after = header + " ", ""
    variable = "${" + env_var + "}" if re.match(r"[A-Za-z0-9_]", after) else "$" + env_var
    value = _header_word(before, variable, after)
    return f"curl -sS {shlex.quote(_printable(url))} \\\n  -H {value}"
