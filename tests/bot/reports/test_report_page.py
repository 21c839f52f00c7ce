"""The HTML report a manager reads at a glance (bot.reports.glance), on k0nsult's October (tests/bot/reports/
requests.py: figures worked out in test_monthly.py): the headline (the text report opens with it too), compliance
bars with their counts, one uptime chart per distinct run of days with its dates; and the page in a real headless
Chromium, whose screenshots are kept in test-artifacts/ (report-whole-desk.png, report-customer.png)."""

from fractions import Fraction
from pathlib import Path

import pytest

from bot.reports.formats import formatted
from bot.reports.glance import headline, priority_bars, uptime_charts
from bot.reports.monthly import Month, Report, build_report
from storage.engine import Database
from tests.bot.browser import screenshot
from tests.bot.reports.requests import k0nsult_october


@pytest.fixture
def october(db: Database, tmp_path: Path) -> tuple[Database, object]:
    return db, k0nsult_october(db, tmp_path)


def _report(october, **scope: str) -> Report:
    db, config = october
    return build_report(db, config, Month(2026, 10), **scope)


def test_the_headline_sums_the_month(october) -> None:
    top = headline(_report(october))

    # Response S1 1 of 3, S2 1 of 1; resolution S1 1 of 2, S2 1 of 1
    assert (top.met, top.decided, f"{top.percent:.1f}") == (4, 7, "57.1")
    assert (top.breaches, top.breached_srs, top.more_srs) == (3, (2, 5), 0)
    assert top.lowest is not None
    assert (top.lowest.name, f"{float(top.lowest.figures.percent):.3f}") == ("Acme", "98.856")
    assert top.below_target == ("Enterprise", "Acme")
    assert top.credits == (("Acme", Fraction(10)), ("Enterprise", Fraction(5)))


def test_a_customers_headline_is_its_own(october) -> None:
    top = headline(_report(october, customer="Globex"))

    assert (top.met, top.decided, top.percent, top.breaches) == (0, 0, None, 0)
    assert top.lowest is not None
    assert top.lowest.name == "Globex"
    assert (top.below_target, top.credits) == ((), ())


def test_compliance_bars_carry_their_counts(october) -> None:
    bars = priority_bars(_report(october))

    assert [(bar.priority, bar.met, bar.decided, f"{bar.percent:.1f}") for bar in bars] == [
        ("S1", 2, 5, "40.0"),
        ("S2", 2, 2, "100.0"),
    ]


def test_scopes_with_the_same_days_share_one_chart(october) -> None:
    charts = uptime_charts(_report(october))

    # every plan, and Globex (no outage of its own), under the outages for everyone; Acme with its own 5 hours
    assert [chart.names for chart in charts] == [("Starter", "Professional", "Enterprise", "Globex"), ("Acme",)]
    assert [len(chart.daily) for chart in charts] == [31, 31]
    assert [chart.floor for chart in charts] == [90, 75]  # lowest days 91.7% (31 Oct) and 79.2% (Acme, 20 Oct)
    assert [chart.names for chart in uptime_charts(_report(october, plan="starter"))] == [("Starter", "Globex")]


def test_the_page_opens_with_the_headline_and_labels_its_charts(october) -> None:
    page = formatted(_report(october), "html")

    order = [page.index(part) for part in ('id="headline"', "<h2>Targets met per priority</h2>", "<h2>Targets</h2>")]
    assert order == sorted(order)
    assert ">40.0% (2 of 5)</text>" in page
    assert page.count("<h3>Uptime per day: ") == 2
    assert "<title>Sat 31 Oct 2026: 91.667%</title>" in page
    assert ">October 2026</text>" in page


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_whole_desk_report_reads_at_a_glance_in_chromium(october, tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    page = tmp_path / "report.html"
    page.write_text(formatted(_report(october), "html"), encoding="utf-8")

    browser.get(page.as_uri())

    tile = {name: browser.find_element(By.ID, f"headline-{name}").text.splitlines() for name in
            ("met", "breaches", "availability", "credits")}  # fmt: skip
    assert tile["met"] == ["TARGETS MET", "57.1%", "4 of 7 decided"]
    assert tile["breaches"] == ["BREACHES", "3", "SR-000002, SR-000005"]
    assert tile["availability"][:2] == ["AVAILABILITY", "98.856%"]
    assert " ".join(tile["availability"][2:]) == "lowest: Acme; under target: Enterprise, Acme"
    assert tile["credits"][:2] == ["CREDITS OWED", "2"]
    assert " ".join(tile["credits"][2:]) == "Acme 10%, Enterprise 5% of the month's fee"
    counts = [text.text for text in browser.find_elements(By.CSS_SELECTOR, "#priorities text.count")]
    assert counts == ["40.0% (2 of 5)", "100.0% (2 of 2)"]
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.uptime")
    assert len(charts) == 2
    for chart in charts:
        days = [label.text for label in chart.find_elements(By.CSS_SELECTOR, "text.day")]
        assert days == [str(day) for day in range(1, 32)]
        bars = chart.find_elements(By.CSS_SELECTOR, "rect")
        assert len(bars) == 31
        assert all(bar.size["width"] > 0 for bar in bars)
    assert screenshot(browser, "report-whole-desk.png").stat().st_size > 10_000


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_customers_report_reads_at_a_glance_in_chromium(october, tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    page = tmp_path / "acme.html"
    page.write_text(formatted(_report(october, customer="Acme"), "html"), encoding="utf-8")

    browser.get(page.as_uri())

    availability = browser.find_element(By.ID, "headline-availability").text.splitlines()
    assert availability == ["AVAILABILITY", "98.856%", "target 99.9%: missed"]
    assert browser.find_element(By.ID, "headline-credits").text.splitlines() == [
        "CREDITS OWED",
        "1",
        "Acme 10% of the month's fee",
    ]
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.uptime")) == 1
    assert screenshot(browser, "report-customer.png").stat().st_size > 10_000


def test_the_text_report_opens_with_the_same_headline(october) -> None:
    lines = formatted(_report(october), "text").splitlines()

    assert lines[3:8] == [
        "Targets met:   57.1% (4 of 7 decided)",
        "Breaches:      3 (SR-000002, SR-000005)",
        "Availability:  98.856% lowest (Acme); under target: Enterprise, Acme",
        "Credits owed:  Acme 10%, Enterprise 5% of the month's fee",
        "",
    ]
    assert formatted(_report(october, customer="Globex"), "text").splitlines()[3:7] == [
        "Targets met:   - (nothing decided)",
        "Breaches:      0",
        "Availability:  99.529% (target 99%: met)",
        "Credits owed:  none",
    ]
