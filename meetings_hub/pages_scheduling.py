"""Scheduling pages: my meetings, the schedule and edit forms, the meeting page, and the
confirmation page of an emailed answer link. Reads go through actions; writes through the API.
Also starts the reminder scheduler with the app."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from meetings_hub.actions import attendance, feeds, meeting_view, occurrences, rsvp
from meetings_hub.actions.access import scope_of
from meetings_hub.actions.reminders import ReminderScheduler
from meetings_hub.actions.validate import parse_int
from meetings_hub.actions.when import range_text, rule_text
from meetings_hub.domain import Actor, GuestCategory
from meetings_hub.errors import Forbidden, NotFound
from meetings_hub.hub import Hub
from meetings_hub.keys import hub_key
from meetings_hub.pages import language_of, page_id, require_person, require_signed_in
from meetings_hub.pages_savings import meeting_card
from meetings_hub.scheduling.recurrence import WEEKDAYS, Rule
from meetings_hub.storage.timefmt import now_utc

reminders_key: web.AppKey[ReminderScheduler] = web.AppKey("reminders")


def _zone_of(actor: Actor, fallback: str) -> str:
    return actor.person.timezone if actor.person else fallback


def _helpers(request: web.Request, tz: str) -> dict[str, Any]:
    hub = request.app[hub_key]
    lang = language_of(request)

    def when(start: datetime, end: datetime, zone: str | None = None) -> str:
        return range_text(hub, lang, start, end, zone or tz)

    def local(moment: datetime, fmt: str = "%Y-%m-%dT%H:%M", zone: str | None = None) -> str:
        return moment.astimezone(ZoneInfo(zone or tz)).strftime(fmt)

    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    return {"when": when, "local": local, "stamp": stamp, "tz": tz}


@aiohttp_jinja2.template("meetings.html")
async def meetings_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
    hub = request.app[hub_key]
    now = now_utc()
    items = await occurrences.list_occurrences(
        hub, actor, occurrences.Target(), now - timedelta(hours=12), now + timedelta(days=120)
    )
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
    return {
        "items": items,
        "may_schedule": scope.everything or bool(scope.led_network_ids),
        **_helpers(request, _zone_of(actor, hub.settings.timezone)),
    }


def _form_context(request: web.Request, tz: str) -> dict[str, Any]:
    return {
        "weekdays": list(enumerate(WEEKDAYS)),
        "categories": list(GuestCategory),
        **_helpers(request, tz),
    }


def _prefill(request: web.Request) -> dict[str, str]:
    """A new meeting's form filled from the address (e.g. a joint plan from feedback turned
    into a meeting): title, kind and date; anything unusable is simply left out."""
    query = request.query
    found: dict[str, str] = {}
    title = query.get("title", "")
    if title and len(title) <= 200 and title.isprintable():
        found["title"] = title
    if query.get("kind") in ("online", "training", "in_person"):
        found["kind"] = query["kind"]
    raw_date = query.get("date", "")
    try:
        found["date"] = date.fromisoformat(raw_date).isoformat() if raw_date else ""
    except ValueError:
        pass
    return {k: v for k, v in found.items() if v}


@aiohttp_jinja2.template("meeting_form.html")
async def new_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
    hub = request.app[hub_key]
    network_id = parse_int(request.query.get("network_id"), low=1)
    defaults = await meeting_view.form_defaults(hub, actor, network_id)
    return {
        "mode": "new",
        "defaults": defaults,
        "meeting": None,
        "prefill": _prefill(request),
        **_form_context(request, defaults.timezone),
    }


@aiohttp_jinja2.template("meeting_form.html")
async def edit_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
    hub = request.app[hub_key]
    item = await meeting_view.view(hub, actor, page_id(request, "meeting_id"))
    if not item.may_manage:
        raise NotFound("Meeting not found.")
    defaults = await meeting_view.form_defaults(hub, actor, item.network_id)
    return {
        "mode": "edit",
        "defaults": defaults,
        "meeting": item,
        "invited_library_ids": {lib.library_id for lib in item.libraries},
        "invited_person_ids": {i.person_id for lib in item.libraries for i in lib.invitees},
        **_form_context(request, item.timezone),
    }


@aiohttp_jinja2.template("meeting_occurrence_form.html")
async def occurrence_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
    hub = request.app[hub_key]
    item = await meeting_view.view(hub, actor, page_id(request, "meeting_id"), upcoming=200)
    if not item.may_manage:
        raise NotFound("Meeting not found.")
    raw = request.match_info["original_start"]
    found = next(
        (o for o in item.upcoming if o.original_start.strftime("%Y%m%dT%H%M%SZ") == raw), None
    )
    if found is None:
        raise NotFound("No such occurrence.")
    return {"meeting": item, "occurrence": found, **_helpers(request, item.timezone)}


@aiohttp_jinja2.template("meeting.html")
async def meeting_page(request: web.Request) -> dict[str, Any]:
    actor = require_signed_in(request)
    hub = request.app[hub_key]
    item = await meeting_view.view(hub, actor, page_id(request, "meeting_id"))
    lang = language_of(request)
    rule = None
    if item.recurrence is not None:
        r = item.recurrence
        rule = rule_text(
            hub,
            lang,
            Rule(r.freq, r.interval, tuple(r.weekdays), r.nth, r.nth_weekday, r.until, r.count),  # type: ignore[arg-type]
            item.timezone,
        )
    own_library = actor.person.library_id if actor.person else None
    try:
        present = await attendance.for_meeting(hub, actor, item.id)
    except (Forbidden, NotFound):
        present = None  # only organisers, the lead library and coordinators see who attended
    return {
        "meeting": item,
        "attendance": present,
        "feeds": await feeds.my_feeds(hub, actor) if actor.person else [],
        "rule_text": rule,
        "own_library": next((lib for lib in item.libraries if lib.library_id == own_library), None),
        "answers": ("accepted", "tentative", "declined"),
        **await meeting_card(request, item),
        # Set by the form after a save: the confirmation that invitations went out.
        "just_saved": request.query.get("saved") if item.may_manage else None,
        # Everyone mailed an invitation: the invitees but the organiser, and guests by email.
        "invited_count": sum(
            1 for lib in item.libraries for i in lib.invitees if i.person_id != item.organizer_id
        )
        + sum(1 for g in item.guests if g.email),
        **_helpers(request, _zone_of(actor, item.timezone)),
    }


@aiohttp_jinja2.template("meeting_rsvp.html")
async def rsvp_page(request: web.Request) -> dict[str, Any]:
    hub = request.app[hub_key]
    token = request.match_info["token"]
    target, meeting = await rsvp.preview(hub, token)
    return {
        "token": token,
        "answer": target.answer,
        "meeting": meeting,
        **_helpers(request, meeting.timezone),
    }


def install(app: web.Application, hub: Hub) -> None:
    r = app.router
    r.add_get("/meetings", meetings_page)
    r.add_get("/meetings/new", new_page)
    r.add_get("/meetings/{meeting_id}", meeting_page)
    r.add_get("/meetings/{meeting_id}/edit", edit_page)
    r.add_get("/meetings/{meeting_id}/occurrences/{original_start}/edit", occurrence_page)
    r.add_get("/rsvp/{token}", rsvp_page)
    scheduler = ReminderScheduler(hub)
    app[reminders_key] = scheduler

    # on_startup runs after the cleanup contexts opened the database; on_shutdown before
    # they close it.
    async def start(app: web.Application) -> None:
        scheduler.start()

    async def stop(app: web.Application) -> None:
        await scheduler.stop()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
