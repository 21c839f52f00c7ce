"""Trims Atlassian's Jira Cloud platform OpenAPI description to the operations Frontdesk uses.

Run: python tests/standins/specs/jira/trim.py SOURCE.json  (SOURCE: swagger-v3.v3.json, see README.md here)
Writes beside this script:
- cloud-v3.json: the operations kept (OPERATIONS), the schemas they reference (transitively), the security schemes;
  examples, `x-` extensions and prose descriptions dropped.
- datacenter-v2.json: the same operations under /rest/api/2 with the paths Data Center serves (search is
  /rest/api/2/search with startAt, not /search/jql): Atlassian publishes no OpenAPI description of the Data Center
  v2 API for the releases this project supports, so v2 requests are checked against Cloud's shapes (README.md).
"""

import copy
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
OPERATIONS = [  # (path, method) in the Cloud v3 description
    ("/rest/api/3/issue", "post"),
    ("/rest/api/3/issue/{issueIdOrKey}", "get"),
    ("/rest/api/3/search/jql", "get"),
    ("/rest/api/3/search", "get"),  # deprecated on Cloud; the shape of Data Center's /rest/api/2/search
]
CLOUD_ONLY = {"/rest/api/3/search"}  # Cloud answers 410 on it now; kept only for the v2 derivation
DATACENTER_SKIPS = {"/rest/api/3/search/jql"}  # Data Center has no /search/jql
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
        if name in kept.get(kind, {}):
            continue
        node = _clean(source["components"][kind][name])
        kept.setdefault(kind, {})[name] = node
        pending |= _refs(node)
    kept["securitySchemes"] = {"basicAuth": {"type": "http", "scheme": "basic"}}
    return kept


def _document(source: dict[str, Any], paths: dict[str, Any], title: str) -> dict[str, Any]:
    return {
        "openapi": source["openapi"],
        "info": {"title": title, "version": source["info"]["version"], "license": source["info"]["license"]},
        "servers": source.get("servers", []),
        "paths": paths,
        "components": _components(source, paths),
    }


def main(source_path: str) -> None:
    source = json.loads(Path(source_path).read_text())
    cloud: dict[str, Any] = {}
    datacenter: dict[str, Any] = {}
    for path, method in OPERATIONS:
        operation = _clean(source["paths"][path][method])
        operation.pop("deprecated", None)
        operation["security"] = [{"basicAuth": []}]
        if path not in CLOUD_ONLY:
            cloud.setdefault(path, {})[method] = operation
        if path not in DATACENTER_SKIPS:
            bearer = copy.deepcopy(operation)
            bearer["security"] = [{"bearerAuth": []}]
            datacenter.setdefault(path.replace("/rest/api/3/", "/rest/api/2/"), {})[method] = bearer
    title = source["info"]["title"]
    (HERE / "cloud-v3.json").write_text(json.dumps(_document(source, cloud, title), indent=1, sort_keys=True) + "\n")
    document = _document(source, datacenter, title + " (v2 paths, for Jira Data Center)")
    document["components"]["securitySchemes"] = {"bearerAuth": {"type": "http", "scheme": "bearer"}}
    document["servers"] = [{"url": "https://jira.example.com"}]
    (HERE / "datacenter-v2.json").write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
