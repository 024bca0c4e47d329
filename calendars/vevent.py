"""Turn an ``Event`` into VEVENT components (the series, then one per override)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from calendars.model import WEEKDAYS, Event, Recurrence

# Subscribers are Polish libraries and this package cannot reach the app's translation
# table, so the few words we add to users' calendars are fixed here.
CANCELLED_PREFIX = "ODWOŁANE: "
JOIN_LABEL = "Dołącz do spotkania"
PAGE_LABEL = "Strona spotkania"


_SURROGATE = re.compile("[\ud800-\udfff]")


def _local(moment: datetime, tzid: str) -> datetime:
    return moment.astimezone(ZoneInfo(tzid))


def _when(event: Event, moment: datetime) -> datetime | date:
    """A date for an all-day event (VALUE=DATE: no time, no zone), else local time."""
    local = _local(moment, event.tzid)
    return local.date() if event.all_day else local


def text(value: str) -> str:
    """Text a file can hold: a lone surrogate (valid in JSON, stored by old versions) would
    make the whole calendar fail to encode as UTF-8."""
    return _SURROGATE.sub("\ufffd", value)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def summary(event: Event) -> str:
    # Google Calendar shows a cancelled event like any other, so the title has to say it.
    if event.cancelled and not event.title.startswith(CANCELLED_PREFIX):
        return CANCELLED_PREFIX + event.title
    return event.title


def description(event: Event) -> str:
    lines = [event.description] if event.description else []
    if event.conference_url:
        lines.append(f"{JOIN_LABEL}: {event.conference_url}")
        if event.url and event.url != event.conference_url:
            lines.append(f"{PAGE_LABEL}: {event.url}")
    return "\n\n".join(lines)


def rrule(recurrence: Recurrence, start: datetime, *, all_day: bool = False) -> dict[str, object]:
    rule: dict[str, object] = {"freq": recurrence.freq}
    if recurrence.interval > 1:
        rule["interval"] = recurrence.interval
    if recurrence.freq == "WEEKLY":
        # Spelled out even when it is just the start's weekday: Outlook expects BYDAY.
        rule["byday"] = list(recurrence.by_weekday) or [WEEKDAYS[start.weekday()]]
    elif recurrence.by_set_weekday is not None:
        nth, day = recurrence.by_set_weekday
        # BYDAY=2TU rather than BYDAY=TU;BYSETPOS=2: the form every client supports.
        rule["byday"] = f"{nth}{day}"
    if recurrence.until is not None:
        # RFC 5545: with a TZID'd DTSTART, UNTIL must be in UTC; with a date DTSTART, a date.
        rule["until"] = (
            recurrence.until.astimezone(start.tzinfo).date() if all_day else _utc(recurrence.until)
        )
    if recurrence.count is not None:
        rule["count"] = recurrence.count
    return rule


def _component(event: Event, *, with_people: bool) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", _utc(event.stamp or event.last_modified))
    vevent.add("created", _utc(event.created))
    vevent.add("last-modified", _utc(event.last_modified))
    vevent.add("sequence", event.sequence)
    vevent.add("dtstart", _when(event, event.start))
    vevent.add("dtend", _when(event, event.end))
    if event.recurrence_id is not None:
        vevent.add("recurrence-id", _when(event, event.recurrence_id))
    if event.recurrence is not None:
        local_start = _local(event.start, event.tzid)
        vevent.add("rrule", rrule(event.recurrence, local_start, all_day=event.all_day))
    # One EXDATE line per date: the multi-value form is where clients disagree most.
    for exdate in sorted(event.exdates):
        vevent.add("exdate", _when(event, exdate))
    vevent.add("summary", text(summary(event)))
    details = description(event)
    if details:
        vevent.add("description", text(details))
    location = event.location or event.conference_url
    if location:
        vevent.add("location", text(location))
    url = event.conference_url or event.url
    if url:
        vevent.add("url", url)
    if event.conference_url:
        vevent.add(
            "conference",
            event.conference_url,
            parameters={"VALUE": "URI", "FEATURE": ["CHAT"], "LABEL": JOIN_LABEL},
        )
    if event.categories:
        vevent.add("categories", list(event.categories))
    vevent.add("status", event.status)
    # A cancelled meeting must not keep the slot busy in free/busy lookups, nor an event its
    # source marked free (an all-day note such as a holiday).
    vevent.add("transp", "TRANSPARENT" if event.cancelled or event.transparent else "OPAQUE")
    if with_people:
        _add_people(vevent, event)
    return vevent


def _add_people(vevent: icalendar.Event, event: Event) -> None:
    if event.organizer is not None:
        vevent.add(
            "organizer",
            f"mailto:{event.organizer.email}",
            parameters={"CN": text(event.organizer.name)},
        )
    for attendee in event.attendees:
        vevent.add(
            "attendee",
            f"mailto:{attendee.email}",
            parameters={
                "CN": text(attendee.name),
                "CUTYPE": "INDIVIDUAL",
                "ROLE": attendee.role,
                "PARTSTAT": attendee.partstat,
                "RSVP": "TRUE" if attendee.rsvp else "FALSE",
            },
        )


def vevents(event: Event, *, with_people: bool) -> list[icalendar.Event]:
    """The series' VEVENT followed by one VEVENT per override, in RECURRENCE-ID order."""
    overrides = sorted(event.overrides, key=lambda item: _utc(item.recurrence_id))  # type: ignore[arg-type]
    return [_component(item, with_people=with_people) for item in (event, *overrides)]


def moments(event: Event) -> list[datetime]:
    """Every instant the event's VTIMEZONE has to cover, including a COUNT series' end."""
    found = [event.start, event.end, *event.exdates]
    if event.recurrence_id is not None:
        found.append(event.recurrence_id)
    recurrence = event.recurrence
    if recurrence is not None:
        if recurrence.until is not None:
            found.append(recurrence.until)
        elif recurrence.count is not None:
            per_period = max(1, len(recurrence.by_weekday))
            periods = -(-recurrence.count // per_period) * recurrence.interval
            span = (
                timedelta(weeks=periods)
                if recurrence.freq == "WEEKLY"
                else timedelta(days=31 * periods)
            )
            found.append(event.end + span)
    for override in event.overrides:
        found.extend(moments(override))
    return found
