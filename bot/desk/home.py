"""What the bot's Home tab shows. Nothing here knows Slack.

Rules:
- A requester sees their own requests that are not closed, newest first, each with its status and next
  deadline (in their time zone, when the channel words it).
- An agent sees the queue: the open requests (open, waiting or resolved) by nearest pending deadline, breached
  first, and the counts per priority (in the policy's order, unset last) and per plan (storage.queue).
- At most SHOWN requests are listed, and how many more there are (a Home view holds at most 100 blocks).
- Who is an agent is the channel's to say (the same check as every agent action).
"""

from dataclasses import dataclass
from datetime import datetime

from bot.desk.intake.requests import Intake, Profile, RequestSummary
from storage import queue
from storage.engine import Session

SHOWN = 50  # requests listed on a Home tab (Slack allows 100 blocks)


@dataclass(frozen=True)
class RequesterHome:
    requests: tuple[RequestSummary, ...]
    more: int


@dataclass(frozen=True)
class AgentHome:
    lines: tuple[queue.QueueLine, ...]
    more: int
    per_priority: tuple[tuple[str | None, int], ...]
    per_plan: tuple[tuple[str | None, int], ...]


def requester_home(session: Session, intake: Intake, profile: Profile) -> RequesterHome:
    requests, more = intake.requests_of(session, profile, SHOWN, open_only=True)
    return RequesterHome(tuple(requests), more)


def agent_home(session: Session, now: datetime, priorities: tuple[str, ...]) -> AgentHome:
    """The queue; counts per priority in the policy's order (others after, unset last), per plan by name."""
    lines = queue.queue_lines(session, now=now, limit=SHOWN)
    counts = queue.queue_counts(session)
    rank = {name: index for index, name in enumerate(priorities)}
    per_priority = sorted(counts.per_priority, key=lambda item: rank.get(item[0] or "", len(rank)))
    return AgentHome(tuple(lines), max(counts.total - len(lines), 0), tuple(per_priority), counts.per_plan)
