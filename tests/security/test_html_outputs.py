"""Every HTML output is escaped (docs/security.md, "Escaping and secrets"), as a rule of the templates and in
Chromium for what the newest parts of the pages show: the services of the desk config (names, descriptions) and
the outages and windows that hit them on the status page.

- The Jinja environment autoescapes exactly the `*.html.j2` templates, explicitly; no template opts out
  (`| safe`, `Markup`, `{% autoescape false %}`), so a new HTML output is escaped without anyone thinking of it.
"""

import json
import re
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from slack_bolt import App

from bot.config.desk import parse_desk_config
from bot.process.web import FrontdeskWsgi, WebServer
from bot.render import environment
from bot.reports.formats import formatted
from bot.reports.monthly import Month, build_report
from bot.reports.status_page import status_page
from storage import service_events
from storage.engine import Database
from tests.bot.browser import browser  # noqa: F401  (fixture)
from tests.bot.reports.requests import desk_text
from tests.bot.reports.test_status_page import get
from tests.security.test_escaping import IMG, SCRIPT, shown_in_chromium

PARIS = ZoneInfo("Europe/Paris")
SERVICES = (
    f'[[services]]\nid = "search"\nname = {json.dumps("Search " + SCRIPT)}\n'
    f"description = {json.dumps('Docs ' + IMG)}\n"
    f'[[services]]\nid = "api"\nname = {json.dumps("API " + IMG)}\n'
)
OPT_OUT = re.compile(r"\|\s*safe\b|\bMarkup\b|autoescape\s+false", re.IGNORECASE)


def _templates() -> list[str]:
    root = resources.files("templates")
    found: list[str] = []

    def walk(folder, prefix: str) -> None:
        for entry in folder.iterdir():
            if entry.is_dir() and not entry.name.startswith("__"):
                walk(entry, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".j2"):
                found.append(prefix + entry.name)

    walk(root, "")
    return sorted(found)


def test_exactly_the_html_templates_are_autoescaped_and_none_opts_out():
    names = _templates()
    html = [name for name in names if name.endswith(".html.j2")]
    assert {"email/requester_body.html.j2", "reports/report.html.j2", "status/page.html.j2"} <= set(html)
    env = environment()
    for name in names:
        assert env.autoescape(name) is name.endswith(".html.j2"), name  # type: ignore[operator]
        source = (Path(str(resources.files("templates"))) / name).read_text(encoding="utf-8")
        assert not OPT_OUT.search(source), name


def test_service_names_descriptions_and_the_titles_that_hit_them_are_text_on_the_status_page(
    db: Database,
    browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    desk = parse_desk_config(desk_text("owkin", SERVICES), source="frontdesk.toml", folder=tmp_path)
    now = datetime(2026, 11, 24, 15, 0, tzinfo=PARIS)
    with db.write() as session:
        service_events.start_outage(session, title=SCRIPT, started_at=now, actor="t", now=now, services=["search"])
        start = datetime(2026, 11, 28, 22, tzinfo=PARIS)
        service_events.add_maintenance(session, title=IMG, starts_at=start, ends_at=start + timedelta(hours=1),
                                       actor="t", now=now, services=["api"])  # fmt: skip
    slack = App(signing_secret="secret", token="xoxb-test", token_verification_enabled=False)
    app = FrontdeskWsgi(slack, healthy=lambda: True, status_page=lambda: status_page(db, desk, now), signing_secret="s")
    with WebServer(app) as server:
        status, _, page = get(f"{server.url}/status")
    assert status == 200

    body = shown_in_chromium(browser, page, tmp_path / "status.html")

    for text in (SCRIPT, IMG, f"Search {SCRIPT}", f"Docs {IMG}", f"API {IMG}"):
        assert text in body, text


def test_service_names_are_text_in_the_html_report(db: Database, browser, tmp_path: Path) -> None:  # noqa: F811
    desk = parse_desk_config(desk_text("owkin", SERVICES), source="frontdesk.toml", folder=tmp_path)
    start = datetime(2026, 10, 5, 10, tzinfo=PARIS)
    with db.write() as session:
        outage = service_events.start_outage(session, title=SCRIPT, started_at=start, actor="t", now=start,
                                             services=["search"])  # fmt: skip
        service_events.end_outage(session, outage, ended_at=start + timedelta(hours=1), actor="t", now=start)
    report = build_report(db, desk, Month(2026, 10))
    assert report.services

    body = shown_in_chromium(browser, formatted(report, "html"), tmp_path / "report.html")

    assert f"Search {SCRIPT}" in body
    assert f"API {IMG}" in body
