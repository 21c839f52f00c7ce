"""The request checker the stand-ins share: it finds what a vendor would refuse, and nothing else."""

import json

from hypothesis import given
from hypothesis import strategies as st

from tests.standins.openapi import Description
from tests.standins.server import Received

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/repos/{owner}/{repo}/issues": {
            "parameters": [{"$ref": "#/components/parameters/owner"}, {"$ref": "#/components/parameters/repo"}],
            "get": {
                "parameters": [
                    {"name": "per_page", "in": "query", "schema": {"type": "integer", "maximum": 100}},
                    {"name": "labels", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "ok"}},
            },
            "post": {
                "parameters": [
                    {"name": "x-api-version", "in": "header", "required": True, "schema": {"type": "string"}}
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/new-issue"}}},
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/issue"}}},
                    }
                },
            },
        },
        "/repos/{owner}/{repo}/issues/{issue_number}": {
            "get": {
                "parameters": [
                    {"$ref": "#/components/parameters/owner"},
                    {"$ref": "#/components/parameters/repo"},
                    {"name": "issue_number", "in": "path", "required": True, "schema": {"type": "integer"}},
                ],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
    "components": {
        "parameters": {
            "owner": {"name": "owner", "in": "path", "required": True, "schema": {"type": "string"}},
            "repo": {"name": "repo", "in": "path", "required": True, "schema": {"type": "string"}},
        },
        "schemas": {
            "new-issue": {
                "type": "object",
                "required": ["title"],
                "properties": {
                    "title": {"type": "string"},
                    "labels": {"type": "array", "items": {"$ref": "#/components/schemas/label"}},
                    "milestone": {"type": "integer", "nullable": True},
                },
                "additionalProperties": False,
            },
            "label": {"type": "string", "maxLength": 50},
            "issue": {"type": "object", "required": ["number"], "properties": {"number": {"type": "integer"}}},
        },
    },
}
SPEC = Description(DOCUMENT)


def request(
    method: str,
    path: str,
    body: object = None,
    query: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Received:
    raw = b"" if body is None else json.dumps(body).encode()
    base = {"content-type": "application/json", "x-api-version": "2022-11-28"} if body is not None else {}
    return Received(method, path, query or {}, {**base, **(headers or {})}, raw)


def test_a_conforming_request_has_no_problems() -> None:
    assert (
        SPEC.problems(request("POST", "/repos/o/r/issues", {"title": "x", "labels": ["bug"], "milestone": None})) == []
    )
    assert SPEC.problems(request("GET", "/repos/o/r/issues", query={"per_page": ["50"]})) == []
    assert SPEC.problems(request("GET", "/repos/o/r/issues/12")) == []


def test_what_the_vendor_refuses_is_found() -> None:
    assert SPEC.problems(request("DELETE", "/repos/o/r/issues")) == [
        "no operation DELETE /repos/o/r/issues in the description"
    ]
    assert SPEC.problems(request("GET", "/repos/o/r/issues/twelve"))[0].startswith("path parameter 'issue_number'")
    assert SPEC.problems(request("GET", "/repos/o/r/issues", query={"per_page": ["500"]}))[0].startswith(
        "query parameter 'per_page'"
    )
    assert SPEC.problems(request("GET", "/repos/o/r/issues", query={"page_size": ["5"]})) == [
        "the query parameter 'page_size' is not declared"
    ]
    missing_header = request("POST", "/repos/o/r/issues", {"title": "x"})
    missing_header = Received(
        "POST", missing_header.path, {}, {"content-type": "application/json"}, missing_header.body
    )
    assert SPEC.problems(missing_header) == ["the required header parameter 'x-api-version' is missing"]
    assert sorted(SPEC.problems(request("POST", "/repos/o/r/issues", {"labels": ["a" * 51], "extra": 1}))) == sorted(
        [
            "body: 'title' is a required property",
            f"body: '{'a' * 51}' is too long (at /labels/0)",
            "body: Additional properties are not allowed ('extra' was unexpected)",
        ]
    )
    no_body = Received("POST", "/repos/o/r/issues", {}, {"x-api-version": "1"}, b"")
    assert SPEC.problems(no_body) == ["the required body is missing"]
    not_json = Received("POST", "/repos/o/r/issues", {}, {"x-api-version": "1", "content-type": "text/plain"}, b"{")
    assert SPEC.problems(not_json)[0] == "Content-Type 'text/plain' where application/json is expected"
    assert SPEC.problems(not_json)[1].startswith("the body is not JSON")


def test_answers_are_checked_against_their_status() -> None:
    assert SPEC.answer_problems("POST", "/repos/o/r/issues", 201, {"number": 3}) == []
    assert SPEC.answer_problems("POST", "/repos/o/r/issues", 201, {"number": "3"}) == [
        "answer 201: '3' is not of type 'integer' (at /number)"
    ]
    assert SPEC.answer_problems("POST", "/repos/o/r/issues", 500, None) == [
        "status 500 is not described for POST /repos/{owner}/{repo}/issues"
    ]


def test_a_base_path_is_cut_before_the_lookup() -> None:
    prefixed = Description(DOCUMENT, base_path="/rest/api/3")
    assert prefixed.problems(request("GET", "/rest/api/3/repos/o/r/issues/1")) == []


@given(st.text(max_size=60), st.integers())
def test_any_title_is_a_string_and_any_integer_a_number(title: str, number: int) -> None:
    assert SPEC.problems(request("POST", "/repos/o/r/issues", {"title": title, "milestone": number})) == []
