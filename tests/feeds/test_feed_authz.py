"""Who may subscribe to which feed, and that a feed never shows more than its owner may see."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from meetings_hub.storage import people
from meetings_hub.storage import scheduling as store
from tests.feeds.helpers import WARSAW, add_meeting, fetch, network_named, person_id, uids
from tests.support import COORDINATOR, LEAD, PARTNER, Client


async def _feeds(client: Client) -> dict[tuple[str, int | None], dict]:
    status, body = await client.get("/api/v1/feeds")
    assert status == 200, body
    return {(feed["scope"], feed["scope_id"]): feed for feed in body}


def _soon(days: int) -> datetime:
    return datetime.now(WARSAW).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(
        days=days
    )


async def test_each_feed_shows_only_what_its_owner_may_see(server, client_factory) -> None:
    morawica = await network_named(server, "Morawic")
    korsze = await network_named(server, "Korsz")
    partner_id = await person_id(server, PARTNER)
    everyone = await add_meeting(server, morawica, title="Cała sieć", start=_soon(5))
    leads_only = await add_meeting(
        server, morawica, title="Tylko wiodąca", start=_soon(6), whole_network=False
    )
    other_network = await add_meeting(server, korsze, title="Inna sieć", start=_soon(7))
    named = await add_meeting(
        server, morawica, title="Zaproszony imiennie", start=_soon(8), whole_network=False
    )
    async with server.hub.db.write() as tx:
        await store.set_invitees(tx, named, {partner_id: "person"})
    domain = server.settings.site_domain

    def ids(ics: bytes) -> set[int]:
        return {int(uid.removeprefix("meeting-").removesuffix("@" + domain)) for uid in uids(ics)}

    partner = await client_factory(PARTNER)
    mine = await _feeds(partner)
    person_ics = (await fetch(mine[("person", None)]["url"]))[2]
    assert ids(person_ics) == {everyone, named}
    library_ics = (await fetch(next(f for k, f in mine.items() if k[0] == "library")["url"]))[2]
    assert ids(library_ics) == {everyone}
    network_ics = (await fetch(mine[("network", morawica.id)]["url"]))[2]
    assert ids(network_ics) == {everyone, named}, "a partner sees what she is invited to"

    lead = await client_factory(LEAD)
    network_ics = (await fetch((await _feeds(lead))[("network", morawica.id)]["url"]))[2]
    assert ids(network_ics) == {everyone, leads_only, named}

    coordinator = await client_factory(COORDINATOR)
    theirs = await _feeds(coordinator)
    assert ("programme", None) in theirs and ("library", None) not in theirs
    programme_ics = (await fetch(theirs[("programme", None)]["url"]))[2]
    assert ids(programme_ics) == {everyone, leads_only, other_network, named}
    assert ids((await fetch(theirs[("person", None)]["url"]))[2]) == set()


async def test_feeds_of_others_cannot_be_had(server, client_factory) -> None:
    korsze = await network_named(server, "Korsz")
    partner = await client_factory(PARTNER)
    mine = await _feeds(partner)
    assert ("programme", None) not in mine
    assert ("network", korsze.id) not in mine
    own_library = next(k[1] for k in mine if k[0] == "library")
    for body in (
        {"scope": "programme"},
        {"scope": "network", "scope_id": korsze.id},
        {"scope": "library", "scope_id": korsze.lead_library_id},
        {"scope": "library"},
        {"scope": "person", "scope_id": own_library},
    ):
        status, answer = await partner.post("/api/v1/feeds/regenerate", body)
        assert status == 422, (body, answer)
        assert answer["error"]["code"] == "validation_failed"
    status, answer = await partner.post("/api/v1/feeds/regenerate", {"scope": "everything"})
    assert status == 422
    assert (await _feeds(partner)) == mine, "nothing was revoked by the refused requests"

    anonymous = await client_factory()
    status, answer = await anonymous.get("/api/v1/feeds")
    assert status == 401 and answer["error"]["code"] == "unauthenticated"
    status, _ = await anonymous.post("/api/v1/feeds/regenerate", {"scope": "person"})
    assert status == 401


async def test_losing_access_closes_the_feeds(server, client_factory) -> None:
    morawica = await network_named(server, "Morawic")
    partner = await client_factory(PARTNER)
    mine = await _feeds(partner)
    network_url = mine[("network", morawica.id)]["url"]
    person_url = mine[("person", None)]["url"]
    assert (await fetch(network_url))[0] == 200

    # Her library leaves the network: the network feed closes, her own feed stays.
    partner_id = await person_id(server, PARTNER)
    async with server.hub.db.read() as reader:
        library_id = (await people.get(reader, partner_id)).library_id  # type: ignore[union-attr]
    async with server.hub.db.write() as tx:
        await tx.execute(
            "UPDATE network_members SET left_on = ? WHERE network_id = ? AND library_id = ?",
            (date.today().isoformat(), morawica.id, library_id),
        )
    assert (await fetch(network_url))[0] == 404
    assert (await fetch(person_url))[0] == 200

    # Her account is switched off: every feed of hers closes.
    async with server.hub.db.write() as tx:
        await tx.execute("UPDATE persons SET active = 0 WHERE id = ?", (partner_id,))
    assert (await fetch(person_url))[0] == 404
