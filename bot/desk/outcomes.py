"""Who acts on a request, and what came of it: the values agent actions take and give back.

Rules:
- An `Actor` is the person behind a command, a button or a form, as the channel saw them; `is_agent` is decided
  by the channel (Slack: listed users and members of the configured user groups) before the service runs, and
  the service checks it on every action.
- An `Outcome` says what an action did or why it did nothing, as a reason code with details: the words are in
  templates/slack/outcome.mrkdwn.j2, never here.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    user: str
    is_agent: bool
    name: str | None = None

    @property
    def shown(self) -> str:
        return self.name or self.user


@dataclass(frozen=True)
class Outcome:
    done: bool
    reason: str
    sr: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)


def done(reason: str, sr: str | None = None, /, **details: str) -> Outcome:
    return Outcome(True, reason, sr, details)


def refused(reason: str, sr: str | None = None, /, **details: str) -> Outcome:
    return Outcome(False, reason, sr, details)
