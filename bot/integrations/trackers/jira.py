"""Jira as a defect tracker: Cloud (REST v3) and Data Center (REST v2) (docs/integrations.md, "Jira").

Implements bot.integrations.trackers.tracker.Tracker; every method is pure (no I/O, no clock). The Caller that
sends its calls is bot.integrations.trackers.jira_caller; what its webhooks and searches say is read by
bot.integrations.trackers.jira_changes.

Rules:
- Filing: `POST {api}/issue` with the project, the issue type, the summary ("SR-000123: title", one line, at most
  255 characters), the description (templates/trackers/jira_description.txt.j2: on Cloud an ADF document, on Data
  Center plain text with Jira's wiki markup escaped, so nothing the requester typed becomes markup) and the labels:
  the desk's, "frontdesk" and `sr_label(sr)` ("frontdesk-SR-000123"). That label is what finds the issue again
  after a lost answer (`search_call`: JQL `project = "OPS" AND labels = "frontdesk-SR-000123"`): labels are exact
  (JQL's `~` text search is fuzzy and stemmed), and need no app to index them (entity properties do).
- An issue is named by its key ("OPS-123"); its page is `{url}/browse/OPS-123`.
- Linking: `parse_link` takes "OPS-123" (any case) or the site's own browse URL; an issue of another project, or a
  URL of another site, is None.
- The reconciliation poll is one search: JQL `project = "OPS" AND updated >= "<since - 1 day>" ORDER BY updated
  ASC`, with the changelog expanded. JQL reads a date in the Jira user's own time zone, at minute precision, so the
  bound is set a day early (more than any time zone's offset): changes read twice are applied once
  (TrackerChange.change_key). Up to `POLL_PAGE` issues are read a poll.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from bot.config.trackers import JiraDesk, JiraSecrets
from bot.integrations.calls import HttpAnswer, HttpCall
from bot.integrations.trackers import adf, jira_changes, jira_signature
from bot.integrations.trackers.tracker import Defect, IssueRef, TrackerChange
from bot.render import render

NAME = "jira"
POLL_PAGE = 100
POLL_FIELDS = "status,fixVersions,comment,updated"
_SUMMARY_MOST = 255
_WIKI_SPECIALS = "\\{}[]|!*_+^~#-?"


def sr_label(sr: str) -> str:
    """The label every issue filed for `sr` carries ("frontdesk-SR-000123")."""
    return f"frontdesk-{sr}"


def wiki_escaped(text: str) -> str:
    """`text` with every character Jira's wiki markup (Data Center's text fields) acts on escaped."""
    return "".join("&#92;" if c == "\\" else f"\\{c}" if c in _WIKI_SPECIALS else c for c in text)


class JiraTracker:
    """One desk's Jira project; see the module's rules."""

    def __init__(self, desk: JiraDesk, secrets: JiraSecrets) -> None:
        self.desk, self.secrets = desk, secrets
        self.api = desk.url + desk.api_path

    @property
    def name(self) -> str:
        return NAME

    @property
    def scope(self) -> str:
        return self.desk.project

    def ref(self, key: str) -> IssueRef:
        return IssueRef(NAME, key, f"{self.desk.url}/browse/{key}")

    def create_call(self, defect: Defect) -> HttpCall:
        summary = render("trackers/jira_summary.txt.j2", sr=defect.sr, title=defect.title).strip()
        fields = {
            "project": {"key": self.desk.project},
            "issuetype": {"name": self.desk.issue_type},
            "summary": summary[:_SUMMARY_MOST],
            "description": self._description(defect),
            "labels": list(dict.fromkeys((*self.desk.labels, "frontdesk", sr_label(defect.sr)))),
        }
        return HttpCall(NAME, "POST", f"{self.api}/issue", {"fields": fields})

    def _description(self, defect: Defect) -> Any:
        escape = (lambda text: text) if self.desk.cloud else wiki_escaped
        text = render(
            "trackers/jira_description.txt.j2",
            sr=defect.sr,
            priority=escape(defect.priority),
            severity=escape(defect.severity),
            description=escape(adf.clean(defect.description)),
            steps=escape(adf.clean(defect.steps)),
            deadlines=defect.deadlines,
            link_back=defect.link_back,
            public_prefix=escape(self.desk.public_prefix),
        )
        return adf.document(text) if self.desk.cloud else adf.clean(text)

    def created(self, answer: HttpAnswer) -> IssueRef | None:
        body = answer.json
        key = body.get("key") if isinstance(body, Mapping) else None
        return self.ref(key) if isinstance(key, str) and jira_changes.is_key(key, self.desk.project) else None

    def search_call(self, sr: str) -> HttpCall:
        """The search that finds the issue filed for `sr`, if any (after a lost answer)."""
        jql = f'project = "{self.desk.project}" AND labels = "{sr_label(sr)}" ORDER BY created ASC'
        return self._search(jql, fields="created", most=1)

    def parse_link(self, text: str) -> IssueRef | None:
        text = text.strip()
        if "://" in text:
            parts, site = urlsplit(text), urlsplit(self.desk.url)
            if (parts.scheme, parts.netloc.lower()) != (site.scheme, site.netloc.lower()):
                return None
            head, _, key = parts.path.rstrip("/").rpartition("/")
            if head != site.path.rstrip("/") + "/browse":
                return None
            text = key
        key = text.upper()
        return self.ref(key) if jira_changes.is_key(key, self.desk.project) else None

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        return jira_signature.verify(self.secrets.webhook_secret, headers.get("x-hub-signature", ""), body)

    def delivery_id(self, headers: Mapping[str, str]) -> str | None:
        return headers.get("x-atlassian-webhook-identifier", "").strip()[:200] or None

    def webhook_changes(self, event: str, payload: Any) -> tuple[TrackerChange, ...]:
        return jira_changes.from_webhook(self.desk, event, payload)

    def poll_calls(self, since: datetime) -> tuple[HttpCall, ...]:
        bound = (since - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
        jql = f'project = "{self.desk.project}" AND updated >= "{bound}" ORDER BY updated ASC'
        return (self._search(jql, fields=POLL_FIELDS, most=POLL_PAGE, expand="changelog"),)

    def poll_changes(self, call: HttpCall, answer: HttpAnswer) -> tuple[TrackerChange, ...]:
        return jira_changes.from_search(self.desk, answer.json)

    def _search(self, jql: str, *, fields: str, most: int, expand: str = "") -> HttpCall:
        # Cloud: GET /rest/api/3/search/jql (the old /search answers 410 there); Data Center: GET /rest/api/2/search
        path = "/search/jql" if self.desk.cloud else "/search"
        query = {"jql": jql, "fields": fields, "maxResults": str(most), **({"expand": expand} if expand else {})}
        return HttpCall(NAME, "GET", f"{self.api}{path}?{urlencode(query)}")
