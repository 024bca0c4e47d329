"""Data protection: the audit log (and, later in this module, export and erasure)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
from aiohttp import web

from meetings_hub.actions import audit, erasure, export
from meetings_hub.actions.export import ExportInput, ExportOut
from meetings_hub.api.routing import ApiRoutes, Call
from meetings_hub.errors import BadRequest
from meetings_hub.storage.audit import AuditFilter

routes = ApiRoutes()


class AuditEntry(msgspec.Struct):
    id: int
    at: str
    actor_id: int | None
    actor_name: str | None
    action: str
    target: str
    detail: str
    client: str


def _day(raw: str, name: str, zone: str) -> datetime | None:
    """A calendar day of the query (YYYY-MM-DD) as the instant it starts in ``zone``."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a date YYYY-MM-DD.", details={name: raw[:40]}) from None
    return datetime.combine(day, time(), ZoneInfo(zone))


def audit_filter(query: web.BaseRequest, zone: str, actor_id: int | None) -> AuditFilter:
    """The filters the page and the API share: actor, action (prefix with a trailing dot),
    target prefix, and the days from and to (both included, in the programme's zone)."""
    until = _day(query.query.get("until", ""), "until", zone)
    action = query.query.get("action", "")[:80]
    target = query.query.get("target", "")[:120]
    return AuditFilter(
        actor_id=actor_id,
        action=action,
        target=target,
        since=_day(query.query.get("since", ""), "since", zone),
        until=until + timedelta(days=1) if until else None,
    )


def _filter_of(call: Call) -> AuditFilter:
    return audit_filter(call.request, call.hub.settings.timezone, call.query_int("actor_id", low=1))


@routes.route(
    "GET",
    "/audit",
    summary="The audit log of administrative actions, newest first (coordinator)",
    response=list[AuditEntry],
    tag="privacy",
    errors=(400,),
)
async def list_audit(call: Call) -> list[dict[str, object]]:
    return await audit.search(call.hub, call.actor, _filter_of(call))


@routes.route(
    "GET",
    "/audit.csv",
    summary="The audit log as CSV, with the same filters (coordinator)",
    response=str,
    tag="privacy",
    media_type="text/csv",
    errors=(400,),
)
async def audit_csv(call: Call) -> web.StreamResponse:
    text = await audit.export_csv(call.hub, call.actor, _filter_of(call))
    return web.Response(
        text=text,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


@routes.route(
    "POST",
    "/exports",
    summary="Prepare a ZIP of my data (or, for a coordinator, anyone's); built in the background",
    body=ExportInput,
    response=ExportOut,
    status=201,
    tag="privacy",
    errors=(404,),
)
async def request_export(call: Call) -> ExportOut:
    return await export.request_export(call.hub, call.actor, call.body)


@routes.route(
    "GET",
    "/exports",
    summary="The exports I asked for or that are about me, newest first",
    response=list[ExportOut],
    tag="privacy",
)
async def list_exports(call: Call) -> list[ExportOut]:
    return await export.my_exports(call.hub, call.actor)


@routes.route(
    "GET",
    "/exports/{export_id}",
    summary="One export's state and progress",
    response=ExportOut,
    tag="privacy",
)
async def get_export(call: Call) -> ExportOut:
    return await export.get_export(call.hub, call.actor, call.int_param("export_id"))


@routes.route(
    "GET",
    "/exports/{export_id}/download",
    summary="Download a prepared export (ZIP) until its link expires",
    response=bytes,
    tag="privacy",
    media_type="application/zip",
    errors=(409,),
)
async def download_export(call: Call) -> web.StreamResponse:
    path, name = await export.open_download(call.hub, call.actor, call.int_param("export_id"))
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "application/zip",
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@routes.route(
    "POST",
    "/people/{person_id}/erase",
    summary="Erase a person: the account is anonymised (coordinator; idempotent)",
    response=erasure.Erased,
    tag="privacy",
    errors=(409,),
)
async def erase_person(call: Call) -> erasure.Erased:
    return await erasure.erase_person(call.hub, call.actor, call.int_param("person_id"))


@routes.route(
    "POST",
    "/guests/{guest_id}/erase",
    summary="Erase a guest: name, address and link go, the category stays (coordinator)",
    response=erasure.Erased,
    tag="privacy",
)
async def erase_guest(call: Call) -> erasure.Erased:
    return await erasure.erase_guest(call.hub, call.actor, call.int_param("guest_id"))


@routes.route(
    "POST",
    "/erasure-requests",
    summary="Ask for my own account to be erased (a coordinator confirms)",
    response=erasure.ErasureRequestOut,
    status=201,
    tag="privacy",
)
async def request_erasure(call: Call) -> erasure.ErasureRequestOut:
    return await erasure.request_own_erasure(call.hub, call.actor)


@routes.route(
    "GET",
    "/erasure-requests",
    summary="Erasure requests waiting for a decision (coordinator)",
    response=list[erasure.ErasureRequestOut],
    tag="privacy",
)
async def list_erasure_requests(call: Call) -> list[erasure.ErasureRequestOut]:
    return await erasure.pending_requests(call.hub, call.actor)


@routes.route(
    "POST",
    "/erasure-requests/{request_id}/decline",
    summary="Decline an erasure request (coordinator)",
    tag="privacy",
    errors=(409,),
)
async def decline_erasure(call: Call) -> None:
    await erasure.decline_request(call.hub, call.actor, call.int_param("request_id"))
