"""`frontdesk demo`: a realistic support conversation played against a local Slack, printed as a transcript.

Rules:
- Runs on a fresh machine with nothing but the package: the Slack Web API emulator stands in for Slack, a SQLite
  file in the demo's folder for the database (kept, bot.cli.demo_folder), and a fixed instant (Tuesday 10:00 in
  the policy's zone by default) for the clock, so the transcript is the same on every run.
- The requester's messages go through the real path: signed HTTP requests to the receiver served by waitress,
  the inbox, the intake service, the outbox and the delivery worker calling the Web API over loopback.
- The requester answers the way people do: pressing the buttons under questions, typing, sharing a screenshot.
- The transcript shows what each person sees in Slack in the order it happens (docs/reports.md, "The demo's
  desk"): Slack is looked at after every delivery, and a message edited in place is told again when it is edited,
  with only the lines that changed; ephemeral answers name the one person who sees them, a form shows as it opens.
  It ends with the rating acknowledged, the request's SR number and deadlines, and the commands that look at the
  kept desk.
"""

import shlex
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.cli.demo_folder import ATTACHMENTS, CONFIG, DATABASE, DEFAULT_FOLDER, prepare
from bot.config.desk import DeskConfig, load_desk_config
from bot.process.app import Frontdesk
from bot.process.web import WebServer
from bot.render import render
from sla import presets
from slack_emulator import Message, SlackEmulator, SlackSide, Upload, Workspace
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


DM, AGENTS, CARD_THREAD = "DM with the bot", "#support-agents", "#support-agents, the card's thread"


@dataclass(frozen=True)
class Line:
    """One thing a person sees, or does, in Slack."""

    who: str
    text: str
    where: str
    edited: str | None = None  # an edit: the message's first line before it; `text` holds only the lines it changed
    files: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()
    buttons_removed: bool = False  # an edit that took the message's buttons away
    action: str | None = None  # an agent's click on the card (`text` is what they chose or wrote), not a message
    seen_by: str = ""  # an ephemeral message or a form: the one person who sees it
    form: str = ""  # a form (a modal) as it opens: its title (`text` its sections, `fields` its fields' labels)
    fields: tuple[str, ...] = ()


class DemoClock:
    """A clock that stands still unless moved: the demo's time."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Seen:
    """A message as the last look saw it."""

    text: str
    buttons: tuple[str, ...]
    files: tuple[str, ...]


class Recorder:
    """What the people see in Slack, noted look by look in the order it happens (the module's rules)."""

    def __init__(self, workspace: Workspace, app: Frontdesk, dm: tuple[str, str], requester: str) -> None:
        self.workspace, self.app, self.dm, self.requester = workspace, app, dm, requester
        self.names = {user.id: user.real_name or user.name for user in workspace.users()}
        self.names[app.bot_user] = "Frontdesk"
        self.lines: list[Line] = []
        self._seen: dict[tuple[str, str], Seen] = {}
        self._ephemerals = 0
        self._forms: set[str] = set()

    def note(self, line: Line) -> None:
        """A person's action, after everything they saw before it."""
        self.observe()
        self.lines.append(line)

    def observe(self) -> None:
        """Note what is new since the last look, in Slack's order (a form last)."""
        noted = sorted([*self._messages(), *self._ephemeral_lines()], key=lambda pair: float(pair[0]))
        self.lines.extend([line for _, line in noted] + list(self._form_lines()))

    def _places(self) -> Iterator[tuple[str, Message]]:
        channel, root = self.dm
        for message in self.workspace.messages(channel, thread_ts=root):
            yield DM, message
        agents = self.app.desk.agents_channel
        for card in self.workspace.messages(agents):
            yield AGENTS, card
            for reply in self.workspace.messages(agents, thread_ts=card.ts)[1:]:
                yield CARD_THREAD, reply

    def _messages(self) -> Iterator[tuple[str, Line]]:
        for where, message in self._places():
            files = tuple(self.workspace.file(file).name for file in message.files)
            now = Seen(message.text, _buttons(message.blocks), files)
            before = self._seen.get((message.channel, message.ts))
            self._seen[(message.channel, message.ts)] = now
            who = self.names.get(message.user, message.user)
            if before is None:
                yield message.ts, Line(who, now.text, where, files=now.files, buttons=now.buttons)
            elif before != now:
                yield (message.edited.ts if message.edited else message.ts), _edit(who, where, before, now)

    def _ephemeral_lines(self) -> Iterator[tuple[str, Line]]:
        every = self.workspace.ephemerals()
        for ephemeral in every[self._ephemerals :]:
            where = DM if ephemeral.channel == self.dm[0] else CARD_THREAD if ephemeral.thread_ts else AGENTS
            if ephemeral.channel in (self.dm[0], self.app.desk.agents_channel):
                yield ephemeral.ts, Line("Frontdesk", ephemeral.text, where, seen_by=self.names[ephemeral.user])
        self._ephemerals = len(every)

    def _form_lines(self) -> Iterator[Line]:
        for view in self.workspace.views(self.requester):
            if view.id not in self._forms:
                self._forms.add(view.id)
                yield _form(view.definition, self.names[view.user])


def _edit(who: str, where: str, before: Seen, now: Seen) -> Line:
    """An edit as the transcript shows it: the lines that changed, the buttons when they changed."""
    kept = set(before.text.splitlines())
    changed = "\n".join(row for row in now.text.splitlines() if row not in kept)
    buttons = now.buttons if now.buttons != before.buttons else ()
    first = next(iter(before.text.splitlines()), "")
    return Line(who, changed, where, edited=first, files=now.files if now.files != before.files else (),
                buttons=buttons, buttons_removed=bool(before.buttons) and not now.buttons)  # fmt: skip


def _form(definition: Any, person: str) -> Line:
    """A form (a modal) as it opens: its title, its sections' text, its fields' labels and its two buttons."""
    blocks = definition.get("blocks", ())
    text = "\n".join(str(b["text"]["text"]) for b in blocks if b.get("type") == "section")
    fields = tuple(str(b["label"]["text"]) for b in blocks if b.get("type") == "input")
    buttons = tuple(str(definition[key]["text"]) for key in ("submit", "close") if key in definition)
    return Line("Frontdesk", text, DM, buttons=buttons, seen_by=person, form=str(definition["title"]["text"]),
                fields=fields)  # fmt: skip


def demo_desk(workspace: Workspace, folder: Path, policy: str) -> DeskConfig:
    """The demo's desk config, written to the folder (where `frontdesk report` finds it) and read from there."""
    path = folder / CONFIG
    agents = [workspace.user(name).id for name in ("bob", "carol")]
    intake, agents_channel = workspace.channel("support").id, workspace.channel("support-agents").id
    channels = {"intake_channel": intake, "agents_channel": agents_channel}
    path.write_text(render("cli/demo_desk.toml.j2", policy=policy, agents=agents, **channels), encoding="utf-8")
    return load_desk_config(path)


def demo_start(policy: str) -> datetime:
    """Tuesday 24 November 2026, 10:00 in the policy's zone: inside business hours for every preset."""
    return datetime(2026, 11, 24, 10, 0, tzinfo=presets.load(policy).calendar.zone)


@contextmanager
def _local_slack(policy: str, folder: Path, start: datetime) -> Iterator[tuple[Frontdesk, SlackSide, DemoClock]]:
    clock = DemoClock(start)
    database = Database.from_url(f"sqlite:///{folder / DATABASE}")
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


def run_demo(policy: str = "owkin", folder: Path = Path(DEFAULT_FOLDER)) -> str:
    """Play the conversation, keeping its desk in `folder` (bot.cli.demo_folder), and return the transcript."""
    folder = prepare(folder)
    start = demo_start(policy)
    with _local_slack(policy, folder, start) as (app, slack, clock):
        said = slack.dm(REQUESTER, "The monthly report export does nothing since this morning")
        dm = (said.message.channel, said.message.ts)
        seen = Recorder(slack.workspace, app, dm, slack.workspace.user(REQUESTER).id)
        _settle(app, clock, seen)
        for step, what in _script(app.desk):
            if step == "press":
                seen.note(_pressed(slack, app, dm, what))
            _play(slack, app, dm, step, what)
            _settle(app, clock, seen)
        for step, what, extra in AGENT_SCRIPT:
            if step == "agent":
                _on_card(slack, app, clock, seen, what, extra)
            else:
                if step == "press":
                    seen.note(_pressed(slack, app, dm, what))
                _play(slack, app, dm, step, what)
            _settle(app, clock, seen)
        with app.database.read() as session:
            ticket = tickets.find_ticket(session, slack_thread=dm)
            stored = deadlines.deadlines_of(session, ticket.id) if ticket else []
        return render(
            "cli/demo_transcript.txt.j2",
            policy=app.desk.policy,
            start=start,
            lines=seen.lines,
            ticket=ticket,
            deadlines=stored,
            zone=app.desk.policy.calendar.zone,
            folder=folder,
            cd=shlex.quote(str(folder)),
            files={"database": DATABASE, "config": CONFIG, "attachments": ATTACHMENTS},
        )


def _script(desk: DeskConfig) -> tuple[tuple[str, str], ...]:
    """The script; with an impact x urgency matrix, the requester also answers its two questions by button."""
    matrix = desk.policy.matrix
    if matrix is None:
        return SCRIPT
    triage = (("press", f"answer:{matrix.impacts[1].name}"), ("press", f"answer:{matrix.urgencies[1].name}"))
    return SCRIPT[:-1] + triage + SCRIPT[-1:]


def _play(slack: SlackSide, app: Frontdesk, dm: tuple[str, str], step: str, what: str) -> None:
    """One step of the requester's: say `what`, share the file named `what`, or press the button `what`."""
    root = dm[1]
    if step == "say":
        slack.dm(REQUESTER, what, thread_ts=root)
    elif step == "share":
        slack.dm(REQUESTER, "", thread_ts=root, files=[Upload(what, _screenshot(), "image/png")])
    else:
        slack.block_actions(REQUESTER, _last_question(slack, app, dm), what)


def _last_question(slack: SlackSide, app: Frontdesk, dm: tuple[str, str]) -> Message:
    channel, root = dm
    return [m for m in slack.workspace.messages(channel, thread_ts=root) if m.user == app.bot_user][-1]


def _pressed(slack: SlackSide, app: Frontdesk, dm: tuple[str, str], action_id: str) -> Line:
    """The requester's press of a button under the bot's last message, as the transcript tells it."""
    asked = _last_question(slack, app, dm)
    label = next(
        str(e["text"]["text"]) for b in asked.blocks or () if b.get("type") == "actions" for e in b["elements"]
        if e.get("action_id") == action_id
    )  # fmt: skip
    person = slack.workspace.user(REQUESTER)
    return Line(person.real_name or person.name, label, DM, action="press")


def _on_card(slack: SlackSide, app: Frontdesk, clock: DemoClock, seen: Recorder, action_id: str, extra: str) -> None:
    """The agent uses `action_id` on the triage card: writing `extra` in the form it opens, or, in the priority
    menu, choosing the policy's second priority."""
    agent = slack.workspace.user(AGENT)
    if action_id == "card:triage":
        extra = app.desk.policy.priorities[1].name
    seen.note(Line(agent.real_name or agent.name, extra, AGENTS, action=action_id))
    card = slack.workspace.messages(app.desk.agents_channel)[-1]
    element = next(e for b in card.blocks or () if b.get("type") == "actions" for e in b["elements"]
                   if e.get("action_id") == action_id)  # fmt: skip
    if element.get("type") == "static_select":
        choice = next(o["value"] for o in element["options"] if o["value"].endswith(f"|{extra}"))
        slack.block_actions(AGENT, card, action_id, choice)
        return
    slack.block_actions(AGENT, card, action_id)
    if extra:
        _process(app, clock.now, seen)
        (form,) = slack.workspace.views(AGENT)
        slack.view_submission(form, {"text": extra})


def _screenshot() -> bytes:
    """A small real PNG (a grey 64x40 image), as a requester's screenshot would be."""
    width, height = 64, 40
    rows = b"".join(b"\x00" + b"\xb0" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _settle(app: Frontdesk, clock: DemoClock, seen: Recorder) -> None:
    """Process what was received and deliver every answer, as the running workers would; a minute passes."""
    _process(app, clock.now, seen)
    clock.now += timedelta(minutes=1)


def _process(app: Frontdesk, now: datetime, seen: Recorder) -> None:
    """Process what was received at `now` and deliver every answer (letting the per-channel pace go by), looking
    at Slack after each delivery so that every edit is told when it happens."""
    seen.observe()
    app.worker.process_once(now)
    moment = now
    for _ in range(60):
        delivered = app.deliverer.deliver_once(moment)
        seen.observe()
        if not delivered and app.deliverer.next_due is None:
            break
        moment += timedelta(seconds=2)


def _buttons(blocks: Any) -> tuple[str, ...]:
    """The labels of the buttons a message shows."""
    return tuple(
        str(element["text"]["text"])
        for block in blocks or ()
        if block.get("type") == "actions"
        for element in block.get("elements", ())
        if element.get("type") == "button"
    )
