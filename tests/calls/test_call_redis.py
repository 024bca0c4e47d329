"""A call across two server processes joined by Redis: who is in the call, signals, and a
second tab on the other process all work as on one process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.calls.test_call_signalling import OFFER, caller, got
from tests.chat.redis_support import lead_and_partner_in_a_room, stop_all, two_processes
from tests.chat.support import session_token, wait_for

pytestmark = pytest.mark.redis


async def test_a_call_spans_both_processes(tmp_path: Path) -> None:
    procs, first, second = await two_processes(tmp_path)
    clients = []
    try:
        lead_http, partner_http, room = await lead_and_partner_in_a_room(first, second)
        room_id = room["id"]
        lead, partner = caller("lead on first"), caller("partner on second")
        clients += [lead, partner]
        await lead.connect(first, session_token(lead_http))  # type: ignore[arg-type]
        await partner.connect(second, session_token(partner_http))  # type: ignore[arg-type]
        for c in (lead, partner):
            await c.join(room_id)
        mine = await lead.call("call_join", {"room_id": room_id})
        assert mine["ok"]
        await wait_for(lambda: got(partner, "call_joined"))
        lead_who = got(partner, "call_joined")[0]["who"]
        # The second process learned of the lead's call from the broadcast.
        ack = await partner.call("call_join", {"room_id": room_id})
        assert [p["who"] for p in ack["peers"]] == [lead_who]
        await wait_for(lambda: got(lead, "call_joined", leg=ack["leg"]))
        partner_who = got(lead, "call_joined", leg=ack["leg"])[0]["who"]
        signal = {"room_id": room_id, "to": lead_who, "description": OFFER}
        assert (await partner.call("call_signal", signal))["ok"]
        await wait_for(lambda: got(lead, "call_signal", to_leg=mine["leg"]))
        # The lead joins again from a tab on the second process: the first tab's call ends.
        tab = caller("lead on second")
        clients.append(tab)
        await tab.connect(second, session_token(lead_http))  # type: ignore[arg-type]
        await tab.join(room_id)
        assert (await tab.call("call_join", {"room_id": room_id}))["ok"]
        await wait_for(lambda: got(lead, "call_ended", reason="elsewhere"))
        # The partner closes the page: both processes forget her.
        await partner.close()
        await wait_for(lambda: got(lead, "call_left", who=partner_who))
        members = (await lead.call("call_who", {"room_id": room_id}))["members"]
        assert [m["who"] for m in members] == [lead_who]
        await lead_http.close()
        await partner_http.close()
    finally:
        for c in clients:
            await c.close()
        await stop_all(procs)
