"""Feedback requests, answers and joint plans: raw SQL (migration 0018)."""

from __future__ import annotations

import json
from datetime import date, datetime

from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import now_db, to_db


async def add_request(
    tx: Tx,
    *,
    meeting_id: int,
    original_start: datetime,
    person_id: int | None,
    guest_id: int | None,
    closes_at: datetime,
) -> bool:
    """Records that this person was asked; False when she had been asked before."""
    count = await tx.execute_rowcount(
        "INSERT INTO feedback_requests (meeting_id, original_start, person_id, guest_id,"
        " asked_at, closes_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (meeting_id, to_db(original_start), person_id, guest_id, now_db(), to_db(closes_at)),
    )
    return count > 0


async def was_asked(db: Reader | Tx, meeting_id: int, original_start: datetime) -> bool:
    row = await db.fetch_one(
        "SELECT 1 FROM feedback_requests WHERE meeting_id = ? AND original_start = ? LIMIT 1",
        (meeting_id, to_db(original_start)),
    )
    return row is not None


async def get_request(
    db: Reader | Tx,
    meeting_id: int,
    original_start: datetime,
    *,
    person_id: int | None,
    guest_id: int | None,
) -> Row | None:
    return await db.fetch_one(
        "SELECT * FROM feedback_requests WHERE meeting_id = ? AND original_start = ?"
        " AND (person_id = ? OR guest_id = ?)",
        (meeting_id, to_db(original_start), person_id, guest_id),
    )


async def mark_answered(tx: Tx, request_id: int, on: date) -> None:
    await tx.execute(
        "UPDATE feedback_requests SET answered_on = COALESCE(answered_on, ?) WHERE id = ?",
        (on.isoformat(), request_id),
    )


async def due_reminders(db: Reader | Tx, asked_before: datetime, now: datetime) -> list[Row]:
    """Open requests never answered nor reminded, asked before ``asked_before``."""
    return await db.fetch_all(
        "SELECT * FROM feedback_requests WHERE answered_on IS NULL AND reminded_at IS NULL"
        " AND asked_at <= ? AND closes_at > ? ORDER BY id",
        (to_db(asked_before), to_db(now)),
    )


async def mark_reminded(tx: Tx, request_id: int) -> None:
    await tx.execute(
        "UPDATE feedback_requests SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL",
        (now_db(), request_id),
    )


async def open_requests_of(
    db: Reader | Tx, meeting_id: int, *, person_id: int | None, guest_id: int | None, now: datetime
) -> list[Row]:
    """This person's unanswered, still open requests for the meeting's dates, newest first."""
    return await db.fetch_all(
        "SELECT * FROM feedback_requests WHERE meeting_id = ?"
        " AND (person_id = ? OR guest_id = ?)"
        " AND answered_on IS NULL AND closes_at > ? ORDER BY original_start DESC",
        (meeting_id, person_id, guest_id, to_db(now)),
    )


async def get_answer(
    db: Reader | Tx,
    meeting_id: int,
    original_start: datetime,
    *,
    person_id: int | None,
    guest_id: int | None,
) -> Row | None:
    return await db.fetch_one(
        "SELECT * FROM feedback_answers WHERE meeting_id = ? AND original_start = ?"
        " AND (person_id = ? OR guest_id = ?)",
        (meeting_id, to_db(original_start), person_id, guest_id),
    )


async def save_answer(tx: Tx, values: dict[str, object], existing_id: int | None) -> int:
    """Inserts an answer, or replaces the fields of ``existing_id``; returns its id."""
    fields = {
        k: json.dumps(v) if isinstance(v, list) else v
        for k, v in values.items()
        if k
        in (
            "outcomes",
            "advantages",
            "difficulties",
            "difficulty_other",
            "rating",
            "comment",
            "may_quote",
        )
    }
    if existing_id is not None:
        await tx.execute(
            "UPDATE feedback_answers SET outcomes = :outcomes, advantages = :advantages,"
            " difficulties = :difficulties, difficulty_other = :difficulty_other,"
            " rating = :rating, comment = :comment, may_quote = :may_quote WHERE id = :id",
            {**fields, "id": existing_id},
        )
        await tx.execute("DELETE FROM feedback_plans WHERE answer_id = ?", (existing_id,))
        return existing_id
    return await tx.execute(
        "INSERT INTO feedback_answers (meeting_id, original_start, person_id, guest_id,"
        " respondent, outcomes, advantages, difficulties, difficulty_other, rating, comment,"
        " may_quote, answered_on) VALUES (:meeting_id, :original_start, :person_id, :guest_id,"
        " :respondent, :outcomes, :advantages, :difficulties, :difficulty_other, :rating,"
        " :comment, :may_quote, :answered_on)",
        {
            **fields,
            "meeting_id": values["meeting_id"],
            "original_start": values["original_start"],
            "person_id": values["person_id"],
            "guest_id": values["guest_id"],
            "respondent": values["respondent"],
            "answered_on": values["answered_on"],
        },
    )


async def add_plan(tx: Tx, answer_id: int, kind: str, text: str, planned_on: date | None) -> None:
    await tx.execute(
        "INSERT INTO feedback_plans (answer_id, kind, text, planned_on) VALUES (?, ?, ?, ?)",
        (answer_id, kind, text, planned_on.isoformat() if planned_on else None),
    )


async def plans_of(db: Reader | Tx, answer_id: int) -> list[Row]:
    return await db.fetch_all(
        "SELECT * FROM feedback_plans WHERE answer_id = ? ORDER BY id", (answer_id,)
    )


async def answers_for_report(
    db: Reader | Tx, network_ids: list[int] | None, start: datetime, end: datetime
) -> list[Row]:
    """Answers about dates in [start, end) of these networks' meetings (None: all), with the
    meeting's network. No person or guest column: the report never needs to know who."""
    params: dict[str, object] = {"start": to_db(start), "end": to_db(end)}
    where = ""
    if network_ids is not None:
        where = " AND m.network_id IN (SELECT value FROM json_each(:networks))"
        params["networks"] = json.dumps(sorted(network_ids))
    return await db.fetch_all(
        "SELECT a.id, a.meeting_id, a.original_start, a.outcomes, a.advantages, a.difficulties,"
        " a.rating, a.comment, a.may_quote, a.answered_on, m.network_id, m.title"
        " FROM feedback_answers a JOIN meetings m ON m.id = a.meeting_id"
        " WHERE a.original_start >= :start AND a.original_start < :end" + where,
        params,
    )


async def plans_for_answers(db: Reader | Tx, answer_ids: list[int]) -> list[Row]:
    return await db.fetch_all(
        "SELECT * FROM feedback_plans WHERE answer_id IN (SELECT value FROM json_each(?))"
        " ORDER BY id",
        (json.dumps(answer_ids),),
    )


async def room_ends(db: Reader | Tx, meeting_ids: list[int]) -> dict[int, str | None]:
    rows = await db.fetch_all(
        "SELECT meeting_id, ended_at FROM rooms WHERE meeting_id IN"
        " (SELECT value FROM json_each(?))",
        (json.dumps(meeting_ids),),
    )
    return {r["meeting_id"]: r["ended_at"] for r in rows}


async def network_messages(
    db: Reader | Tx, network_ids: list[int], start: datetime, end: datetime
) -> dict[int, dict[str, object]]:
    """Per network: messages in its network room in [start, end), and its last message ever
    (deleted messages count: someone was active)."""
    rows = await db.fetch_all(
        "SELECT r.network_id,"
        " SUM(CASE WHEN m.created_at >= ? AND m.created_at < ? THEN 1 ELSE 0 END) AS in_window,"
        " MAX(m.created_at) AS last_at"
        " FROM rooms r JOIN messages m ON m.room_id = r.id"
        " WHERE r.kind = 'network' AND r.network_id IN (SELECT value FROM json_each(?))"
        " GROUP BY r.network_id",
        (to_db(start), to_db(end), json.dumps(network_ids)),
    )
    return {r["network_id"]: {"in_window": r["in_window"], "last_at": r["last_at"]} for r in rows}


async def meetings_titled(db: Reader | Tx, network_ids: list[int]) -> list[Row]:
    """Meetings of these networks by lower-case title: what joint plans became."""
    return await db.fetch_all(
        "SELECT id, network_id, LOWER(title) AS title, created_at, status FROM meetings"
        " WHERE network_id IN (SELECT value FROM json_each(?))",
        (json.dumps(network_ids),),
    )


async def people_kinds(db: Reader | Tx, person_ids: list[int]) -> dict[int, Row]:
    rows = await db.fetch_all(
        "SELECT id, role, library_id FROM persons WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(person_ids),),
    )
    return {r["id"]: r for r in rows}


async def guest_categories(db: Reader | Tx, guest_ids: list[int]) -> dict[int, str]:
    rows = await db.fetch_all(
        "SELECT id, category FROM guests WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(guest_ids),),
    )
    return {r["id"]: r["category"] for r in rows}
