"""A real SMTP server (aiosmtpd) that records what it accepts and can hold a mail mid-DATA."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.support import free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain",))
        return body.get_content() if body is not None else ""


@dataclass
class SmtpSink:
    """Accepts every mail (250) unless told to hold or refuse the next ones."""

    received: list[Received] = field(default_factory=list)
    hold: bool = False  # hold the next DATA until ``release`` is set; then refuse it (451)
    refuse_with: str = ""  # e.g. "550 mailbox unavailable": refuse every mail with this reply
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    port: int = 0
    _controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        if self.hold:
            self.hold = False
            self.holding.set()
            # A threading.Event: the test's loop sets it, this runs in aiosmtpd's own thread.
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
            return "451 held by the test and not accepted"
        if self.refuse_with:
            return self.refuse_with
        message = message_from_bytes(envelope.content, policy=policy.SMTP)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def start(self) -> SmtpSink:
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._controller is not None:
            self._controller.stop()

    def settings(self) -> dict[str, object]:
        """Overrides for make_settings that point the app at this server."""
        return {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_starttls": False}


async def wait_for(condition, within: float = 10.0, what: str = "condition") -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
