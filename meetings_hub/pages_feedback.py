"""Feedback pages: the one-click form of a date (no sign-in needed: the signed link is the key)
and the programme report (coordinators and lead librarians), printable on A4."""

from __future__ import annotations

import functools
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from babel import Locale
from babel.numbers import format_decimal

from meetings_hub.actions import feedback, feedback_options, report, report_csv
from meetings_hub.actions.feedback_requests import FeedbackScheduler
from meetings_hub.hub import Hub
from meetings_hub.i18n import LOCALES, format_date
from meetings_hub.keys import hub_key
from meetings_hub.pages import language_of, require_person


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


def _charts(view: report.ReportView, t: Any) -> dict[str, Any]:
    """What the charts draw (the same figures as the tables beside them)."""
    outcomes = [r for r in view.shares if r.group == "outcomes"]
    people = [r for r in view.participants if r.category != "total" and r.people]
    return {
        "sessions": {
            "labels": [t(f"report.kind.{r.kind}") for r in view.sessions if r.kind != "total"],
            "values": [r.held for r in view.sessions if r.kind != "total"],
        },
        "participants": {
            "labels": [t(f"report.category.{r.category}") for r in people],
            "values": [r.people for r in people],
        },
        "outcomes": {
            "labels": [t(f"feedback.outcomes.{r.code}") for r in outcomes],
            "values": [float(r.percent) for r in outcomes],
        },
    }


@aiohttp_jinja2.template("report.html")
async def report_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
    hub = request.app[hub_key]
    lang = language_of(request)
    filters = report.filters_from_query(request.query, report.today(hub))
    view = await report.report(hub, actor, filters, lang)
    locale = Locale.parse(LOCALES.get(lang, lang))  # parsed once: Babel's lookup is slow
    tz = actor.person.timezone if actor.person else hub.settings.timezone

    def num(value: int | Decimal | float | None) -> str:
        if value is None:
            return "—"
        return format_decimal(value, locale=locale)

    # A year's report repeats the same few dozen days in hundreds of rows; Babel takes ~0.35 ms
    # a date, so each distinct day is written once.
    @functools.cache
    def day(value: date | datetime | None) -> str:
        return format_date(value, lang, tz)

    def t(key: str, **values: object) -> str:
        return hub.t(lang, key, **values)

    query = {k: v for k, v in request.query.items() if k in report.QUERY_KEYS and v}
    return {
        "view": view,
        "filters": filters,
        "num": num,
        "date": day,
        "charts": _charts(view, t),
        "tables": report_csv.TABLES,
        "query": query,
        "active_after": view.sustainability.active_after,
    }


def install(app: web.Application, hub: Hub) -> None:
    app.router.add_get("/feedback/{token}", feedback_page)
    app.router.add_get("/report", report_page)
    scheduler = FeedbackScheduler(hub)

    async def start(app: web.Application) -> None:
        scheduler.start()

    async def stop(app: web.Application) -> None:
        await scheduler.stop()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
