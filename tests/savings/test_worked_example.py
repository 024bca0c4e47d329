"""The worked example of docs/savings.md on the demo networks, through a real server.

Expected distances come from this test's own haversine; expected złoty are written out by
hand from the default parameters (1.3 detour, 4 seats, 50 km/h, 1.15 zł/km, 35 zł/h, 150 g/km).
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import aiohttp

from meetings_hub.actions import savings
from meetings_hub.storage import people
from meetings_hub.storage.timefmt import now_utc
from tests.foundation.walk_support import call, dump, start_world
from tests.savings.support import held_session, lead_actor

MORAWICA = (50.7468, 20.6176)
CHECINY = (50.8002, 20.4623)
CHMIELNIK = (50.6144, 20.7521)
KORSZE = (54.171, 21.141)
RESZEL = (54.0504, 21.1459)


def great_circle(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Independent of meetings_hub.savings.geo: the spherical law of cosines, R = 6371 km."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    cos = math.sin(la1) * math.sin(la2) + math.cos(la1) * math.cos(la2) * math.cos(lo2 - lo1)
    return 6371.0 * math.acos(min(1.0, cos))


def tenth(x: float | Decimal) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def road(a: tuple[float, float], b: tuple[float, float]) -> Decimal:
    return tenth(tenth(great_circle(a, b)) * Decimal("1.3"))


async def _person(hub, email: str) -> int:  # type: ignore[no-untyped-def]
    async with hub.db.read() as reader:
        person = await people.get_by_email(reader, email)
    assert person is not None
    return person.id


async def test_worked_example_on_the_demo_networks(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    hub = server.hub
    try:
        coordinator = await lead_actor(hub, "koordynator@example.org")
        lead = await lead_actor(hub, "lead@example.org")
        partner = await _person(hub, "partner@example.org")  # Chęciny
        barbara = await _person(hub, "barbara.lis@checiny.example.org")  # Chęciny
        agnieszka = await _person(hub, "agnieszka.dudek@chmielnik.example.org")  # Chmielnik
        krystyna = await _person(hub, "krystyna.wojcik@pierzchnica.example.org")
        start = (now_utc() - timedelta(days=10)).replace(second=0, microsecond=0)
        meeting_id, _ = await held_session(
            hub,
            lead,
            world.ids["network_id"],
            [
                (partner, None, 0, 90),
                (barbara, None, -3, 40),  # a reconnect: two rows, one person
                (barbara, None, 42, 95),
                (agnieszka, None, 5, 90),
                (krystyna, None, 0, 10),  # 10 of 90 minutes: under min(45, 30)
                (world.ids["lead_person_id"], None, -10, 95),  # the host library
            ],
            start=start,
            minutes=90,
        )
        # Expected, by hand. Chęciny: 2 persons; km one way = great circle (12.4) × 1.3.
        km_checiny = road(CHECINY, MORAWICA)
        assert km_checiny == Decimal("16.1")
        # round trip 32.2 km; ⌈2/4⌉ = 1 car; 1 × 32.2 × 1.15 = 37.03 zł;
        # 2 × 32.2 / 50 = 1.288 → 1.29 h; 1.29 × 35 = 45.15 zł; total 82.18 zł;
        # CO2 1 × 32.2 × 150 g = 4.83 kg → 4.8 kg.
        km_chmielnik = road(CHMIELNIK, MORAWICA)
        assert km_chmielnik == Decimal("22.8")  # 17.5 × 1.3 = 22.75 → 22.8
        # round trip 45.6; 1 car; 45.6 × 1.15 = 52.44; 45.6 / 50 = 0.912 → 0.91 h;
        # 0.91 × 35 = 31.85; total 84.29 zł; CO2 45.6 × 0.15 = 6.84 → 6.8 kg.
        views = await savings.occurrence_savings(hub, coordinator, meeting_id, None)
        assert len(views) == 1 and len(views[0].versions) == 1
        record = views[0].versions[0]
        rows = {r.library_name.split(" w ")[-1]: r for r in record.rows}
        assert set(rows) == {"Chęcinach", "Chmielniku"}
        che, chm = rows["Chęcinach"], rows["Chmielniku"]
        assert (che.persons, che.km_one_way, che.cars) == (2, km_checiny, 1)
        assert (che.hours, che.money, che.co2_kg) == (
            Decimal("1.29"),
            Decimal("82.18"),
            Decimal("4.8"),
        )
        assert (chm.persons, chm.km_one_way, chm.cars) == (1, km_chmielnik, 1)
        assert (chm.hours, chm.money, chm.co2_kg) == (
            Decimal("0.91"),
            Decimal("84.29"),
            Decimal("6.8"),
        )
        assert record.totals.money == Decimal("166.47")
        assert record.totals.km_avoided == Decimal("77.8")
        steps = {s.library_name.split(" w ")[-1]: s for s in record.formula}
        assert steps["Chęcinach"].straight_km == Decimal("12.4")
        assert steps["Chęcinach"].travel_money == Decimal("37.03")
        assert steps["Chęcinach"].staff_money == Decimal("45.15")
        under = [a for a in record.attendees if not a.counted]
        assert [a.who for a in under] == [f"p:{krystyna}"]
        assert record.threshold_minutes == 30

        # Korsze: one librarian of Reszel for a 60-minute session.
        korsze_lead = await lead_actor(hub, "joanna.sadowska@korsze.example.org")
        reszel = await _person(hub, "elzbieta.gorska@reszel.example.org")
        other_id, _ = await held_session(
            hub, korsze_lead, world.ids["other_network_id"], [(reszel, None, 0, 60)], start=start
        )
        assert road(RESZEL, KORSZE) == Decimal("17.4")  # 13.4 × 1.3 = 17.42
        # 34.8 km; 34.8 × 1.15 = 40.02; 34.8/50 = 0.696 → 0.70 h × 35 = 24.50; 64.52 zł; 5.2 kg
        (korsze_view,) = await savings.occurrence_savings(hub, coordinator, other_id, None)
        (row,) = korsze_view.versions[0].rows
        assert (row.km_one_way, row.money, row.co2_kg) == (
            Decimal("17.4"),
            Decimal("64.52"),
            Decimal("5.2"),
        )
    finally:
        await server.runner.cleanup()


async def test_versions_scopes_exports_and_bad_values(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    hub = server.hub
    try:
        coordinator = await lead_actor(hub, "koordynator@example.org")
        lead = await lead_actor(hub, "lead@example.org")
        partner = await lead_actor(hub, "partner@example.org")
        meeting_id, start = await held_session(
            hub,
            lead,
            world.ids["network_id"],
            [
                (partner.person.id, None, 0, 60),  # type: ignore[union-attr]
                (await _person(hub, "agnieszka.dudek@chmielnik.example.org"), None, 0, 60),
            ],
        )
        (before,) = await savings.occurrence_savings(hub, coordinator, meeting_id, None)
        first = before.versions[0]

        # New defaults never change a frozen record.
        await savings.put_programme_parameters(
            hub,
            coordinator,
            savings.ProgrammeParametersInput(
                valid_from=start.date() - timedelta(days=30),
                values=savings.ParameterPatch(rate_per_km=Decimal("0.89")),
            ),
        )
        (same,) = await savings.occurrence_savings(hub, coordinator, meeting_id, None)
        assert same.versions == before.versions

        # Recompute: a new version with today's parameters; the old one stays.
        original = before.original_start
        view = await savings.recompute(
            hub, coordinator, meeting_id, savings.RecomputeInput(original)
        )
        assert [v.version for v in view.versions] == [2, 1]
        assert view.versions[1] == first
        assert view.versions[0].parameters.rate_per_km == Decimal("0.89")
        assert view.versions[0].parameter_set_version == 2
        assert view.versions[0].totals.money < first.totals.money

        # A lead's correction: 5 people in front of one screen in Chęciny; a third version.
        checiny = world.ids["library_id"]
        view = await savings.correct_attendance(
            hub,
            lead,
            meeting_id,
            savings.CorrectionInput(original, {checiny: 5}, "Pięć osób przy jednym ekranie."),
        )
        assert [v.version for v in view.versions] == [3, 2, 1]
        (row,) = [r for r in view.versions[0].rows if r.library_id == checiny]
        assert (row.persons, row.cars, row.corrected) == (5, 2, True)
        corrections = await savings.list_corrections(hub, lead, meeting_id)
        assert corrections[-1].note.startswith("Pięć") and corrections[-1].created_by_name

        # Scopes: the partner reads her library's rows only; the Korsze lead sees nothing of it.
        log = await savings.savings_log(hub, partner, savings.SavingsFilters())
        assert log.scope == "library" and log.rows
        assert {r.library_id for r in log.rows} == {checiny}
        other_lead = await lead_actor(hub, "joanna.sadowska@korsze.example.org")
        other_log = await savings.savings_log(hub, other_lead, savings.SavingsFilters())
        assert other_log.scope == "network"
        assert all(r.network_id == world.ids["other_network_id"] for r in other_log.rows)
        assert await savings.savings_totals_line(hub, partner) is None

        # The CSV (both variants) parses and sums to the totals of the log.
        whole = await savings.savings_log(hub, coordinator, savings.SavingsFilters(limit=1000))
        for delimiter in (",", ";"):
            data = await savings.savings_csv(
                hub, coordinator, savings.SavingsFilters(), delimiter=delimiter
            )
            assert data.startswith("\ufeff".encode())
            rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))
            assert len(rows) == whole.row_count

            def num(text: str) -> Decimal:
                return Decimal(text.replace(",", ".")) if text else Decimal(0)

            money = sum(
                (
                    num(r["money_pln"])
                    for r in rows
                    if r["counted"] == "1" and r["kind"] != "in_person"
                ),
                Decimal(0),
            )
            assert money == whole.totals.money
            assert {r["record_version"] for r in rows if r["meeting_id"] == str(meeting_id)} == {
                "3"
            }

        # Bad values: 422 naming the field, and nothing stored changes.
        db_path = server.settings.sqlite_path
        snapshot = dump(db_path)
        async with aiohttp.ClientSession() as http:
            for path, body, field in [
                (
                    "/api/v1/savings/parameters",
                    {"valid_from": "2026-01-01", "values": {"rate_per_km": -1}},
                    "rate_per_km",
                ),
                (
                    "/api/v1/savings/parameters",
                    {"valid_from": "2026-01-01", "values": {"avg_speed_kmh": 9000}},
                    "avg_speed_kmh",
                ),
                (
                    f"/api/v1/libraries/{checiny}/distances/{world.ids['lead_library_id']}",
                    {"km": 1000.5},
                    "km",
                ),
                (
                    f"/api/v1/networks/{world.ids['network_id']}/savings-parameters",
                    {"valid_from": "2026-01-01", "values": {"co2_g_per_km": 100}},
                    "co2_g_per_km",
                ),
            ]:
                method = "PUT" if "/distances/" in path else "POST"
                answer = await call(http, server, world, "coordinator", method, path, body=body)
                assert answer.status == 422, (path, answer.text)
                assert field in answer.body["error"]["details"], answer.body
        after = dump(db_path)
        changed = [t for t in snapshot if snapshot[t] != after.get(t) and t != "auth_sessions"]
        assert not changed, changed
        record = await savings.occurrence_record_json(hub, coordinator, meeting_id, None)
        assert record.versions[0].inputs is not None
        assert json.dumps(record.versions[0].inputs["params"])
    finally:
        await server.runner.cleanup()
