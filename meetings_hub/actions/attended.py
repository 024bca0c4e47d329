"""Who attended one date of a meeting: present in its session room during the date's window.

One home for the rule: the savings log's freezing job decides the window and gathers who was
present (``actions/savings_freeze``); feedback and the programme report call it, so the report,
the feedback requests and the savings log never disagree on who was there.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from meetings_hub.actions.savings_freeze import gather_attendees, room_window
from meetings_hub.scheduling.model import Meeting
from meetings_hub.storage.db import Reader, Tx

__all__ = ["attendees", "room_window"]


async def attendees(
    db: Reader | Tx, meeting: Meeting, opens: datetime, closes: datetime
) -> list[str]:
    """Who keys ('p:<id>' / 'g:<id>') of everyone present for any time within the window."""
    found = await gather_attendees(db, meeting, opens, closes)
    return [p["who"] for p in found if Decimal(p["seconds"]) > 0]
