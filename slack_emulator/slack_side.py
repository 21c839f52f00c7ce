"""The Slack side of an app under test: what people do in Slack, delivered to the app as Slack delivers it.

Rules:
- `SlackSide.over_http(emulator, events_url)` POSTs signed requests to the app's `/slack/events`;
  `SlackSide.over_socket_mode(emulator)` sends the same payloads through the emulator's WebSocket (see
  `transports`). Like Slack it waits `timeout` (3 s) for the answer; every method returns the `Delivery`.
  `retry(delivery)` sends the same payload again as Slack's next attempt (`X-Slack-Retry-Num` + 1).
- What people do also changes the emulator's workspace first, so the app finds it there: `user_says` stores the
  user's message (with its files) and then delivers `message`, plus `app_mention` when the text mentions the bot
  (two events for one message, as Slack does), plus one `file_shared` per file. Events go out only when the bot is
  in the conversation and the app subscribes to them (`subscriptions`, Slack's names such as `message.im`).
  `invite_bot` makes the bot a member of a channel and delivers `member_joined_channel`, as `/invite` does.
- Commands, shortcuts and actions carry a fresh `trigger_id` (good for 3 s in views.open; block suggestions get
  none, as on Slack) and, where Slack gives one, a `response_url` on the emulator, so `respond()` lands there.
  The ack is applied as Slack applies it: a command's ack text or blocks become an ephemeral (or `in_channel`)
  message; a view submission's `response_action` keeps (`errors`), replaces (`update`), stacks (`push`) or closes
  (`clear`, or no action) the modal. A block suggestion's ack carries the `options`.
- Misuse by a test (an unknown user, a person outside the channel) raises `LookupError` at once.
"""

import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_emulator import payloads
from slack_emulator.ids import Clock
from slack_emulator.interactions import action, find_element, state_values
from slack_emulator.model import Channel, ChannelKind, Ephemeral, File, Message, User, View
from slack_emulator.server import SlackEmulator
from slack_emulator.shapes import file_json, stored_message_json, view_json
from slack_emulator.signing import Signing
from slack_emulator.transports import (
    COMMANDS,
    EVENTS,
    INTERACTIVE,
    Attempt,
    Delivery,
    HttpTransport,
    SocketModeTransport,
    Transport,
)
from slack_emulator.workspace import ChannelRef, UserRef, ref_id

DEFAULT_SUBSCRIPTIONS = frozenset(
    {
        "message.channels",
        "message.groups",
        "message.im",
        "message.mpim",
        "app_mention",
        "reaction_added",
        "app_home_opened",
        "file_shared",
        "member_joined_channel",
    }
)
_MESSAGE_SUBSCRIPTION = {
    ChannelKind.PUBLIC: "message.channels",
    ChannelKind.PRIVATE: "message.groups",
    ChannelKind.IM: "message.im",
    ChannelKind.MPIM: "message.mpim",
}


@dataclass(frozen=True)
class Said:
    """A message a person sent, and the deliveries it caused (none when the bot is not in the conversation)."""

    message: Message
    deliveries: tuple[Delivery, ...]


@dataclass(frozen=True)
class Upload:
    """A file a person attaches to a message."""

    name: str
    content: bytes
    mimetype: str | None = None
    title: str | None = None


class SlackSide:
    """Drives an app the way Slack and the people in it do."""

    def __init__(
        self,
        emulator: SlackEmulator,
        transport: Transport,
        *,
        subscriptions: Iterable[str] = DEFAULT_SUBSCRIPTIONS,
        timeout: float = 3.0,
    ) -> None:
        self.emulator = emulator
        self.workspace = emulator.workspace
        self.transport = transport
        self.subscriptions = frozenset(subscriptions)
        self.timeout = timeout

    @classmethod
    def over_http(
        cls,
        emulator: SlackEmulator,
        events_url: str,
        *,
        signing_secret: str | None = None,
        clock: Clock = time.time,
        subscriptions: Iterable[str] = DEFAULT_SUBSCRIPTIONS,
        timeout: float = 3.0,
    ) -> "SlackSide":
        secret = signing_secret or emulator.signing_secret
        return cls(emulator, HttpTransport(events_url, secret, clock), subscriptions=subscriptions, timeout=timeout)

    @classmethod
    def over_socket_mode(
        cls, emulator: SlackEmulator, *, subscriptions: Iterable[str] = DEFAULT_SUBSCRIPTIONS, timeout: float = 3.0
    ) -> "SlackSide":
        return cls(emulator, SocketModeTransport(emulator), subscriptions=subscriptions, timeout=timeout)

    # -- sending ---------------------------------------------------------------------------------------------

    def send(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        retry_num: int = 0,
        retry_reason: str | None = None,
        signing: Signing = Signing.VALID,
    ) -> Delivery:
        """Deliver a payload as is: `kind` is `events_api`, `slash_commands` or `interactive`."""
        return self.transport.send(kind, payload, Attempt(retry_num, retry_reason, signing, self.timeout))

    def retry(self, delivery: Delivery, *, reason: str | None = None, signing: Signing = Signing.VALID) -> Delivery:
        """Slack's next attempt at the same delivery (same payload and event_id, `X-Slack-Retry-Num` + 1)."""
        return self.send(
            delivery.kind,
            delivery.payload,
            retry_num=delivery.retry_num + 1,
            retry_reason=reason or delivery.failure or "http_timeout",
            signing=signing,
        )

    def event(
        self, event: Mapping[str, Any], *, signing: Signing = Signing.VALID, ext_shared: bool = False
    ) -> Delivery:
        """Wrap `event` in an `event_callback` envelope with a new event_id and deliver it (`ext_shared`: it
        happened in a Slack Connect channel)."""
        ws = self.workspace
        event_id, at = ws.new_id("Ev"), int(ws.now())
        body = payloads.envelope(
            event, app=ws.app, team=ws.team, event_id=event_id, event_time=at, ext_shared=ext_shared
        )
        return self.send(EVENTS, body, signing=signing)

    def url_verification(self, challenge: str | None = None, *, signing: Signing = Signing.VALID) -> Delivery:
        body = payloads.url_verification(self.workspace.app, challenge or uuid.uuid4().hex)
        return self.send(EVENTS, body, signing=signing)

    # -- people writing and reacting -------------------------------------------------------------------------

    def user_says(
        self,
        channel: ChannelRef,
        user: UserRef,
        text: str,
        thread_ts: str | None = None,
        files: Iterable[Upload | File] = (),
        *,
        signing: Signing = Signing.VALID,
    ) -> Said:
        ws = self.workspace
        where, who = self._channel(channel), self._user(user)
        if who.id not in where.members:
            raise LookupError(f"{who.name} is not in {where.name or where.id}: invite them first")
        file_ids = tuple(self._file(who, f).id for f in files)
        message = ws.post_message(
            where,
            who,
            text=text,
            thread_ts=thread_ts,
            files=file_ids,
            subtype="file_share" if file_ids else None,
            client_msg_id=str(uuid.uuid4()),
        )
        if not self._bot_hears(where):
            return Said(message, ())
        shared = [file_json(f, ws.team, self.emulator.root_url) for f in map(ws.file, file_ids)]
        parent = ws.message(where, thread_ts) if thread_ts else None
        parent_user = parent.user if parent else None
        deliveries = []
        if _MESSAGE_SUBSCRIPTION[where.kind] in self.subscriptions:
            event = payloads.message_event(message, where, ws.team, shared, parent_user, author=who)
            deliveries.append(self.event(event, signing=signing, ext_shared=where.ext_shared))
        mentioned = f"<@{ws.app.bot_user_id}>" in text or f"<@{ws.app.bot_user_id}|" in text
        if mentioned and where.kind is not ChannelKind.IM and "app_mention" in self.subscriptions:
            event = payloads.message_event(message, where, ws.team, shared, parent_user, mention=True, author=who)
            deliveries.append(self.event(event, signing=signing, ext_shared=where.ext_shared))
        if "file_shared" in self.subscriptions:
            for file_id in file_ids:
                event = payloads.file_shared_event(who.id, file_id, where.id, ws.next_ts())
                deliveries.append(self.event(event, signing=signing))
        return Said(message, tuple(deliveries))

    def dm(
        self, user: UserRef, text: str, *, thread_ts: str | None = None, files: Iterable[Upload | File] = ()
    ) -> Said:
        """`user` writes to the bot in their direct-message conversation."""
        return self.user_says(self.workspace.open_im(user), user, text, thread_ts, files)

    def reaction_added(self, user: UserRef, reaction: str, channel: ChannelRef, ts: str) -> Delivery | None:
        ws = self.workspace
        where, who = self._channel(channel), self._user(user)
        message = ws.add_reaction(where, ts, reaction.strip(":"), who)
        if not self._bot_hears(where) or "reaction_added" not in self.subscriptions:
            return None
        event = payloads.reaction_event(who.id, reaction.strip(":"), message, ws.next_ts())
        return self.event(event, ext_shared=where.ext_shared)

    def invite_bot(self, channel: ChannelRef, by: UserRef) -> Delivery | None:
        """`by` invites the bot to `channel` (`/invite @bot`): it becomes a member, and Slack tells the app with
        member_joined_channel (the bot is then in the channel, so it hears it)."""
        ws = self.workspace
        where, who = self._channel(channel), self._user(by)
        ws.invite(where, ws.app.bot_user_id)
        if "member_joined_channel" not in self.subscriptions:
            return None
        return self.event(payloads.member_joined_event(ws.app.bot_user_id, where, ws.team.id, who.id, ws.next_ts()))

    def app_home_opened(self, user: UserRef) -> Delivery | None:
        ws = self.workspace
        who = self._user(user)
        if "app_home_opened" not in self.subscriptions:
            return None
        home = ws.home_view(who)
        shape = view_json(home, ws.app, ws.team) if home else None
        return self.event(payloads.home_opened_event(who.id, ws.open_im(who), shape, ws.next_ts()))

    def file_shared(self, user: UserRef, channel: ChannelRef, file: Upload | File) -> Delivery | None:
        """`user` shares a file in `channel` without text: the message is stored, `file_shared` delivered."""
        ws = self.workspace
        where, who = self._channel(channel), self._user(user)
        stored = self._file(who, file)
        ws.post_message(where, who, files=(stored.id,), subtype="file_share", client_msg_id=str(uuid.uuid4()))
        if not self._bot_hears(where) or "file_shared" not in self.subscriptions:
            return None
        return self.event(payloads.file_shared_event(who.id, stored.id, where.id, ws.next_ts()))

    # -- commands and interactions ---------------------------------------------------------------------------

    def slash_command(self, command: str, user: UserRef, channel: ChannelRef, text: str = "") -> Delivery:
        ws = self.workspace
        where, who = self._channel(channel), self._user(user)
        form = payloads.slash_command(
            ws.app,
            ws.team,
            command=command,
            text=text,
            user=who,
            channel=where,
            trigger_id=ws.issue_trigger(who),
            response_url=self.emulator.response_url(where.id, who.id),
        )
        delivery = self.send(COMMANDS, form)
        answer = delivery.ack_payload
        if answer and (answer.get("text") or answer.get("blocks")):
            content = {"text": str(answer.get("text", "")), "blocks": answer.get("blocks")}
            if answer.get("response_type") == "in_channel":
                ws.post_message(where, ws.app.bot_user_id, **content)
            else:
                ws.post_ephemeral(where, who, **content)
        return delivery

    def shortcut(self, callback_id: str, user: UserRef) -> Delivery:
        """A global shortcut (from the composer or search)."""
        return self._interact("shortcut", self._user(user), callback_id=callback_id, action_ts=self.workspace.next_ts())

    def message_action(self, callback_id: str, user: UserRef, message: Message) -> Delivery:
        """A message shortcut on `message`."""
        who, where = self._user(user), self._channel(message.channel)
        return self._interact(
            "message_action",
            who,
            callback_id=callback_id,
            action_ts=self.workspace.next_ts(),
            channel={"id": where.id, "name": payloads.channel_name(where)},
            message_ts=message.ts,
            message=self._message_json(message),
            response_url=self.emulator.response_url(where.id, who.id, message.ts),
        )

    def block_actions(
        self, user: UserRef, target: Message | Ephemeral | View, action_id: str, value: Any = None
    ) -> Delivery:
        """`user` presses the button (or picks `value` in the element) with `action_id` in a message or view."""
        who = self._user(user)
        block, element, fields = self._acted_on(who, target, action_id)
        fields["actions"] = [action(block, element, value, self.workspace.next_ts())]
        return self._interact("block_actions", who, **fields)

    def block_suggestion(
        self, user: UserRef, target: Message | Ephemeral | View, action_id: str, typed: str
    ) -> Delivery:
        """`user` types `typed` in the external select `action_id`; the ack carries the `options` to show."""
        who = self._user(user)
        block, _, fields = self._acted_on(who, target, action_id)
        fields.update(action_id=action_id, block_id=block.get("block_id", ""), value=typed)
        return self._interact("block_suggestion", who, trigger=False, **fields)

    def _acted_on(
        self, who: User, target: Message | Ephemeral | View, action_id: str
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """The block and element with `action_id`, and the payload fields that say where they are."""
        ws = self.workspace
        if isinstance(target, View):
            view = ws.view(target.id) or target
            block, element = find_element(view.definition.get("blocks"), action_id)
            return (
                block,
                element,
                {"container": {"type": "view", "view_id": view.id}, "view": view_json(view, ws.app, ws.team)},
            )
        where = self._channel(target.channel)
        block, element = find_element(target.blocks, action_id)
        ephemeral = isinstance(target, Ephemeral)
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": target.ts,
            "channel_id": where.id,
            "is_ephemeral": ephemeral,
        }
        if target.thread_ts:
            container["thread_ts"] = target.thread_ts
        fields: dict[str, Any] = {
            "container": container,
            "channel": {"id": where.id, "name": payloads.channel_name(where)},
            "state": {"values": state_values(target.blocks, {})},
            "response_url": self.emulator.response_url(where.id, who.id, None if ephemeral else target.ts),
        }
        if isinstance(target, Message):
            fields["message"] = self._message_json(ws.message(where, target.ts) or target)
        return block, element, fields

    def view_submission(self, view: View | str, answers: Mapping[str, Any] | None = None) -> Delivery:
        """The view's user submits it, with `answers` by action_id (unanswered fields keep their initial value)."""
        ws = self.workspace
        current = ws.view(view if isinstance(view, str) else view.id)
        if current is None or not current.is_open:
            raise LookupError(f"no open view {view if isinstance(view, str) else view.id}")
        values = state_values(current.definition.get("blocks"), answers or {}, check_required=True)
        current = ws.set_view_state(current.id, values)
        view_shape = view_json(current, ws.app, ws.team)
        delivery = self._interact("view_submission", self._user(current.user), view=view_shape, response_urls=[])
        self._apply_view_answer(current, delivery)
        return delivery

    def _apply_view_answer(self, view: View, delivery: Delivery) -> None:
        if not delivery.acked:
            return
        ws = self.workspace
        answer = delivery.ack_payload or {}
        action_name = answer.get("response_action")
        if action_name == "errors":
            return
        if action_name == "update" and isinstance(answer.get("view"), dict):
            ws.update_view(answer["view"], view_id=view.id)
        elif action_name == "push" and isinstance(answer.get("view"), dict):
            ws.open_view(view.user, answer["view"], previous=view)
        elif action_name == "clear":
            for open_view in ws.views(view.user):
                ws.close_view(open_view.id)
        else:
            ws.close_view(view.id)

    def _interact(self, kind: str, who: User, *, trigger: bool = True, **fields: Any) -> Delivery:
        """Deliver an interaction of `kind` by `who`, with a fresh trigger id unless `trigger` is False."""
        ws = self.workspace
        if trigger:
            fields["trigger_id"] = ws.issue_trigger(who)
        return self.send(INTERACTIVE, payloads.interaction(kind, ws.app, ws.team, who, **fields))

    # -- helpers ---------------------------------------------------------------------------------------------

    def _bot_hears(self, channel: Channel) -> bool:
        current = self.workspace.get_channel(channel.id) or channel
        return self.workspace.app.bot_user_id in current.members

    def _channel(self, channel: ChannelRef) -> Channel:
        return self.workspace.channel(ref_id(channel))

    def _user(self, user: UserRef) -> User:
        return self.workspace.user(ref_id(user))

    def _file(self, user: User, file: Upload | File) -> File:
        if isinstance(file, File):
            return file
        return self.workspace.add_file(file.name, file.content, user=user, mimetype=file.mimetype, title=file.title)

    def _message_json(self, message: Message) -> dict[str, Any]:
        return stored_message_json(self.workspace, message, self.emulator.root_url)
