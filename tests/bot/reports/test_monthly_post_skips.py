"""No monthly report before the desk's first request, nor for a month with nothing in it unless the desk config
asks for empty reports (`[reports] post_empty`), end to end on owkin against the local Slack."""

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.reports.monthly_post import sweep_monthly_report
from bot.say import Say
from slack_emulator import Workspace
from tests.bot.conversation import desk_config
from tests.bot.desk.conftest import complete_request, frontdesk

PARIS = ZoneInfo("Europe/Paris")


def _paris(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS).astimezone(UTC)


def _sweep(conversation, at: datetime) -> bool:
    desk = conversation.desk
    posted = sweep_monthly_report(conversation.database, desk, at, lambda session: Say(session, desk, at))
    conversation.now = at
    conversation.settle()
    return posted


def _reports(conversation) -> list[str]:
    messages = conversation.emulator.workspace.messages(conversation.desk.agents_channel)
    return [m.text.split("\n")[0] for m in messages if m.text.startswith(":bar_chart:")]


def test_a_new_desk_posts_no_report_for_a_month_before_it_existed(conversation):
    # First start on Tue 24 Nov 2026; November's first business day (Mon 2 Nov) is past: October would be due.
    assert not _sweep(conversation, _paris(2026, 11, 24, 9))
    complete_request(conversation)  # the desk's first request, on 24 November
    assert not _sweep(conversation, _paris(2026, 11, 24, 12))
    assert _reports(conversation) == []
    assert _sweep(conversation, _paris(2026, 12, 1, 9))  # November holds it (in the backlog at the month's end)
    assert _reports(conversation) == [":bar_chart: *SLA report 2026-11* (Europe/Paris)"]


def test_a_month_with_nothing_in_it_is_posted_only_when_the_desk_asks(conversation):
    complete_request(conversation)
    frontdesk(conversation, "reply 1 Fixed on our side")
    frontdesk(conversation, "resolve 1")  # decided in November: nothing is left for December
    assert _sweep(conversation, _paris(2026, 12, 1, 9))
    assert not _sweep(conversation, _paris(2027, 1, 4, 9))  # December: nothing decided, no backlog, no outage
    assert _reports(conversation) == [":bar_chart: *SLA report 2026-11* (Europe/Paris)"]
    conversation.desk = replace(conversation.desk, post_empty_reports=True)
    assert _sweep(conversation, _paris(2027, 2, 1, 9))  # January, empty too, but asked for
    assert _reports(conversation)[-1] == ":bar_chart: *SLA report 2027-01* (Europe/Paris)"


def test_post_empty_is_read_from_the_desk_config(tmp_path: Path):
    workspace = Workspace.example()
    assert not desk_config(workspace, tmp_path).post_empty_reports
    assert desk_config(workspace, tmp_path, extra="[reports]\npost_empty = true\n").post_empty_reports
