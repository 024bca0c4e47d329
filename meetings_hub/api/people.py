"""People and my profile."""

from __future__ import annotations

import msgspec
from aiohttp import web

from meetings_hub.actions import people
from meetings_hub.actions.access import require_person
from meetings_hub.api.routing import ApiRoutes, Call
from meetings_hub.domain import Language, Person
from meetings_hub.i18n import LANGUAGE_COOKIE

routes = ApiRoutes()


@routes.route("GET", "/me", summary="Who I am", response=Person, tag="people")
async def me(call: Call) -> Person:
    require_person(call.actor)
    assert call.actor.person is not None
    return call.actor.person


@routes.route(
    "PATCH",
    "/me",
    summary="Change my name, language or time zone",
    body=people.ProfilePatch,
    response=Person,
    tag="people",
)
async def update_me(call: Call) -> Person:
    return await people.update_profile(call.hub, call.actor, call.body)


@routes.route("GET", "/people", summary="People I can see", response=list[Person], tag="people")
async def list_people(call: Call) -> list[Person]:
    return await people.list_people(call.hub, call.actor)


@routes.route(
    "POST",
    "/people",
    summary="Add a person (an account invitation is emailed)",
    body=people.PersonInput,
    response=Person,
    status=201,
    tag="people",
    errors=(409,),
)
async def create_person(call: Call) -> Person:
    return await people.create_person(call.hub, call.actor, call.body)


@routes.route("GET", "/people/{person_id}", summary="One person", response=Person, tag="people")
async def get_person(call: Call) -> Person:
    return await people.get_person(call.hub, call.actor, call.int_param("person_id"))


@routes.route(
    "PATCH",
    "/people/{person_id}",
    summary="Change a person",
    body=people.PersonPatch,
    response=Person,
    tag="people",
    errors=(409,),
)
async def update_person(call: Call) -> Person:
    return await people.update_person(call.hub, call.actor, call.int_param("person_id"), call.body)


@routes.route(
    "POST",
    "/people/{person_id}/invitation",
    summary="Email the account invitation again",
    status=202,
    tag="people",
)
async def invite_person(call: Call) -> None:
    await people.invite_person(call.hub, call.actor, call.int_param("person_id"))


class LanguageInput(msgspec.Struct, forbid_unknown_fields=True):
    language: Language


@routes.route(
    "POST",
    "/language",
    summary="Switch the interface language (remembered in my profile)",
    body=LanguageInput,
    public=True,
    tag="people",
)
async def set_language(call: Call) -> web.StreamResponse:
    if call.actor.person is not None:
        await people.update_profile(
            call.hub, call.actor, people.ProfilePatch(language=call.body.language)
        )
    response = web.Response(status=204)
    response.set_cookie(
        LANGUAGE_COOKIE,
        call.body.language.value,
        max_age=365 * 86400,
        samesite="Lax",
        path="/",
        secure=call.hub.settings.secure_cookies,
    )
    return response
