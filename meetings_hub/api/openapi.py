"""OpenAPI 3.1 generated from the route table's msgspec / dataclass types."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from meetings_hub import __version__
from meetings_hub.api.routing import ApiRoutes

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "description": "Stable, for programs."},
                "message": {"type": "string", "description": "Readable, for people."},
                "details": {
                    "description": "null, or e.g. {field: message} for 422 validation errors."
                },
            },
        }
    },
}


def build(routes: ApiRoutes) -> dict[str, Any]:
    types: list[Any] = []
    for e in routes.endpoints:
        if e.body is not None:
            types.append(e.body)
        if e.response is not None:
            types.append(e.response)
    schemas, components = msgspec.json.schema_components(
        types, ref_template="#/components/schemas/{name}"
    )
    schema_of = dict(zip(map(id, types), schemas, strict=True))
    paths: dict[str, dict[str, Any]] = {}
    for e in routes.endpoints:
        operation: dict[str, Any] = {
            "summary": e.summary,
            "tags": [e.tag],
            "operationId": e.method.lower()
            + "_"
            + re.sub(r"[^a-z0-9]+", "_", e.path.lower()).strip("_"),
            "responses": {},
        }
        params = re.findall(r"{(\w+)}", e.path)
        if params:
            operation["parameters"] = [
                {
                    "name": p,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                }
                for p in params
            ]
        if e.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schema_of[id(e.body)]}},
            }
        if e.response is not None:
            operation["responses"][str(e.status)] = {
                "description": "OK",
                "content": {e.media_type: {"schema": schema_of[id(e.response)]}},
            }
        else:
            operation["responses"]["204" if e.status == 200 else str(e.status)] = {
                "description": "Done"
            }
        codes = {400, 413, 415, 422} if e.body is not None else set()
        if not e.public:
            codes |= {401, 403}
        if params:
            codes |= {400, 404}  # 400: an id that is not a whole number in range
        for code in sorted(codes | set(e.errors)):
            operation["responses"][str(code)] = {
                "description": "Error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        if not e.public:
            operation["security"] = [{"session": []}]
        paths.setdefault(e.path, {})[e.method.lower()] = operation
    components["Error"] = _ERROR_SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {"title": "meetings_hub API", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "mh_session"},
            },
        },
    }
