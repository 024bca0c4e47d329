"""Scheduled meetings: rules, per-occurrence changes, invited libraries and people, answers.

Raw SQL only. Series are stored as one meeting row plus its rule; occurrences are computed by
``meetings_hub.scheduling.recurrence``. ``span_start_at``/``span_end_at`` on the meeting bound
all its occurrences so that window queries need no expansion.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from datetime import date, datetime

from meetings_hub.scheduling.model import Meeting
from meetings_hub.scheduling.recurrence import Change, Rule
from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import from_db, now_db, opt_from_db, to_db

_SELECT = (
    "SELECT m.*, l.name AS host_library_name, p.full_name AS organizer_name,"
    " p.email AS organizer_email FROM meetings m JOIN libraries l ON l.id = m.host_library_id"
    " LEFT JOIN persons p ON p.id = m.created_by"
)


def _rule(row: Row | None) -> Rule | None:
    if row is None:
        return None
    return Rule(
        freq=row["freq"],
        interval=row["interval"],
        weekdays=tuple(d for d in row["by_weekday"].split(",") if d),
        nth=row["nth"],
        nth_weekday=row["nth_weekday"],
        until=opt_from_db(row["until_at"]),
        count=row["count"],
    )


def _change(row: Row) -> Change:
    return Change(
        original_start=from_db(row["original_start"]),
        kind=row["kind"],
        start=opt_from_db(row["starts_at"]),
        end=opt_from_db(row["ends_at"]),
        title=row["title"],
        agenda=row["agenda"],
        address=row["address"],
        sequence=row["sequence"],
    )


def _meeting(row: Row, rule: Rule | None, changes: tuple[Change, ...]) -> Meeting:
    return Meeting(
        id=row["id"],
        network_id=row["network_id"],
        host_library_id=row["host_library_id"],
        host_library_name=row["host_library_name"],
        kind=row["kind"],
        title=row["title"],
        agenda=row["agenda"],
        start=from_db(row["starts_at"]),
        end=from_db(row["ends_at"]),
        timezone=row["timezone"],
        address=row["address"],
        status=row["status"],
        sequence=row["sequence"],
        whole_network=bool(row["whole_network"]),
        join_url=row["join_url"],
        created_by=row["created_by"],
        organizer_name=row["organizer_name"] or "",
        organizer_email=row["organizer_email"] or "",
        created_at=from_db(row["created_at"]),
        changed_at=from_db(row["changed_at"] or row["updated_at"]),
        cancelled_at=opt_from_db(row["cancelled_at"]),
        rule=rule,
        changes=changes,
        all_day=bool(row["all_day"]),
        transparent=bool(row["transparent"]),
    )


async def _complete(db: Reader | Tx, rows: list[Row]) -> list[Meeting]:
    if not rows:
        return []
    ids = json.dumps([r["id"] for r in rows])
    rules = {
        r["meeting_id"]: _rule(r)
        for r in await db.fetch_all(
            "SELECT * FROM meeting_recurrences"
            " WHERE meeting_id IN (SELECT value FROM json_each(?))",
            (ids,),
        )
    }
    changes: dict[int, list[Change]] = {}
    for r in await db.fetch_all(
        "SELECT * FROM meeting_occurrences WHERE meeting_id IN (SELECT value FROM json_each(?))"
        " ORDER BY original_start",
        (ids,),
    ):
        changes.setdefault(r["meeting_id"], []).append(_change(r))

    def convert() -> list[Meeting]:
        return [_meeting(r, rules.get(r["id"]), tuple(changes.get(r["id"], ()))) for r in rows]

    # A feed or calendar of a thousand meetings takes tens of milliseconds to convert: off the
    # event loop then, so chat sockets and other requests are not held up.
    return convert() if len(rows) < 200 else await asyncio.to_thread(convert)


async def get(db: Reader | Tx, meeting_id: int) -> Meeting | None:
    row = await db.fetch_one(_SELECT + " WHERE m.id = ?", (meeting_id,))
    if row is None:
        return None
    return (await _complete(db, [row]))[0]


_WINDOW = (
    " COALESCE(m.span_start_at, m.starts_at) < :end AND COALESCE(m.span_end_at, m.ends_at) > :start"
)


async def in_window_for_networks(
    db: Reader | Tx, network_ids: Iterable[int] | None, start: datetime, end: datetime
) -> list[Meeting]:
    """Meetings of these networks (None: every network) with an occurrence in [start, end)."""
    params: dict[str, object] = {"start": to_db(start), "end": to_db(end)}
    where = _WINDOW
    if network_ids is not None:
        where += " AND m.network_id IN (SELECT value FROM json_each(:networks))"
        params["networks"] = json.dumps(sorted(set(network_ids)))
    rows = await db.fetch_all(_SELECT + " WHERE" + where + " ORDER BY m.starts_at, m.id", params)
    return await _complete(db, rows)


# A library is invited when it is listed, hosts, or the whole network is invited and it is a
# member today (so libraries that join later see the network's standing series too).
_LIBRARY_INVITED = (
    "(m.host_library_id = :library"
    " OR m.id IN (SELECT meeting_id FROM meeting_libraries WHERE library_id = :library)"
    " OR (m.whole_network = 1 AND m.network_id IN (SELECT network_id FROM network_members"
    "     WHERE library_id = :library AND joined_on <= :today"
    "     AND (left_on IS NULL OR left_on > :today))))"
)


async def in_window_for_library(
    db: Reader | Tx, library_id: int, start: datetime, end: datetime, *, today: date
) -> list[Meeting]:
    params = {
        "start": to_db(start),
        "end": to_db(end),
        "library": library_id,
        "today": today.isoformat(),
    }
    rows = await db.fetch_all(
        _SELECT + " WHERE" + _WINDOW + " AND " + _LIBRARY_INVITED + " ORDER BY m.starts_at, m.id",
        params,
    )
    return await _complete(db, rows)


async def in_window_for_person(
    db: Reader | Tx,
    person_id: int,
    library_id: int | None,
    start: datetime,
    end: datetime,
    *,
    today: date,
) -> list[Meeting]:
    """Meetings the person is invited to (by name or through her library) or organised."""
    params = {
        "start": to_db(start),
        "end": to_db(end),
        "person": person_id,
        "library": library_id if library_id is not None else -1,
        "today": today.isoformat(),
    }
    rows = await db.fetch_all(
        _SELECT + " WHERE" + _WINDOW + " AND (m.created_by = :person"
        " OR m.id IN (SELECT meeting_id FROM meeting_invitees WHERE person_id = :person)"
        " OR " + _LIBRARY_INVITED + ") ORDER BY m.starts_at, m.id",
        params,
    )
    return await _complete(db, rows)


async def library_is_invited(
    db: Reader | Tx, meeting_id: int, library_id: int, today: date
) -> bool:
    row = await db.fetch_one(
        "SELECT 1 FROM meetings m WHERE m.id = :meeting AND " + _LIBRARY_INVITED,
        {"meeting": meeting_id, "library": library_id, "today": today.isoformat()},
    )
    return row is not None


async def insert(
    tx: Tx,
    *,
    network_id: int,
    host_library_id: int,
    kind: str,
    title: str,
    agenda: str,
    start: datetime,
    end: datetime,
    timezone: str,
    address: str,
    whole_network: bool,
    join_url: str,
    created_by: int | None,
) -> int:
    now = now_db()
    return await tx.execute(
        "INSERT INTO meetings (network_id, host_library_id, kind, title, agenda, starts_at,"
        " ends_at, timezone, address, whole_network, join_url, created_by, created_at,"
        " updated_at, changed_at, span_start_at, span_end_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            network_id,
            host_library_id,
            kind,
            title,
            agenda,
            to_db(start),
            to_db(end),
            timezone,
            address,
            int(whole_network),
            join_url,
            created_by,
            now,
            now,
            now,
            to_db(start),
            to_db(end),
        ),
    )


async def update(
    tx: Tx,
    meeting_id: int,
    *,
    host_library_id: int,
    kind: str,
    title: str,
    agenda: str,
    start: datetime,
    end: datetime,
    address: str,
    whole_network: bool,
    join_url: str,
    bump_sequence: bool,
) -> None:
    """Saves the whole-series fields; ``bump_sequence`` when time, place or status changed."""
    now = now_db()
    await tx.execute(
        "UPDATE meetings SET host_library_id = ?, kind = ?, title = ?, agenda = ?, starts_at = ?,"
        " ends_at = ?, address = ?, whole_network = ?, join_url = ?, updated_at = ?,"
        " sequence = sequence + ?, changed_at = ? WHERE id = ?",
        (
            host_library_id,
            kind,
            title,
            agenda,
            to_db(start),
            to_db(end),
            address,
            int(whole_network),
            join_url,
            now,
            int(bump_sequence),
            now,
            meeting_id,
        ),
    )


async def set_join_url(tx: Tx, meeting_id: int, join_url: str) -> None:
    """For the rooms feature: point the join link at the session's chat room."""
    await tx.execute("UPDATE meetings SET join_url = ? WHERE id = ?", (join_url, meeting_id))


async def cancel(tx: Tx, meeting_id: int) -> None:
    now = now_db()
    await tx.execute(
        "UPDATE meetings SET status = 'cancelled', cancelled_at = ?, sequence = sequence + 1,"
        " updated_at = ?, changed_at = ? WHERE id = ? AND status <> 'cancelled'",
        (now, now, now, meeting_id),
    )


async def raise_sequence(tx: Tx, meeting_id: int, at_least: int) -> None:
    """The series' SEQUENCE goes up with a change of its dates (an EXDATE added), so that
    calendars take the new version of the series too, not only of the one date."""
    await tx.execute(
        "UPDATE meetings SET sequence = MAX(sequence, ?) WHERE id = ?", (at_least, meeting_id)
    )


async def set_day_marks(tx: Tx, meeting_id: int, *, all_day: bool, transparent: bool) -> None:
    """For imported events: an all-day event, and one whose source left its time free."""
    await tx.execute(
        "UPDATE meetings SET all_day = ?, transparent = ? WHERE id = ?",
        (int(all_day), int(transparent), meeting_id),
    )


async def set_span(tx: Tx, meeting_id: int, start: datetime, end: datetime) -> None:
    await tx.execute(
        "UPDATE meetings SET span_start_at = ?, span_end_at = ? WHERE id = ?",
        (to_db(start), to_db(end), meeting_id),
    )


async def set_rule(tx: Tx, meeting_id: int, rule: Rule | None) -> None:
    await tx.execute("DELETE FROM meeting_recurrences WHERE meeting_id = ?", (meeting_id,))
    if rule is None:
        return
    await tx.execute(
        "INSERT INTO meeting_recurrences (meeting_id, freq, interval, by_weekday, nth,"
        " nth_weekday, until_at, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            meeting_id,
            rule.freq,
            rule.interval,
            ",".join(rule.weekdays),
            rule.nth,
            rule.nth_weekday,
            to_db(rule.until) if rule.until else None,
            rule.count,
        ),
    )


async def save_change(tx: Tx, meeting_id: int, change: Change) -> None:
    """Creates or replaces the change of one occurrence (keyed by its original start)."""
    now = now_db()
    await tx.execute(
        "INSERT INTO meeting_occurrences (meeting_id, original_start, kind, starts_at, ends_at,"
        " title, agenda, address, sequence, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (meeting_id, original_start) DO UPDATE SET kind = excluded.kind,"
        " starts_at = excluded.starts_at, ends_at = excluded.ends_at, title = excluded.title,"
        " agenda = excluded.agenda, address = excluded.address, sequence = excluded.sequence,"
        " updated_at = excluded.updated_at",
        (
            meeting_id,
            to_db(change.original_start),
            change.kind,
            to_db(change.start) if change.start else None,
            to_db(change.end) if change.end else None,
            change.title,
            change.agenda,
            change.address,
            change.sequence,
            now,
            now,
        ),
    )
    await tx.execute(
        "UPDATE meetings SET changed_at = ?, updated_at = ? WHERE id = ?", (now, now, meeting_id)
    )


async def drop_changes(tx: Tx, meeting_id: int, originals: list[datetime]) -> None:
    """Drops the per-occurrence changes of these dates (no longer dates of the series)."""
    await tx.executemany(
        "DELETE FROM meeting_occurrences WHERE meeting_id = ? AND original_start = ?",
        [(meeting_id, to_db(original)) for original in originals],
    )


# --- invited libraries -------------------------------------------------------------------


async def set_libraries(tx: Tx, meeting_id: int, library_ids: Iterable[int]) -> None:
    """Keeps the answers of libraries that stay invited; drops the others."""
    wanted = json.dumps(sorted(set(library_ids)))
    await tx.execute(
        "DELETE FROM meeting_libraries WHERE meeting_id = ?"
        " AND library_id NOT IN (SELECT value FROM json_each(?))",
        (meeting_id, wanted),
    )
    await tx.execute(
        "INSERT OR IGNORE INTO meeting_libraries (meeting_id, library_id)"
        " SELECT ?, value FROM json_each(?)",
        (meeting_id, wanted),
    )


async def list_libraries(db: Reader | Tx, meeting_id: int) -> list[Row]:
    return await db.fetch_all(
        "SELECT ml.*, l.name AS library_name, l.town FROM meeting_libraries ml"
        " JOIN libraries l ON l.id = ml.library_id WHERE ml.meeting_id = ? ORDER BY l.name",
        (meeting_id,),
    )


async def set_library_answer(
    tx: Tx,
    meeting_id: int,
    library_id: int,
    *,
    librarians: int,
    readers: int,
    cars: int,
    answered_by: int | None,
) -> None:
    await tx.execute(
        "INSERT INTO meeting_libraries (meeting_id, library_id, librarians, readers, cars,"
        " answered_by, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (meeting_id, library_id) DO UPDATE SET librarians = excluded.librarians,"
        " readers = excluded.readers, cars = excluded.cars, answered_by = excluded.answered_by,"
        " answered_at = excluded.answered_at",
        (meeting_id, library_id, librarians, readers, cars, answered_by, now_db()),
    )


# --- invited people and their answers ------------------------------------------------------


async def set_invitees(tx: Tx, meeting_id: int, invitees: dict[int, str]) -> None:
    """``invitees`` maps person id to source ('library' or 'person'); answers are kept."""
    wanted = json.dumps(sorted(invitees))
    await tx.execute(
        "DELETE FROM meeting_invitees WHERE meeting_id = ?"
        " AND person_id NOT IN (SELECT value FROM json_each(?))",
        (meeting_id, wanted),
    )
    now = now_db()
    await tx.executemany(
        "INSERT INTO meeting_invitees (meeting_id, person_id, source, invited_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (meeting_id, person_id) DO UPDATE SET"
        " source = excluded.source",
        [(meeting_id, person_id, source, now) for person_id, source in invitees.items()],
    )


async def list_invitees(db: Reader | Tx, meeting_id: int) -> list[Row]:
    return await db.fetch_all(
        "SELECT i.*, p.full_name, p.email, p.language, p.timezone, p.library_id,"
        " COALESCE(l.name, '') AS library_name FROM meeting_invitees i"
        " JOIN persons p ON p.id = i.person_id LEFT JOIN libraries l ON l.id = p.library_id"
        " WHERE i.meeting_id = ? AND p.active = 1 ORDER BY library_name, p.full_name",
        (meeting_id,),
    )


async def get_invitee(db: Reader | Tx, meeting_id: int, person_id: int) -> Row | None:
    return await db.fetch_one(
        "SELECT * FROM meeting_invitees WHERE meeting_id = ? AND person_id = ?",
        (meeting_id, person_id),
    )


async def set_rsvp(tx: Tx, meeting_id: int, person_id: int, answer: str) -> None:
    now = now_db()
    await tx.execute(
        "INSERT INTO meeting_invitees (meeting_id, person_id, source, rsvp, rsvp_at, invited_at)"
        " VALUES (?, ?, 'library', ?, ?, ?) ON CONFLICT (meeting_id, person_id) DO UPDATE SET"
        " rsvp = excluded.rsvp, rsvp_at = excluded.rsvp_at",
        (meeting_id, person_id, answer, now, now),
    )


async def set_date_rsvp(
    tx: Tx, meeting_id: int, person_id: int, original: datetime, answer: str
) -> None:
    await tx.execute(
        "INSERT INTO meeting_date_answers (meeting_id, person_id, original_start, rsvp, rsvp_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (meeting_id, original_start, person_id) DO UPDATE"
        " SET rsvp = excluded.rsvp, rsvp_at = excluded.rsvp_at",
        (meeting_id, person_id, to_db(original), answer, now_db()),
    )


async def clear_date_rsvps(tx: Tx, meeting_id: int, person_id: int) -> None:
    await tx.execute(
        "DELETE FROM meeting_date_answers WHERE meeting_id = ? AND person_id = ?",
        (meeting_id, person_id),
    )


async def spanning(
    db: Reader | Tx, meeting_ids: list[int], start: datetime, end: datetime
) -> list[Meeting]:
    """Of these meetings, the scheduled ones whose span (first start to last end) meets
    [start, end): the only ones that can have a date then."""
    rows = await db.fetch_all(
        _SELECT + " WHERE m.status = 'scheduled' AND m.id IN (SELECT value FROM json_each(:ids))"
        " AND COALESCE(m.span_start_at, m.starts_at) < :end"
        " AND COALESCE(m.span_end_at, m.ends_at) > :start",
        {"ids": json.dumps(sorted(set(meeting_ids))), "start": to_db(start), "end": to_db(end)},
    )
    return await _complete(db, rows)


async def answers_of(
    db: Reader | Tx, person_id: int, meeting_ids: list[int]
) -> tuple[dict[int, str], dict[tuple[int, datetime], str]]:
    """One person's answers: per meeting (the series), and per date where they differ."""
    ids = json.dumps(sorted(set(meeting_ids)))
    series = await db.fetch_all(
        "SELECT meeting_id, rsvp FROM meeting_invitees WHERE person_id = ?"
        " AND meeting_id IN (SELECT value FROM json_each(?))",
        (person_id, ids),
    )
    dates = await db.fetch_all(
        "SELECT meeting_id, original_start, rsvp FROM meeting_date_answers WHERE person_id = ?"
        " AND meeting_id IN (SELECT value FROM json_each(?))",
        (person_id, ids),
    )
    return (
        {r["meeting_id"]: r["rsvp"] for r in series},
        {(r["meeting_id"], from_db(r["original_start"])): r["rsvp"] for r in dates},
    )


async def date_rsvps(db: Reader | Tx, meeting_id: int) -> dict[datetime, dict[int, str]]:
    """Per date (original start, UTC): person id -> the answer that differs from the series."""
    rows = await db.fetch_all(
        "SELECT original_start, person_id, rsvp FROM meeting_date_answers WHERE meeting_id = ?",
        (meeting_id,),
    )
    found: dict[datetime, dict[int, str]] = {}
    for row in rows:
        found.setdefault(from_db(row["original_start"]), {})[row["person_id"]] = row["rsvp"]
    return found


async def drop_date_rsvps(tx: Tx, meeting_id: int, originals: list[datetime]) -> None:
    """Forgets the answers for dates the series no longer has."""
    await tx.executemany(
        "DELETE FROM meeting_date_answers WHERE meeting_id = ? AND original_start = ?",
        [(meeting_id, to_db(original)) for original in originals],
    )


async def set_guest_rsvp(tx: Tx, invitation_id: int, answer: str) -> None:
    await tx.execute(
        "UPDATE guest_invitations SET rsvp = ?, rsvp_at = ? WHERE id = ?",
        (answer, now_db(), invitation_id),
    )


async def set_guest_language(tx: Tx, invitation_id: int, language: str) -> None:
    await tx.execute(
        "UPDATE guest_invitations SET language = ? WHERE id = ?", (language, invitation_id)
    )


async def active_people_of_libraries(db: Reader | Tx, library_ids: Iterable[int]) -> list[Row]:
    return await db.fetch_all(
        "SELECT id, full_name, email, library_id, role FROM persons WHERE active = 1"
        " AND library_id IN (SELECT value FROM json_each(?)) ORDER BY full_name",
        (json.dumps(sorted(set(library_ids))),),
    )


async def never_attended(db: Reader | Tx, person_ids: Iterable[int]) -> set[int]:
    """Of these people, those who have never been present in any session."""
    rows = await db.fetch_all(
        "SELECT value AS id FROM json_each(?)"
        " WHERE value NOT IN (SELECT person_id FROM attendance WHERE person_id IS NOT NULL)",
        (json.dumps(sorted(set(person_ids))),),
    )
    return {r["id"] for r in rows}


async def upcoming_with_reminders(db: Reader | Tx, start: datetime, end: datetime) -> list[Meeting]:
    """Scheduled meetings with an occurrence starting in [start, end) (reminder scan)."""
    rows = await db.fetch_all(
        _SELECT + " WHERE m.status = 'scheduled' AND" + _WINDOW + " ORDER BY m.id",
        {"start": to_db(start), "end": to_db(end)},
    )
    return await _complete(db, rows)
