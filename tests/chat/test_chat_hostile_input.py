"""Hostile input from one socket never fails another's messages (issue 10, item 7).

Every string field of every client-to-server event of /chat gets control characters and lone
surrogates (valid JSON, so python-socketio hands them over) while a bystander in another
network's room sends a stream of messages, all of which must be acknowledged and stored. And the
group commit batch, shared by every room of the process, stores the rest of a batch when one item
fails in the database.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest

from meetings_hub.actions.chat import GroupCommitter, ServerFailure, raise_refusal
from meetings_hub.actions.rooms import parse_who
from meetings_hub.domain import Window
from meetings_hub.errors import BadRequest
from meetings_hub.keys import chat_committer_key
from meetings_hub.realtime.server import chat_key
from meetings_hub.storage import chat
from meetings_hub.storage.chat import NewMessage
from meetings_hub.storage.timefmt import now_utc
from tests.chat.support import ChatClient, network_id_of, person_id, signed_in
from tests.support import LEAD, Server

KORSZE_LEAD = "joanna.sadowska@korsze.example.org"
HOSTILE = {
    "lone high surrogate": "a\ud800b",
    "lone low surrogate": "\udfff",
    "NUL": "a\x00b",
    "escape": "\x1b[31m",
    "C1 control": "a\x85b",
    "noncharacter": "a\uffffb",
}
# Refused in single-line fields only; the message text may hold them.
SINGLE_LINE_ONLY = {"line feed": "a\nb", "right-to-left override": "a\u202eb"}
MULTI_LINE = {("send", "text"), ("edit", "text")}
# Free text, which only the text rule refuses (the rest are ids, flags and fixed values).
FREE_TEXT = MULTI_LINE | {("send", "client_msg_id"), ("presence", "description")}


def valid_payloads(room_id: int, message_id: int) -> dict[str, dict[str, Any]]:
    """A valid payload of every event the client may send (end_session is refused in a network
    room, so trying it ends nothing; the catalogue is checked against the namespace)."""
    return {
        "hello": {},
        "watch": {},
        "join": {"room_id": room_id, "last_seq": 0, "last_change": 0},
        "leave": {"room_id": room_id},
        "send": {
            "room_id": room_id,
            "client_msg_id": "cmid",
            "kind": "text",
            "text": "Dzień dobry",
            "mentions": [1],
        },
        "edit": {"room_id": room_id, "id": message_id, "text": "Poprawione"},
        "delete": {"room_id": room_id, "id": 987654},
        "read": {"room_id": room_id, "seq": 1},
        "typing": {"room_id": room_id, "typing": True},
        "presence": {"status": "busy", "description": "Na zebraniu"},
        "remove": {"room_id": room_id, "who": "p:987654"},
        "lock": {"room_id": room_id, "locked": False},
        "end_session": {"room_id": room_id},
        # Calls (realtime/call.py); nobody else is in the call, so signals go nowhere.
        "call_who": {"room_id": room_id},
        "call_counts": {},
        "call_join": {"room_id": room_id, "muted": False},
        "call_state": {"room_id": room_id, "muted": True},
        "call_signal": {
            "room_id": room_id,
            "to": "p:987654",
            "description": {"type": "offer", "sdp": "v=0"},
        },
        "call_leave": {"room_id": room_id},
        "call_sfu_publish": {"room_id": room_id, "jsep": {"type": "offer", "sdp": "v=0"}},
        "call_sfu_answer": {"room_id": room_id, "sub": 1, "jsep": {"type": "answer", "sdp": ""}},
    }


async def _network_room(server: Server, email: str, name_part: str) -> tuple[int, str]:
    client, token = await signed_in(server, email)
    network_id = await network_id_of(server, name_part)
    status, body = await client.post(f"/api/v1/networks/{network_id}/room")
    await client.close()
    assert status == 200, body
    return int(body["id"]), token


async def test_hostile_strings_in_every_socket_event_fail_no_one_else(server: Server) -> None:
    room_id, token = await _network_room(server, LEAD, "Morawicy")
    other_room, other_token = await _network_room(server, KORSZE_LEAD, "Korsz")
    attacker, bystander = ChatClient("attacker"), ChatClient("bystander")
    await attacker.connect(server, token)
    await bystander.connect(server, other_token)
    problems: list[str] = []
    acks: list[Any] = []
    try:
        await attacker.join(room_id)
        await bystander.join(other_room)
        own = await attacker.send(room_id, "do poprawienia")
        assert own["ok"], own
        payloads = valid_payloads(room_id, own["id"])
        assert set(payloads) == set(server.app[chat_key].handlers), "an event has no payload here"
        attacking = True

        async def bystand() -> None:
            # 300 messages, as in the report, and for as long as the attack lasts.
            while attacking or len(acks) < 300:
                batch = [bystander.send(other_room, f"wiadomość {len(acks) + i}") for i in range(8)]
                acks.extend(await asyncio.gather(*batch))
                await asyncio.sleep(0.1)  # under chat_max_events_per_10s, however long it runs

        stream = asyncio.create_task(bystand())
        tried = 0
        for event, valid in payloads.items():
            for field in [*valid, "extra"]:
                values = dict(HOSTILE)
                if (event, field) not in MULTI_LINE:
                    values |= SINGLE_LINE_ONLY
                for label, value in values.items():
                    original = valid.get(field)
                    bad = [value] if isinstance(original, list) else value
                    payload = {**valid, field: bad}
                    if event == "send":
                        payload["client_msg_id"] = (
                            bad if field == "client_msg_id" else uuid.uuid4().hex
                        )
                    ack = await attacker.call(event, payload)
                    tried += 1
                    where = f"{event}.{field} with {label}"
                    if not isinstance(ack, dict) or "ok" not in ack:
                        problems.append(f"{where}: no ack shape: {ack!r}")
                    elif not ack["ok"] and ack["error"]["code"] == "internal":
                        problems.append(f"{where}: internal error {ack}")
                    elif ack["ok"] and isinstance(original, str):
                        problems.append(f"{where}: accepted a hostile string: {ack}")
                    elif (event, field) in FREE_TEXT and ack["error"]["code"] != "invalid_text":
                        # Refused, but not by the text rule: it never reached the check.
                        problems.append(f"{where}: not refused as text: {ack}")
                    if event == "leave" and isinstance(ack, dict) and ack.get("ok"):
                        await attacker.join(room_id)  # the events after it need the room
        attacking = False
        await stream
    finally:
        await attacker.close()
        await bystander.close()
    assert tried >= 250
    assert not problems, "\n".join(problems)
    failed = [a for a in acks if not a.get("ok")]
    assert len(acks) >= 300 and not failed, failed[:5]
    stored = await server.hub.db.fetch_one(
        "SELECT COUNT(*) AS n FROM messages WHERE room_id = ?", (other_room,)
    )
    assert stored is not None and stored["n"] == len(acks)
    # Nothing hostile was stored anywhere.
    rows = await server.hub.db.fetch_all("SELECT text FROM messages")
    assert not [r["text"] for r in rows if any(v in r["text"] for v in HOSTILE.values())]
    presence = await server.hub.db.fetch_all("SELECT description FROM chat_presence")
    assert all(r["description"] in ("", "Na zebraniu") for r in presence)


def _item(room_id: int, author_id: int, text: str) -> NewMessage:
    return NewMessage(
        room_id=room_id,
        client_msg_id=uuid.uuid4().hex,
        author=f"p:{author_id}",
        author_name="Anna Kowalczyk",
        person_id=author_id,
        guest_id=None,
        session_id=None,
        kind="text",
        text=text,
        body=None,
    )


async def _poison(server: Server) -> None:
    """A real database failure for one message: a trigger refuses the text "poison"."""
    async with server.hub.db.write() as tx:
        await tx.execute(
            "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.text = 'poison'"
            " BEGIN SELECT RAISE(ABORT, 'poisoned for the test'); END"
        )


async def test_a_batch_stores_the_rest_when_one_item_fails(server: Server) -> None:
    room_a, _ = await _network_room(server, LEAD, "Morawicy")
    room_b, _ = await _network_room(server, KORSZE_LEAD, "Korsz")
    lead, korsze = await person_id(server, LEAD), await person_id(server, KORSZE_LEAD)
    await _poison(server)
    items = [
        _item(room_a, lead, "pierwsza"),
        _item(room_b, korsze, "z innej sieci"),
        _item(room_a, lead, "poison"),
        _item(room_a, lead, "druga"),
        _item(room_b, korsze, "poison"),
    ]
    window = Window(timedelta(minutes=15), timedelta(minutes=60))
    results = await server.hub.db.write_in_thread(
        lambda conn: chat.commit_batch(conn, items, now_utc(), window)
    )
    assert [r.error for r in results] == [None, None, "internal", None, "internal"]
    assert [r.message["seq"] for r in results if r.message] == [1, 1, 2]
    rows = await server.hub.db.fetch_all(
        "SELECT room_id, seq, text FROM messages ORDER BY room_id, seq"
    )
    assert [tuple(r) for r in rows] == [
        (room_a, 1, "pierwsza"),
        (room_a, 2, "druga"),
        (room_b, 1, "z innej sieci"),
    ]
    room = await server.hub.db.fetch_one("SELECT last_seq FROM rooms WHERE id = ?", (room_a,))
    assert room is not None and room["last_seq"] == 2


async def test_the_committer_answers_only_the_poisoned_sender(server: Server) -> None:
    room_a, _ = await _network_room(server, LEAD, "Morawicy")
    room_b, _ = await _network_room(server, KORSZE_LEAD, "Korsz")
    lead, korsze = await person_id(server, LEAD), await person_id(server, KORSZE_LEAD)
    await _poison(server)
    committer: GroupCommitter = server.app[chat_committer_key]
    texts = [(room_a, lead, f"a{i}") for i in range(20)] + [
        (room_b, korsze, f"b{i}") for i in range(20)
    ]
    texts.insert(17, (room_a, lead, "poison"))
    outcomes = await asyncio.gather(
        *(committer.submit(_item(r, p, t)) for r, p, t in texts), return_exceptions=True
    )
    for (_, _, text), outcome in zip(texts, outcomes, strict=True):
        if text == "poison":
            assert outcome.error == "internal"  # type: ignore[union-attr]
        else:
            assert not isinstance(outcome, BaseException) and outcome.message is not None, outcome
    try:
        raise_refusal(outcomes[17])  # type: ignore[arg-type]
    except ServerFailure as failure:
        assert failure.status == 500 and failure.code == "internal"
    else:
        raise AssertionError("the poisoned item must be answered with an error")
    count = await server.hub.db.fetch_one("SELECT COUNT(*) AS n FROM messages")
    assert count is not None and count["n"] == 40


def test_a_who_key_takes_ascii_digits_only() -> None:
    """int() reads other scripts' digits ("p:٣" is person 3), which would name a person by a
    second key, one her sockets do not listen on."""
    assert parse_who("p:3") == (3, None) and parse_who("g:12") == (None, 12)
    for bad in ("p:٣", "p:３", "p:3\n", "p:", "x:3", 3, None):
        with pytest.raises(BadRequest):
            parse_who(bad)
