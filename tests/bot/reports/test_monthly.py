"""Monthly reports from hand-computed fixtures: a k0nsult October (the month holds the end of summer time in
Warsaw: 745 hours) with known requests, a pause, outages, a maintenance window and an outage that runs into
November; an owkin March (the start of summer time in Paris: 743 hours). Every figure below was worked out by
hand from the presets' calendars (k0nsult: Mon-Fri 09:00-17:00 Europe/Warsaw; owkin: Mon-Fri 09:00-18:00
Europe/Paris)."""

from datetime import datetime
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.reports.monthly import Month, ReportError, build_report
from storage.engine import Database
from tests.bot.reports.requests import Requests, desk, k0nsult_october, warsaw

PARIS = ZoneInfo("Europe/Paris")
MIN = 60
HOUR = 3600


@pytest.fixture
def october(db: Database, tmp_path: Path):
    return db, k0nsult_october(db, tmp_path)


def figures(report) -> dict[tuple, tuple]:
    return {
        f.group: (f.count, f.met, f.breached, f.percentiles.get(50), f.percentiles.get(90), f.breached_srs)
        for f in report.targets
    }


def test_k0nsult_october_targets_times_and_drill_down(october) -> None:
    db, config = october

    report = build_report(db, config, Month(2026, 10))

    assert figures(report) == {
        ("response", "S1", "enterprise", "incident"): (3, 1, 2, 30 * MIN, 75 * MIN, (2, 5)),
        ("resolution", "S1", "enterprise", "incident"): (2, 1, 1, 5 * HOUR, 9 * HOUR + 30 * MIN, (2,)),
        ("response", "S2", "enterprise", "incident"): (1, 1, 0, 2 * HOUR, 2 * HOUR, ()),
        ("resolution", "S2", "enterprise", "incident"): (1, 1, 0, 5 * HOUR, 5 * HOUR, ()),
    }
    assert [f.group[:2] for f in report.targets] == [
        ("response", "S1"), ("response", "S2"), ("resolution", "S1"), ("resolution", "S2"),
    ]  # fmt: skip
    assert report.first_response_seconds == (30 * MIN + 75 * MIN + 2 * HOUR) / 3  # 1h 15m in business hours
    assert report.backlog == {"S1": 1, "S4": 1}
    assert (report.satisfaction.count, report.satisfaction.mean) == (2, 3.5)
    agents = {f.group: (f.count, f.met, f.breached) for f in report.agents}
    assert agents == {
        ("response", "Bob"): (2, 1, 1),
        ("resolution", "Bob"): (2, 1, 1),
        ("response", "Carol"): (1, 1, 0),
        ("resolution", "Carol"): (1, 1, 0),
        ("response", None): (1, 0, 1),
    }
    assert report.start == warsaw(10, 1, 0)
    assert report.end == warsaw(11, 1, 0)
    assert (report.end - report.start).total_seconds() == 745 * HOUR  # the clocks went back on 25 October


def test_k0nsult_october_availability_and_credits(october) -> None:
    db, config = october

    report = build_report(db, config, Month(2026, 10))

    uptime = {line.name: line for line in report.uptime}
    total = 745 * 60 - 120  # minutes in the month, less the 2h maintenance window
    assert uptime["Enterprise"].figures.percent == Fraction(100 * (total - 210), total)  # 30m + 1h + 2h down
    assert f"{float(uptime['Enterprise'].figures.percent):.3f}" == "99.529"
    assert (uptime["Enterprise"].met, uptime["Enterprise"].credit) == (False, 5)  # [99.0, 99.9): 5%
    assert uptime["Acme"].figures.percent == Fraction(100 * (total - 510), total)  # and Acme's own 5h: 98.856%
    assert (uptime["Acme"].met, uptime["Acme"].credit) == (False, 10)  # [95, 99): 10%
    assert (uptime["Globex"].met, uptime["Globex"].credit) == (True, 0)  # starter: 99.0%, no credits
    assert (uptime["Starter"].plan, uptime["Professional"].met) == ("starter", True)
    daily = dict(uptime["Enterprise"].daily)
    assert len(daily) == 31
    assert daily[warsaw(10, 5, 0).date()] == Fraction(100 * (1440 - 30), 1440)
    assert daily[warsaw(10, 25, 0).date()] == 100  # the 25-hour day
    assert daily[warsaw(10, 31, 0).date()] == Fraction(100 * (1440 - 120), 1440)


def test_an_outage_over_the_month_end_counts_in_each_month_for_its_part(october) -> None:
    db, config = october

    november = build_report(db, config, Month(2026, 11), now=warsaw(12, 1, 0))

    enterprise = next(line for line in november.uptime if line.name == "Enterprise")
    assert enterprise.figures.downtime.total_seconds() == 2 * HOUR
    assert (enterprise.figures.end - enterprise.figures.start).total_seconds() == 720 * HOUR


def test_a_customers_report_holds_only_that_customer(october) -> None:
    db, config = october

    report = build_report(db, config, Month(2026, 10), customer="globex")

    assert report.customer == "Globex"
    assert report.targets == ()  # Globex's one request decided nothing in October
    assert report.agents == ()
    assert report.agent_satisfaction == ()
    assert report.backlog == {"S4": 1}
    assert report.satisfaction is None
    assert [line.name for line in report.uptime] == ["Globex"]
    assert next(iter(report.uptime)).figures.downtime.total_seconds() == 3.5 * HOUR  # not Acme's own outage


def test_a_plans_report_holds_only_that_plan(october) -> None:
    db, config = october

    report = build_report(db, config, Month(2026, 10), plan="starter")

    assert report.targets == ()
    assert report.backlog == {"S4": 1}
    assert [line.name for line in report.uptime] == ["Starter", "Globex"]


@pytest.mark.parametrize(
    ("month", "options", "problem"),
    [
        ("2026-13", {}, '"2026-13" is not a month such as 2026-10'),
        ("2026-10", {"plan": "gold"}, '"gold" is not a plan of policy k0nsult (starter, professional, enterprise)'),
        ("2026-10", {"customer": "Initech"}, '"Initech" is not a customer (Acme, Globex)'),
    ],
)
def test_what_cannot_be_reported_is_said(october, month, options, problem) -> None:
    db, config = october
    with pytest.raises(ReportError) as raised:
        build_report(db, config, Month.parse(month), **options)
    assert str(raised.value) == problem


def test_owkin_march_across_the_start_of_summer_time(db: Database, tmp_path: Path) -> None:
    config = desk(tmp_path, "owkin", '[[customers]]\nname = "Lab"\nplan = "kpro"\nemail_domains = ["lab.example"]\n')
    made = Requests(db, config)
    lab = made.customer("Lab")

    def paris(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 3, day, hour, minute, tzinfo=PARIS)

    # P1 (1h) Friday 17:30, reply Monday 30 March 09:15 (after the clocks went forward): 30m + 15m = 45m, met
    made.request("P1", lab, None, paris(27, 17, 30), [("public_reply", paris(30, 9, 15))])
    # P2 (2h) Tuesday 10:00, reply 13:00: 3h, breached
    made.request("P2", lab, None, paris(3, 10), [("public_reply", paris(3, 13))])
    made.outage(paris(29, 1), paris(29, 4))  # 01:00 to 04:00 on the short day: 2 real hours
    made.recompute_all(datetime(2026, 4, 1, tzinfo=PARIS))

    report = build_report(db, config, Month(2026, 3))

    assert figures(report) == {
        ("response", "P1", "kpro", "incident"): (1, 1, 0, 45 * MIN, 45 * MIN, ()),
        ("response", "P2", "kpro", "incident"): (1, 0, 1, 3 * HOUR, 3 * HOUR, (2,)),
        # never resolved nor updated: breached in March (P1 4h and 30m, P2 8h and 1d), still running, so untimed
        ("resolution", "P1", "kpro", "incident"): (1, 0, 1, None, None, (1,)),
        ("resolution", "P2", "kpro", "incident"): (1, 0, 1, None, None, (2,)),
        ("update", "P1", "kpro", "incident"): (1, 0, 1, None, None, (1,)),
        ("update", "P2", "kpro", "incident"): (1, 0, 1, None, None, (2,)),
    }
    [plan, customer] = report.uptime
    assert (report.end - report.start).total_seconds() == 743 * HOUR
    assert plan.figures.percent == Fraction(100 * (743 - 2), 743)
    assert (plan.met, plan.credit) == (True, 0)  # owkin: 95%, no credits
    assert dict(plan.daily)[paris(29, 0).date()] == Fraction(100 * (23 - 2), 23)  # a 23-hour day
    assert customer.name == "Lab"
