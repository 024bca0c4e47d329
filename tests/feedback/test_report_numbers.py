"""The report's numbers against a second, simple implementation: every expected figure below
is computed from the fixture's own description (not from the database), for several periods,
networks and readers."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from meetings_hub.actions import feedback_requests
from meetings_hub.storage import networks
from tests.feedback.support import (
    add_guest,
    attend,
    held_session,
    link_in,
    outbox_rows,
    person_id,
)
from tests.support import COORDINATOR, LEAD, PARTNER, Client, Server

ZONE = ZoneInfo("Europe/Warsaw")
COLLEAGUE = "barbara.lis@checiny.example.org"
KORSZE_LEAD = "joanna.sadowska@korsze.example.org"
RESZEL = "elzbieta.gorska@reszel.example.org"
MORAWICA, KORSZE = "Sieć bibliotek wokół Morawicy", "Sieć bibliotek wokół Korsz"
TODAY = datetime.now(UTC).astimezone(ZONE).date()

# The fixture: sessions (days from today, 11:00 Warsaw), who was there, who answered what.
SESSIONS: list[dict[str, Any]] = [
    {"key": "s1", "net": MORAWICA, "by": LEAD, "kind": "online", "day": -6, "minutes": 90,
     "people": [LEAD, PARTNER, COLLEAGUE, COORDINATOR],
     "guests": [("gA", "local_authority"), ("gB", "ngo")]},
    {"key": "s2", "net": MORAWICA, "by": LEAD, "kind": "training", "day": -4, "minutes": 120,
     "people": [PARTNER, COLLEAGUE, COLLEAGUE], "guests": [("gC", "library_user")]},
    {"key": "s3", "net": MORAWICA, "by": LEAD, "kind": "online", "day": -3, "minutes": 60,
     "people": [], "guests": []},  # nobody came: not held
    {"key": "s4", "net": MORAWICA, "by": LEAD, "kind": "in_person", "day": -5, "minutes": 240,
     "people": [], "guests": []},
    {"key": "s5", "net": KORSZE, "by": KORSZE_LEAD, "kind": "online", "day": -2, "minutes": 60,
     "people": [KORSZE_LEAD, RESZEL], "guests": [("gD", "expert")]},
    {"key": "s6", "net": KORSZE, "by": KORSZE_LEAD, "kind": "online", "day": 3, "minutes": 60,
     "people": [], "guests": []},  # still to come
]  # fmt: skip
ANSWERS: list[dict[str, Any]] = [
    {"session": "s1", "who": PARTNER, "body": {
        "outcomes": ["knowledge", "further_cooperation"],
        "advantages": ["saved_time", "saved_money"], "difficulties": ["none"], "rating": 5,
        "comment": "Świetnie", "may_quote": True,
        "plans": [{"kind": "workshops"}]}},
    {"session": "s1", "who": LEAD, "body": {
        "outcomes": ["knowledge"], "advantages": ["saved_time"], "difficulties": ["connection"],
        "rating": 4, "comment": "Nie cytować",
        "plans": [{"kind": "library_night", "date": "2027-05-15"}]}},
    {"session": "s1", "who": "gA", "body": {
        "outcomes": ["community_integration"], "difficulties": ["unfamiliar_tool"], "rating": 3,
        "comment": "<script>alert(1)</script>", "may_quote": True, "anonymous": True}},
    {"session": "s2", "who": PARTNER, "body": {
        "outcomes": ["experience_exchange", "knowledge"], "difficulties": ["other"],
        "difficulty_other": "mikrofon"}},
    {"session": "s5", "who": RESZEL, "body": {
        "outcomes": ["librarians_integration"], "advantages": ["modern_form"], "rating": 2,
        "plans": [{"kind": "other", "text": "Rajd rowerowy"}]}},
]  # fmt: skip
LEADS = {MORAWICA: LEAD, KORSZE: KORSZE_LEAD}
CATEGORY = {LEAD: "lead_librarian", KORSZE_LEAD: "lead_librarian", COORDINATOR: "coordinator"}


def _start(s: dict[str, Any]) -> datetime:
    return datetime.combine(TODAY + timedelta(days=s["day"]), time(11), ZONE).astimezone(UTC)


async def _build(server: Server) -> dict[str, Any]:
    hub = server.hub
    made: dict[str, Any] = {"guests": {}, "net_ids": {}}
    async with hub.db.read() as reader:
        for name in (MORAWICA, KORSZE):
            made["net_ids"][name] = await networks.find_by_name(reader, name)
    for s in SESSIONS:
        start = _start(s)
        m = await held_session(
            hub, s["by"], start, minutes=s["minutes"], kind=s["kind"], title=f"Sesja {s['key']}"
        )
        made[s["key"]] = m
        for i, email in enumerate(s["people"]):
            joined = start + timedelta(minutes=5 * i)
            await attend(
                hub,
                m["room_id"],
                m["meeting_id"],
                joined,
                joined + timedelta(minutes=20),
                person=await person_id(hub, email),
            )
        for key, category in s["guests"]:
            guest = await add_guest(
                hub, m["meeting_id"], f"{key}@goscie.example.org", key, category
            )
            made["guests"][key] = guest
            await attend(
                hub,
                m["room_id"],
                m["meeting_id"],
                start,
                start + timedelta(minutes=30),
                guest=guest,
            )
        if s["key"] == "s1":  # present only the day before this date: not at it
            day_before = start - timedelta(days=1)
            await attend(
                hub,
                m["room_id"],
                m["meeting_id"],
                day_before,
                day_before + timedelta(minutes=9),
                person=await person_id(hub, RESZEL),
            )
    await feedback_requests.scan(hub)
    links: dict[tuple[str, str], str] = {}
    for row in await outbox_rows(hub, "feedback_ask"):
        email = row["recipient"].split("<")[-1].rstrip(">")
        title = row["subject"].split("Sesja ")[-1]
        who = email.split("@")[0] if email.endswith("@goscie.example.org") else email
        links[(title, who)] = link_in(row["body_text"])
    client = Client(server.url)
    try:
        for a in ANSWERS:
            status, body = await client.request(
                "PUT", "/api/v1" + links[(a["session"], a["who"])], json=a["body"]
            )
            assert status == 200, body
    finally:
        await client.close()
    # Network-room messages for the sustainability test.
    async with hub.db.write() as tx:
        for name, days in ((KORSZE, -100), (MORAWICA, -1)):
            room = await tx.fetch_one(
                "SELECT id FROM rooms WHERE kind = 'network' AND network_id = ?",
                (made["net_ids"][name],),
            )
            at = datetime.combine(TODAY + timedelta(days=days), time(9), ZONE).astimezone(UTC)
            await tx.execute(
                "INSERT INTO messages (room_id, seq, client_msg_id, author, author_name, text,"
                " created_at) VALUES (?, 100000, ?, 'p:1', 'x', 'Cześć', ?)",
                (room["id"], f"walk-{days}", at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
            )
    # A joint plan turned into a meeting with the one-click form's title: "scheduled".
    await held_session(
        hub, LEAD, datetime.now(UTC) + timedelta(days=40), title="Warsztaty", kind="in_person"
    )
    return made


# ----- the second implementation: from SESSIONS and ANSWERS only ------------------------------


def _held(first: date, last: date, nets: set[str]) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    found = []
    for s in SESSIONS:
        day = TODAY + timedelta(days=s["day"])
        if s["net"] not in nets or not first <= day <= last:
            continue
        if _start(s) + timedelta(minutes=s["minutes"]) > now:
            continue
        if s["kind"] != "in_person" and not (s["people"] or s["guests"]):
            continue
        found.append(s)
    return found


def _category(email: str) -> str:
    return CATEGORY.get(email, "partner_librarian")


def expected(first: date, last: date, nets: set[str]) -> dict[str, Any]:
    held = _held(first, last, nets)
    sessions = {}
    for kind in ("online", "training", "in_person", "total"):
        mine = [s for s in held if kind in ("total", s["kind"])]
        rooms = [s for s in mine if s["kind"] != "in_person"]
        visits = sum(len(set(s["people"])) + len(s["guests"]) for s in rooms)
        sessions[kind] = {
            "held": len(mine),
            "hours": round(sum(s["minutes"] for s in mine) / 60, 1),
            "attendances": visits,
            "average_attendance": round(visits / len(rooms), 1) if rooms else None,
        }
    people: dict[str, set[str]] = {}
    visits: Counter[str] = Counter()
    for s in held:
        for email in set(s["people"]):
            people.setdefault(_category(email), set()).add(email)
            visits[_category(email)] += 1
        for key, category in s["guests"]:
            people.setdefault(category, set()).add(key)
            visits[category] += 1
    participants = {c: (len(p), visits[c]) for c, p in people.items()}
    participants["total"] = (sum(len(p) for p in people.values()), sum(visits.values()))
    keys = {
        s["key"]
        for s in SESSIONS
        if s["net"] in nets and first <= TODAY + timedelta(days=s["day"]) <= last
    }
    answers = [a for a in ANSWERS if a["session"] in keys]
    ticks: Counter[tuple[str, str]] = Counter()
    for a in answers:
        for group in ("outcomes", "advantages", "difficulties"):
            for code in a["body"].get(group, []):
                ticks[(group, code)] += 1
    quotes = sorted(
        a["body"]["comment"]
        for a in answers
        if a["body"].get("may_quote") and a["body"].get("comment")
    )
    plans = sorted(
        (p["kind"], "scheduled" if p["kind"] == "workshops" else "planned")
        for a in answers for p in a["body"].get("plans", [])
    )  # fmt: skip
    ratings = [a["body"]["rating"] for a in answers if "rating" in a["body"]]
    return {
        "sessions": sessions,
        "participants": participants,
        "answers": len(answers),
        "ticks": {k: (n, round(100 * n / len(answers), 1)) for k, n in ticks.items()},
        "quotes": quotes,
        "plans": plans,
        "rating": round(sum(ratings) / len(ratings), 2) if ratings else None,
    }


def compare(got: dict[str, Any], want: dict[str, Any]) -> None:
    for row in got["sessions"]:
        w = want["sessions"][row["kind"]]
        assert row["held"] == w["held"], row
        assert Decimal(row["hours"]) == Decimal(str(w["hours"])), row
        assert row["attendances"] == w["attendances"], row
        avg = row["average_attendance"]
        assert (None if avg is None else Decimal(avg)) == (
            None if w["average_attendance"] is None else Decimal(str(w["average_attendance"]))
        ), row
    for row in got["participants"]:
        assert (row["people"], row["attendances"]) == want["participants"].get(
            row["category"], (0, 0)
        ), row
    assert got["answers"] == want["answers"]
    for row in got["shares"]:
        n, pct = want["ticks"].get((row["group"], row["code"]), (0, 0.0))
        assert (row["answers"], Decimal(row["percent"])) == (n, Decimal(str(pct))), row
    assert sorted(q["text"] for q in got["quotes"]) == want["quotes"]
    assert sorted((p["kind"], p["status"]) for p in got["plans"]) == want["plans"]
    rating = got["average_rating"]
    assert (None if rating is None else Decimal(rating)) == (
        None if want["rating"] is None else Decimal(str(want["rating"]))
    )


async def test_report_matches_the_second_implementation(server: Server) -> None:
    made = await _build(server)
    korsze_id = made["net_ids"][KORSZE]
    # The fixture is not trivial: s1, s2, s4 and s5 held; 5 answers; guests of 4 categories.
    whole = expected(TODAY - timedelta(days=30), TODAY, {MORAWICA, KORSZE})
    assert whole["sessions"]["total"]["held"] == 4 and whole["answers"] == 5
    assert whole["participants"]["total"] == (10, 12)
    periods = [
        (TODAY - timedelta(days=30), TODAY),
        (TODAY - timedelta(days=4), TODAY),
        (TODAY - timedelta(days=6), TODAY - timedelta(days=5)),
        (TODAY - timedelta(days=60), TODAY - timedelta(days=7)),
    ]
    readers = [
        (COORDINATOR, None, {MORAWICA, KORSZE}),
        (COORDINATOR, korsze_id, {KORSZE}),
        (LEAD, None, {MORAWICA}),
        (KORSZE_LEAD, None, {KORSZE}),
    ]
    for email, network_id, nets in readers:
        client = Client(server.url)
        await client.login(email)
        try:
            for first, last in periods:
                query = f"?from={first}&to={last}" + (
                    f"&network_id={network_id}" if network_id else ""
                )
                status, got = await client.get("/api/v1/report" + query)
                assert status == 200, got
                compare(got, expected(first, last, nets))
                status, text = await client.get("/api/v1/report/csv/sessions" + query)
                assert status == 200 and text.startswith("\ufeffkind,label,held")
                total = next(line for line in text.splitlines() if line.startswith("total,"))
                assert total.split(",")[2] == str(
                    expected(first, last, nets)["sessions"]["total"]["held"]
                )
        finally:
            await client.close()


async def test_sustainability_and_access(server: Server) -> None:
    made = await _build(server)
    coordinator = Client(server.url)
    await coordinator.login(COORDINATOR)
    try:
        # Nothing happened between 60 and 30 days ago.
        status, got = await coordinator.get(
            f"/api/v1/report?active_after={TODAY - timedelta(days=60)}&months=1"
        )
        assert status == 200, got
        s = got["sustainability"]
        assert [n["active"] for n in s["networks"]] == [False] * len(s["networks"])
        assert Decimal(s["percent_active"]) == 0
        last = {n["network_name"]: n["last_activity"] for n in s["networks"]}
        assert last[KORSZE] == str(TODAY - timedelta(days=2))  # s5, later than its old message
        assert last[MORAWICA] == str(TODAY - timedelta(days=1))  # the network-room message
        assert sum(v is None for v in last.values()) == len(last) - 2
        # The last ten days: Morawica and Korsze were active, the two other networks not.
        status, got = await coordinator.get(
            f"/api/v1/report?active_after={TODAY - timedelta(days=10)}&months=1"
        )
        s = got["sustainability"]
        active = {n["network_name"] for n in s["networks"] if n["active"]}
        assert active == {MORAWICA, KORSZE}
        assert (s["lead_libraries"], s["lead_libraries_active"]) == (len(s["networks"]), 2)
        assert Decimal(s["percent_active"]) == Decimal(str(round(200 / len(s["networks"]), 1)))
        morawica = next(n for n in s["networks"] if n["network_name"] == MORAWICA)
        assert (morawica["sessions_in_window"], morawica["messages_in_window"]) == (3, 1)
        # Savings: the savings log's own totals for the same filters (read before and after:
        # the freezer may add a record in between).
        period = f"date_from={date(TODAY.year, 1, 1)}&date_to={TODAY}&limit=1"
        _, before = await coordinator.get(f"/api/v1/savings?{period}")
        status, got = await coordinator.get(
            f"/api/v1/report?from={date(TODAY.year, 1, 1)}&to={TODAY}"
        )
        _, after = await coordinator.get(f"/api/v1/savings?{period}")
        assert got["savings"] in (before["totals"], after["totals"]), (got["savings"], before)
        # Bad input: a clear 4xx in the one error shape.
        for bad in ("?from=yesterday", "?from=2026-05-01&to=2026-04-01", "?months=0", "?months=61",
                    "?network_id=abc", "?from=2020-01-01&to=2026-01-01"):  # fmt: skip
            status, body = await coordinator.get("/api/v1/report" + bad)
            assert status in (400, 422) and "error" in body, (bad, body)
        status, body = await coordinator.get("/api/v1/report/csv/nonsense")
        assert status == 404
    finally:
        await coordinator.close()
    korsze_id = made["net_ids"][KORSZE]
    for email, path, wanted in (
        (LEAD, f"/api/v1/report?network_id={korsze_id}", 404),  # another network: hidden
        (PARTNER, "/api/v1/report", 403),
        (PARTNER, "/api/v1/report/csv/quotes", 403),
    ):
        client = Client(server.url)
        await client.login(email)
        try:
            status, body = await client.get(path)
            assert status == wanted, (email, path, body)
        finally:
            await client.close()


async def test_anonymous_answers_never_named(server: Server) -> None:
    made = await _build(server)
    client = Client(server.url)
    await client.login(COORDINATOR)
    try:
        texts = []
        status, got = await client.get(
            f"/api/v1/report?from={TODAY - timedelta(days=30)}&to={TODAY}"
        )
        assert status == 200
        texts.append(str(got))
        for table in ("answers", "plans", "quotes"):
            _, text = await client.get(
                f"/api/v1/report/csv/{table}?from={TODAY - timedelta(days=30)}"
            )
            texts.append(text)
        for text in texts:
            assert "gA" not in text and "goscie.example.org" not in text
            assert PARTNER not in text and "Partner" not in text
        # A formula-looking or script text stays text.
        assert "<script>alert(1)</script>" in texts[0]
    finally:
        await client.close()
    assert made["guests"]["gA"]
