"""Outbox, guest invitations, health, metrics and the OpenAPI document."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

import msgspec
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from meetings_hub.actions import access, guests, outbox
from meetings_hub.api.routing import ApiRoutes, Call
from meetings_hub.keys import actor_key, hub_key
from meetings_hub.storage import migrate
from meetings_hub.storage import outbox as outbox_store
from meetings_hub.storage import people as people_store

routes = ApiRoutes()


class OutboxMail(msgspec.Struct):
    id: int
    message_id: str
    kind: str
    recipient: str
    subject: str
    body_text: str
    status: str
    attempts: int
    created_at: str
    sent_at: str | None
    last_error: str


class GuestInvitationOut(msgspec.Struct):
    id: int
    meeting_id: int
    email: str
    name: str
    category: str
    expires_at: datetime
    link: str


@routes.route(
    "GET",
    "/outbox",
    summary="Outgoing mail, newest first (coordinator)",
    response=list[OutboxMail],
    tag="mail",
)
async def list_outbox(call: Call) -> list[dict[str, Any]]:
    return await outbox.list_mail(call.hub, call.actor)


@routes.route(
    "POST",
    "/meetings/{meeting_id}/guest-invitations",
    summary="Invite a guest by link",
    body=guests.GuestInvitationInput,
    response=GuestInvitationOut,
    status=201,
    tag="guests",
)
async def create_guest_invitation(call: Call) -> dict[str, object]:
    return await guests.create_invitation(
        call.hub, call.actor, call.int_param("meeting_id"), call.body
    )


@routes.route(
    "DELETE",
    "/meetings/{meeting_id}/guest-invitations/{invitation_id}",
    summary="Withdraw a guest link (the guest's sessions end)",
    tag="guests",
)
async def revoke_guest_invitation(call: Call) -> None:
    await guests.revoke_invitation(
        call.hub, call.actor, call.int_param("meeting_id"), call.int_param("invitation_id")
    )


async def healthz(request: web.Request) -> web.Response:
    hub = request.app[hub_key]
    try:
        await hub.db.fetch_one("SELECT 1")
        waiting = [m.name for m in await migrate.pending(hub.db)]
    except Exception as exc:
        return web.json_response({"status": "error", "database": str(exc)}, status=503)
    status = 200 if not waiting else 503
    return web.json_response(
        {
            "status": "ok" if not waiting else "migrations_pending",
            "database": "ok",
            "pending_migrations": waiting,
        },
        status=status,
    )


def _check_metrics_reader(request: web.Request) -> None:
    """The outbox and the number of active people are not for everyone: the bearer token, a
    coordinator, or anyone on a demo site without a token."""
    settings = request.app[hub_key].settings
    if settings.metrics_token:
        sent = request.headers.get("Authorization", "").encode()
        if hmac.compare_digest(sent, b"Bearer " + settings.metrics_token.encode()):
            return
    elif settings.demo_mode:
        return
    access.require_coordinator(request[actor_key])


async def metrics(request: web.Request) -> web.Response:
    _check_metrics_reader(request)
    hub = request.app[hub_key]
    registry = CollectorRegistry()
    outbox_gauge = Gauge(
        "meetings_hub_outbox_mail", "Mail in the outbox by status", ["status"], registry=registry
    )
    async with hub.db.read() as reader:
        for status, count in (await outbox_store.count_by_status(reader)).items():
            outbox_gauge.labels(status).set(count)
        people_gauge = Gauge("meetings_hub_people", "Active people", registry=registry)
        people_gauge.set(await people_store.count_active(reader))
    return web.Response(
        body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )
