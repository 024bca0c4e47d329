"""The authorisation walk: every registered route × every role, against tests/route_cases."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import msgspec.inspect
import pytest

from meetings_hub import api
from meetings_hub.app import create_app
from tests.foundation.walk_support import (
    OpenApi,
    call,
    check_answer,
    foreign_body_problems,
    hidden_path_problems,
    start_world,
    walked_routes,
)
from tests.route_cases import ROLES, all_cases
from tests.support import make_settings


async def test_every_route_has_a_case_and_every_case_a_route(tmp_path: Path) -> None:
    app = await create_app(make_settings(tmp_path))
    registered = walked_routes(app)
    cased = {c.key for c in all_cases()}
    missing = sorted(registered - cased)
    stale = sorted(cased - registered)
    assert not missing, "routes without a case in tests/route_cases/: " + ", ".join(
        f"{m} {p}" for m, p in missing
    )
    assert not stale, "cases for routes the app does not register: " + ", ".join(
        f"{m} {p}" for m, p in stale
    )


# Body ids the walk does not swap, and why.
NOT_SWAPPED = {
    ("POST", "/api/v1/rooms/{room_id}/messages", "mentions"): "dropped, not refused: "
    "tests/chat/test_mention_scope.py",
}


def _ids_of(kind: type) -> set[str]:
    """Top-level fields of a body type that hold ids (validate.Id: an int from 1), alone or in
    a list."""
    found = set()
    for field in msgspec.inspect.type_info(kind).fields:  # type: ignore[attr-defined]
        for t in getattr(field.type, "types", (field.type,)):
            t = getattr(t, "item_type", t)
            if isinstance(t, msgspec.inspect.IntType) and t.ge == 1:
                found.add(field.encode_name)
    return found


def test_every_id_in_a_body_is_swapped_by_the_walk() -> None:
    """A new id field in a request body needs ``body_ids`` in its route case."""
    walked: dict[tuple[str, str], set[str]] = {}
    for case in all_cases():
        names = {b.field.removesuffix("[]") for b in case.body_ids}
        walked.setdefault(case.key, set()).update(names)
    missing = [
        f"{e.method} {e.path} {name}"
        for e in api.all_routes().endpoints
        if e.body is not None
        for name in sorted(_ids_of(e.body))
        if name not in walked.get((e.method, e.path), set())
        and (e.method, e.path, name) not in NOT_SWAPPED
    ]
    assert not missing, "body ids without body_ids in tests/route_cases: " + ", ".join(missing)


@pytest.mark.parametrize("role", ROLES)
async def test_walk(tmp_path: Path, role: str) -> None:
    """A fresh demo server per role, so one role's changes cannot hide another's refusals."""
    server, world = await start_world(tmp_path)
    problems: list[str] = []
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "/api/openapi.json") as r:
                openapi = OpenApi(await r.json())
            for case in all_cases():
                prepared = await case.prepare(world, role) if case.prepare else {}
                answer = await call(
                    http,
                    server,
                    world,
                    role,
                    case.method,
                    case.fill_path(world, prepared),
                    body=case.make_body(world, prepared),
                    headers=dict(case.headers),
                )
                problem = check_answer(case, role, answer, openapi)
                if problem:
                    problems.append(problem + (f"  [{case.note}]" if case.note else ""))
                problems.extend(
                    await foreign_body_problems(http, server, world, role, case, prepared, openapi)
                )
                problems.extend(
                    await hidden_path_problems(http, server, world, role, case, prepared, answer)
                )
    finally:
        await server.runner.cleanup()
    assert not problems, "\n".join(problems)
