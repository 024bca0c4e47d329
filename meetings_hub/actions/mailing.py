"""Mails the foundation sends (reset and invitation links), queued in the caller's transaction."""

from __future__ import annotations

import logging

from meetings_hub.domain import Person, TokenPurpose
from meetings_hub.hub import Hub
from meetings_hub.mail.compose import (
    BadAddress,
    Composed,
    compose,
    header_text,
    new_message_id,
    valid_text,
)
from meetings_hub.storage import outbox
from meetings_hub.storage.db import Tx

log = logging.getLogger(__name__)


async def queue(
    hub: Hub, tx: Tx, mail: Composed, *, kind: str, dedupe_key: str | None = None
) -> int | None:
    return await outbox.insert(
        tx,
        message_id=mail.message_id,
        dedupe_key=dedupe_key,
        kind=kind,
        recipient=mail.recipient,
        subject=mail.subject,
        body_text=mail.body_text,
        raw=mail.raw,
    )


async def queue_link_mail(
    hub: Hub, tx: Tx, person: Person, purpose: TokenPurpose, link: str
) -> None:
    lang = person.language.value
    prefix = "mail.reset" if purpose is TokenPurpose.PASSWORD_RESET else "mail.invitation"
    hours = hub.settings.reset_link_hours
    days = hub.settings.invitation_link_days
    subject = hub.t(lang, f"{prefix}.subject")
    text = hub.t(lang, f"{prefix}.body", name=person.full_name, link=link, hours=hours, days=days)
    try:
        mail = compose(
            sender=hub.settings.mail_from,
            recipient=person.email,
            recipient_name=person.full_name,
            subject=subject,
            text=text,
            domain=hub.settings.site_domain,
        )
    except BadAddress as error:
        # An address an old row holds that no header can carry: the outbox shows it failed
        # (for a coordinator to fix) instead of the whole request answering 500.
        log.warning("person %s: not mailing %r: %s", person.id, person.email, error)
        await outbox.insert_unsendable(
            tx,
            message_id=new_message_id(hub.settings.site_domain),
            kind=purpose.value,
            recipient=valid_text(person.email),
            subject=header_text(subject),
            error=str(error),
        )
        return
    await queue(hub, tx, mail, kind=purpose.value)
