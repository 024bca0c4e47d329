"""Find a time zone's UTC-offset changes with zoneinfo, to the second."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

# No zone changes its offset twice within this step, so scanning at it finds every change;
# bisection then pins each one down to the second.
_SCAN_STEP = timedelta(hours=12)


@dataclass(frozen=True)
class Transition:
    at: datetime  # the UTC instant from which offset_to applies
    offset_from: timedelta
    offset_to: timedelta
    is_dst: bool
    name: str

    @property
    def local_onset(self) -> datetime:
        """The wall-clock time of the change as read before it (RFC 5545 DTSTART in a VTIMEZONE)."""
        return (self.at + self.offset_from).replace(tzinfo=None)


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _bisect(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first second in (before, after] that has the offset of ``after``."""
    target = _offset(zone, after)
    low, high = 0, int((after - before).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(zone, before + timedelta(seconds=middle)) == target:
            high = middle
        else:
            low = middle
    return before + timedelta(seconds=high)


@lru_cache(maxsize=64)
def find_transitions(tzid: str, start: datetime, end: datetime) -> tuple[Transition, ...]:
    """Every offset change of ``tzid`` in [start, end), both aware datetimes."""
    zone = ZoneInfo(tzid)
    found: list[Transition] = []
    cursor = start.astimezone(UTC)
    stop = end.astimezone(UTC)
    current = _offset(zone, cursor)
    while cursor < stop:
        probe = min(cursor + _SCAN_STEP, stop)
        offset = _offset(zone, probe)
        if offset != current:
            at = _bisect(zone, cursor, probe)
            local = at.astimezone(zone)
            found.append(
                Transition(
                    at=at,
                    offset_from=current,
                    offset_to=offset,
                    is_dst=bool(local.dst()),
                    name=local.tzname() or tzid,
                )
            )
            current = offset
        cursor = probe
    return tuple(found)
