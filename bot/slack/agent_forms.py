"""The agents' forms (reply, escalate, reopen, triage reason) checked inside Slack's 3 seconds.

Rules (docs/slack.md, "Working requests (agents)"; docs/architecture.md, "Slack facts": 3 seconds):
- `agent_form_errors` runs in the receiver on the submitted view alone (no database, no Web API), like the
  support form's check (bot.slack.form_view): what the form itself shows to be unusable is answered as
  `response_action: errors` under its field, so the modal stays open and nothing is stored or changed.
- `view_errors` is the one check the receiver is given: the support form's, else an agent form's.
- A form's text (the reply, the escalation's or reopening's reason, the priority's reason) must hold more than
  spaces; an escalation names one of its levels. None when the form is good or is not an agent form.
- What only the request can refuse (it was closed meanwhile, say) is told later, as an ephemeral message
  (bot.slack.agent_desk).
"""

from datetime import datetime
from typing import Any

from bot.config.desk import DeskConfig
from bot.render import render
from bot.slack.form_view import submission_errors
from bot.ways_in import AGENT_FORMS

MAX_ERROR = 150  # what Slack shows under a field
LEVELS = ("L2", "L3")
_ACTIONS = {callback: action for action, callback in AGENT_FORMS.items()}


def view_errors(body: dict[str, Any], desk: DeskConfig, now: datetime) -> dict[str, str] | None:
    """The receiver's check of every form: the support form's (bot.slack.form_view), else an agent form's."""
    return submission_errors(body, desk, now) or agent_form_errors(body)


def agent_form_errors(body: dict[str, Any]) -> dict[str, str] | None:
    """The errors to show in a submitted agent form, by block id; None when it can be taken."""
    view = body.get("view")
    if body.get("type") != "view_submission" or not isinstance(view, dict):
        return None
    action = _ACTIONS.get(str(view.get("callback_id") or ""))
    if action is None:
        return None
    errors: dict[str, str] = {}
    if action == "escalate" and form_input(view, "level") not in LEVELS:
        errors["level"] = _worded(action, "level")
    if not form_input(view, "text").strip():
        errors["text"] = _worded(action, "text")
    return errors or None


def form_input(view: dict[str, Any], block: str) -> str:
    """What a block of the submitted view holds: a text input's value or a chosen option's."""
    values = _table(_table(view.get("state")).get("values"))
    element = _table(_table(values.get(block)).get(block))
    option = _table(element.get("selected_option"))
    return str(element.get("value") or option.get("value") or "")


def _worded(action: str, field: str) -> str:
    return render("slack/agent_form_error.txt.j2", action=action, field=field).strip()[:MAX_ERROR]


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
