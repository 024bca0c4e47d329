"""What the occurrences of an Event should be, computed with zoneinfo alone."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

from calendars.model import WEEKDAYS, Event, Recurrence


@dataclass(frozen=True, order=True)
class Occurrence:
    uid: str
    start_utc: str
    end_utc: str
    summary: str
    status: str


def iso_utc(moment: datetime | date) -> str:
    """An instant in UTC; an all-day (VALUE=DATE) start or end is its date."""
    if not isinstance(moment, datetime):
        return moment.isoformat()
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dates(rule: Recurrence, first: date) -> list[date]:
    limit = 2000
    found: list[date] = []
    if rule.freq == "WEEKLY":
        monday = first - timedelta(days=first.weekday())
        days = {WEEKDAYS.index(day) for day in rule.by_weekday} or {first.weekday()}
        day = first
        while len(found) < limit and day.year < 2100:
            week = (day - monday).days // 7
            if week % rule.interval == 0 and day.weekday() in days:
                found.append(day)
            day += timedelta(days=1)
        return found
    month_index = first.year * 12 + first.month - 1
    while len(found) < limit and month_index // 12 < 2100:
        year, month = divmod(month_index, 12)
        month += 1
        if rule.by_set_weekday is None:
            if first.day <= calendar.monthrange(year, month)[1]:
                found.append(date(year, month, first.day))
        else:
            nth, weekday = rule.by_set_weekday
            first_of_month = date(year, month, 1)
            shift = (WEEKDAYS.index(weekday) - first_of_month.weekday()) % 7
            found.append(first_of_month + timedelta(days=shift + 7 * (nth - 1)))
        month_index += rule.interval
    return [day for day in found if day >= first]


def local_starts(event: Event) -> list[datetime]:
    """The series' starts as wall-clock times in event.tzid (the rule the meeting promises)."""
    zone = ZoneInfo(event.tzid)
    start = event.start.astimezone(zone)
    if event.recurrence is None:
        return [start]
    rule = event.recurrence
    starts = [
        datetime.combine(day, start.time(), tzinfo=zone) for day in _dates(rule, start.date())
    ]
    if rule.until is not None:
        starts = [moment for moment in starts if moment <= rule.until]
    if rule.count is not None:
        starts = starts[: rule.count]
    return starts


def _shown(event: Event, moment: datetime) -> str:
    return (
        moment.astimezone(ZoneInfo(event.tzid)).date().isoformat()
        if event.all_day
        else iso_utc(moment)
    )


def occurrences(event: Event, summary: str) -> list[Occurrence]:
    duration = event.end - event.start
    excluded = {moment.astimezone(UTC) for moment in event.exdates}
    overrides = {item.recurrence_id.astimezone(UTC): item for item in event.overrides}  # type: ignore[union-attr]
    found = []
    for start in local_starts(event):
        key = start.astimezone(UTC)
        if key in excluded:
            continue
        item = overrides.get(key)
        if item is not None:
            found.append(
                Occurrence(
                    event.uid, _shown(item, item.start), _shown(item, item.end), "", item.status
                )
            )
        else:
            end = start + duration
            if event.all_day:  # whole days, whatever a DST change does to the hours
                zone = ZoneInfo(event.tzid)
                days = event.end.astimezone(zone).date() - event.start.astimezone(zone).date()
                end = datetime.combine(start.date() + days, start.time(), tzinfo=zone)
            found.append(
                Occurrence(event.uid, _shown(event, start), _shown(event, end), "", event.status)
            )
    return found


def python_side(ics: bytes, start: datetime, end: datetime) -> list[Occurrence]:
    """Occurrences as recurring-ical-events (with icalendar's VTIMEZONE handling) sees them."""
    found = []
    for vevent in recurring_ical_events.of(Calendar.from_ical(ics)).between(start, end):
        found.append(
            Occurrence(
                str(vevent["UID"]),
                iso_utc(vevent["DTSTART"].dt),
                iso_utc(vevent["DTEND"].dt),
                "",
                str(vevent.get("STATUS", "")),
            )
        )
    return sorted(found)


def ical_js_side(rows: list[dict[str, str]]) -> list[Occurrence]:
    return sorted(
        Occurrence(row["uid"], row["start_utc"], row["end_utc"], "", row["status"] or "")
        for row in rows
    )
