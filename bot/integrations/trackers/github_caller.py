"""The Caller that sends GitHub's calls through the outgoing HTTP channel (bot.integrations.calls;
docs/integrations.md, "GitHub Issues").

Rules:
- `prepare` adds `Authorization: Bearer <token>` at send time, never stored in a row.
- `already_done`, on a retry of the call that files a defect (key "github:create:SR-000123") after a lost answer,
  lists the repository's newest issues (GitHubTracker.lookup_call) and looks for the one whose body starts with the
  defect's marker: found, it is recorded as if the lost answer had named it (a 201 with the issue); not found, the
  call is sent again; the listing refused or unanswered raises, so the channel retries later and never files
  blind. The listing reads the database, not the search index, so an issue just created is in it. Other calls
  (GETs) are sent again: they change nothing.
- `on_sent` hands every answer to `record` (bot.integrations.trackers.defects.on_sent in the app), with the tracker.
"""

from collections.abc import Callable, Mapping
from datetime import datetime

from bot.integrations.calls import CallFailed, HttpAnswer, HttpCall, Timeouts, send_now
from bot.integrations.trackers.github import GitHubTracker
from bot.integrations.trackers.tracker import create_key
from storage.engine import Session

Record = Callable[..., None]


class GitHubCaller:
    """Sends one desk's GitHub calls; see the module's rules."""

    def __init__(self, tracker: GitHubTracker, record: Record, timeouts: Timeouts | None = None) -> None:
        self.tracker, self.record = tracker, record
        self.timeouts = timeouts or Timeouts()

    def prepare(self, call: HttpCall, *, now: datetime, earlier: Mapping[str, HttpAnswer]) -> HttpCall:
        return call.with_headers(("Authorization", f"Bearer {self.tracker.secrets.token}"))

    def already_done(self, call: HttpCall, *, key: str) -> HttpAnswer | None:
        prefix = create_key(self.tracker.name, "")
        if call.method != "POST" or not key.startswith(prefix):
            return None
        lookup = self.prepare(self.tracker.lookup_call(), now=datetime.min, earlier={})
        try:
            answer = send_now(lookup, self.timeouts)
        except CallFailed as failure:
            raise LookupError(f"github issue listing: {failure.error}") from None
        if answer.status != 200 or not isinstance(answer.json, list):
            raise LookupError(f"github issue listing answered HTTP {answer.status}")
        sr = key[len(prefix) :]
        found = next((issue for issue in answer.json if self.tracker.filed_for(issue, sr)), None)
        return None if found is None else HttpAnswer(201, {}, found)

    def on_sent(
        self, session: Session, call: HttpCall, answer: HttpAnswer, *, key: str, ticket_id: int | None, now: datetime
    ) -> None:
        self.record(session, self.tracker, call, answer, key=key, ticket_id=ticket_id, now=now)
