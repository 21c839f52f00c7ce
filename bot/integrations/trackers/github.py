"""GitHub Issues as a defect tracker (docs/integrations.md, "GitHub Issues").

Implements bot.integrations.trackers.tracker.Tracker; every method is pure (no I/O, no clock). The Caller that
sends its calls is bot.integrations.trackers.github_caller; what its webhooks and listings say is read by
bot.integrations.trackers.github_changes.

Rules:
- Every call names the API version it was written for (`X-GitHub-Api-Version: 2022-11-28`) and asks for
  `application/vnd.github+json`; the token is added at send time by the Caller.
- Filing: `POST /repos/{owner}/{repo}/issues` with the title ("SR-000123: title", one line), the body
  (templates/trackers/github_body.md.j2) and the desk's labels. The body's first line is `marker(sr)`
  ("<!-- frontdesk:SR-000123 -->"); `filed_for(issue, sr)` is true only of an issue whose body starts with it, so
  a marker the requester typed (inside a fenced block, further down) never matches.
- An issue is named "owner/repo#12"; its page is `{web_url}/owner/repo/issues/12`.
- Linking: `parse_link` takes "#12", "owner/repo#12" or the issue's page URL; another repository (any case
  differs only), a pull request's URL, a number that is not a positive integer: None.
- Webhooks: `X-Hub-Signature-256` is "sha256=" and the hex HMAC-SHA256 of the raw body keyed with the webhook's
  secret (bot.integrations.trackers.hub_signature, the same scheme); the delivery's id is `X-GitHub-Delivery`.
- The reconciliation poll is two listings, each of up to `POLL_PAGE` items updated since the instant, oldest first:
  the repository's issues (state all) and its issue comments.
- `lookup_call()`: the newest `POLL_PAGE` issues created (with the desk's labels when it has some), where the
  Caller looks for a filed issue after a lost answer (GitHub's search lags behind a created issue, so it is not
  used for this).
"""

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from bot.config.trackers import GitHubDesk, GitHubSecrets
from bot.integrations.calls import HttpAnswer, HttpCall
from bot.integrations.trackers import github_changes, hub_signature
from bot.integrations.trackers.tracker import Defect, IssueRef, TrackerChange, marker
from bot.render import render

NAME = "github"
API_VERSION = "2022-11-28"
MEDIA_TYPE = "application/vnd.github+json"
HEADERS = (("Accept", MEDIA_TYPE), ("X-GitHub-Api-Version", API_VERSION))
POLL_PAGE = 100
NO_SECRETS = GitHubSecrets("")  # a tracker that only builds calls (filing): it verifies no webhook
_SHORT = re.compile(r"^(?:(?P<repo>[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+))?#(?P<number>[1-9][0-9]{0,9})$")
_PAGE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/issues/(?P<number>[1-9][0-9]{0,9})/?$")


class GitHubTracker:
    """One desk's GitHub repository; see the module's rules."""

    def __init__(self, desk: GitHubDesk, secrets: GitHubSecrets = NO_SECRETS) -> None:
        self.desk, self.secrets = desk, secrets
        self.repo_api = f"{desk.api_url}/repos/{desk.repository}"

    @property
    def name(self) -> str:
        return NAME

    @property
    def scope(self) -> str:
        return self.desk.repository

    def ref(self, number: int) -> IssueRef:
        return IssueRef(NAME, github_changes.issue_key(self.desk, number), self._page(number))

    def _page(self, number: int) -> str:
        return f"{self.desk.web_url}/{self.desk.repository}/issues/{number}"

    def create_call(self, defect: Defect) -> HttpCall:
        title = render("trackers/github_title.txt.j2", sr=defect.sr, title=defect.title).strip()
        body = render(
            "trackers/github_body.md.j2",
            marker=marker(defect.sr),
            sr=defect.sr,
            priority=defect.priority,
            severity=defect.severity,
            description=defect.description.strip(),
            steps=defect.steps.strip(),
            fence=_fence(defect.description + defect.steps),
            deadlines=defect.deadlines,
            link_back=defect.link_back,
            public_prefix=self.desk.public_prefix,
        )
        payload: dict[str, Any] = {"title": title, "body": body}
        if self.desk.labels:
            payload["labels"] = list(self.desk.labels)
        return HttpCall(NAME, "POST", f"{self.repo_api}/issues", payload, HEADERS)

    def created(self, answer: HttpAnswer) -> IssueRef | None:
        body = answer.json
        number = body.get("number") if isinstance(body, Mapping) else None
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            return None
        return self.ref(number)

    def filed_for(self, issue: Any, sr: str) -> bool:
        """Whether `issue` (an item of a listing) is the one filed for `sr` (its body starts with the marker)."""
        body = issue.get("body") if isinstance(issue, Mapping) else None
        return isinstance(body, str) and body.startswith(marker(sr)) and "pull_request" not in issue

    def lookup_call(self) -> HttpCall:
        query = {"state": "all", "sort": "created", "direction": "desc", "per_page": str(POLL_PAGE)}
        if self.desk.labels:
            query["labels"] = ",".join(self.desk.labels)
        return HttpCall(NAME, "GET", f"{self.repo_api}/issues?{urlencode(query)}", None, HEADERS)

    def parse_link(self, text: str) -> IssueRef | None:
        text = text.strip()
        if "://" in text:
            parts, web = urlsplit(text), urlsplit(self.desk.web_url)
            if (parts.scheme, parts.netloc.lower()) != (web.scheme, web.netloc.lower()) or parts.query:
                return None
            path = parts.path[len(web.path.rstrip("/")) :] if parts.path.startswith(web.path.rstrip("/")) else ""
            match = _PAGE.match(path)
        else:
            match = _SHORT.match(text)
        if match is None:
            return None
        repository = match.group("repo") or self.desk.repository
        if repository.lower() != self.desk.repository.lower():
            return None
        return self.ref(int(match.group("number")))

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        return hub_signature.verify(self.secrets.webhook_secret, headers.get("x-hub-signature-256", ""), body)

    def delivery_id(self, headers: Mapping[str, str]) -> str | None:
        return headers.get("x-github-delivery", "").strip()[:200] or None

    def webhook_changes(self, event: str, payload: Any) -> tuple[TrackerChange, ...]:
        return github_changes.from_webhook(self.desk, event, payload)

    def poll_calls(self, since: datetime) -> tuple[HttpCall, ...]:
        bound = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        common = {"sort": "updated", "direction": "asc", "since": bound, "per_page": str(POLL_PAGE)}
        issues = urlencode({"state": "all", **common})
        comments = urlencode(common)
        return (
            HttpCall(NAME, "GET", f"{self.repo_api}/issues?{issues}", None, HEADERS),
            HttpCall(NAME, "GET", f"{self.repo_api}/issues/comments?{comments}", None, HEADERS),
        )

    def poll_changes(self, call: HttpCall, answer: HttpAnswer) -> tuple[TrackerChange, ...]:
        path = urlsplit(call.url).path
        if path.endswith("/issues/comments"):
            return github_changes.from_comments(self.desk, answer.json)
        return github_changes.from_issues(self.desk, answer.json)

    def poll_read_until(self, call: HttpCall, answer: HttpAnswer) -> datetime | None:
        items = answer.json if isinstance(answer.json, list) else []
        if len(items) < POLL_PAGE:
            return None
        instants = [github_changes.instant(item.get("updated_at")) for item in items if isinstance(item, Mapping)]
        return max((at for at in instants if at is not None), default=None)


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in `text` (at least three)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)
