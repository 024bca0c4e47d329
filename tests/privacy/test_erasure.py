"""Erasure: after it, the person's name, address and who-key are nowhere they should not be —
in no table (search index included) and no file under data_dir — while the programme's
counts stay the same. Erasing twice changes nothing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from meetings_hub.storage import sessions
from meetings_hub.storage.timefmt import now_db
from tests.files.support import upload
from tests.foundation.walk_support import client_as, start_world
from tests.privacy.support import GUEST_EMAIL, GUEST_NAME, named_guest, post

V1 = "/api/v1"
# Where a who-key of an erased account may stay, and why: the message rows keep their author
# key (the account is anonymised, so it names nobody; threads and counts stay whole); the
# audit log names targets by id on purpose (RODO art. 5(2)); a frozen savings record counts
# her by the (anonymised) account, its name field rewritten.
WHO_KEY_ALLOWED = {
    ("savings_inputs", "inputs_json"),
    ("messages", "author"),
    ("messages", "deleted_by"),
    ("audit_log", "target"),
    ("audit_log", "detail"),
}


def dump_all(database: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, shadow tables of the search index included."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
            )
        ]
        return {
            t: [dict(r) for r in db.execute(f'SELECT * FROM "{t}"')]  # noqa: S608
            for t in tables
        }


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def places(dump: dict[str, list[dict[str, Any]]], needle: str) -> set[tuple[str, str]]:
    return {
        (table, column)
        for table, rows in dump.items()
        for row in rows
        for column, value in row.items()
        if value is not None and needle.lower() in _text(value).lower()
    }


def files_containing(folder: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {n!r}" for n in needles if n in data]
    return found


def totals(dump: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """What the programme's report counts: rows of attendance, answers, messages, files."""
    return {
        t: len(dump[t])
        for t in ("attendance", "meeting_invitees", "messages", "room_files", "guests", "persons")
    }


async def test_erasing_a_person_leaves_no_trace_and_keeps_the_counts(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    try:
        hub = world.hub
        pid = world.ids["colleague_person_id"]
        person = await hub.db.fetch_one("SELECT full_name, email FROM persons WHERE id = ?", (pid,))
        name, email = person["full_name"], person["email"]
        colleague = await client_as(server, world, "partner")  # same library: a second voice
        coordinator = await client_as(server, world, "coordinator")
        room = (await hub.db.fetch_one("SELECT id FROM rooms WHERE kind = 'network'"))["id"]
        session_room = world.ids.get("session_room_id") or room

        # Her traces: messages, a file, attendance, an answer, sign-ins, mail, presence.
        await post(world, room, f"p:{pid}", name, f"Pozdrawiam, {name}")
        await post(world, room, f"p:{world.ids['person_id']}", "Partnerka", "Odpowiedź")
        world.actors["colleague"] = ("person", pid)
        her = await client_as(server, world, "colleague")
        status, shared = await upload(her, room, "plan-warsztatow.pdf", b"%PDF-1.4 plan\n" * 20)
        assert status == 201, shared
        status, _ = await her.post(f"{V1}/exports", {})
        assert status == 201
        status, _ = await her.post(f"{V1}/erasure-requests", {})
        assert status == 201
        status, _again = await her.post(f"{V1}/erasure-requests", {})
        assert status == 201  # asking twice is one request
        async with hub.db.write() as tx:
            await tx.execute(
                "INSERT INTO attendance (room_id, meeting_id, person_id, joined_at, left_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (session_room, world.ids["meeting_id"], pid, now_db(), now_db()),
            )
            await tx.execute(
                "INSERT OR REPLACE INTO meeting_invitees (meeting_id, person_id, source, rsvp,"
                " rsvp_at, invited_at) VALUES (?, ?, 'person', 'accepted', ?, ?)",
                (world.ids["meeting_id"], pid, now_db(), now_db()),
            )
            await sessions.record_login_attempt(tx, email=email, client="10.1.1.1", succeeded=True)
            await tx.execute(
                "INSERT INTO chat_presence (who, status, description, updated_at)"
                " VALUES (?, 'busy', ?, ?)",
                (f"p:{pid}", f"{name} na urlopie", now_db()),
            )
            await tx.execute(
                "INSERT INTO feed_tokens (token, person_id, scope, created_at)"
                " VALUES ('tok-erase-test-0123456789', ?, 'person', ?)",
                (pid, now_db()),
            )
        status, _ = await coordinator.post(f"{V1}/people/{pid}/invite", {})
        for _ in range(200):  # her own export is built (a ZIP naming her, on disk)
            row = await hub.db.fetch_one(
                "SELECT status, file_name FROM data_exports WHERE person_id = ? ORDER BY id DESC",
                (pid,),
            )
            if row["status"] == "ready":
                break
            await asyncio.sleep(0.05)
        data_dir = server.settings.data_dir
        her_zip = data_dir / "exports" / row["file_name"]  # deflated: no names in clear
        assert her_zip.exists()
        before = dump_all(server.settings.sqlite_path)
        assert places(before, email) and places(before, name)

        status, erased = await coordinator.post(f"{V1}/people/{pid}/erase", {})
        assert status == 200, erased
        assert erased == {
            "who": f"p:{pid}",
            "name": f"Usunięty użytkownik #{pid}",
            "messages": "redact",
        }
        after = dump_all(server.settings.sqlite_path)
        assert places(after, email) == set(), places(after, email)
        assert places(after, name) == set(), places(after, name)
        assert places(after, f"p:{pid}") <= WHO_KEY_ALLOWED, places(after, f"p:{pid}")
        assert totals(after) == totals(before)
        texts = [m["text"] for m in after["messages"] if m["author"] == f"p:{pid}"]
        assert texts and set(texts) == {"[usunięto]"}
        assert next(m["author_name"] for m in after["messages"] if m["author"] == f"p:{pid}") == (
            f"Usunięty użytkownik #{pid}"
        )
        assert [r["status"] for r in after["erasure_requests"]] == ["done"]
        # No file under data_dir names her: the database and its WAL, exports, uploads.
        assert files_containing(data_dir, [email.encode(), name.encode()]) == []
        assert not her_zip.exists()
        # She cannot sign in; her sessions are gone.
        status, _ = await her.get(f"{V1}/me")
        assert status == 401

        status, twice = await coordinator.post(f"{V1}/people/{pid}/erase", {})
        assert status == 200 and twice == erased
        again_dump = dump_all(server.settings.sqlite_path)
        again_dump.pop("audit_log"), after.pop("audit_log")
        assert again_dump == after
        status, _body = await coordinator.post(
            f"{V1}/people/{world.ids['coordinator_person_id']}/erase", {}
        )
        assert status == 409
        for client in (her, colleague, coordinator):
            await client.close()
    finally:
        await server.runner.cleanup()


async def test_erasing_a_guest(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path, erasure_messages="keep")
    try:
        guest = await named_guest(world)
        coordinator = await client_as(server, world, "coordinator")
        lead = await client_as(server, world, "lead")
        before = dump_all(server.settings.sqlite_path)
        status, _body = await lead.post(f"{V1}/guests/{guest.guest_id}/erase", {})
        assert status == 403
        status, erased = await coordinator.post(f"{V1}/guests/{guest.guest_id}/erase", {})
        assert status == 200 and erased["name"] == f"Gość #{guest.guest_id}"
        after = dump_all(server.settings.sqlite_path)
        for needle in (GUEST_NAME, GUEST_EMAIL):
            assert places(after, needle) == set(), (needle, places(after, needle))
        assert files_containing(server.settings.data_dir, [GUEST_EMAIL.encode()]) == []
        assert totals(after) == totals(before)
        row = next(g for g in after["guests"] if g["id"] == guest.guest_id)
        assert row["category"] == "ngo"
        # erasure_messages=keep: the text stays, the author is anonymised.
        message = next(m for m in after["messages"] if m["id"] == guest.message_id)
        assert message["text"] == "Dzień dobry"
        assert message["author_name"] == f"Gość #{guest.guest_id}"
        invitation = next(i for i in after["guest_invitations"] if i["id"] == guest.invitation_id)
        assert invitation["revoked_at"] is not None
        status, _ = await coordinator.post(f"{V1}/guests/{guest.guest_id}/erase", {})
        assert status == 200
        status, _ = await coordinator.post(f"{V1}/guests/987654321/erase", {})
        assert status == 404
        await coordinator.close()
        await lead.close()
    finally:
        await server.runner.cleanup()


async def test_a_declined_request(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    try:
        partner = await client_as(server, world, "partner")
        coordinator = await client_as(server, world, "coordinator")
        status, asked = await partner.post(f"{V1}/erasure-requests", {})
        assert status == 201 and asked["status"] == "pending"
        status, waiting = await coordinator.get(f"{V1}/erasure-requests")
        assert [r["id"] for r in waiting] == [asked["id"]]
        status, _ = await coordinator.post(f"{V1}/erasure-requests/{asked['id']}/decline", {})
        assert status == 204
        status, _ = await coordinator.post(f"{V1}/erasure-requests/{asked['id']}/decline", {})
        assert status == 409
        status, waiting = await coordinator.get(f"{V1}/erasure-requests")
        assert waiting == []
        status, me = await partner.get(f"{V1}/me")
        assert status == 200 and me["email"] == "partner@example.org"
        await partner.close()
        await coordinator.close()
    finally:
        await server.runner.cleanup()
