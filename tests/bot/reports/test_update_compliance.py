"""Update compliance over a month, end to end on owkin: every update cycle of a P1 request ("every 30 minutes"),
met or missed, is stored as it is decided and November's report gives the figure per priority and plan."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.desk.reminders import sweep_milestones
from bot.reports.formats import as_data, formatted
from bot.reports.monthly import Month, build_report
from bot.reports.monthly_post import sweep_monthly_report
from bot.say import Say
from storage import cycles
from storage.reports import Scope
from tests.bot.desk.conftest import complete_request, frontdesk

PARIS = ZoneInfo("Europe/Paris")


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def _reply(conversation, at: datetime, text: str) -> None:
    conversation.now = at
    frontdesk(conversation, f"reply 1 {text}")


def test_a_month_of_update_cycles_with_missed_ones_gives_the_p1_figure(conversation):
    complete_request(conversation)  # Tue 24 Nov 10:05
    frontdesk(conversation, "triage 1 P1 production is down")
    _reply(conversation, _at(11, 24, 10, 10), "On it")  # met
    _reply(conversation, _at(11, 24, 10, 35), "Found the cause")  # met (due 10:40)
    # due 11:05: missed; the next period (11:05-11:35) met by the reply at 11:30
    _reply(conversation, _at(11, 24, 11, 30), "Fix being deployed")
    conversation.now = _at(11, 24, 11, 50)
    frontdesk(conversation, "resolve 1")  # the resolution ends the cadence: the period due 12:00 is met
    report = build_report(conversation.database, conversation.desk, Month(2026, 11), now=_at(12, 1, 9))
    [update] = [figure for figure in report.cycles if figure.group[0] == "update"]
    assert update.group[1:] == ("P1", "kpro")
    assert (update.count, update.met) == (5, 4)
    assert "Updates on time: Update P1 (kpro) 80.0% of 5" in formatted(report, "text")
    assert as_data(report)["update_cycles"] == [
        {"target": "update", "priority": "P1", "plan": "kpro", "count": 5, "met": 4}
    ]
    desk = conversation.desk
    at = _at(12, 1, 9)
    assert sweep_monthly_report(conversation.database, desk, at, lambda session: Say(session, desk, at))
    conversation.now = at
    conversation.settle()
    [summary] = [m for m in conversation.emulator.workspace.messages(desk.agents_channel) if ":bar_chart:" in m.text]
    assert "*Updates on time:* Update P1 (kpro) 80.0% of 5" in summary.text


def test_missed_cycles_are_stored_as_the_sweeps_see_them(conversation):
    complete_request(conversation)
    frontdesk(conversation, "triage 1 P1 production is down")
    _reply(conversation, _at(11, 24, 10, 10), "On it")
    at = _at(11, 24, 12, 0)  # no update since 10:10: periods due 10:40, 11:10 and 11:40 missed
    sweep_milestones(conversation.database, conversation.desk, at, lambda s: Say(s, conversation.desk, at))
    with conversation.database.read() as session:
        november = cycles.cycle_figures(session, Scope(_at(11, 1, 0), _at(12, 1, 0)))
    assert [(f.group[1], f.count, f.met) for f in november if f.group[0] == "update"] == [("P1", 4, 1)]
