"""Pages and query strings with an id: another network's object answers as a missing one.

The route walk holds this for the path and body ids of /api/, /files/ and /feeds/ (every
hidden 404 is compared with a missing id's); these tests do the same for every page route the
app registers with an id, as a browser asks for it (the HTML error page), and for the ids
that API and page handlers read from query strings, for both networks' leads.
"""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp

from meetings_hub.actions import rooms
from meetings_hub.domain import Actor
from meetings_hub.storage import people
from tests.foundation.walk_support import MISSING_ID, Answer, OpenApi, call, start_world
from tests.route_cases import World

HTML = {"Accept": "text/html,application/xhtml+xml"}
# The page routes with an id, by template; the id keys name, per role, an object it cannot see.
PAGES = {
    "/libraries/{library_id}": "library_id",
    "/networks/{network_id}": "network_id",
    "/rooms/{room_id}": "room_id",
    "/meetings/{meeting_id}": "meeting_id",
    "/meetings/{meeting_id}/edit": "meeting_id",
    "/meetings/{meeting_id}/room": "meeting_id",
    "/meetings/{meeting_id}/occurrences/{original_start}/edit": "meeting_id",
}


async def _rooms(world: World) -> None:
    """The Korsze network's room (the walk's world has Morawica's as ``room_id``)."""
    async with world.hub.db.read() as reader:
        other = await people.get(reader, world.ids["other_lead_person_id"])
    world.ids["other_room_id"] = await rooms.room_for_network(
        world.hub, Actor(person=other), world.ids["other_network_id"]
    )


def _page_routes(server_app: object) -> set[str]:
    found = set()
    for route in server_app.router.routes():  # type: ignore[attr-defined]
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        if (
            route.method == "GET"
            and "{" in path
            and not path.startswith(("/api/", "/files/", "/feeds/"))
        ):
            found.add(re.sub(r":[^}]*}", "}", path))
    return found


def _what_it_says(answer: Answer, asked: int) -> str:
    """Status, title and main content: the head differs per session (CSRF token, nonces)."""
    parts = [str(answer.status)]
    for tag in ("title", "main"):
        found = re.search(rf"<{tag}\b.*?</{tag}>", answer.text, re.S)
        parts.append(found.group(0) if found else f"(no {tag})")
    # Only where a path names it: small ids appear in markup too (tabindex="-1").
    return re.sub(rf"(?<=/){asked}\b", "<id>", "\n".join(parts))


async def test_hidden_pages_answer_as_missing_ones(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    await _rooms(world)
    problems: list[str] = []
    try:
        # Tokens (guest links, answer links, feeds) are secrets, not ids: tested on their own.
        with_ids = {p for p in _page_routes(server.app) if "{token}" not in p}
        assert with_ids == set(PAGES), f"page routes with ids changed: {sorted(with_ids)}"
        async with aiohttp.ClientSession() as http:
            for role, prefix in (("lead", "other_"), ("other_lead", "")):
                for template, key in PAGES.items():
                    hidden_id = world.ids[prefix + key]
                    answers = []
                    for value in (hidden_id, MISSING_ID):
                        path = template.replace("{" + key + "}", str(value)).replace(
                            "{original_start}", "20300107T090000Z"
                        )
                        answers.append(
                            await call(http, server, world, role, "GET", path, headers=HTML)
                        )
                    hidden, missing = (
                        _what_it_says(a, v)
                        for a, v in zip(answers, (hidden_id, MISSING_ID), strict=True)
                    )
                    if answers[0].status != 404 or hidden != missing:
                        problems.append(
                            f"{template} as {role}: hidden {hidden[:200]!r}"
                            f" vs missing {missing[:200]!r}"
                        )
    finally:
        await server.runner.cleanup()
    assert not problems, "\n".join(problems)


# Ids in query strings name objects too (the walk's cases carry no query strings).
QUERIES = [
    ("/api/v1/occurrences", "person_id", "person_id"),
    ("/api/v1/occurrences", "library_id", "library_id"),
    ("/api/v1/occurrences", "network_id", "network_id"),
    ("/api/v1/meetings/defaults", "network_id", "network_id"),
    ("/meetings/new", "network_id", "network_id"),
]


async def test_hidden_ids_in_query_strings_answer_as_missing_ones(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    problems: list[str] = []
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "/api/openapi.json") as r:
                openapi = OpenApi(await r.json())
            for role, prefix in (("lead", "other_"), ("other_lead", "")):
                signed = await world.sign_in(role)
                for path, name, key in QUERIES:
                    hidden_id = world.ids[prefix + key]
                    said = []
                    for value in (hidden_id, MISSING_ID):
                        answer = await call(
                            http, server, world, role, "GET", f"{path}?{name}={value}",
                            signed=signed, headers=HTML if path == "/meetings/new" else None,
                        )  # fmt: skip
                        text = _what_it_says(answer, value) if "<main" in answer.text else (
                            f"{answer.status} " + re.sub(rf"\b{value}\b", "<id>", answer.text)
                        )  # fmt: skip
                        said.append(text)
                    if path.startswith("/api/") and (
                        problem := openapi.problem("GET", path, answer)
                    ):
                        problems.append(f"{path}?{name}= as {role}: {problem}")
                    if said[0] != said[1] or said[0].startswith("2"):
                        problems.append(
                            f"{path}?{name}= as {role}: {said[0][:200]!r} vs {said[1][:200]!r}"
                        )
    finally:
        await server.runner.cleanup()
    assert not problems, "\n".join(problems)
