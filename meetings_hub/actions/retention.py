"""Retention: what `meetings-hub cleanup` and the daily background run remove or anonymise.

Each setting's legal reason is in docs/privacy.md. ``apply`` takes ``now`` so tests can travel
in time; every step is idempotent, so a run that was interrupted is simply run again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from meetings_hub.actions import files
from meetings_hub.hub import Hub
from meetings_hub.settings import Settings
from meetings_hub.storage import audit, exports, privacy
from meetings_hub.storage.timefmt import now_utc

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionReport:
    messages_deleted: int = 0
    guests_anonymised: int = 0
    invitations_anonymised: int = 0
    sign_ins_deleted: int = 0
    mail_bodies_blanked: int = 0
    audit_entries_deleted: int = 0
    exports_deleted: int = 0

    def summary(self) -> str:
        return (
            f"{self.messages_deleted} chat messages deleted, {self.guests_anonymised} guests and "
            f"{self.invitations_anonymised} guest invitations anonymised, "
            f"{self.sign_ins_deleted} sign-in records deleted, {self.mail_bodies_blanked} mail "
            f"bodies blanked, {self.audit_entries_deleted} audit entries deleted, "
            f"{self.exports_deleted} expired data exports deleted"
        )


def periods(settings: Settings) -> dict[str, int]:
    """The retention periods in days (0: kept for ever), as the privacy notice and the guest
    entry page state them."""
    return {
        "chat": settings.chat_retention_days,
        "guests": settings.guest_data_retention_days,
        "sign_ins": settings.sign_in_retention_days,
        "mail": settings.outbox_retention_days,
        "audit": settings.audit_retention_days,
        "files": settings.file_retention_days,
    }


def _cutoff(now: datetime, days: int) -> datetime | None:
    return now - timedelta(days=days) if days > 0 else None


async def apply(hub: Hub, *, now: datetime | None = None) -> RetentionReport:
    """Applies every retention setting as of ``now``, one transaction per kind of data."""
    now = now or now_utc()
    settings = hub.settings
    messages = guests = invitations = sign_ins = mail = entries = 0
    if cutoff := _cutoff(now, settings.chat_retention_days):
        async with hub.db.write() as tx:
            messages = await privacy.delete_messages_before(tx, cutoff)
    if cutoff := _cutoff(now, settings.guest_data_retention_days):
        async with hub.db.write() as tx:
            guest_ids = await privacy.guests_of_meetings_ended_before(tx, cutoff)
            for guest_id in guest_ids:
                await privacy.anonymise_guest(tx, guest_id)
            invitation_ids = await privacy.invitations_of_meetings_ended_before(tx, cutoff)
            for invitation_id in invitation_ids:
                await privacy.anonymise_invitation(tx, invitation_id)
            guests, invitations = len(guest_ids), len(invitation_ids)
    if cutoff := _cutoff(now, settings.sign_in_retention_days):
        async with hub.db.write() as tx:
            sign_ins = await privacy.delete_sign_ins_before(tx, cutoff)
    if cutoff := _cutoff(now, settings.outbox_retention_days):
        async with hub.db.write() as tx:
            mail = await privacy.blank_mail_sent_before(tx, cutoff)
    if cutoff := _cutoff(now, settings.audit_retention_days):
        async with hub.db.write() as tx:
            entries = await audit.delete_before(tx, cutoff)
    async with hub.db.write() as tx:
        expired = await exports.expire_before(tx, now)
    for name in expired:
        (hub.settings.data_dir / "exports" / name).unlink(missing_ok=True)
    return RetentionReport(messages, guests, invitations, sign_ins, mail, entries, len(expired))


class RetentionRunner:
    """Runs the file cleanup and ``apply`` every ``retention_run_hours``, first shortly after
    the start; started and stopped with the app (like the reminder scheduler)."""

    FIRST_RUN_DELAY = 60.0  # seconds: let the server finish starting and take its first load

    def __init__(self, hub: Hub, runtime: files.FileRuntime) -> None:
        self.hub = hub
        self.runtime = runtime
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.hub.settings.retention_run_hours > 0:
            self._task = asyncio.create_task(self._run(), name="retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> RetentionReport:
        await files.cleanup(self.hub, self.runtime)
        return await apply(self.hub)

    async def _run(self) -> None:
        await asyncio.sleep(self.FIRST_RUN_DELAY)
        while True:
            try:
                report = await self.run_once()
                log.info("retention: %s", report.summary())
            except Exception:
                log.exception("retention run failed")
            await asyncio.sleep(self.hub.settings.retention_run_hours * 3600)
