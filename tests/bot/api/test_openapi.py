"""The read API's OpenAPI document: a valid OpenAPI 3.1 document for every preset's priorities, describing exactly
the endpoints the door answers, with the words the code enforces; and the checker the end-to-end tests use to hold
answers to it has teeth (a drifted answer is caught)."""

import pytest
from openapi_spec_validator import validate

from bot.api.answers import ERROR_CODES
from bot.api.document import openapi_document
from bot.api.query import NAMES, STATUSES
from bot.api.shapes import REQUEST_FIELDS
from sla import presets
from storage.api_reads import RequestRead
from tests.bot.api.contract import Contract


@pytest.mark.parametrize("preset", presets.names())
def test_the_document_is_valid_openapi_for_every_preset(preset):
    priorities = tuple(priority.name for priority in presets.load(preset).priorities)
    document = openapi_document(priorities)
    validate(document)  # openapi-spec-validator: raises on the first problem
    assert document["openapi"] == "3.1.0"
    listed = document["paths"]["/api/v1/requests"]["get"]
    assert [parameter["name"] for parameter in listed["parameters"]] == list(NAMES)
    enums = {parameter["name"]: parameter["schema"].get("enum") for parameter in listed["parameters"]}
    assert (enums["status"], enums["priority"]) == (STATUSES, list(priorities))


def test_it_describes_exactly_the_endpoints_and_fields_the_code_serves():
    document = openapi_document(("P1", "P2"))
    assert set(document["paths"]) == {"/api/v1/requests", "/api/v1/requests/{number}", "/api/v1/openapi.json"}
    assert all(set(path) == {"get"} for path in document["paths"].values())  # HEAD answers GET's headers
    fields = document["components"]["schemas"]["RequestFields"]
    assert fields["required"] == REQUEST_FIELDS == list(fields["properties"])
    assert len(REQUEST_FIELDS) == len(RequestRead.__dataclass_fields__) + 1  # sr_number as sr, and url
    assert document["components"]["schemas"]["Error"]["properties"]["error"]["enum"] == list(ERROR_CODES)
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    assert document["security"] == [{"bearer": []}]


def test_the_contract_catches_an_answer_that_drifted_from_the_document():
    contract = Contract(openapi_document(("P1", "P2")))
    headers = {"cache-control": "no-store"}
    good = {"requests": [], "next_cursor": None}
    assert contract.problems("/api/v1/requests", "GET", 200, headers, good) == []
    assert contract.problems("/api/v1/requests", "GET", 200, {}, good) == ["header Cache-Control missing"]
    assert contract.problems("/api/v1/requests", "GET", 200, headers, {**good, "total": 3})
    assert contract.problems("/api/v1/requests", "GET", 200, headers, {"requests": [{"sr": "SR-000001"}],
                                                                       "next_cursor": None})  # fmt: skip
    assert contract.problems("/api/v1/requests", "GET", 418, headers, good) == [
        "418 is not documented for GET /api/v1/requests"
    ]
    error = {"error": "not_found", "message": "There is nothing here.", "stack": "..."}
    assert contract.problems("/api/v1/requests/{number}", "GET", 404, {}, error)
