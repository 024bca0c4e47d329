"""Outgoing mail through the outbox to a real SMTP server (aiosmtpd), and the emailed links."""

from __future__ import annotations

import re
import signal
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from meetings_hub.actions import demo
from tests.foundation.process_support import ServeProcess, env_for, run_cli
from tests.foundation.smtp_support import SmtpSink, wait_for
from tests.foundation.walk_support import demo_data_dir
from tests.support import COORDINATOR, PARTNER, Client, Server, make_settings, start_server

LINK = re.compile(r"https?://\S+[?&]token=([A-Za-z0-9_\-]+)")


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
async def mail_server(tmp_path: Path, smtp: SmtpSink) -> AsyncIterator[Server]:
    srv = await start_server(make_settings(tmp_path, **smtp.settings()))
    await demo.load(srv.hub)
    yield srv
    await srv.runner.cleanup()


async def outbox_rows(server: Server) -> list[dict]:
    async with server.hub.db.read() as reader:
        rows = await reader.fetch_all("SELECT * FROM outbox ORDER BY id")
    return [dict(r) for r in rows]


async def request_reset(url: str, email: str = PARTNER) -> None:
    c = Client(url)
    try:
        status, body = await c.post("/api/v1/auth/password-reset", {"email": email})
        assert status == 202, body
    finally:
        await c.close()


async def test_outbox_is_drained_to_the_smtp_server(mail_server: Server, smtp: SmtpSink) -> None:
    await request_reset(mail_server.url)
    await wait_for(lambda: smtp.received, what="the reset mail at the SMTP server")
    [mail] = smtp.received
    assert mail.recipients == [PARTNER]
    assert LINK.search(mail.text), mail.text
    [row] = await outbox_rows(mail_server)
    assert row["message_id"] == mail.message_id
    await wait_for(lambda: _status_is(mail_server, "sent"), what="the outbox row marked sent")


async def _status_is(server: Server, status: str) -> bool:
    return [r["status"] for r in await outbox_rows(server)] == [status]


async def test_stop_mid_send_then_restart_sends_once_with_the_same_message_id(
    tmp_path: Path, smtp: SmtpSink
) -> None:
    settings = make_settings(tmp_path, **smtp.settings())
    first = await start_server(settings)
    await demo.load(first.hub)
    smtp.hold = True
    await request_reset(first.url)
    await wait_for(smtp.holding.is_set, what="the SMTP server holding the mail mid-DATA")
    [row] = await outbox_rows(first)
    assert row["status"] == "sending"
    started = time.monotonic()
    await first.runner.cleanup()  # the process stops while the mail is on the wire
    assert time.monotonic() - started < 10, "stopping waited for the SMTP server"
    smtp.release.set()
    assert smtp.received == []

    second = await start_server(settings.replace(port=settings.port))
    try:
        await wait_for(lambda: smtp.received, what="the mail sent after the restart")
        await wait_for(lambda: _status_is(second, "sent"), what="the outbox row marked sent")
        [mail] = smtp.received
        assert mail.message_id == row["message_id"]
        [after] = await outbox_rows(second)
        assert after["attempts"] == 1  # the interrupted try was handed back, not counted
    finally:
        await second.runner.cleanup()
    assert len(smtp.received) == 1


async def test_process_killed_mid_send_is_resent_after_the_claim_goes_stale(
    tmp_path: Path, smtp: SmtpSink
) -> None:
    env = env_for(
        await demo_data_dir(tmp_path),
        {
            "MEETINGS_HUB_SMTP_HOST": "127.0.0.1",
            "MEETINGS_HUB_SMTP_PORT": str(smtp.port),
            "MEETINGS_HUB_SMTP_STARTTLS": "false",
            "MEETINGS_HUB_MAIL_POLL_SECONDS": "0.2",
            "MEETINGS_HUB_MAIL_CLAIM_SECONDS": "1",
        },
    )
    first = ServeProcess(env)
    try:
        smtp.hold = True
        await request_reset(first.url)
        await wait_for(smtp.holding.is_set, what="the SMTP server holding the mail")
    finally:
        first.kill()  # SIGKILL: no shutdown, the claim stays behind
    smtp.release.set()
    second = ServeProcess(env)
    try:
        await wait_for(lambda: smtp.received, what="the mail re-sent after the stale claim")
        code, _, err = second.stop(signal.SIGTERM)
        assert code == 0, err
    finally:
        second.kill()
    assert len(smtp.received) == 1
    result = run_cli(["backup", "--output", str(tmp_path / "copy.sqlite3")], env)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "copy.sqlite3") as db:
        rows = db.execute("SELECT message_id, status FROM outbox").fetchall()
    assert rows == [(smtp.received[0].message_id, "sent")]


async def test_refused_mail_is_retried_then_marked_failed(tmp_path: Path, smtp: SmtpSink) -> None:
    smtp.refuse_with = "550 mailbox unavailable"
    srv = await start_server(make_settings(tmp_path, mail_max_attempts=1, **smtp.settings()))
    try:
        await demo.load(srv.hub)
        await request_reset(srv.url)
        await wait_for(lambda: _status_is(srv, "failed"), what="the mail marked failed")
        [row] = await outbox_rows(srv)
        assert "550" in row["last_error"]
        assert smtp.received == []
    finally:
        await srv.runner.cleanup()


async def test_without_smtp_mail_stays_in_the_outbox_for_the_coordinator(
    server: Server, client_factory
) -> None:
    assert not server.settings.smtp_host
    await request_reset(server.url)
    await _mailed_token(server, PARTNER)
    coordinator = await client_factory(COORDINATOR)
    status, mails = await coordinator.get("/api/v1/outbox")
    assert status == 200
    [mail] = [m for m in mails if m["recipient"] == PARTNER]
    assert mail["status"] == "pending" and LINK.search(mail["body_text"])
    status, page = await coordinator.get("/outbox")
    assert status == 200 and PARTNER in page
    partner = await client_factory(PARTNER)
    assert (await partner.get("/api/v1/outbox"))[0] == 403


async def _mailed_token(server: Server, recipient: str) -> str:
    """The link of the newest mail to ``recipient``, waiting for it: a reset request only
    queues the work (``hub.later``), the mail is written after the answer."""

    async def rows_for() -> list[dict]:
        return [r for r in await outbox_rows(server) if r["recipient"] == recipient]

    await wait_for(rows_for, what=f"a mail to {recipient} in the outbox")
    rows = await rows_for()
    match = LINK.search(rows[-1]["body_text"])
    assert match, rows[-1]["body_text"]
    return match.group(1)


async def test_password_reset_link_is_single_use(server: Server, client_factory) -> None:
    signed_in = await client_factory(PARTNER)
    await request_reset(server.url)
    token = await _mailed_token(server, PARTNER)
    c = await client_factory()
    body = {"token": token, "new_password": "a-brand-new-password"}
    status, _ = await c.post("/api/v1/auth/password-reset/confirm", body)
    assert status == 204
    status, again = await c.post("/api/v1/auth/password-reset/confirm", body)
    assert status == 400 and again["error"]["code"] == "invalid_token"
    assert (await signed_in.get("/api/v1/me"))[0] == 401  # a reset ends the old sessions
    await c.login(PARTNER, "a-brand-new-password")


async def test_expired_links_are_refused(server: Server, client_factory) -> None:
    await request_reset(server.url)
    token = await _mailed_token(server, PARTNER)
    async with server.hub.db.write() as tx:
        await tx.execute("UPDATE one_time_tokens SET expires_at = '2000-01-01T00:00:00.000000Z'")
    c = await client_factory()
    status, body = await c.post(
        "/api/v1/auth/password-reset/confirm", {"token": token, "new_password": "x" * 12}
    )
    assert status == 400 and body["error"]["code"] == "invalid_token"


async def test_account_invitation_link_sets_a_password_once(server: Server, client_factory) -> None:
    coordinator = await client_factory(COORDINATOR)
    status, person = await coordinator.post(
        "/api/v1/people",
        {"full_name": "Nowa Koordynatorka", "email": "nowa@example.org", "role": "coordinator"},
    )
    assert status == 201, person
    token = await _mailed_token(server, "nowa@example.org")
    c = await client_factory()
    status, body = await c.post(
        "/api/v1/auth/login", {"email": "nowa@example.org", "password": "x" * 12}
    )
    assert status == 401  # no password until the invitation is accepted
    accept = {"token": token, "new_password": "invited-password-1"}
    assert (await c.post("/api/v1/auth/invitation/accept", accept))[0] == 204
    status, body = await c.post("/api/v1/auth/invitation/accept", accept)
    assert status == 400 and body["error"]["code"] == "invalid_token"
    # A reset token is not an invitation token, and the other way round.
    status, _ = await c.post("/api/v1/auth/password-reset/confirm", accept)
    assert status == 400
    await c.login("nowa@example.org", "invited-password-1")
    async with server.hub.db.write() as tx:
        await tx.execute("UPDATE one_time_tokens SET expires_at = '2000-01-01T00:00:00.000000Z'")
    assert (await coordinator.post(f"/api/v1/people/{person['id']}/invitation"))[0] == 202
    fresh = await _mailed_token(server, "nowa@example.org")
    async with server.hub.db.write() as tx:
        await tx.execute("UPDATE one_time_tokens SET expires_at = '2000-01-01T00:00:00.000000Z'")
    status, body = await c.post(
        "/api/v1/auth/invitation/accept", {"token": fresh, "new_password": "y" * 12}
    )
    assert status == 400 and body["error"]["code"] == "invalid_token"
