"""The support form as a Slack modal: built from its template, read back from a view submission, checked inline.

Rules (docs/architecture.md, "Slack facts": 3 seconds):
- The modal's `callback_id` is `support_form`; its block ids are the form's field names, and so are the
  action ids of their elements. `private_metadata` (JSON) says which request it fills in (`ticket`, none for a new
  one), how many files that request already has, and for a new one the channel /support was typed in.
- `submission_errors` is the check Slack needs inside the 3 seconds: it runs in the receiver on the submitted
  view alone (no database, no Web API), and returns the errors by block id, worded by a template, for a
  `response_action: errors` answer; None when the form is good (or is not this form).
- When it happened comes from a datetimepicker (an exact instant, so no zone is needed to read it).
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.config.desk import DeskConfig
from bot.desk.intake.draft import Context, Draft
from bot.desk.intake.form import FormValues, check_form
from bot.render import render, render_json
from bot.slack.routes import SUPPORT_FORM

MAX_ERROR = 150  # what Slack shows under a field


@dataclass(frozen=True)
class FormTarget:
    """What a form fills in: an existing request (its id and how many files it has), or a new one."""

    ticket_id: int | None = None
    files: int = 0
    channel: str | None = None  # where /support was typed, for a new request

    def metadata(self) -> str:
        return json.dumps({"ticket": self.ticket_id, "files": self.files, "channel": self.channel})

    @classmethod
    def of(cls, view: dict[str, Any]) -> "FormTarget":
        try:
            found = json.loads(str(view.get("private_metadata") or "{}"))
        except ValueError:
            found = {}
        found = found if isinstance(found, dict) else {}
        ticket, files, channel = found.get("ticket"), found.get("files"), found.get("channel")
        return cls(
            ticket if _whole(ticket) else None,
            files if _whole(files) else 0,
            channel if isinstance(channel, str) and channel else None,
        )


def form_view(desk: DeskConfig, draft: Draft, target: FormTarget, sr: str | None) -> dict[str, Any]:
    """The modal, prefilled with `draft`."""
    view = render_json(
        "slack/support_form.json.j2",
        draft=draft,
        matrix=desk.policy.matrix,
        metadata=target.metadata(),
        files=target.files,
        sr=sr,
    )
    assert isinstance(view, dict)
    return view


def is_support_form(body: dict[str, Any]) -> bool:
    view = body.get("view")
    return body.get("type") == "view_submission" and isinstance(view, dict) and view.get("callback_id") == SUPPORT_FORM


def form_values(view: dict[str, Any]) -> FormValues:
    """What the submitted view's state holds, as plain form values."""
    values = _table(_table(view.get("state")).get("values"))

    def state(block: str) -> dict[str, Any]:
        return _table(_table(values.get(block)).get(block))

    def text(block: str) -> str:
        return str(state(block).get("value") or "")

    def chosen(block: str) -> str | None:
        option = _table(state(block).get("selected_option"))
        return str(option["value"]) if option.get("value") else None

    stamp = state("occurred_at").get("selected_date_time")
    listed = state("files").get("files")
    files = listed if isinstance(listed, list) else []
    return FormValues(
        description=text("description"),
        email=text("email"),
        phone=text("phone"),
        occurred_at=_instant(stamp),
        steps=text("steps"),
        files=tuple(str(file["id"]) for file in files if isinstance(file, dict) and file.get("id")),
        no_files=bool(state("no_files").get("selected_options")),
        impact=chosen("impact"),
        urgency=chosen("urgency"),
        kind=chosen("kind"),
    )


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _table(value: Any) -> dict[str, Any]:
    """A JSON object of the payload, or an empty one when Slack sent something else there."""
    return value if isinstance(value, dict) else {}


def _instant(stamp: Any) -> datetime | None:
    """A datetimepicker's Unix time as an instant; None when absent or not a time."""
    if isinstance(stamp, bool) or not isinstance(stamp, int | float):
        return None
    try:
        return datetime.fromtimestamp(int(stamp), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def form_context(desk: DeskConfig, now: datetime) -> Context:
    """What checking a form needs; the zone only words errors (the datetimepicker gives an instant)."""
    matrix = desk.policy.matrix
    return Context(
        zone=desk.policy.calendar.zone,
        region=desk.phone_region,
        now=now,
        impacts=tuple(choice.name for choice in matrix.impacts) if matrix else (),
        urgencies=tuple(choice.name for choice in matrix.urgencies) if matrix else (),
    )


def submission_errors(body: dict[str, Any], desk: DeskConfig, now: datetime) -> dict[str, str] | None:
    """The errors to show in the submitted support form, by block id; None when it can be taken."""
    if not is_support_form(body):
        return None
    view = body["view"]
    checked = check_form(form_values(view), form_context(desk, now), has_files=FormTarget.of(view).files > 0)
    if not isinstance(checked, dict):
        return None
    return {
        field: render("slack/form_error.txt.j2", refused=refused).strip()[:MAX_ERROR]
        for field, refused in checked.items()
    }
