"""Build a VTIMEZONE from zoneinfo, written with yearly RRULEs.

Why not icalendar's ``Timezone.from_tzid`` / ``add_missing_timezones``: they list the changes
as comma-separated RDATE values, and ical.js (Thunderbird's parser, many web calendars) only
reads the first value of each RDATE property and ignores DTSTART when RDATE is present. It
then gets the offset wrong after the first DST change and shows events an hour off. One
RRULE per run of regular changes ("last Sunday of March at 02:00") is read the same way by
every client we test, and stays correct beyond the covered years.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from calendars.model import WEEKDAYS
from calendars.transitions import Transition, find_transitions


@dataclass(frozen=True)
class _Run:
    """Changes of one kind in consecutive years that one yearly RRULE describes."""

    changes: tuple[Transition, ...]
    nth: int | None  # BYDAY ordinal shared by all changes (-1 = last); None for a single change


def _ordinals(moment: datetime) -> frozenset[int]:
    """The BYDAY ordinals that pick this day: its week number, and -1 in the last week."""
    days_in_month = calendar.monthrange(moment.year, moment.month)[1]
    ordinals = {(moment.day - 1) // 7 + 1}
    if moment.day + 7 > days_in_month:
        ordinals.add(-1)
    return frozenset(ordinals)


def _kind(change: Transition) -> tuple[object, ...]:
    onset = change.local_onset
    return (
        change.is_dst,
        change.offset_from,
        change.offset_to,
        change.name,
        onset.month,
        onset.weekday(),
        onset.time(),
    )


def _runs(changes: tuple[Transition, ...]) -> list[_Run]:
    by_kind: dict[tuple[object, ...], list[Transition]] = defaultdict(list)
    for change in changes:
        by_kind[_kind(change)].append(change)
    runs: list[_Run] = []
    for same_kind in by_kind.values():
        members = [same_kind[0]]
        shared = _ordinals(same_kind[0].local_onset)
        for change in same_kind[1:]:
            common = shared & _ordinals(change.local_onset)
            if change.local_onset.year == members[-1].local_onset.year + 1 and common:
                members.append(change)
                shared = common
                continue
            runs.append(_close(members, shared))
            members, shared = [change], _ordinals(change.local_onset)
        runs.append(_close(members, shared))
    return sorted(runs, key=lambda run: run.changes[0].at)


def _close(members: list[Transition], shared: frozenset[int]) -> _Run:
    if len(members) == 1:
        return _Run(tuple(members), None)
    # "Last Sunday" is how the EU rule is written, and it stays right in months where
    # the last Sunday is the fifth one.
    return _Run(tuple(members), -1 if -1 in shared else min(shared))


def _format_offset(offset: timedelta) -> str:
    return icalendar.vUTCOffset(offset).to_ical()


def _observance(run: _Run, open_ended: bool) -> icalendar.Component:
    first = run.changes[0]
    component: icalendar.Component = (
        icalendar.TimezoneDaylight() if first.is_dst else icalendar.TimezoneStandard()
    )
    component.add("dtstart", first.local_onset)
    if run.nth is not None:
        onset = first.local_onset
        rule: dict[str, object] = {
            "freq": "YEARLY",
            "bymonth": onset.month,
            "byday": f"{run.nth}{WEEKDAYS[onset.weekday()]}",
        }
        if not open_ended:
            # RFC 5545 3.3.10: in STANDARD/DAYLIGHT the UNTIL is always in UTC.
            rule["until"] = run.changes[-1].at
        component.add("rrule", rule)
    component.add("tzname", first.name)
    component.add("tzoffsetfrom", first.offset_from)
    component.add("tzoffsetto", first.offset_to)
    return component


def _constant(tzid: str, since: datetime) -> icalendar.Component:
    """An observance for a zone that does not change in the covered span."""
    local = since.astimezone(ZoneInfo(tzid))
    component: icalendar.Component = (
        icalendar.TimezoneDaylight() if local.dst() else icalendar.TimezoneStandard()
    )
    component.add("dtstart", local.replace(tzinfo=None))
    component.add("tzname", local.tzname() or tzid)
    component.add("tzoffsetfrom", local.utcoffset())
    component.add("tzoffsetto", local.utcoffset())
    return component


def build_vtimezone(tzid: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """A VTIMEZONE for ``tzid`` that is exact from 1 January ``first_year`` to the end of
    ``last_year`` and, for zones whose current rule continues, after it too."""
    if last_year < first_year:
        raise ValueError("last_year must not be before first_year")
    # Start a year early so that the change in force on 1 January first_year is included:
    # ical.js treats any time before the first listed change as UTC.
    scan_start = datetime(first_year - 1, 1, 1, tzinfo=UTC)
    scan_end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    changes = find_transitions(tzid, scan_start, scan_end)
    timezone = icalendar.Timezone()
    timezone.add("tzid", tzid)
    if not changes or changes[0].at.year > first_year - 1:
        timezone.add_component(_constant(tzid, scan_start))
    for run in _runs(changes):
        open_ended = run.changes[-1].local_onset.year == last_year
        timezone.add_component(_observance(run, open_ended))
    return timezone
