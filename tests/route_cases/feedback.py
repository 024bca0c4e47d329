"""Feedback routes: the one-click form's data and answer (the signed link is the key)."""

from __future__ import annotations

from datetime import timedelta

from meetings_hub.actions import feedback
from meetings_hub.storage import feedback as store
from meetings_hub.storage import scheduling
from meetings_hub.storage.timefmt import now_utc
from tests.route_cases import EVERYONE, STAFF, Case, World

V1 = "/api/v1"


async def setup_world(world: World) -> None:
    """The partner was asked about the first date of the walk's meeting; answers are open."""
    hub = world.hub
    async with hub.db.write() as tx:
        meeting = await scheduling.get(tx, world.ids["meeting_id"])
        assert meeting is not None
        closes_at = now_utc() + timedelta(days=7)
        await store.add_request(
            tx,
            meeting_id=meeting.id,
            original_start=meeting.start,
            person_id=world.ids["person_id"],
            guest_id=None,
            closes_at=closes_at,
        )
    target = feedback.Target(meeting.id, meeting.start, person_id=world.ids["person_id"])
    world.ids["feedback_token"] = feedback.token(hub, target, closes_at)
    world.ids["report_table"] = "participants"


CASES = [
    Case(
        "GET",
        V1 + "/feedback/{token}",
        ids={"token": "feedback_token"},
        allowed=EVERYONE,
        note="no sign-in: the signed link names one person and one date (tests/feedback)",
    ),
    Case(
        "PUT",
        V1 + "/feedback/{token}",
        ids={"token": "feedback_token"},
        allowed=EVERYONE,
        body={"outcomes": ["knowledge"], "rating": 5, "comment": "Dobrze"},
        note="anyone holding the link answers for its person; edits allowed while open",
    ),
    Case(
        "GET",
        V1 + "/report",
        allowed=STAFF,
        note="coordinator: every network; a lead: the networks she leads; partners and guests 403",
    ),
    Case(
        "GET",
        V1 + "/report/csv/{table}",
        ids={"table": "report_table"},
        allowed=STAFF,
        note="one CSV per table of the report, same access",
    ),
]
