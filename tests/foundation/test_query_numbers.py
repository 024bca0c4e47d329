"""Numbers in query strings: only ASCII digits within SQLite's integers count (issue 10, a
sibling of item 6's 2**70). ``"²".isdigit()`` is true and ``int("²")`` raises, ``int("٣")`` is 3,
and a number past 2**63 fails in the driver: each was a 500 or a second spelling of an id."""

from __future__ import annotations

from urllib.parse import quote

from meetings_hub.actions.validate import parse_int
from tests.files.support import morawica_room
from tests.support import LEAD, Client, Server

ODD = ["²", "٣", "３", "99999999999999999999", "-1", " 7", "1_000", "7\n"]


def test_parse_int() -> None:
    assert [parse_int(v) for v in ("0", "7", str(2**63 - 1))] == [0, 7, 2**63 - 1]
    assert [parse_int(v) for v in [*ODD, str(2**63), "", None]] == [None] * (len(ODD) + 3)


async def test_odd_numbers_in_queries_are_refused_or_ignored(server: Server) -> None:
    lead = Client(server.url)
    await lead.login(LEAD)
    room_id = await morawica_room(server)
    try:
        for odd in ODD:
            value = quote(odd)
            refused = [
                f"/api/v1/rooms/{room_id}/files?limit={value}",
                f"/api/v1/rooms/{room_id}/files?before_id={value}",
                f"/api/v1/occurrences?network_id={value}",
                f"/api/v1/meetings/defaults?network_id={value}",
            ]
            for path in refused:
                status, body = await lead.get(path)
                assert status == 400, (path, status, body)
                assert body["error"]["code"] == "bad_request"
            # Pages leave an unusable value out, as they do any other.
            for path in (f"/calendar?show=network:{value}", f"/meetings/new?network_id={value}"):
                status, _ = await lead.get(path)
                assert status == 200, (path, status)
    finally:
        await lead.close()
