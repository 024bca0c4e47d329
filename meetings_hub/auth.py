"""Passwords (argon2), random tokens, and signed guest links. No I/O here."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# Verifying against this when the email is unknown keeps the timing of both answers alike.
_DUMMY_HASH = _hasher.hash("not a real password")

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


class Passwords:
    """argon2 off the event loop, in threads of its own.

    One hash or verify takes 170–240 ms of CPU (by design); on the event loop it stalled every
    socket and request of the process for that long. argon2-cffi releases the GIL while it
    works, so a thread lets the loop go on. The threads are few and private: a flood of
    sign-ins waits in this pool's queue, and never takes the default executor that uploads
    (their file writes) and other ``asyncio.to_thread`` work need.

    Each hash also runs 4 lanes in threads of argon2's own (``parallelism=4``), so two
    sign-ins are 8 busy threads: on a 2-core server the event loop thread waited for a core
    (bench/auth_timing.py: /healthz p99 98 ms during sign-ins). The pool's threads run at a
    lower priority (nice +10, inherited by argon2's lanes), so the loop gets a core first and a
    sign-in takes the time that is left.
    """

    NICE = 10

    def __init__(self, threads: int = 2) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="argon2", initializer=_lower_priority
        )

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool, hash_password, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, verify_password, stored_hash, password
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _lower_priority() -> None:
    # On Linux the nice value belongs to the thread (PRIO_PROCESS with a thread id), and
    # threads it starts inherit it. Lowering one's own priority needs no privilege.
    # (Elsewhere a thread id is no process id: the call fails and the thread keeps its priority.)
    thread = threading.get_native_id()
    with contextlib.suppress(OSError):
        nice = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, nice + Passwords.NICE))


def new_token() -> str:
    """A random URL-safe token (256 bits) for cookies and emailed links."""
    return secrets.token_urlsafe(32)


def token_id(token: str) -> str:
    """What the database keeps of a token: its SHA-256, so a stolen table opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: bytes, purpose: str, payload: dict[str, int | str]) -> str:
    """A compact signed token; ``purpose`` keeps a token of one kind from passing as another."""
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(secret, f"{purpose}.{body}".encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac[:20])}"


def unsign(secret: bytes, purpose: str, token: str) -> dict[str, int | str] | None:
    """The payload of a token signed by ``sign``; None when forged, truncated or malformed."""
    try:
        body, mac = token.split(".", 1)
        expected = hmac.new(secret, f"{purpose}.{body}".encode(), hashlib.sha256).digest()[:20]
        if not hmac.compare_digest(expected, _unb64(mac)):
            return None
        payload = json.loads(_unb64(body))
    except (ValueError, TypeError):
        return None
    return payload if isinstance(payload, dict) else None
