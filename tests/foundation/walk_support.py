"""What the route walk and the bad-input test share: the world, the routes, raw calls."""

from __future__ import annotations

import atexit
import json
import re
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
from aiohttp import web
from yarl import URL

from meetings_hub.actions import demo
from meetings_hub.app import WEB_DIR
from meetings_hub.hub import Hub
from meetings_hub.i18n import Translations
from meetings_hub.middleware import CSRF_HEADER, SESSION_COOKIE
from meetings_hub.settings import Settings
from meetings_hub.storage import migrate
from meetings_hub.storage.db import Database
from tests.route_cases import (
    WALKED_PATHS,
    WALKED_PREFIXES,
    Case,
    Prepared,
    World,
    setup_hooks,
)
from tests.support import Client, Server, make_settings, start_server


def walked_routes(app: web.Application) -> set[tuple[str, str]]:
    """(method, path template) of every route the app registers under the walked paths."""
    found = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        if route.method in ("HEAD", "*") or not path:
            continue
        if path.startswith(WALKED_PREFIXES) or path in WALKED_PATHS:
            found.add((route.method, path))
    return found


_TEMPLATE: list[Path] = []  # one migrated demo database per test process, copied per test


async def _demo_template(settings: Settings) -> Path:
    """Loading the demo (argon2 and ~80 inserts) takes seconds on a busy machine; copying a
    ready file takes milliseconds, and every test still gets its own real SQLite file."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="meetings-hub-demo-"))
        atexit.register(shutil.rmtree, folder, True)
        hub = Hub(
            settings=settings,
            db=Database(folder / "demo.sqlite3"),
            translations=Translations.load(WEB_DIR / "i18n"),
            secret=b"template",
        )
        await hub.db.open()
        try:
            await migrate.migrate(hub.db)
            await demo.load(hub)
        finally:
            await hub.db.close()
        _TEMPLATE.append(folder / "demo.sqlite3")
    return _TEMPLATE[0]


def _copy_database(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


async def start_world(tmp_path: Path, **overrides: Any) -> tuple[Server, World]:
    """A real server on a copy of the demo database, with the walk's world set up."""
    settings = make_settings(tmp_path, **overrides)
    _copy_database(await _demo_template(settings), settings.sqlite_path)
    server = await start_server(settings)
    world = World(hub=server.hub)
    for hook in setup_hooks():
        await hook(world)
    return server, world


@dataclass
class Answer:
    status: int
    body: Any
    text: str
    content_type: str


async def call(
    http: aiohttp.ClientSession,
    server: Server,
    world: World,
    role: str,
    method: str,
    path: str,
    *,
    body: Any = None,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
    signed: tuple[str, str] | bool | None = False,
) -> Answer:
    """One request as ``role``; the CSRF header set as the browser would.

    ``signed`` is a (cookie, CSRF) pair to reuse; by default each call gets a new session.
    """
    if signed is False:
        signed = await world.sign_in(role)
    assert signed is not True
    cookies = {}
    all_headers = {}
    if signed is None:
        # Anonymous: the double-submit cookie and header, like the login form sends.
        cookies["mh_csrf"] = all_headers[CSRF_HEADER] = "anonymous-csrf-token-for-the-walk"
    else:
        cookies[SESSION_COOKIE], all_headers[CSRF_HEADER] = signed
    cookie_header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    all_headers["Cookie"] = cookie_header
    data: bytes | None = raw
    if raw is None and body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    async with http.request(method, server.url + path, data=data, headers=all_headers) as r:
        text = await r.text(errors="replace")  # /files/ answers with the file itself
        parsed: Any = None
        if r.content_type == "application/json" and text:
            parsed = json.loads(text)
        return Answer(r.status, parsed, text, r.content_type)


def error_shape_problem(answer: Answer) -> str | None:
    body = answer.body
    if not isinstance(body, dict) or set(body) != {"error"}:
        return f"not an error object: {answer.text[:200]!r}"
    error = body["error"]
    if not isinstance(error, dict) or set(error) != {"code", "message", "details"}:
        return f"error must have exactly code, message, details: {error!r}"
    if not isinstance(error["code"], str) or not error["code"]:
        return f"error code must be a non-empty string: {error!r}"
    if not isinstance(error["message"], str) or not error["message"]:
        return f"error message must be a non-empty string: {error!r}"
    return None


class OpenApi:
    """Checks answers against the schemas of /api/openapi.json (JSON Schema 2020-12)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def schema_for(self, method: str, path: str, status: int) -> dict[str, Any] | None:
        operation = self.document["paths"].get(path, {}).get(method.lower())
        if operation is None:
            return None
        response = operation["responses"].get(str(status))
        if response is None:
            raise AssertionError(f"{method} {path}: status {status} is not documented")
        content = response.get("content", {}).get("application/json")
        if content is None:
            return None
        return {**content["schema"], "components": self.document["components"]}

    def problem(self, method: str, path: str, answer: Answer) -> str | None:
        if path not in self.document["paths"]:
            return None  # not an OpenAPI route (healthz, metrics, the document itself)
        try:
            schema = self.schema_for(method, path, answer.status)
        except AssertionError as exc:
            return str(exc)
        if schema is None:
            return None
        try:
            jsonschema.validate(answer.body, schema, cls=jsonschema.Draft202012Validator)
        except jsonschema.ValidationError as exc:
            return f"answer does not match its OpenAPI schema: {exc.message}"
        return None


def check_answer(case: Case, role: str, answer: Answer, openapi: OpenApi) -> str | None:
    expected = case.expected(role)
    where = f"{case.method} {case.path} as {role}"
    if answer.status >= 500:
        return f"{where}: {answer.status} {answer.text[:300]}"
    if expected is None:
        wanted_ok = case.ok
        good = answer.status == wanted_ok if wanted_ok else 200 <= answer.status < 300
        if not good:
            return f"{where}: wanted {wanted_ok or '2xx'}, got {answer.status} {answer.text[:300]}"
    else:
        if answer.status != expected:
            return f"{where}: wanted {expected}, got {answer.status} {answer.text[:300]}"
        shape = error_shape_problem(answer)
        if shape:
            return f"{where}: {shape}"
    problem = openapi.problem(case.method, case.path, answer)
    if problem:
        return f"{where}: {problem}"
    return None


MISSING_ID = 987_654_321  # no object in the walk's world has this id


def _without_ids(answer: Answer, ids: tuple[int, ...]) -> str:
    """The answer with the ids written out replaced, so two refusals can be compared."""
    text = answer.text
    for value in ids:
        text = re.sub(rf"\b{value}\b", "<id>", text)
    return f"{answer.status} {text}"


async def foreign_body_problems(
    http: aiohttp.ClientSession,
    server: Server,
    world: World,
    role: str,
    case: Case,
    prepared: Prepared,
    openapi: OpenApi,
) -> list[str]:
    """Each of the case's body ids swapped for a hidden object's and for a missing one: the two
    answers must be the same refusal, and the database must not change."""
    problems: list[str] = []
    for body_id in case.body_ids:
        key = body_id.foreign_to(role)
        if key is None:
            continue
        hidden = int(world.ids[key])
        where = f"{case.method} {case.path} as {role}, {body_id.field} of {key}"
        path = case.fill_path(world, prepared)
        signed = await world.sign_in(role)
        before = dump(server.settings.sqlite_path)
        answers = []
        for value in (hidden, MISSING_ID):
            body = body_id.put(case.make_body(world, prepared), value)
            answer = await call(
                http, server, world, role, case.method, path, body=body, signed=signed
            )
            answers.append(answer)
            if answer.status < 400 or answer.status >= 500:
                problems.append(f"{where}: id {value} answered {answer.status} {answer.text[:200]}")
            elif shape := error_shape_problem(answer):
                problems.append(f"{where}: {shape}")
            elif problem := openapi.problem(case.method, case.path, answer):
                problems.append(f"{where}: {problem}")
        seen, unknown = (_without_ids(a, (hidden, MISSING_ID)) for a in answers)
        if seen != unknown:
            problems.append(
                f"{where}: a hidden id answers differently from a missing one (an oracle):"
                f"\n    hidden:  {seen[:300]}\n    missing: {unknown[:300]}"
            )
        after = dump(server.settings.sqlite_path)
        changed = [t for t in before if before[t] != after.get(t)]
        if changed:
            problems.append(f"{where}: refused calls changed {changed}")
    return problems


async def hidden_path_problems(
    http: aiohttp.ClientSession,
    server: Server,
    world: World,
    role: str,
    case: Case,
    prepared: Prepared,
    hidden: Answer,
) -> list[str]:
    """A 404 for a hidden object must be the very answer a missing one gets: every id in the
    path swapped for one that does not exist, the two bodies compared byte for byte (the ids
    aside)."""
    if case.expected(role) != 404 or hidden.status != 404 or case.body_ids:
        return []  # a case with body ids may be refused for its body: foreign_body_problems
    values = dict(prepared)
    ints: list[int] = []
    for name in re.findall(r"{(\w+)", case.path):
        value = prepared.get(name, case.ids.get(name, name))
        value = world.ids.get(value, value) if isinstance(value, str) else value
        if isinstance(value, int):
            ints.append(value)
            values[name] = MISSING_ID
    if not ints:
        return []
    missing = await call(
        http,
        server,
        world,
        role,
        case.method,
        case.fill_path(world, values),
        body=case.make_body(world, prepared),
        headers=dict(case.headers),
    )
    seen, unknown = (_without_ids(a, (*ints, MISSING_ID)) for a in (hidden, missing))
    if seen == unknown:
        return []
    return [
        f"{case.method} {case.path} as {role}: a hidden id answers differently from a missing"
        f" one (an oracle):\n    hidden:  {seen[:300]}\n    missing: {unknown[:300]}"
    ]


async def client_as(server: Server, world: World, role: str) -> Client:
    """A browser-like Client already signed in as ``role`` (a session minted, no argon2)."""
    client = Client(server.url)
    signed = await world.sign_in(role)
    if signed is not None:
        client.session.cookie_jar.update_cookies({SESSION_COOKIE: signed[0]}, URL(server.url))
        client.csrf = signed[1]
    return client


def session_cookie(client: Client, server: Server) -> str:
    return client.session.cookie_jar.filter_cookies(URL(server.url))[SESSION_COOKIE].value


# A refused sign-in (e.g. a 3000-character password) is recorded on purpose: the rate limit.
# The running processes' heartbeats (server_processes) change by themselves.
COUNTED_ON_PURPOSE = frozenset({"login_attempts", "server_processes"})


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read through a separate connection (committed data only)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        # Table names come from sqlite_master, not from input.
        return {
            t: db.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall()  # noqa: S608
            for t in tables
            if t not in COUNTED_ON_PURPOSE
        }


async def demo_data_dir(tmp_path: Path) -> Path:
    """A data directory holding a copy of the demo database (what `meetings-hub demo` makes)."""
    settings = make_settings(tmp_path)
    _copy_database(await _demo_template(settings), settings.sqlite_path)
    return settings.data_dir
