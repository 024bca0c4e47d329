"""The programme report: sessions held, participants by category, what the feedback says,
joint plans, whether networks stayed active, and the savings log's totals (docs/report.md says
what each figure means and how it is counted).

Coordinators see every network, a lead the networks she leads; nobody else has a report.
Nothing here names who answered: answers are counted, and only comments their authors allowed
are quoted, without names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import msgspec
from dateutil.relativedelta import relativedelta

from meetings_hub.actions import attended
from meetings_hub.actions.access import not_found_unless, require_person, scope_of
from meetings_hub.actions.feedback_options import ADVANTAGES, DIFFICULTIES, OUTCOMES
from meetings_hub.actions.savings import SavingsFilters, SavingsTotals, savings_log
from meetings_hub.actions.validate import parse_int
from meetings_hub.domain import Actor, GuestCategory, Network
from meetings_hub.errors import BadRequest, Forbidden, ValidationFailed
from meetings_hub.hub import Hub
from meetings_hub.scheduling.model import KINDS, Meeting
from meetings_hub.storage import feedback as store
from meetings_hub.storage import networks as networks_store
from meetings_hub.storage import scheduling as meetings_store
from meetings_hub.storage.db import Reader
from meetings_hub.storage.timefmt import from_db, now_utc

# Who is counted, in the report's order: librarians by their library's place in the network of
# the session, the programme's coordinators, then guests by the programme's categories.
CATEGORIES: tuple[str, ...] = (
    "lead_librarian",
    "partner_librarian",
    "coordinator",
    *(c.value for c in GuestCategory),
)
GUEST_CATEGORIES = frozenset(c.value for c in GuestCategory)
MAX_PERIOD_DAYS = 3 * 366
MAX_MONTHS = 60
# Before the programme's first meeting: where "every date ever held" starts.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
QUERY_KEYS = ("from", "to", "network_id", "active_after", "months")


class ReportFilters(msgspec.Struct):
    """Dates are calendar dates in the programme's time zone, both ends included."""

    date_from: date
    date_to: date
    network_id: int | None = None
    # Sustainability: was each network active in the ``months`` months after ``active_after``?
    active_after: date | None = None
    months: int = 6


class NetworkRef(msgspec.Struct):
    id: int
    name: str


class SessionsRow(msgspec.Struct):
    kind: str  # 'online' | 'training' | 'in_person' | 'total'
    held: int
    hours: Decimal
    attendances: int  # people present, counted per date (none for in-person events)
    average_attendance: Decimal | None  # attendances / online and training dates held


class ParticipantsRow(msgspec.Struct):
    category: str  # one of CATEGORIES, or 'total'
    people: int  # distinct people (each guest entry is one person)
    attendances: int


class ShareRow(msgspec.Struct):
    group: str  # 'outcomes' | 'advantages' | 'difficulties'
    code: str
    answers: int  # answers that ticked it
    percent: Decimal  # of all answers in the report, one decimal


class PlanRow(msgspec.Struct):
    network_id: int
    network_name: str
    session_title: str
    session_date: date
    kind: str
    text: str
    planned_on: date | None
    status: str  # 'planned' | 'scheduled' | 'held'
    meeting_id: int | None  # the meeting it became
    schedule_url: str  # the scheduling form pre-filled (one click for a lead)


class QuoteRow(msgspec.Struct):
    network_name: str
    session_title: str
    session_date: date
    text: str
    rating: int | None


class NetworkActivity(msgspec.Struct):
    network_id: int
    network_name: str
    lead_library_id: int
    lead_library_name: str
    active: bool
    sessions_in_window: int
    messages_in_window: int
    last_activity: date | None


class Sustainability(msgspec.Struct):
    active_after: date
    months: int
    window_end: date
    networks: list[NetworkActivity]
    lead_libraries: int
    lead_libraries_active: int
    percent_active: Decimal


class ReportView(msgspec.Struct):
    date_from: date
    date_to: date
    generated_at: datetime
    networks: list[NetworkRef]  # the networks the report covers
    choices: list[NetworkRef]  # the networks the reader may choose from
    sessions: list[SessionsRow]
    participants: list[ParticipantsRow]
    answers: int
    average_rating: Decimal | None
    shares: list[ShareRow]
    plans: list[PlanRow]
    quotes: list[QuoteRow]
    sustainability: Sustainability
    savings: SavingsTotals | None


@dataclass(frozen=True)
class _Held:
    meeting: Meeting
    start: datetime
    end: datetime
    original_start: datetime
    title: str
    who: tuple[str, ...]  # attendees ('p:<id>' / 'g:<id>'); empty for in-person events


def _zone(hub: Hub) -> ZoneInfo:
    return ZoneInfo(hub.settings.timezone)


def today(hub: Hub) -> date:
    """Today in the programme's zone (after 23:00 UTC it is already tomorrow in Warsaw)."""
    return now_utc().astimezone(_zone(hub)).date()


def _instants(hub: Hub, first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) in the programme's zone."""
    zone = _zone(hub)
    return (
        datetime.combine(first, time(), zone),
        datetime.combine(last + timedelta(days=1), time(), zone),
    )


def _query_date(query: Mapping[str, str], name: str) -> date | None:
    raw = query.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a date (YYYY-MM-DD).", details={name: raw[:40]}) from None


def filters_from_query(query: Mapping[str, str], today: date) -> ReportFilters:
    """?from=&to=&network_id=&active_after=&months= (pages and the API read the same way);
    the period defaults to this calendar year up to today."""
    network_raw, months_raw = query.get("network_id", ""), query.get("months", "")
    network_id = parse_int(network_raw, low=1) if network_raw else None
    if network_raw and network_id is None:
        raise BadRequest(
            "network_id must be a whole number in range.", details={"network_id": network_raw[:40]}
        )
    months = parse_int(months_raw, low=1, high=MAX_MONTHS) if months_raw else 6
    if months is None:
        raise BadRequest(
            f"months must be a whole number from 1 to {MAX_MONTHS}.",
            details={"months": months_raw[:40]},
        )
    return ReportFilters(
        date_from=_query_date(query, "from") or date(today.year, 1, 1),
        date_to=_query_date(query, "to") or today,
        network_id=network_id,
        active_after=_query_date(query, "active_after"),
        months=months,
    )


def check_filters(filters: ReportFilters) -> None:
    if filters.date_to < filters.date_from:
        raise ValidationFailed("Some fields are not valid.", details={"to": "Before 'from'."})
    if (filters.date_to - filters.date_from).days > MAX_PERIOD_DAYS:
        raise ValidationFailed(
            "Some fields are not valid.", details={"to": "At most three years at once."}
        )
    if not 1 <= filters.months <= MAX_MONTHS:
        raise ValidationFailed(
            "Some fields are not valid.", details={"months": "A whole number from 1 to 60."}
        )


async def _networks(
    db: Reader, actor: Actor, network_id: int | None
) -> tuple[list[Network], list[Network]]:
    """(the networks the report covers, the networks the reader may choose from)."""
    require_person(actor)
    scope = await scope_of(db, actor)
    every = await networks_store.list_all(db)
    if scope.everything:
        choices = every
    elif scope.led_network_ids:
        choices = [n for n in every if n.id in scope.led_network_ids]
    else:
        raise Forbidden("Only coordinators and lead librarians have a programme report.")
    if network_id is None:
        return choices, choices
    chosen = [n for n in choices if n.id == network_id]
    not_found_unless(bool(chosen), "Network")
    return chosen, choices


async def held_dates(
    hub: Hub, db: Reader, network_ids: list[int], start: datetime, end: datetime
) -> list[_Held]:
    """Dates that started in [start, end), ended before now and were held: an online session
    or training with someone present in its room; an in-person event once its time passed."""
    now = now_utc()
    meetings = await meetings_store.in_window_for_networks(db, network_ids, start, end)
    ends = await store.room_ends(db, [m.id for m in meetings])
    found = []
    for meeting in meetings:
        if meeting.cancelled:
            continue
        ended_at = ends.get(meeting.id)
        for occ in meeting.occurrences(start, end):
            if not start <= occ.start < end or occ.end > now:
                continue
            who: tuple[str, ...] = ()
            if meeting.kind != "in_person":
                opens, closes = attended.room_window(
                    occ, from_db(ended_at) if ended_at else None, hub.settings
                )
                who = tuple(await attended.attendees(db, meeting, opens, closes))
                if not who:
                    continue
            found.append(
                _Held(
                    meeting,
                    occ.start,
                    occ.end,
                    occ.original_start,
                    occ.title or meeting.title,
                    who,
                )
            )
    return found


def _hours(seconds: float) -> Decimal:
    return Decimal(str(round(seconds / 3600, 1)))


def _sessions(held: list[_Held]) -> list[SessionsRow]:
    rows = []
    for kind in (*KINDS, "total"):
        mine = [h for h in held if kind in ("total", h.meeting.kind)]
        in_rooms = [h for h in mine if h.meeting.kind != "in_person"]
        attendances = sum(len(h.who) for h in in_rooms)
        rows.append(
            SessionsRow(
                kind=kind,
                held=len(mine),
                hours=_hours(sum((h.end - h.start).total_seconds() for h in mine)),
                attendances=attendances,
                average_attendance=Decimal(str(round(attendances / len(in_rooms), 1)))
                if in_rooms
                else None,
            )
        )
    return rows


async def _participants(
    db: Reader, held: list[_Held], networks: dict[int, Network]
) -> list[ParticipantsRow]:
    person_ids = sorted({int(w[2:]) for h in held for w in h.who if w.startswith("p:")})
    guest_ids = sorted({int(w[2:]) for h in held for w in h.who if w.startswith("g:")})
    persons = await store.people_kinds(db, person_ids)
    guests = await store.guest_categories(db, guest_ids)
    people: dict[str, set[str]] = {c: set() for c in CATEGORIES}
    visits: Counter[str] = Counter()
    for h in held:
        lead_library = networks[h.meeting.network_id].lead_library_id
        for who in h.who:
            if who.startswith("g:"):
                category = guests.get(int(who[2:]), "other")
            else:
                row = persons.get(int(who[2:]))
                if row is None:
                    continue
                if row["role"] == "coordinator":
                    category = "coordinator"
                elif row["library_id"] == lead_library:
                    category = "lead_librarian"
                else:
                    category = "partner_librarian"
            people[category].add(who)
            visits[category] += 1
    rows = [ParticipantsRow(c, len(people[c]), visits[c]) for c in CATEGORIES]
    everyone = set().union(*people.values())
    rows.append(ParticipantsRow("total", len(everyone), sum(visits.values())))
    return rows


def _percent(part: int, whole: int) -> Decimal:
    return Decimal(str(round(100 * part / whole, 1))) if whole else Decimal(0)


def plan_title(hub: Hub, lang: str, kind: str, text: str) -> str:
    label = hub.t(lang, f"feedback.plan.{kind}")
    label = label[:1].upper() + label[1:]  # a meeting's title starts with a capital
    return f"{label}: {text}" if text else label


def schedule_url(
    hub: Hub, lang: str, network_id: int, kind: str, text: str, on: date | None
) -> str:
    """The scheduling form pre-filled with this plan (pages_scheduling._prefill)."""
    query = {
        "network_id": str(network_id),
        "title": plan_title(hub, lang, kind, text),
        "kind": "training" if kind == "training" else "in_person",
    }
    if on is not None:
        query["date"] = on.isoformat()
    return "/meetings/new?" + urlencode(query)


async def _feedback(
    hub: Hub,
    db: Reader,
    lang: str,
    networks: dict[int, Network],
    start: datetime,
    end: datetime,
) -> tuple[int, Decimal | None, list[ShareRow], list[PlanRow], list[QuoteRow]]:
    answers = await store.answers_for_report(db, sorted(networks), start, end)
    total = len(answers)
    ticked: dict[str, Counter[str]] = {
        g: Counter() for g in ("outcomes", "advantages", "difficulties")
    }
    ratings = [a["rating"] for a in answers if a["rating"] is not None]
    for a in answers:
        for group, counter in ticked.items():
            counter.update(set(msgspec.json.decode(a[group])))
    shares = [
        ShareRow(group, code, ticked[group][code], _percent(ticked[group][code], total))
        for group, codes in (
            ("outcomes", OUTCOMES),
            ("advantages", ADVANTAGES),
            ("difficulties", DIFFICULTIES),
        )
        for code in codes
    ]
    zone = _zone(hub)
    by_id = {a["id"]: a for a in answers}

    def day_of(a: object) -> date:
        return from_db(a["original_start"]).astimezone(zone).date()  # type: ignore[index]

    plans = []
    titled = await store.meetings_titled(db, sorted(networks))
    now = now_utc()
    for p in await store.plans_for_answers(db, sorted(by_id)):
        a = by_id[p["answer_id"]]
        planned_on = date.fromisoformat(p["planned_on"]) if p["planned_on"] else None
        names = {plan_title(hub, lg, p["kind"], p["text"]).lower() for lg in ("pl", "en")}
        became = [
            m
            for m in titled
            if m["network_id"] == a["network_id"]
            and m["status"] == "scheduled"
            and m["title"] in names
            and m["created_at"][:10] >= a["answered_on"]
        ]
        status, meeting_id = "planned", None
        if became:
            meeting_id = became[0]["id"]
            meeting = await meetings_store.get(db, meeting_id)
            held = meeting is not None and meeting.start <= now
            status = "held" if held else "scheduled"
        plans.append(
            PlanRow(
                network_id=a["network_id"],
                network_name=networks[a["network_id"]].name,
                session_title=a["title"],
                session_date=day_of(a),
                kind=p["kind"],
                text=p["text"],
                planned_on=planned_on,
                status=status,
                meeting_id=meeting_id,
                schedule_url=schedule_url(
                    hub, lang, a["network_id"], p["kind"], p["text"], planned_on
                ),
            )
        )
    quotes = [
        QuoteRow(networks[a["network_id"]].name, a["title"], day_of(a), a["comment"], a["rating"])
        for a in sorted(answers, key=lambda a: (a["original_start"], a["id"]))
        if a["may_quote"] and a["comment"]
    ]
    average = Decimal(str(round(sum(ratings) / len(ratings), 2))) if ratings else None
    return total, average, shares, plans, quotes


async def _sustainability(
    hub: Hub,
    db: Reader,
    networks: list[Network],
    after: date,
    months: int,
    everything: list[_Held],
) -> Sustainability:
    """Active = a date held or a message in the network's room in (after, after + months]."""
    window_end = after + relativedelta(months=months)
    start, end = _instants(hub, after + timedelta(days=1), window_end)
    ids = [n.id for n in networks]
    held = [h for h in everything if start <= h.start < end]
    messages = await store.network_messages(db, ids, start, end)
    names = await _library_names(db, {n.lead_library_id for n in networks})
    rows = []
    zone = _zone(hub)
    for n in networks:
        sessions = sum(1 for h in held if h.meeting.network_id == n.id)
        posted = messages.get(n.id, {})
        in_window = int(posted.get("in_window") or 0)  # type: ignore[call-overload]
        lasts = [h.end for h in everything if h.meeting.network_id == n.id]
        if posted.get("last_at"):
            lasts.append(from_db(str(posted["last_at"])))
        rows.append(
            NetworkActivity(
                network_id=n.id,
                network_name=n.name,
                lead_library_id=n.lead_library_id,
                lead_library_name=names.get(n.lead_library_id, ""),
                active=sessions > 0 or in_window > 0,
                sessions_in_window=sessions,
                messages_in_window=in_window,
                last_activity=max(lasts).astimezone(zone).date() if lasts else None,
            )
        )
    leads = {r.lead_library_id for r in rows}
    active_leads = {r.lead_library_id for r in rows if r.active}
    return Sustainability(
        active_after=after,
        months=months,
        window_end=window_end,
        networks=rows,
        lead_libraries=len(leads),
        lead_libraries_active=len(active_leads),
        percent_active=_percent(len(active_leads), len(leads)),
    )


async def _library_names(db: Reader, ids: set[int]) -> dict[int, str]:
    rows = await db.fetch_all(
        "SELECT id, name FROM libraries WHERE id IN (SELECT value FROM json_each(?))",
        (msgspec.json.encode(sorted(ids)).decode(),),
    )
    return {r["id"]: r["name"] for r in rows}


async def _savings(hub: Hub, actor: Actor, filters: ReportFilters) -> SavingsTotals:
    """The savings log's own totals for the same period and network (never recomputed here)."""
    log = await savings_log(
        hub,
        actor,
        SavingsFilters(
            date_from=filters.date_from,
            date_to=filters.date_to,
            network_id=filters.network_id,
            limit=1,
        ),
    )
    return log.totals


def default_active_after(filters: ReportFilters) -> date:
    """Without a chosen date: the window is the last ``months`` months of the period."""
    return filters.date_to - relativedelta(months=filters.months)


async def report(hub: Hub, actor: Actor, filters: ReportFilters, lang: str = "pl") -> ReportView:
    check_filters(filters)
    start, end = _instants(hub, filters.date_from, filters.date_to)
    async with hub.db.read() as db:
        covered, choices = await _networks(db, actor, filters.network_id)
        by_id = {n.id: n for n in covered}
        # Every date ever held, read once: the period's dates, the sustainability window's and
        # each network's last activity all come from it.
        everything = await held_dates(hub, db, sorted(by_id), EPOCH, now_utc())
        held = [h for h in everything if start <= h.start < end]
        answers, rating, shares, plans, quotes = await _feedback(hub, db, lang, by_id, start, end)
        after = filters.active_after or default_active_after(filters)
        lasting = await _sustainability(hub, db, covered, after, filters.months, everything)
        participants = await _participants(db, held, by_id)
    return ReportView(
        date_from=filters.date_from,
        date_to=filters.date_to,
        generated_at=now_utc(),
        networks=[NetworkRef(n.id, n.name) for n in covered],
        choices=[NetworkRef(n.id, n.name) for n in choices],
        sessions=_sessions(held),
        participants=participants,
        answers=answers,
        average_rating=rating,
        shares=shares,
        plans=plans,
        quotes=quotes,
        sustainability=lasting,
        savings=await _savings(hub, actor, filters),
    )
