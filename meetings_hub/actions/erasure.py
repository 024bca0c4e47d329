"""Erasure of a person or a guest (RODO art. 17), by a coordinator; a person may ask for her
own, which a coordinator then confirms (erases) or declines.

A person's account is anonymised, not deleted: "Usunięty użytkownik #12", no address, no
password, no sessions. Its id keeps attendance, answers and savings records counted, so the
programme's report totals do not change; nothing there names her any more. Her messages
become "[usunięto]" or stay with the author anonymised (``erasure_messages``); files she shared
follow the room's retention, under the anonymised name. A guest becomes "Gość #7" (the category
stays for the report) and the link stops working. Erasing twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from meetings_hub.actions import audit
from meetings_hub.actions.access import not_found_unless, require_coordinator, require_person
from meetings_hub.actions.access_events import access_changed
from meetings_hub.domain import Actor
from meetings_hub.errors import Conflict
from meetings_hub.hub import Hub
from meetings_hub.settings import Settings
from meetings_hub.storage import privacy
from meetings_hub.storage.db import Tx
from meetings_hub.storage.timefmt import from_db, now_db, now_utc

MESSAGE_MODES = ("redact", "keep")


class Erased(msgspec.Struct):
    who: str  # "p:12" / "g:7"
    name: str  # the anonymised name now shown
    messages: str  # "redact" or "keep"


class ErasureRequestOut(msgspec.Struct):
    id: int
    person_id: int
    name: str
    status: str
    requested_at: datetime


def check_settings(settings: Settings) -> str:
    mode = settings.erasure_messages
    if mode not in MESSAGE_MODES:
        raise ValueError(f"erasure_messages must be one of {MESSAGE_MODES}, not {mode!r}")
    return mode


def _mode(hub: Hub) -> str:
    return check_settings(hub.settings)


def _delete_files(hub: Hub, names: list[str]) -> None:
    for name in names:
        (hub.settings.data_dir / "exports" / name).unlink(missing_ok=True)


async def _finish_requests(tx: Tx, actor: Actor, person_id: int, status: str) -> None:
    assert actor.person is not None
    await tx.execute(
        "UPDATE erasure_requests SET status = ?, decided_by = ?, decided_at = ?"
        " WHERE person_id = ? AND status = 'pending'",
        (status, actor.person.id, now_db(), person_id),
    )


async def erase_person(
    hub: Hub, actor: Actor, person_id: int, *, now: datetime | None = None
) -> Erased:
    require_coordinator(actor)
    assert actor.person is not None
    mode = _mode(hub)
    if person_id == actor.person.id:
        raise Conflict("You cannot erase your own account; ask another coordinator.")
    now = now or now_utc()
    async with hub.db.write() as tx:
        row = await tx.fetch_one(
            "SELECT full_name, email, erased_at FROM persons WHERE id = ?", (person_id,)
        )
        not_found_unless(row is not None, "Person")
        assert row is not None
        if row["erased_at"] is None:
            for text in (row["full_name"], row["email"]):
                await privacy.scrub_mail_naming(tx, text)
            await privacy.anonymise_person(tx, person_id, row["email"], now)
        if mode == "redact":
            await privacy.redact_messages(tx, f"p:{person_id}")
        files = await privacy.export_files_of(tx, person_id=person_id, guest_id=None)
        await privacy.compact_search_index(tx)
        await _finish_requests(tx, actor, person_id, "done")
        await audit.record(tx, actor, "data.erase", f"person:{person_id}", {"messages": mode})
        tx.after_commit(access_changed(hub, who=f"p:{person_id}"))
    _delete_files(hub, files)
    await hub.db.checkpoint()
    return Erased(f"p:{person_id}", privacy.person_label(person_id), mode)


async def erase_guest(hub: Hub, actor: Actor, guest_id: int) -> Erased:
    require_coordinator(actor)
    mode = _mode(hub)
    async with hub.db.write() as tx:
        row = await tx.fetch_one(
            "SELECT g.name, i.name AS invited, i.email FROM guests g"
            " JOIN guest_invitations i ON i.id = g.invitation_id WHERE g.id = ?",
            (guest_id,),
        )
        not_found_unless(row is not None, "Guest")
        assert row is not None
        for text in (row["name"], row["invited"], row["email"]):
            if text and text != privacy.guest_label(guest_id):
                await privacy.scrub_mail_naming(tx, text)
        await privacy.forget_guest(tx, guest_id)
        if mode == "redact":
            await privacy.redact_messages(tx, f"g:{guest_id}")
        await privacy.compact_search_index(tx)
        files = await privacy.export_files_of(tx, person_id=None, guest_id=guest_id)
        await audit.record(tx, actor, "data.erase", f"guest:{guest_id}", {"messages": mode})
        tx.after_commit(access_changed(hub, who=f"g:{guest_id}"))
    _delete_files(hub, files)
    await hub.db.checkpoint()
    return Erased(f"g:{guest_id}", privacy.guest_label(guest_id), mode)


async def request_own_erasure(hub: Hub, actor: Actor) -> ErasureRequestOut:
    """A person asks for her own erasure; asking again while one waits answers that one."""
    require_person(actor)
    assert actor.person is not None
    async with hub.db.write() as tx:
        await tx.execute(
            "INSERT INTO erasure_requests (person_id, requested_at) VALUES (?, ?)"
            " ON CONFLICT (person_id) WHERE status = 'pending' DO NOTHING",
            (actor.person.id, now_db()),
        )
        row = await tx.fetch_one(
            "SELECT r.*, p.full_name FROM erasure_requests r JOIN persons p ON p.id = r.person_id"
            " WHERE r.person_id = ? AND r.status = 'pending'",
            (actor.person.id,),
        )
        await audit.record(tx, actor, "erasure.request", f"person:{actor.person.id}")
    assert row is not None
    return _request_out(row)


def _request_out(row: object) -> ErasureRequestOut:
    return ErasureRequestOut(
        id=row["id"],  # type: ignore[index]
        person_id=row["person_id"],  # type: ignore[index]
        name=row["full_name"],  # type: ignore[index]
        status=row["status"],  # type: ignore[index]
        requested_at=from_db(row["requested_at"]),  # type: ignore[index]
    )


async def pending_requests(hub: Hub, actor: Actor) -> list[ErasureRequestOut]:
    require_coordinator(actor)
    async with hub.db.read() as reader:
        rows = await reader.fetch_all(
            "SELECT r.*, p.full_name FROM erasure_requests r JOIN persons p ON p.id = r.person_id"
            " WHERE r.status = 'pending' ORDER BY r.id"
        )
    return [_request_out(r) for r in rows]


async def my_pending_request(hub: Hub, actor: Actor) -> bool:
    require_person(actor)
    assert actor.person is not None
    row = await hub.db.fetch_one(
        "SELECT 1 FROM erasure_requests WHERE person_id = ? AND status = 'pending'",
        (actor.person.id,),
    )
    return row is not None


async def decline_request(hub: Hub, actor: Actor, request_id: int) -> None:
    require_coordinator(actor)
    async with hub.db.write() as tx:
        row = await tx.fetch_one(
            "SELECT person_id, status FROM erasure_requests WHERE id = ?", (request_id,)
        )
        not_found_unless(row is not None, "Erasure request")
        assert row is not None
        if row["status"] != "pending":
            raise Conflict("This request was decided already.")
        await _finish_requests(tx, actor, row["person_id"], "declined")
        await audit.record(tx, actor, "erasure.decline", f"person:{row['person_id']}")
