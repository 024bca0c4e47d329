"""What the data-protection tests share: a guest with a name, an address and a message."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from meetings_hub.domain import GuestCategory, Window
from meetings_hub.storage import chat, guests, outbox
from meetings_hub.storage.chat import NewMessage
from meetings_hub.storage.timefmt import now_utc
from tests.route_cases import World

GUEST_NAME = "Alicja Gościńska"
GUEST_EMAIL = "alicja.goscinska@example.net"


@dataclass
class NamedGuest:
    guest_id: int
    invitation_id: int
    message_id: int


async def post(world: World, room_id: int, who: str, name: str, text: str) -> int:
    """A message stored as the chat's group commit stores it."""
    kind, number = who.split(":")
    item = NewMessage(
        room_id=room_id,
        client_msg_id=uuid.uuid4().hex,
        author=who,
        author_name=name,
        person_id=int(number) if kind == "p" else None,
        guest_id=int(number) if kind == "g" else None,
        session_id=None,
        kind="text",
        text=text,
        body=None,
    )
    window = Window(timedelta(days=3650), timedelta(days=3650))
    stored = await world.hub.db.write_in_thread(
        lambda conn: chat.commit_batch(conn, [item], now_utc(), window)
    )
    assert stored[0].message is not None, stored[0]
    return int(stored[0].message["id"])


async def named_guest(world: World) -> NamedGuest:
    """A guest of the world's meeting, invited by email (mail in the outbox), who wrote in the
    meeting's room."""
    meeting_id = world.ids["meeting_id"]
    async with world.hub.db.write() as tx:
        invitation_id = await guests.insert_invitation(
            tx,
            meeting_id=meeting_id,
            email=GUEST_EMAIL,
            name=GUEST_NAME,
            category=GuestCategory.NGO.value,
            created_by=world.ids["lead_person_id"],
            expires_at=now_utc() + timedelta(days=30),
        )
        guest_id = await guests.insert_guest(
            tx,
            invitation_id=invitation_id,
            meeting_id=meeting_id,
            name=GUEST_NAME,
            category=GuestCategory.NGO,
        )
        await outbox.insert(
            tx,
            message_id=f"<{uuid.uuid4().hex}@test>",
            dedupe_key=None,
            kind="guest_invitation",
            recipient=GUEST_EMAIL,
            subject="Zaproszenie",
            body_text=f"Dzień dobry, {GUEST_NAME}!",
            raw=f"To: {GUEST_EMAIL}\r\n\r\nDzień dobry, {GUEST_NAME}!".encode(),
        )
        room = await tx.fetch_one("SELECT id FROM rooms WHERE meeting_id = ?", (meeting_id,))
    assert room is not None
    message_id = await post(world, room["id"], f"g:{guest_id}", GUEST_NAME, "Dzień dobry")
    return NamedGuest(guest_id, invitation_id, message_id)
