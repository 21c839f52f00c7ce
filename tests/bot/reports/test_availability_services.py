"""Availability per service in the monthly report: each service's line counts only the outages and windows that
hit it (one naming no service hits every one), checked against minutes counted one by one (hypothesis); a
report for one service (`--service`) reads every plan and customer line that way; credits stay per plan and
customer; in every format, and an unknown service is one clear line."""

import json
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import delete

from bot.config.desk import parse_desk_config
from bot.reports.formats import formatted
from bot.reports.monthly import Month, ReportError, build_report
from storage import service_events
from storage.engine import Database
from storage.tables import MaintenanceService, MaintenanceWindow, Outage, OutageService
from tests.bot.cli.conftest import run_frontdesk
from tests.bot.reports.requests import desk_text

SERVICES = ("search", "api", "billing")
DESK = desk_text("k0nsult", "".join(f'[[services]]\nid = "{s}"\nname = "{s.title()}"\n' for s in SERVICES))
START = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # 1 November 00:00 in Warsaw
MINUTES = 30 * 1440  # November 2026 in Warsaw: no DST change
MINUTE = timedelta(minutes=1)


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def desk(tmp_path: Path):
    return parse_desk_config(DESK, source="frontdesk.toml", folder=tmp_path)


spans = st.tuples(
    st.integers(min_value=-600, max_value=MINUTES),  # may start in October
    st.integers(min_value=1, max_value=3000),
    st.sets(st.sampled_from(SERVICES), max_size=2),  # empty: every service
)


def _store(db: Database, outages, windows) -> None:
    with db.write() as session:
        for table in (OutageService, Outage, MaintenanceService, MaintenanceWindow):
            session.exec(delete(table))
        for offset, length, hit in outages:
            found = service_events.start_outage(session, title="o", started_at=START + offset * MINUTE,
                                                services=sorted(hit), actor="t", now=START)  # fmt: skip
            service_events.end_outage(session, found, ended_at=START + (offset + length) * MINUTE, actor="t", now=START)
        for offset, length, hit in windows:
            service_events.add_maintenance(session, title="w", starts_at=START + offset * MINUTE,
                                           ends_at=START + (offset + length) * MINUTE, services=sorted(hit),
                                           actor="t", now=START)  # fmt: skip


def _minutes(spans_, service: str | None) -> set[int]:
    """The minutes of November the spans hitting `service` (every span for None) cover, one by one."""
    covered: set[int] = set()
    for offset, length, hit in spans_:
        if service is None or not hit or service in hit:
            covered.update(range(max(offset, 0), min(offset + length, MINUTES)))
    return covered


def _expected(outages, windows, service: str | None) -> tuple[int, int, Fraction]:
    kept = _minutes(windows, service)
    down = _minutes(outages, service) - kept
    total = MINUTES - len(kept)
    return len(down), len(kept), Fraction(100) if not total else Fraction(100 * (total - len(down)), total)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(outages=st.lists(spans, max_size=5), windows=st.lists(spans, max_size=2))
def test_each_services_availability_counts_the_minutes_that_hit_it(db: Database, desk, outages, windows) -> None:
    _store(db, outages, windows)
    report = build_report(db, desk, Month(2026, 11))
    assert [line.service for line in report.services] == list(SERVICES)
    for line in report.services:
        down, kept, percent = _expected(outages, windows, line.service)
        assert line.figures.downtime == down * MINUTE
        assert line.figures.maintenance == kept * MINUTE
        assert line.figures.percent == percent
        assert (line.met, line.credit) == (None, 0)  # credits stay per plan and customer
    for service in SERVICES:
        one = build_report(db, desk, Month(2026, 11), service=service)
        assert one.services == ()
        assert {line.figures for line in one.uptime} == {
            next(s for s in report.services if s.service == service).figures
        }
        assert all(line.service == service for line in one.uptime)
    whole = report.uptime[0].figures
    assert whole.downtime == _expected(outages, windows, None)[0] * MINUTE  # every outage, whatever it hits


def test_a_two_service_outage_in_every_format(db: Database, desk) -> None:
    _store(db, [(600, 144, {"search", "api"}), (2000, 60, set())], [(3000, 120, {"billing"})])
    report = build_report(db, desk, Month(2026, 11))
    text = formatted(report, "text")
    lines = text.splitlines()
    start = lines.index("Per service (the outages and maintenance for everyone that hit it)")
    assert [line.split()[:2] for line in lines[start + 1 : start + 5]] == [
        ["service", "availability"], ["Search", "99.528%"], ["Api", "99.528%"], ["Billing", "99.861%"]
    ]  # fmt: skip
    data = json.loads(formatted(report, "json"))
    assert [(s["service"], s["downtime_minutes"], s["maintenance_minutes"]) for s in data["service_availability"]] == [
        ("search", 204, 0), ("api", 204, 0), ("billing", 60, 120)
    ]  # fmt: skip
    assert data["service"] is None
    csv_rows = [row for row in formatted(report, "csv").splitlines() if row.startswith("service_availability")]
    assert [row.split(",")[1] for row in csv_rows] == ["Search", "Api", "Billing"]
    assert '<table id="services">' in formatted(report, "html")
    billing = build_report(db, desk, Month(2026, 11), service="Billing")
    assert formatted(billing, "text").startswith("SLA report 2026-11: K0nsult SLA, service Billing\n")
    assert json.loads(formatted(billing, "json"))["service"] == "Billing"
    assert {line.figures.downtime for line in billing.uptime} == {timedelta(minutes=60)}


def test_an_unknown_service_is_refused_with_the_known_ones(db: Database, desk, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r'"mail" is not a service \(search, api, billing\)'):
        build_report(db, desk, Month(2026, 11), service="mail")
    plain = parse_desk_config(desk_text("k0nsult", ""), source="frontdesk.toml", folder=tmp_path)
    with pytest.raises(ReportError, match="this desk names none"):
        build_report(db, plain, Month(2026, 11), service="search")
    assert build_report(db, plain, Month(2026, 11)).services == ()


def test_frontdesk_report_service(db: Database, database_url: str, tmp_path: Path, monkeypatch) -> None:
    _store(db, [(600, 144, {"search"})], [])
    config = tmp_path / "frontdesk.toml"
    config.write_text(DESK)
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("FRONTDESK_CONFIG", str(config))
    search = run_frontdesk("report", "--month", "2026-11", "--service", "search", "--format", "json")
    assert search.exit_code == 0, search.stderr
    assert {line["downtime_minutes"] for line in json.loads(search.stdout)["availability"]} == {144}
    api = run_frontdesk("report", "--month", "2026-11", "--service", "api", "--format", "json")
    assert {line["downtime_minutes"] for line in json.loads(api.stdout)["availability"]} == {0}
    unknown = run_frontdesk("report", "--month", "2026-11", "--service", "mail")
    assert (unknown.exit_code, unknown.stderr) == (2, 'frontdesk: "mail" is not a service (search, api, billing)\n')
