"""Freezing the savings record of each held occurrence when its room closes.

A room closes ``chat_session_close_minutes`` after the occurrence's end, or when the host ends
the session. The record keeps the attendance (seconds per person within the room's window),
the distances and the exact parameter values used, so later changes of defaults, coordinates
or distances never change history. Recomputing (coordinator) or correcting attendance (lead)
adds a version; old versions stay.

Exactly once, with several processes: version 1 is inserted with ON CONFLICT DO NOTHING on
(meeting, occurrence, version), inside the single writer's transaction. The job keeps nothing
between scans but a watermark; at start it looks ``savings_lookback_days`` back, so rooms that
closed while the server was down are frozen then.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from meetings_hub.hub import Hub
from meetings_hub.savings import model, presence
from meetings_hub.savings.params import DEFAULTS, Parameters, check_value, from_json, to_json
from meetings_hub.scheduling.model import Meeting
from meetings_hub.scheduling.recurrence import Occurrence
from meetings_hub.settings import Settings
from meetings_hub.storage import rooms
from meetings_hub.storage import savings as store
from meetings_hub.storage import scheduling as meetings_store
from meetings_hub.storage.db import Reader, Tx
from meetings_hub.storage.timefmt import from_db, now_utc, opt_from_db, to_db

log = logging.getLogger(__name__)

SAVED_KINDS = frozenset({"online", "training"})


@dataclass(frozen=True)
class Effective:
    params: Parameters
    programme_version: int  # 0: the built-in defaults
    network_version: int | None


async def effective_parameters(db: Reader | Tx, network_id: int, on: date) -> Effective:
    """The programme's set in force on ``on``, with the network's overrides that lie within
    the programme set's bounds (a field without bounds cannot be overridden)."""
    programme = await store.effective_set(db, None, on)
    params = DEFAULTS if programme is None else from_json(json.loads(programme["params_json"]))
    bounds = json.loads(programme["bounds_json"]) if programme is not None else {}
    network = await store.effective_set(db, network_id, on)
    if network is not None:
        changes = {
            name: value
            for name, value in json.loads(network["params_json"]).items()
            if name in bounds
            and check_value(name, value, (Decimal(bounds[name][0]), Decimal(bounds[name][1])))
            is None
        }
        params = from_json({**to_json(params), **changes})
    return Effective(
        params,
        programme["version"] if programme is not None else 0,
        network["version"] if network is not None else None,
    )


def local_date(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def room_window(
    occ: Occurrence, ended_at: datetime | None, settings: Settings
) -> tuple[datetime, datetime]:
    """(opens, closes) of the room for one occurrence: opens before the start, closes after the
    end, or earlier when the host ended the session."""
    opens = occ.start - timedelta(minutes=settings.chat_session_open_minutes)
    closes = occ.end + timedelta(minutes=settings.chat_session_close_minutes)
    if ended_at is not None and ended_at < closes:
        closes = max(ended_at, opens)
    return opens, closes


async def gather_attendees(
    db: Reader | Tx, meeting: Meeting, opens: datetime, closes: datetime
) -> list[dict[str, Any]]:
    """Everyone in the room during the window: seconds present (tabs and reconnects merged)
    and the library they would have travelled from (None: no place)."""
    rows = await store.attendance_in_window(db, meeting.id, opens, closes)
    organiser_library = await store.person_library(db, meeting.created_by)
    people: dict[str, dict[str, Any]] = {}
    spans: dict[str, list[presence.Interval]] = {}
    for row in rows:
        guest = row["guest_id"] is not None
        who = f"g:{row['guest_id']}" if guest else f"p:{row['person_id']}"
        if who not in people:
            if guest:
                origin = presence.guest_origin(
                    None, None, row["inviter_library_id"], organiser_library
                )
            else:
                origin = row["person_library_id"]
            people[who] = {
                "who": who,
                "name": (row["guest_name"] if guest else row["person_name"]) or "",
                "guest": guest,
                # Guests name no place of their own yet; a Place origin would be kept here.
                "library_id": origin if isinstance(origin, int) else None,
            }
        spans.setdefault(who, []).append((from_db(row["joined_at"]), opt_from_db(row["left_at"])))
    for who, entry in people.items():
        entry["seconds"] = str(presence.present_seconds(spans[who], opens, closes))
    return sorted(people.values(), key=lambda p: p["who"])


def _point(row: Any) -> model.Point | None:
    if row is None or row["latitude"] is None or row["longitude"] is None:
        return None
    return model.Point(row["latitude"], row["longitude"])


def _dist_json(dist: model.Distance | None) -> dict[str, Any] | None:
    if dist is None:
        return None
    return {
        "straight_km": None if dist.straight_km is None else str(dist.straight_km),
        "km_one_way": str(dist.km_one_way),
        "from_override": dist.from_override,
    }


def _figures_row(
    library_id: int | None, label: str, fig: model.Figures, reason: str | None, corrected: bool
) -> dict[str, Any]:
    dist = fig.distance
    return {
        "library_id": library_id,
        "label": label,
        "persons": fig.persons,
        "straight_km": None if dist is None or dist.straight_km is None else str(dist.straight_km),
        "km_one_way": None if dist is None else str(dist.km_one_way),
        "from_override": int(bool(dist and dist.from_override)),
        "cars": fig.cars,
        "hours": str(fig.hours),
        "travel_money": str(fig.travel_money),
        "staff_money": str(fig.staff_money),
        "per_diem_money": str(fig.per_diem_money),
        "money": str(fig.money),
        "co2_kg": str(fig.co2_kg),
        "counted": int(reason is None),
        "reason": reason,
        "corrected": int(corrected),
        "real_cars": 0,
        "real_km": "0",
        "real_money": "0",
        "real_co2_kg": "0",
        "carpool_money": "0",
        "carpool_co2_kg": "0",
    }


async def build(
    db: Reader | Tx,
    meeting: Meeting,
    occ: Occurrence,
    window: tuple[datetime, datetime],
    attendees: list[dict[str, Any]],
    effective: Effective,
    corrections: dict[int, int],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The frozen inputs and the rows of one record."""
    params = effective.params
    scheduled = Decimal(int((occ.end - occ.start).total_seconds())) / 60
    threshold = presence.threshold_minutes(scheduled, params)
    persons: Counter[int] = Counter()
    no_place: list[dict[str, Any]] = []
    for person in attendees:
        person["counted"] = presence.travelled(Decimal(person["seconds"]), threshold)
        if not person["counted"]:
            continue
        if person["library_id"] is None:
            no_place.append(person)
        else:
            persons[person["library_id"]] += 1
    corrected = {lib for lib, n in corrections.items() if n > persons.get(lib, 0)}
    for lib in corrected:
        persons[lib] = corrections[lib]
    answers = await store.travel_answers(db, meeting.id) if meeting.kind == "in_person" else []
    library_ids = set(persons) | {a["library_id"] for a in answers} | {meeting.host_library_id}
    libraries = await store.libraries_by_id(db, library_ids)
    host = libraries.get(meeting.host_library_id)
    overrides = await store.overrides_to(db, meeting.host_library_id)
    meeting_hours = scheduled / 60

    def dist_for(library_id: int) -> model.Distance | None:
        override = overrides.get(library_id)
        return model.distance(
            _point(libraries.get(library_id)),
            _point(host),
            Decimal(override) if override is not None else None,
            params,
        )

    def name_of(library_id: int) -> str:
        row = libraries.get(library_id)
        return row["name"] if row is not None else ""

    rows: list[dict[str, Any]] = []
    distances: dict[str, Any] = {}
    if meeting.kind == "in_person":
        for answer in answers:
            lib = answer["library_id"]
            if lib == meeting.host_library_id:
                continue
            dist = dist_for(lib)
            distances[str(lib)] = _dist_json(dist)
            count = (answer["librarians"] or 0) + (answer["readers"] or 0)
            trip = model.in_person(count, answer["cars"], dist, params)
            row = _figures_row(
                lib, name_of(lib), model.nothing(count, dist), "in_person", corrected=False
            )
            if dist is None:
                row["reason"] = "no_coordinates"
            row.update(
                real_cars=trip.cars,
                real_km=str(trip.real_km),
                real_money=str(trip.real_money),
                real_co2_kg=str(trip.real_co2_kg),
                carpool_money=str(trip.carpool_money),
                carpool_co2_kg=str(trip.carpool_co2_kg),
            )
            rows.append(row)
    else:
        for lib in sorted(persons, key=lambda i: (name_of(i), i)):
            if lib == meeting.host_library_id:
                continue
            dist = dist_for(lib)
            distances[str(lib)] = _dist_json(dist)
            if dist is None:
                fig = model.nothing(persons[lib])
                rows.append(
                    _figures_row(lib, name_of(lib), fig, "no_coordinates", lib in corrected)
                )
            else:
                fig = model.saved(persons[lib], dist, params, meeting_hours)
                rows.append(_figures_row(lib, name_of(lib), fig, None, lib in corrected))
        for guest in no_place:
            rows.append(_figures_row(None, guest["name"], model.nothing(1), "no_place", False))
    inputs = {
        "window": [to_db(window[0]), to_db(window[1])],
        "scheduled_minutes": str(scheduled),
        "threshold_minutes": str(threshold),
        "params": to_json(params),
        "parameter_set_version": effective.programme_version,
        "network_parameter_version": effective.network_version,
        "host": {
            "library_id": meeting.host_library_id,
            "name": host["name"] if host else "",
            "latitude": host["latitude"] if host else None,
            "longitude": host["longitude"] if host else None,
        },
        "libraries": {
            str(i): {"name": r["name"], "latitude": r["latitude"], "longitude": r["longitude"]}
            for i, r in sorted(libraries.items())
        },
        "distances": distances,
        "attendees": attendees,
        "corrections": {str(k): v for k, v in sorted(corrections.items())},
        "travel_answers": [dict(a) for a in answers],
    }
    return inputs, rows


def _occurrence_of(meeting: Meeting, original_start: datetime) -> Occurrence | None:
    for occ in meeting.occurrences(
        original_start - timedelta(days=400), original_start + timedelta(days=400)
    ):
        if occ.original_start == original_start:
            return occ
    return None


async def freeze_one(
    hub: Hub, meeting: Meeting, occ: Occurrence, now: datetime | None = None
) -> bool:
    """Freezes version 1 of a closed occurrence; False when it was not held or is frozen."""
    now = now or now_utc()
    async with hub.db.write() as tx:
        if await store.latest_version(tx, meeting.id, occ.original_start) is not None:
            return False
        room = await rooms.by_meeting(tx, meeting.id)
        ended = opt_from_db(room["ended_at"]) if room is not None else None
        window = room_window(occ, ended, hub.settings)
        if window[1] > now:
            return False
        attendees = await gather_attendees(tx, meeting, *window)
        if meeting.kind == "in_person":
            if not await store.travel_answers(tx, meeting.id):
                return False
        elif not attendees:
            return False
        effective = await effective_parameters(
            tx, meeting.network_id, local_date(occ.start, meeting.timezone)
        )
        inputs, rows = await build(tx, meeting, occ, window, attendees, effective, {})
        record_id = await _insert(tx, meeting, occ, 1, "closed", effective, inputs, rows)
    return record_id is not None


async def _insert(
    tx: Tx,
    meeting: Meeting,
    occ: Occurrence,
    version: int,
    reason: str,
    effective: Effective,
    inputs: dict[str, Any],
    rows: list[dict[str, Any]],
    *,
    correction_id: int | None = None,
    created_by: int | None = None,
) -> int | None:
    return await store.insert_record(
        tx,
        meeting_id=meeting.id,
        original_start=occ.original_start,
        start=occ.start,
        end=occ.end,
        local_start=occ.start.astimezone(ZoneInfo(meeting.timezone)).isoformat(timespec="minutes"),
        version=version,
        reason=reason,
        network_id=meeting.network_id,
        host_library_id=meeting.host_library_id,
        kind=meeting.kind,
        parameter_set_version=effective.programme_version,
        network_parameter_version=effective.network_version,
        inputs=inputs,
        rows=rows,
        correction_id=correction_id,
        created_by=created_by,
    )


def _latest_corrections(rows: list[Any]) -> dict[int, int]:
    persons: dict[int, int] = {}
    for row in rows:
        for key, value in json.loads(row["persons_json"]).items():
            persons[int(key)] = int(value)
    return persons


async def new_version(
    tx: Tx,
    meeting: Meeting,
    original_start: datetime,
    *,
    reason: str,
    today: date | None,
    created_by: int | None,
    correction_id: int | None = None,
) -> int | None:
    """Adds a version computed from the latest one's frozen attendance: with the parameters in
    force ``today`` (recompute), or with the latest version's parameters (``today`` None: a
    correction). Coordinates and road distances are read as they are now. None: nothing frozen
    for that date yet."""
    latest = await store.latest_version(tx, meeting.id, original_start)
    if latest is None:
        return None
    occ = _occurrence_of(meeting, original_start) or Occurrence(
        original_start, from_db(latest["starts_at"]), from_db(latest["ends_at"])
    )
    inputs = json.loads(latest["inputs_json"])
    attendees = [
        {k: v for k, v in a.items() if k != "counted"} for a in inputs.get("attendees", [])
    ]
    window = (from_db(inputs["window"][0]), from_db(inputs["window"][1]))
    if today is not None:
        effective = await effective_parameters(tx, meeting.network_id, today)
    else:
        effective = Effective(
            from_json(inputs["params"]),
            latest["parameter_set_version"],
            latest["network_parameter_version"],
        )
    corrections = _latest_corrections(await store.corrections_of(tx, meeting.id, original_start))
    new_inputs, rows = await build(tx, meeting, occ, window, attendees, effective, corrections)
    return await _insert(
        tx,
        meeting,
        occ,
        latest["version"] + 1,
        reason,
        effective,
        new_inputs,
        rows,
        correction_id=correction_id,
        created_by=created_by,
    )


async def _maybe_held(hub: Hub, meeting: Meeting, opens: datetime, closes: datetime) -> bool:
    """A cheap read before the write: someone was in the room (or, in person, a library
    answered). A date nobody attended is looked at by every scan for a day; it costs a read."""
    async with hub.db.read() as reader:
        if meeting.kind == "in_person":
            return bool(await store.travel_answers(reader, meeting.id))
        return await store.has_attendance(reader, meeting.id, opens, closes)


async def freeze_due(hub: Hub, since: datetime, now: datetime | None = None) -> int:
    """Freezes every occurrence whose room closed in (since, now]; returns how many."""
    now = now or now_utc()
    settings = hub.settings
    after_end = timedelta(minutes=settings.chat_session_close_minutes)
    async with hub.db.read() as reader:
        meetings = await meetings_store.in_window_for_networks(
            reader, None, since - after_end - timedelta(days=1), now
        )
        meetings = [m for m in meetings if not m.cancelled]
        ids = [m.id for m in meetings]
        frozen = await store.frozen_occurrences(reader, ids)
        ended = await store.rooms_ended_at(reader, ids)
    count = 0
    for meeting in meetings:
        for occ in meeting.occurrences(since - after_end - timedelta(days=1), now):
            if (meeting.id, to_db(occ.original_start)) in frozen:
                continue
            opens, closes = room_window(occ, ended.get(meeting.id), settings)
            if closes > now or not await _maybe_held(hub, meeting, opens, closes):
                continue
            try:
                count += await freeze_one(hub, meeting, occ, now)
            except Exception:
                log.exception("freezing meeting %s at %s failed", meeting.id, occ.start)
    return count


class SavingsFreezer:
    """Scans every ``savings_poll_seconds`` (at once when woken); started and stopped with
    the app."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="savings-freezer")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        settings = self.hub.settings
        since = now_utc() - timedelta(days=settings.savings_lookback_days)
        while True:
            now = now_utc()
            try:
                await freeze_due(self.hub, since, now)
                # A margin over the poll: an occurrence moved or a clock step is not missed.
                since = now - timedelta(seconds=max(settings.savings_poll_seconds * 4, 300))
            except Exception:
                log.exception("savings freeze scan failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), settings.savings_poll_seconds)
