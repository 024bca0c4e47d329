"""Recurrence rules and their occurrences, expanded with python-dateutil in the meeting's zone.

The rule runs over local wall-clock times (naive datetimes in the meeting's zone), so a weekly
10:00 session stays at 10:00 across the March and October DST changes; each local time is then
attached to the zone (``fold=0``: the first of a repeated hour) and turned into UTC.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil import rrule

WEEKDAYS: tuple[str, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_RRULE_DAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)

Freq = Literal["WEEKLY", "MONTHLY"]
ChangeKind = Literal["override", "exception"]

# A series may run for at most two years from its first occurrence.
MAX_SPAN = timedelta(days=731)


class RuleError(ValueError):
    """A rule that cannot be saved; ``field`` names the form field to show it at."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Rule:
    """Every ``interval`` weeks on ``weekdays``, or monthly (on the ``nth`` ``nth_weekday``,
    e.g. 2 and "TU" for the second Tuesday, or on the start's day of the month), until an
    instant (inclusive) or for ``count`` occurrences."""

    freq: Freq
    interval: int = 1
    weekdays: tuple[str, ...] = ()
    nth: int | None = None
    nth_weekday: str | None = None
    until: datetime | None = None
    count: int | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One occurrence changed on its own: moved or edited (override) or deleted (exception)."""

    original_start: datetime
    kind: ChangeKind
    start: datetime | None = None
    end: datetime | None = None
    title: str | None = None
    agenda: str | None = None
    address: str | None = None
    sequence: int = 0


@dataclass(frozen=True, slots=True)
class Occurrence:
    original_start: datetime  # UTC; the RECURRENCE-ID of an occurrence of a series
    start: datetime  # UTC
    end: datetime  # UTC
    overridden: bool = False
    title: str | None = None
    agenda: str | None = None
    address: str | None = None


def check_rule(rule: Rule, start: datetime, tz: str) -> None:
    """Raises RuleError for a rule we would not publish; ``start`` must be one of its days."""
    if rule.freq not in ("WEEKLY", "MONTHLY"):
        raise RuleError("recurrence.freq", "Repeat weekly or monthly.")
    if not 1 <= rule.interval <= 52:
        raise RuleError("recurrence.interval", "Repeat every 1 to 52 weeks.")
    if rule.until is not None and rule.count is not None:
        raise RuleError("recurrence.until", "Give an end date or a number of meetings, not both.")
    if rule.until is None and rule.count is None:
        raise RuleError("recurrence.until", "Give an end date or a number of meetings.")
    if rule.count is not None and not 1 <= rule.count <= 200:
        raise RuleError("recurrence.count", "Between 1 and 200 meetings.")
    local = start.astimezone(ZoneInfo(tz))
    day = WEEKDAYS[local.weekday()]
    if rule.freq == "WEEKLY":
        if not rule.weekdays or any(d not in WEEKDAYS for d in rule.weekdays):
            raise RuleError("recurrence.weekdays", "Choose at least one weekday.")
        if day not in rule.weekdays:
            raise RuleError("recurrence.weekdays", "The first meeting must fall on a chosen day.")
    else:
        if rule.interval != 1:
            raise RuleError("recurrence.interval", "Monthly meetings repeat every month.")
        if rule.weekdays:
            raise RuleError("recurrence.weekdays", "Monthly meetings take no weekday list.")
        if (rule.nth is None) != (rule.nth_weekday is None):
            raise RuleError("recurrence.nth", "Give both the week of the month and the day.")
        if rule.nth is not None:
            if rule.nth not in (1, 2, 3, 4) or rule.nth_weekday not in WEEKDAYS:
                raise RuleError("recurrence.nth", "Choose the 1st to 4th weekday of the month.")
            if (rule.nth, rule.nth_weekday) != ((local.day - 1) // 7 + 1, day):
                raise RuleError("recurrence.nth", "The first meeting must fall on that day.")
    if rule.until is not None and rule.until < start:
        raise RuleError("recurrence.until", "The end date is before the first meeting.")
    last = last_start(rule, start, tz)
    if last - start > MAX_SPAN:
        raise RuleError("recurrence.until", "A series can run for at most two years.")


def _rrule(rule: Rule, start: datetime, tz: str) -> rrule.rrule:
    zone = ZoneInfo(tz)
    dtstart = start.astimezone(zone).replace(tzinfo=None)
    until = None
    if rule.until is not None:
        # A day of slack: the exact bound is applied in UTC by the caller.
        until = rule.until.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    else:
        # Keeps "count" series finite even before count stops them.
        until = dtstart + MAX_SPAN + timedelta(days=1)
    kwargs: dict[str, object] = {"dtstart": dtstart, "interval": rule.interval, "until": until}
    if rule.count is not None:
        kwargs["count"] = rule.count
        del kwargs["until"]
    if rule.freq == "WEEKLY":
        days = [_RRULE_DAYS[WEEKDAYS.index(d)] for d in rule.weekdays]
        # wkst=MO as in RFC 5545's default, so "every 2 weeks" counts weeks the way clients do.
        return rrule.rrule(rrule.WEEKLY, byweekday=days, wkst=rrule.MO, **kwargs)  # type: ignore[arg-type]
    if rule.nth is not None and rule.nth_weekday is not None:
        day = _RRULE_DAYS[WEEKDAYS.index(rule.nth_weekday)](rule.nth)
        return rrule.rrule(rrule.MONTHLY, byweekday=day, **kwargs)  # type: ignore[arg-type]
    return rrule.rrule(rrule.MONTHLY, **kwargs)  # type: ignore[arg-type]


def rule_starts(rule: Rule, start: datetime, tz: str) -> Iterator[datetime]:
    """Every start the rule gives (UTC), in order, the first being ``start`` itself."""
    zone = ZoneInfo(tz)
    for local in _rrule(rule, start, tz):
        moment = local.replace(tzinfo=zone).astimezone(UTC)
        if rule.until is not None and moment > rule.until:
            return
        yield moment


def last_start(rule: Rule, start: datetime, tz: str) -> datetime:
    last = start
    for moment in rule_starts(rule, start, tz):
        last = moment
        if moment - start > MAX_SPAN:
            break
    return last


def expand(
    start: datetime,
    end: datetime,
    tz: str,
    rule: Rule | None,
    changes: Sequence[Change] = (),
    *,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> list[Occurrence]:
    """The occurrences that overlap [window_start, window_end), with changes applied, by start."""
    duration = end - start
    by_original = {c.original_start: c for c in changes}
    found: list[Occurrence] = []
    starts = rule_starts(rule, start, tz) if rule is not None else iter([start.astimezone(UTC)])
    for original in starts:
        change = by_original.get(original)
        if change is not None and change.kind == "exception":
            continue
        if change is not None and change.start is not None and change.end is not None:
            occurrence = Occurrence(
                original,
                change.start,
                change.end,
                True,
                change.title,
                change.agenda,
                change.address,
            )
        else:
            occurrence = Occurrence(original, original, original + duration)
        found.append(occurrence)
    return sorted(
        (
            o
            for o in found
            if (window_end is None or o.start < window_end)
            and (window_start is None or o.end > window_start)
        ),
        key=lambda o: (o.start, o.original_start),
    )


def span(
    start: datetime, end: datetime, tz: str, rule: Rule | None, changes: Sequence[Change] = ()
) -> tuple[datetime, datetime]:
    """The first start and the last end over all occurrences (whole-series bounds)."""
    occurrences = expand(start, end, tz, rule, changes)
    if not occurrences:
        return start, end
    return min(o.start for o in occurrences), max(o.end for o in occurrences)


def is_occurrence(rule: Rule | None, start: datetime, tz: str, original: datetime) -> bool:
    if rule is None:
        return original == start.astimezone(UTC)
    for moment in rule_starts(rule, start, tz):
        if moment == original:
            return True
        if moment > original:
            return False
    return False
