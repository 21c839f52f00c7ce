"""What the bot's Home tab shows (issue 5, "Home tab"). Nothing here knows Slack.

Rules:
- A requester sees their own requests that are not closed, newest first, each with its status and next
  deadline (in their time zone, when the channel words it).
- An agent sees the queue: the open requests (open, waiting or resolved) by nearest running deadline, breached
  first, and the counts per priority and per plan.
- Who is an agent is the channel's to say (the same check as every agent action).
"""

from dataclasses import dataclass
from datetime import datetime

from bot.intake.requests import Intake, Profile, RequestSummary
from storage import worklist
from storage.engine import Session

SHOWN = 40  # requests listed on a Home tab (Slack allows 100 blocks)


@dataclass(frozen=True)
class RequesterHome:
    requests: tuple[RequestSummary, ...]
    more: int


@dataclass(frozen=True)
class AgentHome:
    queue: tuple[worklist.WorkItem, ...]
    more: int
    per_priority: tuple[tuple[str, int], ...]
    per_plan: tuple[tuple[str, int], ...]


def requester_home(session: Session, intake: Intake, profile: Profile) -> RequesterHome:
    requests, more = intake.requests_of(session, profile, SHOWN, open_only=True)
    return RequesterHome(tuple(requests), more)


def agent_home(session: Session, now: datetime, priorities: tuple[str, ...]) -> AgentHome:
    """The queue; counts per priority in the policy's order, per plan by name."""
    queue, total = worklist.worklist(session, "open", now=now, limit=SHOWN)
    per_priority, per_plan = worklist.open_counts(session)
    ordered = tuple((name, per_priority[name]) for name in priorities if name in per_priority)
    return AgentHome(tuple(queue), total - len(queue), ordered, tuple(sorted(per_plan.items())))
