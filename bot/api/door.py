"""The read API's door on the HTTP side (bot.process.web hands it every path under `/api/`).

Rules (docs/security.md, "The read API"; docs/integrations.md, "Read API"):
- Paths are matched exactly: `/api/v1/requests`, `/api/v1/requests/<SR number>` and `/api/v1/openapi.json`;
  anything else under `/api/` is 404. Only GET and HEAD (405 with `Allow: GET, HEAD`); HEAD answers the headers.
- The OpenAPI document needs no token. Everything else needs `Authorization: Bearer <token>`: none is 401
  `missing_token`; a token unknown, revoked or not of a token's shape is 401 `invalid_token`, the same answer for
  all three. A token is found by the SHA-256 of its text (bot.api.tokens, storage.api_tokens).
- A refused token is logged once per kind (never the token, nor its hash) and audited as `access.refused` with
  the reason, the path and the client's address (the revoked token's name as subject); at most AUDITS_PER_MINUTE
  such rows a minute per process, so a flood of guesses cannot fill the audit log (the rest are only counted in
  the next row's `after.unaudited`). A missing token is logged once and not audited: nobody claimed anything.
- A token's use is recorded at most once a minute (storage.api_tokens.mark_used). Every answer is counted for
  /metrics by its kind (bot.monitoring.instruments.API_REQUESTS), never by token, path or client.
- The token is checked first: without a good one nothing else is said (but 404 for a path that is none of the
  API's, 405 for a method it does not answer). Then the parameters (bot.api.query), before the database is read;
  a malformed SR number is 400, an unknown one 404. A database that fails is 503 `unavailable`, never a traceback.
"""

import logging
import re
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.api.answers import ApiAnswer, Refused, json_answer, refusal
from bot.api.document import openapi_document
from bot.api.query import MAX_NUMBER, ListQuery, cursor_after, parse_list_query
from bot.api.shapes import API_PATH, REQUESTS_PATH, detail_json, page_json
from bot.api.tokens import MISSING, presented, token_hash
from bot.monitoring.instruments import API_ANSWERS, API_REQUESTS
from bot.monitoring.log_once import LogOnce
from storage import api_reads, api_tokens, audit
from storage.api_tokens import USE_PRECISION
from storage.engine import Database
from storage.errors import StorageError

DOCUMENT_PATH = f"{API_PATH}/openapi.json"
AUDITS_PER_MINUTE = 60
_NUMBER = re.compile(r"[Ss][Rr]-([0-9]{6,10})")
_READ = ("GET", "HEAD")
_COUNTED = dict(zip((200, 400, 401, 404, 405, 503), API_ANSWERS, strict=True))  # the answer label of each status
log = logging.getLogger(__name__)


class ReadApi:
    """Answers the read API's requests from `database`, at `clock`, for a policy with `priorities`."""

    def __init__(self, database: Database, priorities: list[str], clock: Callable[[], datetime]) -> None:
        self._database, self._priorities, self._clock = database, priorities, clock
        self._logged = LogOnce(log)
        self._audits = _AuditBudget()

    def __call__(self, environ: Mapping[str, Any]) -> ApiAnswer:
        path, method = str(environ.get("PATH_INFO", "")), str(environ.get("REQUEST_METHOD", ""))
        try:
            answer = self._route(environ, path, method)
        except Refused as refused:
            answer = refusal(refused)
        except StorageError:
            log.exception("the read API could not read the database")
            answer = refusal(Refused(503, "unavailable"))
        API_REQUESTS.labels(_COUNTED[answer.status]).inc()
        return answer

    def _route(self, environ: Mapping[str, Any], path: str, method: str) -> ApiAnswer:
        if path == DOCUMENT_PATH:
            _allowed(method)
            return json_answer(200, openapi_document(tuple(self._priorities)))
        if path == REQUESTS_PATH:
            _allowed(method)
            self._authenticate(environ, path)
            return self._list(parse_list_query(str(environ.get("QUERY_STRING", "")), self._priorities))
        segment = path.removeprefix(REQUESTS_PATH + "/") if path.startswith(REQUESTS_PATH + "/") else ""
        if segment and "/" not in segment:
            _allowed(method)
            self._authenticate(environ, path)
            return self._detail(_number(segment))
        raise Refused(404, "not_found")

    def _list(self, query: ListQuery) -> ApiAnswer:
        with self._database.read() as session:
            found = api_reads.list_requests(session, since=query.since, status=query.status, priority=query.priority,
                                            after=query.after, limit=query.limit + 1)  # fmt: skip
        page, more = found[: query.limit], len(found) > query.limit
        return json_answer(200, page_json(page, cursor_after(page[-1].sr_number) if more else None))

    def _detail(self, number: int) -> ApiAnswer:
        detail = None
        if number <= MAX_NUMBER:
            with self._database.read() as session:
                detail = api_reads.request_detail(session, number)
        if detail is None:
            raise Refused(404, "no_such_request")
        return json_answer(200, detail_json(detail))

    def _authenticate(self, environ: Mapping[str, Any], path: str) -> None:
        token = presented(str(environ.get("HTTP_AUTHORIZATION", "")))
        if token == MISSING:
            self._logged.say("missing", "refused a read API request without a token; this kind is not logged again")
            raise Refused(401, "missing_token")
        record = None
        if token is not None:
            with self._database.read() as session:
                record = api_tokens.find_token(session, token_hash(token))
        if record is None or not record.active:
            why = "no token's shape" if token is None else "unknown token" if record is None else "revoked token"
            self._refused(environ, path, why, None if record is None else record.name)
            raise Refused(401, "invalid_token")
        now = self._clock()
        if record.last_used_at is None or now - record.last_used_at >= USE_PRECISION:
            with self._database.write() as session:
                api_tokens.mark_used(session, record.name, now)

    def _refused(self, environ: Mapping[str, Any], path: str, why: str, name: str | None) -> None:
        self._logged.say(why, "refused a read API request (401): %s; this kind is not logged again", why)
        now = self._clock()
        unaudited = self._audits.take(now)
        if unaudited is None:
            return
        address = str(environ.get("REMOTE_ADDR", ""))[:64]
        after = {"reason": why, "path": path[:200], "address": address, "unaudited": unaudited}
        with self._database.write() as session:
            audit.record(session, actor=f"api:{address}"[:200], action=audit.REFUSED, at=now,
                         subject=None if name is None else f"api_token:{name}", after=after)  # fmt: skip


class _AuditBudget:
    """At most AUDITS_PER_MINUTE refusals audited per minute; `take` says how many went unaudited since the last
    audited one, or None when this one is not to be audited."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._window: datetime | None = None
        self._used = self._skipped = 0

    def take(self, now: datetime) -> int | None:
        with self._lock:
            if self._window is None or now - self._window >= timedelta(minutes=1) or now < self._window:
                self._window, self._used = now, 0
            if self._used >= AUDITS_PER_MINUTE:
                self._skipped += 1
                return None
            self._used += 1
            skipped, self._skipped = self._skipped, 0
            return skipped


def _allowed(method: str) -> None:
    if method not in _READ:
        raise Refused(405, "method_not_allowed")


def _number(segment: str) -> int:
    match = _NUMBER.fullmatch(segment)
    if match is None:
        raise Refused(400, "bad_number", parameter="number")
    return int(match.group(1))
