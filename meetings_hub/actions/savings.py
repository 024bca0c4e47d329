"""The savings log: what each held session saved, read from the frozen records.

Pages, the JSON API and the CSV export are built on these actions only (never on storage).
Figures come back as ``Decimal`` (money, hours, kg) and are formatted by the caller per locale.
Access: a coordinator sees the whole programme, a lead her network(s) (and edits them), a
partner librarian reads her own library's rows; guests and anonymous callers see nothing.
Hidden meetings and networks answer 404.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import msgspec

from meetings_hub.domain import Actor
from meetings_hub.hub import Hub

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
    min_minutes: int | None = None
    detour_factor: Decimal | None = None
    seats_per_car: int | None = None
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
    persons: dict[int, int]  # library id -> persons present
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
# Actions (bodies follow)


async def savings_log(hub: Hub, actor: Actor, filters: SavingsFilters) -> SavingsLogView:
    raise NotImplementedError


async def savings_csv(hub: Hub, actor: Actor, filters: SavingsFilters, *, delimiter: str) -> bytes:
    """Every matching row (no paging), UTF-8 with BOM; ``delimiter`` ',' or ';'."""
    raise NotImplementedError


async def occurrence_savings(
    hub: Hub, actor: Actor, meeting_id: int, original_start: datetime | None
) -> list[OccurrenceSavingsView]:
    """Held dates of a meeting (one, when ``original_start`` is given), newest first."""
    raise NotImplementedError


async def occurrence_record_json(
    hub: Hub, actor: Actor, meeting_id: int, original_start: datetime
) -> OccurrenceSavingsView:
    """One occurrence with every frozen input (the per-occurrence JSON export)."""
    raise NotImplementedError


async def savings_totals_line(hub: Hub, actor: Actor) -> SavingsTotals | None:
    """Running totals for a coordinator's / lead's home page; None for everyone else."""
    raise NotImplementedError


async def get_parameters(hub: Hub, actor: Actor) -> ParametersView:
    raise NotImplementedError


async def put_programme_parameters(
    hub: Hub, actor: Actor, data: ProgrammeParametersInput
) -> ParameterSetView:
    raise NotImplementedError


async def put_network_parameters(
    hub: Hub, actor: Actor, network_id: int, data: NetworkParametersInput
) -> ParameterSetView:
    raise NotImplementedError


async def list_distances(hub: Hub, actor: Actor, library_id: int) -> list[DistanceView]:
    """Distances from one library to the other libraries of its networks (and overrides)."""
    raise NotImplementedError


async def put_distance(
    hub: Hub, actor: Actor, library_id: int, other_library_id: int, data: DistanceInput
) -> DistanceView:
    raise NotImplementedError


async def delete_distance(hub: Hub, actor: Actor, library_id: int, other_library_id: int) -> None:
    raise NotImplementedError


async def correct_attendance(
    hub: Hub, actor: Actor, meeting_id: int, data: CorrectionInput
) -> OccurrenceSavingsView:
    raise NotImplementedError


async def list_corrections(hub: Hub, actor: Actor, meeting_id: int) -> list[CorrectionView]:
    raise NotImplementedError


async def recompute(
    hub: Hub, actor: Actor, meeting_id: int, data: RecomputeInput
) -> OccurrenceSavingsView:
    """A new version with today's parameters (coordinator); the old one stays."""
    raise NotImplementedError
