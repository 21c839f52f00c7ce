"""The emulated workspace: what Slack knows, seeded by a test or the demo, changed by Web API calls and users.

Rules:
- One lock guards all state; every method is safe to call from any thread. Values handed out are frozen
  snapshots (see `model`); to change one the workspace stores a replacement.
- Seeding: `add_user`, `add_channel`, `add_usergroup`, `set_usergroup_users`, `add_file`, `invite`, `archive`,
  `open_im`, `grant_scopes` (the bot token's OAuth scopes, slack_emulator.scopes). Ids are made
  deterministically (see `ids`) unless given. The app's bot user exists from the start.
  A file may be said to be elsewhere (`add_file(url_private=...)`: files.info gives that URL) or to have moved
  (`moved_to`: its private URL redirects there), as with an external file or a file host handing on a download.
- `user(...)`, `channel(...)`, `usergroup(...)`, `file(...)` accept an id or a name and raise `LookupError` with the
  names that do exist: they are for tests and seeds. Every method taking a user or channel takes the value, its
  id or its name. `get_*` return None: they are for the API, which answers `*_not_found` itself.
- Messages are kept per channel in `ts` order (found by bisection, so long runs stay fast). `messages(channel)` is
  the top level, `messages(channel, thread_ts)` the thread (parent first). A reply marks its parent with
  `thread_ts`, as Slack does.
- Trigger ids and response URLs (`triggers`, `response_urls`, see `grants`) run on the workspace clock.
- An upload URL accepts bytes once its file id is issued; `files.completeUploadExternal` turns it into a file.
"""

import bisect
import dataclasses
import mimetypes
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, TypeVar

from slack_emulator.errors import ApiError
from slack_emulator.grants import ResponseUrls, Triggers
from slack_emulator.ids import Clock, IdFactory, TsFactory, ts_to_micros, url_secret
from slack_emulator.model import (
    AppIdentity,
    Channel,
    ChannelKind,
    Edited,
    Ephemeral,
    File,
    Json,
    Message,
    Reaction,
    Share,
    Team,
    User,
    UserGroup,
    View,
)
from slack_emulator.scopes import DEFAULT_SCOPES

V = TypeVar("V")

UserRef = User | str
ChannelRef = Channel | str


def ref_id(ref: UserRef | ChannelRef) -> str:
    return ref if isinstance(ref, str) else ref.id


@dataclass(frozen=True)
class PendingUpload:
    file_id: str
    filename: str
    length: int
    user: str
    secret: str
    data: bytes | None = None


class Workspace:
    """A Slack workspace with one installed app."""

    def __init__(self, *, team: Team | None = None, app: AppIdentity | None = None, clock: Clock = time.time) -> None:
        self.team = team or Team()
        self.app = app or AppIdentity()
        self.clock = clock
        self._lock = threading.RLock()
        self._ids = IdFactory()
        self._ts = TsFactory(clock)
        self._users: dict[str, User] = {}
        self._channels: dict[str, Channel] = {}
        self._groups: dict[str, UserGroup] = {}
        self._files: dict[str, File] = {}
        self._messages: dict[str, list[Message]] = {}
        self._ephemerals: list[Ephemeral] = []
        self._views: dict[str, View] = {}
        self._home: dict[str, str] = {}
        self.triggers = Triggers(clock)
        self.response_urls = ResponseUrls(clock)
        self._scopes: tuple[str, ...] = DEFAULT_SCOPES
        self._uploads: dict[str, PendingUpload] = {}
        bot = User(
            id=self.app.bot_user_id,
            name=self.app.name,
            real_name=self.app.name.capitalize(),
            display_name=self.app.name,
            is_bot=True,
            bot_id=self.app.bot_id,
        )
        self._users[bot.id] = bot

    @classmethod
    def example(cls, *, clock: Clock = time.time) -> "Workspace":
        """A small support team: a customer, two agents, a lead and a manager; #support, #support-agents, #general."""
        ws = cls(clock=clock)
        alice = ws.add_user(
            "alice",
            real_name="Alice Martin",
            email="alice@customer.example",
            phone="+33 6 12 34 56 78",
            tz="Europe/Paris",
        )
        bob = ws.add_user("bob", real_name="Bob Tremblay", email="bob@frontdesk.example", tz="America/Toronto")
        carol = ws.add_user("carol", real_name="Carol Singh", email="carol@frontdesk.example", tz="Asia/Kolkata")
        dave = ws.add_user("dave", real_name="Dave Kowalski", email="dave@frontdesk.example", tz="Europe/Warsaw")
        ws.add_channel("general", members=[alice, bob, carol, dave], bot_member=False, is_general=True)
        ws.add_channel("support", members=[alice, bob, carol], purpose="Ask for help here")
        ws.add_channel("support-agents", members=[bob, carol, dave], private=True)
        ws.add_usergroup("support-team", [bob, carol], name="Support team")
        return ws

    @property
    def scopes(self) -> tuple[str, ...]:
        """The OAuth scopes the bot token holds (slack_emulator.scopes)."""
        return self._scopes

    def grant_scopes(self, scopes: Iterable[str]) -> None:
        """The bot token holds exactly `scopes` from now on, as after reinstalling the app."""
        with self._lock:
            self._scopes = tuple(scopes)

    @property
    def bot(self) -> User:
        return self._users[self.app.bot_user_id]

    def now(self) -> float:
        return self.clock()

    def next_ts(self) -> str:
        return self._ts.next()

    def new_id(self, prefix: str) -> str:
        with self._lock:
            taken = self._users.keys() | self._channels.keys() | self._groups.keys() | self._files.keys()
            return self._ids.next(prefix, taken | self._views.keys())

    # -- seeding ---------------------------------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        *,
        real_name: str = "",
        display_name: str = "",
        email: str | None = None,
        phone: str | None = None,
        tz: str = "UTC",
        title: str = "",
        is_admin: bool = False,
        id: str | None = None,
        team: str | None = None,
        info_refused: bool = False,
        deleted: bool = False,
    ) -> User:
        user = User(
            id=id or self.new_id("U"),
            name=name,
            real_name=real_name or name,
            display_name=display_name or name,
            email=email,
            phone=phone,
            tz=tz,
            title=title,
            is_admin=is_admin,
            team=team,
            info_refused=info_refused,
            deleted=deleted,
        )
        with self._lock:
            self._users[user.id] = user
        return user

    def add_channel(
        self,
        name: str,
        *,
        members: Iterable[UserRef] = (),
        private: bool = False,
        bot_member: bool = True,
        is_general: bool = False,
        topic: str = "",
        purpose: str = "",
        id: str | None = None,
        ext_shared: bool = False,
    ) -> Channel:
        member_ids = [self._uid(m) for m in members]
        if bot_member:
            member_ids.append(self.app.bot_user_id)
        channel = Channel(
            id=id or self.new_id("G" if private else "C"),
            name=name.lstrip("#"),
            kind=ChannelKind.PRIVATE if private else ChannelKind.PUBLIC,
            members=tuple(dict.fromkeys(member_ids)),
            created=int(self.now()),
            creator=member_ids[0] if member_ids else None,
            is_general=is_general,
            topic=topic,
            purpose=purpose,
            ext_shared=ext_shared,
        )
        with self._lock:
            self._channels[channel.id] = channel
        return channel

    def add_usergroup(
        self, handle: str, users: Iterable[UserRef], *, name: str = "", id: str | None = None
    ) -> UserGroup:
        group = UserGroup(
            id=id or self.new_id("S"), handle=handle, name=name or handle, users=tuple(self._uid(u) for u in users)
        )
        with self._lock:
            self._groups[group.id] = group
        return group

    def set_usergroup_users(self, group: str, users: Iterable[UserRef]) -> UserGroup:
        """The group (id or handle) with `users` as its members from now on."""
        members = tuple(self._uid(u) for u in users)
        with self._lock:
            current = _find(self._groups, group.lstrip("@"), lambda g: g.handle, "user group")
            changed = dataclasses.replace(current, users=members)
            self._groups[changed.id] = changed
        return changed

    def add_file(
        self,
        name: str,
        content: bytes,
        *,
        user: UserRef,
        mimetype: str | None = None,
        title: str | None = None,
        id: str | None = None,
        url_private: str | None = None,
        moved_to: str | None = None,
    ) -> File:
        file = File(
            id=id or self.new_id("F"),
            name=name,
            title=title if title is not None else name,
            mimetype=mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream",
            filetype=PurePosixPath(name).suffix.lstrip(".").lower() or "binary",
            user=self._uid(user),
            created=int(self.now()),
            content=content,
            url_private=url_private,
            moved_to=moved_to,
        )
        with self._lock:
            self._files[file.id] = file
        return file

    def invite(self, channel: ChannelRef, *users: UserRef) -> Channel:
        with self._lock:
            current = self.channel(self._cid(channel))
            members = tuple(dict.fromkeys([*current.members, *(self._uid(u) for u in users)]))
            return self._replace_channel(current, members=members)

    def remove(self, channel: ChannelRef, user: UserRef) -> Channel:
        with self._lock:
            current = self.channel(self._cid(channel))
            return self._replace_channel(current, members=tuple(m for m in current.members if m != self._uid(user)))

    def archive(self, channel: ChannelRef) -> Channel:
        with self._lock:
            return self._replace_channel(self.channel(self._cid(channel)), is_archived=True)

    def _replace_channel(self, channel: Channel, **changes: Any) -> Channel:
        updated = dataclasses.replace(channel, **changes)
        self._channels[channel.id] = updated
        return updated

    def open_im(self, user: UserRef) -> Channel:
        """The direct-message conversation between `user` and the bot (made on first use)."""
        user_id = self._uid(user)
        with self._lock:
            for channel in self._channels.values():
                if channel.kind is ChannelKind.IM and channel.user == user_id:
                    return channel
            members = (user_id, self.app.bot_user_id)
            im = Channel(self.new_id("D"), "", ChannelKind.IM, members, int(self.now()), user_id, user=user_id)
            self._channels[im.id] = im
            return im

    def open_mpim(self, users: Iterable[UserRef]) -> Channel:
        """A group DM of `users` and the bot (made on first use)."""
        members = tuple(sorted({*(self._uid(u) for u in users), self.app.bot_user_id}))
        with self._lock:
            for channel in self._channels.values():
                if channel.kind is ChannelKind.MPIM and tuple(sorted(channel.members)) == members:
                    return channel
            name = "mpdm-" + "--".join(self._users[m].name for m in members if m in self._users) + "-1"
            mpim = Channel(self.new_id("G"), name, ChannelKind.MPIM, members, int(self.now()), members[0])
            self._channels[mpim.id] = mpim
            return mpim

    def _uid(self, ref: UserRef) -> str:
        if isinstance(ref, User):
            return ref.id
        with self._lock:
            return ref if ref in self._users else self.user(ref).id

    def _cid(self, ref: ChannelRef) -> str:
        if isinstance(ref, Channel):
            return ref.id
        with self._lock:
            return ref if ref in self._channels else self.channel(ref).id

    # -- lookups ---------------------------------------------------------------------------------------------

    def get_user(self, user_id: str) -> User | None:
        with self._lock:
            return self._users.get(user_id)

    def get_channel(self, channel_id: str) -> Channel | None:
        with self._lock:
            return self._channels.get(channel_id)

    def get_usergroup(self, group_id: str) -> UserGroup | None:
        with self._lock:
            return self._groups.get(group_id)

    def get_file(self, file_id: str) -> File | None:
        with self._lock:
            return self._files.get(file_id)

    def user(self, key: str) -> User:
        with self._lock:
            return _find(self._users, key, lambda u: u.name, "user")

    def channel(self, key: str) -> Channel:
        with self._lock:
            return _find(self._channels, key.lstrip("#"), lambda c: c.name, "channel")

    def usergroup(self, key: str) -> UserGroup:
        with self._lock:
            return _find(self._groups, key.lstrip("@"), lambda g: g.handle, "user group")

    def file(self, key: str) -> File:
        with self._lock:
            return _find(self._files, key, lambda f: f.name, "file")

    def users(self) -> list[User]:
        with self._lock:
            return list(self._users.values())

    def channels(self) -> list[Channel]:
        with self._lock:
            return list(self._channels.values())

    def resolve_channel(self, ref: str) -> Channel | None:
        """What Slack accepts as `channel`: an id, a name with or without `#`, or a user id (the bot's DM)."""
        with self._lock:
            if ref in self._channels:
                return self._channels[ref]
            if ref in self._users:
                return self.open_im(ref)
            name = ref.removeprefix("#")
            return next((c for c in self._channels.values() if c.name == name and c.name), None)

    def messages(self, channel: ChannelRef, thread_ts: str | None = None) -> list[Message]:
        """The top level of a channel, or with `thread_ts` the thread: its parent first, then the replies."""
        with self._lock:
            stored = self._messages.get(self._cid(channel), [])
            if thread_ts is None:
                return [m for m in stored if not m.is_reply]
            return [m for m in stored if m.ts == thread_ts or m.thread_ts == thread_ts]

    def history(self, channel: ChannelRef) -> list[Message]:
        """Every message of a channel, replies included, in `ts` order."""
        with self._lock:
            return list(self._messages.get(self._cid(channel), []))

    def message(self, channel: ChannelRef, ts: str) -> Message | None:
        with self._lock:
            stored = self._messages.get(self._cid(channel), [])
            index = _position(stored, ts)
            return stored[index] if index is not None and stored[index].ts == ts else None

    def ephemerals(self, channel: ChannelRef | None = None, user: UserRef | None = None) -> list[Ephemeral]:
        with self._lock:
            return [
                e
                for e in self._ephemerals
                if (channel is None or e.channel == self._cid(channel)) and (user is None or e.user == self._uid(user))
            ]

    def view(self, view_id: str) -> View | None:
        with self._lock:
            return self._views.get(view_id)

    def views(self, user: UserRef | None = None, *, open_only: bool = True) -> list[View]:
        """Modals (not App Home tabs), oldest first."""
        with self._lock:
            return [
                v
                for v in self._views.values()
                if v.type != "home" and (user is None or v.user == self._uid(user)) and (v.is_open or not open_only)
            ]

    def home_view(self, user: UserRef) -> View | None:
        with self._lock:
            view_id = self._home.get(self._uid(user))
            return self._views.get(view_id) if view_id else None

    # -- messages --------------------------------------------------------------------------------------------

    def post_message(self, channel: ChannelRef, user: UserRef, *, ts: str | None = None, **fields: Any) -> Message:
        """Store a message as posted by `user` (the bot's messages carry its bot and app ids)."""
        channel_id, user_id = self._cid(channel), self._uid(user)
        if user_id == self.app.bot_user_id:
            fields.setdefault("bot_id", self.app.bot_id)
            fields.setdefault("app_id", self.app.app_id)
        with self._lock:
            message = Message(channel=channel_id, ts=ts or self.next_ts(), user=user_id, **fields)
            stored = self._messages.setdefault(channel_id, [])
            bisect.insort_right(stored, message, key=_micros)
            if message.is_reply and message.thread_ts is not None:
                parent = self.message(channel_id, message.thread_ts)
                if parent is not None and parent.thread_ts is None:
                    self._store(dataclasses.replace(parent, thread_ts=parent.ts))
            for file_id in message.files:
                file = self._files[file_id]
                share = Share(channel_id, message.ts, message.thread_ts if message.is_reply else None)
                self._files[file_id] = dataclasses.replace(file, shares=(*file.shares, share))
            return message

    def update_message(self, channel: ChannelRef, ts: str, *, editor: UserRef | None = None, **changes: Any) -> Message:
        with self._lock:
            current = self._existing_message(self._cid(channel), ts)
            if editor is not None:
                changes["edited"] = Edited(self._uid(editor), self.next_ts())
            return self._store(dataclasses.replace(current, **changes))

    def delete_message(self, channel: ChannelRef, ts: str) -> None:
        with self._lock:
            current = self._existing_message(self._cid(channel), ts)
            stored = self._messages[current.channel]
            del stored[bisect.bisect_left(stored, _micros(current), key=_micros)]

    def add_reaction(self, channel: ChannelRef, ts: str, name: str, user: UserRef) -> Message:
        user_id = self._uid(user)
        with self._lock:
            current = self._existing_message(self._cid(channel), ts)
            reactions = list(current.reactions)
            for index, reaction in enumerate(reactions):
                if reaction.name == name:
                    if user_id in reaction.users:
                        raise ApiError("already_reacted")
                    reactions[index] = Reaction(name, (*reaction.users, user_id))
                    break
            else:
                reactions.append(Reaction(name, (user_id,)))
            return self._store(dataclasses.replace(current, reactions=tuple(reactions)))

    def post_ephemeral(self, channel: ChannelRef, user: UserRef, **fields: Any) -> Ephemeral:
        ephemeral = Ephemeral(channel=self._cid(channel), user=self._uid(user), ts=self.next_ts(), **fields)
        with self._lock:
            self._ephemerals.append(ephemeral)
        return ephemeral

    def _existing_message(self, channel_id: str, ts: str) -> Message:
        message = self.message(channel_id, ts)
        if message is None:
            raise ApiError("message_not_found")
        return message

    def _store(self, message: Message) -> Message:
        stored = self._messages[message.channel]
        stored[bisect.bisect_left(stored, _micros(message), key=_micros)] = message
        return message

    # -- triggers and response URLs --------------------------------------------------------------------------

    def issue_trigger(self, user: UserRef) -> str:
        """A trigger id for an action by `user` (see `grants`)."""
        return self.triggers.issue(self._uid(user))

    def issue_response_url(self, channel: ChannelRef, user: UserRef, message_ts: str | None = None) -> str:
        """The secret of a response URL for an action by `user` in `channel` (see `grants`)."""
        return self.response_urls.issue(self._cid(channel), self._uid(user), message_ts)

    # -- views -----------------------------------------------------------------------------------------------

    def open_view(self, user: UserRef, definition: Json, *, previous: View | None = None) -> View:
        with self._lock:
            view_id = self.new_id("V")
            external_id = str(definition.get("external_id", ""))
            if external_id and self._view_by_external_id(external_id) is not None:
                raise ApiError("duplicate_external_id")
            view = View(
                id=view_id,
                user=self._uid(user),
                type=str(definition.get("type", "modal")),
                definition=definition,
                hash=self._view_hash(),
                root_view_id=previous.root_view_id if previous else view_id,
                external_id=external_id,
                previous_view_id=previous.id if previous else None,
            )
            self._views[view_id] = view
            return view

    def update_view(
        self, definition: Json, *, view_id: str | None = None, external_id: str | None = None, hash: str | None = None
    ) -> View:
        with self._lock:
            current = self._views.get(view_id) if view_id else self._view_by_external_id(external_id or "")
            if current is None:
                raise ApiError("not_found")
            if hash and hash != current.hash:
                raise ApiError("hash_conflict")
            updated = dataclasses.replace(
                current,
                definition=definition,
                type=str(definition.get("type", current.type)),
                hash=self._view_hash(),
                external_id=str(definition.get("external_id", current.external_id)),
            )
            self._views[current.id] = updated
            return updated

    def publish_home(self, user: UserRef, definition: Json, *, hash: str | None = None) -> View:
        with self._lock:
            current = self.home_view(user)
            if current is None:
                view = self.open_view(user, definition)
                self._home[view.user] = view.id
                return view
            return self.update_view(definition, view_id=current.id, hash=hash)

    def set_view_state(self, view_id: str, values: Json) -> View:
        with self._lock:
            current = self._views[view_id]
            updated = dataclasses.replace(current, state={"values": values})
            self._views[view_id] = updated
            return updated

    def close_view(self, view_id: str) -> None:
        with self._lock:
            current = self._views[view_id]
            self._views[view_id] = dataclasses.replace(current, is_open=False)

    def _view_by_external_id(self, external_id: str) -> View | None:
        return next((v for v in self._views.values() if external_id and v.external_id == external_id), None)

    def _view_hash(self) -> str:
        return f"{int(self.now())}.{url_secret()[:8]}"

    # -- file uploads ----------------------------------------------------------------------------------------

    def start_upload(self, filename: str, length: int, user: UserRef) -> PendingUpload:
        upload = PendingUpload(self.new_id("F"), filename, length, self._uid(user), url_secret())
        with self._lock:
            self._uploads[upload.file_id] = upload
        return upload

    def pending_upload(self, file_id: str) -> PendingUpload | None:
        with self._lock:
            return self._uploads.get(file_id)

    def receive_upload(self, secret: str, data: bytes) -> PendingUpload | None:
        with self._lock:
            upload = next((u for u in self._uploads.values() if u.secret == secret), None)
            if upload is None:
                return None
            received = dataclasses.replace(upload, data=data)
            self._uploads[upload.file_id] = received
            return received

    def complete_upload(self, file_id: str, title: str | None) -> File:
        """The file made from an uploaded file id (not yet shared anywhere)."""
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None or upload.data is None:
                raise ApiError("file_not_found")
            del self._uploads[file_id]
            return self.add_file(upload.filename, upload.data, user=upload.user, title=title, id=file_id)


def _micros(message: Message) -> int:
    return ts_to_micros(message.ts)


def _position(stored: list[Message], ts: str) -> int | None:
    """Where a message with `ts` is (or would go) in a channel's ts-ordered list; None for a malformed ts."""
    try:
        index = bisect.bisect_left(stored, ts_to_micros(ts), key=_micros)
    except ValueError:
        return None
    return index if index < len(stored) else None


def _find(values: dict[str, V], key: str, name_of: Callable[[V], str], what: str) -> V:
    if key in values:
        return values[key]
    for value in values.values():
        if name_of(value) == key:
            return value
    known = ", ".join(sorted(f"{name_of(v)} ({k})" for k, v in values.items()))
    raise LookupError(f"no {what} {key!r} in the workspace; known: {known}")
