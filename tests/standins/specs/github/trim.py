"""Trims GitHub's REST API description to the operations Frontdesk's GitHub Issues integration uses.

Run: python tests/standins/specs/github/trim.py SOURCE.json  (SOURCE: descriptions/api.github.com/
api.github.com.2022-11-28.json of github/rest-api-description, see README.md here)
Writes issues-2022-11-28.json beside this script: the operations in OPERATIONS with the parameters they reference;
the request side only (parameters and bodies): every response is cut to its status and "Response", since the
issue schemas the answers reference pull in most of the description; examples, `x-` extensions and prose
descriptions are dropped.
"""

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
OPERATIONS = [
    ("/repos/{owner}/{repo}/issues", "get"),  # issues/list-for-repo: the poll, and looking for a filed issue
    ("/repos/{owner}/{repo}/issues", "post"),  # issues/create
    ("/repos/{owner}/{repo}/issues/comments", "get"),  # issues/list-comments-for-repo: the poll's comments
]
DROPPED_KEYS = {"example", "examples", "description", "externalDocs", "tags"}


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


def _operation(source: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    operation = _clean({k: v for k, v in source["paths"][path][method].items() if k != "responses"})
    status = next(code for code in source["paths"][path][method]["responses"] if code.startswith("2"))
    return {**operation, "responses": {status: {"description": "Response"}}}


def main(source_path: str) -> None:
    source = json.loads(Path(source_path).read_text(encoding="utf-8"))
    paths: dict[str, Any] = {}
    for path, method in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(source, path, method)
    names = sorted({ref.rsplit("/", 1)[1] for ref in _refs(paths)})
    document = {
        "openapi": source["openapi"],
        "info": {key: source["info"][key] for key in ("version", "title", "license")},
        "servers": source["servers"],
        "paths": paths,
        "components": {"parameters": {name: _clean(source["components"]["parameters"][name]) for name in names}},
    }
    (HERE / "issues-2022-11-28.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


if __name__ == "__main__":
    main(sys.argv[1])
