"""The status page of a desk with services: each service's state now and its own 90 days, from the outages and
windows that hit it; a two-service outage shown on both (and on no other), over HTTP and in headless Chromium;
a customer's own outage on no service's bars."""

import re
from collections.abc import Iterator
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import App

from bot.config.desk import parse_desk_config
from bot.process.web import FrontdeskWsgi, WebServer
from bot.reports.status_page import current_status, status_page
from storage import people, service_events
from storage.engine import Database
from tests.bot.browser import screenshot
from tests.bot.reports.requests import desk_text
from tests.bot.reports.test_status_page import get

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=PARIS)  # a Tuesday afternoon
SERVICES = """
[[customers]]
name = "Acme Private"
plan = "kpro"
email_domains = ["acme.example"]
[[services]]
id = "search"
name = "Search"
description = "Finding documents"
[[services]]
id = "api"
name = "Public API"
[[services]]
id = "billing"
name = "Billing"
[[services]]
id = "docs"
name = "Documentation <site>"
"""
MONTH_MINUTES = 23 * 1440 + 15 * 60  # 1 November 00:00 to 24 November 15:00, Paris


def paris(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def desk(tmp_path: Path):
    return parse_desk_config(desk_text("owkin", SERVICES), source="frontdesk.toml", folder=tmp_path)


@pytest.fixture
def events(db: Database) -> Database:
    with db.write() as session:
        acme = people.save_customer(session, name="Acme Private", plan="kpro", actor="t", now=NOW).id

        def outage(start, end, title, services=(), customer=None):
            found = service_events.start_outage(session, title=title, started_at=start, actor="t", now=start,
                                                customer_id=customer, services=services)  # fmt: skip
            if end is not None:
                service_events.end_outage(session, found, ended_at=end, actor="t", now=end)

        outage(paris(11, 24, 14), None, "Search and API time out", ("search", "api"))
        outage(paris(11, 10, 10), paris(11, 10, 12, 24), "Invoices not sent", ("billing",))  # 144 of 1440 minutes
        outage(paris(10, 25, 10), paris(10, 25, 10, 15), "Short blip")  # every service: 15 of 1500 minutes
        outage(paris(11, 12, 9), paris(11, 12, 17), "Acme's own search", ("search",), customer=acme)
        ledger = {"starts_at": paris(11, 24, 14, 30), "ends_at": paris(11, 24, 16), "services": ("billing",)}
        service_events.add_maintenance(session, title="Ledger migration", actor="t", now=NOW, **ledger)
    return db


@pytest.fixture
def served(events: Database, desk) -> Iterator[str]:
    slack = App(signing_secret="secret", token="xoxb-test", token_verification_enabled=False)
    app = FrontdeskWsgi(
        slack, healthy=lambda: True, status_page=lambda: status_page(events, desk, NOW), signing_secret="s"
    )
    with WebServer(app) as server:
        yield f"{server.url}/status"


def _card(page: str, service: str) -> str:
    """The HTML of one service's card, up to the next card (or the end of the list)."""
    chunks = page.split('<div class="card service" id="service-')[1:]
    found = [chunk for chunk in chunks if chunk.startswith(f'{service}"')]
    assert len(found) == 1, service
    return found[0]


def _bars(card: str) -> dict[str, str]:
    return dict(re.findall(r'<div class="bar [a-z]+" title="(\d{4}-\d\d-\d\d): ([\d.]+%)"', card))


def test_each_service_has_its_state_and_its_own_days(events: Database, desk) -> None:
    status = current_status(events, desk, NOW)
    assert [(s.service.id, s.state) for s in status.services] == [
        ("search", "outage"), ("api", "outage"), ("billing", "maintenance"), ("docs", "operational")
    ]  # fmt: skip
    figures = {s.service.id: (dict(s.days), s.month) for s in status.services}
    today, tenth, dst, twelfth = (
        paris(11, 24, 0).date(),
        paris(11, 10, 0).date(),
        paris(10, 25, 0).date(),
        paris(11, 12, 0).date(),
    )
    for service in ("search", "api"):
        days, month = figures[service]
        assert days[today] == Fraction(23, 24) * 100  # an hour down of the 24 so far counted
        assert days[tenth] == 100
        assert month == Fraction(MONTH_MINUTES - 60, MONTH_MINUTES) * 100
    assert figures["search"][0][twelfth] == 100  # Acme's own outage is not public
    billing_days, billing_month = figures["billing"]
    assert billing_days[tenth] == 90
    assert billing_days[today] == 100  # under maintenance, not down
    assert billing_month == Fraction(MONTH_MINUTES - 30 - 144, MONTH_MINUTES - 30) * 100  # 30 minutes kept so far
    docs_days, docs_month = figures["docs"]
    assert docs_days[today] == 100
    assert docs_month == 100
    for days, _ in figures.values():
        assert days[dst] == 99  # the outage naming no service hits every one


def test_the_page_shows_every_service_in_order_with_nothing_private(served: str) -> None:
    status, headers, page = get(served)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Content-Security-Policy" in headers
    assert re.findall(r'id="service-([a-z]+)"', page) == ["search", "api", "billing", "docs"]
    assert "Service disruption in progress" in page
    search, api, billing, docs = (_card(page, s) for s in ("search", "api", "billing", "docs"))
    assert '<span class="state outage">Disruption</span>' in search
    assert '<span class="state outage">Disruption</span>' in api
    assert '<span class="state maintenance">Under maintenance</span>' in billing
    assert '<span class="state operational">Operational</span>' in docs
    assert "Documentation &lt;site&gt;" in docs  # escaped
    assert '<span class="muted">Finding documents</span>' in search
    assert _bars(search)["2026-11-24"] == _bars(api)["2026-11-24"] == "95.83%"
    assert _bars(docs)["2026-11-24"] == _bars(billing)["2026-11-24"] == "100.00%"
    assert _bars(billing)["2026-11-10"] == "90.00%"
    assert _bars(search)["2026-11-12"] == "100.00%"
    assert all(len(_bars(card)) == 90 for card in (search, api, billing, docs))
    assert '<strong class="month">99.824%</strong>' in search  # 60 of 34,020 minutes down
    assert '<strong class="month">100.000%</strong>' in docs
    assert 'id="days"' not in page  # the whole desk's bars are for a desk without services
    for private in ("Acme", "SR-0"):
        assert private not in page


def test_a_two_service_outage_in_chromium(served: str, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served)

    assert browser.find_element(By.ID, "state").text == "Service disruption in progress"
    assert "Search and API time out" in browser.find_element(By.ID, "outages").text
    assert "Ledger migration" in browser.find_element(By.ID, "maintenance").text
    assert browser.find_element(By.CSS_SELECTOR, "#outages .affects").text == "Affects: Search, Public API"
    assert browser.find_element(By.CSS_SELECTOR, "#maintenance .affects").text == "Affects: Billing"
    states = {
        card.get_attribute("id"): card.find_element(By.CSS_SELECTOR, ".state").text
        for card in browser.find_elements(By.CSS_SELECTOR, "#services .service")
    }
    assert states == {
        "service-search": "Disruption",
        "service-api": "Disruption",
        "service-billing": "Under maintenance",
        "service-docs": "Operational",
    }
    for service in ("search", "api", "billing", "docs"):
        drawn = browser.find_elements(By.CSS_SELECTOR, f"#service-{service} .bar")
        assert len(drawn) == 90
        assert all(bar.size["height"] == 40 and bar.size["width"] > 0 for bar in drawn)
    today = {s: browser.find_elements(By.CSS_SELECTOR, f"#service-{s} .bar")[-1].get_attribute("class")
             for s in ("search", "api", "docs")}  # fmt: skip
    assert today == {"search": "bar out", "api": "bar out", "docs": "bar up"}
    name = browser.find_element(By.CSS_SELECTOR, "#service-docs .name").text
    assert name == "Documentation <site>"
    assert screenshot(browser, "status-page-services.png").stat().st_size > 10_000
