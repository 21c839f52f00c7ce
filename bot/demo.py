"""`frontdesk demo`: a realistic support conversation played against a local Slack, printed as a transcript.

Rules:
- Runs on a fresh machine with nothing but the package: the Slack Web API emulator stands in for Slack, a SQLite
  file in a temporary folder for the database, and a fixed instant (Tuesday 10:00 in the policy's zone by
  default) for the clock, so the transcript is the same on every run.
- The requester's messages go through the real path: signed HTTP requests to the receiver served by waitress,
  the inbox, the intake service, the outbox and the delivery worker calling the Web API over loopback.
- The transcript shows what each person sees in Slack, in order, and ends with the request's SR number and
  deadlines.
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.app import Frontdesk
from bot.desk_config import DeskConfig, parse_desk_config
from bot.render import render
from bot.slack_emulator import SlackEmulator, SlackSide, Workspace
from bot.web import WebServer
from sla import presets
from storage import deadlines, migrate, tickets
from storage.engine import Database

REQUESTER = "alice"
ANSWERS = (
    "yes",
    "20 minutes ago",
    "1. Open Reports > Monthly\n2. Click Export as PDF\n3. Nothing happens, no file",
    "none",
)


@dataclass(frozen=True)
class Line:
    """One message as a person sees it."""

    who: str
    text: str
    where: str
    edited: bool = False


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
            for answer in (*ANSWERS, "incident"):
                slack.dm(REQUESTER, answer, thread_ts=said.message.ts)
                _settle(app, clock)
            workspace = slack.workspace
            lines = _lines(workspace, said.message.channel, said.message.ts, app)
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


def _settle(app: Frontdesk, clock: DemoClock) -> None:
    """Process what was received and deliver every answer, as the running workers would; a minute passes."""
    app.worker.process_once(clock.now)
    moment = clock.now
    for _ in range(60):
        if not app.deliverer.deliver_once(moment) and app.deliverer.next_due is None:
            break
        moment += timedelta(seconds=2)
    clock.now += timedelta(minutes=1)


def _lines(workspace: Workspace, channel: str, root: str, app: Frontdesk) -> list[Line]:
    names = {user.id: user.real_name or user.name for user in workspace.users()}
    names[app.bot_user] = "Frontdesk"
    thread = [
        Line(names.get(m.user, m.user), m.text, "DM with the bot", m.edited is not None)
        for m in workspace.messages(channel, thread_ts=root)
    ]
    agents = [
        Line(names.get(m.user, m.user), m.text, "#support-agents") for m in workspace.messages(app.desk.agents_channel)
    ]
    return thread + agents
