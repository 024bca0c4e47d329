"""/api/openapi.json: valid OpenAPI 3.1, generated from the same route table the app serves."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from openapi_spec_validator import validate
from openapi_spec_validator.versions import consts, get_spec_version

from meetings_hub.app import create_app
from tests.foundation.walk_support import walked_routes
from tests.support import Server, make_settings


async def _document(server: Server) -> dict:
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url + "/api/openapi.json") as r:
            assert r.status == 200 and r.content_type == "application/json"
            return await r.json()


async def test_openapi_document_is_valid_3_1(empty_server: Server) -> None:
    document = await _document(empty_server)
    assert document["openapi"].startswith("3.1")
    assert get_spec_version(document) == consts.OPENAPIV31
    validate(document)  # raises with the first problem when the document is not valid


async def test_every_api_route_is_documented_and_nothing_else(
    empty_server: Server, tmp_path: Path
) -> None:
    document = await _document(empty_server)
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    app = await create_app(make_settings(tmp_path))
    served = {(m, p) for m, p in walked_routes(app) if p.startswith("/api/v1/")}
    assert served == documented
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)), "operationIds must be unique"


async def test_every_operation_documents_its_errors(empty_server: Server) -> None:
    document = await _document(empty_server)
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            codes = set(op["responses"])
            assert any(c.startswith("2") for c in codes), (method, path)
            if "requestBody" in op:
                assert {"400", "413", "415", "422"} <= codes, (method, path)
            if "security" in op:
                assert {"401", "403"} <= codes, (method, path)
            for code, response in op["responses"].items():
                if code.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == error_ref, (method, path, code)
