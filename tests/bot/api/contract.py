"""The read API's OpenAPI document as a checker of real answers: each body is validated against the schema the
document gives for its path, method and status (openapi-schema-validator, OpenAPI 3.1's JSON Schema 2020-12), and
the answer's documented headers are checked to be present, so code and document cannot drift apart unseen."""

from typing import Any

from openapi_schema_validator import OAS31Validator, oas31_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE = "urn:frontdesk:read-api"


class Contract:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(BASE, resource)

    def problems(self, template: str, method: str, status: int, headers: dict[str, str], body: Any) -> list[str]:
        """What is wrong with an answer to `method template` (an OpenAPI path) for the document."""
        operation = self.document["paths"][template][method.lower()]
        response = operation["responses"].get(str(status))
        if response is None:
            return [f"{status} is not documented for {method} {template}"]
        while "$ref" in response:
            response = self._resolve(response["$ref"])
        found = [f"header {name} missing" for name in response.get("headers", {}) if name.lower() not in headers]
        schema = response["content"]["application/json"]["schema"]
        validator = OAS31Validator({"$ref": BASE + schema["$ref"]} if "$ref" in schema else schema,
                                   registry=self._registry, format_checker=oas31_format_checker)  # fmt: skip
        errors = validator.iter_errors(body)
        found += [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors]
        return found

    def _resolve(self, pointer: str) -> Any:
        node: Any = self.document
        for part in pointer.removeprefix("#/").split("/"):
            node = node[part]
        return node
