"""A scheduled meeting as plain data: what pages, the API and the calendar feeds read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from meetings_hub.scheduling.recurrence import Change, Occurrence, Rule, expand

KINDS: tuple[str, ...] = ("online", "training", "in_person")
RSVP_ANSWERS: tuple[str, ...] = ("accepted", "tentative", "declined")


@dataclass(frozen=True, slots=True)
class Meeting:
    """One session or one whole series; ``start``/``end`` are its first occurrence (UTC)."""

    id: int
    network_id: int
    host_library_id: int
    host_library_name: str
    kind: str
    title: str
    agenda: str
    start: datetime
    end: datetime
    timezone: str
    address: str
    status: str  # 'scheduled' or 'cancelled'
    sequence: int
    whole_network: bool
    join_url: str  # empty: the meeting page is the join link
    created_by: int | None
    organizer_name: str
    organizer_email: str
    created_at: datetime
    changed_at: datetime  # last change of time, place or status (DTSTAMP/LAST-MODIFIED)
    cancelled_at: datetime | None
    rule: Rule | None = None
    changes: tuple[Change, ...] = ()
    # Imported VALUE=DATE events: start/end are midnights in ``timezone``, shown as days.
    all_day: bool = False
    transparent: bool = False  # does not make its time busy in calendars (TRANSP)

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    def occurrences(
        self, window_start: datetime | None = None, window_end: datetime | None = None
    ) -> list[Occurrence]:
        return expand(
            self.start,
            self.end,
            self.timezone,
            self.rule,
            self.changes,
            window_start=window_start,
            window_end=window_end,
        )
