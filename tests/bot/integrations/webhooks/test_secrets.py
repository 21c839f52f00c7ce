"""The endpoints' signing secrets: read from the environment at start; one not set, or too short, is named by the
doctor and stops the start; a call for an endpoint without a secret is never sent unsigned."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config.desk import DeskConfigError
from bot.config.webhooks import Webhook
from bot.doctor.configuration import read_configuration
from bot.doctor.findings import line
from bot.integrations.calls import HttpCall
from bot.integrations.webhooks.caller import UnsignableCall, WebhookCaller, webhook_callers

OPS = Webhook("ops", "https://hooks.example.com/in", ("request.opened",), "OPS_SECRET")
AUDIT = Webhook("audit", "https://audit.example.com/in", ("request.closed",), "AUDIT_SECRET")


def test_a_secret_not_set_or_too_short_stops_the_start_naming_its_variable() -> None:
    with pytest.raises(DeskConfigError) as caught:
        webhook_callers((OPS, AUDIT), {"OPS_SECRET": "  ", "AUDIT_SECRET": "short"})
    assert caught.value.problems == [
        "webhooks ops: secret_env: the environment variable OPS_SECRET is not set",
        "webhooks audit: secret_env: the environment variable AUDIT_SECRET holds fewer than 16 characters",
    ]
    assert set(webhook_callers((OPS,), {"OPS_SECRET": "x" * 16})) == {"webhook"}
    assert webhook_callers((), {}) == {}


def test_the_doctor_names_a_secret_that_is_not_set(tmp_path: Path) -> None:
    desk = tmp_path / "frontdesk.toml"
    desk.write_text(
        'policy = "owkin"\n[slack]\nintake_channel = "C0INTAKE09"\nagents_channel = "C0AGENTS09"\n'
        '[agents]\nusers = ["U0AGENT009"]\n[[webhooks]]\nname = "ops"\nurl = "https://hooks.example.com/in"\n'
        'events = ["request.opened"]\nsecret_env = "DOCTOR_HOOK_SECRET"\n'
    )
    environ = {"SLACK_BOT_TOKEN": "xoxb-1-2", "SLACK_SIGNING_SECRET": "s" * 32, "FRONTDESK_CONFIG": str(desk)}
    lines = [line(found) for found in read_configuration(environ, http=True).problems]
    assert any("the environment variable DOCTOR_HOOK_SECRET is not set" in text for text in lines)
    lines = [line(found) for found in read_configuration({**environ, "DOCTOR_HOOK_SECRET": "k" * 32}).problems]
    assert not any("webhooks" in text for text in lines)


def test_a_call_for_an_endpoint_without_a_secret_is_refused_not_sent_unsigned() -> None:
    caller = WebhookCaller({"ops": b"x" * 16})
    call = HttpCall("webhook:gone", "POST", "https://hooks.example.com/in", {"id": "evt_1"})
    with pytest.raises(UnsignableCall, match="no signing secret for webhook 'gone'"):
        caller.prepare(call, now=datetime(2026, 1, 1, tzinfo=UTC), earlier={})
    signed = caller.prepare(HttpCall("webhook:ops", "POST", call.url, call.json), now=datetime(2026, 1, 1, tzinfo=UTC),
                            earlier={})  # fmt: skip
    assert dict(signed.headers)["Frontdesk-Webhook-Id"] == "evt_1"
    assert dict(signed.headers)["Frontdesk-Webhook-Timestamp"] == "1767225600"
