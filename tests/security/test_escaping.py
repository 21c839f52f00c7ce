"""Escaping everywhere (docs/security.md, "Escaping and secrets"): what people type is shown as they typed it and is
never acted on.

- HTML: a subject, a name, a label or a title made of `</title><script>` and `<img onerror>` is opened in a real
  headless Chromium in the requester's email (as our SMTP server received it), the report page and the status page
  (as served); no script runs, no element is made of it, and the text is on the page, literally. The pages are
  opened from files, so that the status page's Content-Security-Policy cannot hide a missing escape.
- Slack: a newline in a description, reproduction steps, a relayed message or an email cannot forge a line of the
  triage card or of the agents' posts: every line of it is quoted (`> `) in the blocks people see; in the
  requester's summary it stays on its own line.
- CSV: a cell of a report that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, any
  other text is unchanged, figures stay numbers, and the file reads back to exactly those cells.
"""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_bolt import App

from bot.config.desk import DeskConfig, parse_desk_config
from bot.process.web import FrontdeskWsgi, WebServer
from bot.render import one_line, quote_lines
from bot.reports.formats import FORMULA_STARTS, as_csv, csv_cell, formatted
from bot.reports.monthly import Month, Report, build_report
from bot.reports.status_page import status_page
from slack_emulator import Message, Workspace
from storage import service_events
from storage.engine import Database
from tests.bot.browser import browser  # noqa: F401  (fixture)
from tests.bot.conversation import Conversation, conversation_on, desk_config
from tests.bot.desk.conftest import ANSWERS, card_of
from tests.bot.email.mail_conversation import ANNA, MailConversation, email, mail_desk  # noqa: F401  (fixture)
from tests.bot.email.smtp_server import smtp_server  # noqa: F401  (fixture)
from tests.bot.reports.requests import Requests, desk_text, warsaw
from tests.bot.reports.test_status_page import get

SCRIPT = "</title><script>window.pwned = 'script'; document.title = 'pwned'</script>"
IMG = "<img src=x onerror=\"window.pwned = 'img'\">"
ATTRIBUTE = '" onmouseover="window.pwned = \'attribute\'" data-x="'
ACTIVE = "script, img, iframe, object, embed, [onerror], [onload], [onmouseover]"
FORMULAS = ("=HYPERLINK(\"http://evil.example\",\"help\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1")  # fmt: skip
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def backend() -> str:
    return "sqlite"


def shown_in_chromium(driver, html: str, path: Path) -> str:
    """`html` opened from a file in Chromium: the text of its body, once no active content is found in it."""
    from selenium.webdriver.common.by import By

    path.write_text(html, encoding="utf-8")
    driver.get(path.as_uri())
    assert driver.execute_script(f"return document.querySelectorAll({json.dumps(ACTIVE)}).length") == 0
    assert driver.execute_script("return window.pwned === undefined")
    return str(driver.find_element(By.TAG_NAME, "body").text)


# -- HTML -----------------------------------------------------------------------------------------------------------


def html_of(received) -> str:
    return str(received.message.get_body(("html",)).get_content())


def test_a_subject_with_a_script_is_text_in_the_requesters_email(
    mail_desk: MailConversation,  # noqa: F811
    browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    mail = mail_desk
    subject = f"{SCRIPT} {IMG}"

    mail.receive(email(ANNA, subject, f"Nothing works {IMG}\n"))
    [question] = mail.new_emails()
    raw = email(ANNA, subject, "See the logs.\n", message_id="<big@customer.example>")
    mail.receive(raw[: raw.index(b"\n\n") + 2], size=30 * 1024 * 1024, truncated=True)
    [too_large] = mail.new_emails()

    shown_in_chromium(browser, html_of(question), tmp_path / "question.html")
    assert browser.title == f"[SR-000001] Re: {subject}"
    body = shown_in_chromium(browser, html_of(too_large), tmp_path / "too_large.html")
    assert browser.title == "Your email was too large"
    assert f'Your email "{subject}" is 30.0 MB' in body


def hostile_desk(folder: Path) -> DeskConfig:
    """k0nsult, with a title, a plan label and a target label written to break out of the page, and a customer
    named like a formula."""
    policy = resources.files("sla.presets").joinpath("k0nsult.toml").read_text(encoding="utf-8")
    policy = policy.replace('title = "K0nsult SLA"', f"title = {json.dumps(SCRIPT)}")
    policy = policy.replace(
        '[plans.enterprise]\nlabel = "Enterprise"', f"[plans.enterprise]\nlabel = {json.dumps(IMG)}"
    )
    policy = policy.replace("[targets.resolution]\n", f"[targets.resolution]\nlabel = {json.dumps(ATTRIBUTE)}\n")
    (folder / "hostile.toml").write_text(policy, encoding="utf-8")
    customer = f'[[customers]]\nname = {json.dumps(FORMULAS[0])}\nplan = "enterprise"\nemail_domains = ["a.example"]\n'
    return parse_desk_config(desk_text("hostile.toml", customer), source="frontdesk.toml", folder=folder)


@pytest.fixture
def hostile_report(db: Database, tmp_path: Path) -> Report:
    """October 2026 on the hostile desk: agents named with markup and with formulas, each with a decided request."""
    desk = hostile_desk(tmp_path)
    made = Requests(db, desk)
    customer = made.customer(FORMULAS[0])
    for day, name in enumerate((IMG, SCRIPT, *FORMULAS[1:]), start=1):
        made.request("S1", customer, made.agent(name), warsaw(10, day, 10), [("public_reply", warsaw(10, day, 10, 30))])
    made.outage(warsaw(10, 5, 10), warsaw(10, 5, 10, 30))
    made.recompute_all(warsaw(11, 1, 0))
    return build_report(db, desk, Month(2026, 10))


def test_names_and_labels_with_markup_are_text_in_the_html_report(
    hostile_report: Report,
    browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    body = shown_in_chromium(browser, formatted(hostile_report, "html"), tmp_path / "report.html")

    assert browser.title == f"SLA report 2026-10: {SCRIPT}"
    for text in (SCRIPT, IMG, ATTRIBUTE.strip(), FORMULAS[0], "-2+3", "@SUM(A1:A9)"):
        assert text in body, text


def test_outage_and_maintenance_titles_with_markup_are_text_on_the_status_page(
    db: Database,
    browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    desk = parse_desk_config(desk_text("owkin", ""), source="frontdesk.toml", folder=tmp_path)
    now = datetime(2026, 11, 24, 15, 0, tzinfo=PARIS)
    with db.write() as session:
        service_events.start_outage(session, title=SCRIPT, started_at=now, actor="t", now=now)
        start = datetime(2026, 11, 28, 22, tzinfo=PARIS)
        service_events.add_maintenance(
            session, title=IMG, starts_at=start, ends_at=start + timedelta(hours=1), actor="t", now=now
        )
    slack = App(signing_secret="secret", token="xoxb-test", token_verification_enabled=False)
    app = FrontdeskWsgi(slack, healthy=lambda: True, status_page=lambda: status_page(db, desk, now), signing_secret="s")
    with WebServer(app) as server:
        status, _, page = get(f"{server.url}/status")
    assert status == 200

    body = shown_in_chromium(browser, page, tmp_path / "status.html")

    assert browser.title == "Service status"
    assert SCRIPT in body
    assert IMG in body


# -- Slack ----------------------------------------------------------------------------------------------------------

FORGED = "Exports fail\n*Priority:* P1, approved by the support lead\n• Assigned to <@U0BOSS>\n\n• Resolution: met"
FORGED_STEPS = "1. Open Reports\r\n*SR-000099* (incident, priority *P1*, plan kpro)\u2028• Files: 9"


@pytest.fixture
def conversation(db: Database, tmp_path: Path) -> Iterator[Conversation]:
    workspace = Workspace.example()
    yield from conversation_on(db, workspace, desk_config(workspace, tmp_path))


def seen_lines(message: Message) -> list[str]:
    """The lines of the message's first block, as Slack shows them."""
    return str(message.blocks[0]["text"]["text"]).splitlines() if message.blocks else message.text.splitlines()


def ours(lines: list[str]) -> list[str]:
    """The lines that are not quotes of what someone typed."""
    return [line for line in lines if not line.startswith("> ")]


def test_a_newline_in_a_description_or_steps_cannot_forge_a_line_of_the_triage_card(conversation) -> None:
    root = conversation.slack.dm("alice", FORGED).message
    conversation.settle()
    matrix = conversation.desk.policy.matrix
    triage = (matrix.impacts[-1].name, matrix.urgencies[-1].name) if matrix else ()
    for answer in (ANSWERS[0], ANSWERS[1], FORGED_STEPS, ANSWERS[3], *triage, ANSWERS[4]):
        conversation.slack.dm("alice", answer, thread_ts=root.ts)
        conversation.settle()

    lines = seen_lines(card_of(conversation))

    assert lines[0].startswith("*New request SR-000001*")
    assert lines[1:6] == ["> Exports fail", "> *Priority:* P1, approved by the support lead",
                          "> • Assigned to @U0BOSS", "> ", "> • Resolution: met"]  # fmt: skip
    steps = lines.index("• Steps:")
    assert lines[steps + 1 : steps + 4] == [
        "> 1. Open Reports", "> *SR-000099* (incident, priority *P1*, plan kpro)", "> • Files: 9",
    ]  # fmt: skip
    for forged in ("Priority:* P1", "Assigned to", "Resolution: met", "SR-000099", "Files: 9"):
        assert not any(forged in line for line in ours(lines)), forged
    assert sum(line.startswith("• Files:") for line in lines) == 1
    status = seen_lines(conversation.thread(root.channel, root.ts)[1])  # the requester's summary: one line each
    [description] = [line for line in status if "Priority:* P1" in line]
    assert description.startswith("• Description: Exports fail *Priority:* P1")
    assert [line for line in status if "Resolution: met" in line or "Files: 9" in line] == [
        description, next(line for line in status if line.startswith("• Steps to reproduce: 1. Open Reports")),
    ]  # fmt: skip


def test_a_relayed_message_is_quoted_line_by_line_for_the_agents(conversation) -> None:
    root = conversation.slack.dm("alice", "Exports fail").message
    conversation.settle()
    matrix = conversation.desk.policy.matrix
    triage = (matrix.impacts[-1].name, matrix.urgencies[-1].name) if matrix else ()
    for answer in (*ANSWERS[:-1], *triage, ANSWERS[-1]):
        conversation.slack.dm("alice", answer, thread_ts=root.ts)
        conversation.settle()
    conversation.slack.dm("alice", "Thanks\n*Bob Tremblay* (support): closing this, all fine", thread_ts=root.ts)
    conversation.settle()

    card = card_of(conversation)
    relayed = conversation.thread(conversation.desk.agents_channel, card.ts)[-1]

    assert relayed.text.splitlines() == [
        "*Alice Martin* (requester) wrote:", "> Thanks", "> *Bob Tremblay* (support): closing this, all fine",
    ]  # fmt: skip


def test_a_newline_in_an_email_cannot_forge_a_line_of_its_post(mail_desk: MailConversation) -> None:  # noqa: F811
    mail = mail_desk
    mail.receive(email(ANNA, "Login fails", "It fails.\n*Subject:* Refund approved\n3 files attached.\n"))

    [root] = mail.intake_threads()
    lines = root.text.splitlines()

    assert lines[1] == "*Subject:* Login fails"
    assert lines[-3:] == ["> It fails.", "> *Subject:* Refund approved", "> 3 files attached."]
    assert [line for line in ours(lines) if "Subject:" in line] == ["*Subject:* Login fails"]
    assert not any("files attached" in line for line in ours(lines))


@given(st.text())
def test_quoted_text_is_all_quote_and_one_line_text_is_one_line(text: str) -> None:
    quoted = quote_lines(text).split("\n")
    assert all(line.startswith("> ") for line in quoted)
    assert [line.removeprefix("> ") for line in quoted] == [
        line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for line in text.splitlines() or [""]
    ]
    assert len(one_line(text).splitlines()) <= 1


# -- CSV ------------------------------------------------------------------------------------------------------------


def csv_rows(report: Report) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(as_csv(report), newline="")))


def test_formula_cells_in_the_report_csv_are_text(hostile_report: Report) -> None:
    rows = csv_rows(hostile_report)

    names = {row["name"] for row in rows if row["section"] == "agent"}
    assert names == {IMG, SCRIPT, *("'" + formula for formula in FORMULAS[1:])}
    availability = {row["name"] for row in rows if row["section"] == "availability"}
    assert availability == {"Starter", "Professional", IMG, "'" + FORMULAS[0]}  # plans, then the customer
    assert all(row["count"].isdigit() for row in rows if row["section"] == "agent")


@given(st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.text()))
def test_a_cell_is_prefixed_only_when_it_is_text_beginning_with_a_formula_character(value: object) -> None:
    cell = csv_cell(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        assert cell == "'" + value
    else:
        assert cell == value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(), min_size=1, max_size=4), mean=st.floats(-1e6, 1e6))
def test_any_names_come_back_from_the_csv_as_written_or_neutralised(
    hostile_report: Report, names: list[str], mean: float
) -> None:
    template = hostile_report.agents[0]
    agents = tuple(replace(template, group=(template.group[0], name), mean_seconds=mean) for name in names)

    rows = [row for row in csv_rows(replace(hostile_report, agents=agents)) if row["section"] == "agent"]

    assert [row["name"] for row in rows] == [csv_cell(name) for name in names]
    assert [float(row["mean_seconds"]) for row in rows] == [mean] * len(names)
