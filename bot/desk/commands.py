"""The `/frontdesk` command's text, read into a `Command` (pure: no Slack, no database).

Rules:
- `ACTION SR ...`: the action first, then the request (`SR-000123`, `sr-123`, `SR123`, `#123` or `123`), then
  what the action takes. `list [mine|open|breaching|waiting|deferred]` (open by default) and `help` (or nothing)
  take no SR.
- `defer SR [until] DATE|next_release|RELEASE reason`: DATE is a day written YYYY-MM-DD; `next_release` is the
  policy's next release; RELEASE a release the policy names (one word; the service knows the policy's releases
  and turns any of them into an instant, refusing an unknown one).
- Free text (a reason, a reply, a note) is everything after the fixed arguments, as typed: Slack's markup and
  entities are read back into plain text (bot.desk.intake.answers.plain_text); a reason is optional for `triage` and
  `pause`, required for `defer`, `workaround`, `reply`, `note`, `escalate` and `reopen`.
- `outage SR [on SERVICE[,SERVICE...]] public title`: the word `on` after the SR starts the services the outage
  hits (ids, separated by commas, spaces after them allowed); the title follows. Without `on` it names none
  (every service). The service checks the names against the desk's services.
- `defect SR [severity] [--link ISSUE]`: `--link` names an existing tracker issue (its URL, as Slack sends it or
  not, or the tracker's short form) to link instead of filing one; the service reads it.
- `kind` takes question, incident or feature (defects are confirmed with `defect`); `escalate` takes L2 or L3;
  `assign` takes a mention (`<@U123>` or `<@U123|name>`, the command escapes mentions). A priority, severity or
  release is taken as written: the service knows the policy's.
- A mistake is a `CommandError` with a reason code and details, worded by templates/slack/command_error.mrkdwn.j2
  followed by the usage line of the action; never an exception.
"""

import re
from dataclasses import dataclass, field, replace

from bot.desk.intake.answers import plain_text
from bot.render import render
from sla.policy import ESCALATION_LEVELS, STATED_KINDS

LISTS = ("mine", "open", "breaching", "waiting", "deferred")
NEXT_RELEASE = "next_release"
_SR = re.compile(r"^(?:sr-?|#)?0*([1-9][0-9]{0,8})$", re.IGNORECASE)
_RELEASE_WORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")  # a day, next_release or a release's name
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")

# action -> (what follows the SR: "", "value", "value?", "text", "text?", "value text", "value text?", "user")
SHAPES = {
    "triage": "value text?",
    "kind": "value",
    "defect": "value?",
    "workaround": "text",
    "fix": "value?",
    "defer": "value text",
    "reply": "text",
    "note": "text",
    "pause": "text?",
    "resume": "",
    "assign": "user",
    "escalate": "value text",
    "resolve": "",
    "reopen": "text",
    "show": "",
    "outage": "text",
    "postmortem": "",
}


@dataclass(frozen=True)
class Command:
    action: str
    sr: int | None = None
    text: str = ""
    value: str | None = None
    user: str | None = None
    services: tuple[str, ...] = ()  # `outage SR on a,b title`: the services named, as typed
    link: str | None = None  # `defect SR --link URL|#N|owner/repo#N|KEY`: the tracker issue named, as typed


@dataclass(frozen=True)
class CommandError:
    reason: str
    action: str | None = None
    details: dict[str, str] = field(default_factory=dict)


def parse_command(text: str) -> Command | CommandError:
    """What `/frontdesk text` asks for."""
    words = text.strip().split(maxsplit=1)
    if not words or words[0].lower() == "help":
        return Command("help")
    action, rest = words[0].lower(), (words[1] if len(words) > 1 else "")
    if action == "list":
        return _list(rest)
    if action not in SHAPES:
        return CommandError("unknown_action", None, {"action": plain_text(words[0])[:40]})
    sr_word, after = _head(rest)
    if not sr_word:
        return CommandError("sr_missing", action)
    number = _SR.match(sr_word.strip())
    if number is None:
        return CommandError("sr_invalid", action, {"text": plain_text(sr_word)[:40]})
    return _arguments(action, int(number.group(1)), after)


def _list(rest: str) -> Command | CommandError:
    which = rest.strip().lower() or "open"
    if which not in LISTS:
        return CommandError("list_unknown", "list", {"text": plain_text(rest)[:40]})
    return Command("list", value=which)


def _arguments(action: str, sr: int, rest: str) -> Command | CommandError:
    shape = SHAPES[action]
    if action == "outage":
        return _outage(sr, rest)
    if action == "defect" and "--link" in rest.split():
        return _defect_link(sr, rest)
    first, remainder = _head(rest)
    if action == "defer" and first.lower() == "until":
        first, remainder = _head(remainder)
    if "value" in shape:
        if not first and not shape.startswith("value?"):
            return CommandError("value_missing", action)
        value, rest = (plain_text(first) or None), remainder
        checked = _check(action, value)
        if checked is not None:
            return checked
        if "text" not in shape and rest:
            return CommandError("too_many", action, {"text": plain_text(rest)[:40]})
        return _with_text(Command(action, sr, value=value), shape, rest)
    if shape == "user":
        mention = _MENTION.match(first)
        if mention is None or remainder:
            return CommandError("user_missing", action)
        return Command(action, sr, user=mention.group(1))
    if not shape and rest:
        return CommandError("too_many", action, {"text": plain_text(rest)[:40]})
    return _with_text(Command(action, sr), shape, rest)


def _outage(sr: int, rest: str) -> Command | CommandError:
    """`outage SR [on SERVICE[,SERVICE...]] title`."""
    first, remainder = _head(rest)
    if first.lower() != "on":
        return _with_text(Command("outage", sr), "text", rest)
    listed, remainder = _head(remainder)
    while listed.endswith(",") and remainder:
        more, remainder = _head(remainder)
        listed += more
    services = tuple(dict.fromkeys(name for name in plain_text(listed).split(",") if name))
    if not services:
        return CommandError("services_missing", "outage")
    command = _with_text(Command("outage", sr), "text", remainder)
    return command if isinstance(command, CommandError) else replace(command, services=services)


def _defect_link(sr: int, rest: str) -> Command | CommandError:
    """`defect SR [severity] --link ISSUE`: the issue is the word after `--link`; at most a severity besides."""
    words = rest.split()
    at = words.index("--link")
    if at + 1 >= len(words):
        return CommandError("link_missing", "defect")
    link, others = plain_text(words[at + 1]).strip("<>"), words[:at] + words[at + 2 :]
    if len(others) > 1:
        return CommandError("too_many", "defect", {"text": plain_text(" ".join(others[1:]))[:40]})
    return Command("defect", sr, value=plain_text(others[0]) if others else None, link=link.split("|")[0])


def _head(text: str) -> tuple[str, str]:
    """The first word of `text` and the rest, split at the first run of spaces or newlines."""
    parts = text.strip().split(maxsplit=1)
    return (parts[0] if parts else "", parts[1] if len(parts) > 1 else "")


def _check(action: str, value: str | None) -> CommandError | None:
    if action == "kind" and value not in STATED_KINDS:
        return CommandError("kind_unknown", action, {"text": value or ""})
    if action == "defer" and not _RELEASE_WORD.match(value or ""):
        return CommandError("until_unknown", action, {"text": value or ""})
    if action == "escalate" and (value or "").upper() not in ESCALATION_LEVELS:
        return CommandError("level_unknown", action, {"text": value or ""})
    return None


def _with_text(command: Command, shape: str, rest: str) -> Command | CommandError:
    text = plain_text(rest)
    if shape.endswith("text") and not text:
        return CommandError("text_missing", command.action)
    value = command.value.upper() if command.action == "escalate" and command.value else command.value
    return Command(command.action, command.sr, text, value, command.user)


def render_command_error(error: CommandError) -> str:
    """The mistake in one sentence, then how the action is written."""
    return render("slack/command_error.mrkdwn.j2", error=error).strip()


def render_help() -> str:
    return render("slack/command_help.mrkdwn.j2").strip()
