"""The audit log: every administrative action is recorded once, with who, what, whom and from
where; the coordinator filters it and takes it away as CSV; nothing can rewrite it."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from meetings_hub.actions import audit
from meetings_hub.domain import Actor
from tests.foundation.walk_support import client_as, start_world
from tests.route_cases.rooms import _lead_message

V1 = "/api/v1"


async def test_administrative_actions_are_recorded_with_the_address(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    try:
        coordinator = await client_as(server, world, "coordinator")
        lead = await client_as(server, world, "lead")
        ids = world.ids
        colleague = ids["colleague_person_id"]

        status, _ = await lead.request(
            "PATCH", f"{V1}/people/{colleague}", json={"full_name": "Barbara Nowa", "active": False}
        )
        assert status == 200
        status, _ = await coordinator.request(
            "PATCH", f"{V1}/people/{colleague}", json={"role": "lead_librarian", "active": True}
        )
        assert status == 200
        status, _ = await coordinator.post(
            f"{V1}/networks/{ids['network_id']}/members", {"library_id": ids["free_library_id"]}
        )
        assert status == 201, _
        status, _ = await coordinator.request(
            "DELETE", f"{V1}/networks/{ids['network_id']}/members/{ids['free_library_id']}"
        )
        assert status == 200
        status, _ = await lead.post(
            f"{V1}/rooms/{ids['room_id']}/remove", {"who": f"p:{ids['person_id']}"}
        )
        assert status == 204, _
        message = await _lead_message(world, "coordinator")
        status, _ = await coordinator.request(
            "DELETE", f"{V1}/rooms/{message['room_id']}/messages/{message['message_id']}"
        )
        assert status == 200
        # The lead deleting her own message is no administrative action: not recorded.
        own = await _lead_message(world, "lead")
        status, _ = await lead.request(
            "DELETE", f"{V1}/rooms/{own['room_id']}/messages/{own['message_id']}"
        )
        assert status == 200

        status, entries = await coordinator.get(f"{V1}/audit")
        assert status == 200
        # (The walk's world, while it was set up, made entries of its own: an export, savings.)
        mine = ("person.", "network.", "room.", "message.")
        entries = [e for e in entries if e["action"].startswith(mine)]
        got = [(e["action"], e["target"], e["actor_id"]) for e in reversed(entries)]
        net, free = ids["network_id"], ids["free_library_id"]
        assert got == [
            ("person.update", f"person:{colleague}", ids["lead_person_id"]),
            ("person.update", f"person:{colleague}", ids["coordinator_person_id"]),
            ("network.member_add", f"network:{net}/library:{free}", ids["coordinator_person_id"]),
            ("network.member_end", f"network:{net}/library:{free}", ids["coordinator_person_id"]),
            ("room.remove", f"room:{ids['room_id']}/p:{ids['person_id']}", ids["lead_person_id"]),
            (
                "message.delete_other",
                f"room:{message['room_id']}/message:{message['message_id']}",
                ids["coordinator_person_id"],
            ),
        ]
        assert {e["client"] for e in entries} == {"127.0.0.1"}
        # Names and addresses are recorded as changed, never by value.
        first = entries[-1]
        assert "Barbara" not in first["detail"] and '"full_name"' in first["detail"]
        assert '"role": "lead_librarian"' in entries[-2]["detail"]

        status, only = await coordinator.get(f"{V1}/audit?action=network.&since=2000-01-01")
        assert [e["action"] for e in only] == ["network.member_end", "network.member_add"]
        status, mine = await coordinator.get(f"{V1}/audit?actor_id={ids['lead_person_id']}")
        assert len(mine) == 2
        status, none = await coordinator.get(f"{V1}/audit?until=2000-01-01")
        assert none == []

        status, text = await coordinator.get(f"{V1}/audit.csv?action=person.update")
        assert status == 200
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == list(audit.CSV_COLUMNS) and len(rows) == 3
        # Taking the log away is itself recorded.
        status, after = await coordinator.get(f"{V1}/audit?action=audit.export")
        assert [e["action"] for e in after] == ["audit.export"]
        await coordinator.close()
        await lead.close()
    finally:
        await server.runner.cleanup()


@pytest.mark.parametrize(
    "query",
    [
        "since=yesterday",
        "until=2026-13-01",
        "actor_id=abc",
        "actor_id=0",
        "actor_id=99999999999999999999",
    ],
)
async def test_bad_filters_are_refused_clearly(tmp_path: Path, query: str) -> None:
    server, world = await start_world(tmp_path)
    try:
        coordinator = await client_as(server, world, "coordinator")
        for path in (f"{V1}/audit?{query}", f"{V1}/audit.csv?{query}"):
            status, body = await coordinator.get(path)
            assert status == 400, (path, body)
            assert set(body["error"]) == {"code", "message", "details"}
        await coordinator.close()
    finally:
        await server.runner.cleanup()


async def test_the_log_refuses_updates(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    try:
        async with world.hub.db.write() as tx:
            await audit.record(tx, Actor(client="10.0.0.1"), "test.action", "person:1")
        with sqlite3.connect(server.settings.sqlite_path) as db:
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute("UPDATE audit_log SET action = 'x'")
            assert db.execute(
                "SELECT action, client FROM audit_log WHERE action = 'test.action'"
            ).fetchall() == [("test.action", "10.0.0.1")]
    finally:
        await server.runner.cleanup()


async def test_a_moderators_delete_over_the_socket_is_recorded_with_her_address(
    tmp_path: Path,
) -> None:
    """The socket path of the same action: the address comes from the socket's request."""
    from tests.chat.support import ChatClient

    server, world = await start_world(tmp_path)
    try:
        message = await _lead_message(world, "coordinator")
        signed = await world.sign_in("coordinator")
        assert signed is not None
        socket = ChatClient("coordinator")
        await socket.connect(server, signed[0])
        await socket.join(message["room_id"])
        ack = await socket.call(
            "delete", {"room_id": message["room_id"], "id": message["message_id"]}
        )
        assert ack["ok"], ack
        await socket.close()
        entry = await world.hub.db.fetch_one(
            "SELECT actor_id, target, client FROM audit_log WHERE action = 'message.delete_other'"
        )
        assert tuple(entry) == (
            world.ids["coordinator_person_id"],
            f"room:{message['room_id']}/message:{message['message_id']}",
            "127.0.0.1",
        )
    finally:
        await server.runner.cleanup()
