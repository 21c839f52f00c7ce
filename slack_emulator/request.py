"""Reading a Web API call the way Slack reads it: arguments from the query string and the body, and the token.

Rules:
- Arguments come from the query string, then the body, the body winning: `application/x-www-form-urlencoded`
  (what slack_sdk sends for most methods), `application/json` (chat.*, views.*), or `multipart/form-data`.
  Form values are strings; JSON values keep their JSON types.
- A body without a Content-Type is `missing_post_type`; another type is `invalid_post_type`; a charset other
  than utf-8 (or iso-8859-1 for forms) is `invalid_charset`; an unreadable form is `invalid_form_data`, unreadable
  JSON `invalid_json`.
- The token is the `Authorization: Bearer` header, else a `token` argument of a form or the query string. As on
  Slack, a `token` inside a JSON body does not count.
- Arguments given as JSON strings in forms (`blocks`, `view`, `files`, ...) are decoded by `ApiRequest.json_arg`,
  which answers the error code the method names when the text is not JSON.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message as MimeMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from slack_emulator.errors import ApiError, missing_argument

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MULTIPART = "multipart/form-data"


@dataclass(frozen=True)
class ApiRequest:
    """One call: the method, its arguments, the request headers (lower-case names) and the token."""

    method: str
    params: Mapping[str, Any]
    headers: Mapping[str, str]
    token: str | None

    def get(self, name: str) -> Any:
        value = self.params.get(name)
        return None if value in (None, "") else value

    def text(self, name: str) -> str | None:
        value = self.get(name)
        return None if value is None else str(value)

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise missing_argument(name)
        return value

    def flag(self, name: str) -> bool:
        value = self.get(name)
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes")
        return bool(value)

    def integer(self, name: str, default: int) -> int:
        value = self.get(name)
        if value is None:
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError("invalid_arguments", messages=(f"[ERROR] {name} must be an integer",)) from None

    def names(self, name: str) -> list[str]:
        """A list argument: comma-separated text or a JSON array."""
        value = self.get(name)
        if value is None:
            return []
        items = value if isinstance(value, list) else str(value).split(",")
        return [str(item).strip() for item in items if str(item).strip()]

    def json_arg(self, name: str, error: str) -> Any:
        """A structured argument sent as JSON text (forms) or as JSON itself (JSON bodies)."""
        value = self.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(error, messages=(f"[ERROR] {name} is not valid JSON",)) from None


def parse_request(method: str, query: str, headers: Mapping[str, str], body: bytes) -> ApiRequest:
    lowered = {name.lower(): value for name, value in headers.items()}
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    token = params.get("token")
    if body:
        body_params = _body_params(lowered.get("content-type"), body)
        if not _is_json(lowered.get("content-type")):
            token = body_params.get("token", token)
        params.update(body_params)
    authorization = lowered.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    params.pop("token", None)
    return ApiRequest(method=method, params=params, headers=lowered, token=token or None)


def _is_json(content_type: str | None) -> bool:
    return content_type is not None and content_type.split(";")[0].strip().lower() == JSON


def _body_params(content_type: str | None, body: bytes) -> dict[str, Any]:
    if content_type is None:
        raise ApiError("missing_post_type")
    mime, _, rest = content_type.partition(";")
    mime = mime.strip().lower()
    charset = _charset(rest)
    if mime == JSON:
        return _json_params(body, charset)
    if mime == FORM:
        return _form_params(body, charset)
    if mime == MULTIPART:
        return multipart_params(content_type, body)
    raise ApiError("invalid_post_type")


def _charset(parameters: str) -> str:
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return "utf-8"


def _json_params(body: bytes, charset: str) -> dict[str, Any]:
    if charset not in ("utf-8", "utf8"):
        raise ApiError("invalid_charset")
    try:
        decoded = json.loads(body.decode("utf-8"))
    except ValueError:
        raise ApiError("invalid_json") from None
    if not isinstance(decoded, dict):
        raise ApiError("invalid_json")
    return decoded


def _form_params(body: bytes, charset: str) -> dict[str, Any]:
    if charset not in ("utf-8", "utf8", "iso-8859-1", "latin-1"):
        raise ApiError("invalid_charset")
    try:
        text = body.decode("utf-8" if charset.startswith("utf") else "iso-8859-1")
        return dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError("invalid_form_data") from None


def multipart_params(content_type: str, body: bytes) -> dict[str, Any]:
    message: MimeMessage = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise ApiError("invalid_form_data")
    params: dict[str, Any] = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        params[str(name)] = payload if part.get_filename() else payload.decode("utf-8", "replace")
    return params
