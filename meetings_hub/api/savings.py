"""The savings log: the log, totals, exports, parameters, road distances, corrections."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from aiohttp import web

from meetings_hub.actions import savings
from meetings_hub.actions.access import require_person
from meetings_hub.api.routing import ApiRoutes, Call
from meetings_hub.errors import BadRequest, ValidationFailed

routes = ApiRoutes()
TAG = "savings"
_FILTER_FIELDS = frozenset(f.name for f in msgspec.structs.fields(savings.SavingsFilters))


def filters_of(query: Any, *, extra: frozenset[str] = frozenset()) -> savings.SavingsFilters:
    """The log's filters from the query string; a bad one is a 422 naming it."""
    values: dict[str, Any] = {}
    for name, raw in query.items():
        if name in extra:
            continue
        if name not in _FILTER_FIELDS:
            raise ValidationFailed("Unknown filter.", details={name: "Unknown field."})
        if raw != "":
            values[name] = raw
    try:
        return msgspec.convert(values, savings.SavingsFilters, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        field = message.rpartition("$.")[2].rstrip("`") if "$." in message else "query"
        raise ValidationFailed(message, details={field: message}) from None


def _original(call: Call) -> datetime | None:
    raw = call.request.query.get("original_start", "")
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(
            "original_start must be an ISO 8601 date-time.", details={"original_start": raw}
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@routes.route(
    "GET",
    "/savings",
    summary="The savings log (?date_from=&date_to=&network_id=&voivodeship=&kind=&limit=&offset=)",
    response=savings.SavingsLogView,
    tag=TAG,
    errors=(404, 422),
)
async def savings_log(call: Call) -> savings.SavingsLogView:
    return await savings.savings_log(call.hub, call.actor, filters_of(call.request.query))


@routes.route(
    "GET",
    "/savings/totals",
    summary="Running totals for a coordinator or a lead (null for everyone else)",
    response=savings.SavingsTotals | None,
    tag=TAG,
)
async def savings_totals(call: Call) -> Any:
    # The action answers None to anyone (pages call it for every visitor); the API, like
    # every other savings route, refuses guests and anonymous callers.
    require_person(call.actor)
    totals = await savings.savings_totals_line(call.hub, call.actor)
    # None is an answer here ("no totals for you"), not "no content".
    return web.Response(body=msgspec.json.encode(totals), content_type="application/json")


@routes.route(
    "GET",
    "/savings/parameters",
    summary="The model's parameters: programme sets, network overrides, defaults and sources",
    response=savings.ParametersView,
    tag=TAG,
)
async def get_parameters(call: Call) -> savings.ParametersView:
    return await savings.get_parameters(call.hub, call.actor)


@routes.route(
    "POST",
    "/savings/parameters",
    summary="A new version of the programme's parameters (coordinator)",
    body=savings.ProgrammeParametersInput,
    response=savings.ParameterSetView,
    status=201,
    tag=TAG,
)
async def put_programme_parameters(call: Call) -> savings.ParameterSetView:
    return await savings.put_programme_parameters(call.hub, call.actor, call.body)


@routes.route(
    "POST",
    "/networks/{network_id}/savings-parameters",
    summary="A new version of a network's parameter overrides (its lead, within bounds)",
    body=savings.NetworkParametersInput,
    response=savings.ParameterSetView,
    status=201,
    tag=TAG,
)
async def put_network_parameters(call: Call) -> savings.ParameterSetView:
    return await savings.put_network_parameters(
        call.hub, call.actor, call.int_param("network_id"), call.body
    )


@routes.route(
    "GET",
    "/meetings/{meeting_id}/savings",
    summary="The frozen savings of a meeting's held dates (?original_start= for one)",
    response=list[savings.OccurrenceSavingsView],
    tag=TAG,
)
async def occurrence_savings(call: Call) -> list[savings.OccurrenceSavingsView]:
    return await savings.occurrence_savings(
        call.hub, call.actor, call.int_param("meeting_id"), _original(call)
    )


@routes.route(
    "GET",
    "/meetings/{meeting_id}/savings/record",
    summary="One held date with every frozen input (?original_start=; default the newest)",
    response=savings.OccurrenceSavingsView,
    tag=TAG,
)
async def occurrence_record(call: Call) -> savings.OccurrenceSavingsView:
    return await savings.occurrence_record_json(
        call.hub, call.actor, call.int_param("meeting_id"), _original(call)
    )


@routes.route(
    "GET",
    "/meetings/{meeting_id}/savings/corrections",
    summary="The attendance corrections of a meeting (who, when, note)",
    response=list[savings.CorrectionView],
    tag=TAG,
)
async def list_corrections(call: Call) -> list[savings.CorrectionView]:
    return await savings.list_corrections(call.hub, call.actor, call.int_param("meeting_id"))


@routes.route(
    "POST",
    "/meetings/{meeting_id}/savings/corrections",
    summary="Correct the persons present per library for one held date (lead); a new version",
    body=savings.CorrectionInput,
    response=savings.OccurrenceSavingsView,
    status=201,
    tag=TAG,
)
async def correct_attendance(call: Call) -> savings.OccurrenceSavingsView:
    return await savings.correct_attendance(
        call.hub, call.actor, call.int_param("meeting_id"), call.body
    )


@routes.route(
    "POST",
    "/meetings/{meeting_id}/savings/recompute",
    summary="Recompute one held date with today's parameters (coordinator); a new version",
    body=savings.RecomputeInput,
    response=savings.OccurrenceSavingsView,
    status=201,
    tag=TAG,
)
async def recompute(call: Call) -> savings.OccurrenceSavingsView:
    return await savings.recompute(call.hub, call.actor, call.int_param("meeting_id"), call.body)


@routes.route(
    "GET",
    "/libraries/{library_id}/distances",
    summary="Distances from a library to the libraries of its networks, with road overrides",
    response=list[savings.DistanceView],
    tag=TAG,
)
async def list_distances(call: Call) -> list[savings.DistanceView]:
    return await savings.list_distances(call.hub, call.actor, call.int_param("library_id"))


@routes.route(
    "PUT",
    "/libraries/{library_id}/distances/{other_library_id}",
    summary="Set the road distance (one way, km) between two libraries",
    body=savings.DistanceInput,
    response=savings.DistanceView,
    tag=TAG,
)
async def put_distance(call: Call) -> savings.DistanceView:
    return await savings.put_distance(
        call.hub,
        call.actor,
        call.int_param("library_id"),
        call.int_param("other_library_id"),
        call.body,
    )


@routes.route(
    "DELETE",
    "/libraries/{library_id}/distances/{other_library_id}",
    summary="Remove a road distance override",
    tag=TAG,
)
async def delete_distance(call: Call) -> None:
    await savings.delete_distance(
        call.hub, call.actor, call.int_param("library_id"), call.int_param("other_library_id")
    )


@routes.route(
    "GET",
    "/savings/export.csv",
    summary="The savings log as CSV, UTF-8 with BOM, one row per held date × library"
    " (?delimiter=semicolon: for Excel set to Polish, with decimal commas; the log's filters)",
    response=str,
    tag=TAG,
    errors=(404, 422),
    media_type="text/csv",
)
async def savings_csv(call: Call) -> web.StreamResponse:
    query = call.request.query
    delimiter = {"comma": ",", "semicolon": ";", "": ","}.get(query.get("delimiter", ""))
    if delimiter is None:
        raise ValidationFailed(
            "delimiter must be comma or semicolon.", details={"delimiter": "comma or semicolon"}
        )
    filters = filters_of(query, extra=frozenset({"delimiter"}))
    body = await savings.savings_csv(call.hub, call.actor, filters, delimiter=delimiter)
    name = "oszczednosci" + ("-excel" if delimiter == ";" else "") + ".csv"
    return web.Response(
        body=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
