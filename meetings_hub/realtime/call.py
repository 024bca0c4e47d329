"""Peer-to-peer calls in rooms: signalling over the /chat socket (docs/calls.md).

The browsers send media to each other; the server only says who is in a room's call and
passes session descriptions and ICE candidates between them. A call is part of a room: only a
socket that has joined the room may join its call, the rules are ``actions/calls.py``, and
everything that takes a socket out of a room (leaving, a moderator's removal, an access
recheck that fails, a disconnect, the session ending) takes it out of the call at once.

Who is in a call is known to every server process from the ``call_joined`` / ``call_left``
broadcasts each process sees (``on_emit``); each process also knows which of its own sockets
carries a person's call (their *leg*: a random id per join, so a late ``call_left`` of an
earlier join never removes a later one).
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from meetings_hub.actions import calls
from meetings_hub.actions.chat import (
    ChatError,
    require_int,
    require_str,
    room_name,
    watch_room,
    who_room,
)
from meetings_hub.realtime.call_sfu import Sfu, SfuLeg
from meetings_hub.realtime.chat import NAMESPACE
from meetings_hub.realtime.janus import JanusError

if TYPE_CHECKING:
    from meetings_hub.realtime.chat import ChatNamespace, Conn


@dataclass
class Member:
    who: str
    name: str
    guest: bool
    leg: str
    muted: bool = False
    camera: bool = False
    screen: bool = False


SFU_DOWN = "The call server is not answering; try again in a moment."


def _janus_refusal(exc: JanusError) -> ChatError:
    if exc.code == 0:  # unreachable or silent
        return ChatError(SFU_DOWN, code="call_server_down")
    return ChatError(f"The call server refused: {exc.reason}", code="bad_request")


class Calls:
    def __init__(self, namespace: ChatNamespace, sfu: Sfu | None = None) -> None:
        self.ns = namespace
        self.members: dict[int, dict[str, Member]] = {}
        # (room id, who) -> (sid, leg) of this process's socket in that call.
        self.local: dict[tuple[int, str], tuple[str, str]] = {}
        self.sfu = sfu
        if sfu is not None:
            sfu.emit = self._emit_to
            sfu.on_gone = self._sfu_gone

    async def _emit_to(self, event: str, data: dict[str, Any], sid: str) -> None:
        await self.ns.emit(event, data, to=sid)

    def _sfu_gone(self, leg: SfuLeg) -> None:
        """Janus lost this leg's session (it stopped or restarted): the call ends here, and
        the page offers to join again."""
        self._end_soon(leg.room_id, leg.who, "server_gone")

    def install(self) -> None:
        self.ns.handlers.update(
            {
                "call_join": self.ev_call_join,
                "call_leave": self.ev_call_leave,
                "call_signal": self.ev_call_signal,
                "call_state": self.ev_call_state,
                "call_who": self.ev_call_who,
                "call_counts": self.ev_call_counts,
                "call_sfu_publish": self.ev_call_sfu_publish,
                "call_sfu_answer": self.ev_call_sfu_answer,
            }
        )
        self.ns.listeners.append(self)

    # ---- events from the browser ------------------------------------------------------------

    def _room_id(self, conn: Conn, data: dict[str, Any]) -> int:
        room_id = require_int(data, "room_id")
        assert room_id is not None
        if room_id not in conn.joined:
            raise ChatError("Join the room first.", code="not_joined")
        return room_id

    def _leg(self, conn: Conn, sid: str, room_id: int) -> str:
        entry = self.local.get((room_id, conn.who))
        if entry is None or entry[0] != sid:
            raise ChatError("Join the call first.", code="not_in_call")
        return entry[1]

    def _list(self, room_id: int, but: str | None = None) -> list[dict[str, Any]]:
        return [
            {"room_id": room_id, **asdict(m)}
            for m in self.members.get(room_id, {}).values()
            if m.who != but
        ]

    async def ev_call_who(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        room_id = self._room_id(conn, data)
        return {
            "ok": True,
            "members": self._list(room_id),
            "max": calls.max_participants(self.ns.hub),
        }

    async def ev_call_counts(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        """How many are in the call of each room this socket watches (the rooms list); then
        "call_count" events keep it current."""
        counts = [
            {"room_id": room_id, "count": len(self.members[room_id])}
            for room_id in sorted(conn.watching)
            if self.members.get(room_id)
        ]
        return {"ok": True, "counts": counts}

    async def ev_call_join(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        room_id = self._room_id(conn, data)
        state = calls.check_media_state(data)
        members = self.members.setdefault(room_id, {})
        access = await calls.check_call_join(
            self.ns.hub, conn.actor, room_id, conn.who, set(members)
        )
        conn.joined[room_id] = access
        # One call per person and room: a join from another tab ends the earlier one.
        previous = self.local.get((room_id, conn.who))
        if previous is not None:
            await self._end_local(room_id, conn.who, "elsewhere", tell_leaver=previous[0] != sid)
        leg_id = secrets.token_urlsafe(12)
        if self.sfu is not None:
            try:
                await self.sfu.start(room_id, conn.who, sid, leg_id)
            except JanusError:
                raise ChatError(SFU_DOWN, code="call_server_down") from None
        if self.ns.conns.get(sid) is not conn or room_id not in conn.joined:
            # The socket left the room (or closed) while this join was being checked.
            if self.sfu is not None:
                await self.sfu.stop(leg_id)
            raise ChatError("Join the room first.", code="not_joined")
        member = Member(conn.who, conn.name, access.is_guest, leg_id, **state)
        peers = self._list(room_id, but=conn.who)
        members[conn.who] = member
        self.local[(room_id, conn.who)] = (sid, member.leg)
        await self.ns.emit(
            "call_joined", {"room_id": room_id, **asdict(member)}, room=room_name(room_id)
        )
        return {
            "ok": True,
            "leg": member.leg,
            "peers": peers,
            "max": calls.max_participants(self.ns.hub),
            "ice_servers": calls.ice_servers(self.ns.hub, conn.who),
            "mode": "p2p" if self.sfu is None else "sfu",
        }

    async def ev_call_leave(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        room_id = self._room_id(conn, data)
        entry = self.local.get((room_id, conn.who))
        if entry is not None and entry[0] == sid:
            await self._end_local(room_id, conn.who, "left", tell_leaver=False)
        return {"ok": True}

    async def ev_call_signal(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        room_id = self._room_id(conn, data)
        leg = self._leg(conn, sid, room_id)
        to = require_str(data, "to", max_len=40, code="bad_request")
        target = self.members.get(room_id, {}).get(to)
        if target is None or to == conn.who:
            raise ChatError("That person is not in the call.", code="not_in_call")
        payload = calls.check_signal(data)
        event = {"room_id": room_id, "from": conn.who, "from_leg": leg, "to_leg": target.leg}
        await self.ns.emit("call_signal", {**event, **payload}, room=who_room(to))
        return {"ok": True}

    async def ev_call_state(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        room_id = self._room_id(conn, data)
        leg = self._leg(conn, sid, room_id)
        state = calls.check_media_state(data)
        event = {"room_id": room_id, "who": conn.who, "leg": leg, **state}
        await self.ns.emit("call_state", event, room=room_name(room_id))
        return {"ok": True}

    def _sfu_leg(self, conn: Conn, sid: str, data: dict[str, Any]) -> SfuLeg:
        room_id = self._room_id(conn, data)
        leg = self._leg(conn, sid, room_id)
        sfu_leg = self.sfu.legs.get(leg) if self.sfu is not None else None
        if sfu_leg is None:
            raise ChatError("This call does not go through a call server.", code="not_sfu")
        return sfu_leg

    async def ev_call_sfu_publish(
        self, conn: Conn, sid: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The browser's offer of what it sends; the ack carries Janus's answer."""
        leg = self._sfu_leg(conn, sid, data)
        offer = calls.check_signal({"description": data.get("jsep")})["description"]
        assert self.sfu is not None
        try:
            answer = await self.sfu.publish(leg, offer)
        except JanusError as exc:
            raise _janus_refusal(exc) from None
        return {"ok": True, "jsep": answer}

    async def ev_call_sfu_answer(
        self, conn: Conn, sid: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The browser's answer to Janus's offer of another person's media (``sub``)."""
        leg = self._sfu_leg(conn, sid, data)
        sub = require_int(data, "sub")
        answer = calls.check_signal({"description": data.get("jsep")})["description"]
        assert self.sfu is not None and sub is not None
        try:
            await self.sfu.answer(leg, sub, answer)
        except JanusError as exc:
            if exc.code == 404:
                raise ChatError("No such subscription.", code="not_found") from None
            raise _janus_refusal(exc) from None
        return {"ok": True}

    # ---- ending a leg -----------------------------------------------------------------------

    async def _end_local(
        self, room_id: int, who: str, reason: str, *, tell_leaver: bool = True
    ) -> None:
        entry = self._take(room_id, who)
        if entry is not None:
            await self._announce_end(room_id, who, entry, reason, tell_leaver)

    def _take(self, room_id: int, who: str) -> tuple[str, str] | None:
        """Ends the leg here and now (synchronously), so no later hook ends it again."""
        entry = self.local.pop((room_id, who), None)
        if entry is not None:
            self._forget(room_id, who, entry[1])
            if self.sfu is not None:
                self.sfu.stop_soon(entry[1])  # Janus then tells the others' legs
        return entry

    async def _announce_end(
        self, room_id: int, who: str, entry: tuple[str, str], reason: str, tell_leaver: bool
    ) -> None:
        sid, leg = entry
        event = {"room_id": room_id, "who": who, "leg": leg, "reason": reason}
        await self.ns.emit("call_left", event, room=room_name(room_id))
        if tell_leaver:
            await self.ns.emit("call_ended", event, to=sid)

    def _count_changed(self, room_id: int) -> None:
        """The rooms lists following this room hear how many are in its call, from this
        process only: every process sees every call event, so this adds no traffic."""
        fast = self.ns.fast
        if fast is not None:
            event = {"room_id": room_id, "count": len(self.members.get(room_id, {}))}
            fast.deliver("call_count", event, NAMESPACE, watch_room(room_id))

    def _forget(self, room_id: int, who: str, leg: str) -> None:
        members = self.members.get(room_id, {})
        member = members.get(who)
        if member is not None and member.leg == leg:
            del members[who]
        if not members:
            self.members.pop(room_id, None)

    def _end_soon(self, room_id: int, who: str, reason: str) -> None:
        entry = self._take(room_id, who)
        if entry is None:
            return
        task = asyncio.get_running_loop().create_task(
            self._announce_end(room_id, who, entry, reason, True)
        )
        self.ns._tasks.add(task)
        task.add_done_callback(self.ns._tasks.discard)

    # ---- hooks called by the chat namespace ---------------------------------------------------

    async def on_leave(self, conn: Conn, sid: str, room_id: int) -> None:
        """A socket left a room (by itself, removed, or disconnected): its call leg ends."""
        entry = self.local.get((room_id, conn.who))
        if entry is not None and entry[0] == sid:
            await self._end_local(room_id, conn.who, "left")

    def on_emit(self, event: str, data: Any, room: Any) -> None:
        """Every broadcast this process delivers, from any process (synchronous: no awaits)."""
        if not isinstance(data, dict) or not isinstance(data.get("room_id"), int):
            return
        room_id: int = data["room_id"]
        if event == "call_joined" and room == room_name(room_id):
            fields = {k: data[k] for k in Member.__dataclass_fields__ if k in data}
            try:
                member = Member(**fields)
            except TypeError:
                return
            self.members.setdefault(room_id, {})[member.who] = member
            mine = self.local.get((room_id, member.who))
            if mine is not None and mine[1] != member.leg:
                self._end_soon(room_id, member.who, "elsewhere")
            self._count_changed(room_id)
        elif event == "call_left" and room == room_name(room_id):
            self._forget(room_id, str(data.get("who")), str(data.get("leg")))
            self._count_changed(room_id)
        elif event == "call_state" and room == room_name(room_id):
            member = self.members.get(room_id, {}).get(str(data.get("who")))
            if member is not None and member.leg == data.get("leg"):
                member.muted = bool(data.get("muted"))
                member.camera = bool(data.get("camera"))
                member.screen = bool(data.get("screen"))
        elif event == "removed" and isinstance(data.get("who"), str):
            # A moderator's removal, or a recheck that found the access gone.
            self._end_soon(room_id, data["who"], "removed")
        elif event == "room_updated" and data.get("ended"):
            for rid, who in list(self.local):
                if rid == room_id:
                    self._end_soon(room_id, who, "ended")
            if self.sfu is not None:
                self.sfu.destroy_room_soon(room_id)
