"""The savings log: parameter sets, road distance overrides, frozen records, corrections.

Raw SQL only. Figures are decimal text; instants UTC text (timefmt); dates ISO text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
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
        " g.name AS guest_name, g.origin_library_id AS guest_library_id,"
        " inviter.library_id AS inviter_library_id"
        " FROM attendance a LEFT JOIN persons p ON p.id = a.person_id"
        " LEFT JOIN guests g ON g.id = a.guest_id"
        " LEFT JOIN guest_invitations i ON i.id = g.invitation_id"
        " LEFT JOIN persons inviter ON inviter.id = i.created_by"
        " WHERE a.meeting_id = ? AND a.joined_at < ? AND (a.left_at IS NULL OR a.left_at > ?)"
        " ORDER BY a.joined_at",
        (meeting_id, to_db(end), to_db(start)),
    )


async def has_attendance(db: Reader | Tx, meeting_id: int, start: datetime, end: datetime) -> bool:
    row = await db.fetch_one(
        "SELECT 1 FROM attendance WHERE meeting_id = ? AND joined_at < ?"
        " AND (left_at IS NULL OR left_at > ?) LIMIT 1",
        (meeting_id, to_db(end), to_db(start)),
    )
    return row is not None


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
        "SELECT r.*, i.inputs_json FROM savings_records r"
        " JOIN savings_inputs i ON i.record_id = r.id"
        " WHERE r.meeting_id = ? AND r.original_start = ? ORDER BY r.version DESC LIMIT 1",
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


CSV_COLUMNS: tuple[str, ...] = (
    "occurrence_start",
    "meeting_id",
    "meeting_title",
    "kind",
    "network",
    "host_library",
    "library_id",
    "library",
    "voivodeship",
    "persons",
    "km_one_way",
    "from_override",
    "cars",
    "hours",
    "money_pln",
    "co2_kg",
    "counted",
    "reason",
    "record_version",
    "parameter_set_version",
    "network_parameter_version",
    "real_cars",
    "real_km",
    "real_money_pln",
    "real_co2_kg",
    "carpool_money_pln",
    "carpool_co2_kg",
)
_DECIMALS = (
    "km_one_way",
    "hours",
    "money",
    "co2_kg",
    "real_km",
    "real_money",
    "real_co2_kg",
    "carpool_money",
    "carpool_co2_kg",
)


def csv_line(values: Sequence[Any], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(values)
    return out.getvalue()


async def _csv_lines(
    tx: Tx, record: dict[str, Any], rows: Sequence[dict[str, Any]]
) -> list[tuple[str, str]]:
    """Each row's CSV line (',' and ';' variants), with the names as they are now."""
    names = await tx.fetch_one(
        "SELECT m.title, n.name AS network, h.name AS host, h.voivodeship FROM meetings m"
        " JOIN networks n ON n.id = ? JOIN libraries h ON h.id = ? WHERE m.id = ?",
        (record["network_id"], record["host_library_id"], record["meeting_id"]),
    )
    assert names is not None
    regions = {
        r["id"]: r["voivodeship"]
        for r in await tx.fetch_all(
            "SELECT id, voivodeship FROM libraries WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted({r["library_id"] for r in rows if r["library_id"]})),),
        )
    }
    lines = []
    for row in rows:

        def values(comma: bool, row: dict[str, Any] = row) -> list[Any]:
            def num(name: str) -> str:
                text = row.get(name)
                text = "0" if text is None and name != "km_one_way" else text or ""
                return text.replace(".", ",") if comma else text

            return [
                record["local_start"][:16],
                record["meeting_id"],
                names["title"],
                record["kind"],
                names["network"],
                names["host"],
                row["library_id"] if row["library_id"] is not None else "",
                row["label"],
                regions.get(row["library_id"]) or names["voivodeship"],
                row["persons"],
                num("km_one_way"),
                row["from_override"],
                row["cars"],
                num("hours"),
                num("money"),
                num("co2_kg"),
                row["counted"],
                row["reason"] or "",
                record["version"],
                record["parameter_set_version"],
                ""
                if record["network_parameter_version"] is None
                else record["network_parameter_version"],
                row.get("real_cars", 0),
                num("real_km"),
                num("real_money"),
                num("real_co2_kg"),
                num("carpool_money"),
                num("carpool_co2_kg"),
            ]

        lines.append((csv_line(values(False), ","), csv_line(values(True), ";")))
    return lines


def _units(text: str | None, exponent: int) -> int:
    return int(Decimal(text or "0").scaleb(exponent))


def _sums(kind: str, rows: Sequence[dict[str, Any]]) -> tuple[int, ...]:
    """(row_count, hours_c, km_d, money_c, co2_d, trips, carpool_money_c, carpool_co2_d):
    what the saved rows (counted, not in person) add up to, in whole units."""
    saved = [r for r in rows if r["counted"] and kind != "in_person"]
    return (
        len(rows),
        sum(_units(r["hours"], 2) for r in saved),
        sum(r["cars"] * 2 * _units(r["km_one_way"], 1) for r in saved),
        sum(_units(r["money"], 2) for r in saved),
        sum(_units(r["co2_kg"], 1) for r in saved),
        sum(r["cars"] for r in saved),
        sum(_units(r.get("carpool_money"), 2) for r in rows),
        sum(_units(r.get("carpool_co2_kg"), 1) for r in rows),
    )


async def insert_record(
    tx: Tx,
    *,
    meeting_id: int,
    original_start: datetime,
    start: datetime,
    end: datetime,
    local_start: str,
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
        "INSERT INTO savings_records (meeting_id, original_start, starts_at, ends_at,"
        " local_start, version, reason, network_id, host_library_id, kind,"
        " parameter_set_version, network_parameter_version, correction_id, created_by,"
        " created_at, row_count, hours_c, km_d, money_c, co2_d, trips, carpool_money_c,"
        " carpool_co2_d) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?)"
        " ON CONFLICT (meeting_id, original_start, version) DO NOTHING RETURNING id",
        (
            meeting_id,
            to_db(original_start),
            to_db(start),
            to_db(end),
            local_start,
            version,
            reason,
            network_id,
            host_library_id,
            kind,
            parameter_set_version,
            network_parameter_version,
            correction_id,
            created_by,
            now_db(),
            *_sums(kind, rows),
        ),
    )
    if record_id is None:
        return None
    new_id = int(record_id[0])
    await tx.execute(
        "INSERT INTO savings_inputs (record_id, inputs_json) VALUES (?, ?)",
        (new_id, json.dumps(inputs, sort_keys=True)),
    )
    await tx.execute(
        "UPDATE savings_records SET latest = 0 WHERE meeting_id = ? AND original_start = ?"
        " AND id <> ?",
        (meeting_id, to_db(original_start), new_id),
    )
    lines = await _csv_lines(
        tx,
        {
            "meeting_id": meeting_id,
            "network_id": network_id,
            "host_library_id": host_library_id,
            "local_start": local_start,
            "kind": kind,
            "version": version,
            "parameter_set_version": parameter_set_version,
            "network_parameter_version": network_parameter_version,
        },
        rows,
    )
    columns = ", ".join(ROW_COLUMNS)
    marks = ", ".join("?" for _ in ROW_COLUMNS)
    await tx.executemany(
        f"INSERT INTO savings_rows (record_id, position, {columns}, csv_comma, csv_semicolon)"
        f" VALUES (?, ?, {marks}, ?, ?)",
        [
            (new_id, position, *(row.get(c) for c in ROW_COLUMNS), *lines[position])
            for position, row in enumerate(rows)
        ],
    )
    return new_id


async def records_of(
    db: Reader | Tx, meeting_id: int, original_start: datetime | None
) -> list[Row]:
    """Every version of a meeting's records (one date, or all), newest date and version first."""
    sql = (
        "SELECT r.*, i.inputs_json, COALESCE(p.full_name, '') AS created_by_name,"
        " COALESCE(c.note, '') AS note FROM savings_records r"
        " JOIN savings_inputs i ON i.record_id = r.id"
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


# --- The log ----------------------------------------------------------------------------------
# Every aggregate runs in SQL so the log of 10,000 dates stays fast (bench/savings_log.py).
# Figures are stored rounded (meetings_hub/savings/rounding.py), so each one times its unit
# (grosz, 0.01 h, 0.1 kg, 0.1 km) is a whole number: sums of those integers are exact, and
# totals equal the sum of the rows shown.


@dataclass(frozen=True)
class LogFilter:
    date_from: date | None = None  # local dates (the meeting's time zone), inclusive
    date_to: date | None = None
    network_ids: frozenset[int] | None = None  # None: every network
    library_id: int | None = None  # only this library's rows (a partner's scope)
    voivodeship: str | None = None  # the row's library's (else the host's) voivodeship
    kind: str | None = None


def _from(f: LogFilter) -> str:
    # The libraries are joined only when a filter needs them (they cost a third of a scan).
    sql = " FROM savings_records r JOIN savings_rows s ON s.record_id = r.id"
    if f.voivodeship is not None:
        sql += (
            " JOIN libraries h ON h.id = r.host_library_id"
            " LEFT JOIN libraries l ON l.id = s.library_id"
        )
    return sql


def _where(f: LogFilter) -> tuple[str, list[Any]]:
    """The WHERE of the joined rows: fixed fragments, every value bound."""
    sql = " WHERE r.latest = 1"
    params: list[Any] = []
    if f.date_from is not None:
        sql += " AND r.local_start >= ?"
        params.append(f.date_from.isoformat())
    if f.date_to is not None:
        sql += " AND r.local_start < ?"
        params.append((f.date_to + timedelta(days=1)).isoformat())
    if f.network_ids is not None:
        sql += " AND r.network_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(sorted(f.network_ids)))
    if f.library_id is not None:
        sql += " AND s.library_id = ?"
        params.append(f.library_id)
    if f.voivodeship is not None:
        sql += " AND COALESCE(l.voivodeship, h.voivodeship) = ?"
        params.append(f.voivodeship)
    if f.kind is not None:
        sql += " AND r.kind = ?"
        params.append(f.kind)
    return sql, params


def _by_rows(f: LogFilter) -> bool:
    """Whether the filter picks rows (a library, a voivodeship), not whole records."""
    return f.library_id is not None or f.voivodeship is not None


def _units_of(column: str, per_unit: int) -> str:
    return f"CAST(ROUND(CAST({column} AS REAL) * {per_unit}) AS INTEGER)"


_SAVED = "(r.kind <> 'in_person' AND s.counted = 1)"
_ROW_SUMS = (
    "COUNT(DISTINCT CASE WHEN r.kind <> 'in_person' THEN r.id END) AS sessions,"
    " COUNT(*) AS row_count,"
    f" SUM(CASE WHEN {_SAVED} THEN {_units_of('s.hours', 100)} ELSE 0 END) AS hours_c,"
    f" SUM(CASE WHEN {_SAVED} THEN s.cars * 2 * {_units_of('s.km_one_way', 10)} ELSE 0 END)"
    " AS km_d,"
    f" SUM(CASE WHEN {_SAVED} THEN {_units_of('s.money', 100)} ELSE 0 END) AS money_c,"
    f" SUM(CASE WHEN {_SAVED} THEN {_units_of('s.co2_kg', 10)} ELSE 0 END) AS co2_d,"
    f" SUM(CASE WHEN {_SAVED} THEN s.cars ELSE 0 END) AS trips,"
    f" SUM({_units_of('s.carpool_money', 100)}) AS carpool_money_c,"
    f" SUM({_units_of('s.carpool_co2_kg', 10)}) AS carpool_co2_d"
)
# A held session with no row to show (only the host library attended) still counts.
_RECORD_SUMS = (
    "SUM(r.kind <> 'in_person') AS sessions, SUM(r.row_count) AS row_count,"
    " SUM(r.hours_c) AS hours_c, SUM(r.km_d) AS km_d, SUM(r.money_c) AS money_c,"
    " SUM(r.co2_d) AS co2_d, SUM(r.trips) AS trips, SUM(r.carpool_money_c) AS carpool_money_c,"
    " SUM(r.carpool_co2_d) AS carpool_co2_d"
)


async def log_monthly(db: Reader | Tx, f: LogFilter) -> list[Row]:
    """Sums per local month (oldest first): sessions, rows and the saved figures in whole
    units. Whole records are summed from their stored sums; row filters add rows up."""
    where, params = _where(f)
    if _by_rows(f):
        sql = "SELECT substr(r.local_start, 1, 7) AS month, " + _ROW_SUMS + _from(f) + where
    else:
        sql = "SELECT substr(r.local_start, 1, 7) AS month, " + _RECORD_SUMS
        sql += " FROM savings_records r" + where
    return await db.fetch_all(sql + " GROUP BY month ORDER BY month", params)


async def log_ranking(db: Reader | Tx, f: LogFilter, limit: int) -> list[Row]:
    where, params = _where(f)
    return await db.fetch_all(
        "SELECT s.library_id, MIN(s.label) AS library_name, SUM(s.cars) AS trips,"
        f" SUM({_units_of('s.money', 100)}) AS money_c"
        + _from(f)
        + where
        + f" AND {_SAVED} AND s.library_id IS NOT NULL GROUP BY s.library_id"
        " ORDER BY trips DESC, money_c DESC, library_name LIMIT ?",
        [*params, limit],
    )


_ORDER = " ORDER BY r.local_start DESC, r.id DESC, s.position"
_NAMES = (
    " JOIN meetings m ON m.id = r.meeting_id JOIN networks n ON n.id = r.network_id"
    " JOIN libraries hh ON hh.id = r.host_library_id"
    " LEFT JOIN libraries ll ON ll.id = s.library_id"
)


async def log_page(db: Reader | Tx, f: LogFilter, limit: int, offset: int) -> list[Row]:
    """One page of rows, newest occurrence first."""
    where, params = _where(f)
    return await db.fetch_all(
        "SELECT r.meeting_id, m.title AS meeting_title, r.kind, r.original_start, r.starts_at,"
        " r.ends_at, r.network_id, n.name AS network_name, r.host_library_id,"
        " hh.name AS host_library_name, r.version AS record_version, r.parameter_set_version,"
        " r.network_parameter_version, COALESCE(ll.voivodeship, hh.voivodeship) AS voivodeship,"
        " s.*" + _from(f) + _NAMES + where + _ORDER + " LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )


async def log_csv_text(db: Reader | Tx, f: LogFilter, *, comma: bool) -> str:
    """The stored CSV lines of every matching row, newest occurrence first, joined by CRLF."""
    where, params = _where(f)
    column = "s.csv_semicolon" if comma else "s.csv_comma"
    # SQLite joins the lines itself: one value back instead of a Python row per line (50,000
    # rows cost ~6 µs each through the driver; bench/savings_log.py).
    row = await db.fetch_one(
        "SELECT group_concat(line, char(13) || char(10)) FROM"
        f" (SELECT {column} AS line" + _from(f) + where + _ORDER + ")",
        params,
    )
    return (row[0] if row is not None else None) or ""


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
