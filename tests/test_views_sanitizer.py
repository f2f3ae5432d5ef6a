"""Every view's HTML survives JupyterLab's sanitizer of untrusted (reopened) notebooks.

The allow-lists below are those of JupyterLab 4's ``packages/apputils/src/sanitizer.ts``
(tags, attributes, CSS properties; values are checked for what it is known to drop:
``var()``, ``calc()``, ``repeating-*`` gradients, ``rgba()`` with a percentage alpha). A
style the sanitizer would drop makes a reopened notebook look different from the live one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_views_model import StaticJob, poll, running, sivi_done

from nb_jobstatus.core.errors import ExpiredError, PollTimeout
from nb_jobstatus.core.media import Media
from nb_jobstatus.core.model import Asset, State, Status
from nb_jobstatus.views import job_html, jobs_html

TAG_NAMES = (
    "a abbr b br code details div em i img li p pre small span strong sub summary sup table "
    "tbody td tfoot th thead tr u ul audio video source"
)
TAGS = set(TAG_NAMES.split())
ATTRIBUTES = {
    "*": {"class", "dir", "hidden", "id", "lang", "style", "title"},
    "a": {"href", "rel", "target", "name", "type"},
    "img": {"alt", "src", "width", "height", "align", "border", "name"},
    "audio": {"controls", "preload", "src", "loop", "muted"},
    "video": {"controls", "preload", "src", "poster", "width", "height", "loop", "muted"},
    "details": {"open"},
    "td": {"colspan", "rowspan", "align", "valign", "width", "height", "nowrap"},
    "th": {"colspan", "rowspan", "align", "valign", "width", "height", "nowrap"},
    "div": {"align", "role", "aria-valuenow"},  # role/aria are dropped, harmlessly
}
PROPERTY_NAMES = """background background-color border border-bottom border-collapse border-left
    border-radius border-right border-top border-color border-style border-width box-sizing
    color cursor display float font font-family font-size font-style font-weight height left
    letter-spacing line-height list-style margin margin-bottom margin-left margin-right
    margin-top max-height max-width min-height min-width opacity overflow overflow-x
    overflow-y padding padding-bottom padding-left padding-right padding-top position right
    table-layout
    text-align text-decoration text-overflow text-transform top vertical-align visibility
    white-space width word-break word-wrap"""
PROPERTIES = set(PROPERTY_NAMES.split())
BAD_VALUES = re.compile(r"var\(|calc\(|repeating-|rgba\([^)]*%|!important", re.IGNORECASE)


def pages() -> dict[str, str]:
    done = sivi_done()
    png = Media(Asset("x"), size_bytes=2048, format="PNG", width=8, height=8,
                thumbnail=b"\x89PNG....", thumbnail_type="image/png")  # fmt: skip
    done.media = {a.url: png for a in done.status.assets}  # type: ignore[union-attr]
    expired = StaticJob("sivi", "abcDEF12345", Status("sivi", "abcDEF12345", State.QUEUED),
                        error=ExpiredError("gone", provider="sivi", http_status=410))  # fmt: skip
    status = Status("clipia", "c-1", State.RUNNING, "IN_PROGRESS", progress=40)
    stopped = StaticJob("clipia", "c-1", status, error=PollTimeout("t"), stopped="timeout")
    failed = StaticJob("sivi", "abcDEF12346", Status("sivi", "abcDEF12346", State.FAILED,
                       "failed", reason="bad <b>"), history=[poll(1), poll(2)])  # fmt: skip
    return {
        "completed": job_html(done),
        "running": job_html(running(40)),
        "indeterminate": job_html(running(None)),
        "expired": job_html(expired),
        "stopped": job_html(stopped),
        "failed": job_html(failed),
        "batch": jobs_html([done, expired, stopped, failed, running(10)] * 3),
    }


@pytest.mark.parametrize("name", list(pages()))
def test_every_style_survives_the_sanitizer(name: str) -> None:
    page = BeautifulSoup(pages()[name], "html.parser")
    checked = 0
    for node in page.find_all(True):
        assert node.name in TAGS, f"{name}: <{node.name}> is dropped by the sanitizer"
        allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(node.name, set())
        assert set(node.attrs) <= allowed, f"{name}: <{node.name} {set(node.attrs) - allowed}>"
        for declaration in filter(None, (d.strip() for d in node.get("style", "").split(";"))):
            prop, _, value = declaration.partition(":")
            assert prop.strip() in PROPERTIES, f"{name}: {prop!r} is dropped ({declaration})"
            assert not BAD_VALUES.search(value), f"{name}: {declaration!r} is dropped"
            checked += 1
    assert checked > 20


def test_the_state_pill_and_card_keep_their_look() -> None:
    page = BeautifulSoup(pages()["completed"], "html.parser")
    pill = page.select_one(".nbjs-state")
    assert "border: 1px solid #2e7d32" in pill["style"] and "color: #2e7d32" in pill["style"]
    assert "border: 1px solid" in page.select_one(".nbjs-job")["style"]
    assert "border: 1px solid" in page.select_one(".nbjs-asset")["style"]


def test_no_inline_svg_anywhere() -> None:
    """<svg> is not in the sanitizer's tags: the chart is an <img> with a data: URL."""
    for html in pages().values():
        assert "<svg" not in html


def test_views_module_has_no_theme_variables() -> None:
    source = "".join(p.read_text() for p in Path("nb_jobstatus/views").glob("*.py"))
    assert not re.search(r"var\(--jp-[a-z]", source)
