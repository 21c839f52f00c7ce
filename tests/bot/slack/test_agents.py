"""Who is an agent: listed users at once, user group members read from Slack and kept for a while."""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.config.desk import People
from bot.slack.agents import RETRY, TTL, Agents
from slack_emulator import SlackEmulator, Workspace
from slack_emulator.faults import ServerError

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
LIST = "usergroups.users.list"


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    workspace = Workspace.example()
    workspace.add_usergroup("l1", ["dave"], id="S0AGENTS01")
    with SlackEmulator(workspace) as emulator:
        yield emulator


def _agents(emulator: SlackEmulator, clock: Clock, users: tuple[str, ...] = ()) -> Agents:
    return Agents(emulator.client(), People(users=users, usergroups=("S0AGENTS01",)), clock=clock)


def _id(emulator: SlackEmulator, name: str) -> str:
    return emulator.workspace.user(name).id


def test_members_of_a_configured_group_are_agents_and_others_are_not(emulator: SlackEmulator) -> None:
    agents = _agents(emulator, Clock())
    assert agents.is_agent(_id(emulator, "dave"))
    assert not agents.is_agent(_id(emulator, "alice"))
    assert not agents.is_agent("")
    assert len(emulator.calls(LIST)) == 1  # one look-up for both questions


def test_a_listed_user_needs_no_look_up(emulator: SlackEmulator) -> None:
    agents = _agents(emulator, Clock(), users=(_id(emulator, "bob"),))
    assert agents.is_agent(_id(emulator, "bob"))
    assert emulator.calls(LIST) == []


def test_members_are_read_again_after_the_ttl(emulator: SlackEmulator) -> None:
    clock = Clock()
    agents = _agents(emulator, clock)
    assert agents.is_agent(_id(emulator, "dave"))
    emulator.workspace.set_usergroup_users("S0AGENTS01", ["carol"])
    clock.now += TTL - timedelta(seconds=1)
    assert agents.is_agent(_id(emulator, "dave"))  # still the cached members
    assert len(emulator.calls(LIST)) == 1
    clock.now += timedelta(seconds=1)
    assert not agents.is_agent(_id(emulator, "dave"))
    assert agents.is_agent(_id(emulator, "carol"))
    assert len(emulator.calls(LIST)) == 2


def test_a_slack_error_keeps_the_last_known_members_and_is_logged(
    emulator: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    agents = _agents(emulator, clock)
    assert agents.is_agent(_id(emulator, "dave"))
    emulator.fail(LIST, ServerError(500))
    clock.now += TTL
    with caplog.at_level(logging.WARNING, logger="bot.slack.agents"):
        assert agents.is_agent(_id(emulator, "dave"))
    assert "user group S0AGENTS01 could not be read" in caplog.text
    assert "keeping its 1 known members" in caplog.text
    clock.now += RETRY - timedelta(seconds=1)
    agents.is_agent(_id(emulator, "alice"))
    assert len(emulator.calls(LIST)) == 2  # not asked again before RETRY
    clock.now += timedelta(seconds=1)
    emulator.workspace.set_usergroup_users("S0AGENTS01", ["alice"])
    assert agents.is_agent(_id(emulator, "alice"))


def test_a_group_never_read_has_no_members(emulator: SlackEmulator) -> None:
    emulator.fail(LIST, ServerError(500))
    assert not _agents(emulator, Clock()).is_agent(_id(emulator, "dave"))
