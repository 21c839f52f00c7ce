"""Checks requests (and answers) against a vendor's published OpenAPI description, as strictly as the vendor.

Rules:
- `Description.load(path, base_path="")` reads a JSON description (OpenAPI 3.0 or 3.1; the validator follows the
  document's `openapi` version). `base_path` is the prefix the vendor serves it under (Jira's `/rest/api/3`), cut
  from a request's path before its operation is looked up.
- `problems(received)` lists what is wrong with a request, one line each, none when it conforms:
  no operation for its method and path; a required path, query or header parameter missing; a parameter whose
  value does not fit its schema (query values are strings on the wire: numbers, booleans and arrays are read as
  the schema says first); a query parameter the operation does not declare; a required body missing; a body
  that is not JSON where the operation takes JSON, or that does not fit its schema (`$ref`s resolve inside the
  description).
- `answer_problems(method, path, status, body)` lists what is wrong with an answer against the operation's
  response schema for that status (or `default`): for a service's own document, like the read API's.
- Only what the stand-ins need: no cookies, no form bodies, no `style`/`explode` beyond comma-separated arrays.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from tests.standins.server import Received

ROOT = "urn:description"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _pointer(*parts: str) -> str:
    escaped = (part.replace("~", "~0").replace("/", "~1") for part in parts)
    return quote("/" + "/".join(escaped), safe="/~")


def _template_pattern(template: str) -> re.Pattern[str]:
    pieces = re.split(r"(\{[^}/]+\})", template)
    return re.compile("^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in pieces) + "$")


@dataclass(frozen=True)
class Operation:
    template: str
    method: str
    spec: Mapping[str, Any]
    parameters: tuple[Mapping[str, Any], ...]
    pointer: str  # where the operation lies in the description


class Description:
    """One vendor's OpenAPI description; see the module's rules."""

    def __init__(self, document: Mapping[str, Any], *, base_path: str = "") -> None:
        self.document = document
        self.base_path = base_path.rstrip("/")
        version = str(document.get("openapi", "3.0"))
        self._validator = OAS31Validator if version.startswith("3.1") else OAS30Validator
        specification = DRAFT202012 if version.startswith("3.1") else DRAFT4
        resource = Resource.from_contents(dict(document), default_specification=specification)
        self._registry: Registry[Any] = Registry().with_resource(ROOT, resource)
        self._operations = [
            (_template_pattern(template), op)
            for template, item in document.get("paths", {}).items()
            for op in self._item_operations(template, item)
        ]
        # fixed paths before templated ones, as routers match them
        self._operations.sort(key=lambda pair: pair[1].template.count("{"))

    @classmethod
    def load(cls, path: Path, *, base_path: str = "") -> "Description":
        return cls(json.loads(path.read_text(encoding="utf-8")), base_path=base_path)

    def _item_operations(self, template: str, item: Mapping[str, Any]) -> list[Operation]:
        shared = [self._resolved(p) for p in item.get("parameters", [])]
        operations = []
        for method in METHODS:
            if method not in item:
                continue
            spec = item[method]
            own = [self._resolved(p) for p in spec.get("parameters", [])]
            names = {(p["in"], p["name"]) for p in own}
            merged = tuple(own + [p for p in shared if (p["in"], p["name"]) not in names])
            operations.append(Operation(template, method, spec, merged, _pointer("paths", template, method)))
        return operations

    def _resolved(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/"), f"only local references are supported: {ref}"
            target: Any = self.document
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def operation(self, method: str, path: str) -> Operation | None:
        if self.base_path and path.startswith(self.base_path):
            path = path[len(self.base_path) :] or "/"
        for pattern, op in self._operations:
            if op.method == method.lower() and pattern.match(path):
                return op
        return None

    def _schema_problems(self, instance: Any, pointer: str, what: str) -> list[str]:
        validator = self._validator({"$ref": f"{ROOT}#{pointer}"}, registry=self._registry)
        return [f"{what}: {_error_line(error)}" for error in validator.iter_errors(instance)]

    def problems(self, received: Received) -> list[str]:
        op = self.operation(received.method, received.path)
        if op is None:
            return [f"no operation {received.method} {received.path} in the description"]
        problems = self._parameter_problems(op, received)
        return problems + self._body_problems(op, received)

    def _parameter_problems(self, op: Operation, received: Received) -> list[str]:
        path = received.path[len(self.base_path) :] if self.base_path else received.path
        path_values = _path_values(op.template, path)
        problems, declared = [], set()
        for index, parameter in enumerate(op.parameters):
            where, name = parameter["in"], parameter["name"]
            declared.add((where, name))
            value = _parameter_value(where, name, received, path_values)
            if value is None:
                if parameter.get("required") or where == "path":
                    problems.append(f"the required {where} parameter {name!r} is missing")
                continue
            if "schema" in parameter:
                schema = self._resolved(parameter["schema"])
                pointer = self._parameter_pointer(op, parameter, index)
                problems += self._schema_problems(_typed(value, schema), pointer, f"{where} parameter {name!r}")
        problems += [
            f"the query parameter {name!r} is not declared"
            for name in received.query
            if ("query", name) not in declared
        ]
        return problems

    def _parameter_pointer(self, op: Operation, parameter: Mapping[str, Any], index: int) -> str:
        # the parameter's own schema, wherever it is written (inline or under components)
        own = op.spec.get("parameters", [])
        if index < len(own) and "$ref" not in own[index]:
            return f"{op.pointer}/parameters/{index}/schema"
        return self._component_pointer(parameter) + "/schema"

    def _component_pointer(self, parameter: Mapping[str, Any]) -> str:
        for name, candidate in self.document.get("components", {}).get("parameters", {}).items():
            if candidate is parameter:
                return _pointer("components", "parameters", name)
        for template, item in self.document.get("paths", {}).items():
            for index, candidate in enumerate(item.get("parameters", [])):
                if candidate is parameter:
                    return _pointer("paths", template, "parameters", str(index))
        raise LookupError(f"parameter {parameter.get('name')!r} not found in the description")

    def _body_problems(self, op: Operation, received: Received) -> list[str]:
        body_spec = op.spec.get("requestBody")
        if body_spec is None:
            return ["a body where the operation takes none"] if received.body.strip() else []
        resolved = self._resolved(body_spec)
        if not received.body:
            return ["the required body is missing"] if resolved.get("required") else []
        content = resolved.get("content", {})
        media = next((m for m in content if "json" in m), None)
        if media is None:
            return []  # not JSON: out of scope (see the rules)
        content_type = received.headers.get("content-type", "")
        problems = [] if "json" in content_type else [f"Content-Type {content_type!r} where {media} is expected"]
        try:
            instance = json.loads(received.body)
        except ValueError as error:
            return [*problems, f"the body is not JSON: {error}"]
        pointer = self._body_pointer(op, body_spec) + _pointer("content", media, "schema")
        return problems + self._schema_problems(instance, pointer, "body")

    def _body_pointer(self, op: Operation, body_spec: Mapping[str, Any]) -> str:
        if "$ref" in body_spec:
            return body_spec["$ref"][1:]
        return f"{op.pointer}/requestBody"

    def answer_problems(self, method: str, path: str, status: int, body: Any) -> list[str]:
        op = self.operation(method, path)
        if op is None:
            return [f"no operation {method} {path} in the description"]
        responses = op.spec.get("responses", {})
        code = str(status) if str(status) in responses else f"{str(status)[0]}XX"
        code = code if code in responses else "default"
        if code not in responses:
            return [f"status {status} is not described for {method.upper()} {op.template}"]
        response = self._resolved(responses[code])
        media = next((m for m in response.get("content", {}) if "json" in m), None)
        if media is None:
            return [] if body is None else [f"a body where status {status} has none described"]
        base = responses[code]["$ref"][1:] if "$ref" in responses[code] else f"{op.pointer}/responses/{code}"
        return self._schema_problems(body, base + _pointer("content", media, "schema"), f"answer {status}")


def _error_line(error: ValidationError) -> str:
    where = "/".join(str(part) for part in error.absolute_path)
    return f"{error.message} (at /{where})" if where else error.message


def _path_values(template: str, path: str) -> dict[str, str]:
    names = re.findall(r"\{([^}/]+)\}", template)
    pieces = re.split(r"\{[^}/]+\}", template)
    regex = "".join(re.escape(piece) + (f"(?P<p{i}>[^/]+)" if i < len(names) else "") for i, piece in enumerate(pieces))
    match = re.match("^" + regex + "$", path)
    return {name: match.group(f"p{i}") for i, name in enumerate(names)} if match else {}


def _parameter_value(where: str, name: str, received: Received, path_values: Mapping[str, str]) -> Any:
    if where == "path":
        return path_values.get(name)
    if where == "query":
        values = received.query.get(name)
        return None if not values else values if len(values) > 1 else values[0]
    if where == "header":
        return received.headers.get(name.lower())
    return None


def _typed(value: Any, schema: Mapping[str, Any]) -> Any:
    """A wire value read as its schema's type (strings stay strings when they do not read as one)."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "array":
        items = value if isinstance(value, list) else str(value).split(",")
        return [_typed(item, schema.get("items", {})) for item in items]
    if isinstance(value, list):
        value = value[0]
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value
