"""Guest invitations: links scoped to one meeting, revocable, expiring."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from meetings_hub.actions import session
from meetings_hub.actions.access import not_found_unless, scope_of
from meetings_hub.actions.access_events import access_changed
from meetings_hub.actions.validate import FieldErrors
from meetings_hub.domain import Actor, GuestCategory
from meetings_hub.errors import Forbidden
from meetings_hub.hub import Hub
from meetings_hub.storage import guests, meetings, sessions
from meetings_hub.storage.db import Tx
from meetings_hub.storage.timefmt import from_db


class GuestInvitationInput(msgspec.Struct, forbid_unknown_fields=True):
    email: str = ""
    name: str = ""
    category: GuestCategory = GuestCategory.OTHER


async def check_manages_meeting(tx: Tx, actor: Actor, meeting_id: int) -> dict[str, object]:
    scope = await scope_of(tx, actor)
    meeting = await meetings.get_core(tx, meeting_id)
    not_found_unless(meeting is not None and scope.sees_network(meeting["network_id"]), "Meeting")
    assert meeting is not None
    is_creator = actor.person is not None and meeting["created_by"] == actor.person.id
    if not (scope.manages_network(meeting["network_id"]) or is_creator):
        raise Forbidden(
            "Only the meeting's organiser, its lead library or a coordinator may do this."
        )
    return dict(meeting)


async def create_invitation(
    hub: Hub, actor: Actor, meeting_id: int, data: GuestInvitationInput
) -> dict[str, object]:
    errors = FieldErrors()
    if data.email:
        errors.email("email", data.email)
    errors.text("name", data.name, required=False, max_len=100)
    errors.raise_if_any()
    async with hub.db.write() as tx:
        meeting = await check_manages_meeting(tx, actor, meeting_id)
        expires_at = from_db(str(meeting["ends_at"])) + timedelta(days=hub.settings.guest_link_days)
        invitation_id = await guests.insert_invitation(
            tx,
            meeting_id=meeting_id,
            email=data.email.strip(),
            name=data.name.strip(),
            category=data.category.value,
            created_by=actor.person.id if actor.person else None,
            expires_at=expires_at,
        )
    token = session.guest_link_token(hub, invitation_id, meeting_id)
    return {
        "id": invitation_id,
        "meeting_id": meeting_id,
        "email": data.email,
        "name": data.name,
        "category": data.category.value,
        "expires_at": expires_at,
        "link": hub.url(f"/guest/{token}"),
    }


async def revoke_invitation(hub: Hub, actor: Actor, meeting_id: int, invitation_id: int) -> None:
    """Withdraws the link and ends the sessions of every guest who came through it."""
    async with hub.db.write() as tx:
        await check_manages_meeting(tx, actor, meeting_id)
        invitation = await guests.get_invitation(tx, invitation_id)
        not_found_unless(
            invitation is not None and invitation["meeting_id"] == meeting_id, "Invitation"
        )
        await guests.revoke_invitation(tx, invitation_id)
        for guest_id in await guests.guest_ids_for_invitation(tx, invitation_id):
            await sessions.revoke_all_for_guest(tx, guest_id)
            tx.after_commit(access_changed(hub, who=f"g:{guest_id}"))
