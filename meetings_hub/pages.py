"""Server-rendered pages. Reads go through actions, like the API; writes go through the API."""

from __future__ import annotations

import json
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from meetings_hub.actions import network, outbox, people, session
from meetings_hub.actions.access import scope_of
from meetings_hub.domain import Actor, GuestCategory, LibraryKind, Role, TokenPurpose
from meetings_hub.errors import NotFound
from meetings_hub.i18n import LANGUAGE_COOKIE, pick_language
from meetings_hub.keys import actor_key, csrf_token_key, hub_key


def language_of(request: web.Request) -> str:
    actor: Actor | None = request.get(actor_key)
    if actor is not None and actor.person is not None:
        return actor.person.language.value
    hub = request.app[hub_key]
    return pick_language(request.cookies.get(LANGUAGE_COOKIE), hub.settings.default_language)


async def context(request: web.Request) -> dict[str, Any]:
    hub = request.app[hub_key]
    lang = language_of(request)
    actor: Actor = request.get(actor_key) or Actor()

    def t(key: str, **values: object) -> str:
        return hub.t(lang, key, **values)

    def static(path: str) -> str:
        return str(request.app.router["static"].url_for(filename=path))

    return {
        "t": t,
        "static": static,
        "lang": lang,
        "actor": actor,
        "csrf_token": request.get(csrf_token_key, ""),
        "path": request.path,
        "demo_mode": hub.settings.demo_mode,
        "i18n_json": json.dumps(hub.translations.for_language(lang), ensure_ascii=False),
        "Role": Role,
    }


def _require_person(request: web.Request) -> Actor:
    actor: Actor = request[actor_key]
    if actor.person is None:
        raise web.HTTPSeeOther(f"/login?next={request.path_qs}")
    return actor


def _int(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise NotFound("Page not found.") from None


@aiohttp_jinja2.template("login.html")
async def login_page(request: web.Request) -> dict[str, Any]:
    if request[actor_key].person is not None:
        raise web.HTTPSeeOther("/")
    next_path = request.query.get("next", "/")
    return {
        "next": next_path if next_path.startswith("/") and not next_path.startswith("//") else "/"
    }


@aiohttp_jinja2.template("home.html")
async def home_page(request: web.Request) -> dict[str, Any]:
    actor: Actor = request[actor_key]
    if actor.guest is not None:
        return {"guest": actor.guest}
    actor = _require_person(request)
    hub = request.app[hub_key]
    networks = await network.list_networks(hub, actor)
    libraries = await network.list_libraries(hub, actor)
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
    return {
        "networks": networks,
        "library_count": len(libraries),
        "people_count": len(await people.list_people(hub, actor)),
        "led": [n for n in networks if scope.manages_network(n.id)],
        "own_library": next((lib for lib in libraries if lib.id == actor.person.library_id), None),  # type: ignore[union-attr]
    }


@aiohttp_jinja2.template("libraries.html")
async def libraries_page(request: web.Request) -> dict[str, Any]:
    actor = _require_person(request)
    hub = request.app[hub_key]
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
    networks = await network.list_networks(hub, actor)
    return {
        "libraries": await network.list_libraries(hub, actor),
        "may_add": scope.everything or bool(scope.led_network_ids),
        "led_networks": [n for n in networks if scope.manages_network(n.id)],
        "kinds": list(LibraryKind),
    }


@aiohttp_jinja2.template("library.html")
async def library_page(request: web.Request) -> dict[str, Any]:
    actor = _require_person(request)
    hub = request.app[hub_key]
    library = await network.get_library(hub, actor, _int(request, "library_id"))
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
    staff = [p for p in await people.list_people(hub, actor) if p.library_id == library.id]
    member_of = [
        n
        for n in await network.list_networks(hub, actor)
        if any(m.library_id == library.id for m in n.members)
    ]
    return {
        "library": library,
        "staff": staff,
        "networks": member_of,
        "may_edit": scope.manages_library(library.id),
        "kinds": list(LibraryKind),
    }


@aiohttp_jinja2.template("networks.html")
async def networks_page(request: web.Request) -> dict[str, Any]:
    actor = _require_person(request)
    hub = request.app[hub_key]
    return {
        "networks": await network.list_networks(hub, actor),
        "libraries": await network.list_libraries(hub, actor),
    }


@aiohttp_jinja2.template("network.html")
async def network_page(request: web.Request) -> dict[str, Any]:
    actor = _require_person(request)
    hub = request.app[hub_key]
    item = await network.get_network(hub, actor, _int(request, "network_id"))
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
    member_ids = {m.library_id for m in item.members if m.active}
    candidates = [
        lib for lib in await network.list_libraries(hub, actor) if lib.id not in member_ids
    ]
    return {
        "network": item,
        "may_manage": scope.manages_network(item.id),
        "candidates": candidates,
    }


@aiohttp_jinja2.template("people.html")
async def people_page(request: web.Request) -> dict[str, Any]:
    actor = _require_person(request)
    hub = request.app[hub_key]
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
    libraries = await network.list_libraries(hub, actor)
    return {
        "people": await people.list_people(hub, actor),
        "library_names": {lib.id: lib.name for lib in libraries},
        "manageable_libraries": [lib for lib in libraries if scope.manages_library(lib.id)],
        "may_add": scope.everything or bool(scope.led_network_ids),
        "roles": list(Role) if scope.everything else [Role.PARTNER_LIBRARIAN],
    }


@aiohttp_jinja2.template("profile.html")
async def profile_page(request: web.Request) -> dict[str, Any]:
    _require_person(request)
    return {
        "timezones": [
            "Europe/Warsaw",
            "Europe/London",
            "Europe/Berlin",
            "Europe/Vilnius",
            "Europe/Kyiv",
            "UTC",
        ]
    }


@aiohttp_jinja2.template("outbox.html")
async def outbox_page(request: web.Request) -> dict[str, Any]:
    actor = _require_person(request)
    return {"mails": await outbox.list_mail(request.app[hub_key], actor)}


@aiohttp_jinja2.template("password_forgot.html")
async def password_forgot_page(request: web.Request) -> dict[str, Any]:
    return {}


async def _token_page(request: web.Request, purpose: TokenPurpose) -> web.StreamResponse:
    token = request.query.get("token", "")
    live = bool(token) and await session.token_is_live(request.app[hub_key], purpose, token)
    return aiohttp_jinja2.render_template(
        "password_set.html",
        request,
        {
            "token": token,
            "live": live,
            "purpose": "reset" if purpose is TokenPurpose.PASSWORD_RESET else "invitation",
        },
    )


async def password_reset_page(request: web.Request) -> web.StreamResponse:
    return await _token_page(request, TokenPurpose.PASSWORD_RESET)


async def invitation_page(request: web.Request) -> web.StreamResponse:
    return await _token_page(request, TokenPurpose.ACCOUNT_INVITATION)


@aiohttp_jinja2.template("guest_enter.html")
async def guest_page(request: web.Request) -> dict[str, Any]:
    hub = request.app[hub_key]
    token = request.match_info["token"]
    invitation, meeting = await session.guest_invitation_view(hub, token)
    return {
        "token": token,
        "invitation": invitation,
        "meeting": meeting,
        "categories": list(GuestCategory),
    }


def install(app: web.Application) -> None:
    r = app.router
    r.add_get("/", home_page)
    r.add_get("/login", login_page)
    r.add_get("/password/forgot", password_forgot_page)
    r.add_get("/password/reset", password_reset_page)
    r.add_get("/invitation/accept", invitation_page)
    r.add_get("/guest/{token}", guest_page)
    r.add_get("/libraries", libraries_page)
    r.add_get("/libraries/{library_id}", library_page)
    r.add_get("/networks", networks_page)
    r.add_get("/networks/{network_id}", network_page)
    r.add_get("/people", people_page)
    r.add_get("/profile", profile_page)
    r.add_get("/outbox", outbox_page)
