"""The defect service, tracker-neutral: what comes back from a tracker, applied to the requests that link the issue
(docs/integrations.md, "Defect trackers"). GitHub and Jira both go through here; it lives with the desk's services
(it updates the card and speaks to the requester), and the trackers' Callers are handed its `on_sent` at start
(bot.cli.startup), so bot.integrations never imports bot.desk.

Rules:
- `on_sent` (every tracker Caller's `on_sent`, in the transaction that marks the call sent): the answer to a
  create call links the request to the filed issue (unless an agent linked another meanwhile); a poll answer's
  changes are applied and that listing's cursor moves to the instant of the answer; when the answer was a full page
  (the tracker's `poll_read_until`), the cursor moves only to the last item it held (a vendor's instant, so the
  next bound is that instant itself, not less SKEW) and the listing is asked again at once from there, so a long
  downtime is caught up page by page and nothing is skipped (a page of items that all changed at one instant,
  which could never move on, logs a warning and moves to the answer's instant).
- `apply` applies one TrackerChange to every request linking its issue; a change of an issue no request links is
  dropped with a log line. A change is applied once per request (storage.defect_links.record_change: the vendor's
  id, else the (issue, kind, instant) triple), and only when it changes what the bot knows of the issue:
  - `closed` (the issue was open): the fix stops at the vendor's instant (a `fix` clock event then, or at the
    defect's confirmation if the issue was closed before it), met or breached;
  - `reopened` (the issue was closed): `fix_reopened` at the vendor's instant, so the fix runs again;
  - `release` (another milestone or fixVersion, or its date changed): a `release` event, the release's instant
    being its due date, else the instant of the policy's release of that name, else none (the policy's next
    release); `next_release` targets are due then (sla.clocks);
  - `comment`: a public one is relayed to the requester as an update from engineering (Slack and email, through
    bot.say), kept as a public message and recorded as a `public_reply`: the requester hears from the desk, so
    the response target stops and the update cycle restarts as for an agent's reply; a private one is only
    audited (its author, never its text).
  Deadlines are then recomputed, the card updated ("Tracker: owner/repo#12 (closed)"), and everything audited with
  the tracker's name as the actor (storage.defect_links, storage.audit).
- `start_polls` (the reconciliation sweep) stores each tracker's poll calls, one per listing, each from its own
  cursor less SKEW (changes read twice are applied once); a listing's key is its cursor, so while one is waiting
  (rate limited, GitHub down) storing it again changes nothing. Without a cursor a listing starts FIRST_LOOK
  back. A tracker no request links is not polled.
"""

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.config.desk import DeskConfig
from bot.desk import clocks
from bot.desk.actions import AgentActions
from bot.integrations.calls import HttpAnswer, HttpCall, call_later
from bot.integrations.trackers.tracker import ChangeKind, Tracker, TrackerChange, create_key
from storage import audit, defect_links, messages, tickets
from storage.defect_links import CLOSED, OPEN, DefectLinkRecord, Issue
from storage.engine import Session
from storage.kinds import AuthorRole, MessageChannel

if TYPE_CHECKING:
    from bot.say import Say

SayFor = Callable[[Session, datetime], "Say"]
log = logging.getLogger(__name__)
SKEW = timedelta(minutes=2)  # how far GitHub's clock and ours (and a listing's making and its answer) may differ
FIRST_LOOK = timedelta(days=7)
COMMENTED = "ticket.tracker_comment"
Record = Callable[..., None]  # on_sent with the desk bound: what a tracker's Caller hands its answers to


def on_sent(
    session: Session,
    tracker: Tracker,
    call: HttpCall,
    answer: HttpAnswer,
    *,
    key: str,
    ticket_id: int | None,
    now: datetime,
    desk: DeskConfig,
    say_for: SayFor,
) -> None:
    """What came of a tracker call (the module's rules); `say_for(session, now)` is how the desk speaks."""
    say = say_for(session, now)
    if key.startswith(create_key(tracker.name, "")):
        _filed(session, desk, say, tracker, answer, key=key, ticket_id=ticket_id, now=now)
        return
    listing = _listing_of(tracker, key)
    if listing is None:
        return
    for change in tracker.poll_changes(call, answer):
        apply(session, desk, say, tracker.name, change, now=now)
    read_until, before = (
        tracker.poll_read_until(call, answer),
        defect_links.polled_until(session, tracker.name, listing),
    )
    cursor = None if read_until is None else read_until + SKEW  # the next bound is read_until itself, inclusive
    if cursor is None or (before is not None and cursor <= before):  # all read, or no progress: from now on
        if read_until is not None:
            log.warning("%s: more than a page changed at %s; the rest wait for their next change", tracker.name,
                        read_until.isoformat())  # fmt: skip
        defect_links.set_polled(session, tracker.name, listing, now)
        return
    log.info("%s: a full page changed; the listing goes on from %s", tracker.name, read_until.isoformat())
    defect_links.set_polled(session, tracker.name, listing, cursor)
    _ask(session, tracker, int(listing.rpartition("|")[2]), listing, now=now)


def _filed(
    session: Session, desk: DeskConfig, say: "Say", tracker: Tracker, answer: HttpAnswer, *, key: str,
    ticket_id: int | None, now: datetime,
) -> None:  # fmt: skip
    issue = tracker.created(answer)
    if issue is None or ticket_id is None:
        log.warning("%s answered the call %s with no issue it names", tracker.name, key)
        return
    link = defect_links.link(session, ticket_id, Issue(issue.tracker, issue.key, issue.url), actor=tracker.name,
                             now=now, replace=False)  # fmt: skip
    if link.issue.key == issue.key:
        _refresh(session, desk, say, ticket_id, now=now, key=f"{key}:card", change="tracker_filed", actor=tracker.name,
                 issue=issue.key)  # fmt: skip


def apply(session: Session, desk: DeskConfig, say: "Say", tracker: str, change: TrackerChange, *, now: datetime) -> int:
    """Applies `change` to every request linking its issue; how many it changed."""
    links = defect_links.links_to(session, tracker, change.issue)
    if not links:
        log.info("%s: a %s change of %s ignored: no request links that issue", tracker, change.kind, change.issue)
        return 0
    return sum(_apply_to(session, desk, say, tracker, link, change, now) for link in links)


def apply_webhook(
    session: Session, desk: DeskConfig, say: "Say", tracker: Tracker, payload: Mapping[str, Any], *, now: datetime
) -> int:
    """Applies what a stored webhook delivery (bot.integrations.trackers.door) says; how many requests changed."""
    changes = tracker.webhook_changes(str(payload.get("event") or ""), payload.get("body"))
    return sum(apply(session, desk, say, tracker.name, change, now=now) for change in changes)


def _apply_to(
    session: Session, desk: DeskConfig, say: "Say", tracker: str, link: DefectLinkRecord, change: TrackerChange,
    now: datetime,
) -> bool:  # fmt: skip
    ticket_id = link.ticket_id
    release_at = _release_instant(desk, change) if change.kind is ChangeKind.RELEASE else None
    if not _news(link, change, release_at):
        return False
    if not defect_links.record_change(session, ticket_id, tracker, change.change_key, change.kind.value,
                                      at=change.at, now=now, detail=change.author or None):  # fmt: skip
        return False
    ticket = tickets.get_ticket(session, ticket_id)
    at, key = change.at, f"{tracker}:applied:{change.change_key}"[:250]
    details: dict[str, str] = {"issue": change.issue}
    if change.kind is ChangeKind.CLOSED:
        defect_links.set_state(session, ticket_id, CLOSED, at=at, now=now, actor=tracker)
        at = max(at, ticket.defect_confirmed_at or at)
        events = [("fix", "")]
    elif change.kind is ChangeKind.REOPENED:
        defect_links.set_state(session, ticket_id, OPEN, at=at, now=now, actor=tracker)
        events = [("fix_reopened", "")]
    elif change.kind is ChangeKind.RELEASE:
        defect_links.set_release(session, ticket_id, change.release or None, release_at, at=at, now=now,
                                 actor=tracker)  # fmt: skip
        events = [("release", release_at.isoformat() if release_at else "")]
        details["release"] = change.release
    else:
        events = _comment(session, say, tracker, ticket, change, key=key, now=now)
        if not events:
            return True
    clocks.record(session, ticket_id, events, at=at, actor=tracker)
    _refresh(session, desk, say, ticket_id, now=now, key=f"{key}:card", change=f"tracker_{change.kind.value}",
             actor=tracker, **details)  # fmt: skip
    return True


def _news(link: DefectLinkRecord, change: TrackerChange, release_at: datetime | None) -> bool:
    """Whether `change` changes what the bot knows of the issue."""
    if change.kind is ChangeKind.CLOSED:
        return link.state != CLOSED
    if change.kind is ChangeKind.REOPENED:
        return link.state == CLOSED
    if change.kind is ChangeKind.RELEASE:
        return (change.release or None, release_at) != (link.release_name, link.release_at)
    return True


def _release_instant(desk: DeskConfig, change: TrackerChange) -> datetime | None:
    """The release's instant: the tracker's date, else the policy's release of that name, else none."""
    if change.release_at is not None or not change.release:
        return change.release_at
    return desk.policy.releases.named(change.release)


def _comment(
    session: Session, say: "Say", tracker: str, ticket: tickets.TicketRecord, change: TrackerChange, *, key: str,
    now: datetime,
) -> list[tuple[str, str]]:  # fmt: skip
    """Relays a public comment (its events: a public reply); a private one is audited only (no events)."""
    after = {"issue": change.issue, "author": change.author, "public": change.public, "at": change.at}
    audit.record(session, actor=tracker, action=COMMENTED, at=now, ticket_id=ticket.id, after=after)
    if not change.public or not change.text:
        return []
    author = f"{tracker}:{change.author}"[:100]
    messages.add_message(session, ticket.id, author=author, author_role=AuthorRole.AGENT, public=True,
                         channel=MessageChannel.SLACK, text=change.text, at=change.at)  # fmt: skip
    details = {"agent": change.author or tracker, "text": change.text}
    say.to_requester(ticket, "engineering_update", details, key=f"{key}:requester")
    if ticket.first_response_at is None:
        tickets.change_ticket(session, ticket.id, {"first_response_at": change.at}, actor=tracker, now=now)
    return [("public_reply", "")]


def _refresh(session: Session, desk: DeskConfig, say: "Say", ticket_id: int, *, now: datetime, key: str,
             change: str, actor: str, **details: str) -> None:  # fmt: skip
    """Deadlines recomputed from the log, and the card updated with what changed."""
    state = clocks.recompute(session, desk.policy, ticket_id, now=now, actor=actor)
    ticket = tickets.get_ticket(session, ticket_id)
    AgentActions(desk, say).card(session, ticket, state, key=key, change=change, **details)


# -- the reconciliation poll ------------------------------------------------------------------------------------


def start_polls(session: Session, trackers: tuple[Tracker, ...], *, now: datetime) -> int:
    """Stores the poll calls of every tracker some request links; how many listings were asked for."""
    asked = 0
    for tracker in trackers:
        if not defect_links.any_link(session, tracker.name):
            continue
        for index in range(len(tracker.poll_calls(now))):
            _ask(session, tracker, index, f"{tracker.scope}|{index}", now=now)
            asked += 1
    return asked


def _ask(session: Session, tracker: Tracker, index: int, listing: str, *, now: datetime) -> None:
    """Stores the poll call of one listing, from its cursor less SKEW (keyed by that bound)."""
    cursor = defect_links.polled_until(session, tracker.name, listing)
    since = (cursor - SKEW) if cursor is not None else now - FIRST_LOOK
    call = tracker.poll_calls(since)[index]
    key = f"{tracker.name}:poll:{listing}@{since.isoformat()}"[:250]
    call_later(session, call, key=key, now=now, ordering_key=f"{tracker.name}:poll:{listing}")


def _listing_of(tracker: Tracker, key: str) -> str | None:
    """The listing a poll call's key names ("<scope>|<index>"), or None for another call."""
    prefix = f"{tracker.name}:poll:"
    return key[len(prefix) :].partition("@")[0] or None if key.startswith(prefix) else None
