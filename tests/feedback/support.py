"""Feedback test helpers: held sessions with attendance, guests, and the mailed links."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from meetings_hub.actions.scheduling import ScheduleInput, schedule
from meetings_hub.domain import Actor, GuestCategory
from meetings_hub.hub import Hub
from meetings_hub.storage import guests, people
from meetings_hub.storage.timefmt import to_db


async def person_id(hub: Hub, email: str) -> int:
    async with hub.db.read() as reader:
        person = await people.get_by_email(reader, email)
    assert person is not None, email
    return person.id


async def held_session(
    hub: Hub,
    organiser: str,
    start: datetime,
    *,
    minutes: int = 60,
    kind: str = "online",
    title: str = "Spotkanie po ankiecie",
    network_id: int | None = None,
) -> dict[str, Any]:
    """A session scheduled by ``organiser`` (through the real action) at ``start``; returns
    {"meeting_id", "room_id"}."""
    async with hub.db.read() as reader:
        lead = await people.get_by_email(reader, organiser)
    assert lead is not None
    meeting_id = await schedule(
        hub,
        Actor(person=lead),
        ScheduleInput(
            title=title,
            start=start,
            duration_minutes=minutes,
            kind=kind,
            network_id=network_id,
            address="ul. Szkolna 1" if kind == "in_person" else "",
        ),
    )
    async with hub.db.read() as reader:
        room = await reader.fetch_one("SELECT id FROM rooms WHERE meeting_id = ?", (meeting_id,))
    return {"meeting_id": meeting_id, "room_id": room["id"] if room else None}


async def add_guest(
    hub: Hub, meeting_id: int, email: str, name: str, category: str = "local_authority"
) -> int:
    async with hub.db.write() as tx:
        invitation = await guests.insert_invitation(
            tx,
            meeting_id=meeting_id,
            email=email,
            name=name,
            category=category,
            created_by=None,
            expires_at=datetime.now().astimezone() + timedelta(days=30),
        )
        return await guests.insert_guest(
            tx,
            invitation_id=invitation,
            meeting_id=meeting_id,
            name=name,
            category=GuestCategory(category),
        )


async def attend(
    hub: Hub,
    room_id: int,
    meeting_id: int,
    joined: datetime,
    left: datetime | None,
    *,
    person: int | None = None,
    guest: int | None = None,
) -> None:
    async with hub.db.write() as tx:
        await tx.execute(
            "INSERT INTO attendance (room_id, meeting_id, person_id, guest_id, joined_at, left_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (room_id, meeting_id, person, guest, to_db(joined), to_db(left) if left else None),
        )


async def outbox_rows(hub: Hub, kind: str) -> list[Any]:
    async with hub.db.read() as reader:
        return await reader.fetch_all(
            "SELECT recipient, subject, body_text, dedupe_key FROM outbox WHERE kind = ?"
            " ORDER BY id",
            (kind,),
        )


def link_in(body_text: str) -> str:
    """The path of the feedback link in a mail's text."""
    found = re.search(r"https?://[^/\s]+(/feedback/[\w.\-]+)", body_text)
    assert found, body_text
    return found.group(1)
