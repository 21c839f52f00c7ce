"""Trims Opsgenie's Swagger 2.0 description to the Alert API operations Frontdesk uses, written as OpenAPI 3.0.

Run: python tests/standins/specs/opsgenie/trim.py SOURCE.json  (SOURCE: swagger.json of opsgenie/opsgenie-oas, see
README.md here)
Writes alert-v2.json beside this script: create, acknowledge and close an alert (OPERATIONS) with every definition
they reference (transitively). Swagger 2.0 is rewritten as OpenAPI 3.0 (the stand-ins' checker reads 3.x), each
construct the way the OpenAPI 3.0 specification maps it:
- an `in: body` parameter becomes the `requestBody` (application/json, `required` kept); other parameters keep
  their name, place and `required`, their `type`, `enum`, `default`, `format` moved under `schema`;
- a response's `schema` moves under `content: application/json`; response headers are dropped (nothing is
  checked against them);
- `#/definitions/X` becomes `#/components/schemas/X`, `#/parameters/X` and `#/responses/X` are inlined;
- a definition's `discriminator` (a property name in 2.0, an object in 3.0; it selects no schema when validating)
  is dropped; the security scheme `GenieKey` becomes an apiKey in the `Authorization` header.
Examples, `x-` extensions and prose descriptions are dropped.
"""

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
OPERATIONS = [
    ("/v2/alerts", "post"),
    ("/v2/alerts/{identifier}/acknowledge", "post"),
    ("/v2/alerts/{identifier}/close", "post"),
]
DROPPED_KEYS = {"example", "examples", "description", "externalDocs", "discriminator", "tags", "summary"}
PARAMETER_SCHEMA_KEYS = ("type", "enum", "default", "format", "minimum", "maximum", "items")


def _clean(node: Any, *, names: bool = False) -> Any:
    """`node` without examples, prose and extensions, its references moved to components; `names`: node maps
    property names (all kept)."""
    if isinstance(node, dict):
        cleaned = {
            k: _clean(v, names=k == "properties" and not names)
            for k, v in node.items()
            if names or (k not in DROPPED_KEYS and not k.startswith("x-"))
        }
        if isinstance(cleaned.get("$ref"), str) and not names:
            cleaned["$ref"] = cleaned["$ref"].replace("#/definitions/", "#/components/schemas/")
        return cleaned
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return node


def _local(source: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """A parameter or response written in place of its `#/parameters/X` or `#/responses/X` reference."""
    while "$ref" in node:
        _, kind, name = node["$ref"].split("/")
        node = source[kind][name]
    return node


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    schema = {key: parameter[key] for key in PARAMETER_SCHEMA_KEYS if key in parameter}
    kept = {"name": parameter["name"], "in": parameter["in"], "schema": _clean(schema)}
    return kept | ({"required": True} if parameter.get("required") else {})


def _operation(source: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": spec["operationId"], "parameters": [], "responses": {}}
    for parameter in (_local(source, p) for p in spec.get("parameters", [])):
        if parameter["in"] == "body":
            content = {"application/json": {"schema": _clean(parameter["schema"])}}
            operation["requestBody"] = {"required": bool(parameter.get("required")), "content": content}
        else:
            operation["parameters"].append(_parameter(parameter))
    for status, response in spec["responses"].items():
        response = _local(source, response)
        written: dict[str, Any] = {"description": response.get("description", "")}
        if "schema" in response:
            written["content"] = {"application/json": {"schema": _clean(response["schema"])}}
        operation["responses"][status] = written
    operation["security"] = [{"GenieKey": []}]
    return operation


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _schemas(source: dict[str, Any], paths: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    pending = _refs(paths)
    while pending:
        name = pending.pop().rsplit("/", 1)[1]
        if name not in kept:
            kept[name] = _clean(source["definitions"][name])
            pending |= _refs(kept[name])
    return kept


def main(source_path: str) -> None:
    source = json.loads(Path(source_path).read_text(encoding="utf-8"))
    paths: dict[str, Any] = {}
    for path, method in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(source, source["paths"][path][method])
    document = {
        "openapi": "3.0.3",
        "info": {"title": f"{source['info']['title']} (Alert API)", "version": source["info"]["version"]},
        "servers": [{"url": f"https://{source['host']}"}],
        "paths": paths,
        "components": {
            "schemas": _schemas(source, paths),
            "securitySchemes": {"GenieKey": {"type": "apiKey", "name": "Authorization", "in": "header"}},
        },
    }
    (HERE / "alert-v2.json").write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
