"""Savings log routes (issue 11): the log, totals, exports, parameters, distances, corrections.

A coordinator sees the programme, a lead her network (and edits it), a partner librarian reads
her library's rows; guests and anonymous callers see nothing. The Korsze lead gets 404 for
Morawica's meetings, network and libraries.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from meetings_hub.actions import savings
from meetings_hub.domain import Actor
from meetings_hub.storage import people
from meetings_hub.storage import savings as store
from tests.route_cases import PEOPLE, Case, World
from tests.savings.support import held_session

V1 = "/api/v1"
MORAWICA = {"partner", "lead", "coordinator"}
HIDDEN = {"other_lead": 404}


async def setup_world(world: World) -> None:
    hub = world.hub
    async with hub.db.read() as reader:
        lead = await people.get(reader, world.ids["lead_person_id"])
        coordinator = await people.get(reader, world.ids["coordinator_person_id"])
    assert lead is not None and coordinator is not None
    meeting_id, start = await held_session(
        hub,
        Actor(person=lead),
        world.ids["network_id"],
        [
            (world.ids["person_id"], None, -5, 65),
            (world.ids["colleague_person_id"], None, 0, 60),
            (world.ids["lead_person_id"], None, -10, 70),
        ],
        title="Spotkanie z oszczędnościami",
    )
    world.ids["held_meeting_id"] = meeting_id
    world.values["held_start"] = start.isoformat()
    # Bounds within which a lead may override the programme's parameters.
    await savings.put_programme_parameters(
        hub,
        Actor(person=coordinator),
        savings.ProgrammeParametersInput(
            valid_from=date(2020, 1, 1),
            values=savings.ParameterPatch(),
            bounds={
                "rate_per_km": savings.Bound(low=Decimal("0.5"), high=Decimal(2)),
                "staff_hour_cost": savings.Bound(low=Decimal(10), high=Decimal(100)),
            },
            note="bounds for the walk",
        ),
    )


async def _distance(world: World, role: str) -> dict[str, Any]:
    """A road distance override to delete."""
    async with world.hub.db.write() as tx:
        await store.put_distance(
            tx, world.ids["library_id"], world.ids["lead_library_id"], "21.5", "", None
        )
    return {}


HELD = {"meeting_id": "held_meeting_id"}
PAIR = {"other_library_id": "lead_library_id"}

CASES = [
    Case("GET", V1 + "/savings", allowed=PEOPLE),
    Case("GET", V1 + "/savings/export.csv", allowed=PEOPLE),
    Case("GET", V1 + "/savings/totals", allowed=PEOPLE, note="null for a partner"),
    Case("GET", V1 + "/savings/parameters", allowed=PEOPLE),
    Case(
        "POST",
        V1 + "/savings/parameters",
        allowed={"coordinator"},
        body={
            "valid_from": "2021-01-01",
            "values": {"rate_per_km": 1.15, "min_minutes": 30},
            "bounds": {"rate_per_km": {"low": 0.5, "high": 2.0}},
            "note": "walk",
        },
    ),
    Case(
        "POST",
        V1 + "/networks/{network_id}/savings-parameters",
        allowed={"lead", "coordinator"},
        refused=HIDDEN,
        body={"valid_from": "2021-01-01", "values": {"rate_per_km": 0.89}, "note": "walk"},
    ),
    Case("GET", V1 + "/meetings/{meeting_id}/savings", allowed=MORAWICA, refused=HIDDEN, ids=HELD),
    Case(
        "GET",
        V1 + "/meetings/{meeting_id}/savings/record",
        allowed=MORAWICA,
        refused=HIDDEN,
        ids=HELD,
        note="a partner reads her library's rows",
    ),
    Case(
        "GET",
        V1 + "/meetings/{meeting_id}/savings/corrections",
        allowed={"lead", "coordinator"},
        refused=HIDDEN,
        ids=HELD,
    ),
    Case(
        "POST",
        V1 + "/meetings/{meeting_id}/savings/corrections",
        allowed={"lead", "coordinator"},
        refused=HIDDEN,
        ids=HELD,
        ok=201,
        body=lambda w, p: {
            "original_start": w.values["held_start"],
            "persons": {str(w.ids["library_id"]): 3},
            "note": "Trzy osoby przy jednym ekranie.",
        },
    ),
    Case(
        "POST",
        V1 + "/meetings/{meeting_id}/savings/recompute",
        allowed={"coordinator"},
        ids=HELD,
        ok=201,
        body=lambda w, p: {"original_start": w.values["held_start"]},
    ),
    Case("GET", V1 + "/libraries/{library_id}/distances", allowed=MORAWICA, refused=HIDDEN),
    Case(
        "PUT",
        V1 + "/libraries/{library_id}/distances/{other_library_id}",
        allowed={"lead", "coordinator"},
        refused=HIDDEN,
        ids=PAIR,
        body={"km": 21.5, "note": "droga wojewódzka 762"},
    ),
    Case(
        "DELETE",
        V1 + "/libraries/{library_id}/distances/{other_library_id}",
        allowed={"lead", "coordinator"},
        refused=HIDDEN,
        ids=PAIR,
        prepare=_distance,
    ),
]
