"""Bad input on every route with a body: a 4xx JSON error, never a 500, nothing stored changed.

The valid body of each route comes from its case in tests/route_cases; the bad ones are made
from it (wrong types, missing and unknown fields, unknown ids, huge numbers), plus malformed
JSON, an empty body, the wrong content type and a body over max_json_bytes. All run as the first
role allowed to call the route, and a dump of every table before and after must be equal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import msgspec
import msgspec.inspect

from meetings_hub import api
from tests.foundation.walk_support import (
    Answer,
    OpenApi,
    call,
    dump,
    error_shape_problem,
    start_world,
)
from tests.route_cases import Case, World, all_cases
from tests.support import Server

MAX_JSON = 4096
PREFERENCE = ("coordinator", "lead", "partner", "other_lead", "guest", "anonymous")
UNKNOWN_ID = 987_654_321


def required_fields(kind: type) -> list[str]:
    try:
        return [f.encode_name for f in msgspec.structs.fields(kind) if f.required]
    except TypeError:
        return []


def max_lengths(kind: type) -> dict[str, int]:
    """Declared ``max_length`` of each text field (chat messages may be 4,000 characters)."""
    try:
        info = msgspec.inspect.type_info(kind)
    except (TypeError, ValueError):
        return {}
    found: dict[str, int] = {}
    for field in getattr(info, "fields", ()):
        types = (
            field.type.types if isinstance(field.type, msgspec.inspect.UnionType) else (field.type,)
        )
        for t in types:
            if isinstance(t, msgspec.inspect.StrType) and t.max_length is not None:
                found[field.encode_name] = t.max_length
    return found


def bad_bodies(valid: Any, kind: type) -> list[tuple[str, Any]]:
    """(label, JSON value) pairs that must all be refused."""
    limits = max_lengths(kind)
    out: list[tuple[str, Any]] = [
        ("array instead of object", [valid]),
        ("string instead of object", "text"),
        ("null", None),
        ("unknown field", {**valid, "no_such_field": 1}),
    ]
    required = required_fields(kind)
    if required:
        out.append(("empty object", {}))
        for name in required:
            out.append((f"missing {name}", {k: v for k, v in valid.items() if k != name}))
    for name, value in valid.items():
        out.append((f"{name} as an object", {**valid, name: {"nested": True}}))
        if isinstance(value, str):
            out.append((f"{name} as a number", {**valid, name: 12}))
            too_long = max(limits.get(name, 0) + 1, 3000)
            out.append((f"{name} far too long", {**valid, name: "x" * too_long}))
        if isinstance(value, bool):
            out.append((f"{name} as a string", {**valid, name: "yes"}))
        elif isinstance(value, int):
            out.append((f"{name} beyond 64 bits", {**valid, name: 2**64}))
            out.append((f"{name} at 2**63", {**valid, name: 2**63}))
            out.append((f"{name} negative", {**valid, name: -1}))
            if name.endswith("_id"):
                out.append((f"{name} unknown", {**valid, name: UNKNOWN_ID}))
    return out


def bodies_of_routes() -> dict[tuple[str, str], type]:
    return {(e.method, e.path): e.body for e in api.all_routes().endpoints if e.body is not None}


def first_allowed(case: Case) -> str:
    return next(r for r in PREFERENCE if r in case.allowed)


def problem_of(answer: Answer, label: str, where: str, openapi: OpenApi, path: str) -> str | None:
    if not 400 <= answer.status < 500:
        return f"{where} [{label}]: wanted 4xx, got {answer.status} {answer.text[:200]}"
    shape = error_shape_problem(answer)
    if shape:
        return f"{where} [{label}]: {shape}"
    method = where.split(" ", 1)[0]
    if path in openapi.document["paths"]:
        try:
            openapi.schema_for(method, path, answer.status)
        except AssertionError as exc:
            return f"{where} [{label}]: {exc}"
    return None


async def test_bad_input_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path, max_json_bytes=MAX_JSON)
    problems: list[str] = []
    db_path = server.settings.sqlite_path
    try:
        body_types = bodies_of_routes()
        cases = [c for c in all_cases() if c.key in body_types or "{" in c.path]
        with_body = {c.key for c in cases if c.body is not None}
        assert with_body >= set(body_types), "every route with a body needs a case with a body"
        # Everything that writes on purpose (prepare, sign-in) happens before the first dump.
        plans = []
        for case in cases:
            role = first_allowed(case)
            prepared = await case.prepare(world, role) if case.prepare else {}
            plans.append(
                Plan(
                    case,
                    role,
                    case.fill_path(world, prepared),
                    case.make_body(world, prepared),
                    body_types.get(case.key),
                    await world.sign_in(role),
                )
            )
        before = dump(db_path)
        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "/api/openapi.json") as r:
                openapi = OpenApi(await r.json())
            for plan in plans:
                problems.extend(await bad_calls(http, server, world, openapi, plan))
        after = dump(db_path)
    finally:
        await server.runner.cleanup()
    assert not problems, "\n".join(problems)
    changed = [t for t in before if before[t] != after.get(t)]
    assert not changed, f"bad input changed tables: {changed}"


@dataclass
class Plan:
    case: Case
    role: str
    path: str
    valid: Any
    kind: type | None  # the body type; None for routes without a body (ids only)
    signed: tuple[str, str] | None


async def bad_calls(
    http: aiohttp.ClientSession, server: Server, world: World, openapi: OpenApi, plan: Plan
) -> list[str]:
    case, role, path, valid = plan.case, plan.role, plan.path, plan.valid
    where = f"{case.method} {case.path} as {role}"
    problems: list[str] = []

    async def send(label: str, target: str = path, **kw: Any) -> Answer:
        answer = await call(
            http, server, world, role, case.method, target, signed=plan.signed, **kw
        )
        problem = problem_of(answer, label, where, openapi, case.path)
        if problem:
            problems.append(problem)
        return answer

    for name in _path_params(case.path):
        answer = await send(
            f"unknown {name}", _replace_param(case.path, path, name, str(UNKNOWN_ID)), body=valid
        )
        if answer.status != 404:
            problems.append(f"{where} [unknown {name}]: wanted 404, got {answer.status}")
        for bad_id in ("abc", "0", "-1", str(2**63), "1e3"):
            target = _replace_param(case.path, path, name, bad_id)
            await send(f"{name}={bad_id}", target, body=valid)
    if plan.kind is None:
        return problems
    for label, bad in bad_bodies(valid, plan.kind):
        await send(label, body=bad)
    json_type = {"Content-Type": "application/json"}
    await send("malformed JSON", raw=b'{"name": ', headers=json_type)
    await send("trailing garbage", raw=json.dumps(valid).encode() + b"}", headers=json_type)
    await send("not UTF-8", raw=b'{"name": "\xff\xfe"}', headers=json_type)
    await send("empty body", raw=b"", headers=json_type)
    await send("text/plain", raw=json.dumps(valid).encode(), headers={"Content-Type": "text/plain"})
    await send(
        "form-encoded",
        raw=b"name=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    await send("oversized", body={**valid, "padding": "x" * (MAX_JSON + 10)})
    return problems


def _path_params(template: str) -> list[str]:
    return [part[1:-1] for part in template.split("/") if part.startswith("{")]


def _replace_param(template: str, filled: str, name: str, value: str) -> str:
    parts = filled.split("/")
    for i, part in enumerate(template.split("/")):
        if part == "{" + name + "}":
            parts[i] = value
    return "/".join(parts)


async def test_oversized_chunked_body_gets_413(tmp_path: Path) -> None:
    """No Content-Length: the server must still stop at max_json_bytes and answer 413 JSON."""
    server, world = await start_world(tmp_path, max_json_bytes=MAX_JSON)
    try:
        signed = await world.sign_in("coordinator")
        assert signed is not None

        async def chunks():  # type: ignore[no-untyped-def]
            yield b'{"timezone": "'
            for _ in range(10):
                yield b"x" * 1000
            yield b'"}'

        async with aiohttp.ClientSession() as http:
            async with http.patch(
                server.url + "/api/v1/me",
                data=chunks(),
                headers={
                    "Cookie": f"mh_session={signed[0]}",
                    "X-CSRF-Token": signed[1],
                    "Content-Type": "application/json",
                },
            ) as r:
                body = await r.json(content_type=None)
                assert r.status == 413, body
                assert body["error"]["code"] == "too_large"
    finally:
        await server.runner.cleanup()
