"""Import meetings from an .ics file a user uploads. Reports problems; never raises.

Choices (see docs/calendars-format.md):
- An unsupported RRULE (anything but weekly on some weekdays, or monthly on a day or on the
  1st..4th weekday) imports the first occurrence as a single event, with a problem.
- RDATE is ignored, with a problem. EXDATE is kept.
- An override (RECURRENCE-ID) becomes an EXDATE of its series plus its own event, which
  carries ``recurrence_id``; a cancelled override is only the EXDATE.
- Cancelled events, events without DTSTART, and events that end before they start are
  skipped, with a problem.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar

from calendars.html_text import html_to_text
from calendars.model import WEEKDAYS, Recurrence

# Every Problem.code parse_ics gives; apps translate them (meetings_hub: calendar.problem.*).
PROBLEM_CODES = frozenset(
    {
        "not_utf8",
        "not_icalendar",
        "unreadable_file",
        "incomplete",
        "too_many_events",
        "unreadable",
        "unknown_timezone",
        "no_start",
        "ends_before_start",
        "unreadable_rrule",
        "several_rrules",
        "rdate",
        "unsupported_rrule",
        "cancelled",
        "unreadable_event",
        "warning",
    }
)


@dataclass(frozen=True)
class Problem:
    """One thing the user should know about the file. ``message`` is English; ``code`` and
    ``detail`` (a TZID, a rule, a count: never prose) let the app say it in the user's
    language."""

    line: int | None
    uid: str | None
    message: str
    code: str = "warning"
    detail: str = ""


@dataclass(frozen=True)
class ImportedEvent:
    uid: str
    title: str
    description: str
    location: str
    start: datetime
    end: datetime
    all_day: bool
    recurrence: Recurrence | None
    rrule_text: str
    exdates: tuple[datetime, ...]
    recurrence_id: datetime | None = None
    transparent: bool = False  # TRANSP:TRANSPARENT: shown, but the time stays free


@dataclass(frozen=True)
class ImportResult:
    events: tuple[ImportedEvent, ...]
    problems: tuple[Problem, ...]


class _Skip(Exception):
    """This event cannot be imported; the message says why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


_BEGIN_VEVENT = re.compile(rb"^BEGIN:VEVENT\s*$", re.IGNORECASE | re.MULTILINE)
_ORDINAL_DAY = re.compile(r"^([+-]?\d+)?(MO|TU|WE|TH|FR|SA|SU)$")


def _decode(data: bytes, problems: list[Problem]) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(
            Problem(
                None,
                None,
                "The file is not valid UTF-8; some characters were replaced.",
                "not_utf8",
            )
        )
        return data.decode("utf-8", errors="replace")


def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


class _EventReader:
    """Reads one VEVENT; collects problems in the shared list."""

    def __init__(
        self,
        vevent: icalendar.Component,
        line: int | None,
        default_tz: tzinfo,
        problems: list[Problem],
    ) -> None:
        self.vevent = vevent
        self.line = line
        self.default_tz = default_tz
        self.problems = problems
        self.uid = str(vevent.get("UID", "")).strip() or self._synthetic_uid()
        self.broken = {name.upper() for name, _ in vevent.errors if name}

    def _synthetic_uid(self) -> str:
        digest = hashlib.sha256(self.vevent.to_ical()).hexdigest()[:16]
        return f"import-{digest}"

    def problem(self, message: str, code: str, detail: str = "") -> None:
        problem = Problem(self.line, self.uid, message, code, detail)
        # DTSTART and DTEND usually share a bad TZID; say it once.
        if problem not in self.problems:
            self.problems.append(problem)

    def text(self, name: str) -> str:
        if name in self.broken:
            return ""
        value = self.vevent.get(name)
        if isinstance(value, list):
            value = value[0] if value else ""
        return str(value or "").strip()

    def moment(self, name: str) -> datetime | date | None:
        if name in self.broken:
            self.problem(f"{name} could not be read and was ignored.", "unreadable", name)
            return None
        prop = self.vevent.get(name)
        if prop is None:
            return None
        if isinstance(prop, list):
            prop = prop[0]
        return self.aware(prop.dt, prop.params.get("TZID"))

    def aware(self, value: datetime | date, tzid: str | None) -> datetime | date:
        if not isinstance(value, datetime):
            return value
        if value.tzinfo is not None:
            return value
        if tzid:
            zone = _zone(tzid)
            if zone is None:
                self.problem(
                    f"Unknown time zone {tzid!r}; times were read as {self.default_tz}.",
                    "unknown_timezone",
                    tzid,
                )
                zone = self.default_tz
            return value.replace(tzinfo=zone)
        # A floating time means "wherever you are": for Polish libraries, Polish time.
        return value.replace(tzinfo=self.default_tz)

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.default_tz)

    def span(self) -> tuple[datetime, datetime, bool]:
        start = self.moment("DTSTART")
        if start is None:
            raise _Skip("The event has no readable DTSTART; it was skipped.", "no_start")
        all_day = not isinstance(start, datetime)
        end = self.moment("DTEND")
        duration = None if "DURATION" in self.broken else self.vevent.get("DURATION")
        if end is None and duration is not None:
            end = start + duration.dt
        if end is None:
            # RFC 5545 3.6.1: a date lasts one day, a date-time lasts no time.
            end = start + timedelta(days=1) if all_day else start
        start_dt = self.midnight(start) if all_day else start
        end_dt = end if isinstance(end, datetime) else self.midnight(end)
        assert isinstance(start_dt, datetime)
        if end_dt < start_dt:
            raise _Skip("The event ends before it starts; it was skipped.", "ends_before_start")
        return start_dt, end_dt, all_day

    def exdates(self) -> tuple[datetime, ...]:
        if "EXDATE" in self.broken:
            self.problem("An EXDATE could not be read and was ignored.", "unreadable", "EXDATE")
            return ()
        props = self.vevent.get("EXDATE", [])
        found: list[datetime] = []
        for prop in props if isinstance(props, list) else [props]:
            for item in prop.dts:
                value = self.aware(item.dt, prop.params.get("TZID"))
                found.append(value if isinstance(value, datetime) else self.midnight(value))
        return tuple(found)

    def recurrence(self, start: datetime) -> tuple[Recurrence | None, str]:
        if "RRULE" in self.broken:
            self.problem(
                "The RRULE could not be read; imported as a single event.", "unreadable_rrule"
            )
            return None, ""
        rules = self.vevent.get("RRULE")
        if rules is None:
            return None, ""
        if isinstance(rules, list):
            self.problem("More than one RRULE; only the first was used.", "several_rrules")
            rules = rules[0]
        rrule_text = rules.to_ical().decode("utf-8", errors="replace")
        if "RDATE" in self.vevent:
            self.problem("RDATE (extra dates) is not supported and was ignored.", "rdate")
        try:
            return _recurrence(rules, start, self.default_tz), rrule_text
        except ValueError as error:
            self.problem(
                f"Unsupported repeat rule {rrule_text!r} ({error}); imported as a single event.",
                "unsupported_rrule",
                rrule_text,
            )
            return None, rrule_text


def _only(rule: icalendar.vRecur, name: str) -> object | None:
    values = rule.get(name)
    if not values:
        return None
    if len(values) != 1:
        raise ValueError(f"{name} has more than one value")
    return values[0]


def _recurrence(rule: icalendar.vRecur, start: datetime, default_tz: tzinfo) -> Recurrence:
    allowed = {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT", "WKST", "BYMONTHDAY"}
    extra = sorted(set(rule) - allowed)
    if extra:
        raise ValueError(f"{', '.join(extra)} is not supported")
    freq = _only(rule, "FREQ")
    interval = int(_only(rule, "INTERVAL") or 1)  # type: ignore[call-overload]
    days = [str(day).upper() for day in rule.get("BYDAY", [])]
    parsed = [_ORDINAL_DAY.match(day) for day in days]
    if any(match is None for match in parsed):
        raise ValueError("BYDAY is not understood")
    until = _only(rule, "UNTIL")
    if isinstance(until, datetime):
        until = until if until.tzinfo else until.replace(tzinfo=default_tz)
    elif isinstance(until, date):
        # A date UNTIL includes that whole day.
        until = datetime.combine(until, time(23, 59, 59), tzinfo=default_tz)
    count = _only(rule, "COUNT")
    common = {"interval": interval, "until": until, "count": count}
    if freq == "WEEKLY":
        if "BYMONTHDAY" in rule or any(match.group(1) for match in parsed if match):
            raise ValueError("weekly rules take plain weekdays only")
        wkst = str(_only(rule, "WKST") or "MO").upper()
        if wkst != "MO" and interval > 1 and len(days) > 1:
            raise ValueError("a week start other than Monday changes this rule")
        weekdays = tuple(sorted(set(days), key=WEEKDAYS.index)) or (WEEKDAYS[start.weekday()],)
        return Recurrence("WEEKLY", by_weekday=weekdays, **common)  # type: ignore[arg-type]
    if freq == "MONTHLY":
        monthday = _only(rule, "BYMONTHDAY")
        if monthday is not None and (days or monthday != start.day):
            raise ValueError("only the start's day of the month is supported")
        if not days:
            return Recurrence("MONTHLY", **common)  # type: ignore[arg-type]
        match = parsed[0]
        if len(days) != 1 or match is None or not match.group(1):
            raise ValueError("monthly rules need one weekday with its week, such as 2TU")
        nth = int(match.group(1))
        if nth not in (1, 2, 3, 4):
            raise ValueError("only the 1st to 4th weekday of a month is supported")
        return Recurrence("MONTHLY", by_set_weekday=(nth, match.group(2)), **common)  # type: ignore[arg-type]
    raise ValueError(f"FREQ={freq} is not supported")


def _read_event(reader: _EventReader) -> tuple[ImportedEvent | None, datetime | None]:
    """The imported event (None when skipped) and the RECURRENCE-ID it overrides."""
    recurrence_id = reader.moment("RECURRENCE-ID")
    if isinstance(recurrence_id, date) and not isinstance(recurrence_id, datetime):
        recurrence_id = reader.midnight(recurrence_id)
    if reader.text("STATUS").upper() == "CANCELLED":
        if recurrence_id is None:
            reader.problem("The event is cancelled; it was skipped.", "cancelled")
        return None, recurrence_id
    start, end, all_day = reader.span()
    recurrence, rrule_text = (None, "") if recurrence_id else reader.recurrence(start)
    event = ImportedEvent(
        uid=reader.uid,
        title=reader.text("SUMMARY"),
        # Google writes HTML here (<br>, <a href>); calendars show DESCRIPTION as plain text.
        description=html_to_text(reader.text("DESCRIPTION")),
        location=reader.text("LOCATION"),
        start=start,
        end=end,
        all_day=all_day,
        recurrence=recurrence,
        rrule_text=rrule_text,
        exdates=reader.exdates() if recurrence else (),
        recurrence_id=recurrence_id,
        transparent=reader.text("TRANSP").upper() == "TRANSPARENT",
    )
    return event, recurrence_id


def _vevent_lines(data: bytes) -> list[int]:
    return [data.count(b"\n", 0, match.start()) + 1 for match in _BEGIN_VEVENT.finditer(data)]


def _parse(data: bytes, default_tz: str, max_events: int) -> ImportResult:
    problems: list[Problem] = []
    zone = _zone(default_tz)
    if zone is None:
        raise ValueError(f"unknown default time zone {default_tz!r}")
    text = _decode(data, problems)
    if "BEGIN:VCALENDAR" not in text.upper():
        problems.append(
            Problem(
                None, None, "This is not an iCalendar file (no BEGIN:VCALENDAR).", "not_icalendar"
            )
        )
        return ImportResult((), tuple(problems))
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as error:  # icalendar raises many kinds of errors on malformed input
        problems.append(
            Problem(
                None,
                None,
                f"The file could not be read as iCalendar: {error}",
                "unreadable_file",
                str(error),
            )
        )
        return ImportResult((), tuple(problems))
    vevents = [vevent for cal in calendars for vevent in cal.walk("VEVENT")]
    if not calendars:
        problems.append(
            Problem(None, None, "The calendar is incomplete (no END:VCALENDAR).", "incomplete")
        )
    lines = _vevent_lines(data)
    if len(lines) != len(vevents):
        lines = []
    if len(vevents) > max_events:
        problems.append(
            Problem(
                None,
                None,
                f"The file has {len(vevents)} events; only the first {max_events} were read.",
                "too_many_events",
                str(max_events),
            )
        )
        vevents = vevents[:max_events]
    events: list[ImportedEvent] = []
    overridden: dict[str, list[datetime]] = {}
    for index, vevent in enumerate(vevents):
        reader = _EventReader(vevent, lines[index] if lines else None, zone, problems)
        try:
            event, recurrence_id = _read_event(reader)
        except _Skip as skip:
            reader.problem(str(skip), skip.code)
            continue
        except Exception as error:  # one odd event must not stop the others
            reader.problem(
                f"The event could not be read ({type(error).__name__}: {error}); skipped.",
                "unreadable_event",
                f"{type(error).__name__}: {error}",
            )
            continue
        if recurrence_id is not None:
            overridden.setdefault(reader.uid, []).append(recurrence_id)
        if event is not None:
            events.append(event)
    return ImportResult(tuple(_fold_overrides(events, overridden)), tuple(problems))


def _fold_overrides(
    events: list[ImportedEvent], overridden: dict[str, list[datetime]]
) -> list[ImportedEvent]:
    """Turn each override into an EXDATE of its series, so no occurrence shows up twice."""
    folded = []
    for event in events:
        extra = overridden.get(event.uid, [])
        if event.recurrence is not None and extra:
            event = replace(event, exdates=tuple(sorted({*event.exdates, *extra})))
        folded.append(event)
    return folded


def parse_ics(
    data: bytes, *, default_tz: str = "Europe/Warsaw", max_events: int = 500
) -> ImportResult:
    """Read an uploaded .ics file into events plus human-readable problems."""
    # icalendar warns about guesses it makes (such as vendor-prefixed TZIDs); those are
    # problems for the user to see, and must not become exceptions under -W error.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = _parse(data, default_tz, max_events)
        except Exception as error:  # the promise is "never raises"; this is the last net
            result = ImportResult(
                (),
                (
                    Problem(
                        None,
                        None,
                        f"The file could not be read: {error}",
                        "unreadable_file",
                        str(error),
                    ),
                ),
            )
    notes = dict.fromkeys(
        Problem(None, None, str(warning.message), "warning", str(warning.message))
        for warning in caught
    )
    return replace(result, problems=result.problems + tuple(notes))
