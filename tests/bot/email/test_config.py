"""The `[email]` table's trust settings: whose verdicts are believed, agents replying by email, and the warning
that a desk without `authserv_id` can verify no sender."""

import logging
from pathlib import Path

import pytest

from bot.config.desk import DeskConfigError, parse_desk_config

DESK = """
policy = "owkin"
[slack]
intake_channel = "C0INTAKE1"
agents_channel = "C0AGENTS1"
[agents]
users = ["U0BOB0001"]
[email]
address = "support@desk.example"
"""
WARNING = "[email] authserv_id is not set: no sender can be verified"


def test_agents_reply_by_email_by_default_and_a_desk_may_turn_it_off(tmp_path: Path) -> None:
    assert parse_desk_config(DESK, source="f.toml", folder=tmp_path).email.agents_reply_by_email is True
    off = parse_desk_config(DESK + "agents_reply_by_email = false\n", source="f.toml", folder=tmp_path)
    assert off.email.agents_reply_by_email is False


def test_agents_reply_by_email_must_be_true_or_false(tmp_path: Path) -> None:
    with pytest.raises(DeskConfigError) as refused:
        parse_desk_config(DESK + 'agents_reply_by_email = "no"\n', source="f.toml", folder=tmp_path)
    assert refused.value.problems == ["f.toml: email.agents_reply_by_email: must be true or false, not a string"]


def test_a_desk_without_authserv_id_is_warned_that_no_sender_can_be_verified(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.config.email"):
        desk = parse_desk_config(DESK, source="f.toml", folder=tmp_path)
    assert desk.email.authserv_id is None
    [warning] = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert warning.startswith(WARNING)


@pytest.mark.parametrize("extra", ['authserv_id = "mx.desk.example"\n', None])
def test_no_warning_with_an_authserv_id_or_without_email(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, extra: str | None
) -> None:
    text = DESK + extra if extra is not None else DESK.split("[email]")[0]
    with caplog.at_level(logging.WARNING, logger="bot.config.email"):
        parse_desk_config(text, source="f.toml", folder=tmp_path)
    assert WARNING not in caplog.text
