"""The JSON the read API answers with: a request, a request with its events, a page (docs/integrations.md,
"Read API"; the schemas of templates/api/openapi.json.j2 describe the same shapes, and a test holds them together).

Rules: a request is its fields as storage.api_reads reads them, `sr` as `SR-000123` and `url` its path in the
API; instants are ISO 8601 in UTC (`+00:00`), exact to the microsecond; a missing value is null, never left out.
"""

from dataclasses import asdict, fields
from typing import Any

from storage.api_reads import RequestDetail, RequestRead
from storage.audit import jsonable
from storage.numbers import format_sr

API_PATH = "/api/v1"
REQUESTS_PATH = f"{API_PATH}/requests"
REQUEST_FIELDS = ["sr", "url", *(field.name for field in fields(RequestRead) if field.name != "sr_number")]


def request_json(request: RequestRead) -> dict[str, Any]:
    values = asdict(request)
    sr = format_sr(values.pop("sr_number"))
    shaped: dict[str, Any] = jsonable({"sr": sr, "url": f"{REQUESTS_PATH}/{sr}", **values})
    return shaped


def detail_json(detail: RequestDetail) -> dict[str, Any]:
    events: list[dict[str, Any]] = jsonable([asdict(event) for event in detail.events])
    return {**request_json(detail.request), "events": events}


def page_json(requests: list[RequestRead], next_cursor: str | None) -> dict[str, Any]:
    return {"requests": [request_json(request) for request in requests], "next_cursor": next_cursor}
