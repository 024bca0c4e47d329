"""Who attended one date of a meeting: presence in its session room during the date's window.

Hook for the savings log (issue 11): its freezing job computes the same per date
(``actions/savings_freeze.room_window`` and ``gather_attendees``). When that lands, this module
should call it, so the report and the savings log can never disagree on who was there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from meetings_hub.scheduling.recurrence import Occurrence
from meetings_hub.settings import Settings
from meetings_hub.storage import feedback as store
from meetings_hub.storage.db import Reader, Tx
from meetings_hub.storage.timefmt import to_db


def room_window(
    occ: Occurrence, ended_at: datetime | None, settings: Settings
) -> tuple[datetime, datetime]:
    """(opens, closes) of the room for one date: it opens before the start and closes after
    the end, or earlier when the host ended the session."""
    opens = occ.start - timedelta(minutes=settings.chat_session_open_minutes)
    closes = occ.end + timedelta(minutes=settings.chat_session_close_minutes)
    if ended_at is not None and opens <= ended_at < closes:
        closes = ended_at
    return opens, closes


async def attendees(
    db: Reader | Tx, meeting_id: int, opens: datetime, closes: datetime
) -> list[str]:
    """Who keys ('p:<id>' / 'g:<id>') of everyone present at any moment of the window."""
    rows = await store.attendance_of_meeting(db, meeting_id, opens, closes)
    return sorted({who(r) for r in present_in(rows, opens, closes)})


def who(row: Any) -> str:
    return f"p:{row['person_id']}" if row["person_id"] is not None else f"g:{row['guest_id']}"


def present_in(rows: list[Any], opens: datetime, closes: datetime) -> list[Any]:
    """The presence rows that overlap the window (an open row: still there)."""
    o, c = to_db(opens), to_db(closes)
    return [r for r in rows if r["joined_at"] < c and (r["left_at"] is None or r["left_at"] > o)]
