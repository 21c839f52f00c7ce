"""The monthly report sweep against the local Slack: the hand-computed k0nsult October (tests/bot/reports) posted
on the first business day of November to the agents channel and to each customer's channel (their figures only),
each with its chart uploaded in the message's thread, once; and the report day on the policy's calendar."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.reports.monthly_post import report_day_opening, sweep_monthly_report
from bot.say import Say
from sla import presets
from slack_emulator import Workspace
from storage.engine import Database
from tests.bot.conversation import conversation_on, desk_config
from tests.bot.reports.requests import WARSAW, k0nsult_october, warsaw

K0NSULT = presets.load("k0nsult").calendar
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def desk(db: Database, tmp_path: Path):
    workspace = Workspace.example()
    acme = workspace.add_channel("acme-shared", members=[workspace.user("alice")])
    globex = workspace.add_channel("globex-shared", members=[workspace.user("dave")])
    customers = (
        f'[[customers]]\nname = "Acme"\nplan = "enterprise"\nslack_channels = ["{acme.id}"]\n'
        f'[[customers]]\nname = "Globex"\nplan = "starter"\nslack_channels = ["{globex.id}"]\n'
    )
    config = desk_config(workspace, tmp_path, policy="k0nsult", extra=customers)
    k0nsult_october(db, tmp_path, config)
    for conversation in conversation_on(db, workspace, config):
        conversation.customer_channels = (acme.id, globex.id)
        yield conversation


def sweep(conversation, at: datetime) -> bool:
    desk = conversation.desk
    posted = sweep_monthly_report(conversation.database, desk, at, lambda session: Say(session, desk, at))
    conversation.now = at
    conversation.settle()
    return posted


def test_octobers_report_goes_out_when_the_first_business_day_of_november_opens(desk) -> None:
    workspace = desk.emulator.workspace
    agents = desk.desk.agents_channel
    acme, globex = desk.customer_channels

    assert not sweep(desk, warsaw(11, 2, 8, 59))  # Monday 2 November (the 1st is a Sunday), before 09:00
    assert workspace.messages(agents) == []

    assert sweep(desk, warsaw(11, 2, 9))

    [summary] = workspace.messages(agents)
    assert summary.text.startswith(":bar_chart: *SLA report 2026-10* (Europe/Warsaw)\n")
    assert "*Targets met:* S1 40.0% of 5, S2 100.0% of 2" in summary.text
    assert "*Breached:* Response S1: 2, Resolution S1: 1" in summary.text
    assert "*Average first response (business hours):* 1h 15m" in summary.text
    assert "*Enterprise:* availability 99.529% against 99.9% (missed), service credit 5%" in summary.text
    assert "*Acme:* availability 98.856% against 99.9% (missed), service credit 10%" in summary.text
    [_, chart] = workspace.messages(agents, summary.ts)
    [file_id] = chart.files
    uploaded = workspace.file(file_id)
    assert uploaded.name == "sla-report-2026-10.png"
    assert uploaded.content.startswith(PNG)

    [acme_summary] = workspace.messages(acme)
    assert acme_summary.text.startswith(":bar_chart: *SLA report 2026-10* for Acme")
    assert "*Acme:* availability 98.856%" in acme_summary.text
    assert "Globex" not in acme_summary.text
    assert "Enterprise" not in acme_summary.text
    assert len(workspace.messages(acme, acme_summary.ts)) == 2  # with its own chart
    [globex_summary] = workspace.messages(globex)
    assert "Acme" not in globex_summary.text
    assert "*Targets met:* nothing was decided this month." in globex_summary.text

    assert not sweep(desk, warsaw(11, 2, 9, 10))  # once
    assert not sweep(desk, warsaw(11, 20, 12))
    assert len(workspace.messages(agents)) == 1


def test_no_monthly_report_when_the_desk_turns_it_off(desk) -> None:
    desk.desk = replace(desk.desk, monthly_report_day=0)
    assert not sweep(desk, warsaw(11, 2, 9))


def test_the_report_day_skips_weekends_and_holidays() -> None:
    assert report_day_opening(K0NSULT, 2026, 11, 1) == warsaw(11, 2, 9)  # the 1st is a Sunday (All Saints)
    # 1 January 2027 is a holiday (a Friday), 6 January is Epiphany: business days 4, 5, 7 January
    assert report_day_opening(K0NSULT, 2027, 1, 1) == datetime(2027, 1, 4, 9, tzinfo=WARSAW)
    assert report_day_opening(K0NSULT, 2027, 1, 3) == datetime(2027, 1, 7, 9, tzinfo=WARSAW)
    assert report_day_opening(K0NSULT, 2027, 2, 21) is None  # February has 20 business days


@given(st.integers(2025, 2030), st.integers(1, 12), st.integers(1, 18))
def test_the_report_day_is_the_nth_business_day(year: int, month: int, number: int) -> None:
    opening = report_day_opening(K0NSULT, year, month, number)
    first = date(year, month, 1)
    days = [first + timedelta(days=n) for n in range(31) if (first + timedelta(days=n)).month == month]
    business = [day for day in days if K0NSULT.is_open_at(datetime(day.year, day.month, day.day, 12, tzinfo=WARSAW))]
    if number > len(business):
        assert opening is None
    else:
        assert opening == datetime.combine(business[number - 1], datetime.min.time(), WARSAW).replace(hour=9)
