"""Builds RFC 5322 messages with the standard library's email package.

Two rules keep a header from breaking, whatever text an old row holds:
- names and subjects are made one line of valid Unicode first (``header_text``): a newline,
  control character or lone surrogate becomes a space or U+FFFD instead of a ValueError;
- non-ASCII headers are written by ``_HeaderPolicy`` (below), whose encoded words carry their
  own spaces.
An address that cannot be written at all raises ``BadAddress``; callers skip that recipient.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address, AddressHeader, UnstructuredHeader
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, parseaddr
from typing import Any

from meetings_hub.storage.timefmt import now_utc

_SURROGATE = re.compile("[\ud800-\udfff]")
# Control characters (newlines, tabs, NUL... Unicode Cc) and line and paragraph separators.
_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


class BadAddress(ValueError):
    """The recipient's address cannot be put in a mail header."""


class _HeaderPolicy(EmailPolicy):
    """policy.SMTP, except that non-ASCII Subject and address headers are encoded by
    ``email.header.Header``.

    Python 3.11's folder writes the space between two encoded words as the folding white
    space itself, which RFC 2047 (6.2) tells readers to drop: "żółw, łąka" arrived as
    "żółw,łąka" in 41% of invitations. Header puts every character, spaces included, inside
    its encoded words, so the decoded text is exactly the text we stored.
    """

    def _fold(self, name: str, value: Any, refold_binary: bool = False) -> str:
        text = str(value)
        if text.isascii():
            return super()._fold(name, value, refold_binary=refold_binary)
        if isinstance(value, AddressHeader):
            addresses = [
                self._address(a, name if i == 0 else "") for i, a in enumerate(value.addresses)
            ]
            return f"{name}: {(',' + self.linesep + ' ').join(addresses)}{self.linesep}"
        if isinstance(value, UnstructuredHeader):
            return f"{name}: {self._words(text, name)}{self.linesep}"
        return super()._fold(name, value, refold_binary=refold_binary)

    def _words(self, text: str, header_name: str) -> str:
        header = Header(text, "utf-8", maxlinelen=self.max_line_length, header_name=header_name)
        return header.encode(linesep=self.linesep)

    def _address(self, address: Address, header_name: str) -> str:
        if address.display_name.isascii():
            return str(address)
        # The angle address goes on its own line so no line outgrows max_line_length.
        words = self._words(address.display_name, header_name)
        return f"{words}{self.linesep} <{address.addr_spec}>"


SMTP_POLICY = _HeaderPolicy(linesep="\r\n")


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


def valid_text(text: str) -> str:
    """Text that encodes as UTF-8: a lone surrogate (valid in JSON) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def header_text(text: str) -> str:
    """One line of valid text for a header: line breaks and control characters become spaces."""
    return _BREAKING.sub(" ", valid_text(text)).strip()


def address(email: str, name: str = "") -> Address:
    """A header address; the name may hold anything, the address must be a plain one."""
    email = email.strip()
    if not email.isascii() or _BREAKING.search(email):
        raise BadAddress(f"not a mail address: {email!r}")
    try:
        # In a display name runs of white space are one space to every reader (RFC 5322 phrase
        # words): written so, the name reads back exactly as sent.
        found = Address(display_name=" ".join(header_text(name).split()), addr_spec=email)
    except (ValueError, IndexError, HeaderParseError) as error:
        raise BadAddress(f"not a mail address: {email!r}") from error
    if not found.username or not found.domain or found.addr_spec != email:
        raise BadAddress(f"not a mail address: {email!r}")
    return found


def sender_address(sender: str) -> Address:
    """The configured From ("Name <address>" or a bare address) as a header address."""
    name, email = parseaddr(sender)
    return address(email or sender, name)


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
    """text (+ html, + e.g. text/calendar as further alternatives) and optional attachments.

    Raises BadAddress when ``recipient`` (or ``reply_to``) cannot be a mail address."""
    to = address(recipient, recipient_name)
    subject = header_text(subject)
    text = valid_text(text)
    message = EmailMessage(policy=SMTP_POLICY)
    message_id = new_message_id(domain)
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(now_utc())
    message["From"] = sender_address(sender)
    message["To"] = to
    if reply_to:
        message["Reply-To"] = address(reply_to)
    message["Subject"] = subject
    message.set_content(text, charset="utf-8")
    if html is not None:
        message.add_alternative(valid_text(html), subtype="html", charset="utf-8")
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
        recipient=to.addr_spec,
        subject=subject,
        body_text=text,
        raw=message.as_bytes(),
    )


def address_of(sender: str) -> str:
    return parseaddr(sender)[1]
