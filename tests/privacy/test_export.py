"""Export: every table that refers to a person or a guest is exported or excluded on purpose;
a librarian's ZIP holds her data and her files; only she and coordinators reach it; the link
expires."""

from __future__ import annotations

import asyncio
import io
import json
import re
import sqlite3
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from meetings_hub.actions import export, retention
from meetings_hub.storage.timefmt import now_utc
from tests.files.support import upload
from tests.foundation.walk_support import client_as, start_world
from tests.privacy.support import post
from tests.support import Client

V1 = "/api/v1"
# Column names that hold a person or a guest (their id, who-key, name or address).
PERSON_COLUMNS = re.compile(
    r"^(.*person_id|.*guest_id|author|author_name|uploader_name|full_name|email|recipient"
    r"|reader|who|actor_id|.*_by)$"
)
SUBJECT_TABLES = {
    "persons": ("full_name", "email"),
    "guests": ("name",),
    "guest_invitations": ("name",),
}


def person_columns(database: Path) -> set[tuple[str, str]]:
    """(table, column) for every column of the live schema that refers to a person or guest."""
    found = set()
    with sqlite3.connect(database) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name NOT LIKE '%fts_%'"
            )
        ]
        for table in tables:
            for row in db.execute("SELECT name FROM pragma_table_info(?)", (table,)):
                if PERSON_COLUMNS.match(row[0]) or row[0] in SUBJECT_TABLES.get(table, ()):
                    found.add((table, row[0]))
    return found


async def test_every_person_column_is_exported_or_excluded_with_a_reason(tmp_path: Path) -> None:
    server, _ = await start_world(tmp_path)
    try:
        columns = person_columns(server.settings.sqlite_path)
    finally:
        await server.runner.cleanup()
    missing = sorted(columns - set(export.COVERED))
    assert not missing, (
        "columns that refer to a person or guest but are neither exported nor excluded in "
        f"actions/export.py COVERED (and erased in actions/erasure.py): {missing}"
    )
    stale = sorted(set(export.COVERED) - columns)
    assert not stale, f"COVERED names columns the schema does not have: {stale}"
    for where, kind in export.COVERED.items():
        assert kind in export.QUERIES or (kind.startswith("-") and len(kind) > 10), where


async def _ready(client: Client, export_id: int) -> dict[str, Any]:
    for _ in range(200):
        status, body = await client.get(f"{V1}/exports/{export_id}")
        assert status == 200, body
        if body["status"] not in ("pending", "building"):
            return body
        await asyncio.sleep(0.05)
    raise AssertionError("the export was not built")


async def test_a_librarians_zip_holds_her_data_and_files(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    try:
        partner = await client_as(server, world, "partner")
        room = (await world.hub.db.fetch_one("SELECT id FROM rooms WHERE kind = 'network'"))["id"]
        person_id = world.ids["person_id"]
        await post(world, room, f"p:{person_id}", "Partnerka", "Moja wiadomość do eksportu")
        content = b"%PDF-1.4 the partner's own notes\n" * 50
        status, shared = await upload(partner, room, "notatki.pdf", content)
        assert status == 201, shared

        status, made = await partner.post(f"{V1}/exports", {})
        assert status == 201 and made["subject"] == f"p:{person_id}"
        done = await _ready(partner, made["id"])
        assert done["status"] == "ready" and done["done"] == done["total"] > 0
        async with partner.session.get(server.url + done["download_url"]) as r:
            assert r.status == 200 and r.content_type == "application/zip"
            archive = zipfile.ZipFile(io.BytesIO(await r.read()))
        names = set(archive.namelist())
        kinds = {f"{k}.json" for k in export.QUERIES}
        assert {"README.txt"} | kinds <= names
        readme = archive.read("README.txt").decode()
        assert "Twoje dane" in readme and "Your data" in readme
        profile = json.loads(archive.read("profile.json"))
        assert profile["person"][0]["email"] == "partner@example.org"
        assert "password_hash" not in archive.read("profile.json").decode()
        messages = json.loads(archive.read("messages.json"))
        assert "Moja wiadomość do eksportu" in [m["text"] for m in messages["written"]]
        files = json.loads(archive.read("files.json"))
        assert [f["name"] for f in files["shared"]] == ["notatki.pdf"]
        assert archive.read(f"files/{shared['id']}-notatki.pdf") == content

        # The requester is told by mail, with the page's address (not a bearer link).
        mail = await world.hub.db.fetch_one(
            "SELECT body_text FROM outbox WHERE kind = 'data_export' AND recipient = ?",
            ("partner@example.org",),
        )
        assert mail is not None and "/profile/data" in mail["body_text"]
        # The export is recorded in the audit log.
        entry = await world.hub.db.fetch_one(
            "SELECT target FROM audit_log WHERE action = 'data.export'"
        )
        assert entry["target"] == f"person:{person_id}"

        # After the link's life the file is gone and the link says so.
        report = await retention.apply(world.hub, now=now_utc() + timedelta(hours=73))
        assert report.exports_deleted >= 1  # the walk's world has one of its own
        assert not list((server.settings.data_dir / "exports").glob("*.zip"))
        status, body = await partner.get(done["download_url"])
        assert status == 404 and body["error"]["code"] == "export_expired"
        await partner.close()
    finally:
        await server.runner.cleanup()


async def test_coordinator_exports_a_guest_and_others_cannot(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    try:
        coordinator = await client_as(server, world, "coordinator")
        lead = await client_as(server, world, "lead")
        status, made = await coordinator.post(f"{V1}/exports", {"guest_id": world.ids["guest_id"]})
        assert status == 201
        done = await _ready(coordinator, made["id"])
        async with coordinator.session.get(server.url + done["download_url"]) as r:
            archive = zipfile.ZipFile(io.BytesIO(await r.read()))
        guest = json.loads(archive.read("profile.json"))["guest"][0]
        assert guest["name"] == "Gość Testowy" and guest["category"] == "expert"
        # The lead manages the meeting but may not take the guest's data, nor see the export.
        status, body = await lead.post(f"{V1}/exports", {"guest_id": world.ids["guest_id"]})
        assert status == 403
        status, body = await lead.get(done["download_url"])
        assert status == 404
        for bad in (
            {"person_id": 0},
            {"person_id": "1"},
            {"x": 1},
            {"person_id": 1, "guest_id": 1},
        ):
            status, body = await coordinator.post(f"{V1}/exports", bad)
            assert status in (400, 422), (bad, status)
            assert set(body["error"]) == {"code", "message", "details"}
        status, body = await coordinator.post(f"{V1}/exports", {"person_id": 987654321})
        assert status == 404
        await coordinator.close()
        await lead.close()
    finally:
        await server.runner.cleanup()
