"""One rule for text: every string field of every API body refuses control characters, and
every single-line field refuses line breaks and direction overrides too (issue 10, item 4).

The fields come from the routes' declared body types (nested lists of structs included), the
valid bodies from tests/route_cases, as in test_bad_input.py. Secrets (passwords, tokens) are
never shown or stored as text, so they are left out. A refusal must be a 4xx in the one error
shape and nothing stored may change; the multi-line fields must still take a line break.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import msgspec.inspect
from hypothesis import given, settings
from hypothesis import strategies as st

from meetings_hub.actions.file_names import clean_name
from meetings_hub.actions.validate import clean_text, text_problem
from tests.foundation.test_bad_input import (
    MAX_JSON,
    Plan,
    bodies_of_routes,
    first_allowed,
    problem_of,
)
from tests.foundation.walk_support import OpenApi, call, dump, start_world
from tests.route_cases import all_cases

MULTI_LINE = {"agenda", "note", "text", "comment"}
SECRETS = {"password", "current_password", "new_password", "token"}
# Refused in every field: C0 and C1 controls, DEL, a noncharacter.
ALWAYS_BAD = {
    "NUL": "\x00",
    "escape": "\x1b",
    "carriage return": "\r",
    "DEL": "\x7f",
    "NEL (C1)": "\x85",
    "U+FFFF": "\uffff",
}
# Refused in single-line fields only.
SINGLE_LINE_BAD = {
    "line feed": "\n",
    "tab": "\t",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "right-to-left override": "\u202e",
    "first strong isolate": "\u2068",
}


def string_paths(kind: type) -> list[tuple[str | int, ...]]:
    """Paths to every string field of a body type: ("guests", 0, "name") for list items."""
    found: list[tuple[str | int, ...]] = []

    def walk(info: Any, prefix: tuple[str | int, ...]) -> None:
        for field in getattr(info, "fields", ()):
            union = field.type.types if isinstance(field.type, msgspec.inspect.UnionType) else ()
            for t in union or (field.type,):
                path = (*prefix, field.encode_name)
                if isinstance(t, msgspec.inspect.StrType):
                    found.append(path)
                elif isinstance(t, msgspec.inspect.StructType):
                    walk(t, path)
                elif isinstance(t, msgspec.inspect.ListType) and isinstance(
                    t.item_type, msgspec.inspect.StructType
                ):
                    walk(t.item_type, (*path, 0))

    walk(msgspec.inspect.type_info(kind), ())
    return found


def with_value(body: Any, path: tuple[str | int, ...], insert: str) -> Any | None:
    """A copy of ``body`` with ``insert`` put inside the string at ``path``; None when the valid
    body has no place for it (an empty list, a left-out optional struct)."""
    if not path:
        if not isinstance(body, str):
            return None
        return body[:1] + insert + body[1:] if body else "x" + insert + "y"
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        if not isinstance(body, list) or len(body) <= head:
            return None
        inner = with_value(body[head], rest, insert)
        return None if inner is None else [*body[:head], inner, *body[head + 1 :]]
    if not isinstance(body, dict):
        return None
    if head not in body:
        # An optional field the valid body leaves out (PATCH /me has no full_name): add it.
        return {**body, head: "x" + insert + "y"} if not rest else None
    inner = with_value(body[head], rest, insert)
    return None if inner is None else {**body, head: inner}


async def test_every_text_field_refuses_control_characters(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path, max_json_bytes=MAX_JSON)
    problems: list[str] = []
    covered: set[str] = set()
    accepted: list[tuple[Plan, tuple[str | int, ...], Any]] = []
    db_path = server.settings.sqlite_path
    try:
        body_types = bodies_of_routes()
        plans = []
        for case in all_cases():
            if case.key not in body_types or case.body is None:
                continue
            role = first_allowed(case)
            prepared = await case.prepare(world, role) if case.prepare else {}
            plans.append(
                Plan(
                    case,
                    role,
                    case.fill_path(world, prepared),
                    case.make_body(world, prepared),
                    body_types[case.key],
                    await world.sign_in(role),
                )
            )
        before = dump(db_path)
        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "/api/openapi.json") as r:
                openapi = OpenApi(await r.json())
            for plan in plans:
                where = f"{plan.case.method} {plan.case.path} as {plan.role}"
                assert plan.kind is not None
                for path in string_paths(plan.kind):
                    name = str(path[-1])
                    if name in SECRETS:
                        continue
                    bad = dict(ALWAYS_BAD)
                    if name not in MULTI_LINE:
                        bad |= SINGLE_LINE_BAD
                    elif with_value(plan.valid, path, "\n") is not None:
                        accepted.append((plan, path, with_value(plan.valid, path, "\nb")))
                    for label, char in bad.items():
                        body = with_value(plan.valid, path, char)
                        if body is None:
                            continue
                        covered.add(f"{plan.case.path} {'.'.join(map(str, path))}")
                        answer = await call(
                            http,
                            server,
                            world,
                            plan.role,
                            plan.case.method,
                            plan.path,
                            body=body,
                            signed=plan.signed,
                        )
                        problem = problem_of(
                            answer,
                            f"{label} in {'.'.join(map(str, path))}",
                            where,
                            openapi,
                            plan.case.path,
                        )
                        if problem:
                            problems.append(problem)
        after = dump(db_path)
        # The multi-line fields take a line break (run last: these calls store things).
        async with aiohttp.ClientSession() as http:
            for plan, path, body in accepted:
                answer = await call(
                    http,
                    server,
                    world,
                    plan.role,
                    plan.case.method,
                    plan.path,
                    body=body,
                    signed=plan.signed,
                )
                details = (answer.body or {}).get("error", {}).get("details") or {}
                field = ".".join(map(str, path))
                if answer.status >= 500 or (isinstance(details, dict) and field in details):
                    problems.append(
                        f"{plan.case.method} {plan.case.path}: a line break in {field} was"
                        f" refused: {answer.status} {answer.text[:200]}"
                    )
    finally:
        await server.runner.cleanup()
    assert not problems, "\n".join(problems)
    changed = [t for t in before if before[t] != after.get(t)]
    assert not changed, f"refused text changed tables: {changed}"
    # The walk must reach the fields of the reported defect, or it proves nothing.
    for must in ("/api/v1/me full_name", "/api/v1/meetings title", "/api/v1/meetings agenda"):
        assert must in covered, f"{must} was not tried"
    assert accepted, "no multi-line field was tried with a line break"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_cleaned_names_always_pass_the_rule(raw: str) -> None:
    """Text that is cleaned rather than refused (a file name from the browser, a title from an
    imported calendar) always comes out as the one rule wants a single-line field."""
    assert text_problem(clean_name(raw)) is None
    assert text_problem(clean_text(raw)) is None
    assert text_problem(clean_text(raw, multiline=True), multiline=True) is None


def test_the_rule_by_example() -> None:
    for fine in ("Tomasz Zieliński", "Łódź — 2 piętro", "ALEF \u200f", "emoji 🙂"):
        assert text_problem(fine) is None
    for bad in ("Tomasz\nZieliński", "a\tb", "a\u2028b", "x\u202ey", "\ud800", "a\x00", "a\x85"):
        assert text_problem(bad) is not None
    assert text_problem("akapit\n\ttekst\u202e", multiline=True) is None
    for bad in ("\ud800", "a\x00", "a\r\n", "a\x9f", "\ufffe"):
        assert text_problem(bad, multiline=True) is not None
