"""Server-rendered pages. Reads go through actions, like the API; writes go through the API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web

from meetings_hub import demo_data
from meetings_hub.actions import demo, home, network, outbox, people, retention, savings, session
from meetings_hub.actions.access import scope_of
from meetings_hub.actions.validate import parse_int
from meetings_hub.actions.when import range_text, rule_text
from meetings_hub.domain import Actor, GuestCategory, LibraryKind, NetworkRole, Role, TokenPurpose
from meetings_hub.errors import Forbidden, NotFound
from meetings_hub.i18n import (
    LANGUAGE_COOKIE,
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_unit,
    pick_language,
)
from meetings_hub.keys import actor_key, csrf_token_key, hub_key

# Time zones offered in the profile: where the programme's people live and travel, plus UTC.
TIMEZONES = (
    "Europe/Warsaw",
    "Europe/Berlin",
    "Europe/Prague",
    "Europe/Vilnius",
    "Europe/Kyiv",
    "Europe/London",
    "Europe/Dublin",
    "UTC",
)


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
    tz = actor.person.timezone if actor.person else hub.settings.timezone

    def t(key: str, **values: object) -> str:
        return hub.t(lang, key, **values)

    def static(path: str) -> str:
        # JS modules import each other by plain URL (./api.js); a versioned URL for the entry
        # module would load a second copy of every module, so js/ is served unversioned and
        # revalidated (Cache-Control: no-cache, see middleware), everything else versioned.
        if path.startswith("js/"):
            return f"/static/{path}"
        return str(request.app.router["static"].url_for(filename=path))

    page_json, server_json = hub.translations.script_json(lang)
    return {
        "t": t,
        "static": static,
        "date": lambda value, zone="": format_date(value, lang, zone or tz),
        "datetime": lambda value, zone="": format_datetime(value, lang, zone or tz),
        # Figures: "1 234,56 zł" / "PLN 1,234.56", "12,5 km" (meetings_hub/i18n.py).
        "money": lambda value: format_money(value, lang),
        "number": lambda value, places=0: format_number(value, lang, places),
        "unit": lambda value, unit, places=1: format_unit(value, lang, unit, places),
        "server_text": lambda message: hub.translations.server_message(lang, str(message)),
        "tz": tz,
        "zone_name": lambda zone: _zone_name(hub.t(lang, f"timezone.{zone}"), zone),
        "NetworkRole": NetworkRole,
        "lang": lang,
        "actor": actor,
        "csrf_token": request.get(csrf_token_key, ""),
        "path": request.path,
        "saved": request.query.get("saved") == "1",
        "invited": request.query.get("invited") == "1",
        "demo_mode": hub.settings.demo_mode,
        "i18n_json": page_json,
        "i18n_server_json": server_json,
        "Role": Role,
    }


def _zone_name(label: str, zone: str) -> str:
    # A zone without a translated name (set through the API) is shown by its own name.
    return zone if label.startswith("timezone.") else label


# Shared by every page module (pages_*.py): how a page asks for a sign-in and reads an id.


def sign_in_redirect(request: web.Request) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/login?next={quote(request.path_qs, safe='/')}")


def require_person(request: web.Request) -> Actor:
    """A signed-in person; anyone else is sent to sign in."""
    actor: Actor = request[actor_key]
    if actor.person is None:
        raise sign_in_redirect(request)
    return actor


def require_signed_in(request: web.Request) -> Actor:
    """A signed-in person or a guest who entered by link."""
    actor: Actor = request[actor_key]
    if actor.is_anonymous:
        raise sign_in_redirect(request)
    return actor


def page_id(request: web.Request, name: str, what: str = "Page") -> int:
    # SQLite integers are signed 64-bit; a larger id would reach the database as an error.
    value = parse_int(request.match_info[name], low=1)
    if value is None:
        raise NotFound(f"{what} not found.")
    return value


@aiohttp_jinja2.template("login.html")
async def login_page(request: web.Request) -> dict[str, Any]:
    if request[actor_key].person is not None:
        raise web.HTTPSeeOther("/")
    next_path = request.query.get("next", "/")
    demo_logins = []
    if request.app[hub_key].settings.demo_mode:
        # The three logins the README and `make run` print; they work only in demo mode.
        demo_logins = [(p.role, p.email) for p in demo_data.PEOPLE[:3]]
    next_path = next_path if next_path.startswith("/") and not next_path.startswith("//") else "/"
    return {
        "next": next_path,
        # Someone sent here from a meeting or a room may be a guest who opened the wrong link.
        "guest_hint": next_path.startswith(("/meetings/", "/rooms/")),
        "demo_logins": demo_logins,
        "demo_password": demo.DEMO_PASSWORD,
    }


@aiohttp_jinja2.template("home.html")
async def home_page(request: web.Request) -> dict[str, Any]:
    actor: Actor = request[actor_key]
    hub = request.app[hub_key]
    if actor.guest is not None:
        return {"guest": actor.guest, "meeting": await home.guest_meeting(hub, actor)}
    actor = require_person(request)
    view = await home.overview(hub, actor)
    role = actor.person.role  # type: ignore[union-attr]
    return {
        "view": view,
        "is_coordinator": role is Role.COORDINATOR,
        "upcoming": await home.upcoming(hub, actor),
        "savings_totals": await savings.savings_totals_line(hub, actor),
    }


@aiohttp_jinja2.template("libraries.html")
async def libraries_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
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
    actor = require_person(request)
    hub = request.app[hub_key]
    library = await network.get_library(hub, actor, page_id(request, "library_id"))
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
    staff = [p for p in await people.list_people(hub, actor) if p.library_id == library.id]
    member_of = [
        n
        for n in await network.list_networks(hub, actor)
        if any(m.library_id == library.id for m in n.members)
    ]
    try:
        distances = await savings.list_distances(hub, actor, library.id)
    except (Forbidden, NotFound):
        distances = None  # road distances are for the people of the library's networks
    return {
        "library": library,
        "staff": staff,
        "networks": member_of,
        "distances": distances,
        "may_edit": scope.manages_library(library.id),
        "kinds": list(LibraryKind),
    }


@aiohttp_jinja2.template("networks.html")
async def networks_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
    hub = request.app[hub_key]
    return {
        "networks": await network.list_networks(hub, actor),
        "libraries": await network.list_libraries(hub, actor),
    }


@aiohttp_jinja2.template("network.html")
async def network_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
    hub = request.app[hub_key]
    item = await network.get_network(hub, actor, page_id(request, "network_id"))
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
    candidates = await network.member_candidates(hub, actor, item)
    return {
        "network": item,
        "may_manage": scope.manages_network(item.id),
        "candidates": candidates,
    }


@aiohttp_jinja2.template("people.html")
async def people_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
    hub = request.app[hub_key]
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
    libraries = await network.list_libraries(hub, actor)
    listed = await people.list_people(hub, actor)
    is_coordinator = scope.everything
    # Mirrors actions.people._check_may_manage; the actions check again on every change.
    manageable = {
        p.id
        for p in listed
        if p.id != actor.person.id  # type: ignore[union-attr]
        and (
            is_coordinator
            or (
                p.role is Role.PARTNER_LIBRARIAN
                and p.library_id is not None
                and scope.manages_library(p.library_id)
            )
        )
    }
    return {
        "people": listed,
        "manageable": manageable,
        "library_names": {lib.id: lib.name for lib in libraries},
        "manageable_libraries": [lib for lib in libraries if scope.manages_library(lib.id)],
        "may_add": scope.everything or bool(scope.led_network_ids),
        "roles": list(Role) if scope.everything else [Role.PARTNER_LIBRARIAN],
    }


@aiohttp_jinja2.template("profile.html")
async def profile_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
    own = actor.person.timezone  # type: ignore[union-attr]
    hub = request.app[hub_key]
    lang = language_of(request)
    zones = TIMEZONES if own in TIMEZONES else (own, *TIMEZONES)
    return {
        "timezones": [(z, _zone_name(hub.t(lang, f"timezone.{z}"), z)) for z in zones],
        "now": datetime.now(UTC),
    }


@aiohttp_jinja2.template("outbox.html")
async def outbox_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
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
    landing = await session.guest_invitation_view(hub, token)
    lang = language_of(request)
    meeting = landing.meeting
    return {
        "token": token,
        "invitation": landing.invitation,
        "meeting": meeting,
        "when": range_text(hub, lang, landing.start, landing.end, meeting.timezone),
        "repeats": rule_text(hub, lang, meeting.rule, meeting.timezone) if meeting.rule else "",
        "categories": list(GuestCategory),
        "retention": retention.periods(hub.settings),
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
