"""Slash commands, shortcuts, buttons and forms from Slack, turned into calls of the intake service.

Rules (docs/slack.md, "Running it with Slack"; who may use each is bot.slack.routes', checked by bot.slack.gate first):
- `/support` opens the support form for a new request, prefilled with the requester's contact details from
  their profile and with what they typed after the command as the description; so does the global shortcut
  `support_request`. `/support status` opens a modal listing the requester's own requests, nobody else's.
- "Fill in the form" on a request's status message opens that request's form, prefilled, while it is in
  intake; once the request is complete it opens nothing.
- A button under a question answers it (`Intake.press`); when the answer is taken, the question is updated to
  show it, without buttons (an ephemeral one, the contact question in a shared thread, through its
  response_url). A second click of a question already answered changes nothing.
- A submitted form fills in its request, or opens a new one whose conversation is the requester's DM with the
  bot (conversations.open), for the customer of the channel /support was typed in (if any, else by email);
  files attached in the form are saved like a message's.
- A double click (the same form opened again for the same person within seconds) opens one form.
- Look-ups (profile, DM channel, files) are made by the route's handler, before the worker's transaction; the
  act it returns runs inside it. Modals go out through the outbox like everything else (views.open is never held
  back, since a trigger id expires in 3 seconds).
"""

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.act import Act, ActContext
from bot.config.desk import DeskConfig
from bot.desk.intake.requests import FormSubmission, Pressed, Profile
from bot.render import render_json
from bot.slack.files import SlackFiles
from bot.slack.form_view import FormTarget, form_values, form_view
from bot.slack.routes import Matched, pressed

LISTED = 20  # requests shown by /support status


class Interactions:
    """Prepares what commands, shortcuts, button clicks and form submissions do; each method is the handler of
    its route in bot.slack.routes, called once the gate let the person through."""

    def __init__(
        self, desk: DeskConfig, client: WebClient, profiles: Callable[[str], Profile], files: SlackFiles
    ) -> None:
        self.desk, self.client, self.profile_of, self.files = desk, client, profiles, files

    def support_command(self, key: str, body: dict[str, Any], matched: Matched) -> Act:
        """`/support [text]` opens the form of a new request; `/support status` lists the person's own."""
        return self._command(key, body)

    def support_shortcut(self, key: str, body: dict[str, Any], matched: Matched) -> Act:
        return self._new_form(key, matched.user, str(body.get("trigger_id") or ""), "", None)

    def open_form(self, key: str, body: dict[str, Any], matched: Matched) -> Act:
        """ "Fill in the form" of request `matched.subject`."""
        assert matched.subject is not None
        return self._form_of(key, matched.subject, matched.user, str(body.get("trigger_id") or ""))

    def answer(self, key: str, body: dict[str, Any], matched: Matched) -> Act | None:
        """A ready answer under a question of request `matched.subject` (block id `answer|<id>|<field>`)."""
        button = pressed(body)
        parts = str(button.get("block_id") or "").split("|")
        if len(parts) != 3 or matched.subject is None:
            return None
        container = body.get("container") if isinstance(body.get("container"), dict) else {}
        message = (str(container.get("channel_id") or ""), str(container.get("message_ts") or ""))
        ephemeral = str(body.get("response_url") or "") if container.get("is_ephemeral") is True else ""
        text = button.get("text") if isinstance(button.get("text"), dict) else {}
        label = str(text.get("text") or button.get("value") or "")
        value = str(button.get("value") or "")
        answer = Pressed(key, matched.subject, parts[2], value, self.profile_of(matched.user))
        return self._press(answer, message, label, ephemeral)

    def support_form(self, key: str, body: dict[str, Any], matched: Matched) -> Act:
        return self._submission(key, body, matched.user)

    def _command(self, key: str, body: dict[str, Any]) -> Act:
        text, trigger = str(body.get("text") or "").strip(), str(body.get("trigger_id") or "")
        profile = self.profile_of(str(body.get("user_id") or ""))
        if text.lower() != "status":
            return self._new_form(key, profile.user, trigger, text, str(body.get("channel_id") or "") or None)

        def status(ctx: ActContext) -> None:
            requests, more = ctx.intake.requests_of(ctx.session, profile, LISTED)
            values = {"requests": requests, "more": more, "zone": profile.zone, "now": ctx.now}
            ctx.say.slack.open_view(render_json("slack/my_requests.json.j2", **values), trigger, key=f"{key}:view")

        return status

    def _new_form(self, key: str, user: str, trigger: str, text: str, channel: str | None) -> Act:
        profile = self.profile_of(user)

        def open_form(ctx: ActContext) -> None:
            view = form_view(self.desk, ctx.intake.new_draft(profile, text), FormTarget(channel=channel), None)
            ctx.say.slack.open_view(view, trigger, key=f"{key}:view", once=f"form:new:{user}:")

        return open_form

    def _form_of(self, key: str, ticket_id: int, user: str, trigger: str) -> Act:
        def open_form(ctx: ActContext) -> None:
            found = ctx.intake.form_draft(ctx.session, ticket_id)
            if found is not None:
                ticket, draft = found
                view = form_view(self.desk, draft, FormTarget(ticket.id, len(draft.attachments)), ticket.sr)
                ctx.say.slack.open_view(view, trigger, key=f"{key}:view", once=f"form:{ticket.id}:{user}:")

        return open_form

    def _press(self, pressed: Pressed, message: tuple[str, str], label: str, ephemeral: str) -> Act:
        def press(ctx: ActContext) -> None:
            ticket = ctx.intake.press(ctx.session, pressed, ctx.now)
            if ticket is not None and (ephemeral or all(message)):
                key = f"{pressed.key}:answered"
                ctx.say.slack.answered(ticket, pressed.field, label, message, key=key, ephemeral=ephemeral)

        return press

    def _submission(self, key: str, body: dict[str, Any], user: str) -> Act:
        view = body["view"]
        values, target = form_values(view), FormTarget.of(view)
        profile = self.profile_of(user)
        channel = None if target.ticket_id is not None else self._dm_with(profile.user)
        files = self.files.fetch([{"id": file_id} for file_id in values.files])
        form = FormSubmission(key, profile, values, target.ticket_id, channel, files, target.channel)

        def submit(ctx: ActContext) -> None:
            ctx.intake.submit_form(ctx.session, form, ctx.now)

        return submit

    def _dm_with(self, user: str) -> str:
        """The bot's DM channel with `user` (conversations.open gives the same one every time)."""
        return str(self.client.conversations_open(users=user)["channel"]["id"])
