"""A person's or a guest's data as one ZIP: a JSON file per kind, the shared files themselves
and a README in Polish and English (RODO art. 15 and 20).

Who may: the person herself (``/profile/data``) and coordinators, for anyone. Every export is
built in the background by ``ExportBuilder`` (a small account is done at once, a large one shows
its progress), the requester gets a mail with the link, and the file is deleted when the link
expires (``export_link_hours``, by the retention cleanup).

``COVERED`` names every table column that refers to a person or a guest and says where it goes:
into the export (the kind), or why not. ``tests/privacy/test_export.py`` discovers such columns
in the live schema (PRAGMA table_info over all tables) and fails for one missing here — so a
new table (feedback answers, savings records...) cannot be forgotten.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from meetings_hub.actions import audit, mailing
from meetings_hub.actions.access import not_found_unless, require_coordinator, require_person
from meetings_hub.actions.validate import Id
from meetings_hub.domain import Actor, Role
from meetings_hub.errors import BadRequest, Conflict, NotFound
from meetings_hub.hub import Hub
from meetings_hub.mail.compose import BadAddress, compose
from meetings_hub.storage import exports, guests, people
from meetings_hub.storage.db import Reader, Row
from meetings_hub.storage.timefmt import from_db, now_utc

log = logging.getLogger(__name__)

# (table, column) -> the export's kind (its JSON file), or "-" + why it is left out.
COVERED: dict[tuple[str, str], str] = {
    ("persons", "full_name"): "profile",
    ("persons", "email"): "profile",
    ("feed_tokens", "person_id"): "profile",
    ("chat_presence", "who"): "profile",
    ("guests", "name"): "profile",
    ("guest_invitations", "name"): "profile",
    ("guest_invitations", "email"): "profile",
    ("guest_invitations", "created_by"): "sessions",
    ("meetings", "created_by"): "sessions",
    ("meeting_invitees", "person_id"): "sessions",
    ("meeting_date_answers", "person_id"): "sessions",
    ("meeting_libraries", "answered_by"): "sessions",
    ("ics_imports", "imported_by"): "sessions",
    ("auth_sessions", "person_id"): "sign_ins",
    ("auth_sessions", "guest_id"): "sign_ins",
    ("login_attempts", "email"): "sign_ins",
    ("messages", "person_id"): "messages",
    ("messages", "guest_id"): "messages",
    ("messages", "author"): "messages",
    ("messages", "author_name"): "messages",
    ("messages", "deleted_by"): "messages",
    ("message_mentions", "person_id"): "messages",
    ("room_reads", "reader"): "messages",
    ("rooms", "created_by"): "rooms",
    ("room_members", "person_id"): "rooms",
    ("room_bans", "person_id"): "rooms",
    ("room_bans", "guest_id"): "rooms",
    ("room_bans", "banned_by"): "rooms",
    ("room_files", "person_id"): "files",
    ("room_files", "guest_id"): "files",
    ("room_files", "uploader_name"): "files",
    ("attendance", "person_id"): "attendance",
    ("attendance", "guest_id"): "attendance",
    ("outbox", "recipient"): "mail",
    ("audit_log", "actor_id"): "audit",
    ("erasure_requests", "person_id"): "profile",
    ("erasure_requests", "decided_by"): "-a coordinator's decisions: in her audit.json already",
    ("savings_parameter_sets", "created_by"): "savings",
    ("savings_road_distances", "updated_by"): "savings",
    ("savings_records", "created_by"): "savings",
    ("savings_corrections", "created_by"): "savings",
    ("one_time_tokens", "person_id"): "-hashes of single-use emailed links: secrets, no content",
    ("data_exports", "person_id"): "-the export's own bookkeeping, deleted with the file",
    ("data_exports", "guest_id"): "-the export's own bookkeeping, deleted with the file",
    ("data_exports", "requested_by"): "-the export's own bookkeeping, deleted with the file",
}

_P = "p"  # the subject's kind in the queries below
_G = "g"

# kind -> [(subject kind, name inside the JSON file, SQL with :id, :who, :email)]
QUERIES: dict[str, list[tuple[str, str, str]]] = {
    "profile": [
        (
            _P,
            "person",
            "SELECT p.id, p.full_name, p.email, p.role, p.language, p.timezone, p.active,"
            " p.created_at, p.updated_at, p.password_changed_at, l.name AS library"
            " FROM persons p LEFT JOIN libraries l ON l.id = p.library_id WHERE p.id = :id",
        ),
        (
            _P,
            "calendar_feeds",
            "SELECT scope, scope_id, created_at, revoked_at, last_fetched_at FROM feed_tokens"
            " WHERE person_id = :id",
        ),
        (
            _G,
            "guest",
            "SELECT g.id, g.name, g.category, g.created_at, g.meeting_id, m.title AS meeting,"
            " i.name AS invited_as, i.email AS invited_email, i.rsvp, i.rsvp_at"
            " FROM guests g JOIN meetings m ON m.id = g.meeting_id"
            " JOIN guest_invitations i ON i.id = g.invitation_id WHERE g.id = :id",
        ),
        (
            "*",
            "presence",
            "SELECT status, description, updated_at FROM chat_presence WHERE who = :who",
        ),
    ],
    "sessions": [
        (
            _P,
            "invitations_and_answers",
            "SELECT i.meeting_id, m.title, m.starts_at, i.source, i.rsvp, i.rsvp_at, i.invited_at"
            " FROM meeting_invitees i JOIN meetings m ON m.id = i.meeting_id"
            " WHERE i.person_id = :id ORDER BY m.starts_at",
        ),
        (
            _P,
            "answers_for_single_dates",
            "SELECT meeting_id, original_start, rsvp, rsvp_at FROM meeting_date_answers"
            " WHERE person_id = :id",
        ),
        (
            _P,
            "library_answers_given",
            "SELECT meeting_id, library_id, librarians, readers, cars, answered_at"
            " FROM meeting_libraries WHERE answered_by = :id",
        ),
        (
            _P,
            "meetings_organised",
            "SELECT id, title, kind, starts_at, ends_at, status, created_at FROM meetings"
            " WHERE created_by = :id ORDER BY starts_at",
        ),
        (
            _P,
            "guest_invitations_sent",
            "SELECT id, meeting_id, category, created_at, expires_at, revoked_at"
            " FROM guest_invitations WHERE created_by = :id",
        ),
        (
            _P,
            "calendar_imports",
            "SELECT network_id, meeting_id, imported_at FROM ics_imports WHERE imported_by = :id",
        ),
    ],
    "sign_ins": [
        (
            _P,
            "sessions",
            "SELECT created_at, last_seen_at, expires_at, revoked_at, user_agent"
            " FROM auth_sessions WHERE person_id = :id",
        ),
        (
            _G,
            "sessions",
            "SELECT created_at, last_seen_at, expires_at, revoked_at, user_agent"
            " FROM auth_sessions WHERE guest_id = :id",
        ),
        (
            _P,
            "login_attempts",
            "SELECT client, succeeded, at FROM login_attempts WHERE email = :email",
        ),
    ],
    "messages": [
        (
            "*",
            "written",
            "SELECT m.id, m.room_id, r.title AS room, m.seq, m.kind, m.text, m.body,"
            " m.created_at, m.edited_at, m.deleted_at FROM messages m"
            " JOIN rooms r ON r.id = m.room_id WHERE m.author = :who ORDER BY m.id",
        ),
        (
            "*",
            "deleted_by_me",
            "SELECT id, room_id, deleted_at FROM messages WHERE deleted_by = :who",
        ),
        (
            _P,
            "mentioned_in",
            "SELECT room_id, seq, message_id FROM message_mentions WHERE person_id = :id",
        ),
        ("*", "read_up_to", "SELECT room_id, last_read_seq FROM room_reads WHERE reader = :who"),
    ],
    "rooms": [
        (
            _P,
            "member_of",
            "SELECT m.room_id, r.kind, r.title, m.role, m.joined_at FROM room_members m"
            " JOIN rooms r ON r.id = m.room_id WHERE m.person_id = :id",
        ),
        (
            _P,
            "created",
            "SELECT id, kind, title, created_at FROM rooms WHERE created_by = :id",
        ),
        (
            _P,
            "removed_from",
            "SELECT room_id, created_at FROM room_bans WHERE person_id = :id",
        ),
        (
            _G,
            "removed_from",
            "SELECT room_id, created_at FROM room_bans WHERE guest_id = :id",
        ),
        (
            _P,
            "removed_others",
            "SELECT room_id, created_at FROM room_bans WHERE banned_by = :id",
        ),
    ],
    "files": [
        (
            _P,
            "shared",
            "SELECT id, room_id, name, size, mime, sha256, created_at, removed_at"
            " FROM room_files WHERE person_id = :id ORDER BY id",
        ),
        (
            _G,
            "shared",
            "SELECT id, room_id, name, size, mime, sha256, created_at, removed_at"
            " FROM room_files WHERE guest_id = :id ORDER BY id",
        ),
    ],
    "attendance": [
        (
            _P,
            "present",
            "SELECT room_id, meeting_id, joined_at, left_at FROM attendance"
            " WHERE person_id = :id ORDER BY joined_at",
        ),
        (
            _G,
            "present",
            "SELECT room_id, meeting_id, joined_at, left_at FROM attendance"
            " WHERE guest_id = :id ORDER BY joined_at",
        ),
    ],
    "mail": [
        (
            "*",
            "sent_to_me",
            "SELECT kind, subject, body_text, status, created_at, sent_at FROM outbox"
            " WHERE recipient = :email COLLATE NOCASE AND :email <> ''",
        ),
    ],
    "savings": [
        (
            "*",
            "counted_in",
            "SELECT r.meeting_id, r.original_start, r.version FROM savings_records r"
            " JOIN savings_inputs i ON i.record_id = r.id"
            " WHERE instr(i.inputs_json, '\"' || :who || '\"') > 0",
        ),
        (
            _P,
            "parameter_versions_made",
            "SELECT network_id, version, valid_from, note, created_at FROM savings_parameter_sets"
            " WHERE created_by = :id",
        ),
        (
            _P,
            "road_distances_set",
            "SELECT library_a, library_b, km, note, updated_at"
            " FROM savings_road_distances WHERE updated_by = :id",
        ),
        (
            _P,
            "records_made",
            "SELECT meeting_id, original_start, version, reason, created_at FROM savings_records"
            " WHERE created_by = :id",
        ),
        (
            _P,
            "corrections_made",
            "SELECT meeting_id, original_start, persons_json, note, created_at"
            " FROM savings_corrections WHERE created_by = :id",
        ),
    ],
    "audit": [
        (
            _P,
            "my_administrative_actions",
            "SELECT at, action, target, detail, client FROM audit_log WHERE actor_id = :id",
        ),
    ],
}

README = """Twoje dane z meetings_hub / Your data from meetings_hub
=====================================================

Każdy plik JSON to jeden rodzaj danych / Each JSON file holds one kind of data:

profile.json     konto lub dane gościa, kanały kalendarza, status / the account or the guest's
                 details, calendar feeds, status
sessions.json    zaproszenia na spotkania i odpowiedzi, zorganizowane spotkania / meeting
                 invitations and answers, meetings organised
sign_ins.json    sesje logowania i próby logowania / sign-in sessions and attempts
messages.json    napisane wiadomości, wzmianki, odczytane / messages written, mentions, read
rooms.json       pokoje rozmów: członkostwo, usunięcia / chat rooms: membership, removals
files.json       udostępnione pliki; same pliki w katalogu files/ / files shared; the files
                 themselves in the files/ folder
attendance.json  obecność na sesjach / attendance of sessions
mail.json        wysłane wiadomości e-mail / mail sent
savings.json     rozliczenia oszczędności, w których Cię policzono, i Twoje zmiany parametrów /
                 savings records you were counted in, and your parameter changes
audit.json       wykonane działania administracyjne / administrative actions taken
{extra}
Czasy są w UTC (ISO 8601). Pytania: koordynator programu; zob. /privacy.
Times are UTC (ISO 8601). Questions: the programme's coordinator; see /privacy.
"""


class ExportInput(msgspec.Struct, forbid_unknown_fields=True):
    """Whose data: nobody named = my own; a coordinator names a person or a guest."""

    person_id: Id | None = None
    guest_id: Id | None = None


class ExportOut(msgspec.Struct):
    id: int
    subject: str  # "p:12" or "g:7"
    status: str
    done: int
    total: int
    size: int
    created_at: datetime
    expires_at: datetime | None
    download_url: str | None


@dataclass(frozen=True)
class Subject:
    kind: str  # "p" or "g"
    id: int
    email: str

    @property
    def who(self) -> str:
        return f"{self.kind}:{self.id}"


def to_out(row: Row) -> ExportOut:
    who = f"p:{row['person_id']}" if row["person_id"] else f"g:{row['guest_id']}"
    ready = row["status"] == "ready"
    return ExportOut(
        id=row["id"],
        subject=who,
        status=row["status"],
        done=row["done"],
        total=row["total"],
        size=row["size"],
        created_at=from_db(row["created_at"]),
        expires_at=from_db(row["expires_at"]) if row["expires_at"] else None,
        download_url=f"/api/v1/exports/{row['id']}/download" if ready else None,
    )


def export_dir(hub: Hub) -> Path:
    return hub.settings.data_dir / "exports"


async def request_export(hub: Hub, actor: Actor, data: ExportInput) -> ExportOut:
    require_person(actor)
    assert actor.person is not None
    if data.person_id is not None and data.guest_id is not None:
        raise BadRequest("Name a person or a guest, not both.")
    own = data.guest_id is None and data.person_id in (None, actor.person.id)
    if not own:
        require_coordinator(actor)
    person_id = actor.person.id if own else data.person_id
    async with hub.db.write() as tx:
        if data.guest_id is not None:
            not_found_unless(await guests.get_guest(tx, data.guest_id) is not None, "Guest")
        elif person_id != actor.person.id:
            not_found_unless(await people.get(tx, person_id) is not None, "Person")  # type: ignore[arg-type]
        export_id = await exports.insert(
            tx,
            person_id=None if data.guest_id else person_id,
            guest_id=data.guest_id,
            requested_by=actor.person.id,
        )
        target = f"guest:{data.guest_id}" if data.guest_id else f"person:{person_id}"
        await audit.record(tx, actor, "data.export", target, {"export_id": export_id})
        row = await exports.get(tx, export_id)
        tx.after_commit(_wake(hub))
    assert row is not None
    return to_out(row)


def _wake(hub: Hub):  # type: ignore[no-untyped-def]
    def wake() -> None:
        builder = hub.caches.get("export_builder")
        if builder is not None:
            builder.wake()

    return wake


async def _visible_export(hub: Hub, actor: Actor, export_id: int) -> Row:
    """The requester, the person it is about and coordinators see an export; others get 404."""
    require_person(actor)
    assert actor.person is not None
    async with hub.db.read() as reader:
        row = await exports.get(reader, export_id)
    visible = row is not None and (
        actor.role is Role.COORDINATOR or actor.person.id in (row["requested_by"], row["person_id"])
    )
    not_found_unless(visible, "Export")
    assert row is not None
    return row


async def get_export(hub: Hub, actor: Actor, export_id: int) -> ExportOut:
    return to_out(await _visible_export(hub, actor, export_id))


async def my_exports(hub: Hub, actor: Actor) -> list[ExportOut]:
    require_person(actor)
    assert actor.person is not None
    async with hub.db.read() as reader:
        rows = await exports.requested_by(reader, actor.person.id)
    return [to_out(r) for r in rows]


async def open_download(hub: Hub, actor: Actor, export_id: int) -> tuple[Path, str]:
    """The ZIP's path and the name to save it under; 409 while building, 404 once expired."""
    row = await _visible_export(hub, actor, export_id)
    if row["status"] in ("pending", "building"):
        raise Conflict("The export is still being prepared.", code="export_not_ready")
    path = export_dir(hub) / row["file_name"]
    expired = row["expires_at"] is None or from_db(row["expires_at"]) < now_utc()
    if row["status"] != "ready" or expired or not row["file_name"] or not path.exists():
        raise NotFound("This export has expired; prepare a new one.", code="export_expired")
    who = "osoba" if row["person_id"] else "gosc"
    number = row["person_id"] or row["guest_id"]
    return path, f"meetings_hub-dane-{who}-{number}.zip"


# ---- building ------------------------------------------------------------------------------


async def _subject(reader: Reader, row: Row) -> Subject:
    if row["person_id"]:
        person = await people.get(reader, row["person_id"])
        return Subject("p", row["person_id"], person.email if person else "")
    guest = await reader.fetch_one(
        "SELECT i.email FROM guests g JOIN guest_invitations i ON i.id = g.invitation_id"
        " WHERE g.id = ?",
        (row["guest_id"],),
    )
    return Subject("g", row["guest_id"], guest["email"] if guest else "")


async def collect(reader: Reader, subject: Subject) -> dict[str, dict[str, Any]]:
    """Every kind's JSON content for the subject."""
    params = {"id": subject.id, "who": subject.who, "email": subject.email}
    found: dict[str, dict[str, Any]] = {}
    for kind, queries in QUERIES.items():
        part: dict[str, Any] = {}
        for applies, name, sql in queries:
            if applies in ("*", subject.kind):
                part[name] = [dict(r) for r in await reader.fetch_all(sql, params)]
        found[kind] = part
    return found


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._- " else "_" for c in name)[:120] or "file"


async def build(hub: Hub, row: Row, blob_path: Any, *, now: datetime | None = None) -> None:
    """Writes the ZIP for one claimed export, recording progress as it goes."""
    export_id = row["id"]
    async with hub.db.read() as reader:
        subject = await _subject(reader, row)
        content = await collect(reader, subject)
    shared = [f for f in content["files"]["shared"] if f["sha256"] and not f["removed_at"]]
    total = len(content) + len(shared) + 1
    folder = export_dir(hub)
    folder.mkdir(parents=True, exist_ok=True)
    file_name = f"{export_id}-{secrets.token_hex(16)}.zip"
    target = folder / file_name
    partial = target.with_suffix(".part")
    done = 0

    def add_json(archive: zipfile.ZipFile, kind: str, value: Any) -> None:
        archive.writestr(f"{kind}.json", _json(value))

    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        extra = "".join(f"{k}.json\n" for k in content if f"{k}.json" not in README)
        archive.writestr("README.txt", README.format(extra=extra))
        done += 1
        for kind, value in content.items():
            await asyncio.to_thread(add_json, archive, kind, value)
            done += 1
            async with hub.db.write() as tx:
                await exports.set_progress(tx, export_id, done, total)
        for item in shared:
            source = blob_path(item["sha256"])
            if source.exists():
                arcname = f"files/{item['id']}-{_safe_name(item['name'])}"
                await asyncio.to_thread(archive.write, source, arcname)
            done += 1
            async with hub.db.write() as tx:
                await exports.set_progress(tx, export_id, done, total)
    partial.rename(target)
    now = now or now_utc()
    expires = now + timedelta(hours=hub.settings.export_link_hours)
    async with hub.db.write() as tx:
        await exports.finish(
            tx,
            export_id,
            file_name=file_name,
            size=target.stat().st_size,
            now=now,
            expires_at=expires,
        )
        await _queue_ready_mail(hub, tx, row, expires)
        tx.after_commit(hub.wake_mail)


async def _queue_ready_mail(hub: Hub, tx: Any, row: Row, expires: datetime) -> None:
    requester = await people.get(tx, row["requested_by"]) if row["requested_by"] else None
    if requester is None:
        return
    lang = requester.language.value
    text = hub.t(
        lang,
        "mail.export.body",
        name=requester.full_name,
        link=hub.url("/profile/data"),
        hours=hub.settings.export_link_hours,
    )
    try:
        mail = compose(
            sender=hub.settings.mail_from,
            recipient=requester.email,
            recipient_name=requester.full_name,
            subject=hub.t(lang, "mail.export.subject"),
            text=text,
            domain=hub.settings.site_domain,
        )
    except BadAddress:
        log.warning("export %s: requester's address cannot be mailed", row["id"])
        return
    await mailing.queue(hub, tx, mail, kind="data_export")


class ExportBuilder:
    """Builds pending exports one at a time; woken by a new request, started with the app."""

    def __init__(self, hub: Hub, blob_path: Any) -> None:
        self.hub = hub
        self.blob_path = blob_path
        self._event = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._event.set()

    def start(self) -> None:
        self.hub.caches["export_builder"] = self
        self._task = asyncio.create_task(self._run(), name="exports")

    async def stop(self) -> None:
        self.hub.caches.pop("export_builder", None)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_pending(self) -> int:
        built = 0
        while True:
            async with self.hub.db.write() as tx:
                row = await exports.claim_next(tx)
            if row is None:
                return built
            try:
                await build(self.hub, row, self.blob_path)
                built += 1
            except Exception:
                log.exception("export %s failed", row["id"])
                async with self.hub.db.write() as tx:
                    await exports.fail(tx, row["id"], now_utc())

    async def _run(self) -> None:
        async with self.hub.db.write() as tx:
            await exports.hand_back_unfinished(tx)
        while True:
            self._event.clear()
            try:
                await self.run_pending()
            except Exception:
                log.exception("export run failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout=60)
