"""The read API's OpenAPI 3.1 document, rendered from templates/api/openapi.json.j2: its one source.

Rules: the document is filled with the words the code checks against (statuses, kinds, deadline states, the
policy's priorities, the limits, the error codes, the request's fields), so the enums it publishes are the ones
the API enforces; tests/bot/api validates it (openapi-spec-validator) and checks real answers against it.
"""

from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from bot.api.answers import DEFAULT_LIMIT, ERROR_CODES, MAX_LIMIT
from bot.api.query import STATUSES
from bot.api.shapes import REQUEST_FIELDS
from bot.render import render_json
from storage.deadlines import STORED
from storage.kinds import TicketKind


@cache
def openapi_document(priorities: tuple[str, ...]) -> dict[str, Any]:
    """The document for a desk whose policy has these priorities."""
    document: dict[str, Any] = render_json(
        "api/openapi.json.j2",
        version=_version(),
        statuses=STATUSES,
        kinds=[kind.value for kind in TicketKind],
        priorities=list(priorities),
        deadline_states=[state.value for state in STORED],
        request_fields=REQUEST_FIELDS,
        error_codes=list(ERROR_CODES),
        default_limit=DEFAULT_LIMIT,
        max_limit=MAX_LIMIT,
    )
    return document


def _version() -> str:
    try:
        return version("frontdesk")
    except PackageNotFoundError:
        return "0"
