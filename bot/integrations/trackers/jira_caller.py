"""The Caller that sends Jira's calls through the outgoing HTTP channel (bot.integrations.calls;
docs/integrations.md, "Jira").

Rules:
- `prepare` adds the credentials at send time, never stored in a row: Cloud, HTTP basic auth with the account's
  email and API token; Data Center, `Authorization: Bearer` with the personal access token. A poll's bound is
  made relative to the moment of sending (JiraTracker.relative_bound).
- `already_done`, on a retry of the call that files a defect (key "jira:create:SR-000123") after a lost answer,
  searches the project for the issue carrying the label `frontdesk-SR-000123` (JiraTracker.search_call): found,
  the issue is recorded as if the lost answer had named it (a 201 with its id, key and self); not found, the call
  is sent again; the search refused or unanswered raises, so the channel retries later and never files blind.
  Jira's search is eventually consistent (an issue just created may be missing from it for a few seconds), so
  one look that finds nothing is not believed: the first `LOOKS - 1` empty looks for a key raise too (the row is
  retried after the channel's backoff, seconds later), and only the next empty look sends the call again. The
  count is kept in memory (a restarted worker looks twice again: it only waits longer). Other calls (GETs) are
  sent again: they change nothing.
- `on_sent` hands every answer to `record` (bot.integrations.trackers.defects.on_sent in the app), with the tracker.
"""

import base64
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bot.integrations.calls import CallFailed, HttpAnswer, HttpCall, Timeouts, send_now
from bot.integrations.trackers.jira import JiraTracker
from bot.integrations.trackers.tracker import create_key
from storage.engine import Session

Record = Callable[..., None]
LOOKS = 2  # empty searches for a key before its call is sent again


class JiraCaller:
    """Sends one desk's Jira calls; see the module's rules."""

    def __init__(self, tracker: JiraTracker, record: Record, timeouts: Timeouts | None = None) -> None:
        self.tracker, self.record = tracker, record
        self.timeouts = timeouts or Timeouts()
        self._empty_looks: dict[str, int] = {}
        self._lock = threading.Lock()

    def _authorization(self) -> str:
        secrets = self.tracker.secrets
        if self.tracker.desk.cloud:
            pair = f"{secrets.email}:{secrets.token}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return f"Bearer {secrets.token}"

    def prepare(self, call: HttpCall, *, now: datetime, earlier: Mapping[str, HttpAnswer]) -> HttpCall:
        return self.tracker.relative_bound(call, now).with_headers(("Authorization", self._authorization()))

    def already_done(self, call: HttpCall, *, key: str) -> HttpAnswer | None:
        prefix = create_key(self.tracker.name, "")
        if call.method != "POST" or not key.startswith(prefix):
            return None
        search = self.prepare(self.tracker.search_call(key[len(prefix) :]), now=datetime.min, earlier={})
        try:
            answer = send_now(search, self.timeouts)
        except CallFailed as failure:
            raise LookupError(f"jira search: {failure.error}") from None
        if answer.status != 200:
            raise LookupError(f"jira search answered HTTP {answer.status}")
        issues = answer.json.get("issues") if isinstance(answer.json, Mapping) else None
        if not isinstance(issues, list):
            raise LookupError("jira search answered no list of issues")
        found: list[Any] = [issue for issue in issues if isinstance(issue, Mapping) and issue.get("key")]
        if not found:
            with self._lock:
                looks = self._empty_looks[key] = self._empty_looks.get(key, 0) + 1
            if looks < LOOKS:
                raise LookupError("jira search found no issue yet (its index may lag): looking again later")
            return None
        issue = found[0]
        return HttpAnswer(201, {}, {"id": str(issue.get("id") or ""), "key": issue["key"], "self": issue.get("self")})

    def on_sent(
        self, session: Session, call: HttpCall, answer: HttpAnswer, *, key: str, ticket_id: int | None, now: datetime
    ) -> None:
        self.record(session, self.tracker, call, answer, key=key, ticket_id=ticket_id, now=now)
