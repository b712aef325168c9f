"""Check an API response against the OpenAPI schema the project serves (/api/schema/): the
response body must validate against the schema documented for that path, method and status."""

import copy
import functools

import jsonschema
import yaml
from django.test import Client


@functools.lru_cache(maxsize=1)
def _schema_text():
    return Client().get("/api/schema/").content.decode()


def schema():
    return yaml.safe_load(_schema_text())


def _to_json_schema(node):
    """OpenAPI 3.0's `nullable` is not JSON Schema: turn it into a type that allows null."""
    if isinstance(node, dict):
        node = {key: _to_json_schema(value) for key, value in node.items()}
        if node.pop("nullable", False):
            if "type" in node:
                node["type"] = [node["type"], "null"] if isinstance(node["type"], str) else [*node["type"], "null"]
            elif "$ref" in node or "allOf" in node or "oneOf" in node:
                node = {"oneOf": [{k: v for k, v in node.items()}, {"type": "null"}]}
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        return node
    if isinstance(node, list):
        return [_to_json_schema(value) for value in node]
    return node


def assert_matches(response, path, method):
    """`path` as the schema writes it, e.g. "/api/channel-posts/{id}/"."""
    doc = schema()
    operation = doc["paths"][path][method.lower()]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{method} {path}: status {response.status_code} is not documented"
    content = documented.get("content")
    if not content:
        return
    body_schema = _to_json_schema(copy.deepcopy(content["application/json"]["schema"]))
    body_schema["components"] = _to_json_schema(copy.deepcopy(doc["components"]))
    jsonschema.validate(response.json(), body_schema)
