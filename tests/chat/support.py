"""Chat test helpers: signed-in tokens, a meeting row, socket.io clients on /chat."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import socketio
from engineio.payload import Payload

from meetings_hub.storage.timefmt import now_utc, to_db
from tests.support import Client, Server

NS = "/chat"

# python-engineio's *client* drops the connection when one long-polling response holds more
# than 16 packets (a replay easily does); the browser's socket.io-client has no such limit.
# This raises it for the Python test clients (and, in this process, the server's POST parsing).
Payload.max_decode_packets = 100_000


def session_token(client: Client) -> str:
    for cookie in client.session.cookie_jar:
        if cookie.key == "mh_session":
            return cookie.value
    raise AssertionError("no session cookie")


async def signed_in(server: Server, email: str) -> tuple[Client, str]:
    client = Client(server.url)
    await client.login(email)
    return client, session_token(client)


async def network_id_of(server: Server, name_part: str) -> int:
    row = await server.hub.db.fetch_one(
        "SELECT id FROM networks WHERE name LIKE ?", (f"%{name_part}%",)
    )
    assert row is not None
    return int(row["id"])


async def person_id(server: Server, email: str) -> int:
    row = await server.hub.db.fetch_one("SELECT id FROM persons WHERE email = ?", (email,))
    assert row is not None
    return int(row["id"])


async def add_meeting(
    server: Server,
    network_id: int,
    *,
    starts_in: timedelta = timedelta(minutes=5),
    minutes: int = 60,
    created_by: int | None = None,
) -> int:
    """A meeting row (the scheduling feature makes these; the chat only needs the core)."""
    network = await server.hub.db.fetch_one(
        "SELECT lead_library_id FROM networks WHERE id = ?", (network_id,)
    )
    assert network is not None
    start = now_utc() + starts_in
    async with server.hub.db.write() as tx:
        return await tx.execute(
            "INSERT INTO meetings (network_id, host_library_id, title, starts_at, ends_at,"
            " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                network_id,
                network["lead_library_id"],
                "Spotkanie sieci",
                to_db(start),
                to_db(start + timedelta(minutes=minutes)),
                created_by,
                to_db(now_utc()),
                to_db(now_utc()),
            ),
        )


class ChatClient:
    """A python-socketio AsyncClient that records what arrives and keeps last seq per room."""

    def __init__(self, label: str = "") -> None:
        self.label = label
        self.sio = socketio.AsyncClient(reconnection=False)
        self.messages: dict[int, list[dict[str, Any]]] = {}
        self.events: list[tuple[str, Any]] = []
        self.last_seq: dict[int, int] = {}
        self.sio.on("message", self._on_message, namespace=NS)
        for name in (
            "message_updated",
            "read",
            "typing",
            "presence",
            "joined",
            "left",
            "room_updated",
            "participant_removed",
            "removed",
            "notify",
            "activity",
        ):
            self.sio.on(name, self._recorder(name), namespace=NS)

    def _recorder(self, name: str):  # type: ignore[no-untyped-def]
        async def record(data: Any) -> None:
            self.events.append((name, data))

        return record

    async def _on_message(self, data: dict[str, Any]) -> None:
        room = data["room_id"]
        self.messages.setdefault(room, []).append(data)
        self.last_seq[room] = max(self.last_seq.get(room, 0), data["seq"])

    async def connect(
        self,
        server: Server,
        token: str | None,
        *,
        transports: list[str] | None = None,
        cookie: bool = False,
    ) -> None:
        headers = {"Cookie": f"mh_session={token}"} if cookie and token else {}
        auth = {"session": token} if token and not cookie else None
        await self.sio.connect(
            server.url,
            namespaces=[NS],
            auth=auth,
            headers=headers,
            transports=transports or ["websocket"],
            wait_timeout=10,
        )

    async def call(self, event: str, data: Any = None, wait: float = 10) -> Any:
        return await self.sio.call(event, data, namespace=NS, timeout=wait)

    async def join(self, room_id: int, last_seq: int | None = -1) -> dict[str, Any]:
        seq = self.last_seq.get(room_id, 0) if last_seq == -1 else last_seq
        ack = await self.call("join", {"room_id": room_id, "last_seq": seq})
        assert ack["ok"], ack
        return ack

    async def send(self, room_id: int, text: str, cmid: str | None = None, **extra: Any) -> Any:
        ack = await self.call(
            "send",
            {"room_id": room_id, "client_msg_id": cmid or uuid.uuid4().hex, "text": text, **extra},
        )
        if ack.get("ok") and not ack.get("duplicate"):
            # My own message comes back in the ack, not as a broadcast.
            self.last_seq[room_id] = max(self.last_seq.get(room_id, 0), ack["seq"])
        return ack

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()

    def seqs(self, room_id: int) -> list[int]:
        return [m["seq"] for m in self.messages.get(room_id, [])]


async def wait_for(predicate, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + seconds
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)
