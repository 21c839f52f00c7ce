"""What the emulator answers outside /api/: upload URLs, private file URLs and response URLs.

Rules:
- `Answer` is one HTTP answer: a status, a JSON object or raw bytes, and headers. `Answer.refused(error)` turns an
  `ApiError` into Slack's error answer.
- Upload URL (`POST /upload/v1/<secret>`): the body is the file's bytes (raw, or the first file of a multipart
  form); an unknown secret is 404. Answers `OK - <length>` as text, as Slack's file servers do.
- Private file URL (`GET /files-pri/<team>-<file>/[download/]<name>`): needs the bot token as a Bearer header
  (403 without), answers the bytes with the file's mimetype, or a 302 to where the file has `moved_to`.
- Response URL (`POST /response/<secret>`, JSON as Bolt's `respond()` sends it): works 5 times in 30 minutes;
  `delete_original` deletes the message acted on, `replace_original` replaces it, `response_type: in_channel`
  posts as the bot (in `thread_ts` when given), anything else is an ephemeral message to the user who acted. The
  content obeys chat.postMessage's rules (`no_text`, `msg_too_long`, `invalid_blocks`, as 400).
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from slack_emulator.errors import ApiError
from slack_emulator.methods.common import message_content
from slack_emulator.request import ApiRequest, multipart_params
from slack_emulator.workspace import Workspace

JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Answer:
    status: int
    json: Mapping[str, Any] | None = None
    raw: bytes = b""
    content_type: str = JSON_TYPE
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def refused(cls, error: ApiError) -> "Answer":
        return cls(error.status, error.body(), headers=error.headers)

    @classmethod
    def text(cls, status: int, text: str) -> "Answer":
        return cls(status, raw=text.encode("utf-8"), content_type="text/plain; charset=utf-8")

    def body(self) -> bytes:
        return json.dumps(self.json).encode("utf-8") if self.json is not None else self.raw

    def recorded(self) -> Mapping[str, Any]:
        return self.json if self.json is not None else {}


def upload(ws: Workspace, secret: str, headers: Mapping[str, str], body: bytes) -> Answer:
    content_type = headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        parts = [v for v in multipart_params(content_type, body).values() if isinstance(v, bytes)]
        body = parts[0] if parts else b""
    received = ws.receive_upload(secret, body)
    if received is None:
        return Answer.text(404, "not_found")
    return Answer.text(200, f"OK - {len(body)}")


def download(ws: Workspace, rest: str, headers: Mapping[str, str]) -> Answer:
    if headers.get("authorization", "") != f"Bearer {ws.app.bot_token}":
        return Answer.text(403, "forbidden")
    owner, _, _ = rest.partition("/")
    file = ws.get_file(unquote(owner).removeprefix(f"{ws.team.id}-"))
    if file is None:
        return Answer.text(404, "file_not_found")
    if file.moved_to is not None:
        return Answer(302, raw=b"", content_type="text/plain", headers={"Location": file.moved_to})
    return Answer(200, raw=file.content, content_type=file.mimetype)


def respond(ws: Workspace, secret: str, payload: Mapping[str, Any], headers: Mapping[str, str]) -> Answer:
    target = ws.response_urls.use(secret)
    bot = ws.app.bot_user_id
    if payload.get("delete_original"):
        if target.message_ts is not None and ws.message(target.channel, target.message_ts) is not None:
            ws.delete_message(target.channel, target.message_ts)
        return Answer(200, {"ok": True})
    try:
        content = message_content(ApiRequest("response_url", payload, headers, None))
    except ApiError as error:
        raise ApiError(error.error, status=400, messages=error.messages, errors=error.errors) from None
    thread_ts = payload.get("thread_ts")
    replacing = payload.get("replace_original") and target.message_ts is not None
    if replacing and ws.message(target.channel, str(target.message_ts)) is not None:
        ws.update_message(target.channel, str(target.message_ts), editor=bot, **content)
    elif payload.get("response_type") == "in_channel":
        ws.post_message(target.channel, bot, **content, thread_ts=thread_ts)
    else:
        ws.post_ephemeral(target.channel, target.user, **content, thread_ts=thread_ts)
    return Answer(200, {"ok": True})


def response_payload(body: bytes) -> Mapping[str, Any]:
    try:
        payload = json.loads(body.decode("utf-8")) if body else {}
    except ValueError:
        raise ApiError("invalid_payload", status=400) from None
    if not isinstance(payload, dict):
        raise ApiError("invalid_payload", status=400)
    return payload
