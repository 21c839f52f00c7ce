"""The inbox worker: takes stored requests in order and hands each to its service
(docs/architecture.md, "The path of a message", step 3).

Rules:
- Rows are claimed with a lease, in order per conversation; the service's effects and "done" commit in one
  transaction, so a row is processed exactly once in effect, and a crash before the commit means it is
  processed again after the lease expires.
- Slack look-ups a service needs (the requester's profile) are made before the transaction and cached; files
  shared with a message for the intake are downloaded and saved before it too, and recorded in it.
- Every Slack request but a message has a route (bot.slack.routes); the gate (bot.slack.gate) checks the person
  against the route's role before its handler runs, and a refusal is all that row does. A payload with no route
  is dropped; one that names its request badly, or names one that does not exist, is dropped with one log line.
- Handlers (bot.slack.interactive, bot.slack.agent_desk, bot.slack.held_review, bot.slack.home) make their
  look-ups before the transaction and return what is done in it.
- An agent's :ticket: reaction is turned into the message it points at (conversations.replies, limit 1) before
  the transaction; the intake opens a request for it unless its thread already holds one.
- In a customer's channel (bot.slack.incoming): a customer's top-level message is for the intake (`auto`) or gets
  "Open a request?" (`ask`), whose "yes" opens a request of the message as a :ticket: would; a request there
  opens when the customer wrote. Only a question the bot asked may be answered, once, and only by the author of
  the message it is under (a button's value can name any message: docs/security.md, "Who may do what"). The
  first answer wins: a later press (a stale "yes" after "no", a second click, two clicks racing) changes
  nothing and gets an ephemeral saying it was answered already, and how.
- Emails (source "email") are read, parsed and their files saved by bot.email.service before the transaction,
  and handled in it; agents' decisions on held emails come as button clicks (bot.slack.held_review).
- A tracker's webhook (source "github" or "jira", stored by bot.integrations.trackers.door once its signature
  passed) is applied by bot.desk.defects to the requests that link the issue.
- What is said goes through bot.say.Say: Slack, and email to requesters who wrote by email. Each handler's act
  gets one bot.act.ActContext (the transaction, the intake, the Say, the clock).
- A failing row is put back and retried; after `max_attempts` it is dead and stays visible in `frontdesk
  status`, so one poisonous event never blocks a conversation for good.
- `process_once(now)` is the whole step, run by a bot.threads.runner.Runner woken when something is stored (or every
  second); tests call it directly with an injected clock.
"""

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.act import Act, ActContext
from bot.config.desk import DeskConfig
from bot.desk import defects
from bot.desk.actions import AgentActions
from bot.desk.intake.requests import Incoming, Intake, Profile
from bot.desk.outcomes import Actor, refused
from bot.email.ingest import mail_store
from bot.email.service import MailDesk
from bot.integrations.trackers import configured
from bot.monitoring.logs import log_scope
from bot.render import render
from bot.say import Say
from bot.slack.agent_desk import AgentDesk
from bot.slack.agents import Agents
from bot.slack.files import SlackFiles
from bot.slack.gate import Gate, refusal_act, where_told
from bot.slack.held_review import HeldReview
from bot.slack.home import HomeTab
from bot.slack.incoming import (
    described,
    from_staff,
    incoming_message,
    message_author,
    message_files,
    offered,
    reacted_message,
    ticket_reaction,
    written_at,
)
from bot.slack.interactive import Interactions
from bot.slack.lookups import LookupClient, Passing, retry_in
from bot.slack.membership import BotJoined
from bot.slack.routes import ROUTES, Malformed, Matched, acting_user, pressed, route_of
from bot.slack.say import offer_key_of
from bot.threads.heartbeat import Heartbeat
from bot.threads.pool import Pool
from bot.ways_in import IDS
from storage import inbox, outbox, tickets
from storage.attachments import AttachmentStore
from storage.engine import Database, Session
from storage.errors import DatabaseUnavailableError, LeaseLostError, StorageError

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=8)  # renewed every second while the row is worked on: a crash frees it within 8 s
BATCH = 5
URGENT = ("command:", "shortcut:", "block_actions:", "message_action:")  # keys of what holds a trigger id
GONE = frozenset({"thread_not_found", "channel_not_found", "message_not_found"})
MAX_ATTEMPTS = 5  # for a failure that does not pass by waiting (a bug, a permanent Slack error)
BUDGET = timedelta(hours=1)  # how long Slack may say "later" before the agents are told
SLOW = timedelta(minutes=10)  # the cadence of tries after that
GIVE_BACK_PAUSES = (0.2, 0.5, 1.0, 2.0)  # seconds between tries at giving a row back while the database fails


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` tries: 1, 2, 4 ... up to 300 seconds, jittered down by up to
    half so that rows failed together are not retried together."""
    seconds = min(2.0 ** max(attempts - 1, 0), 300.0)
    return timedelta(seconds=max(1.0, seconds * random.uniform(0.5, 1.0)))


Handler = Callable[[str, dict[str, Any], Matched], Act | None]


def _answered_already(key: str, body: dict[str, Any], channel: str, ts: str, user: str) -> Act:
    """A press on an "Open a request?" already answered: nothing changes; the presser is told, to them only,
    how it was answered (the request it opened, or none)."""

    def tell(ctx: ActContext) -> None:
        opened = tickets.find_ticket(ctx.session, slack_thread=(channel, ts))
        outcome = refused("offer_answered", opened.sr if opened else None, answer="yes" if opened else "no")
        text = render("slack/outcome.mrkdwn.j2", outcome=outcome)
        ctx.say.slack.refusal(text, user, where_told(body), key=f"{key}:answered_already")

    return tell


class Profiles:
    """Requesters' Slack profiles (users.info), cached for the life of the worker."""

    def __init__(self, client: WebClient) -> None:
        self._client, self._cache, self._lock = client, dict[str, Profile](), threading.Lock()

    def of(self, user: str) -> Profile:
        with self._lock:
            if user in self._cache:
                return self._cache[user]
        try:
            found = self._client.users_info(user=user)["user"]
        except SlackApiError as error:
            if retry_in(error) is not None:
                raise  # Slack said "later": the row waits, rather than open a request without the profile
            return Profile(user=user)
        details = found.get("profile") or {}
        profile = Profile(
            user=user,
            team=found.get("team_id"),
            name=found.get("real_name") or details.get("real_name") or found.get("name"),
            email=details.get("email") or None,
            phone=details.get("phone") or None,
            time_zone=found.get("tz"),
        )
        with self._lock:
            self._cache[user] = profile
        return profile


class InboxWorker:
    """Processes the inbox for one desk."""

    def __init__(
        self,
        database: Database,
        desk: DeskConfig,
        client: WebClient,
        *,
        bot_user: str,
        budget: timedelta = BUDGET,
        threads: int = 1,
        urgent_elsewhere: bool = False,
    ) -> None:
        self.database, self.desk, self.bot_user, self.budget = database, desk, bot_user, budget
        self._pool = Pool(threads, name="inbox")
        self._urgent_elsewhere = urgent_elsewhere  # the app's own thread takes urgent rows: no look before each row
        self._now = datetime.now(UTC)
        self.client = client = LookupClient(client, lambda: self._now)
        self.profiles = Profiles(client)
        store = AttachmentStore(
            desk.intake.attachments_folder,
            max_bytes=desk.intake.max_attachment_bytes,
            blocked_types=desk.intake.blocked_types,
        )
        self.files = SlackFiles(client, store)
        self.agents = Agents(client, desk.agents)
        self.interactions = Interactions(desk, client, self.profiles.of, self.files)
        self.agent_desk = AgentDesk(desk, self.agents, self.profiles.of)
        self.home = HomeTab(desk, self.agents, self.profiles.of)
        self.mail = MailDesk(desk, store, mail_store(desk.intake.attachments_folder))
        self.trackers = {tracker.name: tracker for tracker in configured.trackers(desk)}
        self.held = HeldReview(self.mail.release, self.agents, self.profiles.of)
        self.gate = Gate(database, self.agents)
        self.handlers = self._handlers()

    def _handlers(self) -> dict[str, Handler]:
        """The handler of each route named in bot.slack.routes; a route without one stops the worker at once."""
        interactions, agent_desk = self.interactions, self.agent_desk
        handlers: dict[str, Handler] = {
            "support_command": interactions.support_command,
            "support_shortcut": interactions.support_shortcut,
            "open_form": interactions.open_form,
            "answer": interactions.answer,
            "support_form": interactions.support_form,
            "agent_command": agent_desk.agent_command,
            "card": agent_desk.card,
            "resolution": agent_desk.resolution,
            "rating": agent_desk.rating,
            "agent_form": agent_desk.agent_form,
            "rating_comment": agent_desk.rating_comment,
            "held": self.held.held,
            "home": self.home.home,
            "ticket_reaction": self._ticket_reaction,
            "offer": self._offer,
            "bot_joined": BotJoined(self.bot_user).bot_joined,
        }
        missing = {route.handler for route in ROUTES} - set(handlers)
        if missing:
            raise LookupError(f"routes without a handler: {sorted(missing)}")
        return handlers

    def process_once(self, now: datetime) -> int:
        """Claim and process what is due, what holds a Slack trigger first (before every other row, too), the
        rows of each claim on the worker's threads; the number of rows taken."""
        self._now = now
        taken, limit = self.process_urgent(now), max(BATCH, self._pool.size)
        while claims := inbox.claim_inbox(self.database, now=now, lease_for=LEASE, limit=limit):
            with Heartbeat(lambda elapsed: self._renew(claims, now + elapsed)):
                urgent = self._pool.each(claims, lambda claim: self._urgent_then(claim, now))
            taken += len(claims) + sum(urgent)
            if len(claims) < limit:
                break
        return taken

    def _urgent_then(self, claim: inbox.InboxClaim, now: datetime) -> int:
        """What holds a trigger and was stored since the claim, then the row; how many urgent rows were taken."""
        taken = 0 if self._urgent_elsewhere else self.process_urgent(now)
        self._process(claim, now)
        return taken

    def process_urgent(self, now: datetime) -> int:
        """Process the rows holding a trigger (a command, a shortcut, a click): their view must open within 3 s."""
        self._now = now
        taken = 0
        while claims := inbox.claim_inbox(self.database, now=now, lease_for=LEASE, limit=BATCH, prefixes=URGENT):
            with Heartbeat(lambda elapsed: self._renew(claims, now + elapsed)):
                for claim in claims:
                    self._process(claim, now)
            taken += len(claims)
        return taken

    def close(self) -> None:
        """Ends the worker's threads once the work in hand is done."""
        self._pool.close()

    def _renew(self, claims: list[inbox.InboxClaim], now: datetime) -> None:
        inbox.renew_inbox(self.database, claims, until=now + LEASE)

    def _process(self, claim: inbox.InboxClaim, now: datetime) -> None:
        with log_scope(inbox_key=claim.key):  # every record of the row names it (docs/operations.md, "Logging")
            self._process_row(claim, now)

    def _process_row(self, claim: inbox.InboxClaim, now: datetime) -> None:
        try:
            act = self._prepare(claim)
            with self.database.write() as session:
                say = Say(session, self.desk, now)
                if act is not None:
                    act(ActContext(session, Intake(self.desk, say), say, now))
                inbox.complete_inbox(session, claim, now=now)
        except LeaseLostError:
            log.warning("inbox row %s was taken by another worker; its work here was rolled back", claim.key)
        except Exception as error:  # a failing row must not stop the others; it waits, then is retried
            passing = Passing("the database is unavailable") if isinstance(error, DatabaseUnavailableError) else None
            passing = passing or retry_in(error)
            if passing is None:
                log.exception("inbox row %s failed", claim.key)
            else:
                log.warning("inbox row %s waits: %s", claim.key, passing.reason)
            self._give_back(claim, passing, f"{type(error).__name__}: {error}", now)

    def _give_back(self, claim: inbox.InboxClaim, passing: Passing | None, error: str, now: datetime) -> None:
        """The row back in the inbox until its next try (dead only for a failure that does not pass, after
        `MAX_ATTEMPTS`); a database that fails meanwhile is tried again, since the lease must not be waited out."""
        for pause in (*GIVE_BACK_PAUSES, None):
            try:
                with self.database.write() as session:
                    self._retry_or_kill(session, claim, passing, error, now)
                return
            except LeaseLostError:
                return
            except StorageError:
                if pause is None:
                    log.exception("inbox row %s could not be given back; its lease ends in seconds", claim.key)
                    return
                time.sleep(pause)

    def _retry_or_kill(
        self, session: Session, claim: inbox.InboxClaim, passing: Passing | None, error: str, now: datetime
    ) -> None:
        if passing is None and claim.attempts >= MAX_ATTEMPTS:
            inbox.kill_inbox(session, claim, error=error)
            return
        wait = passing.wait if passing is not None and passing.wait is not None else backoff(claim.attempts)
        if passing is not None and now - claim.received_at >= self.budget:
            wait = max(wait, SLOW)
            say = Say(session, self.desk, now)
            say.slack.waiting_on_slack(
                acting_user(claim.payload), passing.reason, self.budget, SLOW, key=f"{claim.key}:waits"
            )
        inbox.retry_inbox(session, claim, error=error, at=now + wait)

    def _prepare(self, claim: inbox.InboxClaim) -> Act | None:
        """What the row does, its look-ups made; run in the worker's transaction."""
        if claim.source == "email":
            return self.mail.prepare(claim)
        if claim.source in self.trackers:  # a tracker's webhook, verified at the door (bot.desk.defects)
            tracker, payload = self.trackers[claim.source], claim.payload
            return lambda ctx: defects.apply_webhook(ctx.session, self.desk, ctx.say, tracker, payload, now=ctx.now)
        key, body = claim.key, claim.payload
        if key.startswith("message:"):
            return self._thread_message(key, body)
        try:
            matched = route_of(body)
        except Malformed as error:
            log.warning("inbox row %s dropped: %s", key, error)
            return None
        if matched is None:
            return None
        refusal = self.gate.check(matched)
        if refusal is not None:
            return refusal_act(refusal, key, body)
        if self.gate.names_no_request(matched):
            log.warning("inbox row %s dropped: %s names request id %s, which does not exist", key,
                        matched.route.name, matched.subject)  # fmt: skip
            return None
        return self.handlers[matched.route.handler](key, body, matched)

    def _thread_message(self, key: str, body: dict[str, Any]) -> Act | None:
        """A message for the intake (a new request, or in a request's thread), its files saved; in a customer's
        channel asking, "Open a request?" under a customer's message."""
        user = message_author(body)
        customer = self.desk.customer_for_channel(str((body.get("event") or {}).get("channel") or ""))
        staff = from_staff(body, is_agent=self.agents.is_agent(user)) if customer is not None else True
        if offered(body, bot_user=self.bot_user, customer=customer, by_staff=staff):
            event = body["event"]
            channel, ts = str(event["channel"]), str(event["ts"])
            return lambda ctx: ctx.say.slack.offer_request(channel, ts, user)
        profile = described(self.profiles.of(user), body)
        found = incoming_message(
            key,
            body,
            bot_user=self.bot_user,
            intake_channel=self.desk.intake_channel,
            profile=profile,
            customer=customer,
            by_staff=staff,
        )
        found = self._with_files(found, message_files(body), pointed_at=False)
        if found is None:
            return None
        incoming = replace(found, by_agent=self.agents.is_agent(found.profile.user))
        author = Actor(incoming.profile.user, incoming.by_agent, incoming.profile.name)

        def message(ctx: ActContext) -> None:
            desk, session, now = AgentActions(self.desk, ctx.say), ctx.session, ctx.now
            if incoming.channel == self.desk.agents_channel:
                desk.agent_wrote(session, incoming.thread_ts, incoming.text, author, now)
            elif (written := ctx.intake.message(session, incoming, now)) is not None:
                files = tuple((f.stored.name, f.stored.stored_path) for f in incoming.files if f.stored is not None)
                desk.thread_message(
                    session, written.ticket, incoming.text, author, now, incoming.key, files, written.writer
                )

        return message

    def _ticket_reaction(self, key: str, body: dict[str, Any], matched: Matched) -> Act | None:
        """An agent's :ticket: on a message: the message (conversations.replies) opens a request of its author."""
        target = ticket_reaction(body)
        message = self._message(*target) if target else None
        if target is None or message is None:
            return None
        found = reacted_message(key, target[0], message, bot_user=self.bot_user, profile_of=self.profiles.of)
        found = self._with_files(found, message_files({"event": message}), pointed_at=True)
        if found is None:
            return None
        in_customer_channel = self.desk.customer_for_channel(target[0]) is not None
        incoming = replace(found, written_at=written_at(found.ts)) if in_customer_channel else found

        def opens(ctx: ActContext) -> None:
            ctx.intake.opens(ctx.session, incoming, ctx.now)

        return opens

    def _offer(self, key: str, body: dict[str, Any], matched: Matched) -> Act | None:
        """The author's answer to "Open a request?": yes opens a request of their message (as a :ticket: would,
        its clock from when it was written), no only says so; the question then loses its buttons."""
        assert matched.message is not None
        channel, ts, author = matched.message
        answer = str(pressed(body).get("action_id") or "").removeprefix(IDS["offer"])
        answered = f"{offer_key_of(channel, ts)}:answered"
        if not self._offer_asked(channel, ts):
            log.warning("inbox row %s dropped: no question under the message it names", key)
            return None
        told = _answered_already(key, body, channel, ts, matched.user or author)
        if self._offer_answered(answered):
            return told
        message = self._message(channel, ts)
        if message is not None and message.get("user") != author:
            log.warning("inbox row %s dropped: the message it names is not its author's", key)
            return None
        incoming = self._offered_message(key, channel, message) if answer == "yes" and message else None

        def answers(ctx: ActContext) -> None:
            if outbox.outbox_entry(ctx.session, answered) is not None:
                told(ctx)  # answered meanwhile (two clicks racing)
                return
            if incoming is not None:
                ctx.intake.opens(ctx.session, incoming, ctx.now)
            ctx.say.slack.offer_answered(channel, ts, author, "yes" if incoming else "no", key=answered)

        return answers

    def _offer_asked(self, channel: str, ts: str) -> bool:
        """Whether the bot asked "Open a request?" under the message at (channel, ts): a button's value names any
        message it likes, so only the bot's own question may be answered."""
        with self.database.read() as session:
            return outbox.outbox_entry(session, offer_key_of(channel, ts)) is not None

    def _offer_answered(self, answered: str) -> bool:
        with self.database.read() as session:
            return outbox.outbox_entry(session, answered) is not None

    def _offered_message(self, key: str, channel: str, message: dict[str, Any]) -> Incoming | None:
        """The message "Open a request?" was asked under, as the intake's."""
        ts = str(message.get("ts") or "")
        found = reacted_message(key, channel, message, bot_user=self.bot_user, profile_of=self.profiles.of)
        found = self._with_files(found, message_files({"event": message}), pointed_at=True)
        if found is None:
            return None
        return replace(found, profile=described(found.profile, {"event": message}), written_at=written_at(ts))

    def _message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The message at (channel, ts), or None when Slack no longer shows it."""
        try:
            found = self.client.conversations_replies(channel=channel, ts=ts, limit=1, inclusive=True)["messages"]
        except SlackApiError as error:
            if error.response.get("error") in GONE:
                return None
            raise
        return next((message for message in found if message.get("ts") == ts), None)

    def _with_files(
        self, incoming: Incoming | None, listed: list[dict[str, Any]], *, pointed_at: bool
    ) -> Incoming | None:
        """The message with its files saved, when it opens a request or is in the thread of one."""
        if incoming is None or not listed:
            return incoming
        if pointed_at or not incoming.is_top_level:
            with self.database.read() as session:
                held = tickets.find_ticket(session, slack_thread=(incoming.channel, incoming.thread_ts)) is not None
            if held is pointed_at:  # a pointed-at message opens only where no request is; a reply joins one
                return incoming
        return replace(incoming, files=self.files.fetch(listed))
