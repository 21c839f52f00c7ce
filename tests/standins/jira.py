"""A Jira stand-in on loopback: Cloud (REST v3) or Data Center (REST v2), checked against Atlassian's description.

Rules:
- `JiraStandIn(flavour, ...)` serves create issue (`POST {api}/issue`), get issue (`GET {api}/issue/{key}`) and
  the JQL search (Cloud `GET /rest/api/3/search/jql`, Data Center `GET /rest/api/2/search`) on a StandIn
  (tests/standins/server.py). Every request is checked against tests/standins/specs/jira/ (cloud-v3.json or
  datacenter-v2.json) before it is answered; a v3 description must also be a valid ADF document
  (adf-schema.json), a v2 one a string; and the fields Jira itself requires are required (project of this site,
  issue type, a one-line summary of at most 255 characters, labels without spaces). Problems go to `problems`
  and are answered 400, as Jira answers them.
- Authentication as Jira: Cloud takes HTTP basic with `email:token`, Data Center `Bearer <token>`; anything else
  is answered 401 with Jira's error body, recorded in `refused` (not a problem: a test may try it on purpose).
- JQL: the clauses the bot sends, joined by AND: `project = "KEY"`, `labels = "x"`, `updated >= "yyyy-MM-dd HH:mm"`
  (read in `user_zone`, as Jira reads dates in the user's time zone, at minute precision) or `updated >= "-42m"`
  (relative to the clock; `m`, `h`, `d`, `w`), and `ORDER BY created|updated ASC`. Anything else is answered 400
  with Jira's error body and recorded as a problem.
  While `search_lag` is above 0, a search misses the issue filed last and lowers it by one (Jira's search is
  eventually consistent: an issue just filed may be missing from it for a while).
- Scripting the tracker's side: `transition`, `add_fix_version`, `remove_fix_version`, `comment` change an issue at an
  instant (the injected `clock`'s by default), record its changelog as Jira does, and return the webhook body Jira would
  send (`jira:issue_updated`, `comment_created`); `deliver(url, event, body, secret)` posts it as Jira does (signed
  `X-Hub-Signature: sha256=...` over the raw body when a secret is given, `X-Atlassian-Webhook-Identifier` unique per
  delivery, or the one given for a retry) and returns the HTTP status.
- Instants are written as Jira writes them ("2026-12-03T14:00:00.000+0000"); webhooks carry REST v2 shapes
  (comment bodies as strings), as Jira's do; searches on Cloud carry ADF comment bodies.
"""

import base64
import hashlib
import hmac
import itertools
import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jsonschema import Draft4Validator

from bot.integrations.trackers import adf
from tests.standins.openapi import Description
from tests.standins.server import Answer, Received, Served, StandIn

SPECS = Path(__file__).parent / "specs" / "jira"
API = {"cloud": "/rest/api/3", "datacenter": "/rest/api/2"}
DONE = {"id": "3", "key": "done", "name": "Done"}
CATEGORIES = {"new": {"id": 2, "key": "new", "name": "To Do"}, "indeterminate": {"id": 4, "key": "indeterminate",
              "name": "In Progress"}, "done": {"id": 3, "key": "done", "name": "Done"}}  # fmt: skip
_CLAUSE = re.compile(
    r'^(project|labels) = "([^"]+)"$|^updated >= "(?:(\d{4}-\d{2}-\d{2} \d{2}:\d{2})|-(\d+)([mhdw]))"$'
)
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_ORDER = re.compile(r"\s+ORDER BY (created|updated) ASC$")


def jira_instant(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}+0000"


@dataclass
class Issue:
    id: str
    key: str
    fields: dict[str, Any]
    created: datetime
    updated: datetime
    status: dict[str, Any]
    histories: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)  # bodies as plain text
    fix_versions: list[dict[str, Any]] = field(default_factory=list)


class JiraStandIn(Served):
    """One Jira site with one project; see the module's rules."""

    def __init__(
        self,
        flavour: str = "cloud",
        *,
        project: str = "OPS",
        email: str = "bot@example.com",
        token: str = "jira-token",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        user_zone: str = "UTC",
    ) -> None:
        self.flavour, self.project, self.email, self.token = flavour, project, email, token
        self.clock, self.user_zone = clock, ZoneInfo(user_zone)
        self.api = API[flavour]
        name = "cloud-v3.json" if flavour == "cloud" else "datacenter-v2.json"
        self.description = Description.load(SPECS / name)
        self.adf = Draft4Validator(json.loads((SPECS / "adf-schema.json").read_text()))
        self.issues: dict[str, Issue] = {}
        self.refused: list[Received] = []
        self.search_lag = 0
        self._status_ids: dict[str, str] = {"To Do": "1"}
        self._ids = itertools.count(10000)
        self._lock = threading.Lock()
        search = "/search/jql" if flavour == "cloud" else "/search"
        self.server = StandIn(
            {
                ("POST", f"{self.api}/issue"): self._create,
                ("GET", f"{self.api}/issue/{{issueIdOrKey}}"): self._get,
                ("GET", f"{self.api}{search}"): self._search,
            },
            check=self.check,
        )
        self.search_path = f"{self.api}{search}"

    # the server

    def check(self, received: Received) -> list[str]:
        """What Jira would refuse in `received` (the server runs it before every answer)."""
        problems = self.description.problems(received)
        if received.method == "POST" and not problems:
            problems += self._create_problems(received.json)
        if received.template == self.search_path and not problems:
            problems += [f"JQL: {error}" for error in _jql_errors(received.arg("jql") or "")]
        return problems

    def _create_problems(self, body: Any) -> list[str]:
        fields = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            return ["fields: required"]
        problems = []
        if (fields.get("project") or {}).get("key") != self.project:
            problems.append(f"fields.project: not the project {self.project}")
        if not (fields.get("issuetype") or {}).get("name"):
            problems.append("fields.issuetype: required")
        summary = fields.get("summary")
        if not isinstance(summary, str) or not summary.strip() or "\n" in summary or len(summary) > 255:
            problems.append("fields.summary: one line of 1 to 255 characters is required")
        labels = fields.get("labels", [])
        if not isinstance(labels, list) or any(not isinstance(x, str) or not re.fullmatch(r"\S+", x) for x in labels):
            problems.append("fields.labels: labels cannot contain spaces")
        description = fields.get("description")
        if self.flavour == "cloud":
            problems += [f"fields.description (ADF): {error.message}" for error in self.adf.iter_errors(description)]
        elif not isinstance(description, str):
            problems.append("fields.description: a string is required on REST v2")
        return problems

    def _authorised(self, received: Received) -> bool:
        given = received.headers.get("authorization", "")
        if self.flavour == "cloud":
            expected = "Basic " + base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        else:
            expected = f"Bearer {self.token}"
        if given == expected:
            return True
        with self._lock:
            self.refused.append(received)
        return False

    # the operations

    def _create(self, received: Received) -> Answer:
        if not self._authorised(received):
            return _unauthorised()
        fields = dict(received.json["fields"])
        with self._lock:
            number = next(self._ids)
            key = f"{self.project}-{len(self.issues) + 1}"
            now = self.clock()
            status = {"id": "1", "name": "To Do", "statusCategory": CATEGORIES["new"]}
            self.issues[key] = Issue(str(number), key, fields, now, now, status)
        return Answer(201, {"id": str(number), "key": key, "self": f"{self.url}{self.api}/issue/{number}"})

    def _get(self, received: Received) -> Answer:
        if not self._authorised(received):
            return _unauthorised()
        wanted = received.params["issueIdOrKey"]
        with self._lock:
            issue = next((i for i in self.issues.values() if wanted in (i.key, i.id)), None)
            if issue is None:
                return Answer(404, {"errorMessages": ["Issue does not exist or you do not have permission to see it."],
                                    "errors": {}})  # fmt: skip
            return Answer(200, self._issue_json(issue, changelog="changelog" in (received.arg("expand") or "")))

    def _search(self, received: Received) -> Answer:
        if not self._authorised(received):
            return _unauthorised()
        jql = received.arg("jql") or ""
        most = int(received.arg("maxResults") or 50)
        with self._lock:
            visible = list(self.issues.values())[: -1 if self.search_lag > 0 else None]
            self.search_lag = max(0, self.search_lag - 1)
            found = [issue for issue in visible if self._matches(issue, jql)]
            order = _ORDER.search(jql)
            if order:
                found.sort(key=lambda issue: getattr(issue, order.group(1)))
            page = [self._issue_json(i, changelog="changelog" in (received.arg("expand") or "")) for i in found[:most]]
        if self.flavour == "cloud":
            return Answer(200, {"issues": page, "isLast": len(found) <= most})
        return Answer(200, {"startAt": 0, "maxResults": most, "total": len(found), "issues": page})

    def _matches(self, issue: Issue, jql: str) -> bool:
        for clause in _ORDER.sub("", jql).split(" AND "):
            match = _CLAUSE.match(clause.strip())
            assert match is not None  # checked before
            if match.group(1) == "project" and match.group(2) != self.project:
                return False
            if match.group(1) == "labels" and match.group(2) not in issue.fields.get("labels", []):
                return False
            if match.group(3):
                bound = datetime.strptime(match.group(3), "%Y-%m-%d %H:%M").replace(tzinfo=self.user_zone)
                if issue.updated < bound:
                    return False
            if match.group(4):
                bound = self.clock() - int(match.group(4)) * _UNITS[match.group(5)]
                if issue.updated < bound.replace(second=0, microsecond=0):
                    return False
        return True

    def _issue_json(self, issue: Issue, *, changelog: bool = False, v2: bool = False) -> dict[str, Any]:
        v2 = v2 or self.flavour == "datacenter"
        fields = {**issue.fields, "status": issue.status, "fixVersions": issue.fix_versions,
                  "created": jira_instant(issue.created), "updated": jira_instant(issue.updated),
                  "comment": {"comments": [self._comment_json(c, v2=v2) for c in issue.comments],
                              "total": len(issue.comments), "startAt": 0}}  # fmt: skip
        if v2 and isinstance(fields.get("description"), dict):
            fields["description"] = adf.text_of(fields["description"])
        body: dict[str, Any] = {"id": issue.id, "key": issue.key, "self": f"{self.url}{self.api}/issue/{issue.id}",
                                "fields": fields}  # fmt: skip
        if changelog:
            body["changelog"] = {"startAt": 0, "maxResults": len(issue.histories), "total": len(issue.histories),
                                 "histories": issue.histories}  # fmt: skip
        return body

    def _comment_json(self, comment: dict[str, Any], *, v2: bool) -> dict[str, Any]:
        text = comment["body"]
        return {**comment, "body": text if v2 else adf.document(text)}

    # the tracker's side

    def _change(self, key: str, at: datetime | None, items: list[dict[str, Any]]) -> dict[str, Any]:
        issue = self.issues[key]
        at = at or self.clock()
        history_id = str(next(self._ids))
        issue.histories.append({"id": history_id, "created": jira_instant(at), "author": _user(), "items": items})
        issue.updated = max(issue.updated, at)
        return {"timestamp": int(at.timestamp() * 1000), "webhookEvent": "jira:issue_updated",
                "issue_event_type_name": "issue_generic", "user": _user(),
                "issue": self._issue_json(issue, v2=True), "changelog": {"id": history_id, "items": items}}  # fmt: skip

    def transition(self, key: str, name: str, category: str = "done", at: datetime | None = None) -> dict[str, Any]:
        """Moves the issue to status `name` (in status category `category`); the webhook body of the change."""
        with self._lock:
            issue = self.issues[key]
            before = issue.status
            status_id = self._status_ids.setdefault(name, str(10 + len(self._status_ids)))
            issue.status = {"id": status_id, "name": name, "statusCategory": CATEGORIES[category]}
            item = {"field": "status", "fieldtype": "jira", "fieldId": "status", "from": before["id"],
                    "fromString": before["name"], "to": status_id, "toString": name}  # fmt: skip
            return self._change(key, at, [item])

    def add_fix_version(
        self, key: str, name: str, release_date: str | None, at: datetime | None = None
    ) -> dict[str, Any]:
        """Adds fix version `name` (released on `release_date`, "YYYY-MM-DD", or not dated); the webhook body."""
        with self._lock:
            version_id = str(next(self._ids))
            version = {"id": version_id, "name": name, "archived": False, "released": False,
                       **({"releaseDate": release_date} if release_date else {})}  # fmt: skip
            self.issues[key].fix_versions.append(version)
            item = {"field": "Fix Version", "fieldtype": "jira", "fieldId": "fixVersions", "from": None,
                    "fromString": None, "to": version_id, "toString": name}  # fmt: skip
            return self._change(key, at, [item])

    def remove_fix_version(self, key: str, name: str, at: datetime | None = None) -> dict[str, Any]:
        """Takes fix version `name` off the issue; the webhook body."""
        with self._lock:
            issue = self.issues[key]
            [version] = [v for v in issue.fix_versions if v["name"] == name]
            issue.fix_versions.remove(version)
            item = {"field": "Fix Version", "fieldtype": "jira", "fieldId": "fixVersions", "from": version["id"],
                    "fromString": name, "to": None, "toString": None}  # fmt: skip
            return self._change(key, at, [item])

    def comment(
        self, key: str, text: str, *, author: str = "Dana Engineer", at: datetime | None = None,
        visibility: dict[str, str] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Adds a comment (`visibility`: a role or group restriction); the `comment_created` webhook body."""
        with self._lock:
            issue = self.issues[key]
            at = at or self.clock()
            comment = {"id": str(next(self._ids)), "author": _user(author), "body": text,
                       "created": jira_instant(at), "updated": jira_instant(at),
                       **({"visibility": visibility} if visibility else {})}  # fmt: skip
            issue.comments.append(comment)
            issue.updated = max(issue.updated, at)
            return {"timestamp": int(at.timestamp() * 1000), "webhookEvent": "comment_created",
                    "comment": comment, "issue": self._issue_json(issue, v2=True)}  # fmt: skip

    _deliveries = itertools.count(1)

    def deliver(
        self, url: str, body: dict[str, Any], *, secret: str | None, identifier: str | None = None,
        signature: str | None = None,
    ) -> int:  # fmt: skip
        """POSTs a webhook body as Jira does; the HTTP status of the answer. `signature` overrides the header."""
        return self.deliver_raw(url, json.dumps(body).encode(), secret=secret, identifier=identifier,
                                signature=signature)  # fmt: skip

    def deliver_raw(
        self, url: str, raw: bytes, *, secret: str | None, identifier: str | None = None,
        signature: str | None = None,
    ) -> int:  # fmt: skip
        """POSTs these bytes as a webhook, signed as Jira signs them (or with `signature`); the HTTP status."""
        headers = {"Content-Type": "application/json", "User-Agent": "Atlassian Webhook HTTP Client",
                   "X-Atlassian-Webhook-Identifier": identifier or f"wh-{next(self._deliveries)}",
                   "X-Atlassian-Webhook-Flow": "Primary"}  # fmt: skip
        if signature is not None:
            headers["X-Hub-Signature"] = signature
        elif secret is not None:  # as Atlassian documents it, computed here rather than by the bot's own code
            headers["X-Hub-Signature"] = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        request = urllib.request.Request(url, data=raw, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)


def _user(name: str = "Dana Engineer") -> dict[str, Any]:
    return {"accountId": "5b10a2844c20165700ede21g", "displayName": name, "active": True}


def _unauthorised() -> Answer:
    return Answer(401, {"errorMessages": ["You are not authenticated. Authentication required to perform this "
                                          "operation."], "errors": {}})  # fmt: skip


def _jql_errors(jql: str) -> list[str]:
    clauses = _ORDER.sub("", jql).split(" AND ")
    return [f"Error in the JQL Query: {clause!r} is not understood here" for clause in clauses
            if not _CLAUSE.match(clause.strip())]  # fmt: skip
