"""Defect trackers, tracker-neutral: what a tracker (GitHub Issues, Jira) is asked to do and what comes back
from it, as plain values (docs/integrations.md, "Defect trackers"). The service that applies them is
bot.integrations.trackers.defects; each tracker (github.py, jira.py) implements `Tracker` and, for the outgoing
HTTP channel, a `Caller` (bot.integrations.calls) whose `service` is the tracker's `name`.

Rules:
- An issue is named by an `IssueRef`: the tracker (`name`, "github" or "jira"), its key in the tracker's own
  notation ("owner/repo#12", "PROJ-123", stored as defect_link.issue_ref and shown on the card) and the URL a
  person opens. `key` is unique within a tracker; a tracker always writes the same key for the same issue.
- Creating: `create_call(defect)` is the one HTTP call that files the issue. The defect service sends it with
  the idempotency key `create_key(tracker, sr)` ("github:create:SR-000123") and the ordering key
  `ordering_key(tracker, sr)`, so one defect is filed once; the issue's body carries `marker(sr)`
  ("<!-- frontdesk:SR-000123 -->"), which the Caller's `already_done` searches for after a lost answer.
  `created(answer)` reads the filed issue back from the tracker's answer (None: the answer names no issue).
- Linking: `parse_link(text)` reads what an agent typed after `--link` (a URL, or the tracker's short forms:
  GitHub "#12" and "owner/repo#12", Jira "PROJ-123") into an `IssueRef`; None when it is malformed or names
  another repository or project than the desk config's. It never calls the tracker.
- Changes: a tracker's news is a tuple of `TrackerChange`, in the order they happened, each at the VENDOR's
  instant (aware, UTC). `webhook_changes(event, payload)` reads a verified inbound delivery (`event` is the
  vendor's event name: GitHub's X-GitHub-Event, Jira's webhookEvent; `payload` the parsed JSON body).
  `poll_calls(since)` are the GETs that list what changed since an instant (the reconciliation poll); the defect
  service sends them in order (each `waits_for` the one before) and reads each answer with
  `poll_changes(call, answer)`. Both only parse: unknown events and fields give no change, never an error; a
  change of an issue no request links is dropped by the service (with a log line), not by the tracker.
- Sending: each tracker's `Caller` (bot.integrations.calls) adds the credentials in `prepare` and searches for
  `marker(sr)` in `already_done`; its `on_sent` hands every answer to `bot.integrations.trackers.defects.on_sent`,
  which records the created issue's link or applies the polled changes.
- Kinds: `closed` (the issue is done: the fix target stops, met or breached, at `at`), `reopened` (the fix target
  runs again), `release` (`release` the milestone or fixVersion's name, `release_at` its due date when the tracker
  has one: the release for `next_release` targets), `comment` (`text`, `author`; `public` when the desk config's
  marker says the engineers meant the requester to read it; `text` is then the comment without that marker).
- `change_key` is what makes applying a change idempotent: the vendor's id of the change (`change_id`, e.g. a
  comment's id or a Jira changelog id) when it has one, else "<issue key>|<kind>|<instant>", so the same change
  seen through a webhook and through the poll is applied once.
- Inbound deliveries: `verify(headers, body)` checks the vendor's signature over the raw bytes with the secret
  (constant-time); `delivery_id(headers)` is the vendor's id of the delivery (GitHub's X-GitHub-Delivery) or
  None. Header names are lower case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bot.integrations.calls import HttpAnswer, HttpCall


class ChangeKind(StrEnum):
    CLOSED = "closed"
    REOPENED = "reopened"
    RELEASE = "release"
    COMMENT = "comment"


@dataclass(frozen=True)
class IssueRef:
    """An issue in a tracker: `tracker` "github"/"jira", `key` "owner/repo#12"/"PROJ-123", `url` its page."""

    tracker: str
    key: str
    url: str


@dataclass(frozen=True)
class TrackerChange:
    """One change of an issue, at the vendor's instant `at` (see the module's rules for each kind's fields)."""

    kind: ChangeKind
    issue: str  # IssueRef.key of the issue that changed
    at: datetime
    change_id: str = ""  # the vendor's id of this change, when it has one
    release: str = ""
    release_at: datetime | None = None
    text: str = ""
    author: str = ""
    public: bool = False

    @property
    def change_key(self) -> str:
        """Unique per tracker: the vendor's id, else the (issue, kind, instant) triple."""
        return self.change_id or f"{self.issue}|{self.kind.value}|{self.at.isoformat()}"


@dataclass(frozen=True)
class Deadline:
    """A target's deadline as the issue states it: its label ("Permanent fix") and due instant (None: none)."""

    label: str
    due_at: datetime | None


@dataclass(frozen=True)
class Defect:
    """What an issue is filed with: the request's words and terms, its deadlines and a way back to it."""

    sr: str  # "SR-000123"
    title: str
    description: str
    steps: str
    priority: str
    severity: str  # the request's impact, as the intake recorded it
    deadlines: tuple[Deadline, ...]
    link_back: str  # the card's Slack permalink, or the SR number when there is none


class Tracker(Protocol):
    """A defect tracker as the defect service uses it; every method is pure (no I/O, no clock)."""

    @property
    def name(self) -> str:
        """ "github" or "jira": IssueRef.tracker, HttpCall.service, the inbox source and the audit actor."""
        ...

    @property
    def scope(self) -> str:
        """What the desk config points at: "owner/repo" or a Jira project key (tracker_poll.scope)."""
        ...

    def create_call(self, defect: Defect) -> HttpCall: ...

    def created(self, answer: HttpAnswer) -> IssueRef | None: ...

    def parse_link(self, text: str) -> IssueRef | None: ...

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool: ...

    def delivery_id(self, headers: Mapping[str, str]) -> str | None: ...

    def webhook_changes(self, event: str, payload: Any) -> tuple[TrackerChange, ...]: ...

    def poll_calls(self, since: datetime) -> tuple[HttpCall, ...]: ...

    def poll_changes(self, call: HttpCall, answer: HttpAnswer) -> tuple[TrackerChange, ...]: ...

    def poll_read_until(self, call: HttpCall, answer: HttpAnswer) -> datetime | None:
        """None when the poll's answer held everything changed since its bound; when it was a full page (oldest
        first), the vendor's instant of the last item it held: the listing goes on from there, nothing skipped."""
        ...


def marker(sr: str) -> str:
    """The hidden line every filed issue's body carries, found again by searching for "frontdesk:SR-000123"."""
    return f"<!-- frontdesk:{sr} -->"


def create_key(tracker: str, sr: str) -> str:
    """The idempotency key of the call that files the defect of `sr` (one issue per defect)."""
    return f"{tracker}:create:{sr}"


def ordering_key(tracker: str, sr: str) -> str:
    """Calls about one request's issue are sent in order."""
    return f"{tracker}:{sr}"
