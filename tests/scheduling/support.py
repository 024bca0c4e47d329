"""Scheduling test helpers: a real aiosmtpd server that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support import free_port


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    async def wait_for(
        self, predicate: Callable[[list[EmailMessage]], bool], seconds: float = 15.0
    ) -> list[EmailMessage]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not predicate(self.messages):
            if loop.time() > deadline:
                raise AssertionError(f"mail did not arrive; have {len(self.messages)} messages")
            await asyncio.sleep(0.1)
        return self.messages


@dataclass
class Smtp:
    inbox: Inbox
    controller: Controller
    port: int

    def settings(self) -> dict[str, Any]:
        return {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_starttls": False}


def start_smtp() -> Smtp:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return Smtp(inbox, controller, port)


def calendar_part(message: EmailMessage) -> EmailMessage:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part  # type: ignore[return-value]
    raise AssertionError("no text/calendar part")


def structure(message: EmailMessage) -> list[str]:
    """Content types in walk order, nested parts indented by depth."""
    out: list[str] = []

    def visit(part: EmailMessage, depth: int) -> None:
        out.append("  " * depth + part.get_content_type())
        if part.is_multipart():
            for sub in part.iter_parts():
                visit(sub, depth + 1)  # type: ignore[arg-type]

    visit(message, 0)
    return out
