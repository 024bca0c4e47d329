"""Sign-in, sign-out, passwords, account links, guests entering by link."""

from __future__ import annotations

import msgspec
from aiohttp import web

from meetings_hub.actions import session
from meetings_hub.api.routing import ApiRoutes, Call, render
from meetings_hub.domain import Person, TokenPurpose
from meetings_hub.keys import csrf_token_key
from meetings_hub.middleware import clear_session_cookie, set_session_cookie

routes = ApiRoutes()


class CsrfOut(msgspec.Struct):
    csrf_token: str


class SignedIn(msgspec.Struct):
    person: Person | None
    csrf_token: str
    guest_meeting_id: int | None = None


@routes.route(
    "GET",
    "/auth/csrf",
    summary="The CSRF token to send as X-CSRF-Token",
    response=CsrfOut,
    public=True,
    tag="auth",
)
async def csrf(call: Call) -> CsrfOut:
    return CsrfOut(call.request[csrf_token_key])


@routes.route(
    "POST",
    "/auth/login",
    summary="Sign in with email and password",
    body=session.LoginInput,
    response=SignedIn,
    public=True,
    tag="auth",
    errors=(401, 429),
)
async def login(call: Call) -> web.StreamResponse:
    new = await session.login(
        call.hub,
        call.body,
        client=call.actor.client,
        user_agent=call.request.headers.get("User-Agent", ""),
    )
    response = render(SignedIn(new.actor.person, new.csrf_token), 200)
    set_session_cookie(call.request, response, new.token)
    return response


@routes.route(
    "POST",
    "/auth/logout",
    summary="Sign out (ends this session)",
    public=True,
    tag="auth",
)
async def logout(call: Call) -> web.StreamResponse:
    await session.logout(call.hub, call.actor)
    response = web.Response(status=204)
    clear_session_cookie(response)
    return response


@routes.route(
    "POST",
    "/auth/password",
    summary="Change my password (ends my other sessions)",
    body=session.PasswordChangeInput,
    tag="auth",
)
async def change_password(call: Call) -> None:
    await session.change_password(call.hub, call.actor, call.body)


@routes.route(
    "POST",
    "/auth/password-reset",
    summary="Email a password-reset link",
    body=session.ResetRequestInput,
    status=202,
    public=True,
    tag="auth",
)
async def request_reset(call: Call) -> None:
    await session.request_password_reset(call.hub, call.body)
    return None


@routes.route(
    "POST",
    "/auth/password-reset/confirm",
    summary="Set a new password from a reset link",
    body=session.TokenPasswordInput,
    public=True,
    tag="auth",
)
async def confirm_reset(call: Call) -> None:
    await session.complete_with_token(call.hub, TokenPurpose.PASSWORD_RESET, call.body)


@routes.route(
    "POST",
    "/auth/invitation/accept",
    summary="Set a password from an account invitation",
    body=session.TokenPasswordInput,
    public=True,
    tag="auth",
)
async def accept_invitation(call: Call) -> None:
    await session.complete_with_token(call.hub, TokenPurpose.ACCOUNT_INVITATION, call.body)


@routes.route(
    "POST",
    "/guest/enter",
    summary="Enter a meeting as a guest by invitation link",
    body=session.GuestEnterInput,
    response=SignedIn,
    public=True,
    tag="auth",
    errors=(404,),
)
async def guest_enter(call: Call) -> web.StreamResponse:
    new = await session.guest_enter(
        call.hub, call.body, user_agent=call.request.headers.get("User-Agent", "")
    )
    assert new.actor.guest is not None
    response = render(SignedIn(None, new.csrf_token, new.actor.guest.meeting_id), 200)
    set_session_cookie(call.request, response, new.token)
    return response
