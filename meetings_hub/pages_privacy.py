"""Data protection pages: the coordinator's audit log (and the privacy notice, export, erasure)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from meetings_hub.actions import audit, erasure, export, retention
from meetings_hub.actions.export import ExportBuilder
from meetings_hub.actions.retention import RetentionRunner
from meetings_hub.actions.validate import parse_int
from meetings_hub.api.privacy import audit_filter
from meetings_hub.domain import Role
from meetings_hub.errors import BadRequest
from meetings_hub.keys import hub_key
from meetings_hub.pages import require_person

FILTER_KEYS = ("actor_id", "action", "target", "since", "until")


@aiohttp_jinja2.template("audit.html")
async def audit_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
    hub = request.app[hub_key]
    raw_actor = request.query.get("actor_id", "")
    actor_id = parse_int(raw_actor, low=1) if raw_actor else None
    if raw_actor and actor_id is None:
        raise BadRequest("actor_id must be a whole number in range.")
    wanted = audit_filter(request, hub.settings.timezone, actor_id)
    entries = await audit.search(hub, actor, wanted)
    chosen = {k: request.query.get(k, "") for k in FILTER_KEYS}
    return {
        "entries": entries,
        "actions": await audit.known_actions(hub, actor),
        "chosen": chosen,
        "csv_url": "/api/v1/audit.csv?" + urlencode({k: v for k, v in chosen.items() if v}),
        "limit": audit.PAGE_LIMIT,
        "retention_days": hub.settings.audit_retention_days,
    }


@aiohttp_jinja2.template("privacy.html")
async def privacy_page(request: web.Request) -> dict[str, Any]:
    """The privacy notice: open to everyone, guests and visitors included."""
    return {"retention": retention.periods(request.app[hub_key].settings)}


retention_key: web.AppKey[RetentionRunner] = web.AppKey("retention")
exports_key: web.AppKey[ExportBuilder] = web.AppKey("exports")


@aiohttp_jinja2.template("profile_data.html")
async def data_page(request: web.Request) -> dict[str, Any]:
    """My data: prepare an export (progress, download) — and a coordinator's for anyone."""
    actor = require_person(request)
    hub = request.app[hub_key]
    coordinator = actor.role is Role.COORDINATOR
    return {
        "exports": await export.my_exports(hub, actor),
        "link_hours": hub.settings.export_link_hours,
        "erasure_asked": await erasure.my_pending_request(hub, actor),
        "erasure_requests": await erasure.pending_requests(hub, actor) if coordinator else [],
        "erasure_messages": hub.settings.erasure_messages,
    }


def install(app: web.Application, runner: RetentionRunner, builder: ExportBuilder) -> None:
    erasure.check_settings(app[hub_key].settings)  # a wrong value stops the start
    app.router.add_get("/audit", audit_page)
    app.router.add_get("/privacy", privacy_page)
    app.router.add_get("/profile/data", data_page)
    app[retention_key] = runner
    app[exports_key] = builder

    # on_startup runs after the cleanup contexts opened the database; on_shutdown before
    # they close it.
    async def start(app: web.Application) -> None:
        runner.start()
        builder.start()

    async def stop(app: web.Application) -> None:
        await builder.stop()
        await runner.stop()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
