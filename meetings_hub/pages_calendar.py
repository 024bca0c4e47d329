"""The calendar page: my meetings by month or as a list, subscribe box, .ics import form."""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from meetings_hub.actions import calendar_view, feeds, ics_import
from meetings_hub.keys import hub_key
from meetings_hub.pages import require_person

VIEWS = ("month", "list")


@dataclass(frozen=True)
class Day:
    day: date
    in_month: bool
    is_today: bool
    items: tuple[calendar_view.CalendarItem, ...]


def _month_of(raw: str | None, today: date) -> date:
    """The first day of ?month=YYYY-MM; this month when missing or malformed."""
    if raw:
        try:
            year, month = (int(part) for part in raw.split("-", 1))
            if 1900 <= year <= 2200 and 1 <= month <= 12:
                return date(year, month, 1)
        except ValueError:
            pass
    return today.replace(day=1)


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _weeks(first: date, today: date, items: list[calendar_view.CalendarItem]) -> list[list[Day]]:
    by_day: dict[date, list[calendar_view.CalendarItem]] = {}
    for item in items:
        by_day.setdefault(item.start.date(), []).append(item)
    grid = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return [
        [
            Day(day, day.month == first.month, day == today, tuple(by_day.get(day, ())))
            for day in week
        ]
        for week in grid
    ]


def show_key(scope: str, scope_id: int | None) -> str:
    """The ?show= value of a feed's meetings: the page and the subscribe box show the same."""
    return scope if scope_id is None else f"{scope}:{scope_id}"


def _by_day(
    items: list[calendar_view.CalendarItem],
) -> list[tuple[date, list[calendar_view.CalendarItem]]]:
    days: dict[date, list[calendar_view.CalendarItem]] = {}
    for item in items:
        days.setdefault(item.start.date(), []).append(item)
    return list(days.items())


@aiohttp_jinja2.template("calendar.html")
async def calendar_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
    assert actor.person is not None
    hub = request.app[hub_key]
    zone_name = actor.person.timezone
    zone = ZoneInfo(zone_name)
    today = datetime.now(zone).date()
    view = request.query.get("view", "month")
    if view not in VIEWS:
        view = "month"
    first = _month_of(request.query.get("month"), today)
    following = _shift(first, 1)
    # The grid shows the days of the neighbouring months that fill its first and last week.
    grid_start = first - timedelta(days=first.weekday())
    grid_end = following + timedelta(days=(7 - following.weekday()) % 7)
    start = datetime.combine(grid_start, time(0), tzinfo=zone)
    end = datetime.combine(grid_end, time(0), tzinfo=zone)
    feed_list = await feeds.my_feeds(hub, actor)
    shows = [(show_key(feed.scope.value, feed.scope_id), feed.name) for feed in feed_list]
    show = request.query.get("show", "person")
    if show not in dict(shows):
        show = "person"
    items = await calendar_view.calendar_items(hub, actor, start, end, show=show)
    in_month = [item for item in items if item.start.date().replace(day=1) == first]
    return {
        "view": view,
        "month": first,
        "month_param": first.strftime("%Y-%m"),
        "prev_param": _shift(first, -1).strftime("%Y-%m"),
        "next_param": following.strftime("%Y-%m"),
        "this_month_param": today.strftime("%Y-%m"),
        "today": today,
        "zone": zone_name,
        "weeks": _weeks(first, today, items),
        "items": in_month,
        "list_days": _by_day(in_month),
        "feeds": feed_list,
        "shows": shows,
        "show": show,
        "import_networks": await ics_import.networks_for_import(hub, actor),
    }


def install(app: web.Application) -> None:
    app.router.add_get("/calendar", calendar_page)
