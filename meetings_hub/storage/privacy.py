"""Retention and anonymisation: raw SQL that removes or blanks personal data.

Used by the retention cleanup (actions/retention.py) and by erasure (actions/erasure.py). Each
function is idempotent: run twice, it changes nothing the second time.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from meetings_hub.storage.db import Tx
from meetings_hub.storage.timefmt import to_db

GUEST_LABEL = "Gość #{id}"


def guest_label(guest_id: int) -> str:
    """What an anonymised guest is called everywhere (the category stays for the report)."""
    return GUEST_LABEL.format(id=guest_id)


async def guests_of_meetings_ended_before(tx: Tx, cutoff: datetime) -> list[int]:
    """Guests whose meeting (a series: its last date) ended before ``cutoff`` and who still
    carry their own name."""
    rows = await tx.fetch_all(
        "SELECT g.id FROM guests g JOIN meetings m ON m.id = g.meeting_id"
        " WHERE COALESCE(m.span_end_at, m.ends_at) < ? AND g.name <> 'Gość #' || g.id",
        (to_db(cutoff),),
    )
    return [r["id"] for r in rows]


async def invitations_of_meetings_ended_before(tx: Tx, cutoff: datetime) -> list[int]:
    rows = await tx.fetch_all(
        "SELECT i.id FROM guest_invitations i JOIN meetings m ON m.id = i.meeting_id"
        " WHERE COALESCE(m.span_end_at, m.ends_at) < ? AND (i.name <> '' OR i.email <> '')",
        (to_db(cutoff),),
    )
    return [r["id"] for r in rows]


async def anonymise_savings(tx: Tx, who: str, old_name: str, label: str) -> None:
    """Frozen savings records keep their figures, but the attendee's name in their inputs and
    a guest's row without a place (labelled with the name, and its CSV lines) get ``label``."""
    rows = await tx.fetch_all(
        "SELECT record_id, inputs_json FROM savings_inputs WHERE instr(inputs_json, ?) > 0",
        (json.dumps(who),),
    )
    for row in rows:
        inputs = json.loads(row["inputs_json"])
        attendees = [a for a in inputs.get("attendees", []) if a.get("who") == who]
        if not attendees or all(a.get("name") == label for a in attendees):
            continue
        for attendee in attendees:
            attendee["name"] = label
        await tx.execute(
            "UPDATE savings_inputs SET inputs_json = ? WHERE record_id = ?",
            (json.dumps(inputs, ensure_ascii=False), row["record_id"]),
        )
        if old_name and old_name != label:
            await tx.execute(
                "UPDATE savings_rows SET label = :label,"
                " csv_comma = replace(csv_comma, :old, :label),"
                " csv_semicolon = replace(csv_semicolon, :old, :label)"
                " WHERE record_id = :record AND library_id IS NULL AND label = :old",
                {"label": label, "old": old_name, "record": row["record_id"]},
            )


async def anonymise_guest(tx: Tx, guest_id: int) -> None:
    """The guest's name leaves every place that copied it; the category stays."""
    label = guest_label(guest_id)
    who = f"g:{guest_id}"
    row = await tx.fetch_one("SELECT name FROM guests WHERE id = ?", (guest_id,))
    await anonymise_savings(tx, who, row["name"] if row else "", label)
    await tx.execute("UPDATE guests SET name = ? WHERE id = ?", (label, guest_id))
    await tx.execute(
        "UPDATE messages SET author_name = ? WHERE author = ? AND author_name <> ?",
        (label, who, label),
    )
    await tx.execute(
        "UPDATE room_files SET uploader_name = ? WHERE guest_id = ? AND uploader_name <> ?",
        (label, guest_id, label),
    )
    await tx.execute("DELETE FROM auth_sessions WHERE guest_id = ?", (guest_id,))
    await tx.execute("DELETE FROM chat_presence WHERE who = ?", (who,))


async def anonymise_invitation(tx: Tx, invitation_id: int) -> None:
    """The invited name and address go, and so do the mails sent to that address (their
    bodies carry the name and the link)."""
    row = await tx.fetch_one("SELECT email FROM guest_invitations WHERE id = ?", (invitation_id,))
    if row is None:
        return
    if row["email"]:
        await scrub_mail_to(tx, row["email"])
    await tx.execute(
        "UPDATE guest_invitations SET name = '', email = '' WHERE id = ?", (invitation_id,)
    )


async def scrub_mail_to(tx: Tx, address: str) -> None:
    """Mail to this address keeps its kind, subject, status and times, nothing else."""
    await tx.execute(
        "UPDATE outbox SET recipient = '[usunięto]', body_text = '', raw = X'',"
        " status = CASE WHEN status IN ('pending', 'sending') THEN 'failed' ELSE status END,"
        " last_error = CASE WHEN status IN ('pending', 'sending') THEN 'erased' ELSE last_error"
        " END WHERE recipient = ? COLLATE NOCASE",
        (address,),
    )


async def delete_messages_before(tx: Tx, cutoff: datetime) -> int:
    """Chat messages older than ``cutoff`` go, with their search entries and mentions."""
    cut = to_db(cutoff)
    await tx.execute(
        "DELETE FROM messages_fts WHERE rowid IN (SELECT id FROM messages WHERE created_at < ?)",
        (cut,),
    )
    return await tx.execute_rowcount("DELETE FROM messages WHERE created_at < ?", (cut,))


async def delete_sign_ins_before(tx: Tx, cutoff: datetime) -> int:
    """Login attempts, sessions that ended (expired or signed out) and used or expired
    emailed links older than ``cutoff``. Live sessions stay, however old."""
    cut = to_db(cutoff)
    count = await tx.execute_rowcount("DELETE FROM login_attempts WHERE at < ?", (cut,))
    count += await tx.execute_rowcount(
        "DELETE FROM auth_sessions WHERE expires_at < ? OR revoked_at < ?", (cut, cut)
    )
    count += await tx.execute_rowcount(
        "DELETE FROM one_time_tokens WHERE expires_at < ? OR used_at < ?", (cut, cut)
    )
    return count


async def blank_mail_sent_before(tx: Tx, cutoff: datetime) -> int:
    """Bodies of mail sent (or given up on) before ``cutoff``; the row stays as a record."""
    cut = to_db(cutoff)
    return await tx.execute_rowcount(
        "UPDATE outbox SET body_text = '', raw = X''"
        " WHERE (body_text <> '' OR length(raw) > 0)"
        " AND ((status = 'sent' AND sent_at < ?) OR (status = 'failed' AND created_at < ?))",
        (cut, cut),
    )


PERSON_LABEL = "Usunięty użytkownik #{id}"
REDACTED = "[usunięto]"


def person_label(person_id: int) -> str:
    return PERSON_LABEL.format(id=person_id)


def erased_email(person_id: int) -> str:
    """Unique (the column is) and nobody's: the .invalid domain never receives mail."""
    return f"usuniety-{person_id}@erased.invalid"


async def redact_messages(tx: Tx, who: str) -> int:
    """The author's messages say "[usunięto]": text, attachments' cards and mentions go, and so
    do their search entries; the rows (and so the rooms' numbering) stay."""
    await tx.execute(
        "DELETE FROM messages_fts WHERE rowid IN (SELECT id FROM messages WHERE author = ?)",
        (who,),
    )
    await tx.execute(
        "DELETE FROM message_mentions WHERE message_id IN"
        " (SELECT id FROM messages WHERE author = ?)",
        (who,),
    )
    return await tx.execute_rowcount(
        "UPDATE messages SET text = ?, body = NULL, mentions = '[]'"
        " WHERE author = ? AND (text <> ? OR body IS NOT NULL)",
        (REDACTED, who, REDACTED),
    )


async def anonymise_person(tx: Tx, person_id: int, email: str, now: datetime) -> None:
    """The account stays (its id keeps attendance, answers and savings counted) but names
    nobody: the name, the address, the password, every sign-in and every place that copied
    the name go."""
    label = person_label(person_id)
    who = f"p:{person_id}"
    row = await tx.fetch_one("SELECT full_name FROM persons WHERE id = ?", (person_id,))
    await anonymise_savings(tx, who, row["full_name"] if row else "", label)
    if email:
        await scrub_mail_to(tx, email)
        await tx.execute("DELETE FROM login_attempts WHERE email = ?", (email,))
    await tx.execute(
        "UPDATE persons SET full_name = ?, email = ?, password_hash = NULL,"
        " password_changed_at = NULL, active = 0, erased_at = COALESCE(erased_at, ?),"
        " updated_at = ? WHERE id = ?",
        (label, erased_email(person_id), to_db(now), to_db(now), person_id),
    )
    await tx.execute(
        "UPDATE messages SET author_name = ? WHERE author = ? AND author_name <> ?",
        (label, who, label),
    )
    await tx.execute(
        "UPDATE room_files SET uploader_name = ? WHERE person_id = ? AND uploader_name <> ?",
        (label, person_id, label),
    )
    for sql in (
        "DELETE FROM auth_sessions WHERE person_id = ?",
        "DELETE FROM one_time_tokens WHERE person_id = ?",
        "DELETE FROM feed_tokens WHERE person_id = ?",
        "DELETE FROM message_mentions WHERE person_id = ?",
        "DELETE FROM room_members WHERE person_id = ?",
    ):
        await tx.execute(sql, (person_id,))
    await tx.execute("DELETE FROM chat_presence WHERE who = ?", (who,))
    await tx.execute("DELETE FROM room_reads WHERE reader = ?", (who,))


async def forget_guest(tx: Tx, guest_id: int) -> None:
    """Erasure of a guest beyond the retention's anonymisation: the link stops working and the
    read markers go."""
    row = await tx.fetch_one("SELECT invitation_id FROM guests WHERE id = ?", (guest_id,))
    if row is None:
        return
    await anonymise_guest(tx, guest_id)
    await anonymise_invitation(tx, row["invitation_id"])
    await tx.execute(
        "UPDATE guest_invitations SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
        (to_db(datetime.now(UTC)), row["invitation_id"]),
    )
    await tx.execute("DELETE FROM room_reads WHERE reader = ?", (f"g:{guest_id}",))


async def export_files_of(tx: Tx, *, person_id: int | None, guest_id: int | None) -> list[str]:
    """Exports about the person or guest: deleted (rows and, by the caller, their ZIPs)."""
    rows = await tx.fetch_all(
        "SELECT file_name FROM data_exports WHERE person_id = ? OR guest_id = ?",
        (person_id, guest_id),
    )
    await tx.execute(
        "DELETE FROM data_exports WHERE person_id = ? OR guest_id = ?", (person_id, guest_id)
    )
    return [r["file_name"] for r in rows if r["file_name"]]


async def scrub_mail_naming(tx: Tx, text: str) -> None:
    """Mail to others that names someone (an organiser's name in an invitation) loses its body;
    a subject naming them becomes "[usunięto]"."""
    if len(text) < 3:  # a very short name would match unrelated mail
        return
    await tx.execute(
        "UPDATE outbox SET body_text = '', raw = X'',"
        " subject = CASE WHEN instr(subject, :t) > 0 THEN '[usunięto]' ELSE subject END"
        " WHERE instr(body_text, :t) > 0 OR instr(subject, :t) > 0"
        " OR instr(CAST(raw AS TEXT), :t) > 0",
        {"t": text},
    )


async def compact_search_index(tx: Tx) -> None:
    """FTS5 keeps a deleted message's terms in older index segments until they are merged:
    'optimize' merges them all, so erased words leave the index too."""
    await tx.execute("INSERT INTO messages_fts (messages_fts) VALUES ('optimize')")
