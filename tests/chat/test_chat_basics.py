"""Messages over /chat: ack after commit with seq, broadcast, no doubles, errors in the ack."""

from __future__ import annotations

from meetings_hub.storage.chat import fold
from tests.chat.support import ChatClient, network_id_of, signed_in, wait_for
from tests.support import LEAD, PARTNER, Server


async def _network_room(server: Server, email: str) -> tuple[int, str]:
    client, token = await signed_in(server, email)
    network_id = await network_id_of(server, "Morawicy")
    status, body = await client.post(f"/api/v1/networks/{network_id}/room")
    await client.close()
    assert status == 200, body
    return body["id"], token


async def test_send_ack_and_broadcast(server: Server) -> None:
    room_id, lead_token = await _network_room(server, LEAD)
    _, partner_token = await signed_in(server, PARTNER)
    lead, partner = ChatClient("lead"), ChatClient("partner")
    await lead.connect(server, lead_token)
    await partner.connect(server, partner_token, cookie=True)
    try:
        await lead.join(room_id)
        await partner.join(room_id)
        ack = await lead.send(room_id, "Dzień dobry, żółw!")
        assert ack["ok"] and ack["seq"] == 1 and ack["id"] and ack["time"]
        await wait_for(lambda: partner.seqs(room_id) == [1])
        got = partner.messages[room_id][0]
        assert got["text"] == "Dzień dobry, żółw!" and got["author"].startswith("p:")
        assert lead.seqs(room_id) == []  # the sender has it from the ack
        # A resend of the same client_msg_id is never doubled.
        again = await lead.send(room_id, "Dzień dobry, żółw!", cmid="same")
        dup = await lead.send(room_id, "Dzień dobry, żółw!", cmid="same")
        assert dup["duplicate"] and dup["seq"] == again["seq"] == 2
        await wait_for(lambda: partner.seqs(room_id) == [1, 2])
    finally:
        await lead.close()
        await partner.close()


async def test_errors_come_back_in_the_ack(server: Server) -> None:
    room_id, token = await _network_room(server, LEAD)
    c = ChatClient()
    await c.connect(server, token)
    try:
        ack = await c.call("send", {"room_id": room_id, "client_msg_id": "x", "text": "hi"})
        assert ack["error"]["code"] == "not_joined"
        ack = await c.call("join", {"room_id": 999999, "last_seq": 0})
        assert ack == {"ok": False, "error": {"code": "not_found", "message": "Room not found."}}
        await c.join(room_id)
        cases = [
            ({"room_id": room_id, "client_msg_id": "a", "text": "x" * 4001}, "too_long"),
            ({"room_id": room_id, "client_msg_id": "a", "text": 5}, "bad_request"),
            ({"room_id": "7", "client_msg_id": "a", "text": "x"}, "bad_request"),
            ({"room_id": room_id, "client_msg_id": 1, "text": "x"}, "bad_request"),
            ({"room_id": room_id, "client_msg_id": "a", "text": "   "}, "empty"),
            # File cards come only from the server, after the upload committed.
            (
                {
                    "room_id": room_id,
                    "client_msg_id": "a",
                    "kind": "file",
                    "text": "plan.pdf",
                    "body": {"file_id": 1},
                },
                "bad_request",
            ),
        ]
        for payload, code in cases:
            ack = await c.call("send", payload)
            assert ack["ok"] is False and ack["error"]["code"] == code, (payload, ack)
        assert (await c.call("nonsense", {}))["error"]["code"] == "unknown_event"
        assert (await c.call("send", "text"))["error"]["code"] == "bad_request"
        assert (await c.send(room_id, "x" * 4000))["ok"]
    finally:
        await c.close()


def test_fold_handles_polish() -> None:
    assert fold("Żółw ŁÓDŹ gęś") == "zolw lodz ges"
