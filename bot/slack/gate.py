"""The one place where the person acting is checked against the route's role, before any handler runs.

Rules (docs/security.md, "Who may do what"; the roles are bot.slack.routes'):
- `ANYONE` passes. An agent (bot.slack.agents) passes `AGENT` and `REQUESTER_OR_AGENT`. `REQUESTER` and
  `REQUESTER_OR_AGENT` pass the request's own requester: the Slack user the request was opened for, compared with
  the user Slack says acted (a payload cannot choose who acted: Slack signs it). The support form for a new
  request names none and passes anyone. `AUTHOR` passes the author the button names (the bot wrote that value,
  and Slack signs who pressed it).
- The check reads the database before the worker's transaction (who requested a request never changes), so a
  refused payload costs no Slack look-up, downloads no file and opens no view.
- A payload whose role passes but that names a request that does not exist (a card of a database restored from an
  older backup, or a crafted id) is not for a handler: `names_no_request` says so, and the worker drops it with one
  log line, as it drops one that names its request badly (bot.slack.routes `Malformed`).
- A refusal changes nothing but one audit row (`access.refused`: who, the route, the role it needs, the request
  if it exists), and tells that person only why: through the interaction's or command's `response_url`
  (ephemeral), else in an ephemeral message where they reacted, else in their DM with the bot.
"""

from dataclasses import dataclass
from typing import Any

from bot.act import Act, ActContext
from bot.desk.outcomes import Outcome, refused
from bot.render import render
from bot.slack.agents import Agents
from bot.slack.routes import Matched, Role, Subject
from storage import audit, people, tickets
from storage.engine import Database
from storage.errors import NotFoundError


@dataclass(frozen=True)
class Refusal:
    """Why `matched` may not go on, and where the person is told."""

    matched: Matched
    outcome: Outcome
    ticket_id: int | None  # the request it named, when it exists


class Gate:
    def __init__(self, database: Database, agents: Agents) -> None:
        self.database, self.agents = database, agents

    def check(self, matched: Matched) -> Refusal | None:
        """None when the person may use the route, else the refusal."""
        role, user = matched.route.role, matched.user
        if role == Role.ANYONE:
            return None
        if role in (Role.AGENT, Role.REQUESTER_OR_AGENT) and self.agents.is_agent(user):
            return None
        if role == Role.AGENT:
            return Refusal(matched, refused("not_an_agent_action"), None)
        if role == Role.AUTHOR:
            author = matched.message[2] if matched.message else None
            return None if author == user else Refusal(matched, refused("not_the_author"), None)
        if matched.subject is None and matched.route.subject == Subject.FORM:
            return None  # the form of a new request
        return self._requester_only(matched)

    def names_no_request(self, matched: Matched) -> bool:
        """Whether the payload names a request (not a held email, nor a message) that does not exist."""
        if matched.subject is None or matched.route.subject in (Subject.NONE, Subject.HELD, Subject.MESSAGE):
            return False
        with self.database.read() as session:
            try:
                tickets.get_ticket(session, matched.subject)
            except NotFoundError:
                return True
        return False

    def _requester_only(self, matched: Matched) -> Refusal | None:
        assert matched.subject is not None
        reason = "not_the_requester" if matched.route.role == Role.REQUESTER else "not_the_requester_or_agent"
        with self.database.read() as session:
            try:
                ticket = tickets.get_ticket(session, matched.subject)
            except NotFoundError:
                return Refusal(matched, refused(reason), None)
            owner = people.requester_user(session, ticket.requester_id) if ticket.requester_id else None
        if owner is not None and owner == matched.user:
            return None
        return Refusal(matched, refused(reason, ticket.sr), ticket.id)


def refusal_act(refusal: Refusal, key: str, body: dict[str, Any]) -> Act:
    """What a refusal does in the worker's transaction: one audit row, and the person told."""

    def act(ctx: ActContext) -> None:
        matched = refusal.matched
        after = {"route": matched.route.name, "needs": matched.route.role.value, "reason": refusal.outcome.reason}
        audit.record(ctx.session, actor=matched.user or "unknown", action=audit.REFUSED, at=ctx.now,
                     ticket_id=refusal.ticket_id, subject=matched.route.name[:200], after=after)  # fmt: skip
        text = render("slack/outcome.mrkdwn.j2", outcome=refusal.outcome)
        ctx.say.slack.refusal(text, matched.user, where_told(body), key=f"{key}:refused")

    return act


def where_told(body: dict[str, Any]) -> dict[str, str]:
    """Where a refused person is told: `response_url`, else the channel they reacted in, else their DM."""
    url = str(body.get("response_url") or "")
    if url:
        return {"response_url": url}
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    item = event.get("item") if isinstance(event.get("item"), dict) else {}
    channel = str(item.get("channel") or "")
    return {"channel": channel} if channel else {}
