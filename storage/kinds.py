"""The closed sets of words that storage keeps in text columns.

Rules: the database stores the value (lower-case words); every service checks a value against its set before
writing, with `parse`, so that a row never holds a word the rest of the project does not know. A deadline's state
is not among them: the word is sla's (sla.clocks.State), and storage.deadlines says which of its values a row holds.
"""

from enum import StrEnum
from typing import TypeVar

from storage.errors import InvalidValueError


class TicketKind(StrEnum):  # the values of sla.policy.KINDS (tests/storage/test_kinds.py)
    QUESTION = "question"
    INCIDENT = "incident"
    DEFECT = "defect"
    FEATURE = "feature"  # a feature request


class TicketStatus(StrEnum):
    INTAKE = "intake"  # required fields still missing
    OPEN = "open"
    WAITING = "waiting"  # waiting on the requester: a pause is running
    RESOLVED = "resolved"
    CLOSED = "closed"
    DEFERRED = "deferred"  # a deferred defect: the conversation is closed, the fix stays tracked


class AgentLevel(StrEnum):  # the values of sla.policy.LEVELS
    L1 = "L1"
    L2 = "L2"
    L3 = "L3"


class AuthorRole(StrEnum):
    REQUESTER = "requester"
    AGENT = "agent"
    BOT = "bot"
    OTHER = "other"  # someone else writing in a request's thread: a comment, never an answer


class MessageChannel(StrEnum):
    SLACK = "slack"
    EMAIL = "email"


class InboxState(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    DEAD = "dead"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    PARKED = "parked"  # waiting for the bot to be invited to its Slack channel (storage.channel_waits)
    SENT = "sent"
    DEAD = "dead"
    DISMISSED = "dismissed"  # a dead letter a person chose to leave unsent (storage.dead_letters)


class DestinationKind(StrEnum):
    SLACK = "slack"
    EMAIL = "email"
    HTTP = "http"  # a call to another service's HTTP API or a webhook endpoint (bot.integrations.calls)


class EmailOutcome(StrEnum):
    REQUEST = "request"  # opened a new request
    REPLY = "reply"  # joined the request it belongs to
    HELD = "held"  # kept for the agents to review
    AUTOMATED = "automated"  # an auto-reply, a bounce, bulk or list mail: recorded, never answered
    OWN = "own"  # one of our own messages come back
    TOO_LARGE = "too_large"  # over the size cap: one polite reply with the limit
    DUPLICATE = "duplicate"  # the same message seen again (in another mailbox, or after a UIDVALIDITY change)
    SENT = "sent"  # outgoing: queued in the outbox


class EmailReview(StrEnum):
    HELD = "held"
    ATTACHED = "attached"
    OPENED = "opened"
    DISMISSED = "dismissed"


class MatchKind(StrEnum):
    SLACK_CHANNEL = "slack_channel"
    EMAIL_DOMAIN = "email_domain"


E = TypeVar("E", bound=StrEnum)


def parse(kind: type[E], value: str) -> E:
    """`value` as a member of `kind`, or InvalidValueError naming the allowed words."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidValueError(f"{value!r} is not a {kind.__name__}; expected one of: {allowed}") from None
