"""Cancelled and deferred targets in the monthly report, end to end: a resolution that cancels an unanswered
response (owkin) and a deferral that stops the response and the workaround (kissflow) are neither met nor
breached: each format shows them apart, and compliance is met of met + breached without them."""

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.reports.formats import as_data, compliance_by_priority, formatted
from bot.reports.monthly import Month, SetAside, build_report
from bot.reports.monthly_post import sweep_monthly_report
from bot.say import Say
from slack_emulator import Workspace
from tests.bot.conversation import conversation_on, desk_config
from tests.bot.desk.conftest import complete_request, frontdesk

DECEMBER_FIRST = datetime(2026, 12, 1, 9, tzinfo=UTC)


def _report(conversation):
    return build_report(conversation.database, conversation.desk, Month(2026, 11), now=DECEMBER_FIRST)


def _posted(conversation) -> str:
    desk, at = conversation.desk, DECEMBER_FIRST
    assert sweep_monthly_report(conversation.database, desk, at, lambda session: Say(session, desk, at))
    conversation.now = at
    conversation.settle()
    [summary] = [m for m in conversation.emulator.workspace.messages(desk.agents_channel) if ":bar_chart:" in m.text]
    return summary.text


def _csv_rows(report) -> list[dict[str, str]]:
    return [row for row in csv.DictReader(io.StringIO(formatted(report, "csv"))) if row["section"] == "target"]


def test_a_cancelled_response_is_shown_apart_and_left_out_of_compliance(conversation):
    complete_request(conversation, "The export button does nothing")
    complete_request(conversation, "The import hangs")
    frontdesk(conversation, "resolve 1")  # owkin: the unanswered response is cancelled, the resolution met
    frontdesk(conversation, "reply 2 Fixed on our side")
    frontdesk(conversation, "resolve 2")
    report = _report(conversation)

    [response] = [f for f in report.targets if f.group[0] == "response"]
    assert (response.count, response.met, response.breached, response.cancelled, response.deferred) == (1, 1, 0, 1, 0)
    assert response.met_percent == 100.0  # 1 met of 1 decided: the cancelled one is not a miss
    assert response.timed == 1  # nor a response time
    assert report.set_aside == (SetAside("response", "Response", 1, 0),)
    assert all(percent == 100.0 for _, percent, _ in compliance_by_priority(report))

    line = "Not counted in compliance (neither met nor breached): Response 1 cancelled by a resolution."
    assert line in formatted(report, "text")
    assert line in formatted(report, "html")
    [data] = [row for row in as_data(report)["targets"] if row["target"] == "response"]
    assert (data["count"], data["met"], data["cancelled"], data["deferred"], data["met_percent"]) == (1, 1, 1, 0, 100)
    [row] = [row for row in _csv_rows(report) if row["target"] == "response"]
    assert (row["count"], row["met"], row["cancelled"], row["deferred"]) == ("1", "1", "1", "0")
    assert "*Not counted (neither met nor breached):* Response 1 cancelled by a resolution\n" in _posted(conversation)


@pytest.fixture
def kissflow(db, tmp_path: Path):
    workspace = Workspace.example()
    yield from conversation_on(db, workspace, desk_config(workspace, tmp_path, policy="kissflow"))


def test_targets_a_deferral_stopped_are_shown_apart_and_nothing_is_decided(kissflow):
    complete_request(kissflow, "The export button does nothing")
    frontdesk(kissflow, "defect 1 high")
    frontdesk(kissflow, "defer 1 until 2027-01-15 planned with the new engine")
    report = _report(kissflow)

    assert report.set_aside == (SetAside("response", "Response", 0, 1), SetAside("workaround", "Workaround", 0, 1))
    assert all((f.count, f.met, f.breached, f.met_percent) == (0, 0, 0, None) for f in report.targets)
    assert compliance_by_priority(report) == []  # no share of nothing
    assert not report.empty
    line = "Not counted in compliance (neither met nor breached): Response 1 deferred; Workaround 1 deferred."
    assert line in formatted(report, "text")
    assert line in formatted(report, "html")
    assert {(row["target"], row["deferred"]) for row in as_data(report)["targets"]} == {
        ("response", 1),
        ("workaround", 1),
    }
    assert {(row["target"], row["deferred"], row["count"]) for row in _csv_rows(report)} == {
        ("response", "1", "0"),
        ("workaround", "1", "0"),
    }
    posted = _posted(kissflow)
    assert "*Targets met:* nothing was decided this month.\n" in posted
    assert "*Not counted (neither met nor breached):* Response 1 deferred; Workaround 1 deferred\n" in posted
