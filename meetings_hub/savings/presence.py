"""Who travelled, in the counterfactual: who was in the room long enough, and from where.

Several tabs or reconnects of one person are one person: the intervals of one person are
merged before their minutes are summed, so overlapping rows never count twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from meetings_hub.savings.params import Parameters

Interval = tuple[datetime, datetime | None]  # (joined, left); left None: still in the room


def merge(
    intervals: Iterable[Interval], window_start: datetime, window_end: datetime
) -> list[tuple[datetime, datetime]]:
    """The intervals clipped to the window (an open one ends with it), overlaps merged."""
    clipped = []
    for joined, left in intervals:
        start = max(joined, window_start)
        end = min(left if left is not None else window_end, window_end)
        if end > start:
            clipped.append((start, end))
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(clipped):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def present_seconds(
    intervals: Iterable[Interval], window_start: datetime, window_end: datetime
) -> Decimal:
    spans = merge(intervals, window_start, window_end)
    total = sum(((end - start).total_seconds() for start, end in spans), 0.0)
    return Decimal(str(round(total, 3)))


def threshold_minutes(scheduled_minutes: Decimal, params: Parameters) -> Decimal:
    """Present at least min_share of the scheduled length or min_minutes, whichever is smaller."""
    return min(params.min_share * scheduled_minutes, Decimal(params.min_minutes))


def travelled(seconds: Decimal, threshold: Decimal) -> bool:
    return seconds >= threshold * 60


@dataclass(frozen=True, slots=True)
class Place:
    """A named origin with coordinates that is not one of our libraries (e.g. a town)."""

    name: str
    latitude: float
    longitude: float


Origin = int | Place  # a library id, or a place


def guest_origin(
    named_library_id: int | None,
    named_place: Place | None,
    inviter_library_id: int | None,
    organiser_library_id: int | None,
) -> Origin | None:
    """Where a guest would have travelled from; None: "not counted: no place".

    The library or town the guest's entry names, else the inviting person's library, else the
    organiser's library.
    """
    if named_library_id is not None:
        return named_library_id
    if named_place is not None:
        return named_place
    if inviter_library_id is not None:
        return inviter_library_id
    return organiser_library_id
