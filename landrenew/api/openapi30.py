"""The OGC API's definition as OpenAPI 3.0 (OGC API – Features Part 1, conformance class ``oas30``).

FastAPI writes OpenAPI 3.1, whose schemas are JSON Schema 2020-12: an optional parameter is
``anyOf: [{type: string}, {type: "null"}]``, a constant is ``const``, examples are a list. OpenAPI
3.0 has none of these (its schemas are an extended subset of JSON Schema draft 5) and marks a
value that may be null with ``nullable: true``. GDAL and QGIS read ``/ogc/api`` as 3.0, and the
landing page declares ``oas30``, so :func:`ogc_definition` rewrites the part of the document the
OGC routes use into 3.0's terms, and keeps only the component schemas those paths refer to.
"""

from __future__ import annotations

import copy
from typing import Any

#: Schema keywords whose value is one schema, or a list / map of schemas.
_ONE = ("items", "not", "additionalProperties")
_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_MAPS = ("properties", "patternProperties")


def schema30(schema: Any) -> Any:
    """One JSON Schema (2020-12, as FastAPI writes it) in OpenAPI 3.0's terms, recursively:
    ``{type: "null"}`` among ``anyOf``/``oneOf`` and ``"null"`` in a list of types become
    ``nullable: true``; ``const`` becomes a one-value ``enum``; a list of ``examples`` becomes
    its first ``example``; a numeric ``exclusiveMinimum``/``exclusiveMaximum`` becomes the bound
    with 3.0's boolean flag. Anything else is kept as it is."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    for key in _ONE:
        if isinstance(out.get(key), dict):
            out[key] = schema30(out[key])
    for key in _MAPS:
        if isinstance(out.get(key), dict):
            out[key] = {name: schema30(s) for name, s in out[key].items()}
    for key in _LISTS:
        if isinstance(out.get(key), list):
            out[key] = [schema30(s) for s in out[key]]
    for key in ("anyOf", "oneOf"):
        choices = out.get(key)
        if isinstance(choices, list) and {"type": "null"} in choices:
            rest = [s for s in choices if s != {"type": "null"}]
            out["nullable"] = True
            if len(rest) == 1 and "$ref" not in rest[0] and not out.keys() & rest[0].keys():
                del out[key]  # the one schema left, merged into this one
                out = {**rest[0], **out}
            else:
                out[key] = rest
    types = out.get("type")
    if isinstance(types, list):
        named = [t for t in types if t != "null"]
        if len(named) < len(types):
            out["nullable"] = True
        del out["type"]  # none left: a value that is only ever null, of no type
        if len(named) == 1:
            out["type"] = named[0]
        elif named:
            out["anyOf"] = [{"type": t} for t in named]
    if "const" in out:
        out["enum"] = [out.pop("const")]
    if isinstance(out.get("examples"), list):
        examples = out.pop("examples")
        if examples:
            out["example"] = examples[0]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = out.get(bound)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[plain], out[bound] = value, True
    return out


def _operation30(operation: dict[str, Any]) -> dict[str, Any]:
    op = copy.deepcopy(operation)
    for param in op.get("parameters", []):
        if "schema" in param:
            param["schema"] = schema30(param["schema"])
    bodies = [op.get("requestBody", {}), *op.get("responses", {}).values()]
    for body in bodies:
        for media in body.get("content", {}).values():
            if "schema" in media:
                media["schema"] = schema30(media["schema"])
    return op


def _refs(node: Any) -> set[str]:
    """The component schema names ``node`` refers to (``#/components/schemas/NAME``)."""
    if isinstance(node, dict):
        found = set()
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node)) if node else set()
    return set()


def ogc_definition(full: dict[str, Any], prefix: str, title: str, server: str
                   ) -> dict[str, Any]:
    """The paths of ``full`` (FastAPI's OpenAPI 3.1 document) under ``prefix`` as an OpenAPI
    3.0.3 document titled ``title`` and served from ``server``, with the component schemas they
    refer to (directly or through each other) and the security schemes."""
    paths = {path: {method: _operation30(op) if isinstance(op, dict) else op
                    for method, op in item.items()}
             for path, item in full.get("paths", {}).items() if path.startswith(prefix)}
    schemas = full.get("components", {}).get("schemas", {})
    wanted, todo = set(), _refs(paths)
    while todo:
        name = todo.pop()
        if name in wanted or name not in schemas:
            continue
        wanted.add(name)
        todo |= _refs(schemas[name])
    components: dict[str, Any] = {}
    if wanted:
        components["schemas"] = {n: schema30(schemas[n]) for n in sorted(wanted)}
    security = full.get("components", {}).get("securitySchemes")
    if security:
        components["securitySchemes"] = copy.deepcopy(security)
    doc: dict[str, Any] = {"openapi": "3.0.3", "info": {**full["info"], "title": title},
                           "servers": [{"url": server}], "paths": paths}
    if components:
        doc["components"] = components
    return doc
