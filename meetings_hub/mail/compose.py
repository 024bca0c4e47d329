"""Builds RFC 5322 messages with the standard library's email package."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from meetings_hub.storage.timefmt import now_utc


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Composed:
    message_id: str
    recipient: str
    subject: str
    body_text: str
    raw: bytes


def new_message_id(domain: str) -> str:
    return f"<{uuid.uuid4().hex}@{domain}>"


def compose(
    *,
    sender: str,
    recipient: str,
    recipient_name: str = "",
    subject: str,
    text: str,
    html: str | None = None,
    domain: str,
    reply_to: str | None = None,
    alternatives: tuple[Attachment, ...] = (),
    attachments: tuple[Attachment, ...] = (),
) -> Composed:
    """text (+ html, + e.g. text/calendar as further alternatives) and optional attachments."""
    message = EmailMessage()
    message_id = new_message_id(domain)
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(now_utc())
    message["From"] = sender
    message["To"] = formataddr((recipient_name, recipient)) if recipient_name else recipient
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = subject
    message.set_content(text, charset="utf-8")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8")
    for part in alternatives:
        message.add_alternative(
            part.content, maintype=part.maintype, subtype=part.subtype, params=part.params
        )
    for part in attachments:
        message.add_attachment(
            part.content, maintype=part.maintype, subtype=part.subtype, filename=part.filename
        )
    return Composed(
        message_id=message_id,
        recipient=recipient,
        subject=subject,
        body_text=text,
        raw=message.as_bytes(),
    )


def address_of(sender: str) -> str:
    return parseaddr(sender)[1]
