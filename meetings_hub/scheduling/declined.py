"""A person's own calendar feed and the dates she declined: marked, or left out (her choice).

Pure: takes the meeting, her answers and the mark's words; returns the meeting as her feed
shows it (None: not shown at all)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from meetings_hub.scheduling.model import Meeting
from meetings_hub.scheduling.recurrence import Change


def as_declined(
    meeting: Meeting,
    *,
    whole: bool,
    dates: frozenset[datetime],
    mode: str,
    mark: str,
) -> Meeting | None:
    """``whole``: she declined the meeting (every date); ``dates``: original starts of single
    dates she declined; ``mode`` "mark" prefixes the title with ``mark`` and frees the time
    (TRANSP:TRANSPARENT), "hide" leaves the meeting or the dates out."""
    if whole:
        if mode == "hide":
            return None
        return replace(meeting, title=f"{mark}{meeting.title}", transparent=True)
    if not dates or meeting.rule is None:
        return meeting
    changes = {c.original_start: c for c in meeting.changes}
    occurrences = {o.original_start: o for o in meeting.occurrences()}
    for original in sorted(dates):
        occurrence = occurrences.get(original)
        if occurrence is None:
            continue  # not a date of the series (any more), or already cancelled
        if mode == "hide":
            changes[original] = Change(original, "exception")
            continue
        old = changes.get(original)
        title = old.title if old is not None and old.title is not None else meeting.title
        changes[original] = Change(
            original,
            "override",
            start=occurrence.start,
            end=occurrence.end,
            title=f"{mark}{title}",
            agenda=old.agenda if old is not None else None,
            address=old.address if old is not None else None,
            sequence=old.sequence if old is not None else meeting.sequence,
        )
    return replace(meeting, changes=tuple(changes[k] for k in sorted(changes)))
