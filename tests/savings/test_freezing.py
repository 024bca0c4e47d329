"""Freezing beyond the worked example: series dates, guests with no place, network overrides,
in-person events and the demo history (all through the real freezing code)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from meetings_hub.actions import demo_savings, demo_sessions, savings, savings_freeze
from meetings_hub.actions import rooms as room_actions
from meetings_hub.actions.scheduling import RecurrenceInput, ScheduleInput, schedule
from meetings_hub.domain import GuestCategory
from meetings_hub.storage import guests, people
from meetings_hub.storage import savings as store
from meetings_hub.storage import scheduling as meetings_store
from meetings_hub.storage.timefmt import now_utc
from tests.chat.support import network_id_of, person_id
from tests.savings.support import held_session, lead_actor
from tests.support import LEAD, PARTNER, Server

WARSAW = ZoneInfo("Europe/Warsaw")


def _weekday(moment: datetime) -> str:
    return ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[moment.astimezone(WARSAW).weekday()]


async def test_each_date_of_a_series_is_its_own_entry(server: Server) -> None:
    hub = server.hub
    lead = await lead_actor(hub, LEAD)
    partner = await person_id(server, PARTNER)
    start = (now_utc() - timedelta(days=21)).replace(second=0, microsecond=0)
    meeting_id = await schedule(
        hub,
        lead,
        ScheduleInput(
            title="Seria",
            start=start,
            duration_minutes=60,
            network_id=await network_id_of(server, "Morawicy"),
            recurrence=RecurrenceInput(
                freq="WEEKLY",
                weekdays=[
                    ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][
                        start.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Warsaw")).weekday()
                    ]
                ],
                count=3,
            ),
        ),
    )
    room_id = await room_actions.room_for_meeting(hub, lead, meeting_id)
    async with hub.db.read() as reader:
        meeting = await meetings_store.get(reader, meeting_id)
    assert meeting is not None
    dates = meeting.occurrences()
    assert len(dates) == 3
    async with hub.db.write() as tx:
        for occ in dates[:2]:  # the third date nobody attended
            await store.insert_attendance(
                tx,
                room_id,
                meeting_id,
                person_id=partner,
                guest_id=None,
                joined=occ.start,
                left=occ.end,
            )
    assert await savings_freeze.freeze_due(hub, now_utc() - timedelta(days=30)) == 2
    assert await savings_freeze.freeze_due(hub, now_utc() - timedelta(days=30)) == 0
    coordinator = await lead_actor(hub, "koordynator@example.org")
    views = await savings.occurrence_savings(hub, coordinator, meeting_id, None)
    assert [v.original_start for v in views] == [dates[1].original_start, dates[0].original_start]
    assert all(v.versions[0].rows[0].persons == 1 for v in views)


async def test_a_guest_with_no_place_is_listed_not_dropped(server: Server) -> None:
    hub = server.hub
    coordinator = await lead_actor(hub, "koordynator@example.org")
    network_id = await network_id_of(server, "Morawicy")
    meeting_id, _ = await held_session(hub, coordinator, network_id, [], freeze=False)
    async with hub.db.write() as tx:
        invitation = await guests.insert_invitation(
            tx,
            meeting_id=meeting_id,
            email="",
            name="Ekspert",
            category="expert",
            created_by=coordinator.person.id,  # type: ignore[union-attr]
            expires_at=now_utc() + timedelta(days=1),
        )
        guest_id = await guests.insert_guest(
            tx,
            invitation_id=invitation,
            meeting_id=meeting_id,
            name="Ewa Ekspert",
            category=GuestCategory.EXPERT,
        )
        room = await tx.fetch_one("SELECT id FROM rooms WHERE meeting_id = ?", (meeting_id,))
        meeting = await meetings_store.get(tx, meeting_id)
        assert meeting is not None and room is not None
        occ = meeting.occurrences()[0]
        await store.insert_attendance(
            tx,
            room["id"],
            meeting_id,
            person_id=None,
            guest_id=guest_id,
            joined=occ.start,
            left=occ.end,
        )
    assert await savings_freeze.freeze_one(hub, meeting, occ)
    (view,) = await savings.occurrence_savings(hub, coordinator, meeting_id, None)
    (row,) = view.versions[0].rows
    assert (row.library_id, row.library_name, row.reason, row.counted) == (
        None,
        "Ewa Ekspert",
        "no_place",
        False,
    )
    assert row.money == 0


async def test_network_overrides_apply_within_bounds(server: Server) -> None:
    hub = server.hub
    coordinator = await lead_actor(hub, "koordynator@example.org")
    lead = await lead_actor(hub, LEAD)
    morawica = await network_id_of(server, "Morawicy")
    await savings.put_programme_parameters(
        hub,
        coordinator,
        savings.ProgrammeParametersInput(
            valid_from=date(2020, 1, 1),
            values=savings.ParameterPatch(),
            bounds={"rate_per_km": savings.Bound(Decimal("0.5"), Decimal("1.15"))},
        ),
    )
    await savings.put_network_parameters(
        hub,
        lead,
        morawica,
        savings.NetworkParametersInput(
            valid_from=date(2020, 1, 1), values=savings.ParameterPatch(rate_per_km=Decimal("0.89"))
        ),
    )
    partner = await person_id(server, PARTNER)
    meeting_id, _ = await held_session(hub, lead, morawica, [(partner, None, 0, 60)])
    (view,) = await savings.occurrence_savings(hub, coordinator, meeting_id, None)
    record = view.versions[0]
    assert record.parameters.rate_per_km == Decimal("0.89")
    assert (record.parameter_set_version, record.network_parameter_version) == (1, 1)
    korsze_lead = await lead_actor(hub, "joanna.sadowska@korsze.example.org")
    async with hub.db.read() as reader:
        reszel = await people.get_by_email(reader, "elzbieta.gorska@reszel.example.org")
    assert reszel is not None
    other_id, _ = await held_session(
        hub, korsze_lead, await network_id_of(server, "Korsz"), [(reszel.id, None, 0, 60)]
    )
    (other,) = await savings.occurrence_savings(hub, coordinator, other_id, None)
    assert other.versions[0].parameters.rate_per_km == Decimal("1.15")


async def test_demo_history_fills_every_network(server: Server) -> None:
    hub = server.hub
    await demo_sessions.load_sessions(hub)
    frozen = await demo_savings.load(hub)
    assert frozen > 0
    coordinator = await lead_actor(hub, "koordynator@example.org")
    log = await savings.savings_log(hub, coordinator, savings.SavingsFilters(limit=1000))
    assert {r.network_id for r in log.rows} == {n[0] for n in log.networks}
    assert log.totals.sessions >= 4 * 7 and log.totals.money > 0 and len(log.monthly) >= 5
    in_person = [r for r in log.rows if r.kind == "in_person"]
    assert in_person and all(r.reason == "in_person" and r.real_cars > 0 for r in in_person)
    assert any(r.carpool_money > 0 for r in in_person)
    # Someone who left after ten minutes is listed, not counted.
    online = {r.meeting_id for r in log.rows if r.kind == "online"}
    attendees = [
        a
        for meeting_id in online
        for view in await savings.occurrence_savings(hub, coordinator, meeting_id, None)
        for a in view.versions[0].attendees
    ]
    assert any(not a.counted for a in attendees) and any(a.counted for a in attendees)
    assert log.totals.money == sum(
        (r.money for r in log.rows if r.counted and r.kind != "in_person"), Decimal(0)
    )
