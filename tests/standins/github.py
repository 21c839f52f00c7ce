"""A GitHub stand-in on loopback: one repository's issues, checked against GitHub's REST API description.

Rules:
- `GitHubStandIn(repository, token, clock)` serves create issue (`POST /repos/{owner}/{repo}/issues`), list the
  repository's issues (`GET` of the same path: `state`, `since` (updated at or after), `sort` created|updated,
  `direction`, `labels` (all of them), `per_page`) and list its issue comments (`GET
  /repos/{owner}/{repo}/issues/comments`: `since`, `sort`, `direction`, `per_page`) on a StandIn
  (tests/standins/server.py). Every request is checked against tests/standins/specs/github/ before it is answered,
  and, as GitHub's documentation says, must send `Accept: application/vnd.github+json` and
  `X-GitHub-Api-Version: 2022-11-28`, and `per_page` at most 100; problems go to `problems`, answered 400.
- Authentication as GitHub: `Authorization: Bearer <token>`; anything else is 401 `Bad credentials`, recorded in
  `refused`. Another repository is 404 `Not Found`.
- Every answer carries GitHub's rate-limit headers (`x-ratelimit-limit`, `-remaining`, `-used`, `-reset`,
  `-resource: core`); `remaining` counts down from `limit`.
- Scripting the engineers' side: `close`, `reopen`, `set_milestone`, `remove_milestone` and `comment` change an
  issue at an instant (the injected clock's by default) and return the webhook GitHub would send, as
  `(event, payload)`; `deliver(url, event, payload, secret)` posts it as GitHub does (`X-GitHub-Event`, a unique
  `X-GitHub-Delivery` or the one given for a redelivery, `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw
  body>` when a secret is given, `User-Agent: GitHub-Hookshot/...`) and returns the HTTP status.
- Instants are written as GitHub writes them ("2026-12-03T14:00:00Z", whole seconds).
"""

import hashlib
import hmac
import itertools
import json
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.standins.openapi import Description
from tests.standins.server import Answer, Received, Served, StandIn

SPEC = Path(__file__).parent / "specs" / "github" / "issues-2022-11-28.json"
ISSUES = "/repos/{owner}/{repo}/issues"
COMMENTS = "/repos/{owner}/{repo}/issues/comments"
MEDIA_TYPE = "application/vnd.github+json"
API_VERSION = "2022-11-28"
LIMIT = 5000


def github_instant(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parsed(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Issue:
    number: int
    title: str
    body: str
    labels: list[str]
    created: datetime
    updated: datetime
    state: str = "open"
    closed: datetime | None = None
    milestone: dict[str, Any] | None = None


@dataclass
class Comment:
    id: int
    issue: int
    body: str
    user: str
    created: datetime
    bot: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class GitHubStandIn(Served):
    """One repository on a loopback GitHub; see the module's rules."""

    def __init__(
        self,
        repository: str = "acme/app",
        *,
        token: str = "github-token",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.repository, self.token, self.clock = repository, token, clock
        self.description = Description.load(SPEC)
        self.issues: dict[int, Issue] = {}
        self.comments: list[Comment] = []
        self.refused: list[Received] = []
        self._used = 0
        self._comment_ids = itertools.count(900001)
        self._milestones = itertools.count(1)
        self._lock = threading.RLock()  # _answer takes it too, also from inside a listing
        self.server = StandIn(
            {("POST", ISSUES): self._create, ("GET", ISSUES): self._list, ("GET", COMMENTS): self._list_comments},
            check=self._problems,
        )

    def creates(self) -> list[Received]:
        return self.server.calls("POST", ISSUES)

    # the checks

    def _problems(self, received: Received) -> list[str]:
        problems = self.description.problems(received)
        if received.headers.get("accept") != MEDIA_TYPE:
            problems.append(f"Accept: {MEDIA_TYPE} is required")
        if received.headers.get("x-github-api-version") != API_VERSION:
            problems.append(f"X-GitHub-Api-Version: {API_VERSION} is required")
        per_page = received.arg("per_page")
        if per_page is not None and (not per_page.isdigit() or not 1 <= int(per_page) <= 100):
            problems.append("per_page: 1 to 100")
        return problems

    def _guarded(self, received: Received) -> Answer | None:
        """401 or 404 when the call may not go on, else None."""
        if received.headers.get("authorization") != f"Bearer {self.token}":
            with self._lock:
                self.refused.append(received)
            return self._answer(401, {"message": "Bad credentials", "status": "401"})
        if f"{received.params['owner']}/{received.params['repo']}".lower() != self.repository.lower():
            return self._answer(404, {"message": "Not Found", "status": "404"})
        return None

    def _answer(self, status: int, body: Any) -> Answer:
        with self._lock:
            self._used += 1
            used = self._used
        reset = int(self.clock().timestamp()) + 3600
        headers = {"x-ratelimit-limit": str(LIMIT), "x-ratelimit-remaining": str(max(0, LIMIT - used)),
                   "x-ratelimit-used": str(used), "x-ratelimit-reset": str(reset), "x-ratelimit-resource": "core",
                   "x-github-api-version-selected": API_VERSION}  # fmt: skip
        return Answer(status, body, headers)

    # the operations

    def _create(self, received: Received) -> Answer:
        refusal = self._guarded(received)
        if refusal is not None:
            return refusal
        body = received.json
        with self._lock:
            number = len(self.issues) + 1
            now = self.clock()
            labels = [label if isinstance(label, str) else label["name"] for label in body.get("labels", [])]
            issue = Issue(number, str(body["title"]), body.get("body") or "", labels, now, now)
            self.issues[number] = issue
            shown = self._issue_json(issue)
        return self._answer(201, shown)

    def _list(self, received: Received) -> Answer:
        refusal = self._guarded(received)
        if refusal is not None:
            return refusal
        state, since = received.arg("state") or "open", received.arg("since")
        wanted = [label for label in (received.arg("labels") or "").split(",") if label]
        with self._lock:
            found = [
                issue
                for issue in self.issues.values()
                if (state == "all" or issue.state == state)
                and (since is None or issue.updated >= _parsed(since))
                and all(label in issue.labels for label in wanted)
            ]
            by = (lambda i: i.updated) if received.arg("sort") == "updated" else (lambda i: i.created)
            found.sort(key=lambda i: (by(i), i.number), reverse=(received.arg("direction") or "desc") == "desc")
            page = found[: int(received.arg("per_page") or 30)]
            return self._answer(200, [self._issue_json(issue) for issue in page])

    def _list_comments(self, received: Received) -> Answer:
        refusal = self._guarded(received)
        if refusal is not None:
            return refusal
        since = received.arg("since")
        with self._lock:
            found = [c for c in self.comments if since is None or c.created >= _parsed(since)]
            found.sort(key=lambda c: (c.created, c.id), reverse=received.arg("direction") == "desc")
            page = found[: int(received.arg("per_page") or 30)]
            return self._answer(200, [self._comment_json(comment) for comment in page])

    # what GitHub writes

    def _issue_json(self, issue: Issue) -> dict[str, Any]:
        api = f"{self.url}/repos/{self.repository}/issues/{issue.number}"
        return {
            "id": 1000 + issue.number,
            "number": issue.number,
            "url": api,
            "html_url": f"https://github.com/{self.repository}/issues/{issue.number}",
            "title": issue.title,
            "body": issue.body,
            "state": issue.state,
            "state_reason": "completed" if issue.state == "closed" else None,
            "labels": [{"name": label} for label in issue.labels],
            "milestone": issue.milestone,
            "created_at": github_instant(issue.created),
            "updated_at": github_instant(issue.updated),
            "closed_at": github_instant(issue.closed) if issue.closed else None,
            "user": {"login": "frontdesk-bot", "type": "Bot"},
        }

    def _comment_json(self, comment: Comment) -> dict[str, Any]:
        return {
            "id": comment.id,
            "issue_url": f"{self.url}/repos/{self.repository}/issues/{comment.issue}",
            "html_url": f"https://github.com/{self.repository}/issues/{comment.issue}#issuecomment-{comment.id}",
            "body": comment.body,
            "user": {"login": comment.user, "type": "Bot" if comment.bot else "User"},
            "created_at": github_instant(comment.created),
            "updated_at": github_instant(comment.created),
        }

    # the engineers' side

    def add_issue(self, title: str, at: datetime) -> int:
        """An issue someone opened in the repository (not through the bot) at `at`; its number."""
        with self._lock:
            number = len(self.issues) + 1
            self.issues[number] = Issue(number, title, "", [], at, at)
            return number

    def close(self, number: int, at: datetime | None = None) -> tuple[str, dict[str, Any]]:
        with self._lock:
            issue = self.issues[number]
            issue.state, issue.closed = "closed", at or self.clock()
            issue.updated = issue.closed
            return "issues", self._hook("closed", issue)

    def reopen(self, number: int, at: datetime | None = None) -> tuple[str, dict[str, Any]]:
        with self._lock:
            issue = self.issues[number]
            issue.state, issue.closed, issue.updated = "open", None, at or self.clock()
            return "issues", self._hook("reopened", issue)

    def set_milestone(
        self, number: int, title: str, due_on: datetime | None = None, at: datetime | None = None
    ) -> tuple[str, dict[str, Any]]:
        with self._lock:
            issue = self.issues[number]
            issue.milestone = {"number": next(self._milestones), "title": title, "state": "open",
                               "due_on": github_instant(due_on) if due_on else None}  # fmt: skip
            issue.updated = at or self.clock()
            return "issues", self._hook("milestoned", issue, milestone=issue.milestone)

    def remove_milestone(self, number: int, at: datetime | None = None) -> tuple[str, dict[str, Any]]:
        with self._lock:
            issue = self.issues[number]
            removed, issue.milestone, issue.updated = issue.milestone, None, at or self.clock()
            return "issues", self._hook("demilestoned", issue, milestone=removed)

    def comment(
        self, number: int, body: str, *, user: str = "dev-dana", at: datetime | None = None, bot: bool = False
    ) -> tuple[str, dict[str, Any]]:
        with self._lock:
            made = Comment(next(self._comment_ids), number, body, user, at or self.clock(), bot)
            self.comments.append(made)
            issue = self.issues[number]
            return "issue_comment", {**self._hook("created", issue), "comment": self._comment_json(made)}

    def _hook(self, action: str, issue: Issue, **more: Any) -> dict[str, Any]:
        owner = self.repository.split("/")[0]
        return {
            "action": action,
            "issue": self._issue_json(issue),
            "repository": {
                "full_name": self.repository,
                "name": self.repository.split("/")[1],
                "owner": {"login": owner},
            },
            "sender": {"login": "dev-dana", "type": "User"},
            **more,
        }

    @staticmethod
    def deliver(url: str, event: str, payload: dict[str, Any], secret: str | None, delivery: str | None = None) -> int:
        """POSTs the webhook as GitHub does; the HTTP status of the answer."""
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "GitHub-Hookshot/4f0c1e2",
                   "X-GitHub-Event": event, "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
                   "X-GitHub-Hook-ID": "4242"}  # fmt: skip
        if secret is not None:
            headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
