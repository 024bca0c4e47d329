"""Scheduling: sessions and series, one occurrence's changes, answers, the schedule window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from meetings_hub.actions import meeting_view, occurrences, rsvp, scheduling
from meetings_hub.api.routing import ApiRoutes, Call
from meetings_hub.errors import BadRequest, NotFound

routes = ApiRoutes()
TAG = "scheduling"
DEFAULT_BEFORE = timedelta(days=7)
DEFAULT_AFTER = timedelta(days=90)


class RsvpInput(msgspec.Struct, forbid_unknown_fields=True):
    answer: str


class RsvpDone(msgspec.Struct):
    meeting_id: int
    answer: str


def _instant(raw: str, name: str) -> datetime:
    """An ISO 8601 instant; without an offset it is read as UTC."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an ISO 8601 date-time.", details={name: raw}) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _original(call: Call) -> datetime:
    """The occurrence in the path (``20271026T080000Z`` or ISO 8601); unreadable ones are not
    there (404), like an unknown id."""
    raw = call.request.match_info["original_start"]
    try:
        value = datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise NotFound(
                "No such occurrence of this meeting.", code="no_such_occurrence"
            ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@routes.route(
    "GET",
    "/occurrences",
    summary="Occurrences in a window (?from=&to=, default the last week and next 90 days; "
    "?person_id=, ?library_id= or ?network_id=, default: mine)",
    response=list[occurrences.OccurrenceView],
    tag=TAG,
    errors=(400, 404, 422),
)
async def list_occurrences(call: Call) -> list[occurrences.OccurrenceView]:
    q = call.request.query
    now = datetime.now(UTC)
    start = _instant(q["from"], "from") if q.get("from") else now - DEFAULT_BEFORE
    end = _instant(q["to"], "to") if q.get("to") else now + DEFAULT_AFTER
    target = occurrences.Target(
        person_id=call.query_int("person_id", low=1),
        library_id=call.query_int("library_id", low=1),
        network_id=call.query_int("network_id", low=1),
    )
    return await occurrences.list_occurrences(call.hub, call.actor, target, start, end)


@routes.route(
    "GET",
    "/meetings/defaults",
    summary="Defaults and choices for the schedule form (?network_id=)",
    response=meeting_view.ScheduleDefaults,
    tag=TAG,
    errors=(400, 422),
)
async def defaults(call: Call) -> meeting_view.ScheduleDefaults:
    return await meeting_view.form_defaults(
        call.hub, call.actor, call.query_int("network_id", low=1)
    )


@routes.route(
    "POST",
    "/meetings",
    summary="Schedule a session or series and email the invitations",
    body=scheduling.ScheduleInput,
    response=meeting_view.MeetingView,
    status=201,
    tag=TAG,
)
async def create(call: Call) -> meeting_view.MeetingView:
    meeting_id = await scheduling.schedule(call.hub, call.actor, call.body)
    return await meeting_view.view(call.hub, call.actor, meeting_id)


@routes.route(
    "GET",
    "/meetings/{meeting_id}",
    summary="One meeting",
    response=meeting_view.MeetingView,
    tag=TAG,
)
async def get(call: Call) -> meeting_view.MeetingView:
    return await meeting_view.view(call.hub, call.actor, call.int_param("meeting_id"))


@routes.route(
    "PUT",
    "/meetings/{meeting_id}",
    summary="Edit the whole meeting or series (resends REQUEST)",
    body=scheduling.ScheduleInput,
    response=meeting_view.MeetingView,
    tag=TAG,
)
async def update(call: Call) -> meeting_view.MeetingView:
    meeting_id = call.int_param("meeting_id")
    await scheduling.update_series(call.hub, call.actor, meeting_id, call.body)
    return await meeting_view.view(call.hub, call.actor, meeting_id)


@routes.route(
    "POST",
    "/meetings/{meeting_id}/cancel",
    summary="Cancel the meeting or whole series (sends CANCEL)",
    tag=TAG,
)
async def cancel(call: Call) -> None:
    await scheduling.cancel_meeting(call.hub, call.actor, call.int_param("meeting_id"))


@routes.route(
    "PUT",
    "/meetings/{meeting_id}/occurrences/{original_start}",
    summary="Move or edit one occurrence of a series (override)",
    body=scheduling.OccurrenceInput,
    response=meeting_view.MeetingView,
    tag=TAG,
)
async def move_occurrence(call: Call) -> meeting_view.MeetingView:
    meeting_id = call.int_param("meeting_id")
    original = _original(call)
    await scheduling.move_occurrence(call.hub, call.actor, meeting_id, original, call.body)
    return await meeting_view.view(call.hub, call.actor, meeting_id)


@routes.route(
    "DELETE",
    "/meetings/{meeting_id}/occurrences/{original_start}",
    summary="Cancel one occurrence of a series (exception)",
    tag=TAG,
)
async def cancel_occurrence(call: Call) -> None:
    original = _original(call)
    await scheduling.cancel_occurrence(call.hub, call.actor, call.int_param("meeting_id"), original)


@routes.route(
    "POST",
    "/meetings/{meeting_id}/rsvp",
    summary="My answer: accepted, tentative or declined",
    body=RsvpInput,
    tag=TAG,
)
async def answer(call: Call) -> None:
    await rsvp.answer(call.hub, call.actor, call.int_param("meeting_id"), call.body.answer)


@routes.route(
    "PUT",
    "/meetings/{meeting_id}/occurrences/{original_start}/rsvp",
    summary="My answer for one date of a series (answering the series again clears it)",
    body=RsvpInput,
    tag=TAG,
)
async def answer_date(call: Call) -> None:
    await rsvp.answer_date(
        call.hub, call.actor, call.int_param("meeting_id"), _original(call), call.body.answer
    )


@routes.route(
    "PUT",
    "/meetings/{meeting_id}/libraries/{library_id}/travel",
    summary="In-person events: how many people a library brings, in how many cars",
    body=meeting_view.TravelInput,
    tag=TAG,
)
async def travel(call: Call) -> None:
    await meeting_view.answer_travel(
        call.hub,
        call.actor,
        call.int_param("meeting_id"),
        call.int_param("library_id"),
        call.body,
    )


@routes.route(
    "POST",
    "/rsvp/{token}",
    summary="Record the answer of an emailed one-click link",
    response=RsvpDone,
    tag=TAG,
    public=True,
)
async def answer_by_link(call: Call) -> RsvpDone:
    target = await rsvp.answer_by_token(call.hub, call.request.match_info["token"])
    return RsvpDone(target.meeting_id, target.answer)
