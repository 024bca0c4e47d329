"""The pure rule for declined dates in a person's own feed: hidden dates are gone and nothing
else is; marked dates keep their times and only their titles change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from meetings_hub.scheduling.declined import as_declined
from meetings_hub.scheduling.model import Meeting
from meetings_hub.scheduling.recurrence import Rule

START = datetime(2027, 10, 19, 8, tzinfo=UTC)


def weekly(count: int) -> Meeting:
    return Meeting(
        id=1, network_id=1, host_library_id=1, host_library_name="B", kind="online",
        title="Klub", agenda="", start=START, end=START + timedelta(minutes=90),
        timezone="Europe/Warsaw", address="", status="scheduled", sequence=2,
        whole_network=True, join_url="", created_by=1, organizer_name="", organizer_email="",
        created_at=START, changed_at=START, cancelled_at=None,
        rule=Rule("WEEKLY", 1, ("TU",), count=count),
    )  # fmt: skip


@given(
    count=st.integers(1, 12),
    picks=st.sets(st.integers(0, 11)),
    mode=st.sampled_from(["mark", "hide"]),
)
def test_declined_dates(count: int, picks: set[int], mode: str) -> None:
    meeting = weekly(count)
    originals = [o.original_start for o in meeting.occurrences()]
    declined = frozenset(originals[i] for i in picks if i < len(originals))
    shown = as_declined(meeting, whole=False, dates=declined, mode=mode, mark="✗ ")
    assert shown is not None
    after = shown.occurrences()
    if mode == "hide":
        assert [o.original_start for o in after] == [o for o in originals if o not in declined]
    else:
        assert [(o.start, o.end) for o in after] == [
            (o.start, o.end) for o in meeting.occurrences()
        ]
        titles = {o.original_start: (o.title or shown.title) for o in after}
        assert {o for o, title in titles.items() if title.startswith("✗ ")} == declined


def test_whole_meeting_declined() -> None:
    meeting = weekly(3)
    assert as_declined(meeting, whole=True, dates=frozenset(), mode="hide", mark="✗ ") is None
    marked = as_declined(meeting, whole=True, dates=frozenset(), mode="mark", mark="✗ ")
    assert marked is not None and marked.title == "✗ Klub" and marked.transparent
