"""The savings log: parameter sets, road distance overrides, frozen records, corrections.

Raw SQL only. Figures are decimal text; instants UTC text (timefmt); dates ISO text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import from_db, now_db, to_db

# --- Parameter sets ---------------------------------------------------------------------------


async def list_sets(db: Reader | Tx, network_id: int | None) -> list[Row]:
    """A programme's (None) or one network's sets, newest version first."""
    return await db.fetch_all(
        "SELECT s.*, COALESCE(p.full_name, '') AS created_by_name FROM savings_parameter_sets s"
        " LEFT JOIN persons p ON p.id = s.created_by"
        " WHERE COALESCE(s.network_id, 0) = ? ORDER BY s.version DESC",
        (network_id or 0,),
    )


async def network_sets(db: Reader | Tx, network_ids: Iterable[int] | None) -> list[Row]:
    """Every network's sets (None: all networks), newest first."""
    sql = (
        "SELECT s.*, COALESCE(p.full_name, '') AS created_by_name FROM savings_parameter_sets s"
        " LEFT JOIN persons p ON p.id = s.created_by WHERE s.network_id IS NOT NULL"
    )
    params: tuple[Any, ...] = ()
    if network_ids is not None:
        sql += " AND s.network_id IN (SELECT value FROM json_each(?))"
        params = (json.dumps(sorted(network_ids)),)
    return await db.fetch_all(sql + " ORDER BY s.network_id, s.version DESC", params)


async def effective_set(db: Reader | Tx, network_id: int | None, on: date) -> Row | None:
    """The set in force on a date: the latest valid_from on or before it, then the highest
    version."""
    return await db.fetch_one(
        "SELECT * FROM savings_parameter_sets WHERE COALESCE(network_id, 0) = ?"
        " AND valid_from <= ? ORDER BY valid_from DESC, version DESC LIMIT 1",
        (network_id or 0, on.isoformat()),
    )


async def insert_set(
    tx: Tx,
    *,
    network_id: int | None,
    valid_from: date,
    params: dict[str, Any],
    bounds: dict[str, list[str]],
    note: str,
    created_by: int | None,
) -> int:
    """Stores the next version; returns it."""
    row = await tx.fetch_one(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM savings_parameter_sets"
        " WHERE COALESCE(network_id, 0) = ?",
        (network_id or 0,),
    )
    assert row is not None
    version = int(row[0])
    await tx.execute(
        "INSERT INTO savings_parameter_sets (network_id, version, valid_from, params_json,"
        " bounds_json, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            network_id,
            version,
            valid_from.isoformat(),
            json.dumps(params, sort_keys=True),
            json.dumps(bounds, sort_keys=True),
            note,
            created_by,
            now_db(),
        ),
    )
    return version


# --- Road distance overrides ------------------------------------------------------------------


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


async def distance_overrides(db: Reader | Tx, library_id: int) -> list[Row]:
    return await db.fetch_all(
        "SELECT d.*, COALESCE(p.full_name, '') AS updated_by_name FROM savings_road_distances d"
        " LEFT JOIN persons p ON p.id = d.updated_by WHERE d.library_a = ? OR d.library_b = ?",
        (library_id, library_id),
    )


async def put_distance(tx: Tx, a: int, b: int, km: str, note: str, updated_by: int | None) -> None:
    low, high = _pair(a, b)
    await tx.execute(
        "INSERT INTO savings_road_distances (library_a, library_b, km, note, updated_by,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (library_a, library_b) DO UPDATE"
        " SET km = excluded.km, note = excluded.note, updated_by = excluded.updated_by,"
        " updated_at = excluded.updated_at",
        (low, high, km, note, updated_by, now_db()),
    )


async def delete_distance(tx: Tx, a: int, b: int) -> int:
    low, high = _pair(a, b)
    return await tx.execute_rowcount(
        "DELETE FROM savings_road_distances WHERE library_a = ? AND library_b = ?", (low, high)
    )


# --- What a freeze reads ----------------------------------------------------------------------


async def attendance_in_window(
    db: Reader | Tx, meeting_id: int, start: datetime, end: datetime
) -> list[Row]:
    """Presence rows of a meeting's room that overlap [start, end), with who they are."""
    return await db.fetch_all(
        "SELECT a.person_id, a.guest_id, a.joined_at, a.left_at,"
        " p.full_name AS person_name, p.library_id AS person_library_id,"
        " g.name AS guest_name, inviter.library_id AS inviter_library_id"
        " FROM attendance a LEFT JOIN persons p ON p.id = a.person_id"
        " LEFT JOIN guests g ON g.id = a.guest_id"
        " LEFT JOIN guest_invitations i ON i.id = g.invitation_id"
        " LEFT JOIN persons inviter ON inviter.id = i.created_by"
        " WHERE a.meeting_id = ? AND a.joined_at < ? AND (a.left_at IS NULL OR a.left_at > ?)"
        " ORDER BY a.joined_at",
        (meeting_id, to_db(end), to_db(start)),
    )


async def libraries_by_id(db: Reader | Tx, ids: Iterable[int]) -> dict[int, Row]:
    rows = await db.fetch_all(
        "SELECT id, name, voivodeship, latitude, longitude FROM libraries"
        " WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(set(ids))),),
    )
    return {r["id"]: r for r in rows}


async def overrides_to(db: Reader | Tx, library_id: int) -> dict[int, str]:
    """other library id -> km, for the pairs with this library."""
    return {
        (r["library_b"] if r["library_a"] == library_id else r["library_a"]): r["km"]
        for r in await distance_overrides(db, library_id)
    }


async def person_library(db: Reader | Tx, person_id: int | None) -> int | None:
    if person_id is None:
        return None
    row = await db.fetch_one("SELECT library_id FROM persons WHERE id = ?", (person_id,))
    return row["library_id"] if row else None


async def travel_answers(db: Reader | Tx, meeting_id: int) -> list[Row]:
    """In-person head counts per library (answered ones only)."""
    return await db.fetch_all(
        "SELECT library_id, librarians, readers, cars FROM meeting_libraries"
        " WHERE meeting_id = ? AND cars IS NOT NULL ORDER BY library_id",
        (meeting_id,),
    )


async def rooms_ended_at(db: Reader | Tx, meeting_ids: Iterable[int]) -> dict[int, datetime]:
    """meeting id -> when its host ended the session (only rooms that were ended)."""
    rows = await db.fetch_all(
        "SELECT meeting_id, ended_at FROM rooms WHERE ended_at IS NOT NULL"
        " AND meeting_id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(set(meeting_ids))),),
    )
    return {r["meeting_id"]: from_db(r["ended_at"]) for r in rows}


# --- Records ----------------------------------------------------------------------------------


async def frozen_occurrences(db: Reader | Tx, meeting_ids: Iterable[int]) -> set[tuple[int, str]]:
    rows = await db.fetch_all(
        "SELECT DISTINCT meeting_id, original_start FROM savings_records"
        " WHERE meeting_id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(set(meeting_ids))),),
    )
    return {(r["meeting_id"], r["original_start"]) for r in rows}


async def latest_version(db: Reader | Tx, meeting_id: int, original_start: datetime) -> Row | None:
    return await db.fetch_one(
        "SELECT * FROM savings_records WHERE meeting_id = ? AND original_start = ?"
        " ORDER BY version DESC LIMIT 1",
        (meeting_id, to_db(original_start)),
    )


ROW_COLUMNS: tuple[str, ...] = (
    "library_id",
    "label",
    "persons",
    "straight_km",
    "km_one_way",
    "from_override",
    "cars",
    "hours",
    "travel_money",
    "staff_money",
    "per_diem_money",
    "money",
    "co2_kg",
    "counted",
    "reason",
    "corrected",
    "real_cars",
    "real_km",
    "real_money",
    "real_co2_kg",
    "carpool_money",
    "carpool_co2_kg",
)


async def insert_record(
    tx: Tx,
    *,
    meeting_id: int,
    original_start: datetime,
    start: datetime,
    end: datetime,
    version: int,
    reason: str,
    network_id: int,
    host_library_id: int,
    kind: str,
    parameter_set_version: int,
    network_parameter_version: int | None,
    inputs: dict[str, Any],
    rows: Sequence[dict[str, Any]],
    correction_id: int | None = None,
    created_by: int | None = None,
) -> int | None:
    """Stores one version; None when it exists already (another process froze it first)."""
    record_id = await tx.fetch_one(
        "INSERT INTO savings_records (meeting_id, original_start, starts_at, ends_at, version,"
        " reason, network_id, host_library_id, kind, parameter_set_version,"
        " network_parameter_version, inputs_json, correction_id, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (meeting_id, original_start, version) DO NOTHING RETURNING id",
        (
            meeting_id,
            to_db(original_start),
            to_db(start),
            to_db(end),
            version,
            reason,
            network_id,
            host_library_id,
            kind,
            parameter_set_version,
            network_parameter_version,
            json.dumps(inputs, sort_keys=True),
            correction_id,
            created_by,
            now_db(),
        ),
    )
    if record_id is None:
        return None
    new_id = int(record_id[0])
    await tx.execute(
        "UPDATE savings_records SET latest = 0 WHERE meeting_id = ? AND original_start = ?"
        " AND id <> ?",
        (meeting_id, to_db(original_start), new_id),
    )
    columns = ", ".join(ROW_COLUMNS)
    marks = ", ".join("?" for _ in ROW_COLUMNS)
    await tx.executemany(
        f"INSERT INTO savings_rows (record_id, position, {columns}) VALUES (?, ?, {marks})",
        [
            (new_id, position, *(row.get(c) for c in ROW_COLUMNS))
            for position, row in enumerate(rows)
        ],
    )
    return new_id


async def records_of(
    db: Reader | Tx, meeting_id: int, original_start: datetime | None
) -> list[Row]:
    """Every version of a meeting's records (one date, or all), newest date and version first."""
    sql = (
        "SELECT r.*, COALESCE(p.full_name, '') AS created_by_name,"
        " COALESCE(c.note, '') AS note FROM savings_records r"
        " LEFT JOIN persons p ON p.id = r.created_by"
        " LEFT JOIN savings_corrections c ON c.id = r.correction_id WHERE r.meeting_id = ?"
    )
    params: tuple[Any, ...] = (meeting_id,)
    if original_start is not None:
        sql += " AND r.original_start = ?"
        params += (to_db(original_start),)
    return await db.fetch_all(sql + " ORDER BY r.starts_at DESC, r.version DESC", params)


async def rows_of(db: Reader | Tx, record_ids: Iterable[int]) -> dict[int, list[Row]]:
    found: dict[int, list[Row]] = {}
    for row in await db.fetch_all(
        "SELECT * FROM savings_rows WHERE record_id IN (SELECT value FROM json_each(?))"
        " ORDER BY record_id, position",
        (json.dumps(sorted(set(record_ids))),),
    ):
        found.setdefault(row["record_id"], []).append(row)
    return found


# The log: latest versions joined with their rows, meeting, network and libraries.
_LOG = (
    "SELECT r.id AS record_id, r.meeting_id, m.title AS meeting_title, r.kind,"
    " r.original_start, r.starts_at, r.ends_at, r.network_id, n.name AS network_name,"
    " r.host_library_id, h.name AS host_library_name, r.version AS record_version,"
    " r.parameter_set_version, r.network_parameter_version,"
    " COALESCE(l.voivodeship, h.voivodeship) AS voivodeship, s.*"
    " FROM savings_records r JOIN savings_rows s ON s.record_id = r.id"
    " JOIN meetings m ON m.id = r.meeting_id JOIN networks n ON n.id = r.network_id"
    " JOIN libraries h ON h.id = r.host_library_id"
    " LEFT JOIN libraries l ON l.id = s.library_id"
    " WHERE r.latest = 1"
)


async def log_rows(
    db: Reader | Tx,
    *,
    start: datetime | None,
    end: datetime | None,
    network_ids: Iterable[int] | None,
    library_id: int | None,
    voivodeship: str | None,
    kind: str | None,
) -> list[Row]:
    """Every row of the latest records matching the filters, newest occurrence first."""
    sql = _LOG
    params: list[Any] = []
    if start is not None:
        sql += " AND r.starts_at >= ?"
        params.append(to_db(start))
    if end is not None:
        sql += " AND r.starts_at < ?"
        params.append(to_db(end))
    if network_ids is not None:
        sql += " AND r.network_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(sorted(network_ids)))
    if library_id is not None:
        sql += " AND s.library_id = ?"
        params.append(library_id)
    if voivodeship is not None:
        sql += " AND COALESCE(l.voivodeship, h.voivodeship) = ?"
        params.append(voivodeship)
    if kind is not None:
        sql += " AND r.kind = ?"
        params.append(kind)
    return await db.fetch_all(sql + " ORDER BY r.starts_at DESC, r.meeting_id, s.position", params)


async def voivodeships(db: Reader | Tx) -> list[str]:
    rows = await db.fetch_all(
        "SELECT DISTINCT voivodeship FROM libraries WHERE voivodeship <> '' ORDER BY voivodeship"
    )
    return [r[0] for r in rows]


# --- Corrections ------------------------------------------------------------------------------


async def insert_correction(
    tx: Tx,
    *,
    meeting_id: int,
    original_start: datetime,
    persons: dict[int, int],
    note: str,
    created_by: int | None,
) -> int:
    return await tx.execute(
        "INSERT INTO savings_corrections (meeting_id, original_start, persons_json, note,"
        " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (
            meeting_id,
            to_db(original_start),
            json.dumps({str(k): v for k, v in sorted(persons.items())}),
            note,
            created_by,
            now_db(),
        ),
    )


async def corrections_of(
    db: Reader | Tx, meeting_id: int, original_start: datetime | None = None
) -> list[Row]:
    sql = (
        "SELECT c.*, COALESCE(p.full_name, '') AS created_by_name FROM savings_corrections c"
        " LEFT JOIN persons p ON p.id = c.created_by WHERE c.meeting_id = ?"
    )
    params: tuple[Any, ...] = (meeting_id,)
    if original_start is not None:
        sql += " AND c.original_start = ?"
        params += (to_db(original_start),)
    return await db.fetch_all(sql + " ORDER BY c.id", params)


async def insert_attendance(
    tx: Tx,
    room_id: int,
    meeting_id: int,
    *,
    person_id: int | None,
    guest_id: int | None,
    joined: datetime,
    left: datetime | None,
) -> None:
    """A presence row with given times: for demo data (the realtime layer writes live ones)."""
    await tx.execute(
        "INSERT INTO attendance (room_id, meeting_id, person_id, guest_id, joined_at, left_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (room_id, meeting_id, person_id, guest_id, to_db(joined), left and to_db(left)),
    )
