"""The savings log: what each held session saved, read from the frozen records.

Pages, the JSON API and the CSV export are built on these actions only (never on storage).
Figures come back as ``Decimal`` (money, hours, kg) and are formatted by the caller per locale.
Access: a coordinator sees the whole programme, a lead her network(s) (and edits them), a
partner librarian reads her own library's rows; guests and anonymous callers see nothing.
Hidden meetings and networks answer 404.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from meetings_hub.actions import audit
from meetings_hub.actions.access import (
    Scope,
    not_found_unless,
    require_coordinator,
    require_person,
    scope_of,
)
from meetings_hub.actions.occurrences import may_see
from meetings_hub.actions.savings_freeze import effective_parameters, local_date, new_version
from meetings_hub.actions.validate import FieldErrors, Id, Int
from meetings_hub.domain import Actor, Role
from meetings_hub.errors import Forbidden, NotFound, ValidationFailed
from meetings_hub.hub import Hub
from meetings_hub.savings import params as model_params
from meetings_hub.savings import rounding
from meetings_hub.savings.geo import haversine_km
from meetings_hub.savings.params import BOUNDS, DEFAULTS, FIELDS, Parameters
from meetings_hub.scheduling.model import KINDS
from meetings_hub.storage import libraries as libraries_store
from meetings_hub.storage import networks as networks_store
from meetings_hub.storage import savings as store
from meetings_hub.storage import scheduling as meetings_store
from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import date_from_db, from_db, now_utc, opt_from_db

# ---------------------------------------------------------------------------------------------
# Inputs


class SavingsFilters(msgspec.Struct, forbid_unknown_fields=True):
    """Filters of the log and the exports. Dates are calendar dates in Europe/Warsaw."""

    date_from: date | None = None
    date_to: date | None = None
    network_id: int | None = None
    voivodeship: str | None = None
    kind: str | None = None  # 'online' | 'training' | 'in_person'
    # Rows of the table: at most ``limit`` from ``offset`` (totals, monthly, ranking cover all).
    limit: int = 200
    offset: int = 0


class ParameterValues(msgspec.Struct, forbid_unknown_fields=True):
    """Every parameter of the model (``meetings_hub.savings.params.Parameters``)."""

    min_share: Decimal
    min_minutes: int
    detour_factor: Decimal
    seats_per_car: int
    avg_speed_kmh: Decimal
    rate_per_km: Decimal
    staff_hour_cost: Decimal
    per_diem_enabled: bool
    per_diem: Decimal
    co2_g_per_km: Decimal


class ParameterPatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Some parameters; a missing one keeps the value it inherits."""

    min_share: Decimal | None = None
    min_minutes: Int | None = None
    detour_factor: Decimal | None = None
    seats_per_car: Int | None = None
    avg_speed_kmh: Decimal | None = None
    rate_per_km: Decimal | None = None
    staff_hour_cost: Decimal | None = None
    per_diem_enabled: bool | None = None
    per_diem: Decimal | None = None
    co2_g_per_km: Decimal | None = None


class Bound(msgspec.Struct, forbid_unknown_fields=True):
    low: Decimal
    high: Decimal


class ProgrammeParametersInput(msgspec.Struct, forbid_unknown_fields=True):
    """A new version of the programme's defaults (coordinator), valid from a date."""

    valid_from: date
    values: ParameterPatch
    # Per field, the range a lead may choose in her network's overrides; missing: no overrides.
    bounds: dict[str, Bound] = msgspec.field(default_factory=dict)
    note: str = ""


class NetworkParametersInput(msgspec.Struct, forbid_unknown_fields=True):
    """A new version of one network's overrides (its lead, within the coordinator's bounds)."""

    valid_from: date
    values: ParameterPatch
    note: str = ""


class DistanceInput(msgspec.Struct, forbid_unknown_fields=True):
    """A road distance (one way, km) between two libraries, entered by a coordinator or lead."""

    km: Decimal
    note: str = ""


class CorrectionInput(msgspec.Struct, forbid_unknown_fields=True):
    """A lead's correction of an occurrence: persons present per library (raised), with a note."""

    original_start: datetime
    persons: dict[Id, Int]  # library id -> persons present
    note: str


class RecomputeInput(msgspec.Struct, forbid_unknown_fields=True):
    original_start: datetime


# ---------------------------------------------------------------------------------------------
# Views


class SavingsRow(msgspec.Struct):
    """One library of one held occurrence (one row of the log and of the CSV).

    ``counted`` False: the row saves nothing; ``reason`` says why ('no_coordinates': the library
    or the host has no coordinates; 'no_place': a guest with no usable origin; 'in_person': a
    real trip, shown in ``real_*`` and ``carpool_*``). Money in zł, hours are person-hours.
    """

    meeting_id: int
    meeting_title: str
    kind: str
    original_start: datetime  # identifies the occurrence (RECURRENCE-ID of a series' date)
    start: datetime
    end: datetime
    network_id: int
    network_name: str
    host_library_id: int
    host_library_name: str
    library_id: int | None  # None for a guest with no place
    library_name: str  # for a guest with no place: the guest's name
    voivodeship: str
    persons: int
    km_one_way: Decimal | None  # one decimal; None without coordinates
    from_override: bool
    cars: int
    hours: Decimal
    money: Decimal
    co2_kg: Decimal
    counted: bool
    reason: str | None
    record_version: int
    parameter_set_version: int  # the programme set (0: the built-in defaults)
    network_parameter_version: int | None  # the network's overrides, if any applied
    # In-person events only: the real travel, and what sharing cars saved against one car each.
    real_cars: int = 0
    real_km: Decimal = Decimal(0)
    real_money: Decimal = Decimal(0)
    real_co2_kg: Decimal = Decimal(0)
    carpool_money: Decimal = Decimal(0)
    carpool_co2_kg: Decimal = Decimal(0)
    # Whether the persons count was raised by a lead's correction.
    corrected: bool = False


class SavingsTotals(msgspec.Struct):
    sessions: int  # held occurrences (online and training) with a frozen record
    participant_hours: Decimal  # travel hours avoided, summed over people
    km_avoided: Decimal  # car-km avoided (cars × round trip)
    money: Decimal
    co2_kg: Decimal
    trips_avoided: int  # car round trips avoided
    carpool_money: Decimal = Decimal(0)  # in-person events: saved by sharing cars
    carpool_co2_kg: Decimal = Decimal(0)


class MonthTotals(msgspec.Struct):
    month: str  # 'YYYY-MM' in Europe/Warsaw
    totals: SavingsTotals


class RankedLibrary(msgspec.Struct):
    library_id: int
    library_name: str
    trips_avoided: int
    money: Decimal


class SavingsLogView(msgspec.Struct):
    scope: str  # 'programme' | 'network' | 'library'
    rows: list[SavingsRow]
    row_count: int  # rows matching the filters (``rows`` is one page of them)
    totals: SavingsTotals
    monthly: list[MonthTotals]  # oldest first
    ranking: list[RankedLibrary]  # most trips avoided first
    networks: list[tuple[int, str]]  # the networks the filter may choose from
    voivodeships: list[str]


class FormulaStep(msgspec.Struct):
    """One library's computation with the values filled in, for "how was this computed"."""

    library_id: int | None
    library_name: str
    persons: int
    straight_km: Decimal | None  # great-circle distance
    detour_factor: Decimal | None  # None when the road distance comes from an override
    km_one_way: Decimal | None
    round_trip_km: Decimal | None
    cars: int
    hours: Decimal
    travel_money: Decimal  # cars × round trip × rate
    staff_money: Decimal  # hours × staff hour cost
    per_diem_money: Decimal
    money: Decimal
    co2_kg: Decimal
    reason: str | None


class AttendeeView(msgspec.Struct):
    """Who was in the room during the occurrence, as frozen in the record."""

    who: str  # 'p:<person id>' or 'g:<guest id>'
    name: str
    guest: bool
    library_id: int | None  # the origin the person travels from (None: no place)
    minutes: int
    counted: bool  # present at least the threshold


class RecordVersionView(msgspec.Struct):
    version: int
    reason: str  # 'closed' | 'recompute' | 'correction'
    created_at: datetime
    created_by_name: str  # '' for the background job
    parameter_set_version: int
    network_parameter_version: int | None
    parameters: ParameterValues
    threshold_minutes: Decimal
    attendees: list[AttendeeView]
    rows: list[SavingsRow]
    formula: list[FormulaStep]
    totals: SavingsTotals
    note: str = ""  # a correction's note
    inputs: dict[str, Any] | None = None  # every frozen input (the per-occurrence JSON only)


class OccurrenceSavingsView(msgspec.Struct):
    meeting_id: int
    original_start: datetime
    start: datetime
    end: datetime
    versions: list[RecordVersionView]  # newest first; empty when not frozen yet
    may_correct: bool  # the lead of the network (or a coordinator)
    may_recompute: bool  # a coordinator


class ParameterSetView(msgspec.Struct):
    version: int
    network_id: int | None  # None: the programme's defaults
    valid_from: date
    values: ParameterPatch  # what this set says (the programme's: every field)
    bounds: dict[str, Bound]
    note: str
    created_at: datetime | None
    created_by_name: str


class ParametersView(msgspec.Struct):
    """The programme's sets (newest first), the networks' overrides, today's effective values."""

    effective: ParameterValues
    programme: list[ParameterSetView]
    networks: list[ParameterSetView]
    defaults: ParameterValues
    sources: dict[str, str]  # field -> where its default comes from
    may_edit_programme: bool
    editable_network_ids: list[int]


class DistanceView(msgspec.Struct):
    library_id: int
    library_name: str
    other_library_id: int
    other_library_name: str
    km: Decimal | None  # the override; None when only computed
    computed_km: Decimal | None  # great-circle × detour factor (None without coordinates)
    note: str
    updated_at: datetime | None
    updated_by_name: str


class CorrectionView(msgspec.Struct):
    id: int
    meeting_id: int
    original_start: datetime
    persons: dict[int, int]
    note: str
    created_at: datetime
    created_by_name: str


# ---------------------------------------------------------------------------------------------
# Helpers

ZERO = Decimal(0)
MAX_NOTE = 1000
MAX_PERSONS = 1000
MAX_LIMIT = 1000
MAX_RANKING = 50


def _dec(text: str | None) -> Decimal:
    return Decimal(text) if text is not None else ZERO


def _opt_dec(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


def values_of(params: Parameters) -> ParameterValues:
    return ParameterValues(**{name: getattr(params, name) for name in FIELDS})


def _patch_of(stored: dict[str, Any]) -> ParameterPatch:
    params = model_params.with_changes(DEFAULTS, stored)
    return ParameterPatch(**{name: getattr(params, name) for name in stored if name in FIELDS})


def _bounds_of(stored: dict[str, list[str]]) -> dict[str, Bound]:
    return {k: Bound(Decimal(v[0]), Decimal(v[1])) for k, v in sorted(stored.items())}


def _zone(hub: Hub) -> ZoneInfo:
    return ZoneInfo(hub.settings.timezone)


def _people_scope(scope: Scope, actor: Actor) -> tuple[str, set[int] | None, int | None]:
    """(scope name, networks whose rows are seen or None for all, the one library or None)."""
    if scope.everything:
        return "programme", None, None
    if scope.led_network_ids:
        return "network", set(scope.led_network_ids), None
    assert actor.person is not None
    return "library", None, actor.person.library_id


def _check_filters(filters: SavingsFilters) -> None:
    errors = FieldErrors()
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        errors.add("date_to", "Must not be before date_from.")
    if filters.kind is not None and filters.kind not in KINDS:
        errors.add("kind", f"One of: {', '.join(KINDS)}.")
    if not 1 <= filters.limit <= MAX_LIMIT:
        errors.add("limit", f"Must be between 1 and {MAX_LIMIT}.")
    if not 0 <= filters.offset <= 10**9:
        errors.add("offset", "Must be between 0 and 1000000000.")
    if filters.network_id is not None and not 1 <= filters.network_id < 2**63:
        errors.add("network_id", "Out of range.")
    errors.text("voivodeship", filters.voivodeship, max_len=100)
    errors.raise_if_any()


def _row_view(r: Row) -> SavingsRow:
    return SavingsRow(
        meeting_id=r["meeting_id"],
        meeting_title=r["meeting_title"],
        kind=r["kind"],
        original_start=from_db(r["original_start"]),
        start=from_db(r["starts_at"]),
        end=from_db(r["ends_at"]),
        network_id=r["network_id"],
        network_name=r["network_name"],
        host_library_id=r["host_library_id"],
        host_library_name=r["host_library_name"],
        library_id=r["library_id"],
        library_name=r["label"],
        voivodeship=r["voivodeship"] or "",
        persons=r["persons"],
        km_one_way=_opt_dec(r["km_one_way"]),
        from_override=bool(r["from_override"]),
        cars=r["cars"],
        hours=_dec(r["hours"]),
        money=_dec(r["money"]),
        co2_kg=_dec(r["co2_kg"]),
        counted=bool(r["counted"]),
        reason=r["reason"],
        record_version=r["record_version"],
        parameter_set_version=r["parameter_set_version"],
        network_parameter_version=r["network_parameter_version"],
        real_cars=r["real_cars"],
        real_km=_dec(r["real_km"]),
        real_money=_dec(r["real_money"]),
        real_co2_kg=_dec(r["real_co2_kg"]),
        carpool_money=_dec(r["carpool_money"]),
        carpool_co2_kg=_dec(r["carpool_co2_kg"]),
        corrected=bool(r["corrected"]),
    )


class _Sum:
    """Adds rows up: totals are the sums of the rounded rows (see savings/rounding.py)."""

    def __init__(self) -> None:
        self.sessions: set[tuple[int, str]] = set()
        self.hours = self.km = self.money = self.co2 = ZERO
        self.carpool_money = self.carpool_co2 = ZERO
        self.trips = 0

    def add(self, row: SavingsRow) -> None:
        if row.kind == "in_person":
            self.carpool_money += row.carpool_money
            self.carpool_co2 += row.carpool_co2_kg
            return
        self.sessions.add((row.meeting_id, row.original_start.isoformat()))
        if row.counted:
            self.hours += row.hours
            self.km += row.cars * 2 * (row.km_one_way or ZERO)
            self.money += row.money
            self.co2 += row.co2_kg
            self.trips += row.cars

    def totals(self) -> SavingsTotals:
        return SavingsTotals(
            sessions=len(self.sessions),
            participant_hours=self.hours,
            km_avoided=self.km,
            money=self.money,
            co2_kg=self.co2,
            trips_avoided=self.trips,
            carpool_money=self.carpool_money,
            carpool_co2_kg=self.carpool_co2,
        )


async def _log_filter(
    reader: Reader, actor: Actor, filters: SavingsFilters
) -> tuple[str, store.LogFilter, Scope]:
    """What the actor may see, narrowed by the filters (a hidden network answers 404)."""
    _check_filters(filters)
    scope = await scope_of(reader, actor)
    name, network_ids, library_id = _people_scope(scope, actor)
    if filters.network_id is not None:
        visible = scope.everything or (
            filters.network_id in network_ids
            if network_ids is not None
            else scope.sees_network(filters.network_id)
        )
        not_found_unless(visible, "Network")
        network_ids = {filters.network_id}
    return (
        name,
        store.LogFilter(
            date_from=filters.date_from,
            date_to=filters.date_to,
            network_ids=frozenset(network_ids) if network_ids is not None else None,
            library_id=library_id,
            voivodeship=filters.voivodeship,
            kind=filters.kind,
        ),
        scope,
    )


_SUM_FIELDS = (
    "sessions",
    "row_count",
    "hours_c",
    "km_d",
    "money_c",
    "co2_d",
    "trips",
    "carpool_money_c",
    "carpool_co2_d",
)


def _add_up(months: list[Row]) -> dict[str, int]:
    """The whole period: the months' sums of whole units, added (exact)."""
    return {name: sum(int(m[name] or 0) for m in months) for name in _SUM_FIELDS}


def _totals(sums: Row | dict[str, int]) -> SavingsTotals:
    """Totals from sums of whole units (grosze, 0.01 h, 0.1 kg, 0.1 km)."""

    def units(name: str, exponent: int) -> Decimal:
        return Decimal(int(sums[name] or 0)).scaleb(exponent)

    return SavingsTotals(
        sessions=int(sums["sessions"] or 0),
        participant_hours=units("hours_c", -2),
        km_avoided=units("km_d", -1),
        money=units("money_c", -2),
        co2_kg=units("co2_d", -1),
        trips_avoided=int(sums["trips"] or 0),
        carpool_money=units("carpool_money_c", -2),
        carpool_co2_kg=units("carpool_co2_d", -1),
    )


# ---------------------------------------------------------------------------------------------
# The log, totals, exports


async def savings_log(hub: Hub, actor: Actor, filters: SavingsFilters) -> SavingsLogView:
    async with hub.db.read() as reader:
        name, where, scope = await _log_filter(reader, actor, filters)
        page = await store.log_page(reader, where, filters.limit, filters.offset)
        months = await store.log_monthly(reader, where)
        ranked = await store.log_ranking(reader, where, MAX_RANKING)
        all_networks = await networks_store.list_all(reader)
        voivodeships = await store.voivodeships(reader)
    whole = _add_up(months)
    if scope.everything:
        choices = [(n.id, n.name) for n in all_networks]
    elif name == "network":
        choices = [(n.id, n.name) for n in all_networks if n.id in scope.led_network_ids]
    else:
        choices = [(n.id, n.name) for n in all_networks if scope.sees_network(n.id)]
    return SavingsLogView(
        scope=name,
        rows=[_row_view(r) for r in page],
        row_count=whole["row_count"],
        totals=_totals(whole),
        monthly=[MonthTotals(m["month"], _totals(m)) for m in months],
        ranking=[
            RankedLibrary(
                r["library_id"], r["library_name"], r["trips"], Decimal(r["money_c"]).scaleb(-2)
            )
            for r in ranked
        ],
        networks=choices,
        voivodeships=voivodeships,
    )


async def savings_totals_line(hub: Hub, actor: Actor) -> SavingsTotals | None:
    if actor.person is None or actor.role is Role.PARTNER_LIBRARIAN:
        return None
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        if not scope.everything and not scope.led_network_ids:
            return None
        _, where, _ = await _log_filter(reader, actor, SavingsFilters())
        months = await store.log_monthly(reader, where)
    return _totals(_add_up(months))


async def savings_csv(hub: Hub, actor: Actor, filters: SavingsFilters, *, delimiter: str) -> bytes:
    """Every matching row (no paging), UTF-8 with BOM; ``delimiter`` ',' or ';'.

    The ';' variant is for Excel set to Polish: its decimals have a comma. Times are the
    meeting's local time with its offset."""
    if delimiter not in (",", ";"):
        raise ValidationFailed("Some fields are not valid.", details={"delimiter": "',' or ';'"})
    async with hub.db.read() as reader:
        _, where, _ = await _log_filter(reader, actor, filters)
        text = await store.log_csv_text(reader, where, comma=delimiter == ";")
    header = store.csv_line(store.CSV_COLUMNS, delimiter)
    # Each row's line was rendered when its record was frozen (storage/savings.py).
    body = f"{header}\r\n{text}\r\n" if text else f"{header}\r\n"
    return ("\ufeff" + body).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# One meeting's held dates


async def _meeting_access(
    db: Reader | Tx, actor: Actor, meeting_id: int
) -> tuple[Any, Scope, bool]:
    """(meeting, scope, sees every row). Who may not see the meeting gets 404; a partner who
    may see it reads only her library's rows."""
    require_person(actor)
    assert actor.person is not None
    scope = await scope_of(db, actor)
    meeting = await meetings_store.get(db, meeting_id)
    not_found_unless(meeting is not None and await may_see(db, actor, scope, meeting), "Meeting")
    assert meeting is not None
    full = scope.manages_network(meeting.network_id) or meeting.created_by == actor.person.id
    return meeting, scope, full


def _formula(rows: list[Row]) -> list[FormulaStep]:
    steps = []
    for r in rows:
        km = _opt_dec(r["km_one_way"])
        straight = _opt_dec(r["straight_km"])
        steps.append(
            FormulaStep(
                library_id=r["library_id"],
                library_name=r["label"],
                persons=r["persons"],
                straight_km=straight,
                detour_factor=None,  # filled by the caller from the record's parameters
                km_one_way=km,
                round_trip_km=None if km is None else 2 * km,
                cars=r["cars"],
                hours=_dec(r["hours"]),
                travel_money=_dec(r["travel_money"]),
                staff_money=_dec(r["staff_money"]),
                per_diem_money=_dec(r["per_diem_money"]),
                money=_dec(r["money"]),
                co2_kg=_dec(r["co2_kg"]),
                reason=r["reason"],
            )
        )
    return steps


async def _occurrence_views(
    reader: Reader,
    actor: Actor,
    meeting_id: int,
    original_start: datetime | None,
    *,
    with_inputs: bool,
) -> list[OccurrenceSavingsView]:
    meeting, scope, full = await _meeting_access(reader, actor, meeting_id)
    assert actor.person is not None
    own_library = actor.person.library_id
    records = await store.records_of(reader, meeting_id, original_start)
    row_map = await store.rows_of(reader, [r["id"] for r in records])
    names = {n.id: n.name for n in await networks_store.list_all(reader)}
    host = await libraries_store.get(reader, meeting.host_library_id)
    by_date: dict[str, list[RecordVersionView]] = {}
    bounds: dict[str, tuple[datetime, datetime]] = {}
    for rec in records:
        inputs = json.loads(rec["inputs_json"])
        params = model_params.from_json(inputs["params"])
        raw_rows = row_map.get(rec["id"], [])
        if not full:
            raw_rows = [r for r in raw_rows if r["library_id"] == own_library]
        views = []
        for r in raw_rows:
            joined = {
                **dict(r),
                "meeting_id": meeting_id,
                "meeting_title": meeting.title,
                "kind": rec["kind"],
                "original_start": rec["original_start"],
                "starts_at": rec["starts_at"],
                "ends_at": rec["ends_at"],
                "network_id": rec["network_id"],
                "network_name": names.get(rec["network_id"], ""),
                "host_library_id": rec["host_library_id"],
                "host_library_name": host.name if host else "",
                "voivodeship": "",
                "record_version": rec["version"],
                "parameter_set_version": rec["parameter_set_version"],
                "network_parameter_version": rec["network_parameter_version"],
            }
            views.append(_row_view(joined))  # type: ignore[arg-type]
        formula = _formula(raw_rows)
        for step in formula:
            if step.straight_km is not None:
                step.detour_factor = params.detour_factor
        attendees = [
            AttendeeView(
                who=a["who"],
                name=a["name"],
                guest=a["guest"],
                library_id=a["library_id"],
                minutes=int(Decimal(a["seconds"]) // 60),
                counted=bool(a.get("counted")),
            )
            for a in inputs.get("attendees", [])
            if full or a["library_id"] == own_library
        ]
        whole = _Sum()
        for v in views:
            whole.add(v)
        by_date.setdefault(rec["original_start"], []).append(
            RecordVersionView(
                version=rec["version"],
                reason=rec["reason"],
                created_at=from_db(rec["created_at"]),
                created_by_name=rec["created_by_name"],
                parameter_set_version=rec["parameter_set_version"],
                network_parameter_version=rec["network_parameter_version"],
                parameters=values_of(params),
                threshold_minutes=Decimal(inputs["threshold_minutes"]),
                attendees=attendees,
                rows=views,
                formula=formula,
                totals=whole.totals(),
                note=rec["note"],
                inputs=inputs if with_inputs and full else None,
            )
        )
        bounds.setdefault(
            rec["original_start"], (from_db(rec["starts_at"]), from_db(rec["ends_at"]))
        )
    may_correct = scope.manages_network(meeting.network_id)
    return [
        OccurrenceSavingsView(
            meeting_id=meeting_id,
            original_start=from_db(key),
            start=bounds[key][0],
            end=bounds[key][1],
            versions=versions,
            may_correct=may_correct,
            may_recompute=scope.everything,
        )
        for key, versions in by_date.items()
    ]


async def occurrence_savings(
    hub: Hub, actor: Actor, meeting_id: int, original_start: datetime | None
) -> list[OccurrenceSavingsView]:
    """Held dates of a meeting (one, when ``original_start`` is given), newest first."""
    async with hub.db.read() as reader:
        return await _occurrence_views(reader, actor, meeting_id, original_start, with_inputs=False)


async def occurrence_record_json(
    hub: Hub, actor: Actor, meeting_id: int, original_start: datetime | None
) -> OccurrenceSavingsView:
    """One occurrence with every frozen input (the per-occurrence JSON export); without
    ``original_start``, the newest held date."""
    async with hub.db.read() as reader:
        views = await _occurrence_views(reader, actor, meeting_id, original_start, with_inputs=True)
    if not views:
        raise NotFound("No savings record for this date.")
    return views[0]


# ---------------------------------------------------------------------------------------------
# Parameters


def _set_view(row: Row) -> ParameterSetView:
    return ParameterSetView(
        version=row["version"],
        network_id=row["network_id"],
        valid_from=date_from_db(row["valid_from"]) or date.min,
        values=_patch_of(json.loads(row["params_json"])),
        bounds=_bounds_of(json.loads(row["bounds_json"])),
        note=row["note"],
        created_at=opt_from_db(row["created_at"]),
        created_by_name=row["created_by_name"],
    )


async def get_parameters(hub: Hub, actor: Actor) -> ParametersView:
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        programme = await store.list_sets(reader, None)
        network_rows = await store.network_sets(
            reader, None if scope.everything else scope.network_ids
        )
        today = local_date(now_utc(), hub.settings.timezone)
        led = sorted(scope.led_network_ids)
        if led:
            effective = (await effective_parameters(reader, led[0], today)).params
        else:
            row = await store.effective_set(reader, None, today)
            effective = (
                DEFAULTS if row is None else model_params.from_json(json.loads(row["params_json"]))
            )
    return ParametersView(
        effective=values_of(effective),
        programme=[_set_view(r) for r in programme],
        networks=[_set_view(r) for r in network_rows],
        defaults=values_of(DEFAULTS),
        sources=dict(model_params.SOURCES),
        may_edit_programme=scope.everything,
        editable_network_ids=led,
    )


def _patch_values(patch: ParameterPatch) -> dict[str, Any]:
    return {name: getattr(patch, name) for name in FIELDS if getattr(patch, name) is not None}


def _check_valid_from(errors: FieldErrors, valid_from: date) -> None:
    if not date(2000, 1, 1) <= valid_from <= date(2100, 12, 31):
        errors.add("valid_from", "Must be between 2000-01-01 and 2100-12-31.")


async def put_programme_parameters(
    hub: Hub, actor: Actor, data: ProgrammeParametersInput
) -> ParameterSetView:
    require_coordinator(actor)
    assert actor.person is not None
    errors = FieldErrors()
    _check_valid_from(errors, data.valid_from)
    errors.text("note", data.note, required=False, max_len=MAX_NOTE, multiline=True)
    values = _patch_values(data.values)
    for name, message in model_params.check_values(values).items():
        errors.add(name, message)
    for name, bound in data.bounds.items():
        if name not in BOUNDS:
            errors.add("bounds", f"{name}: not a parameter with bounds.")
            continue
        low_msg = model_params.check_value(name, bound.low)
        high_msg = model_params.check_value(name, bound.high)
        if low_msg or high_msg:
            errors.add("bounds", f"{name}: {low_msg or high_msg}")
        elif bound.low > bound.high:
            errors.add("bounds", f"{name}: low must not exceed high.")
    errors.raise_if_any()
    async with hub.db.write() as tx:
        current = await store.effective_set(tx, None, data.valid_from)
        base = (
            DEFAULTS
            if current is None
            else model_params.from_json(json.loads(current["params_json"]))
        )
        params = model_params.with_changes(base, values)
        version = await store.insert_set(
            tx,
            network_id=None,
            valid_from=data.valid_from,
            params=model_params.to_json(params),
            bounds={k: [str(b.low), str(b.high)] for k, b in data.bounds.items()},
            note=data.note,
            created_by=actor.person.id,
        )
        await audit.record(
            tx, actor, "savings.parameters", "savings", {"version": version, "values": values}
        )
        rows = await store.list_sets(tx, None)
    return _set_view(next(r for r in rows if r["version"] == version))


async def put_network_parameters(
    hub: Hub, actor: Actor, network_id: int, data: NetworkParametersInput
) -> ParameterSetView:
    require_person(actor)
    assert actor.person is not None
    async with hub.db.write() as tx:
        scope = await scope_of(tx, actor)
        network = await networks_store.get(tx, network_id)
        not_found_unless(network is not None and scope.sees_network(network_id), "Network")
        if not scope.manages_network(network_id):
            raise Forbidden("Only the network's lead library or a coordinator may do this.")
        errors = FieldErrors()
        _check_valid_from(errors, data.valid_from)
        errors.text("note", data.note, required=False, max_len=MAX_NOTE, multiline=True)
        programme = await store.effective_set(tx, None, data.valid_from)
        bounds = json.loads(programme["bounds_json"]) if programme is not None else {}
        values = _patch_values(data.values)
        for name, value in values.items():
            if name not in bounds:
                errors.add(name, "The coordinator allows no network override of this value.")
                continue
            message = model_params.check_value(
                name, value, (Decimal(bounds[name][0]), Decimal(bounds[name][1]))
            )
            if message is not None:
                errors.add(name, message)
        errors.raise_if_any()
        version = await store.insert_set(
            tx,
            network_id=network_id,
            valid_from=data.valid_from,
            params={
                k: (str(v) if isinstance(v, Decimal) else v)
                for k, v in model_params.to_json(
                    model_params.with_changes(DEFAULTS, values)
                ).items()
                if k in values
            },
            bounds={},
            note=data.note,
            created_by=actor.person.id,
        )
        await audit.record(
            tx,
            actor,
            "savings.parameters",
            f"network:{network_id}",
            {"version": version, "values": values},
        )
        rows = await store.list_sets(tx, network_id)
    return _set_view(next(r for r in rows if r["version"] == version))


# ---------------------------------------------------------------------------------------------
# Road distances


def _computed_km(a: Any, b: Any, params: Parameters) -> Decimal | None:
    if a is None or b is None or None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    straight = rounding.km(haversine_km(a.latitude, a.longitude, b.latitude, b.longitude))
    return rounding.km(straight * params.detour_factor)


async def list_distances(hub: Hub, actor: Actor, library_id: int) -> list[DistanceView]:
    """Distances from one library to the other libraries of its networks (and overrides)."""
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        library = await libraries_store.get(reader, library_id)
        not_found_unless(library is not None and scope.sees_library(library_id), "Library")
        assert library is not None
        today = local_date(now_utc(), hub.settings.timezone)
        network_ids = await networks_store.ids_for_library(reader, library_id, active_on=today)
        network_ids |= await networks_store.ids_led_by(reader, library_id)
        others = await networks_store.library_ids_in(reader, network_ids, active_on=today)
        overrides = {
            (r["library_b"] if r["library_a"] == library_id else r["library_a"]): r
            for r in await store.distance_overrides(reader, library_id)
        }
        ids = (others | set(overrides)) - {library_id}
        if not scope.everything:
            ids = {i for i in ids if scope.sees_library(i)}
        libs = {lib.id: lib for lib in await libraries_store.list_by_ids(reader, ids)}
        row = await store.effective_set(reader, None, today)
        params = DEFAULTS if row is None else model_params.from_json(json.loads(row["params_json"]))
    views = []
    for other_id in sorted(libs, key=lambda i: (libs[i].name, i)):
        other = libs[other_id]
        override = overrides.get(other_id)
        views.append(
            DistanceView(
                library_id=library_id,
                library_name=library.name,
                other_library_id=other_id,
                other_library_name=other.name,
                km=Decimal(override["km"]) if override is not None else None,
                computed_km=_computed_km(library, other, params),
                note=override["note"] if override is not None else "",
                updated_at=from_db(override["updated_at"]) if override is not None else None,
                updated_by_name=override["updated_by_name"] if override is not None else "",
            )
        )
    return views


async def _check_distance_pair(tx: Tx, actor: Actor, library_id: int, other_id: int) -> Scope:
    scope = await scope_of(tx, actor)
    for lib_id in (library_id, other_id):
        lib = await libraries_store.get(tx, lib_id)
        not_found_unless(lib is not None and scope.sees_library(lib_id), "Library")
    if library_id == other_id:
        raise ValidationFailed(
            "Some fields are not valid.", details={"other_library_id": "Another library."}
        )
    if not (scope.manages_library(library_id) and scope.manages_library(other_id)):
        raise Forbidden("Only a coordinator or the lead of both libraries' network may do this.")
    return scope


async def put_distance(
    hub: Hub, actor: Actor, library_id: int, other_library_id: int, data: DistanceInput
) -> DistanceView:
    require_person(actor)
    assert actor.person is not None
    errors = FieldErrors()
    message = model_params.check_km(data.km)
    if message is not None:
        errors.add("km", message)
    errors.text("note", data.note, required=False, max_len=MAX_NOTE, multiline=True)
    async with hub.db.write() as tx:
        await _check_distance_pair(tx, actor, library_id, other_library_id)
        errors.raise_if_any()
        await store.put_distance(
            tx,
            library_id,
            other_library_id,
            str(rounding.km(data.km)),
            data.note,
            actor.person.id,
        )
        await audit.record(
            tx,
            actor,
            "savings.distance",
            f"library:{library_id}/library:{other_library_id}",
            {"km": str(rounding.km(data.km))},
        )
        library = await libraries_store.get(tx, library_id)
        other = await libraries_store.get(tx, other_library_id)
        row = await store.effective_set(tx, None, local_date(now_utc(), hub.settings.timezone))
    assert library is not None and other is not None
    params = DEFAULTS if row is None else model_params.from_json(json.loads(row["params_json"]))
    return DistanceView(
        library_id=library_id,
        library_name=library.name,
        other_library_id=other_library_id,
        other_library_name=other.name,
        km=rounding.km(data.km),
        computed_km=_computed_km(library, other, params),
        note=data.note,
        updated_at=now_utc(),
        updated_by_name=actor.person.full_name,
    )


async def delete_distance(hub: Hub, actor: Actor, library_id: int, other_library_id: int) -> None:
    require_person(actor)
    async with hub.db.write() as tx:
        await _check_distance_pair(tx, actor, library_id, other_library_id)
        if not await store.delete_distance(tx, library_id, other_library_id):
            raise NotFound("No road distance is set for these libraries.")
        await audit.record(
            tx, actor, "savings.distance_delete", f"library:{library_id}/library:{other_library_id}"
        )


# ---------------------------------------------------------------------------------------------
# Corrections and recomputing


async def _managed_meeting(tx: Tx, actor: Actor, meeting_id: int) -> Any:
    require_person(actor)
    scope = await scope_of(tx, actor)
    meeting = await meetings_store.get(tx, meeting_id)
    not_found_unless(meeting is not None and await may_see(tx, actor, scope, meeting), "Meeting")
    assert meeting is not None
    if not scope.manages_network(meeting.network_id):
        raise Forbidden("Only the network's lead library or a coordinator may do this.")
    return meeting


async def correct_attendance(
    hub: Hub, actor: Actor, meeting_id: int, data: CorrectionInput
) -> OccurrenceSavingsView:
    require_person(actor)
    assert actor.person is not None
    errors = FieldErrors()
    errors.text("note", data.note, max_len=MAX_NOTE, multiline=True)
    if not data.persons:
        errors.add("persons", "Name at least one library.")
    for library_id, count in data.persons.items():
        if not 1 <= library_id < 2**63:
            errors.add("persons", f"{library_id}: not a library.")
        elif not 0 <= count <= MAX_PERSONS:
            errors.add("persons", f"Persons must be between 0 and {MAX_PERSONS}.")
    if data.original_start.tzinfo is None:
        errors.add("original_start", "Give a time zone (e.g. Z).")
    errors.raise_if_any()
    async with hub.db.write() as tx:
        meeting = await _managed_meeting(tx, actor, meeting_id)
        latest = await store.latest_version(tx, meeting_id, data.original_start)
        not_found_unless(latest is not None, "Savings record")
        assert latest is not None
        inputs = json.loads(latest["inputs_json"])
        seen: dict[int, int] = {}
        for a in inputs.get("attendees", []):
            if a.get("counted") and a["library_id"] is not None:
                seen[a["library_id"]] = seen.get(a["library_id"], 0) + 1
        known = await store.libraries_by_id(tx, data.persons)
        scope = await scope_of(tx, actor)
        for library_id, count in data.persons.items():
            if library_id not in known or not scope.manages_library(library_id):
                errors.add("persons", f"{library_id}: no such library.")
            elif library_id == meeting.host_library_id:
                errors.add("persons", f"{library_id}: the host library travels nowhere.")
            elif count < seen.get(library_id, 0):
                errors.add(
                    "persons",
                    f"{library_id}: at least {seen[library_id]} (present in the room).",
                )
        errors.raise_if_any()
        correction_id = await store.insert_correction(
            tx,
            meeting_id=meeting_id,
            original_start=data.original_start,
            persons=data.persons,
            note=data.note,
            created_by=actor.person.id,
        )
        await audit.record(
            tx,
            actor,
            "savings.correction",
            f"meeting:{meeting_id}",
            {"date": data.original_start, "persons": data.persons},
        )
        await new_version(
            tx,
            meeting,
            data.original_start,
            reason="correction",
            today=None,
            created_by=actor.person.id,
            correction_id=correction_id,
        )
    views = await occurrence_savings(hub, actor, meeting_id, data.original_start)
    return views[0]


async def list_corrections(hub: Hub, actor: Actor, meeting_id: int) -> list[CorrectionView]:
    async with hub.db.read() as reader:
        _, _, full = await _meeting_access(reader, actor, meeting_id)
        if not full:
            raise Forbidden("Only the organiser, the network's lead or a coordinator may see this.")
        rows = await store.corrections_of(reader, meeting_id)
    return [
        CorrectionView(
            id=r["id"],
            meeting_id=r["meeting_id"],
            original_start=from_db(r["original_start"]),
            persons={int(k): v for k, v in json.loads(r["persons_json"]).items()},
            note=r["note"],
            created_at=from_db(r["created_at"]),
            created_by_name=r["created_by_name"],
        )
        for r in rows
    ]


async def recompute(
    hub: Hub, actor: Actor, meeting_id: int, data: RecomputeInput
) -> OccurrenceSavingsView:
    """A new version with today's parameters (coordinator); the old one stays."""
    require_coordinator(actor)
    assert actor.person is not None
    if data.original_start.tzinfo is None:
        raise ValidationFailed(
            "Some fields are not valid.", details={"original_start": "Give a time zone (e.g. Z)."}
        )
    async with hub.db.write() as tx:
        meeting = await meetings_store.get(tx, meeting_id)
        not_found_unless(meeting is not None, "Meeting")
        assert meeting is not None
        created = await new_version(
            tx,
            meeting,
            data.original_start,
            reason="recompute",
            today=local_date(now_utc(), hub.settings.timezone),
            created_by=actor.person.id,
        )
        not_found_unless(created is not None, "Savings record")
        await audit.record(
            tx, actor, "savings.recompute", f"meeting:{meeting_id}", {"date": data.original_start}
        )
    views = await occurrence_savings(hub, actor, meeting_id, data.original_start)
    return views[0]
