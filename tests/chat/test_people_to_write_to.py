"""The rooms page offers exactly the people the actions accept: a partner librarian can start
a direct conversation with the programme's coordinator, and sees no one of another network."""

from __future__ import annotations

import re

from tests.chat.support import person_id, signed_in
from tests.support import COORDINATOR, PARTNER, Server


async def test_partner_writes_to_the_coordinator(server: Server) -> None:
    partner, _ = await signed_in(server, PARTNER)
    try:
        status, html = await partner.get("/rooms")
        assert status == 200
        select = html.split('id="direct-person"', 1)[1].split("</select>", 1)[0]
        offered = {int(v) for v in re.findall(r'value="(\d+)"', select)}
        coordinator = await person_id(server, COORDINATOR)
        assert coordinator in offered
        assert await person_id(server, PARTNER) not in offered
        # Everyone offered is accepted by the action, and nobody else of the demo is.
        async with server.hub.db.read() as reader:
            everyone = {r["id"] for r in await reader.fetch_all("SELECT id FROM persons")}
        for pid in sorted(everyone - {await person_id(server, PARTNER)}):
            status, body = await partner.post("/api/v1/rooms/direct", {"person_id": pid})
            assert (status == 200) == (pid in offered), (pid, status, body)
    finally:
        await partner.close()
