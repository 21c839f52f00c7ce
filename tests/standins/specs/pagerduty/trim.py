"""Trims PagerDuty's Events API v2 OpenAPI description to the operation Frontdesk uses.

Run: python tests/standins/specs/pagerduty/trim.py SOURCE.json  (SOURCE: reference/events-v2/openapiv3.json of
PagerDuty/api-schema, see README.md here)
Writes events-v2.json beside this script: `POST /enqueue` (trigger, acknowledge, resolve) with the schemas and
responses it references (transitively) and the servers; examples, `x-` extensions and prose descriptions dropped.
"""

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
OPERATIONS = [("/enqueue", "post")]  # the change events (/change/enqueue) are not used
DROPPED_KEYS = {"example", "examples", "description", "externalDocs"}


def _clean(node: Any, *, names: bool = False) -> Any:
    """`node` without examples, prose and extensions; `names`: node maps property names (all kept)."""
    if isinstance(node, dict):
        return {
            k: _clean(v, names=k == "properties" and not names)
            for k, v in node.items()
            if names or (k not in DROPPED_KEYS and not k.startswith("x-"))
        }
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return node


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _components(source: dict[str, Any], paths: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, dict[str, Any]] = {}
    pending = _refs(paths)
    while pending:
        ref = pending.pop()
        _, _, kind, name = ref.split("/")
        if name not in kept.get(kind, {}):
            node = _clean(source["components"][kind][name])
            kept.setdefault(kind, {})[name] = node
            pending |= _refs(node)
    return kept


def main(source_path: str) -> None:
    source = json.loads(Path(source_path).read_text(encoding="utf-8"))
    paths: dict[str, Any] = {}
    for path, method in OPERATIONS:
        paths.setdefault(path, {})[method] = _clean(source["paths"][path][method])
    document = {
        "openapi": source["openapi"],
        "info": {"title": source["info"]["title"], "version": source["info"]["version"]},
        "servers": source.get("servers", []),
        "paths": paths,
        "components": _components(source, paths),
    }
    (HERE / "events-v2.json").write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
