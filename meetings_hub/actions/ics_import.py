"""Import an uploaded .ics file as sessions of a network: preview first, then create.

``calendars.parse`` reads the file (and never raises); this module decides what each event
becomes, says so in the uploader's language, and creates the sessions through the scheduling
actions, so an imported session is invited, mailed and published like any other. Choices:

- Events that are over already are skipped: a library's exported calendar carries years of
  history, and inviting the network to the past only fills mailboxes.
- A series without an end, or longer than two years, is cut to two years; more than 200
  meetings to 200 (the scheduling limits). A series that still cannot be saved (say monthly
  every second month) becomes its first meeting, with a note.
- LOCATION that is a link makes an online session with that join link; other text makes an
  in-person event at that address.
- Each event is remembered by UID (and RECURRENCE-ID), so importing the file again skips
  what was already imported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from calendars.model import WEEKDAYS
from calendars.parse import ImportedEvent, Problem, parse_ics
from meetings_hub.actions import scheduling
from meetings_hub.actions.access import not_found_unless, require_person, scope_of
from meetings_hub.actions.validate import clean_text
from meetings_hub.domain import Actor, Network, Role
from meetings_hub.errors import AppError, Forbidden, ValidationFailed
from meetings_hub.hub import Hub
from meetings_hub.scheduling import recurrence as rules
from meetings_hub.scheduling.recurrence import Change, RuleError
from meetings_hub.storage import feeds, networks
from meetings_hub.storage import scheduling as store
from meetings_hub.storage.db import Tx
from meetings_hub.storage.timefmt import now_utc, to_db

# The scheduling limits (actions/scheduling.py, scheduling/recurrence.py).
_TITLE_MAX = 200
_AGENDA_MAX = 5000
_ADDRESS_MAX = 300
_JOIN_URL_MAX = 500
_SERIES_DAYS = 730
_COUNT_MAX = 200


class ProblemOut(msgspec.Struct):
    code: str
    message: str  # in the uploader's language
    line: int | None = None
    uid: str | None = None


class PreviewEvent(msgspec.Struct):
    uid: str
    recurrence_id: datetime | None
    title: str
    start: datetime
    end: datetime
    when: str  # the start and end as the uploader reads them
    repeats: str  # "" for a single meeting
    kind: str
    location: str
    status: str  # new, imported (before), past, invalid
    notes: list[str]


class ImportPreview(msgspec.Struct):
    network_id: int
    new: int
    events: list[PreviewEvent]
    problems: list[ProblemOut]


class CreatedMeeting(msgspec.Struct):
    meeting_id: int
    title: str
    uid: str


class ImportDone(msgspec.Struct):
    network_id: int
    created: list[CreatedMeeting]
    skipped: int
    events: list[PreviewEvent]
    problems: list[ProblemOut]


@dataclass(frozen=True)
class _Plan:
    """What one imported event becomes."""

    event: ImportedEvent
    key: tuple[str, str]
    data: scheduling.ScheduleInput
    exdates: tuple[datetime, ...]
    status: str
    notes: tuple[str, ...]


def _clean(text: str, limit: int) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    return clean_text(lines, multiline=True).strip()[:limit]


def _zone_name(moment: datetime, default: str) -> str:
    key = getattr(moment.tzinfo, "key", None)
    if key:
        try:
            ZoneInfo(key)
            return str(key)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    if moment.utcoffset() == timedelta(0) and default != "UTC":
        return "UTC"
    return default


class _Reader:
    """Translates problems and builds plans in the uploader's language and time zone."""

    def __init__(self, hub: Hub, actor: Actor) -> None:
        assert actor.person is not None
        self.hub = hub
        self.lang = actor.person.language.value
        self.zone = ZoneInfo(actor.person.timezone)

    def t(self, key: str, **values: object) -> str:
        return self.hub.t(self.lang, key, **values)

    def problem_text(self, problem: Problem) -> str:
        key = f"calendar.problem.{problem.code}"
        text = self.t(key, detail=problem.detail)
        return problem.message if text == key else text

    def note(self, code: str, detail: str = "") -> str:
        return self.t(f"calendar.problem.{code}", detail=detail)

    def when(self, start: datetime, end: datetime, all_day: bool) -> str:
        local_start, local_end = start.astimezone(self.zone), end.astimezone(self.zone)
        day = self.t(f"calendar.wd.{local_start.weekday()}")
        text = f"{day} {local_start:%d.%m.%Y}"
        if all_day:
            return f"{text}, {self.t('calendar.import.all_day')}"
        text += f", {local_start:%H:%M}–"
        if local_end.date() != local_start.date():
            text += f"{local_end:%d.%m.%Y} "
        return text + f"{local_end:%H:%M}"

    def repeats(self, data: scheduling.RecurrenceInput | None) -> str:
        if data is None:
            return ""
        if data.freq == "WEEKLY":
            days = ", ".join(self.t(f"calendar.wd.{WEEKDAYS.index(d)}") for d in data.weekdays)
            if data.interval == 1:
                text = self.t("calendar.repeat.weekly", days=days)
            else:
                text = self.t("calendar.repeat.every_weeks", interval=data.interval, days=days)
        elif data.nth is not None and data.nth_weekday is not None:
            day = self.t(f"calendar.weekday.{WEEKDAYS.index(data.nth_weekday)}")
            text = self.t("calendar.repeat.monthly_nth", nth=data.nth, day=day)
        else:
            text = self.t("calendar.repeat.monthly")
        if data.until is not None:
            return text + " " + self.t("calendar.repeat.until", date=f"{data.until:%d.%m.%Y}")
        return text + " " + self.t("calendar.repeat.count", count=data.count)


def _recurrence(
    reader: _Reader, event: ImportedEvent, tz: str, start: datetime, notes: list[str]
) -> tuple[scheduling.RecurrenceInput, rules.Rule] | None:
    rule = event.recurrence
    if rule is None:
        return None
    zone = ZoneInfo(tz)
    nth, nth_weekday = rule.by_set_weekday or (None, None)
    count = rule.count
    until: date | None = rule.until.astimezone(zone).date() if rule.until else None
    limit = (start + timedelta(days=_SERIES_DAYS)).astimezone(zone).date()
    if count is None and (until is None or until > limit):
        until = limit
        notes.append(reader.note("clipped_series", f"{limit:%d.%m.%Y}"))
    if count is not None and count > _COUNT_MAX:
        count = _COUNT_MAX
        notes.append(reader.note("clipped_count"))
    data = scheduling.RecurrenceInput(
        freq=rule.freq,
        interval=rule.interval,
        weekdays=list(rule.by_weekday),
        nth=nth,
        nth_weekday=nth_weekday,
        until=until,
        count=count,
    )
    # The rule and the check the scheduling action makes, so that the preview tells the truth.
    candidate = scheduling._rule(data, tz)
    try:
        rules.check_rule(candidate, start, tz)
    except RuleError as error:
        notes.append(reader.note("bad_series", str(error)))
        return None
    return data, candidate


def _plan(
    reader: _Reader,
    event: ImportedEvent,
    network_id: int,
    host_library_id: int | None,
    imported: set[tuple[str, str]],
    file_notes: dict[str, list[str]],
    now: datetime,
) -> _Plan:
    notes = list(file_notes.get(event.uid, [])) if event.recurrence_id is None else []
    tz = _zone_name(event.start, reader.hub.settings.timezone)
    start = event.start.astimezone(ZoneInfo(tz))
    end = event.end.astimezone(ZoneInfo(tz))
    title = clean_text(_clean(event.title, 10_000)) or reader.t("calendar.import.untitled")
    if len(title) > _TITLE_MAX:
        title = title[:_TITLE_MAX].rstrip()
        notes.append(reader.note("title_shortened"))
    location = clean_text(_clean(event.location, 10_000))
    is_link = location.startswith(("http://", "https://")) and " " not in location
    kind = "online" if is_link or not location else "in_person"
    repeat = _recurrence(reader, event, tz, start, notes)
    last_end = end
    if repeat is not None:
        last_end = rules.last_start(repeat[1], start, tz) + (end - start)
    if end <= start:  # a zero-length event (RFC 5545 allows it); sessions need a length
        end = start + timedelta(minutes=90)
    data = scheduling.ScheduleInput(
        title=title,
        start=start,
        end=end,
        agenda=_clean(event.description, _AGENDA_MAX),
        kind=kind,  # type: ignore[arg-type]
        timezone=tz,
        address="" if kind == "online" else location[:_ADDRESS_MAX],
        network_id=network_id,
        host_library_id=host_library_id,
        recurrence=repeat[0] if repeat else None,
        join_url=location[:_JOIN_URL_MAX] if is_link else "",
    )
    key = (event.uid, to_db(event.recurrence_id) if event.recurrence_id else "")
    if end - start > scheduling.MAX_DURATION:
        status = "invalid"
        notes.append(reader.note("too_long"))
    elif key in imported:
        status = "imported"
    elif last_end <= now:
        status = "past"
    else:
        status = "new"
    exdates = event.exdates if repeat is not None else ()
    return _Plan(event, key, data, exdates, status, tuple(notes))


def _preview_event(reader: _Reader, plan: _Plan) -> PreviewEvent:
    data = plan.data
    assert data.end is not None
    return PreviewEvent(
        uid=plan.event.uid,
        recurrence_id=plan.event.recurrence_id,
        title=data.title,
        start=data.start.astimezone(UTC),
        end=data.end.astimezone(UTC),
        when=reader.when(data.start, data.end, plan.event.all_day),
        repeats=reader.repeats(data.recurrence),
        kind=data.kind,
        location=data.join_url or data.address,
        status=plan.status,
        notes=list(plan.notes),
    )


async def _check_network(hub: Hub, actor: Actor, network_id: int) -> Network:
    """Importing creates sessions, so it takes what scheduling takes: leading the network."""
    require_person(actor)
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        network = await networks.get(reader, network_id)
    not_found_unless(network is not None and scope.sees_network(network_id), "Network")
    assert network is not None
    if actor.role is Role.PARTNER_LIBRARIAN or not scope.manages_network(network_id):
        raise Forbidden("Only the network's lead librarian or a coordinator imports sessions.")
    return network


async def networks_for_import(hub: Hub, actor: Actor) -> list[Network]:
    """The networks the person may schedule sessions in, so may import into."""
    if actor.role is Role.PARTNER_LIBRARIAN:
        return []
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        found = await networks.list_all(reader)
    return [n for n in found if scope.manages_network(n.id)]


async def _read(
    hub: Hub, actor: Actor, network_id: int, data: bytes
) -> tuple[_Reader, list[_Plan], list[ProblemOut]]:
    network = await _check_network(hub, actor, network_id)
    reader = _Reader(hub, actor)
    if not data.strip():
        empty = Problem(None, None, "The file is empty.", "empty")
        raise _invalid(reader, [], [_problem_out(reader, empty)])
    result = parse_ics(
        data,
        default_tz=hub.settings.timezone,
        max_events=hub.settings.ics_import_max_events,
    )
    general = [_problem_out(reader, p) for p in result.problems if p.uid is None]
    per_event: dict[str, list[str]] = {}
    for problem in result.problems:
        if problem.uid is not None:
            per_event.setdefault(problem.uid, []).append(reader.problem_text(problem))
    # Problems of events that were skipped altogether have no event row to sit on.
    kept = {event.uid for event in result.events}
    general += [
        _problem_out(reader, p) for p in result.problems if p.uid is not None and p.uid not in kept
    ]
    assert actor.person is not None
    host = actor.person.library_id
    if host not in {m.library_id for m in network.members if m.active}:
        host = None
    async with hub.db.read() as db:
        imported = await feeds.imported_keys(db, network_id)
    now = now_utc()
    plans = [
        _plan(reader, event, network_id, host, imported, per_event, now) for event in result.events
    ]
    return reader, plans, general


def _problem_out(reader: _Reader, problem: Problem) -> ProblemOut:
    return ProblemOut(problem.code, reader.problem_text(problem), problem.line, problem.uid)


def _invalid(reader: _Reader, plans: list[_Plan], problems: list[ProblemOut]) -> AppError:
    if not plans and not problems:
        none = Problem(None, None, "The file holds no events (VEVENT).", "no_events")
        problems = [_problem_out(reader, none)]
    return ValidationFailed(
        reader.t("calendar.import.nothing"),
        code="ics_invalid",
        details={
            "file": reader.t("calendar.import.nothing"),
            "problems": [msgspec.to_builtins(p) for p in problems],
            "events": [msgspec.to_builtins(_preview_event(reader, p)) for p in plans],
        },
    )


async def preview(hub: Hub, actor: Actor, network_id: int, data: bytes) -> ImportPreview:
    """What importing the file would do. 422 when it holds nothing that could be imported."""
    reader, plans, problems = await _read(hub, actor, network_id, data)
    if not plans or all(plan.status == "invalid" for plan in plans):
        raise _invalid(reader, plans, problems)
    return ImportPreview(
        network_id=network_id,
        new=sum(plan.status == "new" for plan in plans),
        events=[_preview_event(reader, plan) for plan in plans],
        problems=problems,
    )


async def run(hub: Hub, actor: Actor, network_id: int, data: bytes) -> ImportDone:
    """Creates a session for every new event, each through the scheduling action (so each is
    invited and mailed). One event that scheduling refuses does not stop the others."""
    reader, plans, problems = await _read(hub, actor, network_id, data)
    if not plans or all(plan.status == "invalid" for plan in plans):
        raise _invalid(reader, plans, problems)
    assert actor.person is not None
    created: list[CreatedMeeting] = []
    done: list[_Plan] = []
    for plan in plans:
        if plan.status != "new":
            done.append(plan)
            continue
        try:
            meeting_id = await scheduling.schedule(
                hub, actor, plan.data, also=_noting_import(actor, network_id, plan)
            )
        except ValidationFailed as error:
            detail = "; ".join(f"{k}: {v}" for k, v in (error.details or {}).items())
            note = reader.note("rejected", detail or error.message)
            done.append(replace(plan, status="invalid", notes=(*plan.notes, note)))
            continue
        await _finish(hub, actor, network_id, meeting_id, plan)
        created.append(CreatedMeeting(meeting_id, plan.data.title, plan.event.uid))
        done.append(replace(plan, status="created"))
    return ImportDone(
        network_id=network_id,
        created=created,
        skipped=len(plans) - len(created),
        events=[_preview_event(reader, plan) for plan in done],
        problems=problems,
    )


def _noting_import(
    actor: Actor, network_id: int, plan: _Plan
) -> Callable[[Tx, int], Awaitable[None]]:
    """Notes, in the session's own transaction, which event of which file it came from."""
    assert actor.person is not None
    person_id = actor.person.id

    async def note(tx: Tx, meeting_id: int) -> None:
        if plan.event.all_day or plan.event.transparent:
            # Before the invitations are written (schedule() calls this first), so that the
            # mails and feeds carry whole days and a free time from the start.
            await store.set_day_marks(
                tx, meeting_id, all_day=plan.event.all_day, transparent=plan.event.transparent
            )
        await feeds.record_import(
            tx,
            network_id=network_id,
            source_uid=plan.key[0],
            source_recurrence_id=plan.key[1],
            meeting_id=meeting_id,
            person_id=person_id,
        )

    return note


async def _finish(hub: Hub, actor: Actor, network_id: int, meeting_id: int, plan: _Plan) -> None:
    """The file's deleted occurrences (the note of where the event came from is already saved
    with the session).

    Deleted occurrences still ahead go through the scheduling action, which mails a CANCEL
    for each (the invitation just sent does not know about them); past ones are only noted.
    """
    assert actor.person is not None
    now = now_utc()
    future = [moment for moment in plan.exdates if moment > now]
    for moment in future:
        try:
            await scheduling.cancel_occurrence(hub, actor, meeting_id, moment)
        except ValidationFailed:
            continue  # not an occurrence of the saved rule (e.g. beyond the cut end)
    async with hub.db.write() as tx:
        meeting = await store.get(tx, meeting_id)
        assert meeting is not None
        past = [
            moment.astimezone(UTC)
            for moment in plan.exdates
            if moment <= now
            and rules.is_occurrence(meeting.rule, meeting.start, meeting.timezone, moment)
        ]
        for moment in past:
            await store.save_change(tx, meeting_id, Change(moment, "exception"))
        if past:
            meeting = await store.get(tx, meeting_id)
            assert meeting is not None
            first, last = rules.span(
                meeting.start, meeting.end, meeting.timezone, meeting.rule, meeting.changes
            )
            await store.set_span(tx, meeting_id, first, last)
