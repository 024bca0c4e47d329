"""argon2 never runs on the event loop, and a reset request does the same work for every email.

Each argon2 hash or verify takes ~200 ms of CPU; on the loop it stalled every request and socket
of the process. How long other requests wait during sign-ins, and how alike the reset answers
are in time, is measured by bench/auth_timing.py, not here.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any

import pytest
from argon2 import PasswordHasher

from meetings_hub import auth
from meetings_hub.actions.demo import DEMO_PASSWORD
from tests.foundation.smtp_support import wait_for
from tests.support import LEAD, PARTNER, Client, Server


class RecordingHasher(PasswordHasher):
    """The real argon2 hasher, noting which thread each hash and verify ran on."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[tuple[str, int]] = []
        self.priorities: set[int] = set()

    def _note(self, kind: str) -> None:
        self.threads.append((kind, threading.get_ident()))
        self.priorities.add(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    def hash(self, password: str | bytes, **kwargs: Any) -> str:
        self._note("hash")
        return super().hash(password, **kwargs)

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self._note("verify")
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> RecordingHasher:
    recording = RecordingHasher()
    monkeypatch.setattr(auth, "_hasher", recording)
    return recording


async def test_argon2_runs_off_the_event_loop(
    server: Server, client_factory, hasher: RecordingHasher
) -> None:
    loop_thread = threading.get_ident()  # the test's server runs on this loop
    c = await client_factory()
    await c.login(LEAD)  # verify
    status, body = await c.post(
        "/api/v1/auth/password",
        {"current_password": "wrong-password", "new_password": "a-new-password-123"},
    )
    assert status == 422, body  # verify
    status, body = await c.post(
        "/api/v1/auth/password",
        {"current_password": DEMO_PASSWORD, "new_password": "a-new-password-123"},
    )
    assert status == 204, body  # verify, then hash
    other = Client(server.url)
    try:  # an unknown email is verified against the dummy hash
        status, _ = await other.post(
            "/api/v1/auth/login", {"email": "nobody@example.org", "password": "x" * 12}
        )
        assert status == 401
    finally:
        await other.close()
    kinds = {kind for kind, _ in hasher.threads}
    assert kinds == {"hash", "verify"}, hasher.threads
    assert len(hasher.threads) >= 4
    assert all(thread != loop_thread for _, thread in hasher.threads), hasher.threads
    # ...at a lower priority than the loop, so its lanes never keep the loop from a core.
    expected = min(19, os.getpriority(os.PRIO_PROCESS, 0) + auth.Passwords.NICE)
    assert hasher.priorities == {expected}


async def test_a_reset_request_only_queues_its_work(server: Server) -> None:
    """The request for a known email must do what the one for an unknown email does: here
    both answer while the single writer is held, so neither wrote a token or a mail itself."""
    c = Client(server.url)
    try:
        async with server.hub.db.write():
            for email in (PARTNER, "nobody@example.org"):
                status, body = await asyncio.wait_for(
                    c.post("/api/v1/auth/password-reset", {"email": email}), 30
                )
                assert status == 202, body
        # The queued lookup then mails the known address, and only it.
        await wait_for(lambda: _outbox(server), what="the reset mail in the outbox")
        await asyncio.sleep(0.2)
        assert [row["recipient"] for row in await _outbox(server)] == [PARTNER]
    finally:
        await c.close()


async def _outbox(server: Server) -> list[dict[str, Any]]:
    async with server.hub.db.read() as reader:
        rows = await reader.fetch_all("SELECT recipient FROM outbox WHERE kind = 'password_reset'")
    return [dict(r) for r in rows]
