"""The savings pages: the log (`/savings`), the parameter editor (`/savings/parameters`), and the
pieces other pages show (the meeting page's card, the library page's road distances, the home
page's line). Reads go through `actions.savings`; every change goes through the JSON API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from babel.dates import format_date

from meetings_hub.actions import network, savings
from meetings_hub.domain import Actor
from meetings_hub.errors import Forbidden, NotFound, ValidationFailed
from meetings_hub.i18n import LOCALES, zone
from meetings_hub.keys import actor_key, hub_key
from meetings_hub.pages import language_of, require_person

KINDS = ("online", "training", "in_person")
# Rows of the log's table per page: totals, chart and ranking always cover every match.
PAGE_ROWS = 200
# The parameters in the order the editor shows them, with the unit each is entered in.
PARAMETERS = (
    ("min_share", ""),
    ("min_minutes", "min"),
    ("detour_factor", "×"),
    ("seats_per_car", ""),
    ("avg_speed_kmh", "km/h"),
    ("rate_per_km", "zł/km"),
    ("staff_hour_cost", "zł/h"),
    ("per_diem", "zł"),
    ("co2_g_per_km", "g/km"),
)
CSV_PATH = "/api/v1/savings/export.csv"


class Filters:
    """The log's filters as read from the address; a value that does not parse is kept as
    typed and named in ``errors``, so the form shows it by its field instead of a bare 400."""

    def __init__(self, query: Any) -> None:
        self.raw = {k: query.get(k, "").strip() for k in _FILTER_FIELDS}
        self.errors: dict[str, str] = {}
        self.date_from = self._date("date_from")
        self.date_to = self._date("date_to")
        if self.date_from and self.date_to and self.date_to < self.date_from:
            self.errors["date_to"] = "savings.filter.error_order"
        self.network_id = self._int("network_id")
        self.kind = self.raw["kind"] or None
        if self.kind is not None and self.kind not in KINDS:
            self.errors["kind"] = "savings.filter.error_kind"
        self.voivodeship = self.raw["voivodeship"] or None
        page = self._int("page")
        self.page = page if page and page > 0 else 1

    def _date(self, name: str) -> date | None:
        text = self.raw[name]
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.errors[name] = "savings.filter.error_date"
            return None

    def _int(self, name: str) -> int | None:
        text = self.raw[name]
        if not text:
            return None
        if not text.isdigit() or not 0 < int(text) < 2**63:
            if name != "page":
                self.errors[name] = "savings.filter.error_choice"
            return None
        return int(text)

    def action_filters(self, offset: int = 0) -> savings.SavingsFilters:
        """The filters to show rows for: a field in error is left out (the form names it)."""

        def ok(name: str, value: Any) -> Any:
            return None if name in self.errors else value

        return savings.SavingsFilters(
            date_from=ok("date_from", self.date_from),
            date_to=ok("date_to", self.date_to),
            network_id=ok("network_id", self.network_id),
            voivodeship=ok("voivodeship", self.voivodeship),
            kind=ok("kind", self.kind),
            limit=PAGE_ROWS,
            offset=offset,
        )

    def query(self, **changes: object) -> str:
        """The address's query with some values changed (empty values left out)."""
        values = {**{k: v for k, v in self.raw.items() if k != "page"}, **changes}
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


_FILTER_FIELDS = ("date_from", "date_to", "network_id", "voivodeship", "kind", "page")


def csv_url(filters: Filters, delimiter: str) -> str:
    query = filters.query(delimiter=delimiter)
    return f"{CSV_PATH}?{query}"


def month_label(month: str, lang: str, pattern: str = "LLLL y") -> str:
    """'2026-11' → 'listopad 2026' / 'November 2026' (the table); 'lis 2026' / 'Nov 2026'
    with pattern "LLL y" (the chart's axis, where room is short)."""
    year, number = (int(part) for part in month.split("-"))
    return format_date(date(year, number, 1), pattern, locale=LOCALES.get(lang, lang))


def chart_data(view: savings.SavingsLogView, lang: str) -> dict[str, Any]:
    """What the chart script draws: plain numbers, labels already in the page's language."""
    return {
        "labels": [month_label(m.month, lang, "LLL y") for m in view.monthly],
        "money": [float(m.totals.money) for m in view.monthly],
        "co2_kg": [float(m.totals.co2_kg) for m in view.monthly],
    }


def by_occurrence(rows: list[savings.SavingsRow]) -> list[list[savings.SavingsRow]]:
    """Consecutive rows of one held date together (the log lists them newest first)."""
    groups: list[list[savings.SavingsRow]] = []
    for row in rows:
        if groups and (groups[-1][0].meeting_id, groups[-1][0].original_start) == (
            row.meeting_id,
            row.original_start,
        ):
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


@aiohttp_jinja2.template("savings.html")
async def savings_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
    hub = request.app[hub_key]
    lang = language_of(request)
    filters = Filters(request.query)
    offset = (filters.page - 1) * PAGE_ROWS
    try:
        view = await savings.savings_log(hub, actor, filters.action_filters(offset))
    except ValidationFailed as error:
        # What only the action checks (e.g. a voivodeship with control characters): named by
        # its field like the rest, and the log shown without it.
        named = error.details if isinstance(error.details, dict) else {}
        if not set(named) & set(_FILTER_FIELDS):
            raise
        for name in set(named) & set(_FILTER_FIELDS):
            filters.errors.setdefault(name, "savings.filter.error_value")
        view = await savings.savings_log(hub, actor, filters.action_filters(offset))
    pages = max(1, -(-view.row_count // PAGE_ROWS))
    if filters.page > pages:  # an old link after rows went away: the last page, not "none"
        filters.page = pages
        view = await savings.savings_log(
            hub, actor, filters.action_filters((pages - 1) * PAGE_ROWS)
        )
    return {
        "view": view,
        "groups": by_occurrence(view.rows),
        "filters": filters,
        "kinds": KINDS,
        "page": filters.page,
        "pages": pages,
        "csv_comma": csv_url(filters, "comma"),
        "csv_semicolon": csv_url(filters, "semicolon"),
        "chart": chart_data(view, lang),
        "month_label": lambda month: month_label(month, lang),
    }


@aiohttp_jinja2.template("savings_parameters.html")
async def parameters_page(request: web.Request) -> dict[str, Any]:
    actor = require_person(request)
    hub = request.app[hub_key]
    view = await savings.get_parameters(hub, actor)
    return {
        "view": view,
        "parameters": PARAMETERS,
        "network_names": {n.id: n.name for n in await network.list_networks(hub, actor)},
        # New versions start today in the programme's time zone (not the server clock's).
        "today": datetime.now(zone(hub.settings.timezone)).date().isoformat(),
    }


async def meeting_card(request: web.Request, meeting: Any) -> dict[str, Any]:
    """The meeting page's savings card: its held dates, or nothing for whoever may not see
    them (guests, and people other than the organisers, the network's lead and coordinators)."""
    actor: Actor = request[actor_key]
    if actor.person is None:
        return {"savings_dates": None}
    try:
        dates = await savings.occurrence_savings(request.app[hub_key], actor, meeting.id, None)
    except (Forbidden, NotFound):
        return {"savings_dates": None}
    invited = [(lib.library_id, lib.name) for lib in meeting.libraries]

    def correction_libraries(version: savings.RecordVersionView) -> list[tuple[int, str, int]]:
        """Every library whose persons a lead may raise: the record's, then the invited ones
        nobody joined from (a room full of people in front of one shared screen)."""
        found: dict[int, tuple[int, str, int]] = {}
        for row in version.rows:
            if row.library_id is not None and row.library_id != meeting.host_library_id:
                found[row.library_id] = (row.library_id, row.library_name, row.persons)
        for library_id, name in invited:
            if library_id != meeting.host_library_id:
                found.setdefault(library_id, (library_id, name, 0))
        return list(found.values())

    return {"savings_dates": dates, "correction_libraries": correction_libraries}


def install(app: web.Application) -> None:
    app.router.add_get("/savings", savings_page)
    app.router.add_get("/savings/parameters", parameters_page)
