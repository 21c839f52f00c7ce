"""What GitHub's webhooks and listings say, as tracker-neutral changes (docs/integrations.md, "GitHub Issues").

Rules:
- Only the desk's repository counts: a delivery or an item of another repository, and pull requests (GitHub's
  issues API lists them too), give nothing.
- Webhook `issues`: `closed` is `closed` at the issue's `closed_at`; `reopened` is `reopened` at its `updated_at`;
  `milestoned` and `demilestoned` are `release` at its `updated_at`, with the milestone's `title` and `due_on`
  (none after `demilestoned`: the policy's releases again). Webhook `issue_comment` `created` is `comment` at the
  comment's `created_at`. Other events and actions give nothing.
- The issue list (the reconciliation poll) gives, for each issue, its state as a change (`closed` at `closed_at`,
  or `reopened` at `updated_at`) and its milestone as `release` at `updated_at`: the defect service applies only
  what differs from what it knows of the issue. The repository's comment list gives each comment as `comment`.
- `change_id`: a comment is "<owner/repo#N>|comment:<id>", so a webhook and the poll name it alike; a release
  "<owner/repo#N>|release:<title>|<instant>"; other changes are keyed by the (issue, kind, instant) triple.
- A comment is public when its body starts with the desk's `public_prefix` (after leading spaces, any case); `text`
  is then the body without it, stripped. Comments by bots (`user.type` "Bot") are never public.
- Instants are GitHub's ISO 8601 UTC ("2026-12-03T10:00:00Z"); a missing or malformed one gives no change, and
  nothing here raises on what GitHub sends.
"""

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from bot.config.trackers import GitHubDesk
from bot.integrations.trackers.tracker import ChangeKind, TrackerChange

MAX_COMMENT = 20_000  # characters of a comment relayed at most


def issue_key(desk: GitHubDesk, number: int) -> str:
    return f"{desk.repository}#{number}"


def from_webhook(desk: GitHubDesk, event: str, payload: Any) -> tuple[TrackerChange, ...]:
    if not isinstance(payload, Mapping) or not _ours(desk, payload.get("repository")):
        return ()
    issue, action = payload.get("issue"), payload.get("action")
    number = _number(issue)
    if number is None:
        return ()
    key = issue_key(desk, number)
    if event == "issues":
        return tuple(_issue_action(key, str(action), issue))
    if event == "issue_comment" and action == "created":
        found = _comment(desk, key, payload.get("comment"))
        return (found,) if found else ()
    return ()


def from_issues(desk: GitHubDesk, items: Any) -> tuple[TrackerChange, ...]:
    changes: list[TrackerChange] = []
    for issue in items if isinstance(items, list) else ():
        number = _number(issue)
        if number is None:
            continue
        key = issue_key(desk, number)
        state = "closed" if issue.get("state") == "closed" else "reopened"
        changes += _issue_action(key, state, issue)
        changes += _issue_action(key, "milestoned" if issue.get("milestone") else "demilestoned", issue)
    return tuple(changes)


def from_comments(desk: GitHubDesk, items: Any) -> tuple[TrackerChange, ...]:
    changes = []
    for comment in items if isinstance(items, list) else ():
        if not isinstance(comment, Mapping):
            continue
        url = str(comment.get("issue_url") or "")
        head, _, tail = url.rpartition("/issues/")
        if not tail.isdigit() or not head.endswith("/repos/" + desk.repository):
            continue
        found = _comment(desk, issue_key(desk, int(tail)), comment)
        if found:
            changes.append(found)
    return tuple(changes)


def _issue_action(key: str, action: str, issue: Mapping[str, Any]) -> Iterator[TrackerChange]:
    if action == "closed" and (at := instant(issue.get("closed_at"))):
        yield TrackerChange(ChangeKind.CLOSED, key, at)
    elif action == "reopened" and (at := instant(issue.get("updated_at"))):
        yield TrackerChange(ChangeKind.REOPENED, key, at)
    elif action in ("milestoned", "demilestoned") and (at := instant(issue.get("updated_at"))):
        milestone = issue.get("milestone") if action == "milestoned" else None
        title = str(milestone.get("title") or "")[:200] if isinstance(milestone, Mapping) else ""
        due = instant(milestone.get("due_on")) if isinstance(milestone, Mapping) else None
        change_id = f"{key}|release:{title}|{at.isoformat()}"  # two milestone changes in one second are two
        yield TrackerChange(ChangeKind.RELEASE, key, at, change_id[:300], release=title, release_at=due)


def _comment(desk: GitHubDesk, key: str, comment: Any) -> TrackerChange | None:
    if not isinstance(comment, Mapping) or not isinstance(comment.get("id"), int):
        return None
    at = instant(comment.get("created_at"))
    if at is None:
        return None
    user = comment.get("user") if isinstance(comment.get("user"), Mapping) else {}
    body = str(comment.get("body") or "")
    text = body.lstrip()
    public = text.lower().startswith(desk.public_prefix.lower()) and user.get("type") != "Bot"
    text = text[len(desk.public_prefix) :].strip() if public else body.strip()
    change_id = f"{key}|comment:{comment['id']}"
    author = str(user.get("login") or "")[:100]
    return TrackerChange(ChangeKind.COMMENT, key, at, change_id, text=text[:MAX_COMMENT], author=author, public=public)


def _ours(desk: GitHubDesk, repository: Any) -> bool:
    name = repository.get("full_name") if isinstance(repository, Mapping) else None
    return isinstance(name, str) and name.lower() == desk.repository.lower()


def _number(issue: Any) -> int | None:
    if not isinstance(issue, Mapping) or "pull_request" in issue:
        return None
    number = issue.get("number")
    return number if isinstance(number, int) and not isinstance(number, bool) and number > 0 else None


def instant(text: Any) -> datetime | None:
    """GitHub's ISO 8601 instant, in UTC; None when missing or malformed."""
    if not isinstance(text, str):
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None
