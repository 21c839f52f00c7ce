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
- A delivery is named by its `X-Atlassian-Webhook-Identifier` (kept across Jira's retries); without one, by its
  signature, the HMAC of its body, which a retry of the same delivery repeats.
- Linking: `parse_link` takes "OPS-123" (any case) or the site's own browse URL; an issue of another project, or a
  URL of another site, is None.
- The reconciliation poll is one search: JQL `project = "OPS" AND updated >= "<since>" ORDER BY updated ASC`, with
  the changelog expanded, up to `POLL_PAGE` issues. JQL reads an absolute date in the Jira user's own time zone,
  which Frontdesk does not know, so the stored call carries `since` in UTC and `relative_bound` turns it, when the
  call is sent (the Caller's `prepare`), into a bound relative to that moment (`updated >= "-42m"`, a minute
  more than has passed), which Jira reads the same in every time zone. Changes read twice are applied once
  (TrackerChange.change_key). An answer with more issues than the page is logged (the rest wait for a later
  poll only if they change again: docs/integrations.md, "Jira").
"""

import logging
import math
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.config.trackers import JiraDesk, JiraSecrets
from bot.integrations.calls import HttpAnswer, HttpCall
from bot.integrations.trackers import adf, hub_signature, jira_changes
from bot.integrations.trackers.tracker import Defect, IssueRef, TrackerChange
from bot.render import render

log = logging.getLogger(__name__)
NAME = "jira"
_UTC_BOUND = "%Y-%m-%d %H:%M UTC"
_BOUND = re.compile(r'updated >= "(\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC)"')
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

    def __init__(self, desk: JiraDesk, secrets: JiraSecrets | None = None) -> None:
        self.desk, self.secrets = desk, secrets or JiraSecrets(token="")
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
        return hub_signature.verify(self.secrets.webhook_secret, headers.get("x-hub-signature", ""), body)

    def delivery_id(self, headers: Mapping[str, str]) -> str | None:
        # Jira's id of the delivery, kept across its retries; a Jira that sends none (some Data Center releases)
        # is named by the signature, the HMAC of the body: the same delivery sent again has the same one
        identifier = headers.get("x-atlassian-webhook-identifier", "").strip()[:200]
        signature = headers.get("x-hub-signature", "").strip().lower()
        return identifier or (f"signed:{signature[7:71]}" if signature.startswith("sha256=") else None)

    def webhook_changes(self, event: str, payload: Any) -> tuple[TrackerChange, ...]:
        return jira_changes.from_webhook(self.desk, event, payload)

    def poll_calls(self, since: datetime) -> tuple[HttpCall, ...]:
        bound = since.astimezone(UTC).strftime(_UTC_BOUND)
        jql = f'project = "{self.desk.project}" AND updated >= "{bound}" ORDER BY updated ASC'
        return (self._search(jql, fields=POLL_FIELDS, most=POLL_PAGE, expand="changelog"),)

    def relative_bound(self, call: HttpCall, now: datetime) -> HttpCall:
        """The poll `call` with its UTC bound as a bound relative to `now` (any other call as it is)."""
        parts = urlsplit(call.url)
        query = dict(parse_qsl(parts.query))
        match = _BOUND.search(query.get("jql", ""))
        if match is None:
            return call
        since = datetime.strptime(match.group(1), _UTC_BOUND).replace(tzinfo=UTC)
        minutes = max(1, math.ceil((now - since) / timedelta(minutes=1)) + 1)
        query["jql"] = query["jql"].replace(match.group(0), f'updated >= "-{minutes}m"')
        return replace(call, url=urlunsplit(parts._replace(query=urlencode(query))))

    def poll_changes(self, call: HttpCall, answer: HttpAnswer) -> tuple[TrackerChange, ...]:
        return jira_changes.from_search(self.desk, answer.json)

    def poll_read_until(self, call: HttpCall, answer: HttpAnswer) -> datetime | None:
        body = answer.json
        full = isinstance(body, Mapping) and (body.get("isLast") is False or int(body.get("total") or 0) > POLL_PAGE)
        return jira_changes.last_updated(body) if full else None

    def _search(self, jql: str, *, fields: str, most: int, expand: str = "") -> HttpCall:
        # Cloud: GET /rest/api/3/search/jql (the old /search answers 410 there); Data Center: GET /rest/api/2/search
        path = "/search/jql" if self.desk.cloud else "/search"
        query = {"jql": jql, "fields": fields, "maxResults": str(most), **({"expand": expand} if expand else {})}
        return HttpCall(NAME, "GET", f"{self.api}{path}?{urlencode(query)}")
