"""The agents' Slack side: `/frontdesk`, the triage card's buttons and forms, the requester's resolution buttons.

Rules (docs/slack.md, "Working requests (agents)"; docs/security.md, "Who may do what"):
- Each method is the handler of a route of bot.slack.routes, called only once bot.slack.gate let the person
  through (agents for `/frontdesk` and the card; the request's requester for its resolution and rating). Each
  becomes one call of bot.desk.actions.AgentActions with an `Actor` whose `is_agent` is read here
  (bot.slack.agents) before the worker's transaction; the service still refuses non-agents on every call.
- What came of an action is told to the person who acted, through the command's or the interaction's
  `response_url` (ephemeral; it works in channels the bot is not in).
- The card's actions block is named after the ticket (`card|<id>`). The priority menu triages at once, unless
  the choice leaves the matrix's suggestion, in which case a form asks for the reason; "Reply to requester",
  "Escalate" and "Reopen" open a form; the others act at once. Forms carry the ticket id (and the priority) in
  `private_metadata`, with the channel of the card they came from.
- A form the receiver could check (bot.slack.agent_forms) never gets here with bad input; what only the request
  can refuse once the form is submitted (a view submission has no response_url) is told to the agent as an
  ephemeral message in the card's channel (bot.say's `refusal`; their DM with the bot when no channel is known).
- "Yes, solved" / "Not yet" under the resolution question, the rating buttons (1 to 5) and the rating's comment
  form are the requester's only (bot.desk.closing).
"""

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.act import Act, ActContext
from bot.config.desk import DeskConfig
from bot.desk.actions import AgentActions
from bot.desk.closing import Closing
from bot.desk.commands import Command, CommandError, parse_command, render_command_error, render_help
from bot.desk.intake.requests import Profile
from bot.desk.outage import Outages
from bot.desk.outcomes import Actor, Outcome
from bot.render import render, render_json
from bot.slack.agent_forms import form_input
from bot.slack.agents import Agents
from bot.slack.routes import AGENT_FORMS, IDS, Matched, pressed
from bot.slack.say import SlackSayer
from storage import tickets
from storage.engine import Session

Call = Callable[[AgentActions, Session, datetime], Outcome]
RequesterCall = Callable[[Closing, Session, int, Actor, datetime], Outcome]


class AgentDesk:
    """Prepares what agents' commands, card buttons and forms, and the requester's resolution answer do."""

    def __init__(self, desk: DeskConfig, agents: Agents, profile_of: Callable[[str], Profile]) -> None:
        self.desk, self.agents, self.profile_of = desk, agents, profile_of

    def agent_command(self, key: str, body: dict[str, Any], matched: Matched) -> Act:
        return self._command(key, body)

    def card(self, key: str, body: dict[str, Any], matched: Matched) -> Act | None:
        """A button or menu of the triage card of request `matched.subject` (action id `card:<action>`)."""
        assert matched.subject is not None
        return self._card(key, body, matched, pressed(body))

    def resolution(self, key: str, body: dict[str, Any], matched: Matched) -> Act:
        """ "Yes, solved" or "Not yet" of request `matched.subject`."""
        solved = matched.route.id == IDS["resolution"] + "yes"
        return self._requester(key, body, matched, lambda c, s, t, by, now: c.confirm(s, t, solved, by, now, key))

    def rating(self, key: str, body: dict[str, Any], matched: Matched) -> Act | None:
        """A rating button (action id `rate:<score>`) of request `matched.subject`."""
        score = str(pressed(body).get("action_id") or "").removeprefix(IDS["rate"])
        return self._rating(key, body, matched, int(score)) if score.isdigit() else None

    def agent_form(self, key: str, body: dict[str, Any], matched: Matched) -> Act | None:
        view = body["view"]
        return self._form(key, matched.user, str(view.get("callback_id") or ""), view)

    def rating_comment(self, key: str, body: dict[str, Any], matched: Matched) -> Act:
        text = form_input(body["view"], "text")
        return self._requester(key, body, matched, lambda c, s, t, by, now: c.comment(s, t, text, by, now))

    # -- the command ---------------------------------------------------------------------------------------

    def _command(self, key: str, body: dict[str, Any]) -> Act:
        by, url = self._actor(str(body.get("user_id") or "")), str(body.get("response_url") or "")
        parsed = parse_command(str(body.get("text") or ""))
        if isinstance(parsed, CommandError):
            return _answer(url, render_command_error(parsed), key)
        if parsed.action == "help":
            return _answer(url, render_help(), key)
        if parsed.action == "show":
            return self._show(key, parsed.sr or 0, by, url)
        if parsed.action == "list":
            return self._list(key, parsed.value or "open", by, url)
        call = self._call(parsed, by, key)
        if call is None:
            return _answer(url, render_help(), key)
        known = {parsed.user: self.agents.is_agent(parsed.user)} if parsed.user else {}
        return self._act(call, url, key, known)

    def _call(self, command: Command, by: Actor, key: str) -> Call | None:
        sr, text, value = command.sr or 0, command.text, command.value
        calls: dict[str, Call] = {
            "triage": lambda a, s, now: a.triage(s, sr, value or "", text, by, now, key),
            "kind": lambda a, s, now: a.set_kind(s, sr, value or "", by, now, key),
            "defect": lambda a, s, now: a.confirm_defect(s, sr, value, by, now, key, command.link),
            "workaround": lambda a, s, now: a.workaround(s, sr, text, by, now, key),
            "fix": lambda a, s, now: a.fix(s, sr, value, by, now, key),
            "defer": lambda a, s, now: a.defer(s, sr, value or "", text, by, now, key),
            "reply": lambda a, s, now: a.reply(s, sr, text, by, now, key),
            "note": lambda a, s, now: a.note(s, sr, text, by, now, key),
            "pause": lambda a, s, now: a.pause(s, sr, text, by, now, key),
            "resume": lambda a, s, now: a.resume(s, sr, by, now, key),
            "assign": lambda a, s, now: a.assign(s, sr, command.user or "", by, now, key),
            "escalate": lambda a, s, now: a.escalate(s, sr, value or "", text, by, now, key),
            "resolve": lambda a, s, now: a.resolve(s, sr, by, now, key),
            "reopen": lambda a, s, now: a.reopen(s, sr, text, by, now, key),
            "outage": lambda a, s, now: Outages(a).declare(s, sr, text, by, now, key, command.services),
            "postmortem": lambda a, s, now: Outages(a).postmortem(s, sr, by, now, key),
        }
        return calls.get(command.action)

    def _show(self, key: str, sr: int, by: Actor, url: str) -> Act:
        def act(ctx: ActContext) -> None:
            shown, slack = AgentActions(self.desk, ctx.say).show(ctx.session, sr, by, ctx.now), ctx.say.slack
            if isinstance(shown, Outcome):
                _respond(slack, url, shown, key)
            elif url:
                slack.respond(url, slack.card_text(shown), key=f"{key}:answer")

        return act

    def _list(self, key: str, which: str, by: Actor, url: str) -> Act:
        def act(ctx: ActContext) -> None:
            found = AgentActions(self.desk, ctx.say).listing(ctx.session, which, by, ctx.now)
            if isinstance(found, Outcome):
                _respond(ctx.say.slack, url, found, key)
                return
            items, total = found
            zone = self.desk.policy.calendar.zone
            text = render("slack/worklist.mrkdwn.j2", which=which, items=items, more=total - len(items), now=ctx.now,
                          zone=zone, labels=self.desk.policy.target_labels())  # fmt: skip
            if url:
                ctx.say.slack.respond(url, text, key=f"{key}:answer")

        return act

    # -- the card's buttons and forms ----------------------------------------------------------------------

    def _card(self, key: str, body: dict[str, Any], matched: Matched, pressed: dict[str, Any]) -> Act | None:
        assert matched.subject is not None
        action, ticket = matched.route.id.removeprefix(IDS["card"]), matched.subject
        by, url = self._actor(matched.user), str(body.get("response_url") or "")
        trigger = str(body.get("trigger_id") or "")
        choice = str((pressed.get("selected_option") or {}).get("value") or "").rpartition("|")[2]
        channel = _channel_of(body)
        if action in ("reply", "escalate", "reopen"):
            return self._open_form(key, action, ticket, None, by, channel, trigger)
        if action == "triage":
            return self._triage(key, ticket, choice, by, url, trigger, channel)
        assignee = str(pressed.get("selected_user") or "")
        calls: dict[str, Callable[[int], Call]] = {
            "defect": lambda sr: lambda a, s, now: a.confirm_defect(s, sr, None, by, now, key),
            "pause": lambda sr: lambda a, s, now: a.pause(s, sr, "", by, now, key),
            "resume": lambda sr: lambda a, s, now: a.resume(s, sr, by, now, key),
            "resolve": lambda sr: lambda a, s, now: a.resolve(s, sr, by, now, key),
            "assign": lambda sr: lambda a, s, now: a.assign(s, sr, assignee, by, now, key),
        }
        if action not in calls:
            return None
        known = {assignee: self.agents.is_agent(assignee)} if assignee else {}
        return self._act_on(ticket, calls[action], url, key, known)

    def _triage(self, key: str, ticket_id: int, priority: str, by: Actor, url: str, trigger: str, channel: str) -> Act:
        """Triage from the menu: at once when the choice is the matrix's (or there is none), else a form asks why."""

        def act(ctx: ActContext) -> None:
            ticket = tickets.get_ticket(ctx.session, ticket_id)
            actions = AgentActions(self.desk, ctx.say)
            outcome = actions.triage(ctx.session, ticket.sr_number, priority, "", by, ctx.now, key)
            if outcome.reason == "reason_needed":
                view = _form_view("triage", ticket, priority, channel)
                ctx.say.slack.open_view(view, trigger, key=f"{key}:view", once=f"agent_form:{ticket_id}:{by.user}:")
                return
            _respond(ctx.say.slack, url, outcome, key)

        return act

    def _open_form(
        self, key: str, action: str, ticket_id: int, value: str | None, by: Actor, channel: str, trigger: str
    ) -> Act:
        def act(ctx: ActContext) -> None:
            ticket = tickets.get_ticket(ctx.session, ticket_id)
            view = _form_view(action, ticket, value, channel)
            ctx.say.slack.open_view(view, trigger, key=f"{key}:view", once=f"agent_form:{ticket_id}:{by.user}:")

        return act

    def _form(self, key: str, user: str, callback: str, view: dict[str, Any]) -> Act | None:
        by = self._actor(user)
        try:
            meta = json.loads(str(view.get("private_metadata") or "{}"))
            ticket = int(meta["ticket"])
        except (ValueError, KeyError, TypeError):
            return None
        text, level = form_input(view, "text").strip(), form_input(view, "level")
        value, channel = str(meta.get("value") or ""), str(meta.get("channel") or "")
        calls: dict[str, Call] = {}
        calls["agent_reply"] = lambda a, s, now: a.reply(s, _sr(s, ticket), text, by, now, key)
        calls["agent_escalate"] = lambda a, s, now: a.escalate(s, _sr(s, ticket), level, text, by, now, key)
        calls["agent_reopen"] = lambda a, s, now: a.reopen(s, _sr(s, ticket), text, by, now, key)
        calls["agent_triage"] = lambda a, s, now: a.triage(s, _sr(s, ticket), value, text, by, now, key)
        return self._refusing(calls[callback], user, channel, key)

    # -- the requester's answer to "is it solved?" ---------------------------------------------------------

    def _requester(
        self, key: str, body: dict[str, Any], matched: Matched, do: RequesterCall, *, tell: bool = False
    ) -> Act:
        """A button (or form) of the requester's, under a message of their request (the gate let only them by)."""
        assert matched.subject is not None
        ticket_id, user, url = matched.subject, matched.user, str(body.get("response_url") or "")
        by = Actor(user, False, self.profile_of(user).name)

        def act(ctx: ActContext) -> None:
            outcome = do(Closing(AgentActions(self.desk, ctx.say)), ctx.session, ticket_id, by, ctx.now)
            if tell or not outcome.done:
                _respond(ctx.say.slack, url, outcome, key)

        return act

    def _rating(self, key: str, body: dict[str, Any], matched: Matched, score: int) -> Act:
        """A rating: taken, thanked, and a form for an optional comment."""
        trigger = str(body.get("trigger_id") or "")

        def rate(closing: Closing, session: Session, ticket_id: int, by: Actor, now: datetime) -> Outcome:
            outcome = closing.rate(session, ticket_id, score, by, now)
            if outcome.done:
                view = render_json("slack/rating_comment.json.j2", callback=IDS["rating_comment"], ticket=ticket_id,
                                   sr=outcome.sr, score=score)  # fmt: skip
                closing.actions.say.slack.open_view(view, trigger, key=f"{key}:view")
            return outcome

        return self._requester(key, body, matched, rate, tell=True)

    # -- shared --------------------------------------------------------------------------------------------

    def _actor(self, user: str) -> Actor:
        return Actor(user, self.agents.is_agent(user), self.profile_of(user).name)

    def _act(self, call: Call, url: str, key: str, known: dict[str, bool]) -> Act:
        def act(ctx: ActContext) -> None:
            outcome = call(AgentActions(self.desk, ctx.say, lambda user: known.get(user, False)), ctx.session, ctx.now)
            _respond(ctx.say.slack, url, outcome, key)

        return act

    def _refusing(self, call: Call, user: str, channel: str, key: str) -> Act:
        """A form's call: done quietly (the card shows it), or its refusal told to the agent, ephemeral."""

        def act(ctx: ActContext) -> None:
            outcome = call(AgentActions(self.desk, ctx.say), ctx.session, ctx.now)
            if not outcome.done:
                text = render("slack/outcome.mrkdwn.j2", outcome=outcome)
                ctx.say.slack.refusal(text, user, {"channel": channel} if channel else {}, key=f"{key}:refused")

        return act

    def _act_on(self, ticket_id: int, make: Callable[[int], Call], url: str, key: str, known: dict[str, bool]) -> Act:
        return self._act(lambda a, s, now: make(_sr(s, ticket_id))(a, s, now), url, key, known)


def _answer(url: str, text: str, key: str) -> Act:
    def act(ctx: ActContext) -> None:
        if url:
            ctx.say.slack.respond(url, text, key=f"{key}:answer")

    return act


def _respond(slack: SlackSayer, url: str, outcome: Outcome, key: str) -> None:
    if url:
        slack.respond(url, render("slack/outcome.mrkdwn.j2", outcome=outcome), key=f"{key}:answer")


def _form_view(action: str, ticket: tickets.TicketRecord, value: str | None, channel: str) -> dict[str, Any]:
    metadata = json.dumps({"ticket": ticket.id, "value": value, "channel": channel or None})
    view = render_json("slack/agent_form.json.j2", action=action, callback=AGENT_FORMS[action], sr=ticket.sr,
                       value=value, metadata=metadata)  # fmt: skip
    assert isinstance(view, dict)
    return view


def _channel_of(body: dict[str, Any]) -> str:
    """The channel of the message whose button was pressed (the card's), empty when Slack did not say."""
    channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    return str(channel.get("id") or container.get("channel_id") or "")


def _sr(session: Session, ticket_id: int) -> int:
    return tickets.get_ticket(session, ticket_id).sr_number
