"""Drains the outbox to the SMTP server with aiosmtplib.

A mail is claimed (status 'sending') in one transaction, sent, then marked 'sent' in another.
When the process is stopped mid-send (SIGTERM, shutdown), the sender hands its unfinished claims
back ('pending') before the database closes, so the next start sends them at once. When the
process dies without a shutdown, its claims go stale after ``mail_claim_seconds`` and are sent
again. Either way a mail is re-sent with the same Message-ID, and only if the SMTP server's
acceptance had not yet been recorded — the one window where a duplicate is possible, and mail
clients fold messages with one Message-ID into one. Nothing is ever lost: a mail leaves the
table only as 'sent' or, after ``mail_max_attempts``, 'failed' (shown on the outbox page).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from email import message_from_bytes, policy

import aiosmtplib

from meetings_hub.settings import Settings
from meetings_hub.storage import outbox
from meetings_hub.storage.db import Database
from meetings_hub.storage.timefmt import now_utc

log = logging.getLogger(__name__)

# How long stop() waits for the sending task to finish after cancelling it.
STOP_SECONDS = 5.0


class MailSender:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    @property
    def enabled(self) -> bool:
        return bool(self.settings.smtp_host)

    def start(self) -> None:
        if self.enabled and self._task is None:
            self._task = asyncio.create_task(self._run(), name="mail-sender")

    async def stop(self) -> None:
        # Bounded: a shutdown must never wait for ever on this task. A claim it still holds is
        # given back when the claim goes stale (mail_claim_seconds), so nothing is lost.
        if self._task is not None:
            self._task.cancel()
            done, _ = await asyncio.wait({self._task}, timeout=STOP_SECONDS)
            if not done:
                log.warning("mail sender did not stop within %s s", STOP_SECONDS)
            self._task = None

    def wake(self) -> None:
        """Called after a commit that queued mail, so it leaves now rather than at the next poll."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                await self.send_due()
            except Exception:
                log.exception("mail sender round failed")
            self._wake.clear()
            # asyncio.timeout, not wait_for: on Python 3.11 a cancel that meets wait_for's inner
            # task could be lost, leaving stop() (and the server's shutdown) waiting for ever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.mail_poll_seconds):
                    await self._wake.wait()

    async def send_due(self, limit: int = 20) -> int:
        now = now_utc()
        stale_before = now - timedelta(seconds=self.settings.mail_claim_seconds)
        async with self.db.write() as tx:
            rows = await outbox.claim_due(tx, now=now, stale_before=stale_before, limit=limit)
        sent = 0
        for index, row in enumerate(rows):
            try:
                await self._send(row["raw"])
            except asyncio.CancelledError:
                # Stopping: give back this claim and the ones not tried yet, then stop.
                await asyncio.shield(self._release([r["id"] for r in rows[index:]]))
                raise
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                attempts = row["attempts"] + 1
                retry_at = None
                if attempts < self.settings.mail_max_attempts:
                    retry_at = now_utc() + timedelta(minutes=min(2**attempts, 240))
                log.warning("mail %s to %s failed: %s", row["id"], row["recipient"], exc)
                async with self.db.write() as tx:
                    await outbox.mark_failed_attempt(
                        tx, row["id"], error=str(exc), retry_at=retry_at
                    )
                continue
            async with self.db.write() as tx:
                await outbox.mark_sent(tx, row["id"])
            sent += 1
        return sent

    async def _release(self, ids: list[int]) -> None:
        async with self.db.write() as tx:
            await outbox.release_claims(tx, ids)

    async def _send(self, raw: bytes) -> None:
        message = message_from_bytes(raw, policy=policy.SMTP)
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=s.smtp_password or None,
            start_tls=None if s.smtp_starttls else False,
            timeout=s.smtp_timeout,
        )
        # Not `async with client` (nor aiosmtplib.send): on cancellation its exit politely sends
        # QUIT and waits up to smtp_timeout for an answer, which held a SIGTERM for 30 seconds
        # while a slow server sat on our DATA. Stopping closes the connection at once instead.
        try:
            await client.connect()
            await client.send_message(message)
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await client.quit()
        finally:
            client.close()
