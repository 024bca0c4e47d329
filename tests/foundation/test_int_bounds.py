"""Every integer at the API edge is bounded: no number a client sends reaches SQLite unchecked.

JSON and URLs allow integers of any size; SQLite's are signed 64-bit, so an unchecked 2**70
fails in the driver with OverflowError (a 500, issue 10: a member id of 2**70 in POST
/api/v1/rooms). Two walks over what the app declares, so a new field or parameter is covered
without a new test:

- every int in every request body type (nested structs and lists too) carries bounds within
  64 bits, and sending out-of-range values to each of them is refused with a 4xx and changes
  nothing stored;
- every integer query parameter an API handler reads (``call.query_int``) and the schedule
  form's ``?network_id=`` answer a 4xx (or the page) for huge, negative and non-ASCII numbers.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import msgspec.inspect as mi

from meetings_hub import api
from tests.foundation.test_bad_input import first_allowed
from tests.foundation.walk_support import OpenApi, call, dump, error_shape_problem, start_world
from tests.route_cases import Case, all_cases

OUT_OF_RANGE = (2**70, -(2**70), 2**63, -(2**63) - 1)
MAX_INT = 2**63 - 1  # SQLite's largest integer
BAD_QUERY = ("9" * 25, "9223372036854775808", "-1", "1_0", " 1", "\u00b2", "\u0661")

Path_ = tuple[str | int, ...]  # keys into a JSON body; 0 stands for "the item of a list"


def _unwrap(t: mi.Type) -> list[mi.Type]:
    return list(t.types) if isinstance(t, mi.UnionType) else [t]


def int_fields(t: mi.Type, where: Path_ = ()) -> list[tuple[Path_, mi.IntType]]:
    """(path, type) of every integer reachable in a body type."""
    found: list[tuple[Path_, mi.IntType]] = []
    for one in _unwrap(t):
        if isinstance(one, mi.IntType):
            found.append((where, one))
        elif isinstance(one, mi.StructType):
            for f in one.fields:
                found.extend(int_fields(f.type, (*where, f.encode_name)))
        elif isinstance(one, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
            found.extend(int_fields(one.item_type, (*where, 0)))
        elif isinstance(one, mi.DictType):
            found.extend(int_fields(one.value_type, (*where, "key")))
    return found


def sample(t: mi.Type) -> Any:
    """A minimal valid JSON value of a type (for a nested struct the valid body lacks)."""
    one = next((x for x in _unwrap(t) if not isinstance(x, mi.NoneType)), _unwrap(t)[0])
    if isinstance(one, mi.StructType):
        return {f.encode_name: sample(f.type) for f in one.fields if f.required}
    if isinstance(one, mi.EnumType):
        return next(iter(one.cls)).value
    if isinstance(one, mi.LiteralType):
        return one.values[0]
    simple: dict[type, Any] = {
        mi.StrType: "x",
        mi.IntType: 1,
        mi.BoolType: False,
        mi.FloatType: 0.0,
        mi.DateType: "2030-01-07",
        mi.DateTimeType: "2030-01-07T10:00:00",
        mi.ListType: [],
        mi.DictType: {},
    }
    return simple.get(type(one))


def with_value(body: Any, kind: mi.Type, where: Path_, value: int) -> Any:
    """The body with ``value`` at ``where``, building the containers on the way."""
    if not where:
        return value
    head, rest = where[0], where[1:]
    if head == 0:
        item = next(x for x in _unwrap(kind) if isinstance(x, mi.ListType | mi.SetType))
        return [with_value(sample(item.item_type), item.item_type, rest, value)]
    if head == "key":  # a mapping's value (e.g. persons per library id: {"1": value})
        mapping = next(x for x in _unwrap(kind) if isinstance(x, mi.DictType))
        return {"1": with_value(sample(mapping.value_type), mapping.value_type, rest, value)}
    struct = next(x for x in _unwrap(kind) if isinstance(x, mi.StructType))
    field = next(f for f in struct.fields if f.encode_name == head)
    current = body.get(head) if isinstance(body, dict) else None
    if current is None:
        current = sample(field.type)
    base = body if isinstance(body, dict) else sample(struct)
    return {**base, head: with_value(current, field.type, rest, value)}


def body_types() -> dict[tuple[str, str], type]:
    return {(e.method, e.path): e.body for e in api.all_routes().endpoints if e.body is not None}


def test_every_body_integer_is_bounded_within_64_bits() -> None:
    unbounded = []
    for (method, path), kind in sorted(body_types().items()):
        for where, t in int_fields(mi.type_info(kind)):
            low = t.ge if t.ge is not None else (t.gt + 1 if t.gt is not None else None)
            high = t.le if t.le is not None else (t.lt - 1 if t.lt is not None else None)
            if low is None or high is None or low < -MAX_INT or high > MAX_INT:
                unbounded.append(f"{method} {path} {'.'.join(map(str, where))}")
    assert not unbounded, "unbounded integers (use validate.Id or validate.Int): " + ", ".join(
        unbounded
    )


def _first_case(key: tuple[str, str]) -> Case:
    return next(c for c in all_cases() if c.key == key and c.body is not None)


async def test_out_of_range_integers_are_refused_everywhere(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    problems: list[str] = []
    try:
        plans = []
        for key, kind in sorted(body_types().items()):
            case = _first_case(key)
            role = first_allowed(case)
            prepared = await case.prepare(world, role) if case.prepare else {}
            info = mi.type_info(kind)
            valid = case.make_body(world, prepared)
            for where, _ in int_fields(info):
                for value in OUT_OF_RANGE:
                    body = with_value(valid, info, where, value)
                    plans.append((case, role, case.fill_path(world, prepared), body, where))
        signed = {role: await world.sign_in(role) for _, role, *_ in plans}
        before = dump(server.settings.sqlite_path)
        async with aiohttp.ClientSession() as http:
            for case, role, path, body, where in plans:
                answer = await call(
                    http, server, world, role, case.method, path, body=body, signed=signed[role]
                )
                label = f"{case.method} {case.path} as {role}, {where} = {body}"
                if not 400 <= answer.status < 500:
                    problems.append(f"{label}: {answer.status} {answer.text[:200]}")
                elif shape := error_shape_problem(answer):
                    problems.append(f"{label}: {shape}")
        after = dump(server.settings.sqlite_path)
    finally:
        await server.runner.cleanup()
    assert plans, "no integer fields found: the walk over body types is broken"
    assert not problems, "\n".join(problems)
    assert before == after, [t for t in before if before[t] != after.get(t)]


def query_ints() -> list[tuple[str, str, str]]:
    """(method, path, name) of every integer query parameter an API handler reads."""
    found = []
    for e in api.all_routes().endpoints:
        source = inspect.getsource(e.handler)
        assert "request.query" not in source or "query_int" in source or "int(" not in source, (
            f"{e.path}: read integer query parameters with call.query_int"
        )
        for name in re.findall(r'query_int\(\s*"(\w+)"', source):
            found.append((e.method, e.path, name))
    return found


async def test_integer_query_parameters_are_bounded(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    problems: list[str] = []
    params = query_ints()
    assert len(params) >= 8, params  # occurrences x3, defaults, messages x2, files x2
    # The schedule form's page reads ?network_id= too: a bad one is ignored, never a 500.
    targets = [(method, t, _first_path(t, world), name, 400) for method, t, name in params]
    targets.append(("GET", "/meetings/new", "/meetings/new", "network_id", 200))
    try:
        signed = await world.sign_in("coordinator")
        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "/api/openapi.json") as r:
                openapi = OpenApi(await r.json())
            for method, template, path, name, wanted in targets:
                for raw in BAD_QUERY:
                    target = f"{path}?{name}={quote(raw, safe='')}"
                    answer = await call(
                        http, server, world, "coordinator", method, target, signed=signed
                    )
                    bad_shape = wanted == 400 and (
                        error_shape_problem(answer) or openapi.problem(method, template, answer)
                    )
                    if answer.status != wanted or bad_shape:
                        problems.append(f"{target} ({raw!r}): {answer.status} {answer.text[:200]}")
    finally:
        await server.runner.cleanup()
    assert not problems, "\n".join(problems)


def _first_path(template: str, world: Any) -> str:
    case = next(c for c in all_cases() if c.path == template and c.method == "GET")
    return case.fill_path(world, {})
