"""OpenAPI 3.1 schemas rewritten in 3.0's terms (api/openapi30.py) for the OGC API definition."""

from __future__ import annotations

from openapi_spec_validator import validate

from landrenew.api.openapi30 import ogc_definition, schema30


def test_an_optional_value_becomes_nullable() -> None:
    assert schema30({"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Bbox"}) == \
        {"type": "string", "title": "Bbox", "nullable": True}
    assert schema30({"type": ["integer", "null"]}) == {"type": "integer", "nullable": True}
    assert schema30({"type": ["null"]}) == {"nullable": True}  # no empty choice left
    # two types left: a choice; a reference is never merged (3.0 ignores $ref's siblings)
    assert schema30({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}) == \
        {"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": True}
    assert schema30({"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]}) == \
        {"anyOf": [{"$ref": "#/components/schemas/A"}], "nullable": True}
    # a key both sides hold is not overwritten: the choice stays
    assert schema30({"anyOf": [{"type": "string", "title": "x"}, {"type": "null"}],
                     "title": "y"}) == \
        {"anyOf": [{"type": "string", "title": "x"}], "title": "y", "nullable": True}


def test_other_2020_12_keywords_and_nesting() -> None:
    assert schema30({"const": "Feature"}) == {"enum": ["Feature"]}
    assert schema30({"type": "integer", "examples": [3, 4]}) == {"type": "integer", "example": 3}
    assert schema30({"type": "number", "exclusiveMinimum": 0}) == \
        {"type": "number", "minimum": 0, "exclusiveMinimum": True}
    nested = {"type": "object", "properties": {
        "codes": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
        "extra": {"additionalProperties": {"type": ["number", "null"]}}}}
    assert schema30(nested) == {"type": "object", "properties": {
        "codes": {"type": "array", "items": {"type": "string", "nullable": True}},
        "extra": {"additionalProperties": {"type": "number", "nullable": True}}}}
    assert schema30(True) is True  # a boolean schema is left alone


def _full() -> dict:
    """A small OpenAPI 3.1 document as FastAPI writes one."""
    optional = {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Q"}
    return {
        "openapi": "3.1.0", "info": {"title": "landrenew", "version": "1"},
        "paths": {
            "/ogc/x": {"get": {"parameters": [{"name": "q", "in": "query", "schema": optional}],
                               "responses": {"200": {"description": "ok", "content": {
                                   "application/json": {"schema": {
                                       "$ref": "#/components/schemas/Page"}}}}}}},
            "/api/y": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Other"}}}}}}},
        },
        "components": {
            "schemas": {
                "Page": {"type": "object", "properties": {
                    "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}}}},
                "Row": {"type": "object", "properties": {"code": optional}},
                "Other": {"type": "object", "properties": {"v": {"const": 1}}},
            },
            "securitySchemes": {"OAuth2PasswordBearer": {
                "type": "oauth2", "flows": {"password": {"tokenUrl": "/api/auth/token",
                                                         "scopes": {}}}}},
        },
    }


def test_the_ogc_definition_keeps_its_paths_and_the_schemas_they_reach() -> None:
    full = _full()
    doc = ogc_definition(full, "/ogc", "landrenew OGC API Features", "http://host")
    validate(doc)  # OpenAPI 3.0.3, by the validator's own schema of it
    assert doc["openapi"] == "3.0.3" and doc["info"]["title"] == "landrenew OGC API Features"
    assert doc["servers"] == [{"url": "http://host"}]
    assert list(doc["paths"]) == ["/ogc/x"]
    assert set(doc["components"]["schemas"]) == {"Page", "Row"}  # Row through Page; not Other
    assert doc["components"]["schemas"]["Row"]["properties"]["code"] == \
        {"type": "string", "title": "Q", "nullable": True}
    assert doc["components"]["securitySchemes"] == full["components"]["securitySchemes"]
    assert full["paths"]["/ogc/x"]["get"]["parameters"][0]["schema"]["anyOf"]  # not changed
