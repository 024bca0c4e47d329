"""Demo feedback (`meetings-hub demo`): guests in the rooms of past dates and a realistic
spread of answers, so the programme report is populated at once.

``add_guests`` runs before the savings log freezes the past dates (so guests are in both);
``load_answers`` writes the history of answers afterwards. Dates of the last seven days are
left to the live feedback scan, which asks their attendees by mail and room card as usual.
The spread is drawn from a seeded generator: every demo database is the same.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from meetings_hub import demo_data
from meetings_hub.actions import report
from meetings_hub.actions.feedback import OPEN_FOR
from meetings_hub.actions.feedback_options import PLAN_KINDS
from meetings_hub.domain import GuestCategory
from meetings_hub.hub import Hub
from meetings_hub.storage import feedback as store
from meetings_hub.storage import guests, networks, people
from meetings_hub.storage import savings as savings_store
from meetings_hub.storage import scheduling as meetings_store
from meetings_hub.storage.timefmt import now_utc, to_db

SEED = 2026
LOOK_BACK = timedelta(days=400)
GUEST_NAMES = (
    ("Radna Gminy Morawica", GuestCategory.LOCAL_AUTHORITY),
    ("Zespół Pieśni i Tańca „Jarzębina”", GuestCategory.LOCAL_CREATOR),
    ("dr Anna Nowicka, bibliotekoznawczyni", GuestCategory.EXPERT),
    ("Koalicja na rzecz gminy", GuestCategory.MUNICIPAL_COALITION),
    ("Stowarzyszenie Przyjaciół Biblioteki", GuestCategory.NGO),
    ("Wolontariuszka klubu czytelniczego", GuestCategory.VOLUNTEER),
    ("Czytelniczka z klubu seniora", GuestCategory.LIBRARY_USER),
    ("Gość z zaprzyjaźnionej szkoły", GuestCategory.OTHER),
)
# How often each box is ticked: what the programme's last round of surveys looked like.
OUTCOME_ODDS = {
    "knowledge": 0.7,
    "experience_exchange": 0.8,
    "communication_tools": 0.45,
    "library_promotion": 0.3,
    "authorities_image": 0.15,
    "community_integration": 0.2,
    "librarians_integration": 0.6,
    "further_cooperation": 0.5,
}
ADVANTAGE_ODDS = {
    "saved_time": 0.85,
    "saved_money": 0.6,
    "fast_information": 0.55,
    "materials_during_talk": 0.35,
    "modern_form": 0.4,
}
PROBLEM_ODDS = {"connection": 0.2, "sound_picture": 0.15, "unfamiliar_tool": 0.1}
RATINGS = (5, 4, 3, 2, 1)
RATING_WEIGHTS = (45, 35, 14, 5, 1)
COMMENTS = (
    "Bardzo konkretne spotkanie, dziękuję!",
    "Dzięki rozmowie online nie musiałam jechać 40 km — w tym czasie otworzyłam czytelnię.",
    "Wymieniłyśmy się scenariuszami lekcji bibliotecznych, przydadzą się od razu.",
    "Chętnie spotkałabym się też na żywo przy okazji wspólnego wydarzenia.",
    "Na początku był problem z dźwiękiem, potem wszystko działało.",
    "Dobrze, że materiały można było wysłać od razu w pokoju rozmowy.",
    "Wreszcie wiem, co robią koleżanki z sąsiednich gmin.",
    "Ustaliliśmy wspólny konkurs recytatorski na wiosnę.",
)
OTHER_PROBLEMS = ("Słaby zasięg w filii", "Stary komputer w czytelni", "Hałas za ścianą")
OTHER_PLANS = ("Rajd rowerowy szlakiem bibliotek", "Wspólna gra miejska", "Wymiana książek")


async def add_guests(hub: Hub, now: datetime | None = None) -> int:
    """One to three guests (by the programme's categories) in the room of each past date of
    the networks' online sessions; returns how many guest entries were made."""
    now = now or now_utc()
    leads = {p.library: p.email for p in demo_data.PEOPLE if p.role == "lead_librarian"}
    made = 0
    for net_index, net in enumerate(demo_data.NETWORKS):
        async with hub.db.read() as reader:
            network_id = await networks.find_by_name(reader, net.name)
            lead = await people.get_by_email(reader, leads[net.lead])
            if network_id is None or lead is None:
                continue
            meetings = await meetings_store.in_window_for_networks(
                reader, [network_id], now - LOOK_BACK, now
            )
        for meeting in meetings:
            if meeting.kind == "in_person" or meeting.cancelled:
                continue
            async with hub.db.write() as tx:
                room = await tx.fetch_one(
                    "SELECT id FROM rooms WHERE meeting_id = ?", (meeting.id,)
                )
                if room is None:
                    continue
                for index, occ in enumerate(meeting.occurrences(None, now)):
                    if occ.end > now:
                        continue
                    for n in range(1 + (index + net_index) % 3):
                        name, category = GUEST_NAMES[(index * 3 + n + net_index) % len(GUEST_NAMES)]
                        invitation = await guests.insert_invitation(
                            tx,
                            meeting_id=meeting.id,
                            email="",
                            name=name,
                            category=category.value,
                            created_by=lead.id,
                            expires_at=occ.end,
                        )
                        guest_id = await guests.insert_guest(
                            tx,
                            invitation_id=invitation,
                            meeting_id=meeting.id,
                            name=name,
                            category=category,
                        )
                        await savings_store.insert_attendance(
                            tx,
                            room["id"],
                            meeting.id,
                            person_id=None,
                            guest_id=guest_id,
                            joined=occ.start + timedelta(minutes=2 * n),
                            left=occ.end - timedelta(minutes=5 * n),
                        )
                        made += 1
    return made


def _ticked(rng: random.Random, odds: dict[str, float]) -> list[str]:
    return [code for code, chance in odds.items() if rng.random() < chance]


async def load_answers(hub: Hub, now: datetime | None = None) -> int:
    """Requests for every attendee of every held date older than a week, and answers from
    about seven in ten of them; returns how many answers were stored."""
    now = now or now_utc()
    rng = random.Random(SEED)
    stored = 0
    async with hub.db.read() as reader:
        network_ids = [n.id for n in await networks.list_all(reader)]
        held = await report.held_dates(hub, reader, network_ids, now - LOOK_BACK, now)
    async with hub.db.write() as tx:
        for h in sorted(held, key=lambda h: (h.start, h.meeting.id)):
            closes_at = h.end + OPEN_FOR
            if closes_at > now or h.meeting.kind == "in_person":
                continue  # still open: the live scan asks these people
            for who in h.who:
                person_id = int(who[2:]) if who.startswith("p:") else None
                guest_id = int(who[2:]) if who.startswith("g:") else None
                await store.add_request(
                    tx,
                    meeting_id=h.meeting.id,
                    original_start=h.original_start,
                    person_id=person_id,
                    guest_id=guest_id,
                    closes_at=closes_at,
                )
                if rng.random() >= 0.72:
                    continue
                anonymous = guest_id is not None and rng.random() < 0.4
                problems = _ticked(rng, PROBLEM_ODDS)
                other_problem = ""
                if rng.random() < 0.05:
                    problems.append("other")
                    other_problem = rng.choice(OTHER_PROBLEMS)
                if not problems and rng.random() < 0.8:
                    problems = ["none"]
                comment = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
                answered_on = (h.end + timedelta(days=rng.randint(0, 3))).date()
                answer_id = await store.save_answer(
                    tx,
                    {
                        "meeting_id": h.meeting.id,
                        "original_start": to_db(h.original_start),
                        "person_id": person_id,
                        "guest_id": None if anonymous else guest_id,
                        "respondent": "anonymous"
                        if anonymous
                        else ("guest" if guest_id is not None else "librarian"),
                        "outcomes": _ticked(rng, OUTCOME_ODDS),
                        "advantages": _ticked(rng, ADVANTAGE_ODDS),
                        "difficulties": problems,
                        "difficulty_other": other_problem,
                        "rating": rng.choices(RATINGS, RATING_WEIGHTS)[0]
                        if rng.random() < 0.9
                        else None,
                        "comment": comment,
                        "may_quote": int(bool(comment) and rng.random() < 0.6),
                        "answered_on": answered_on.isoformat(),
                    },
                    None,
                )
                if person_id is not None and rng.random() < 0.12:
                    kind = rng.choice(PLAN_KINDS)
                    text = rng.choice(OTHER_PLANS) if kind == "other" else ""
                    when = (now + timedelta(days=rng.randint(20, 120))).date()
                    await store.add_plan(
                        tx, answer_id, kind, text, when if rng.random() < 0.6 else None
                    )
                request = await store.get_request(
                    tx, h.meeting.id, h.original_start, person_id=person_id, guest_id=guest_id
                )
                assert request is not None
                await store.mark_answered(tx, request["id"], answered_on)
                stored += 1
    return stored
