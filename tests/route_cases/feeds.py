"""Feed routes: my feed addresses, regenerating one, .ics import, and the feed files."""

from __future__ import annotations

from datetime import timedelta

from meetings_hub.actions import feeds
from meetings_hub.domain import Actor
from meetings_hub.storage import people
from meetings_hub.storage.timefmt import now_utc
from tests.route_cases import EVERYONE, MANAGERS, PEOPLE, BodyId, Case, Prepared, World


def _ics(world: World, prepared: Prepared) -> dict[str, str]:
    """A file with one session next week, new on every call (so each creates one)."""
    start = (now_utc() + timedelta(days=7)).strftime("%Y%m%dT%H%M%SZ")
    end = (now_utc() + timedelta(days=7, hours=1)).strftime("%Y%m%dT%H%M%SZ")
    uid = world.unique("walk").replace(" ", "-")
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//walk//PL", "BEGIN:VEVENT",
        f"UID:{uid}@example.org", "DTSTAMP:20250101T000000Z", f"DTSTART:{start}",
        f"DTEND:{end}", "SUMMARY:Spotkanie z pliku", "END:VEVENT", "END:VCALENDAR",
    ]  # fmt: skip
    return {"ics": "\r\n".join(lines) + "\r\n"}


async def _partner_feed(world: World, role: str) -> Prepared:
    """The partner's own feed address (calendar apps fetch it with no cookie)."""
    async with world.hub.db.read() as reader:
        person = await people.get(reader, world.ids["person_id"])
    links = await feeds.my_feeds(world.hub, Actor(person=person))
    url = next(link.url for link in links if link.scope is feeds.FeedScope.PERSON)
    return {"name": url.rsplit("/", 1)[1]}


CASES = [
    Case("GET", "/api/v1/feeds", allowed=PEOPLE),
    Case("POST", "/api/v1/feeds/regenerate", allowed=PEOPLE, body={"scope": "person"}),
    Case(
        "POST",
        "/api/v1/feeds/regenerate",
        allowed={"partner", "lead", "coordinator"},
        refused={"other_lead": 422},
        body=lambda w, p: {"scope": "network", "scope_id": w.ids["network_id"]},
        note="a network's feed is for its members; another network's is not one of yours (422)",
        body_ids=(BodyId("scope_id", ours="network_id", theirs="other_network_id"),),
    ),
    Case(
        "POST",
        "/api/v1/networks/{network_id}/ics-import/preview",
        allowed=MANAGERS,
        refused={"other_lead": 404},
        body=_ics,
        note="importing creates sessions: the network's lead or a coordinator; another "
        "network's lead does not see the network",
    ),
    Case(
        "POST",
        "/api/v1/networks/{network_id}/ics-import",
        allowed=MANAGERS,
        refused={"other_lead": 404},
        body=_ics,
        ok=201,
    ),
    Case(
        "GET",
        "/feeds/{name}",
        allowed=EVERYONE,
        prepare=_partner_feed,
        note="<token>.ics: the secret token is the key; revoked and unknown ones: tests/feeds",
    ),
]
