"""Slash commands, shortcuts, buttons and forms from Slack, turned into calls of the intake service.

Rules (issue 4, "Ways in" and "The intake conversation"):
- `/support` opens the support form for a new request, prefilled with the requester's contact details from
  their profile and with what they typed after the command as the description; so does the global shortcut
  `support_request`. `/support status` opens a modal listing the requester's own requests, nobody else's.
- "Fill in the form" on a request's status message opens that request's form, prefilled, while it is in
  intake; once the request is complete it opens nothing.
- A button under a question answers it (`Intake.press`); when the answer is taken, the question is updated to
  show it, without buttons. A second click of a question already answered changes nothing.
- A submitted form fills in its request, or opens a new one whose conversation is the requester's DM with the
  bot (conversations.open), for the customer of the channel /support was typed in (if any, else by email);
  files attached in the form are saved like a message's.
- A double click (the same form opened again for the same person within seconds) opens one form.
- Look-ups (profile, DM channel, files) are made by `prepare`, before the worker's transaction; what it
  returns runs inside it. Modals go out through the outbox like everything else (views.open is never held
  back, since a trigger id expires in 3 seconds).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bot.desk_config import DeskConfig
from bot.intake.requests import FormSubmission, Intake, Pressed, Profile
from bot.render import render_json
from bot.slack.files import SlackFiles
from bot.slack.form_view import FormTarget, form_values, form_view, is_support_form
from bot.slack.incoming import acting_user
from bot.slack.say import SlackSayer
from storage.engine import Session

SUPPORT_COMMAND = "/support"
SHORTCUT = "support_request"
OPEN_FORM = "open_form"
ANSWER = "answer:"
LISTED = 20  # requests shown by /support status

Act = Callable[[Session, Intake, SlackSayer, datetime], None]


class Interactions:
    """Prepares what commands, shortcuts, button clicks and form submissions do."""

    def __init__(
        self, desk: DeskConfig, client: WebClient, profiles: Callable[[str], Profile], files: SlackFiles
    ) -> None:
        self.desk, self.client, self.profile_of, self.files = desk, client, profiles, files

    def prepare(self, key: str, body: dict[str, Any]) -> Act | None:
        """What the stored request `body` does, its look-ups made; None when it does nothing."""
        if body.get("command") == SUPPORT_COMMAND:
            return self._command(key, body)
        if body.get("type") == "shortcut" and body.get("callback_id") == SHORTCUT:
            return self._new_form(key, acting_user(body), str(body.get("trigger_id") or ""), "", None)
        if body.get("type") == "block_actions":
            return self._action(key, body)
        if is_support_form(body):
            return self._submission(key, body)
        return None

    def _command(self, key: str, body: dict[str, Any]) -> Act:
        text, trigger = str(body.get("text") or "").strip(), str(body.get("trigger_id") or "")
        profile = self.profile_of(str(body.get("user_id") or ""))
        if text.lower() != "status":
            return self._new_form(key, profile.user, trigger, text, str(body.get("channel_id") or "") or None)

        def status(session: Session, intake: Intake, say: SlackSayer, now: datetime) -> None:
            requests, more = intake.requests_of(session, profile, LISTED)
            view = render_json("slack/my_requests.json.j2", requests=requests, more=more, zone=profile.zone, now=now)
            say.open_view(view, trigger, key=f"{key}:view")

        return status

    def _new_form(self, key: str, user: str, trigger: str, text: str, channel: str | None) -> Act:
        profile = self.profile_of(user)

        def open_form(session: Session, intake: Intake, say: SlackSayer, now: datetime) -> None:
            view = form_view(self.desk, intake.new_draft(profile, text), FormTarget(channel=channel), None)
            say.open_view(view, trigger, key=f"{key}:view", once=f"form:new:{user}:")

        return open_form

    def _action(self, key: str, body: dict[str, Any]) -> Act | None:
        actions = body.get("actions") or [{}]
        pressed = actions[0] if isinstance(actions[0], dict) else {}
        action_id, trigger = str(pressed.get("action_id") or ""), str(body.get("trigger_id") or "")
        if action_id == OPEN_FORM and str(pressed.get("value") or "").isdigit():
            return self._form_of(key, int(pressed["value"]), acting_user(body), trigger)
        parts = str(pressed.get("block_id") or "").split("|")
        if action_id.startswith(ANSWER) and len(parts) == 3 and parts[1].isdigit():
            container = body.get("container") or {}
            message = (str(container.get("channel_id") or ""), str(container.get("message_ts") or ""))
            label = str((pressed.get("text") or {}).get("text") or pressed.get("value") or "")
            answer = Pressed(
                key, int(parts[1]), parts[2], str(pressed.get("value") or ""), self.profile_of(acting_user(body))
            )
            return self._press(answer, message, label)
        return None

    def _form_of(self, key: str, ticket_id: int, user: str, trigger: str) -> Act:
        def open_form(session: Session, intake: Intake, say: SlackSayer, now: datetime) -> None:
            found = intake.form_draft(session, ticket_id)
            if found is not None:
                ticket, draft = found
                view = form_view(self.desk, draft, FormTarget(ticket.id, len(draft.attachments)), ticket.sr)
                say.open_view(view, trigger, key=f"{key}:view", once=f"form:{ticket.id}:{user}:")

        return open_form

    def _press(self, pressed: Pressed, message: tuple[str, str], label: str) -> Act:
        def press(session: Session, intake: Intake, say: SlackSayer, now: datetime) -> None:
            ticket = intake.press(session, pressed, now)
            if ticket is not None and all(message):
                say.answered(ticket, pressed.field, label, message, key=f"{pressed.key}:answered")

        return press

    def _submission(self, key: str, body: dict[str, Any]) -> Act:
        view = body["view"]
        values, target = form_values(view), FormTarget.of(view)
        profile = self.profile_of(acting_user(body))
        channel = None if target.ticket_id is not None else self._dm_with(profile.user)
        files = self.files.fetch([{"id": file_id} for file_id in values.files])
        form = FormSubmission(key, profile, values, target.ticket_id, channel, files, target.channel)

        def submit(session: Session, intake: Intake, say: SlackSayer, now: datetime) -> None:
            intake.submit_form(session, form, now)

        return submit

    def _dm_with(self, user: str) -> str:
        """The bot's DM channel with `user` (conversations.open gives the same one every time)."""
        return str(self.client.conversations_open(users=user)["channel"]["id"])
