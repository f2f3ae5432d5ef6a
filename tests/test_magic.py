"""``%jobstatus`` in a real in-process IPython shell, against the sandbox over real HTTP: help,
settings, which provider and id a line names, and mistakes as one-line UsageErrors."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import pytest
from _magic_helpers import (
    KEY_VARIABLES,
    api_requests,
    everything,
    line,
    run,
)
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from nb_jobstatus import State, jobs, magic
from nb_jobstatus.core import config
from nb_jobstatus.sandbox import Sandbox

pytest_plugins = ["_magic_fixtures"]


# -- help and settings ---------------------------------------------------------------------------


def test_help_explains_usage_with_examples(shell: InteractiveShell) -> None:
    doc = shell.find_line_magic("jobstatus").__doc__
    for part in ("%jobstatus", "--wait", "--save", "--no-images", "providers", "$first"):
        assert part in doc
    _, captured = run(shell, "%jobstatus?")
    assert "REQUEST_ID" in captured.stdout + everything(captured)


def test_help_is_plain_text(shell: InteractiveShell) -> None:
    """No reStructuredText left for a person to read: no ``::`` block, no double backquotes,
    no ``<[DIR]>``; the usage line and the examples are there as plain lines."""
    doc = shell.find_line_magic("jobstatus").__doc__
    assert "::" not in doc.replace("https://", "") and "``" not in doc and "<[" not in doc, doc
    assert doc.startswith("Usage:\n  %jobstatus [--wait]"), doc[:200]
    assert "\nExamples:\n    %jobstatus clipia" in doc
    assert "  --save [DIR]          Wait" in doc, doc  # the options column stays aligned


def test_config_lists_the_settings(shell: InteractiveShell) -> None:
    _, captured = run(shell, "%config JobStatusMagics")
    for name in ("interval", "timeout", "show_images", "save_dir", "sivi_rate_limit"):
        assert f"JobStatusMagics.{name}" in captured.stdout


def test_config_interval_reaches_the_job(shell: InteractiveShell, sb: Sandbox, env: Any) -> None:
    first, second = sb.add_job("clipia", duration=0.3), sb.add_job("clipia", duration=0.3)
    try:
        run(shell, "%config JobStatusMagics.interval = 2")
        assert line(shell, f"clipia {first}").interval == 2
        assert line(shell, f"clipia {second} --interval 0.5").interval == 0.5  # the option wins
    finally:
        run(shell, "%config JobStatusMagics.interval = None")


def test_reload_keeps_one_settings_object(shell: InteractiveShell) -> None:
    try:
        run(shell, "%config JobStatusMagics.interval = 3")
        run(shell, "%reload_ext nb_jobstatus")
        names = [type(c).__name__ for c in shell.configurables]
        assert names.count("JobStatusMagics") == 1
        assert shell.run_line_magic("config", "JobStatusMagics.interval") == 3
    finally:
        run(shell, "%config JobStatusMagics.interval = None")


def test_config_sivi_rate_limit(shell: InteractiveShell) -> None:
    try:
        run(shell, "%config JobStatusMagics.sivi_rate_limit = 100")
        assert config.rate_limits["sivi"] == (100, 60.0)
    finally:
        run(shell, "%config JobStatusMagics.sivi_rate_limit = 50")
    assert config.rate_limits["sivi"] == (50, 60.0)


# -- which provider, which id -----------------------------------------------------------------


def test_napkin_status_and_file_urls(shell: InteractiveShell, sb: Sandbox, env: Any) -> None:
    env.delenv("NAPKIN_BASE_URL")  # the base comes from the pasted URL
    rid = sb.add_job("napkin", duration=0.3)
    for url in (f"/v1/visual/{rid}/status", f"/v1/visual/{rid}/file/abc_c", f"/v1/visual/{rid}"):
        job = line(shell, sb.base_url("napkin") + url)
        assert (job.provider, job.request_id) == ("napkin", rid)
        assert job.client.base_url == sb.base_url("napkin")
    assert job.wait(10).state is State.COMPLETED


def test_clipia_status_and_result_urls(shell: InteractiveShell, sb: Sandbox, env: Any) -> None:
    env.delenv("CLIPIA_BASE_URL")
    rid = sb.add_job("clipia", duration=0.3)
    for url in (f"/v1/requests/{rid}/status", f"/v1/requests/{rid}"):
        job = line(shell, sb.base_url("clipia") + url)
        assert (job.provider, job.request_id) == ("clipia", rid)
    assert job.wait(10).state is State.COMPLETED


def test_sivi_status_url_decodes_the_request_id(
    shell: InteractiveShell, sb: Sandbox, env: Any
) -> None:
    env.delenv("SIVI_BASE_URL")
    rid = sb.add_job("sivi", duration=0.3)
    query = quote(f'{{"requestId":"{rid}"}}', safe="")
    job = line(shell, f"{sb.base_url('sivi')}/general/get-request-status?queryParams={query}")
    assert (job.provider, job.request_id) == ("sivi", rid)
    assert job.wait(10).state is State.COMPLETED
    raw = f'{sb.base_url("sivi")}/general/get-request-status?queryParams={{"requestId":"{rid}"}}'
    result, _ = run(shell, f"job = %jobstatus {raw}")  # braces as pasted survive expansion
    assert result.success and shell.user_ns["job"].request_id == rid


def test_sivi_design_link_of_a_known_job(shell: InteractiveShell, sb: Sandbox, env: Any) -> None:
    rid = sb.add_job("sivi", duration=0.2)
    line(shell, f"sivi {rid}").wait(10)
    job = next(j for j in jobs() if j.request_id == rid)
    assert job.status is not None and job.status.view_url and job.status.share_url
    for link in (job.status.view_url, job.status.share_url):
        assert line(shell, link).request_id == rid


def test_sivi_design_link_unknown_is_a_usage_error(shell: InteractiveShell, env: Any) -> None:
    with pytest.raises(UsageError, match="paste the requestId"):
        line(shell, "https://instant.sivi.ai/#/design/97026520-1f1b-11f0-ada0-01392001fe46")


def test_urls_on_the_providers_own_hosts() -> None:
    uuid = "764cabcf-b745-4b3e-ae38-1200304cf45b"
    napkin = f"https://api.napkin.ai/v1/visual/{uuid}/status"
    clipia = f"https://api.clipia.ai/v1/requests/{uuid}"
    sivi = "https://connect.sivi.ai/api/prod/v2/general/get-request-status?queryParams=" + quote(
        '{"requestId":"sbhMkIZKCPp"}'
    )
    assert magic.resolve_targets([napkin], None) == ("napkin", [uuid], "https://api.napkin.ai")
    pasted = napkin.replace("https://", "https://me:secret@")  # credentials are dropped
    assert magic.resolve_targets([pasted], None)[2] == "https://api.napkin.ai"
    assert magic.resolve_targets([clipia], None) == ("clipia", [uuid], "https://api.clipia.ai")
    assert magic.resolve_targets([sivi], None) == (
        "sivi",
        ["sbhMkIZKCPp"],
        "https://connect.sivi.ai/api/prod/v2",
    )


def test_url_on_a_foreign_host_needs_base_url(
    shell: InteractiveShell, sb: Sandbox, env: Any
) -> None:
    uuid = "764cabcf-b745-4b3e-ae38-1200304cf45b"
    with pytest.raises(UsageError, match="--base-url https://evil.example"):
        line(shell, f"https://evil.example/v1/visual/{uuid}/status")
    with pytest.raises(UsageError, match="not Napkin's API"):
        line(shell, f"https://api.clipia.ai/v1/visual/{uuid}/status")
    assert api_requests(sb, uuid) == []
    rid, base = sb.add_job("napkin", duration=0.2), sb.base_url("napkin")
    job = line(shell, f"https://evil.example/v1/visual/{rid}/status --base-url {base}")
    assert job.client.base_url == base and job.request_id == rid  # the explicit base wins


def test_a_production_url_while_the_sandbox_is_in_use_is_refused(
    shell: InteractiveShell, sb: Sandbox, env: Any
) -> None:
    """With the sandbox's base URLs set (``sb.use()``), a pasted URL of the real API would get
    the sandbox's key: one line says so at once, instead of a transport error seconds later."""
    rid = sb.add_job("clipia", duration=0.2)
    began = time.monotonic()
    with pytest.raises(UsageError) as raised:
        line(shell, f"https://api.clipia.ai/v1/requests/{rid}/status")
    message = str(raised.value)
    assert "CLIPIA_BASE_URL points at a local sandbox" in message, message
    assert "--base-url https://api.clipia.ai" in message and "\n" not in message
    assert time.monotonic() - began < 1 and api_requests(sb, rid) == []
    job = line(shell, f"{sb.base_url('clipia')}/v1/requests/{rid}/status")  # its own URL: fine
    assert job.wait(10).state is State.COMPLETED


def test_the_only_key_names_the_provider(shell: InteractiveShell, sb: Sandbox, only: Any) -> None:
    only("clipia")
    rid = sb.add_job("clipia", duration=0.3)
    job = line(shell, rid)
    assert (job.provider, job.request_id) == ("clipia", rid)


def test_no_key_or_several_keys_is_a_usage_error(
    shell: InteractiveShell, env: pytest.MonkeyPatch
) -> None:
    uuid = "764cabcf-b745-4b3e-ae38-1200304cf45b"
    with pytest.raises(UsageError, match=r"keys are set for sivi, napkin, clipia: name one of"):
        line(shell, uuid)
    for name in KEY_VARIABLES:
        env.delenv(name, raising=False)
    with pytest.raises(UsageError, match="no provider key is set"):
        line(shell, uuid)


# -- mistakes are one-line UsageErrors, sent nowhere ------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("sivvi demo-ok-1s", r"'sivvi' is not a provider \(did you mean sivi\?\)"),
        ("midjourney abc123", "'midjourney' is not a provider: nb_jobstatus follows sivi, napkin"),
        ("napkin not-a-uuid", "Napkin request id 'not-a-uuid' is malformed"),
        ("clipia", "give a request id"),
        ("napkin 764cabcf-b745-4b3e-ae38-1200304cf45b --interval abc", "--interval"),
        ("napkin 764cabcf-b745-4b3e-ae38-1200304cf45b --timeout 0", "positive number"),
        ("napkin 764cabcf-b745-4b3e-ae38-1200304cf45b --bogus", "unrecognized"),
        ("napkin 764cabcf-b745-4b3e-ae38-1200304cf45b --base-url ftp://x", "is not http or https"),
        ("https://example.com/nothing", "not a Sivi, Napkin or Clipia status URL"),
        (
            "napkin https://api.clipia.ai/v1/requests/764cabcf-b745-4b3e-ae38-1200304cf45b",
            r"different providers \(clipia, napkin\)",
        ),
    ],
)
def test_mistakes_are_usage_errors(
    shell: InteractiveShell, sb: Sandbox, env: Any, text: str, message: str
) -> None:
    before = len(sb.requests)
    with pytest.raises(UsageError, match=message):
        line(shell, text)
    sent = [r.request_id for r in sb.requests[before:]]
    assert not [rid for rid in sent if rid and rid in text], sent


def test_missing_key_is_a_usage_error(shell: InteractiveShell, sb: Sandbox, only: Any) -> None:
    only("sivi")
    with pytest.raises(UsageError, match="no Napkin key: set NAPKIN_API_TOKEN"):
        line(shell, "napkin 764cabcf-b745-4b3e-ae38-1200304cf45b")


def test_a_mistake_prints_one_line_not_a_traceback(shell: InteractiveShell, env: Any) -> None:
    result, captured = run(shell, "%jobstatus napkin not-a-uuid")
    assert not result.success and isinstance(result.error_in_exec, UsageError)
    printed = (captured.stdout + captured.stderr).strip()
    assert "Traceback" not in printed and len(printed.splitlines()) == 1, printed
