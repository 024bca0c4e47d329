"""Feedback after a session date: who is asked, the signed one-click link, and the answer.

Everyone who attended a date (librarians and guests) is asked once when it ends, by email (a
signed link that works without signing in, like the RSVP link) and by a card in the room; a
reminder goes once, two days later, to those who have not answered. Answers may be changed
until seven days after the date; a guest may answer anonymously, and then the answer row keeps
neither her id nor the time of day (see migration 0018), so it cannot be edited later either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import msgspec

from meetings_hub import auth
from meetings_hub.actions.feedback_options import (
    ADVANTAGES,
    DIFFICULTIES,
    MAX_COMMENT,
    MAX_PLAN_TEXT,
    MAX_PLANS,
    OUTCOMES,
    PLAN_KINDS,
)
from meetings_hub.actions.validate import FieldErrors, Int
from meetings_hub.domain import Actor
from meetings_hub.errors import NotFound, ValidationFailed
from meetings_hub.hub import Hub
from meetings_hub.scheduling.model import Meeting
from meetings_hub.scheduling.recurrence import Occurrence
from meetings_hub.storage import feedback as store
from meetings_hub.storage import scheduling as meetings_store
from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import from_db, now_utc, to_db

PURPOSE = "feedback"
# Answers may be given and changed until this long after the date ended.
OPEN_FOR = timedelta(days=7)


class PlanInput(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    text: str = ""
    date: date | None = None


class FeedbackInput(msgspec.Struct, forbid_unknown_fields=True):
    outcomes: list[str] = []
    advantages: list[str] = []
    difficulties: list[str] = []
    difficulty_other: str = ""
    plans: list[PlanInput] = []
    rating: Int | None = None
    comment: str = ""
    may_quote: bool = False
    # Guests only: store the answer without any link to the guest.
    anonymous: bool = False


class FeedbackFormView(msgspec.Struct):
    meeting_id: int
    title: str
    start: datetime
    end: datetime
    timezone: str
    guest: bool
    closes_at: datetime
    open: bool
    answered: bool
    # The guest answered anonymously: nothing of it can be shown or changed.
    answered_anonymously: bool
    answer: FeedbackInput | None


@dataclass(frozen=True)
class Target:
    meeting_id: int
    original_start: datetime
    person_id: int | None = None
    guest_id: int | None = None


def token(hub: Hub, target: Target, closes_at: datetime) -> str:
    payload: dict[str, int | str] = {
        "m": target.meeting_id,
        "o": to_db(target.original_start),
        "x": int(closes_at.timestamp()),
    }
    if target.person_id is not None:
        payload["p"] = target.person_id
    if target.guest_id is not None:
        payload["g"] = target.guest_id
    return auth.sign(hub.secret, PURPOSE, payload)


def link(hub: Hub, target: Target, closes_at: datetime, *, absolute: bool = True) -> str:
    path = f"/feedback/{token(hub, target, closes_at)}"
    return hub.url(path) if absolute else path


def read_token(hub: Hub, raw: str) -> Target:
    """The target of a genuine token; 404 otherwise. Expiry is checked against the request
    row (the one place that says until when answers are open)."""
    payload = auth.unsign(hub.secret, PURPOSE, raw)
    bad = NotFound("This feedback link is not valid.", code="invalid_feedback_link")
    if payload is None:
        raise bad
    meeting_id, original, person_id, guest_id = (payload.get(k) for k in ("m", "o", "p", "g"))
    if not isinstance(meeting_id, int) or not isinstance(original, str):
        raise bad
    if isinstance(person_id, int) == isinstance(guest_id, int):
        raise bad
    try:
        start = from_db(original)
    except ValueError:
        raise bad from None
    return Target(
        meeting_id,
        start,
        person_id if isinstance(person_id, int) else None,
        guest_id if isinstance(guest_id, int) else None,
    )


async def _request_for(db: Reader | Tx, target: Target) -> Row:
    row = await store.get_request(
        db,
        target.meeting_id,
        target.original_start,
        person_id=target.person_id,
        guest_id=target.guest_id,
    )
    if row is None:
        raise NotFound("This feedback link is not valid.", code="invalid_feedback_link")
    return row


def _input_of(row: Row, plans: list[Row]) -> FeedbackInput:
    return FeedbackInput(
        outcomes=msgspec.json.decode(row["outcomes"]),
        advantages=msgspec.json.decode(row["advantages"]),
        difficulties=msgspec.json.decode(row["difficulties"]),
        difficulty_other=row["difficulty_other"],
        plans=[
            PlanInput(
                p["kind"],
                p["text"],
                date.fromisoformat(p["planned_on"]) if p["planned_on"] else None,
            )
            for p in plans
        ],
        rating=row["rating"],
        comment=row["comment"],
        may_quote=bool(row["may_quote"]),
    )


async def _view(db: Reader | Tx, target: Target, request: Row) -> FeedbackFormView:
    meeting = await meetings_store.get(db, target.meeting_id)
    if meeting is None:
        raise NotFound("This feedback link is not valid.", code="invalid_feedback_link")
    occ = occurrence_of(meeting, target.original_start)
    answer_row = await store.get_answer(
        db,
        target.meeting_id,
        target.original_start,
        person_id=target.person_id,
        guest_id=target.guest_id,
    )
    answer = None
    if answer_row is not None:
        answer = _input_of(answer_row, await store.plans_of(db, answer_row["id"]))
    closes_at = from_db(request["closes_at"])
    answered = request["answered_on"] is not None
    return FeedbackFormView(
        meeting_id=meeting.id,
        title=(occ.title if occ and occ.title else None) or meeting.title,
        start=occ.start if occ else target.original_start,
        end=occ.end if occ else target.original_start,
        timezone=meeting.timezone,
        guest=target.guest_id is not None,
        closes_at=closes_at,
        open=now_utc() < closes_at,
        answered=answered,
        answered_anonymously=answered and answer is None,
        answer=answer,
    )


def occurrence_of(meeting: Meeting, original_start: datetime) -> Occurrence | None:
    window = (original_start - timedelta(days=1), original_start + timedelta(days=400))
    for occ in meeting.occurrences(*window):
        if occ.original_start == original_start:
            return occ
    return None


async def form(hub: Hub, raw: str) -> FeedbackFormView:
    """What the one-click page shows: the date and this person's answer so far."""
    target = read_token(hub, raw)
    async with hub.db.read() as reader:
        return await _view(reader, target, await _request_for(reader, target))


def check_input(body: FeedbackInput, *, guest: bool) -> None:
    errors = FieldErrors()
    for name, allowed in (
        ("outcomes", OUTCOMES),
        ("advantages", ADVANTAGES),
        ("difficulties", DIFFICULTIES),
    ):
        values = getattr(body, name)
        if len(values) != len(set(values)) or any(v not in allowed for v in values):
            errors.add(name, "Unknown or repeated choice.")
    errors.text("difficulty_other", body.difficulty_other, required=False, max_len=MAX_PLAN_TEXT)
    if body.difficulty_other.strip() and "other" not in body.difficulties:
        errors.add("difficulty_other", "Tick 'other' to describe another difficulty.")
    if len(body.plans) > MAX_PLANS:
        errors.add("plans", f"At most {MAX_PLANS} plans.")
    for plan in body.plans:
        if plan.kind not in PLAN_KINDS:
            errors.add("plans", "Unknown kind of plan.")
        errors.text("plans", plan.text, required=plan.kind == "other", max_len=MAX_PLAN_TEXT)
    if body.rating is not None and not 1 <= body.rating <= 5:
        errors.add("rating", "A whole number from 1 to 5.")
    errors.text("comment", body.comment, required=False, max_len=MAX_COMMENT, multiline=True)
    if body.anonymous and not guest:
        errors.add("anonymous", "Only guests may answer anonymously.")
    errors.raise_if_any()


async def submit(hub: Hub, raw: str, body: FeedbackInput) -> FeedbackFormView:
    target = read_token(hub, raw)
    check_input(body, guest=target.guest_id is not None)
    async with hub.db.write() as tx:
        request = await _request_for(tx, target)
        if now_utc() >= from_db(request["closes_at"]):
            raise ValidationFailed("Answers to this date are closed.", details={"status": "closed"})
        existing = await store.get_answer(
            tx,
            target.meeting_id,
            target.original_start,
            person_id=target.person_id,
            guest_id=target.guest_id,
        )
        if request["answered_on"] is not None and existing is None:
            raise ValidationFailed(
                "This date was answered anonymously; it cannot be changed.",
                details={"status": "answered_anonymously"},
            )
        if existing is not None and body.anonymous:
            raise ValidationFailed(
                "An answer given with your name stays with it.",
                details={"anonymous": "An answer given with your name stays with it."},
            )
        anonymous = body.anonymous and target.guest_id is not None
        today = now_utc().date()
        answer_id = await store.save_answer(
            tx,
            {
                "meeting_id": target.meeting_id,
                "original_start": to_db(target.original_start),
                "person_id": target.person_id,
                "guest_id": None if anonymous else target.guest_id,
                "respondent": "anonymous"
                if anonymous
                else ("guest" if target.guest_id is not None else "librarian"),
                "outcomes": body.outcomes,
                "advantages": body.advantages,
                "difficulties": body.difficulties,
                "difficulty_other": body.difficulty_other.strip()
                if "other" in body.difficulties
                else "",
                "rating": body.rating,
                "comment": body.comment.strip(),
                "may_quote": int(body.may_quote),
                "answered_on": today.isoformat(),
            },
            existing["id"] if existing is not None else None,
        )
        for plan in body.plans:
            await store.add_plan(tx, answer_id, plan.kind, plan.text.strip(), plan.date)
        await store.mark_answered(tx, request["id"], today)
        return await _view(tx, target, await _request_for(tx, target))


async def room_card(hub: Hub, actor: Actor, meeting_id: int | None) -> dict[str, Any] | None:
    """The room's card: a link to the newest date of this meeting the person attended and has
    not answered yet, while answers are open; None when there is nothing to ask."""
    if meeting_id is None or actor.is_anonymous:
        return None
    person_id = actor.person.id if actor.person else None
    guest_id = actor.guest.id if actor.guest else None
    async with hub.db.read() as reader:
        rows = await store.open_requests_of(
            reader, meeting_id, person_id=person_id, guest_id=guest_id, now=now_utc()
        )
    if not rows:
        return None
    row = rows[0]
    target = Target(meeting_id, from_db(row["original_start"]), person_id, guest_id)
    return {
        "url": link(hub, target, from_db(row["closes_at"]), absolute=False),
        "original_start": target.original_start,
        "key": f"{meeting_id}:{row['original_start']}",
    }
