"""Every way in from Slack, declared once: what it is, who may use it, and which handler does it.

Rules (docs/security.md, "Who may do what"):
- A way in is a slash command (for `/frontdesk`, with its first word), a button or menu (its action id), a form
  (its callback id), a shortcut (its callback id) or an event (its type). `route_of(body)` finds its route, or
  None when Frontdesk does not act on it.
- Each route names the role allowed: `ANYONE` (opening a new request, one's own list, the Home tab),
  `REQUESTER` (the requester of the request the payload names: "is it solved?", the rating), `REQUESTER_OR_AGENT`
  (that requester or an agent: the intake's answers and form), `AGENT` (the card, `/frontdesk`, held emails,
  the :ticket: reaction), `AUTHOR` (the author of the message the payload names: "Open a request?").
- The request a route acts on is read from the payload in one way per route (`Subject`); the gate
  (bot.slack.gate) checks the person against that request before any handler runs. A route that acts on a
  request and whose payload names none (or names it badly) is dropped as malformed.
- The ids come from bot.ways_in (`IDS`), which the templates read too, so a template cannot drift from its route.
- A message in a request's thread is never refused: who wrote it decides what it is (bot.process.inbox_worker).
"""

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.ways_in import (
    AGENT_COMMANDS,
    AGENT_FORMS,
    CARD_ACTIONS,
    FRONTDESK,
    HELD_DECISIONS,
    IDS,
    OFFER_ANSWERS,
    SUPPORT,
    SUPPORT_FORM,
)


class Role(StrEnum):
    ANYONE = "anyone"
    REQUESTER = "requester"
    REQUESTER_OR_AGENT = "requester_or_agent"
    AGENT = "agent"
    AUTHOR = "author"


class Way(StrEnum):
    COMMAND = "command"
    ACTION = "action"
    VIEW = "view"
    SHORTCUT = "shortcut"
    EVENT = "event"


class Subject(StrEnum):
    """Where a payload names the request (or held email) it acts on."""

    NONE = "none"  # it acts on no request, or the handler finds it (an SR typed in a command)
    BLOCK = "block"  # the number after the first "|" of the action's block_id: "answer|12|contact", "card|12"
    VALUE = "value"  # the pressed button's value: "12"
    HELD = "held"  # the pressed button's value names a held email: "12"
    FORM = "form"  # the support form's private_metadata, JSON with `ticket` (absent or null: a new request)
    METADATA_TICKET = "metadata_ticket"  # an agent form's private_metadata, JSON with `ticket`
    METADATA = "metadata"  # the rating comment form's private_metadata: "12"
    MESSAGE = "message"  # the pressed button's value names a message and its author: "C123|1700000000.000100|U123"


@dataclass(frozen=True)
class Route:
    way: Way
    id: str  # the command (with its first word), action id, callback id or event type; ends in ":" for a prefix
    role: Role
    handler: str  # the name bot.process.inbox_worker gives the handler
    subject: Subject = Subject.NONE

    @property
    def name(self) -> str:
        return f"{self.way.value} {self.id}"


ROUTES: tuple[Route, ...] = (
    Route(Way.COMMAND, SUPPORT, Role.ANYONE, "support_command"),
    Route(Way.COMMAND, FRONTDESK, Role.ANYONE, "agent_command"),  # help, and what it cannot read
    *(Route(Way.COMMAND, f"{FRONTDESK} {word}", Role.AGENT, "agent_command") for word in AGENT_COMMANDS),
    Route(Way.SHORTCUT, IDS["support_shortcut"], Role.ANYONE, "support_shortcut"),
    Route(Way.ACTION, IDS["open_form"], Role.REQUESTER_OR_AGENT, "open_form", Subject.VALUE),
    Route(Way.ACTION, IDS["answer"], Role.REQUESTER_OR_AGENT, "answer", Subject.BLOCK),
    *(Route(Way.ACTION, IDS["card"] + action, Role.AGENT, "card", Subject.BLOCK) for action in CARD_ACTIONS),
    Route(Way.ACTION, IDS["resolution"] + "yes", Role.REQUESTER, "resolution", Subject.VALUE),
    Route(Way.ACTION, IDS["resolution"] + "no", Role.REQUESTER, "resolution", Subject.VALUE),
    Route(Way.ACTION, IDS["rate"], Role.REQUESTER, "rating", Subject.VALUE),
    *(Route(Way.ACTION, IDS["held"] + decision, Role.AGENT, "held", Subject.HELD) for decision in HELD_DECISIONS),
    *(Route(Way.ACTION, IDS["offer"] + said, Role.AUTHOR, "offer", Subject.MESSAGE) for said in OFFER_ANSWERS),
    Route(Way.VIEW, SUPPORT_FORM, Role.REQUESTER_OR_AGENT, "support_form", Subject.FORM),
    *(Route(Way.VIEW, form, Role.AGENT, "agent_form", Subject.METADATA_TICKET) for form in AGENT_FORMS.values()),
    Route(Way.VIEW, IDS["rating_comment"], Role.REQUESTER, "rating_comment", Subject.METADATA),
    Route(Way.EVENT, "app_home_opened", Role.ANYONE, "home"),
    Route(Way.EVENT, "reaction_added:ticket", Role.AGENT, "ticket_reaction"),
    Route(Way.EVENT, "member_joined_channel", Role.ANYONE, "bot_joined"),  # the handler acts only for the bot
)

_EXACT = {(route.way, route.id): route for route in ROUTES if not route.id.endswith(":")}
_PREFIXED = [route for route in ROUTES if route.id.endswith(":")]


@dataclass(frozen=True)
class Matched:
    """A payload's route, the person acting, and the request (or held email) it names, if any."""

    route: Route
    user: str
    subject: int | None
    message: tuple[str, str, str] | None = None  # Subject.MESSAGE: the (channel, ts, author) the button names


class Malformed(ValueError):
    """The payload matches a route but does not name what that route acts on."""


def route_of(body: dict[str, Any]) -> Matched | None:
    """The route of a stored Slack request body, or None when Frontdesk does not act on it.
    Raises Malformed when the route needs a request the payload does not name."""
    found = _find(*_way_and_id(body))
    if found is None:
        return None
    if found.subject == Subject.MESSAGE:
        message = message_of(body)
        if message is None:
            raise Malformed(f"{found.name}: the payload names no message")
        return Matched(found, acting_user(body), None, message)
    subject = subject_of(found.subject, body)
    if found.subject not in (Subject.NONE, Subject.FORM) and subject is None:
        raise Malformed(f"{found.name}: the payload names no request")
    return Matched(found, acting_user(body), subject)


def message_of(body: dict[str, Any]) -> tuple[str, str, str] | None:
    """The (channel, ts, author) a pressed button's value names ("channel|ts|author"), or None."""
    parts = str(pressed(body).get("value") or "").split("|")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 and all(parts) else None


def acting_user(body: dict[str, Any]) -> str:
    """Who did it: the user of an interaction payload (`user.id`), of a slash command (`user_id`), or of an
    event (`event.user`)."""
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "")
    if body.get("type") == "event_callback":
        return str(_table(body.get("event")).get("user") or "")
    return str(body.get("user_id") or "")


def _way_and_id(body: dict[str, Any]) -> tuple[Way | None, str]:
    kind = body.get("type")
    if "command" in body:
        command = str(body.get("command") or "")
        words = str(body.get("text") or "").split(maxsplit=1)
        first = words[0].lower() if words else ""
        if command == FRONTDESK and first in AGENT_COMMANDS:
            return Way.COMMAND, f"{command} {first}"
        return Way.COMMAND, command
    if kind == "block_actions":
        return Way.ACTION, str(pressed(body).get("action_id") or "")
    if kind == "view_submission":
        return Way.VIEW, str(_table(body.get("view")).get("callback_id") or "")
    if kind == "shortcut":
        return Way.SHORTCUT, str(body.get("callback_id") or "")
    if kind == "event_callback":
        event = _table(body.get("event"))
        name = str(event.get("type") or "")
        if name == "reaction_added":
            return Way.EVENT, f"{name}:{event.get('reaction') or ''}"
        if name == "app_home_opened" and event.get("tab") != "home":
            return None, ""
        return Way.EVENT, name
    return None, ""


def _find(way: Way | None, id_: str) -> Route | None:
    if way is None:
        return None
    exact = _EXACT.get((way, id_))
    if exact is not None:
        return exact
    return next((r for r in _PREFIXED if r.way == way and id_.startswith(r.id) and len(id_) > len(r.id)), None)


def subject_of(subject: Subject, body: dict[str, Any]) -> int | None:
    """The id the payload names for `subject`, or None."""
    view = _table(body.get("view"))
    metadata = str(view.get("private_metadata") or "")
    if subject == Subject.BLOCK:
        parts = str(pressed(body).get("block_id") or "").split("|")
        return _number(parts[1]) if len(parts) > 1 else None
    if subject in (Subject.VALUE, Subject.HELD):
        return _number(pressed(body).get("value"))
    if subject == Subject.METADATA:
        return _number(metadata)
    if subject in (Subject.FORM, Subject.METADATA_TICKET):
        try:
            found = json.loads(metadata)
        except ValueError:
            return None
        return _number(found.get("ticket")) if isinstance(found, dict) else None
    return None


def pressed(body: dict[str, Any]) -> dict[str, Any]:
    """The first action of a block_actions payload (an empty one when it has none)."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else {}
    return first if isinstance(first, dict) else {}


def _number(value: Any) -> int | None:
    """A request's id as a payload carries it (a whole number, or its digits as text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**62 else None
    text = str(value or "")
    return int(text) if text.isdigit() and 0 < len(text) < 19 and int(text) > 0 else None


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
