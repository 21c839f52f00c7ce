"""The public status page over HTTP (waitress on loopback) and in a real headless Chromium: an ongoing outage, a
scheduled maintenance, 90 days of bars with exact figures (a DST day included), this month's availability, and
nothing private: no customer's own outage, no requester."""

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import App

from bot.config.desk import parse_desk_config
from bot.process.app import Frontdesk
from bot.process.web import FrontdeskWsgi, WebServer
from bot.reports.status_page import status_page
from slack_emulator import SlackEmulator, Workspace
from storage import people, service_events, tickets
from storage.engine import Database
from tests.bot.browser import screenshot
from tests.bot.conversation import desk_config
from tests.bot.reports.requests import desk_text

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=PARIS)  # a Tuesday afternoon
DESK = desk_text("owkin", '[[customers]]\nname = "Acme Private"\nplan = "kpro"\nemail_domains = ["acme.example"]\n')


def paris(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def served(db: Database, tmp_path: Path) -> Iterator[str]:
    desk = parse_desk_config(DESK, source="frontdesk.toml", folder=tmp_path)
    with db.write() as session:
        acme = people.save_customer(session, name="Acme Private", plan="kpro", actor="t", now=NOW).id
        requester = people.save_requester(session, now=NOW, email="zoe.secret@acme.example", name="Zoe Secret")
        tickets.open_ticket(session, kind="incident", actor="t", now=NOW, requester_id=requester, customer_id=acme,
                            description="Our payroll export leaks salaries")  # fmt: skip

        def outage(start: datetime, end: datetime | None, title: str, customer: int | None = None) -> None:
            found = service_events.start_outage(
                session, title=title, started_at=start, actor="t", now=start, customer_id=customer
            )
            if end is not None:
                service_events.end_outage(session, found, ended_at=end, actor="t", now=end)

        outage(paris(11, 24, 14), None, "Login service degraded")
        outage(paris(11, 10, 10), paris(11, 10, 12, 24), "Search unavailable")  # 144 of 1440 minutes
        outage(paris(10, 25, 10), paris(10, 25, 10, 15), "Short blip")  # 15 of the 1500 minutes of the DST day
        outage(paris(11, 12, 9), paris(11, 12, 17), "Acme's own gateway", customer=acme)
        for start, end, title in ((paris(11, 28, 22), paris(11, 28, 23, 59), "Database upgrade"),
                                  (paris(11, 3, 22), paris(11, 3, 23), "Old window")):  # fmt: skip
            service_events.add_maintenance(session, title=title, starts_at=start, ends_at=end, actor="t", now=NOW)
    slack = App(signing_secret="secret", token="xoxb-test", token_verification_enabled=False)
    app = FrontdeskWsgi(slack, healthy=lambda: True, status_page=lambda: status_page(db, desk, NOW), signing_secret="s")
    with WebServer(app) as server:
        yield f"{server.url}/status"


def get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def bars(page: str) -> dict[str, str]:
    return dict(re.findall(r'<div class="bar [a-z]+" title="(\d{4}-\d\d-\d\d): ([\d.]+%)"', page))


def test_the_page_shows_outages_maintenance_and_90_days(served: str) -> None:
    status, headers, page = get(served)

    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-cache"
    assert "Service disruption in progress" in page
    assert "<strong>Login service degraded</strong>" in page
    assert "Since Tue 24 Nov 2026 14:00 (Europe/Paris)" in page
    assert "<strong>Database upgrade</strong>" in page
    assert "Scheduled: Sat 28 Nov 2026 22:00 to Sat 28 Nov 2026 23:59 (Europe/Paris)" in page
    assert "Old window" not in page
    days = bars(page)
    assert len(days) == 90
    assert (min(days), max(days)) == ("2026-08-27", "2026-11-24")
    assert days["2026-11-10"] == "90.00%"
    assert days["2026-10-25"] == "99.00%"  # a 25-hour day
    assert days["2026-11-24"] == "95.83%"  # an hour down so far today; the rest of today counts as up
    assert days["2026-11-12"] == "100.00%"  # a customer's own outage is not public
    # since 1 November: 34,020 minutes, less the 60 of the old window; 144 + 60 down: 33,756 / 33,960
    assert '<strong id="month">99.399%</strong>' in page


def test_nothing_private_is_on_the_page(served: str) -> None:
    page = get(served)[2]
    for private in ("Acme", "Zoe", "zoe.secret", "payroll", "SR-0"):
        assert private not in page


def test_only_get_and_head(served: str) -> None:
    request = urllib.request.Request(served, method="POST", data=b"")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    refused.value.close()
    assert (refused.value.code, refused.value.headers["Allow"]) == (405, "GET, HEAD")
    with urllib.request.urlopen(urllib.request.Request(served, method="HEAD"), timeout=10) as head:
        assert head.status == 200


def test_a_failing_database_answers_503_in_one_line(tmp_path: Path) -> None:
    desk = parse_desk_config(DESK, source="frontdesk.toml", folder=tmp_path)
    broken = Database.from_url(f"sqlite:///{tmp_path / 'missing' / 'no.db'}")
    slack = App(signing_secret="secret", token="xoxb-test", token_verification_enabled=False)
    app = FrontdeskWsgi(
        slack, healthy=lambda: False, status_page=lambda: status_page(broken, desk, NOW), signing_secret="s"
    )
    with WebServer(app) as server:
        assert get(f"{server.url}/status")[0::2] == (503, "status unavailable\n")


def test_the_page_renders_in_chromium(served: str, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served)

    assert browser.title == "Service status"
    assert browser.find_element(By.ID, "state").text == "Service disruption in progress"
    assert "Login service degraded" in browser.find_element(By.ID, "outages").text
    assert "Database upgrade" in browser.find_element(By.ID, "maintenance").text
    drawn = browser.find_elements(By.CSS_SELECTOR, "#days .bar")
    assert len(drawn) == 90
    assert all(bar.size["height"] == 40 and bar.size["width"] > 0 for bar in drawn)
    colours = {bar.get_attribute("class") for bar in drawn}
    assert colours == {"bar up", "bar partial", "bar out"}
    assert screenshot(browser, "status-page.png").stat().st_size > 10_000


def test_the_running_app_serves_it(db: Database, tmp_path: Path) -> None:
    with SlackEmulator(Workspace.example()) as emulator:
        app = Frontdesk(
            desk=desk_config(emulator.workspace, tmp_path),
            database=db,
            token=emulator.bot_token,
            api_url=emulator.base_url,
            signing_secret=emulator.signing_secret,
        )
        with WebServer(app.wsgi()) as server:
            status, _, page = get(f"{server.url}/status")
    assert status == 200
    assert "All systems operational" in page
    assert "No maintenance planned." in page
