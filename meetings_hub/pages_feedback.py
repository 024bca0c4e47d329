"""Feedback pages: the one-click form of a date (no sign-in needed: the signed link is the key)."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from meetings_hub.actions import feedback, feedback_options
from meetings_hub.actions.feedback_requests import FeedbackScheduler
from meetings_hub.hub import Hub
from meetings_hub.keys import hub_key


@aiohttp_jinja2.template("feedback_form.html")
async def feedback_page(request: web.Request) -> dict[str, Any]:
    hub = request.app[hub_key]
    token = request.match_info["token"]
    view = await feedback.form(hub, token)
    answer = view.answer or feedback.FeedbackInput()
    return {
        "token": token,
        "view": view,
        "answer": answer,
        "plans": {p.kind: p for p in answer.plans},
        "options": feedback_options,
    }


def install(app: web.Application, hub: Hub) -> None:
    app.router.add_get("/feedback/{token}", feedback_page)
    scheduler = FeedbackScheduler(hub)

    async def start(app: web.Application) -> None:
        scheduler.start()

    async def stop(app: web.Application) -> None:
        await scheduler.stop()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
