"""The authorisation walk: every registered route × every role, against tests/route_cases."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

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
