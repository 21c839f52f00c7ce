"""The error answers of the emulated Web API.

Rules:
- An `ApiError` is what Slack answers when a call is refused: HTTP 200 (unless `status` says otherwise) with
  `{"ok": false, "error": "<code>"}`, plus `response_metadata.messages` when Slack explains itself (as it does for
  `invalid_arguments` and `invalid_blocks`), plus `headers` (a 429 carries `Retry-After`). `invalid_blocks` also
  lists its problems in `errors`, without the `[ERROR] ` prefix: `invalid_blocks(problems)`. `extra` holds
  the other fields some refusals carry (`missing_scope`'s `needed` and `provided`).
- Error codes are Slack's own strings (`channel_not_found`, `not_in_channel`, `no_text`, ...), never invented
  prose, so code written against the emulator handles the real service's answers.
- `missing_argument(name)` is Slack's answer to a required argument left out.
"""

from collections.abc import Mapping
from typing import Any


class ApiError(Exception):
    """A refused Web API call, as Slack words it."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        messages: tuple[str, ...] = (),
        errors: tuple[str, ...] = (),
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.messages = messages
        self.errors = errors
        self.headers: Mapping[str, str] = dict(headers or {})
        self.extra: Mapping[str, Any] = dict(extra or {})

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error, **self.extra}
        if self.errors:
            body["errors"] = list(self.errors)
        if self.messages:
            body["response_metadata"] = {"messages": list(self.messages)}
        return body


def missing_argument(name: str) -> ApiError:
    return ApiError("invalid_arguments", messages=(f"[ERROR] missing required field: {name}",))


def invalid_blocks(problems: tuple[str, ...]) -> ApiError:
    """Slack's refusal of blocks: `errors` and `response_metadata.messages` list the same problems."""
    return ApiError("invalid_blocks", errors=problems, messages=tuple(f"[ERROR] {p}" for p in problems))


def rate_limited(retry_after: int) -> ApiError:
    return ApiError("ratelimited", status=429, headers={"Retry-After": str(retry_after)})
