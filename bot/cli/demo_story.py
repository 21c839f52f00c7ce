"""`frontdesk demo`: a realistic support conversation played against a local Slack, printed as a transcript.

Rules:
- Runs on a fresh machine with nothing but the package: the Slack Web API emulator stands in for Slack, a SQLite
  file in a temporary folder for the database, and a fixed instant (Tuesday 10:00 in the policy's zone by
  default) for the clock, so the transcript is the same on every run.
- The requester's messages go through the real path: signed HTTP requests to the receiver served by waitress,
  the inbox, the intake service, the outbox and the delivery worker calling the Web API over loopback.
- The requester answers the way people do: pressing the buttons under questions, typing, sharing a screenshot.
- The transcript shows what each person sees in Slack, in order (buttons in brackets, files with a clip), and
  ends with the request's SR number and deadlines.
"""

import struct
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config.desk import DeskConfig, parse_desk_config
from bot.process.app import Frontdesk
from bot.process.web import WebServer
from bot.render import render
from sla import presets
from slack_emulator import SlackEmulator, SlackSide, Upload, Workspace
from storage import deadlines, migrate, tickets
from storage.engine import Database

REQUESTER, AGENT = "alice", "bob"
# The requester's side of the intake, in order: a message, a file, or a button pressed under the question.
SCRIPT: tuple[tuple[str, str], ...] = (
    ("press", "answer:yes"),
    ("say", "20 minutes ago"),
    ("say", "1. Open Reports > Monthly\n2. Click Export as PDF\n3. Nothing happens, no file"),
    ("share", "export-button.png"),
    ("press", "answer:incident"),
)
REPLY = "Thanks Alice, we can reproduce it and a fix is on its way. Meanwhile, Export as CSV works."
# Then the agent on the triage card (a button, a menu choice, or a form's text) and the requester in the thread.
AGENT_SCRIPT: tuple[tuple[str, str, str], ...] = (
    ("agent", "card:triage", ""),  # the policy's second priority
    ("agent", "card:reply", REPLY),
    ("say", "CSV works for now, thanks!", ""),
    ("agent", "card:resolve", ""),
    ("press", "resolution:yes", ""),
    ("press", "rate:5", ""),
)


@dataclass(frozen=True)
class Line:
    """One message as a person sees it."""

    who: str
    text: str
    where: str
    edited: bool = False
    files: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()
    ts: str = "0"
    action: str | None = None  # an agent's click on the card (`text` is what they chose or wrote), not a message


class DemoClock:
    """A clock that stands still unless moved: the demo's time."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def demo_desk(workspace: Workspace, folder: Path, policy: str) -> DeskConfig:
    support, agents = workspace.channel("support").id, workspace.channel("support-agents").id
    agent_ids = ", ".join(f'"{workspace.user(name).id}"' for name in ("bob", "carol"))
    text = (
        f'policy = "{policy}"\n[slack]\nintake_channel = "{support}"\nagents_channel = "{agents}"\n'
        f"[agents]\nusers = [{agent_ids}]\n"
    )
    return parse_desk_config(text, source="demo.toml", folder=folder)


def demo_start(policy: str) -> datetime:
    """Tuesday 24 November 2026, 10:00 in the policy's zone: inside business hours for every preset."""
    return datetime(2026, 11, 24, 10, 0, tzinfo=presets.load(policy).calendar.zone)


@contextmanager
def _local_slack(policy: str, folder: Path, start: datetime) -> Iterator[tuple[Frontdesk, SlackSide, DemoClock]]:
    clock = DemoClock(start)
    database = Database.from_url(f"sqlite:///{folder / 'frontdesk.db'}")
    migrate.upgrade(database)
    workspace = Workspace.example(clock=lambda: clock.now.timestamp())
    try:
        with SlackEmulator(workspace) as emulator:
            app = Frontdesk(
                desk=demo_desk(workspace, folder, policy),
                database=database,
                token=emulator.bot_token,
                api_url=emulator.base_url,
                signing_secret=emulator.signing_secret,
                clock=clock,
                threads=1,  # one row at a time: the story is told in the order it happens
            )
            with WebServer(app.wsgi()) as server:
                slack = SlackSide.over_http(emulator, f"{server.url}/slack/events")  # signed with the real time
                yield app, slack, clock
    finally:
        database.dispose()


def run_demo(policy: str = "owkin") -> str:
    """Play the conversation and return the transcript."""
    with tempfile.TemporaryDirectory(prefix="frontdesk-demo-") as folder:
        start = demo_start(policy)
        with _local_slack(policy, Path(folder), start) as (app, slack, clock):
            said = slack.dm(REQUESTER, "The monthly report export does nothing since this morning")
            _settle(app, clock)
            for step, what in _script(app.desk):
                _play(slack, app, said.message.channel, said.message.ts, step, what)
                _settle(app, clock)
            clicks = []
            for step, what, extra in AGENT_SCRIPT:
                if step == "agent":
                    clicks.append(_on_card(slack, app, clock, what, extra))
                    _settle(app, clock)
                    continue
                if step == "press":
                    clicks.append(_pressed(slack, app, clock, said.message.channel, said.message.ts, what))
                _play(slack, app, said.message.channel, said.message.ts, step, what)
                _settle(app, clock)
            workspace = slack.workspace
            lines = sorted(
                [*_lines(workspace, said.message.channel, said.message.ts, app), *clicks],
                key=lambda line: float(line.ts),
            )
            with app.database.read() as session:
                ticket = tickets.find_ticket(session, slack_thread=(said.message.channel, said.message.ts))
                stored = deadlines.deadlines_of(session, ticket.id) if ticket else []
            return render(
                "cli/demo_transcript.txt.j2",
                policy=app.desk.policy,
                start=start,
                lines=lines,
                ticket=ticket,
                deadlines=stored,
                zone=app.desk.policy.calendar.zone,
            )


def _script(desk: DeskConfig) -> tuple[tuple[str, str], ...]:
    """The script; with an impact x urgency matrix, the requester also answers its two questions by button."""
    matrix = desk.policy.matrix
    if matrix is None:
        return SCRIPT
    triage = (("press", f"answer:{matrix.impacts[1].name}"), ("press", f"answer:{matrix.urgencies[1].name}"))
    return SCRIPT[:-1] + triage + SCRIPT[-1:]


def _play(slack: SlackSide, app: Frontdesk, channel: str, root: str, step: str, what: str) -> None:
    """One step of the requester's: say `what`, share the file named `what`, or press the button `what`."""
    if step == "say":
        slack.dm(REQUESTER, what, thread_ts=root)
    elif step == "share":
        slack.dm(REQUESTER, "", thread_ts=root, files=[Upload(what, _screenshot(), "image/png")])
    else:
        asked = [m for m in slack.workspace.messages(channel, thread_ts=root) if m.user == app.bot_user][-1]
        slack.block_actions(REQUESTER, asked, what)


def _pressed(slack: SlackSide, app: Frontdesk, clock: DemoClock, channel: str, root: str, action_id: str) -> Line:
    """The requester's press of a button under the bot's last message, as the transcript tells it."""
    asked = [m for m in slack.workspace.messages(channel, thread_ts=root) if m.user == app.bot_user][-1]
    label = next(
        str(e["text"]["text"]) for b in asked.blocks or () if b.get("type") == "actions" for e in b["elements"]
        if e.get("action_id") == action_id
    )  # fmt: skip
    person = slack.workspace.user(REQUESTER)
    return Line(
        person.real_name or person.name, label, "DM with the bot", ts=str(clock.now.timestamp()), action="press"
    )


def _on_card(slack: SlackSide, app: Frontdesk, clock: DemoClock, action_id: str, extra: str) -> Line:
    """The agent uses `action_id` on the triage card: writing `extra` in the form it opens, or, in the priority
    menu, choosing the policy's second priority."""
    agent = slack.workspace.user(AGENT)
    if action_id == "card:triage":
        extra = app.desk.policy.priorities[1].name
    click = Line(
        agent.real_name or agent.name, extra, "#support-agents", ts=str(clock.now.timestamp()), action=action_id
    )
    card = slack.workspace.messages(app.desk.agents_channel)[-1]
    element = next(e for b in card.blocks or () if b.get("type") == "actions" for e in b["elements"]
                   if e.get("action_id") == action_id)  # fmt: skip
    if element.get("type") == "static_select":
        choice = next(o["value"] for o in element["options"] if o["value"].endswith(f"|{extra}"))
        slack.block_actions(AGENT, card, action_id, choice)
        return click
    slack.block_actions(AGENT, card, action_id)
    if extra:
        _process(app, clock.now)
        (form,) = slack.workspace.views(AGENT)
        slack.view_submission(form, {"text": extra})
    return click


def _screenshot() -> bytes:
    """A small real PNG (a grey 64x40 image), as a requester's screenshot would be."""
    width, height = 64, 40
    rows = b"".join(b"\x00" + b"\xb0" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _settle(app: Frontdesk, clock: DemoClock) -> None:
    """Process what was received and deliver every answer, as the running workers would; a minute passes."""
    _process(app, clock.now)
    clock.now += timedelta(minutes=1)


def _process(app: Frontdesk, now: datetime) -> None:
    """Process what was received at `now` and deliver every answer (letting the per-channel pace go by)."""
    app.worker.process_once(now)
    moment = now
    for _ in range(60):
        if not app.deliverer.deliver_once(moment) and app.deliverer.next_due is None:
            break
        moment += timedelta(seconds=2)


def _lines(workspace: Workspace, channel: str, root: str, app: Frontdesk) -> list[Line]:
    names = {user.id: user.real_name or user.name for user in workspace.users()}
    names[app.bot_user] = "Frontdesk"
    thread = [
        Line(
            names.get(m.user, m.user),
            m.text,
            "DM with the bot",
            m.edited is not None,
            tuple(workspace.file(file).name for file in m.files),
            _buttons(m.blocks),
            m.ts,
        )
        for m in workspace.messages(channel, thread_ts=root)
    ]
    card = workspace.messages(app.desk.agents_channel)
    agents = [
        Line(names.get(m.user, m.user), m.text, "#support-agents", m.edited is not None, (), _buttons(m.blocks), m.ts)
        for m in card
    ]
    notes = [
        Line(
            names.get(m.user, m.user),
            m.text,
            "#support-agents, the card's thread",
            False,
            tuple(workspace.file(file).name for file in m.files),
            (),
            m.ts,
        )
        for c in card
        for m in workspace.messages(app.desk.agents_channel, thread_ts=c.ts)[1:]
    ]
    return thread + agents + notes


def _buttons(blocks: Any) -> tuple[str, ...]:
    """The labels of the buttons a message shows."""
    return tuple(
        str(element["text"]["text"])
        for block in blocks or ()
        if block.get("type") == "actions"
        for element in block.get("elements", ())
        if element.get("type") == "button"
    )
