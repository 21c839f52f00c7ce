"""The payload of an outbox row for Slack, and what it needs from the rows it refers to.

Contract (destination_kind "slack"): the row's payload is a JSON object

    {"method": "chat.postMessage" | "chat.update" | "chat.postEphemeral" | "views.open" | "views.update"
               | "views.publish" | "reactions.add",
     "args": {...the Slack arguments, as the Web API takes them in a JSON body...},
     "thread_of": "<idempotency key of an earlier outbox row>",   (optional)
     "update_of": "<idempotency key of an earlier outbox row>",   (optional)
     "anchors": "requester" | "agents"}                            (optional, chat.postMessage)

Rules:
- `thread_of` (chat.postMessage, chat.postEphemeral): the referenced row's sent message becomes the thread:
  its ts is `args.thread_ts` and its channel is `args.channel`.
- `update_of`: chat.update gets the referenced message's `channel` and `ts`, reactions.add its `channel` and
  `timestamp`, views.update the referenced view's `view_id`.
- `anchors`: the sent message becomes a thread of the row's ticket, stored on the ticket in the transaction
  that records the row as sent: "requester" for the requester's conversation when the bot starts it (its
  channel and ts), "agents" for the triage card's thread in the agents channel (its ts).
- A row that refers to another is sent only after that one was sent; if that one is dead (or was never
  stored), the referring row is dead-lettered with an error that names it.
- `enqueue_slack` stores a payload with what ordering needs: rows of one channel and thread (`ordering_key`
  "<channel>/<thread ts>", "<channel>/" for the top level) are sent in the order they were stored; a row that
  refers to another takes that row's ordering key and waits for it. Enqueue a referenced row before the rows
  that refer to it; a row stored before the row it refers to (a file refused while a new request is recorded,
  before the message that opens its thread) is ordered with the others in that case ("after:<key>") and waits
  for it, so it never blocks the very row it waits for. A chat.update by explicit ts joins the thread of that
  ts; views.publish is ordered per user ("home/<user>"); views.open (its trigger expires in seconds) and
  reactions.add by explicit timestamp are never held back. Views and response_url answers are urgent (`URGENT`:
  someone is waiting, a trigger expires in 3 seconds): the sender takes them before any other row.
- "files.upload" shares a file kept by Frontdesk: `args` are `channel`, `thread_ts` (or `thread_of`), `path`
  (absolute, in the attachment store), `filename` and `title`; it is ordered in its thread like a message, so
  a relayed message's files follow it.
- "response_url" answers the person behind a command or an interaction, wherever they typed it (even where the
  bot is not): `args` are `url` (Slack's response_url, good 5 times in 30 minutes) and the message (`text`,
  `blocks`, `response_type` "ephemeral" by default). Never held back by ordering; its destination is the URL's
  host only, so the URL (a capability) is kept in the payload and nowhere else.
- `result_of` keeps from Slack's answer only what later rows need: channel, ts, message_ts, view_id.
- This layer writes no text: the args come from the services (and their templates) as they are.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from storage import outbox

FILE_UPLOAD = "files.upload"  # Slack's two-step external upload of a stored file (slack_sdk's files_upload_v2)
RESPONSE_URL = "response_url"  # an answer POSTed to a command's or an interaction's response_url
URGENT = frozenset({"views.open", "views.update", RESPONSE_URL})  # someone waits: sent before anything else
METHODS = frozenset(
    {
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "views.open",
        "views.update",
        "views.publish",
        "reactions.add",
        FILE_UPLOAD,
        RESPONSE_URL,
    }
)
ANCHORS = ("requester", "agents")
THREADABLE = frozenset({"chat.postMessage", "chat.postEphemeral", FILE_UPLOAD})
UPDATABLE = frozenset({"chat.update", "reactions.add", "views.update"})
DESTINATION_KIND = "slack"


class InvalidPayload(ValueError):
    """A payload that breaks the contract; the row can never be sent."""


class Unresolvable(ValueError):
    """A referenced row's result lacks what this row needs from it."""


@dataclass(frozen=True)
class SlackPayload:
    method: str
    args: Mapping[str, Any] = field(default_factory=dict)
    thread_of: str | None = None
    update_of: str | None = None
    anchors: str | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InvalidPayload(f"method {self.method!r} is not one of {', '.join(sorted(METHODS))}")
        if not isinstance(self.args, Mapping):
            raise InvalidPayload("args must be an object")
        if self.method == RESPONSE_URL and not str(self.args.get("url") or "").startswith(("https://", "http://")):
            raise InvalidPayload("response_url needs the url to answer to")
        if self.method == FILE_UPLOAD and not (self.args.get("path") and self.args.get("filename")):
            raise InvalidPayload("files.upload needs a path and a filename")
        if self.thread_of is not None and self.method not in THREADABLE:
            raise InvalidPayload(f"thread_of is for {', '.join(sorted(THREADABLE))}, not {self.method}")
        if self.update_of is not None and self.method not in UPDATABLE:
            raise InvalidPayload(f"update_of is for {', '.join(sorted(UPDATABLE))}, not {self.method}")
        if self.anchors is not None and self.anchors not in ANCHORS:
            raise InvalidPayload(f"anchors is one of {', '.join(ANCHORS)}")
        if self.anchors is not None and (self.method != "chat.postMessage" or self.thread_of is not None):
            raise InvalidPayload("anchors is for a top-level chat.postMessage")
        for name in ("thread_of", "update_of"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise InvalidPayload(f"{name} must be an idempotency key")

    @classmethod
    def from_json(cls, value: Any) -> "SlackPayload":
        if not isinstance(value, Mapping):
            raise InvalidPayload("a Slack payload must be an object")
        unknown = set(value) - {"method", "args", "thread_of", "update_of", "anchors"}
        if unknown:
            raise InvalidPayload(f"unknown payload keys: {', '.join(sorted(unknown))}")
        if not isinstance(value.get("method"), str):
            raise InvalidPayload("method is missing")
        args = value.get("args", {})
        if not isinstance(args, Mapping):
            raise InvalidPayload("args must be an object")
        anchors = value.get("anchors")
        if anchors is not None and not isinstance(anchors, str):
            raise InvalidPayload("anchors must be a string")
        return cls(value["method"], dict(args), value.get("thread_of"), value.get("update_of"), anchors)

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {"method": self.method, "args": dict(self.args)}
        if self.thread_of is not None:
            value["thread_of"] = self.thread_of
        if self.update_of is not None:
            value["update_of"] = self.update_of
        if self.anchors is not None:
            value["anchors"] = self.anchors
        return value

    @property
    def references(self) -> tuple[str, ...]:
        """The idempotency keys of the rows that must be sent before this one."""
        return tuple(key for key in (self.update_of, self.thread_of) if key is not None)

    @property
    def destination(self) -> str:
        """The channel (or user) the row is for, as far as its own args tell; a response URL's host."""
        if self.method == RESPONSE_URL:
            return urlsplit(str(self.args["url"])).netloc
        return str(self.args.get("channel") or self.args.get("user_id") or self.args.get("user") or "")

    def own_ordering_key(self) -> str | None:
        """The ordering key from the row's own args (used when it refers to no stored row)."""
        channel = self.args.get("channel")
        if self.method in THREADABLE and channel:
            return f"{channel}/{self.args.get('thread_ts') or ''}"
        if self.method == "chat.update" and channel:
            return f"{channel}/{self.args.get('ts') or ''}"
        if self.method == "views.publish" and self.args.get("user_id"):
            return f"home/{self.args['user_id']}"
        return None

    def resolved_args(self, results: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        """The args to send, with what the referenced rows' results give; Unresolvable when one lacks it."""
        args = dict(self.args)
        if self.thread_of is not None:
            found = _needs(results, self.thread_of, "ts")
            args.update(thread_ts=found["ts"], **_channel(found))
        if self.update_of is not None:
            if self.method == "views.update":
                args["view_id"] = _needs(results, self.update_of, "view_id")["view_id"]
            else:
                found = _needs(results, self.update_of, "ts")
                args.update({"ts" if self.method == "chat.update" else "timestamp": found["ts"]}, **_channel(found))
        return args


def _needs(results: Mapping[str, Mapping[str, Any]], key: str, name: str) -> Mapping[str, Any]:
    found = results.get(key) or {}
    if not found.get(name):
        raise Unresolvable(f"refers to {key}, whose result has no {name}")
    return found


def _channel(result: Mapping[str, Any]) -> dict[str, Any]:
    return {"channel": result["channel"]} if result.get("channel") else {}


def result_of(method: str, answer: Mapping[str, Any], args: Mapping[str, Any]) -> dict[str, Any]:
    """What later rows may need from Slack's answer to `method`."""
    view = answer.get("view")
    found = {
        "channel": answer.get("channel") or (args.get("channel") if method == "chat.postEphemeral" else None),
        "ts": answer.get("ts"),
        "message_ts": answer.get("message_ts"),
        "view_id": view.get("id") if isinstance(view, Mapping) else None,
    }
    return {name: value for name, value in found.items() if value}


def enqueue_slack(
    session: Any,
    *,
    key: str,
    payload: SlackPayload,
    now: datetime,
    ticket_id: int | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Stores `payload` in the outbox under idempotency key `key` (in the caller's transaction, a storage
    session), with its ordering key and the row it waits for; False when the key was already stored."""
    ordering_key, destination = payload.own_ordering_key(), payload.destination
    waits_for = payload.references[0] if payload.references else None
    if waits_for is not None:
        referenced = outbox.outbox_entry(session, waits_for)
        if referenced is not None:
            ordering_key = referenced.ordering_key
            destination = destination or referenced.destination
        else:
            ordering_key = f"after:{waits_for}"
    return outbox.enqueue(
        session,
        key=key,
        destination_kind=DESTINATION_KIND,
        destination=destination,
        payload=payload.to_json(),
        now=now,
        ticket_id=ticket_id,
        not_before=not_before,
        ordering_key=ordering_key,
        waits_for=waits_for,
        urgent=payload.method in URGENT,
    )
