"""iTIP (RFC 5546) messages sent by mail: REQUEST to invite or update, CANCEL to call off."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Literal

from calendars.document import DEFAULT_PRODID, new_calendar, to_ical
from calendars.model import Event


def build_invite(
    event: Event,
    *,
    method: Literal["REQUEST", "CANCEL"],
    prodid: str = DEFAULT_PRODID,
    stamp: datetime | None = None,
) -> bytes:
    """The text/calendar part of an invitation mail.

    ``stamp``: when the message is made, its DTSTAMP (RFC 5546 2.1.5); without it the
    event's ``last_modified`` (golden files pin it so).

    The caller raises SEQUENCE on every change it sends; clients ignore an update whose
    SEQUENCE is not higher than the one they have. ``event`` may be one occurrence
    (``recurrence_id`` set) to update or cancel only that occurrence.
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    if event.organizer is None:
        raise ValueError("an invitation needs an organizer (RFC 5546)")
    if method == "CANCEL":
        # Cancelling the series cancels its overrides with it; resending them would only
        # let a client keep a stray occurrence.
        event = replace(event, status="CANCELLED", overrides=())
    if stamp is not None:
        overrides = tuple(replace(item, stamp=stamp) for item in event.overrides)
        event = replace(event, stamp=stamp, overrides=overrides)
    calendar = new_calendar(prodid)
    calendar.add("method", method)
    return to_ical(calendar, [event], with_people=True)
