"""What Jira's webhooks and searches say, as tracker-neutral changes (docs/integrations.md, "Jira").

Rules:
- Webhooks: `jira:issue_updated` gives one change per changelog item that matters, at the delivery's `timestamp` (the
  instant Jira made the change): a status item into a done status is `closed`, into any other status `reopened` (the
  defect service applies a reopening only to an issue it knows as closed); a Fix Version item that adds a version is
  `release`, with that version's `releaseDate` (read from the issue's fixVersions) as the start of that day in UTC; one
  that removes the issue's last fix version is `release` with no name (the release taken off: the policy's releases
  count again). A comment in the delivery (`comment_created`, or the `comment` of an `issue_updated`) is `comment`, at
  its `created` instant. Other events, and items or fields of other shapes, give nothing.
- Searches (the reconciliation poll, changelog expanded): each issue's changelog histories give the same changes
  at each history's `created` instant, and its comments the same comment changes.
- A status is done when its name is one of the desk's `done_statuses`; without them, when Jira puts it in the
  "done" status category. A changelog item names only the status, so its category is the issue's current one
  when the item moves the issue into its current status; an earlier status counts as done when it is named Done,
  Closed or Resolved (Jira's own done statuses).
- `change_id`: "<key>|changelog:<id>|<kind>" (a webhook's changelog id is the history id a search shows, so both
  name one change alike) and "<key>|comment:<id>": applying a change seen both ways applies it once.
- A comment is public when its text starts with the desk's `public_prefix` (after leading spaces, any case) and it
  has no `visibility` restriction (a role or group); `text` is then the comment without the prefix. Bodies are
  strings (webhooks, REST v2) or ADF documents (REST v3), read with bot.integrations.trackers.adf.text_of.
- Nothing here raises on what Jira sends: a malformed value gives no change.
"""

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any

from bot.config.trackers import JiraDesk
from bot.integrations.trackers import adf
from bot.integrations.trackers.tracker import ChangeKind, TrackerChange

DONE_CATEGORY = "done"
DEFAULT_DONE_NAMES = frozenset({"done", "closed", "resolved"})
_KEY = re.compile(r"^([A-Z][A-Z0-9_]{0,99})-([1-9][0-9]{0,17})$")
_ISSUE_EVENTS = {"jira:issue_updated"}
_COMMENT_EVENTS = {"comment_created", "jira:issue_updated"}
_FIX_VERSION_FIELDS = {"fix version", "fixversions"}


def is_key(key: str, project: str) -> bool:
    """Whether `key` is an issue key ("OPS-123") of `project`."""
    match = _KEY.match(key)
    return match is not None and match.group(1) == project


def from_webhook(desk: JiraDesk, event: str, payload: Any) -> tuple[TrackerChange, ...]:
    if not isinstance(payload, Mapping):
        return ()
    issue = _mapping(payload.get("issue"))
    key = issue.get("key")
    at = _epoch_ms(payload.get("timestamp"))
    if not isinstance(key, str) or not is_key(key, desk.project):
        return ()
    changes: list[TrackerChange] = []
    changelog = _mapping(payload.get("changelog"))
    if event in _ISSUE_EVENTS and at is not None and changelog.get("id") is not None:
        changes += _history(desk, key, issue, str(changelog["id"]), at, changelog.get("items"))
    comment = payload.get("comment")
    if event in _COMMENT_EVENTS and isinstance(comment, Mapping):
        changes += _comments(desk, key, [comment])
    return tuple(changes)


def from_search(desk: JiraDesk, body: Any) -> tuple[TrackerChange, ...]:
    changes: list[TrackerChange] = []
    for issue in _mappings(_mapping(body).get("issues")):
        key = issue.get("key")
        if not isinstance(key, str) or not is_key(key, desk.project):
            continue
        for history in _mappings(_mapping(issue.get("changelog")).get("histories")):
            at = _instant(history.get("created"))
            if at is not None and history.get("id") is not None:
                changes += _history(desk, key, issue, str(history["id"]), at, history.get("items"))
        changes += _comments(
            desk, key, _mappings(_mapping(_mapping(issue.get("fields")).get("comment")).get("comments"))
        )
    return tuple(sorted(changes, key=lambda change: change.at))


def last_updated(body: Any) -> datetime | None:
    """The latest `updated` of a search answer's issues (the poll asks for them oldest first)."""
    instants = (
        _instant(_mapping(issue.get("fields")).get("updated")) for issue in _mappings(_mapping(body).get("issues"))
    )
    return max((at for at in instants if at is not None), default=None)


def _history(
    desk: JiraDesk, key: str, issue: Mapping[str, Any], history_id: str, at: datetime, items: Any
) -> Iterator[TrackerChange]:
    fields = _mapping(issue.get("fields"))
    for item in _mappings(items):
        name = str(item.get("field") or item.get("fieldId") or "").lower()
        if name == "status" and isinstance(item.get("toString"), str):
            kind = ChangeKind.CLOSED if _done(desk, item, _mapping(fields.get("status"))) else ChangeKind.REOPENED
            yield TrackerChange(kind, key, at, change_id=f"{key}|changelog:{history_id}|{kind.value}")
        elif name in _FIX_VERSION_FIELDS and isinstance(item.get("toString"), str) and item["toString"].strip():
            release = item["toString"].strip()
            yield TrackerChange(
                ChangeKind.RELEASE,
                key,
                at,
                change_id=f"{key}|changelog:{history_id}|release:{item.get('to') or release}",
                release=release,
                release_at=_release_date(fields.get("fixVersions"), str(item.get("to") or ""), release),
            )
        elif name in _FIX_VERSION_FIELDS and item.get("fromString") and not _mappings(fields.get("fixVersions")):
            removed = f"{key}|changelog:{history_id}|release-removed:{item.get('from')}"
            yield TrackerChange(ChangeKind.RELEASE, key, at, change_id=removed)


def _done(desk: JiraDesk, item: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    name = str(item["toString"]).strip().lower()
    if desk.done_statuses:
        return name in desk.done_statuses
    is_current = (
        str(item.get("to") or "") == str(current.get("id") or "-") or name == str(current.get("name") or "").lower()
    )
    category = _mapping(current.get("statusCategory")).get("key")
    if is_current and isinstance(category, str):
        return category == DONE_CATEGORY
    return name in DEFAULT_DONE_NAMES


def _release_date(versions: Any, version_id: str, name: str) -> datetime | None:
    for version in _mappings(versions):
        if str(version.get("id") or "") == version_id or version.get("name") == name:
            try:
                day = date.fromisoformat(str(version.get("releaseDate") or ""))
            except ValueError:
                return None
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
    return None


def _comments(desk: JiraDesk, key: str, comments: list[Mapping[str, Any]]) -> Iterator[TrackerChange]:
    prefix = desk.public_prefix.lower()
    for comment in comments:
        at = _instant(comment.get("created"))
        if at is None or comment.get("id") is None:
            continue
        text = adf.text_of(comment.get("body")).strip()
        public = text.lower().startswith(prefix) and not comment.get("visibility")
        author = _mapping(comment.get("author"))
        yield TrackerChange(
            ChangeKind.COMMENT,
            key,
            at,
            change_id=f"{key}|comment:{comment['id']}",
            text=text[len(prefix) :].strip() if public else text,
            author=str(author.get("displayName") or author.get("name") or ""),
            public=public,
        )


def _instant(value: Any) -> datetime | None:
    """Jira's instants ("2026-12-03T14:00:00.000+0000"), aware, in UTC."""
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant.astimezone(UTC) if instant.tzinfo is not None else None


def _epoch_ms(value: Any) -> datetime | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
