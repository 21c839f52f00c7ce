"""The read API's answers: JSON, never cached, and its refusals worded by templates/api/error.json.j2.

Rules: every answer is `application/json` with `Cache-Control: no-store` (a token's reader may be a shared
machine; a proxy must keep nothing); a refusal is `Refused` (status, error code, the parameter at fault and what
is allowed), and its body says all of that. A 401 carries `WWW-Authenticate: Bearer` (RFC 6750), with
`error="invalid_token"` when a token was presented; a 405 carries `Allow: GET, HEAD`.
"""

import json
from dataclasses import dataclass
from typing import Any

from bot.render import render_json

MAX_LIMIT, DEFAULT_LIMIT = 500, 100
ERROR_CODES = (
    "missing_token", "invalid_token", "unknown_parameter", "repeated_parameter", "bad_query", "bad_since",
    "bad_status", "bad_priority", "bad_limit", "bad_cursor", "bad_number", "not_found", "no_such_request",
    "method_not_allowed", "unavailable",
)  # fmt: skip
_REALM = 'Bearer realm="frontdesk"'
_EXTRA_HEADERS = {
    "missing_token": (("WWW-Authenticate", _REALM),),
    "invalid_token": (("WWW-Authenticate", f'{_REALM}, error="invalid_token"'),),
    "method_not_allowed": (("Allow", "GET, HEAD"),),
}


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]


class Refused(Exception):
    """A request the API does not answer with data: `status`, the error `code`, and what was wrong."""

    def __init__(self, status: int, code: str, *, parameter: str = "", allowed: list[str] | None = None) -> None:
        super().__init__(code)
        self.status, self.code, self.parameter, self.allowed = status, code, parameter, allowed


def json_answer(status: int, value: Any, headers: tuple[tuple[str, str], ...] = ()) -> ApiAnswer:
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    kept = (("Content-Type", "application/json"), ("Cache-Control", "no-store"), *headers)
    return ApiAnswer(status, body, kept)


def refusal(refused: Refused) -> ApiAnswer:
    body = render_json("api/error.json.j2", code=refused.code, parameter=refused.parameter, allowed=refused.allowed,
                       max_limit=MAX_LIMIT)  # fmt: skip
    return json_answer(refused.status, body, _EXTRA_HEADERS.get(refused.code, ()))
