"""What the bot says in Slack, rendered from templates and stored as outbox rows (never sent from here): the Slack
side of bot.say.Say, a peer of bot.email.say (neither imports the other).

Rules (docs/architecture.md, "Layers"; the delivery contract in bot/delivery):
- Every word comes from templates/slack/; user text is escaped for mrkdwn (`&`, `<`, `>`) by the templates, so
  it can never ping anyone, and nothing is sent with `link_names` or `parse=full`.
- Each saying is one outbox row with an idempotency key: saying the same thing twice stores it once.
- The intake status of a request is one message in its thread, posted once and then updated in place, with a
  "Fill in the form" button while something is missing; questions with ready answers carry them as buttons,
  and a pressed question is updated to show the answer, without buttons.
- A request opened from the form has no thread yet: its status message is posted in the requester's DM and
  becomes the request's thread once sent (`anchors`); everything else said follows it (`thread_of`). A request
  opened by email has its thread opened by the email itself, shown in the intake channel (`show_email`).
- Text longer than Slack takes is cut with a visible marker.
"""

import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config.desk import NOBODY, DeskConfig, People
from bot.delivery.slack_payload import FILE_UPLOAD, RESPONSE_URL, SlackPayload, enqueue_slack
from bot.desk.actions import CardView
from bot.desk.intake.answers import Refused
from bot.desk.intake.draft import Draft
from bot.desk.intake.requests import Files
from bot.desk.outage import IncidentReport
from bot.desk.reminders import Reminder
from bot.render import render, render_json
from bot.reports.formats import compliance_by_priority
from bot.reports.monthly import Report
from bot.slack.mentions import mentions as markup
from sla.clocks import Clocks
from sla.durations import NextRelease
from sla.policy import PolicyLookupError
from storage import outbox, people
from storage.engine import Session
from storage.kinds import TicketStatus
from storage.numbers import format_sr
from storage.outbox import DeadLetter
from storage.tickets import TicketRecord

MAX_TEXT = 39_000
DIGEST_ITEMS = 100  # reminders per digest message: at most about 20,000 characters, well under MAX_TEXT
DOUBLE_CLICK = timedelta(seconds=5)


class SlackSayer:
    """Says things about requests, in the transaction of `session`."""

    def __init__(self, session: Session, desk: DeskConfig, now: datetime) -> None:
        self.session, self.desk, self.now = session, desk, now

    def intake_status(
        self, ticket: TicketRecord, draft: Draft, missing: tuple[str, ...], zone: ZoneInfo, *, key: str
    ) -> None:
        suggested = self.desk.policy.suggested_priority(draft.impact, draft.urgency)
        text = render(
            "slack/intake_status.mrkdwn.j2",
            draft=draft,
            missing=missing,
            has_matrix=self._has_matrix,
            zone=zone,
            suggested=self.desk.policy.priority(suggested) if suggested else None,
            private=is_private(ticket),
        )
        blocks = render_json("slack/intake_status.blocks.json.j2", text=text, missing=missing, ticket=ticket)
        status_key = status_key_of(ticket)
        if not self._post(ticket, status_key, text, thread=True, blocks=blocks):
            args = {"channel": ticket.slack_channel, "text": _cut(text), "blocks": blocks}
            self._enqueue(ticket, key, "chat.update", args, update_of=status_key)

    def ask(self, ticket: TicketRecord, field: str, refused: Refused | None, *, key: str) -> None:
        """The question in the request's thread. Where others can read it, the contact details are shown, and
        confirmed, in an ephemeral message to the requester only (docs/security.md, "Personal data")."""
        matrix, private = self.desk.policy.matrix, is_private(ticket)
        text = render(
            "slack/ask.mrkdwn.j2", field=field, refused=refused, matrix=matrix, private=private, ticket=ticket
        )
        blocks = render_json(
            "slack/ask.blocks.json.j2", text=text, field=field, ticket=ticket, matrix=matrix, private=private
        )
        self._post(ticket, key, text, thread=True, blocks=blocks)
        if field == "contact" and not private:
            self._contact_privately(ticket, key=f"{key}:private")

    def _contact_privately(self, ticket: TicketRecord, *, key: str) -> None:
        user = people.requester_user(self.session, ticket.requester_id) if ticket.requester_id else None
        if not (user and ticket.slack_channel and ticket.slack_thread_ts):
            return  # an email requester is asked by email; nobody in Slack sees their details
        text = render("slack/contact_private.mrkdwn.j2", ticket=ticket)
        blocks = render_json("slack/contact_private.blocks.json.j2", text=text, ticket=ticket)
        args = {"channel": ticket.slack_channel, "user": user, "thread_ts": ticket.slack_thread_ts}
        self._enqueue(ticket, key, "chat.postEphemeral", {**args, "text": _cut(text), "blocks": blocks})

    def answered_in_words(self, ticket: TicketRecord, *, key: str) -> None:
        """The last question, once answered by a message, loses its buttons (its text stays)."""
        asked = outbox.latest_of_ticket(self.session, ticket.id, ":ask")
        if asked is None:
            return
        asked_key, payload = asked
        blocks = payload.get("args", {}).get("blocks") or []
        kept = [block for block in blocks if block.get("type") != "actions"]
        if len(kept) == len(blocks):
            return  # it had no buttons
        args = {"channel": ticket.slack_channel, "text": payload["args"].get("text", ""), "blocks": kept}
        self._enqueue(ticket, key, "chat.update", args, update_of=asked_key)

    def answered(
        self, ticket: TicketRecord, field: str, label: str, message: tuple[str, str], *, key: str, ephemeral: str = ""
    ) -> None:
        """The question whose button was pressed, shown with the answer and without its buttons: updated in place,
        or, for an ephemeral question (which chat.update cannot reach), replaced through its `ephemeral`
        response_url."""
        matrix, private = self.desk.policy.matrix, is_private(ticket)
        question = render(
            "slack/ask.mrkdwn.j2", field=field, refused=None, matrix=matrix, private=private, ticket=ticket
        ).strip()
        text = render("slack/answered.mrkdwn.j2", question=question, label=label)
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": _cut(text)[:2900]}}]
        if ephemeral:
            args = {"url": ephemeral, "text": _cut(text), "blocks": blocks, "replace_original": True}
            enqueue_slack(self.session, key=key, payload=SlackPayload(RESPONSE_URL, args), now=self.now)
            return
        channel, ts = message
        self._enqueue(ticket, key, "chat.update", {"channel": channel, "ts": ts, "text": _cut(text), "blocks": blocks})

    def open_view(self, view: dict[str, Any], trigger_id: str, *, key: str, once: str | None = None) -> None:
        """A modal for the person whose click or command gave `trigger_id` (good for 3 seconds). With `once` (a
        key prefix naming the form and the person), the same form opened again within DOUBLE_CLICK is a
        double click, and opens nothing."""
        if once is not None:
            if outbox.stored_since(self.session, once, self.now - DOUBLE_CLICK):
                return
            key = once + key
        payload = SlackPayload("views.open", {"trigger_id": trigger_id, "view": view})
        enqueue_slack(self.session, key=key, payload=payload, now=self.now)

    def completed(self, ticket: TicketRecord, state: Clocks, zone: ZoneInfo, *, key: str) -> None:
        response = next((target for target in state.targets if target.name == "response"), None)
        due = response.due_at.astimezone(zone) if response and response.due_at else None
        text = render("slack/completed.mrkdwn.j2", sr=format_sr(ticket.sr_number), due=due, zone=zone.key)
        self._post(ticket, key, text, thread=True)

    def triage_card(self, ticket: TicketRecord, draft: Draft, state: Clocks, files: Files, *, key: str) -> None:
        """The new request's card, and its files shared in the card's thread for the agents."""
        self.card(CardView(ticket, state, len(draft.attachments), None, "new"), key=key)
        self._share(ticket, files, {"channel": self.desk.agents_channel}, card_key_of(ticket), key=key)

    def card(self, view: CardView, *, key: str) -> None:
        """The request's triage card in the agents channel: posted once (its thread is the agents' thread of the
        request), then updated in place."""
        text = self.card_text(view)
        blocks = render_json(
            "slack/triage_card.blocks.json.j2", view=view, text=text, priorities=self.desk.policy.priorities
        )
        args = {"channel": self.desk.agents_channel, "text": _cut(text), "blocks": blocks}
        card_key = card_key_of(view.ticket)
        if not self._enqueue(view.ticket, card_key, "chat.postMessage", args, anchors="agents"):
            self._enqueue(view.ticket, key, "chat.update", args, update_of=card_key)

    def respond(self, response_url: str, text: str, *, key: str) -> None:
        """An answer only the person who typed the command (or pressed the button) sees."""
        payload = SlackPayload(RESPONSE_URL, {"url": response_url, "text": _cut(text), "response_type": "ephemeral"})
        enqueue_slack(self.session, key=key, payload=payload, now=self.now)

    def refusal(self, text: str, user: str, where: dict[str, str], *, key: str) -> None:
        """Why the person may not do what they tried, to them only: through `where`'s response_url, else as an
        ephemeral message in its channel, else in their DM with the bot."""
        if where.get("response_url"):
            self.respond(where["response_url"], text, key=key)
            return
        if where.get("channel"):
            args = {"channel": where["channel"], "user": user, "text": _cut(text)}
            payload = SlackPayload("chat.postEphemeral", args)
        else:
            payload = SlackPayload("chat.postMessage", {"channel": user, "text": _cut(text)})
        enqueue_slack(self.session, key=key, payload=payload, now=self.now)

    def waiting_on_slack(self, user: str, reason: str, waited: timedelta, every: timedelta, *, key: str) -> None:
        """Once (per `key`): something `user` sent has waited `waited` on Slack, and is tried again every `every`."""
        values = {"user": user, "reason": reason, "waited": waited, "every": every}
        text = render("slack/waiting_on_slack.mrkdwn.j2", **values)
        payload = SlackPayload("chat.postMessage", {"channel": self.desk.agents_channel, "text": _cut(text)})
        enqueue_slack(self.session, key=key, payload=payload, now=self.now)

    def publish_home(self, user: str, view: Any, *, key: str) -> None:
        """A person's Home tab."""
        payload = SlackPayload("views.publish", {"user_id": user, "view": view})
        enqueue_slack(self.session, key=key, payload=payload, now=self.now)

    def card_text(self, view: CardView) -> str:
        """The card's text alone (for `/frontdesk show`)."""
        zone, releases = self.desk.policy.calendar.zone, self._release_targets(view.state)
        return render("slack/triage_card.mrkdwn.j2", view=view, zone=zone, releases=releases)

    def _release_targets(self, state: Clocks) -> frozenset[str]:
        """The request's targets due at a release (`next_release`), whose due time the card shows as that release."""
        try:
            targets = self.desk.policy.targets(state.plan, state.kind, state.priority)
        except PolicyLookupError:
            return frozenset()
        return frozenset(target.name for target in targets if isinstance(target.duration, NextRelease))

    def to_requester(self, ticket: TicketRecord, what: str, details: dict[str, str], *, key: str) -> None:
        """What the support team says to the requester, in their thread."""
        text = render("slack/to_requester.mrkdwn.j2", what=what, details=details)
        blocks = render_json("slack/to_requester.blocks.json.j2", what=what, text=text, ticket=ticket)
        self._post(ticket, key, text, thread=True, blocks=blocks)

    def to_agents(
        self,
        ticket: TicketRecord,
        what: str,
        details: dict[str, str],
        *,
        key: str,
        files: Files = (),
        mentions: People = NOBODY,
    ) -> None:
        """A message in the card's thread in the agents channel, mentioning `mentions`."""
        text = render("slack/to_agents.mrkdwn.j2", what=what, details=details, mentions=markup(mentions))
        args: dict[str, Any] = {"channel": self.desk.agents_channel, "text": _cut(text)}
        if ticket.agents_thread_ts:
            self._enqueue(ticket, key, "chat.postMessage", {**args, "thread_ts": ticket.agents_thread_ts})
            self._share(ticket, files, {**args, "thread_ts": ticket.agents_thread_ts}, None, key=key)
        elif ticket.status == TicketStatus.INTAKE:  # no card yet: at the top of the agents channel
            self._enqueue(ticket, key, "chat.postMessage", args)
            self._share(ticket, files, args, None, key=key)
        else:
            self._enqueue(ticket, key, "chat.postMessage", args, thread_of=card_key_of(ticket))
            self._share(ticket, files, args, card_key_of(ticket), key=key)

    def announce(self, ticket_id: int | None, channel: str, what: str, details: dict[str, str], *, key: str) -> None:
        """A notice to customers, top level in one of their channels (or the announcements channel)."""
        text = render("slack/notice.mrkdwn.j2", what=what, details=details, zone=self.desk.policy.calendar.zone)
        payload = SlackPayload("chat.postMessage", {"channel": channel, "text": _cut(text)})
        enqueue_slack(self.session, key=key, payload=payload, now=self.now, ticket_id=ticket_id)

    def postmortem(self, report: IncidentReport, *, key: str) -> None:
        """The Major Incident Report's draft, in the card's thread."""
        text = render("slack/postmortem.mrkdwn.j2", report=report, zone=self.desk.policy.calendar.zone)
        self._in_card_thread(report.ticket, text, key=key)

    def reminder(self, reminder: Reminder, mentions: People, *, key: str) -> None:
        """A warning, breach, escalation or update nag, in the card's thread, mentioning who it is for."""
        zone = self.desk.policy.calendar.zone
        text = render("slack/reminder.mrkdwn.j2", r=reminder, mentions=markup(mentions), zone=zone)
        self._in_card_thread(reminder.ticket, text, key=key)

    def digest(self, items: list[Reminder], *, key: str) -> None:
        """Many reminders at once: one message in the agents channel, or one per `DIGEST_ITEMS` of them (their
        parts numbered), so none is cut off."""
        parts = [items[start : start + DIGEST_ITEMS] for start in range(0, len(items), DIGEST_ITEMS)]
        for number, part in enumerate(parts, start=1):
            text = render("slack/digest.mrkdwn.j2", items=part, total=len(items), part=number, parts=len(parts),
                          zone=self.desk.policy.calendar.zone)  # fmt: skip
            payload = SlackPayload("chat.postMessage", {"channel": self.desk.agents_channel, "text": _cut(text)})
            enqueue_slack(self.session, key=key if number == 1 else f"{key}:{number}", payload=payload, now=self.now)

    def monthly_report(self, report: Report, channel: str, chart: Path, *, key: str) -> None:
        """A month's report in `channel`, its chart in the message's thread (Slack's external upload)."""
        text = render("slack/monthly_report.mrkdwn.j2", report=report, compliance=compliance_by_priority(report))
        message = SlackPayload("chat.postMessage", {"channel": channel, "text": _cut(text)})
        enqueue_slack(self.session, key=key, payload=message, now=self.now)
        name = f"sla-report-{report.month}.png"
        upload = {"channel": channel, "path": str(chart), "filename": name, "title": name}
        enqueue_slack(
            self.session, key=f"{key}:chart", payload=SlackPayload(FILE_UPLOAD, upload, thread_of=key), now=self.now
        )

    def dead_letters(self, letters: list[DeadLetter], *, key: str) -> None:
        """The agents are told of messages that could not be delivered (`frontdesk status` lists them)."""
        text = render("slack/dead_letters.mrkdwn.j2", letters=letters)
        payload = SlackPayload("chat.postMessage", {"channel": self.desk.agents_channel, "text": _cut(text)})
        enqueue_slack(self.session, key=key, payload=payload, now=self.now)

    def offer_request(self, channel: str, ts: str, author: str) -> None:
        """ "Open a request?" in the thread of a customer's message (channel_mode "ask"), once per message."""
        self._offer(channel, ts, author, None)

    def offer_answered(self, channel: str, ts: str, author: str, answer: str, *, key: str) -> None:
        """The question of `offer_request`, updated with the author's answer and without its buttons."""
        self._offer(channel, ts, author, answer, key=key)

    def _offer(self, channel: str, ts: str, author: str, answer: str | None, *, key: str | None = None) -> None:
        values = {"author": author, "answer": answer, "value": f"{channel}|{ts}|{author}"}
        text = render("slack/offer_request.mrkdwn.j2", **values)
        blocks = render_json("slack/offer_request.blocks.json.j2", text=text, **values)
        args = {"channel": channel, "text": _cut(text), "blocks": blocks, **({} if answer else {"thread_ts": ts})}
        offer = offer_key_of(channel, ts)
        method, update_of = ("chat.update", offer) if answer else ("chat.postMessage", None)
        payload = SlackPayload(method, args, update_of=update_of)
        enqueue_slack(self.session, key=key or offer, payload=payload, now=self.now)

    def channel_waiting(self, channel: str, bot_user: str, *, key: str) -> None:
        """The agents are told that what the bot says in `channel` waits until it is invited there."""
        text = render("slack/channel_waiting.mrkdwn.j2", channel=channel, bot_user=bot_user)
        payload = SlackPayload("chat.postMessage", {"channel": self.desk.agents_channel, "text": _cut(text)})
        enqueue_slack(self.session, key=key, payload=payload, now=self.now)

    def _in_card_thread(self, ticket: TicketRecord, text: str, *, key: str) -> None:
        args: dict[str, Any] = {"channel": self.desk.agents_channel, "text": _cut(text)}
        if ticket.agents_thread_ts:
            self._enqueue(ticket, key, "chat.postMessage", {**args, "thread_ts": ticket.agents_thread_ts})
        else:
            self._enqueue(ticket, key, "chat.postMessage", args, thread_of=card_key_of(ticket))

    def _share(
        self, ticket: TicketRecord, files: Files, where: dict[str, Any], thread_of: str | None, *, key: str
    ) -> None:
        """Files kept with the request, shared (uploaded again) where the agents see them."""
        folder = self.desk.intake.attachments_folder
        for index, (name, stored_path) in enumerate(files):
            args = {"channel": where["channel"], "path": str(folder / stored_path), "filename": name, "title": name}
            if where.get("thread_ts"):
                args["thread_ts"] = where["thread_ts"]
            self._enqueue(ticket, f"{key}:file:{index}", FILE_UPLOAD, args, thread_of=thread_of)

    def show_email(
        self, ticket: TicketRecord, details: dict[str, str], files: Files, *, opened: bool, key: str
    ) -> None:
        """An email of the request shown in its Slack thread (with its files) with the request's SR number; the one
        that `opened` it starts the thread."""
        text = render("slack/email.mrkdwn.j2", opened=opened, files=len(files), sr=ticket.sr, **details)
        anchor = anchor_key_of(ticket)
        if opened:
            args = {"channel": ticket.slack_channel, "text": _cut(text)}
            self._enqueue(ticket, anchor, "chat.postMessage", args, anchors="requester")
            self._share(ticket, files, {"channel": ticket.slack_channel}, anchor, key=anchor)
            return
        self._post(ticket, key, text, thread=True)
        where = {"channel": ticket.slack_channel, "thread_ts": ticket.slack_thread_ts}
        self._share(ticket, files, where, None if ticket.slack_thread_ts else anchor, key=key)

    def held_email(self, record_id: int, details: dict[str, str]) -> None:
        """An email held for the agents' review, with its buttons, once per email; `held_decided` updates it."""
        key = held_key_of(record_id)
        self._agents_post(key, "slack/held_email", record_id=record_id, details=details, decision=None)

    def held_decided(
        self, record_id: int, details: dict[str, str], decision: str, sr: str, agent: str, *, key: str
    ) -> None:
        """A held email's post, updated with the agent's decision (and without its buttons)."""
        values = {"record_id": record_id, "details": details, "decision": decision, "sr": sr, "agent": agent}
        self._agents_post(key, "slack/held_email", update_of=held_key_of(record_id), **values)

    def mail_flood(self, sender: str, rate: int, *, key: str) -> None:
        """A sender went over the email rate: told to the agents once per sender and hour."""
        text = render("slack/mail_flood.mrkdwn.j2", sender=sender, rate=rate)
        payload = SlackPayload("chat.postMessage", {"channel": self.desk.agents_channel, "text": _cut(text)})
        enqueue_slack(self.session, key=key, payload=payload, now=self.now)

    def _agents_post(self, key: str, template: str, update_of: str | None = None, **values: Any) -> None:
        text = render(f"{template}.mrkdwn.j2", **values)
        blocks = render_json(f"{template}.blocks.json.j2", text=text, **values)
        args = {"channel": self.desk.agents_channel, "text": _cut(text), "blocks": blocks}
        method = "chat.update" if update_of else "chat.postMessage"
        payload = SlackPayload(method, args, update_of=update_of)
        enqueue_slack(self.session, key=key, payload=payload, now=self.now)

    def file_too_large(self, ticket: TicketRecord, name: str, limit: int, *, key: str) -> None:
        text = render("slack/file_too_large.mrkdwn.j2", name=name, limit_mb=limit / (1024 * 1024))
        self._post(ticket, key, text, thread=True)

    @property
    def _has_matrix(self) -> bool:
        return self.desk.policy.matrix is not None

    def _post(
        self, ticket: TicketRecord, key: str, text: str, *, thread: bool, blocks: list[Any] | None = None
    ) -> bool:
        """A message in the request's channel, in its thread when `thread`. A request whose thread the bot
        opens itself (from the form, or by email) has none yet: its anchor message starts it, and the rest follow
        it."""
        args: dict[str, Any] = {"channel": ticket.slack_channel, "text": _cut(text)}
        if blocks is not None:
            args["blocks"] = blocks
        anchor = anchor_key_of(ticket)
        if not thread or ticket.slack_thread_ts:
            if thread:
                args["thread_ts"] = ticket.slack_thread_ts
            return self._enqueue(ticket, key, "chat.postMessage", args)
        if key == anchor:
            return self._enqueue(ticket, key, "chat.postMessage", args, anchors="requester")
        return self._enqueue(ticket, key, "chat.postMessage", args, thread_of=anchor)

    def _enqueue(
        self,
        ticket: TicketRecord,
        key: str,
        method: str,
        args: dict[str, Any],
        update_of: str | None = None,
        thread_of: str | None = None,
        anchors: str | None = None,
    ) -> bool:
        payload = SlackPayload(method, args, update_of=update_of, thread_of=thread_of, anchors=anchors)
        return enqueue_slack(self.session, key=key, payload=payload, now=self.now, ticket_id=ticket.id)

    def intake_reminder(self, ticket: TicketRecord, closes_in: timedelta, *, key: str) -> bool:
        hours = max(1, math.ceil(closes_in.total_seconds() / 3600))
        text = render("slack/intake_reminder.mrkdwn.j2", missing=ticket.missing_fields, closes_in_hours=hours)
        return self._post(ticket, key, text, thread=True)

    def comment_kept(self, ticket: TicketRecord, user: str, *, key: str) -> None:
        """To `user` only, in the request's thread: their message went to the agents as a comment."""
        if ticket.slack_channel and ticket.slack_thread_ts:
            text = render("slack/comment_kept.mrkdwn.j2", sr=ticket.sr)
            args = {"channel": ticket.slack_channel, "user": user, "thread_ts": ticket.slack_thread_ts, "text": text}
            self._enqueue(ticket, key, "chat.postEphemeral", args)

    def intake_closed(self, ticket: TicketRecord, *, key: str) -> None:
        text = render("slack/intake_closed.mrkdwn.j2", missing=ticket.missing_fields)
        self._post(ticket, key, text, thread=True)

    def file_refused(self, ticket: TicketRecord, name: str, content_type: str, *, key: str) -> None:
        text = render("slack/file_refused.mrkdwn.j2", name=name, content_type=content_type)
        self._post(ticket, key, text, thread=True)


def card_key_of(ticket: TicketRecord) -> str:
    """The idempotency key of the request's triage card (the one card updated in place)."""
    return f"ticket:{ticket.id}:card"


def offer_key_of(channel: str, ts: str) -> str:
    """The outbox key of "Open a request?" under the message at (channel, ts)."""
    return f"offer:{channel}:{ts}"


def held_key_of(record_id: int) -> str:
    """The idempotency key of the post that shows a held email to the agents."""
    return f"email:held:{record_id}"


def anchor_key_of(ticket: TicketRecord) -> str:
    """The idempotency key of the message that opens a request's thread when the bot opens it: the email that
    opened it, else its intake status message."""
    return f"ticket:{ticket.id}:email" if ticket.email_thread_id else status_key_of(ticket)


def status_key_of(ticket: TicketRecord) -> str:
    """The idempotency key of the request's intake status message (the one message updated in place)."""
    return f"ticket:{ticket.id}:status"


def is_private(ticket: TicketRecord) -> bool:
    """Whether the request's conversation is the requester's DM with the bot, which nobody else reads."""
    return (ticket.slack_channel or "").startswith("D")


def _cut(text: str) -> str:
    text = text.rstrip()
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "\n… (cut: the full text is kept with the request)"
