"""`frontdesk report`: the hand-computed k0nsult October (tests/bot/reports) in every format, and clear errors."""

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.reports.monthly import Month
from storage.engine import Database
from tests.bot.cli.conftest import run_frontdesk
from tests.bot.reports.requests import K0NSULT_CUSTOMERS, WARSAW, desk_text, k0nsult_october


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def october(db: Database, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    k0nsult_october(db, tmp_path)
    config = tmp_path / "frontdesk.toml"
    config.write_text(desk_text("k0nsult", K0NSULT_CUSTOMERS))
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("FRONTDESK_CONFIG", str(config))
    return tmp_path


@pytest.mark.usefixtures("october")
def test_the_text_report_is_a_set_of_readable_tables() -> None:
    outcome = run_frontdesk("report", "--month", "2026-10")
    assert outcome.exit_code == 0, outcome.stderr
    text = outcome.stdout
    assert text.startswith("SLA report 2026-10: K0nsult SLA\n")
    assert "Period: 2026-10-01 00:00 to 2026-11-01 00:00 (Europe/Warsaw)" in text
    lines = text.splitlines()
    header = next(line for line in lines if line.strip().startswith("target"))
    assert header.split() == ["target", "priority", "plan", "kind", "decided", "met", "breached", "median", "p90",
                              "breached", "requests"]  # fmt: skip
    response_s1 = next(line for line in lines if "S1" in line and "Response" in line)
    assert response_s1.split() == ["Response", "S1", "enterprise", "incident", "3", "33.3%", "2", "30m", "1h", "15m",
                                   "SR-000002,", "SR-000005"]  # fmt: skip
    assert "Average first response (business hours): 1h 15m" in text
    assert "Backlog at month end: 2 (S1: 1, S4: 1)" in text
    assert "Satisfaction: 3.50 / 5 from 2 ratings (1: 0, 2: 1, 3: 0, 4: 0, 5: 1)" in text
    enterprise = next(line for line in lines if line.strip().startswith("Enterprise"))
    assert enterprise.split() == ["Enterprise", "enterprise", "99.529%", "99.9%", "no", "3h", "30m", "2h", "00m", "5%"]
    acme = next(line for line in lines if line.strip().startswith("Acme"))
    assert acme.split()[2:5] == ["98.856%", "99.9%", "no"]
    assert acme.split()[-1] == "10%"
    assert "By agent" in text
    assert "Satisfaction by agent: Bob 3.50 (2)" in text


@pytest.mark.usefixtures("october")
def test_a_customers_report_names_nobody_else() -> None:
    for form in ("text", "csv", "json", "html"):
        outcome = run_frontdesk("report", "--month", "2026-10", "--customer", "Globex", "--format", form)
        assert outcome.exit_code == 0, outcome.stderr
        for other in ("Acme", "Bob", "Carol", "SR-000001", "SR-000002", "SR-000005", "Enterprise"):
            assert other not in outcome.stdout, (form, other)
        assert "Globex" in outcome.stdout


@pytest.mark.usefixtures("october")
def test_json_and_csv_hold_exact_figures_to_verify() -> None:
    data = json.loads(run_frontdesk("report", "--month", "2026-10", "--format", "json").stdout)
    [response_s1] = [t for t in data["targets"] if (t["target"], t["priority"]) == ("response", "S1")]
    assert response_s1 == {
        "target": "response", "priority": "S1", "plan": "enterprise", "kind": "incident", "count": 3, "met": 1,
        "breached": 2, "cancelled": 0, "deferred": 0, "met_percent": 100 / 3, "median_seconds": 1800,
        "p90_seconds": 4500, "mean_seconds": 3150.0, "breached_srs": ["SR-000002", "SR-000005"],
    }  # fmt: skip
    [enterprise] = [a for a in data["availability"] if a["name"] == "Enterprise"]
    assert (enterprise["total_minutes"], enterprise["downtime_minutes"], enterprise["credit_percent"]) == (
        745 * 60 - 120, 210, 5.0,
    )  # fmt: skip
    assert len(enterprise["daily"]) == 31
    assert (data["start"], data["time_zone"]) == ("2026-09-30T22:00:00+00:00", "Europe/Warsaw")

    rows = list(csv.DictReader(io.StringIO(run_frontdesk("report", "--month", "2026-10", "--format", "csv").stdout)))
    assert {row["section"] for row in rows} == {"target", "agent", "availability", "satisfaction", "agent_satisfaction"}
    [acme] = [row for row in rows if row["section"] == "availability" and row["name"] == "Acme"]
    assert (acme["downtime_minutes"], acme["credit_percent"], acme["met_target"]) == ("510.0", "10.0", "False")


@pytest.mark.usefixtures("october")
def test_the_csv_gives_the_months_satisfaction_once_and_each_agents_apart() -> None:
    rows = list(csv.DictReader(io.StringIO(run_frontdesk("report", "--month", "2026-10", "--format", "csv").stdout)))
    ratings = [
        (row["section"], row["name"], row["count"], row["mean_score"])
        for row in rows
        if "satisfaction" in row["section"]
    ]
    assert ratings == [("satisfaction", "", "2", "3.5"), ("agent_satisfaction", "Bob", "2", "3.5")]


def test_the_html_report_is_a_standalone_page_with_charts(october: Path) -> None:
    path = october / "report.html"
    outcome = run_frontdesk("report", "--month", "2026-10", "--format", "html", "-o", str(path))
    assert outcome.exit_code == 0, outcome.stderr
    page = path.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")  # nothing loaded from elsewhere
    assert "99.529%" in page
    assert "SR-000005" in page


@pytest.mark.usefixtures("october")
@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("--month", "October"), 'frontdesk: "October" is not a month such as 2026-10\n'),
        (("--month", "2026-10", "--plan", "gold"),
         'frontdesk: "gold" is not a plan of policy k0nsult (starter, professional, enterprise)\n'),
        (("--month", "2026-10", "--customer", "Initech"), 'frontdesk: "Initech" is not a customer (Acme, Globex)\n'),
    ],
)  # fmt: skip
def test_what_cannot_be_reported_is_one_line(args: tuple[str, ...], problem: str) -> None:
    outcome = run_frontdesk("report", *args)
    assert (outcome.exit_code, outcome.stderr) == (2, problem)


def test_an_empty_database_asks_for_an_upgrade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "frontdesk.toml"
    config.write_text(desk_text("k0nsult", ""))
    monkeypatch.setenv("FRONTDESK_CONFIG", str(config))
    (tmp_path / "empty.db").touch()
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    outcome = run_frontdesk("report", "--month", "2026-10")
    assert outcome.exit_code == 2
    assert "run `frontdesk db upgrade` first" in outcome.stderr


@pytest.mark.usefixtures("october")
def test_without_a_month_it_reports_the_previous_one() -> None:
    outcome = run_frontdesk("report")
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout.startswith(f"SLA report {Month.before(datetime.now(UTC), WARSAW)}: K0nsult SLA\n")
