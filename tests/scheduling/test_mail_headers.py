"""Mail headers survive any text: Polish subjects of every length arrive exactly as queued, and
names (or addresses) an old row holds never fail a whole action (issue 10, items 4 and 14).

Everything goes through a real aiosmtpd server; the messages are sent the way
mail/sender.py sends them (parsed back from the outbox's raw bytes, sent with aiosmtplib)."""

from __future__ import annotations

import asyncio
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings_hub.mail.compose import BadAddress, address, compose, header_text
from tests.foundation.smtp_support import SmtpSink
from tests.scheduling.support import Smtp
from tests.support import LEAD, PARTNER, Server

# Polish-ish text: letters with and without diacritics, and the separators where the folder
# used to lose a space (a space after a comma, around a dash, runs of spaces).
_WORD = st.text(
    alphabet="abcdefghijklmnoprstuwyząćęłńóśźżĄĆĘŁŃÓŚŹŻ0123456789", min_size=1, max_size=14
)
_SEP = st.sampled_from([" ", ", ", " — ", " – ", "-", ",", "  ", " (", ") ", ": "])


@st.composite
def _polish(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORD, min_size=1, max_size=40))
    text = words[0]
    for word in words[1:]:
        text += draw(_SEP) + word
    return text


@pytest.fixture(scope="module")
def sink() -> Any:
    server = SmtpSink().start()
    yield server
    server.stop()


def _display_name(message: EmailMessage) -> str:
    """The To name as RFC 2047 (6.2) reads it. Python 3.11's address parser puts a space
    between two adjacent encoded words, where the RFC (and mail clients) drop the white
    space, so a non-ASCII name is decoded with email.header instead."""
    (to,) = message["To"].addresses
    if to.display_name.isascii():
        return str(to.display_name)
    raw = "".join(str(message_from_bytes(message.as_bytes())["To"]).splitlines())
    return str(make_header(decode_header(raw.rsplit(" <", 1)[0])))


def _send_like_the_sender(raw: bytes, port: int) -> None:
    # What MailSender._send does with an outbox row.
    message = message_from_bytes(raw, policy=policy.SMTP)
    asyncio.run(aiosmtplib.send(message, hostname="127.0.0.1", port=port, start_tls=False))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(subject=_polish(), name=_polish())
def test_polish_subject_and_name_round_trip_through_smtp(
    sink: SmtpSink, subject: str, name: str
) -> None:
    mail = compose(
        sender="Sieć bibliotek — Kielce <noreply@example.org>",
        recipient="jan@example.org",
        recipient_name=name,
        subject=subject,
        text="Treść",
        domain="example.org",
    )
    assert mail.subject == subject
    for line in mail.raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        assert len(line) <= 78, line
    before = len(sink.received)
    _send_like_the_sender(mail.raw, sink.port)
    assert len(sink.received) == before + 1
    received = sink.received[-1].message
    assert str(received["Subject"]) == mail.subject
    (to,) = received["To"].addresses
    assert to.addr_spec == "jan@example.org"
    # A display name's white space runs are one space (RFC 5322 phrase); the rest exact.
    assert _display_name(received) == " ".join(name.split())


@pytest.mark.parametrize(
    "name",
    [
        "Tomasz\nZieliński",
        "Anna\r\nKowalska",
        'Jan "Janek" Nowak',
        "Nowak, Jan",
        "<script>",
        "Ewa\ud800Lis",
        "\x00\x1b[31m",
    ],
)
def test_any_display_name_makes_a_valid_header(name: str) -> None:
    mail = compose(
        sender="noreply@example.org",
        recipient="jan@example.org",
        recipient_name=name,
        subject=f"Zaproszenie {name}",
        text=f"Dzień dobry, {name}",
        html=f"<p>{name}</p>",
        domain="example.org",
    )
    received = message_from_bytes(mail.raw, policy=policy.default)
    (to,) = received["To"].addresses
    assert to.addr_spec == "jan@example.org"
    assert _display_name(received) == header_text(name)
    assert str(received["Subject"]) == mail.subject == header_text(f"Zaproszenie {name}")


@pytest.mark.parametrize(
    "email",
    [
        "",
        "nobody",
        "a\n@example.org",
        "Jan <jan@example.org>",
        "a@b@example.org",
        "zażółć@example.org",
        "x@\ud800.pl",
    ],
)
def test_an_address_no_header_can_carry_is_refused_clearly(email: str) -> None:
    with pytest.raises(BadAddress):
        address(email, "Jan")


async def _outbox(server: Server) -> list[Any]:
    async with server.hub.db.read() as reader:
        return await reader.fetch_all("SELECT * FROM outbox ORDER BY id")


# Names as an old row may hold them (stored before validation refused control characters).
_NAMES = ["Tomasz\nZieliński", "Anna\r\nKowalska", 'Jan "Janek" <b>', "Nowak, Jan"]


async def test_bad_names_and_a_bad_address_in_old_rows_do_not_stop_scheduling(
    mail_server: Server, smtp: Smtp, clients: Any
) -> None:
    lead = await clients(LEAD)
    body = {"title": "Klub — pierwszy", "start": "2027-10-19T10:00:00", "duration_minutes": 60}
    status, first = await lead.post("/api/v1/meetings", body)
    assert status == 201, first
    recipients = sorted({row["recipient"] for row in await _outbox(mail_server)})
    assert len(recipients) >= len(_NAMES) + 1
    async with mail_server.hub.db.write() as tx:
        for email, name in zip(recipients, _NAMES, strict=False):
            await tx.execute("UPDATE persons SET full_name = ? WHERE email = ?", (name, email))
        broken = recipients[len(_NAMES)]
        await tx.execute(
            "UPDATE persons SET email = ? WHERE email = ?", ("broken\n@example.org", broken)
        )
    title = "Chęcinach — poniedziałek, żółw, łąka: spotkanie sieci bibliotek gminnych i miejskich"
    status, second = await lead.post("/api/v1/meetings", {**body, "title": title})
    assert status == 201, second
    rows = [r for r in await _outbox(mail_server) if title in r["subject"]]
    failed = [r for r in rows if r["status"] == "failed"]
    assert [r["recipient"] for r in failed] == ["broken\n@example.org"]
    queued = [r for r in rows if r["status"] != "failed"]
    assert len(queued) == len(recipients) - 1
    await smtp.inbox.wait_for(
        lambda msgs: sum(title in str(m["Subject"]) for m in msgs) >= len(queued)
    )
    by_address = {
        m["To"].addresses[0].addr_spec: m for m in smtp.inbox.messages if title in str(m["Subject"])
    }
    for row in queued:
        received = by_address[row["recipient"]]
        assert str(received["Subject"]) == row["subject"]
    for email, name in zip(recipients, _NAMES, strict=False):
        assert _display_name(by_address[email]) == header_text(name)


async def test_an_unmailable_address_does_not_fail_an_invitation_link(
    mail_server: Server, clients: Any
) -> None:
    async with mail_server.hub.db.write() as tx:
        row = await tx.fetch_one("SELECT id FROM persons WHERE email = ?", (PARTNER,))
        assert row is not None
        await tx.execute(
            "UPDATE persons SET email = ?, full_name = ? WHERE id = ?",
            ("partner\r\n@example.org", "Ewa\nLis", row["id"]),
        )
    lead = await clients(LEAD)
    status, body = await lead.post(f"/api/v1/people/{row['id']}/invitation")
    assert status == 202, body
    (failed,) = [r for r in await _outbox(mail_server) if r["status"] == "failed"]
    assert (
        failed["recipient"] == "partner\r\n@example.org"
        and "not a mail address" in failed["last_error"]
    )
