"""The desk config's customer channel modes: `reaction` by default, `auto` with its follow-up window, and a
mistake named with its key."""

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config.desk import DeskConfigError, parse_desk_config

BASE = """
policy = "k0nsult"
[slack]
intake_channel = "C0INTAKE01"
agents_channel = "C0AGENTS01"
[agents]
users = ["U0AGENT001"]
[[customers]]
name = "Acme"
plan = "enterprise"
slack_channels = ["C0ACME0001"]
"""


def _customer(extra: str = ""):
    return parse_desk_config(BASE + extra, source="frontdesk.toml", folder=Path(".")).customers[0]


def test_a_customer_channel_is_left_to_the_agents_reaction_unless_told():
    customer = _customer()
    assert (customer.channel_mode, customer.follow_up_window) == ("reaction", timedelta(minutes=10))


def test_auto_with_its_follow_up_window():
    customer = _customer('channel_mode = "auto"\nfollow_up_window = "30m"\n')
    assert (customer.channel_mode, customer.follow_up_window) == ("auto", timedelta(minutes=30))


def test_an_unknown_mode_is_named_with_its_key():
    with pytest.raises(DeskConfigError) as raised:
        _customer('channel_mode = "always"\n')
    (problem,) = raised.value.problems
    assert "channel_mode" in problem
    assert '"always" is not a channel mode (auto, ask, reaction)' in problem
