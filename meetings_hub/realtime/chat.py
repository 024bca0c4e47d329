"""The /chat namespace: one method per event; the rules live in actions/chat.py.

Every event answers through its ack, ``{"ok": true, ...}`` or ``{"ok": false, "error":
{"code", "message"}}`` (see docs/realtime.md). Per-connection state is a ``Conn`` in
``self.conns`` by sid (a plain dict lookup per event: cheaper than ``get_session``, which this
hot path would pay on every message); per-process state (tabs per room, presence, the last
broadcast seq per room) lives on the namespace object too.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any, Protocol

import socketio

from meetings_hub.actions import attendance, chat, rooms
from meetings_hub.actions.access_events import ACCESS_CHANGED
from meetings_hub.actions.chat import ChatError, GroupCommitter, room_name, watch_room, who_room
from meetings_hub.actions.rooms import RoomAccess
from meetings_hub.domain import Actor
from meetings_hub.errors import AppError
from meetings_hub.hub import Hub
from meetings_hub.middleware import client_address
from meetings_hub.realtime.manager import FastEmit, FastRedisManager
from meetings_hub.realtime.ordering import RoomOrder
from meetings_hub.realtime.roster import LocalRoster, Roster

log = logging.getLogger(__name__)

NAMESPACE = "/chat"
SESSION_COOKIE = "mh_session"
# How long a join waits for committed messages to be broadcast before entering the room anyway.
_JOIN_SETTLE_SECONDS = 2.0

Handler = Callable[["Conn", str, dict[str, Any]], Awaitable[dict[str, Any]]]


class RoomListener(Protocol):
    """A feature that follows the rooms' sockets (calls, realtime/call.py)."""

    def on_emit(self, event: str, data: Any, room: Any) -> None: ...

    async def on_leave(self, conn: Conn, sid: str, room_id: int) -> None: ...


@dataclass
class Conn:
    actor: Actor
    who: str
    name: str
    token: str | None = None
    # When the sign-in and room access were last confirmed (time.monotonic()).
    checked_at: float = 0.0
    # A change concerning this socket was announced: confirm before anything else.
    recheck_due: bool = False
    joined: dict[int, RoomAccess] = field(default_factory=dict)
    # Rooms whose activity this socket follows without being in them (the rooms list).
    watching: set[int] = field(default_factory=set)
    window_start: float = 0.0
    window_events: int = 0


def _error(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


def _token_from(environ: dict[str, Any], auth: Any) -> str | None:
    if isinstance(auth, dict) and isinstance(auth.get("session"), str):
        return auth["session"]
    cookie = SimpleCookie()
    try:
        cookie.load(environ.get("HTTP_COOKIE", ""))
    except Exception:
        return None
    morsel = cookie.get(SESSION_COOKIE)
    return morsel.value if morsel else None


def notify_event(message: dict[str, Any], kind: str) -> dict[str, Any]:
    """A direct message or a mention, for the person's other pages: enough to count it and to
    say who wrote (the text stays in the room, which the person may open)."""
    return {
        "room_id": message["room_id"],
        "kind": kind,
        "seq": message["seq"],
        "author_name": message.get("author_name", ""),
    }


class ChatNamespace(socketio.AsyncNamespace):
    def __init__(self, hub: Hub, committer: GroupCommitter) -> None:
        super().__init__(NAMESPACE)
        self.hub = hub
        self.committer = committer
        self.conns: dict[str, Conn] = {}
        # (room id, who) -> sockets of that participant in the room here: tabs count once.
        self.tabs: dict[tuple[int, str], int] = {}
        self.sockets_of: dict[str, int] = {}
        self.presence: dict[str, tuple[str, str]] = {}
        self.names: dict[str, tuple[str, bool]] = {}
        # The highest seq broadcast per room in this process: joins line replay up with it.
        self.broadcast_seq: dict[int, int] = {}
        # Puts each joined room's messages in seq order, whatever process stored them.
        self.order = RoomOrder(
            self._deliver_message, self._stored_after, limit=hub.settings.chat_replay_limit
        )
        self.direct_rooms: dict[int, list[str]] = {}
        # Rooms this process has looked up (not direct ones, or those now in direct_rooms), and
        # the messages waiting while a lookup runs.
        self.known_rooms: set[int] = set()
        self._learning: dict[int, list[dict[str, Any]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_publish: asyncio.Task[None] | None = None
        self._rechecker: asyncio.Task[None] | None = None
        # Who is in a room on the other server processes (none without Redis).
        self.roster: Roster = LocalRoster()
        self._recheck_now = asyncio.Event()
        self.listeners: list[RoomListener] = []
        self.handlers: dict[str, Handler] = {
            "hello": self.ev_hello,
            "join": self.ev_join,
            "watch": self.ev_watch,
            "leave": self.ev_leave,
            "send": self.ev_send,
            "edit": self.ev_edit,
            "delete": self.ev_delete,
            "read": self.ev_read,
            "typing": self.ev_typing,
            "presence": self.ev_presence,
            "remove": self.ev_remove,
            "lock": self.ev_lock,
            "end_session": self.ev_end_session,
        }

    # ---- wiring ---------------------------------------------------------------------------

    @property
    def fast(self) -> FastEmit | None:
        manager = self.server.manager if self.server else None
        return manager if isinstance(manager, FastEmit) else None

    def intercept(self, event: str, data: Any, room: Any, skip_sid: Any) -> bool:
        """Takes every message broadcast to a room (stored here or on another process) into
        the room's seq order; other events pass."""
        if event != "message" or not isinstance(data, dict):
            return False
        room_id, seq = data.get("room_id"), data.get("seq")
        if not isinstance(room_id, int) or not isinstance(seq, int) or room != room_name(room_id):
            return False
        self.order.offer(data, skip_sid)
        return True

    def _deliver_message(self, message: dict[str, Any], origin: Any) -> None:
        fast = self.fast
        assert fast is not None, "create_sio always installs a FastEmit manager"
        fast.deliver("message", message, NAMESPACE, room_name(message["room_id"]), origin)

    async def _stored_after(self, room_id: int, seq: int, limit: int) -> list[dict[str, Any]]:
        return await chat.replay(self.hub, room_id, seq, limit)

    def _seen_seq(self, room_id: int) -> int:
        """The highest seq this process has delivered in the room (in order when joined here)."""
        delivered = self.order.delivered(room_id)
        return self.broadcast_seq.get(room_id, 0) if delivered is None else delivered

    def on_local_emit(self, event: str, data: Any, room: Any) -> None:
        """Sees every broadcast delivered in this process (also those from other processes)."""
        if event == "message" and isinstance(data, dict) and isinstance(room, str):
            room_id = data.get("room_id")
            if isinstance(room_id, int) and room == room_name(room_id):
                seq = data.get("seq", 0)
                if seq > self.broadcast_seq.get(room_id, 0):
                    self.broadcast_seq[room_id] = seq
                self._activity(room_id, data)
        elif event == "removed" and isinstance(data, dict):
            self._cut_off(data)
        elif event == ACCESS_CHANGED and isinstance(data, dict):
            self._access_changed(data)
        for listener in self.listeners:
            listener.on_emit(event, data, room)

    def _activity(self, room_id: int, message: dict[str, Any]) -> None:
        """A new message in a room: its watchers (rooms lists) hear of it, in this process
        only: every process sees every message, so this adds no traffic between them."""
        fast = self.fast
        room = watch_room(room_id)
        if fast is None or not fast.rooms.get(NAMESPACE, {}).get(room):
            return
        event = {"room_id": room_id, "seq": message.get("seq"), "author": message.get("author")}
        fast.deliver("activity", event, NAMESPACE, room)

    def broadcast(self, batch: list[tuple[dict[str, Any], Any]]) -> None:
        """Called by the group committer right after a commit, before any ack is released.

        Delivered here at once (in seq order, see ``order``) and, with Redis, published to the
        other processes, which put it in order among their own.
        """
        for message, origin in batch:
            self.order.offer(message, origin)
        fast = self.fast
        if not isinstance(fast, FastRedisManager):
            for message, _ in batch:
                if fast is not None:
                    self._notify(message, fast)
            return

        # Publishing awaits, so one task per batch, each waiting for the one before it, keeps
        # the order.
        previous = self._last_publish

        async def publish() -> None:
            if previous is not None:
                with contextlib.suppress(Exception):
                    await previous
            for message, origin in batch:
                room = room_name(message["room_id"])
                await fast.publish_only("message", message, NAMESPACE, room, origin)
                for target in self._notify_targets(message):
                    await self.emit("notify", target[1], room=target[0])
                self._learn_room_of(message)

        task = asyncio.get_running_loop().create_task(publish())
        self._last_publish = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _notify_targets(self, message: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        targets = []
        room_id = message["room_id"]
        for mentioned in message["mentions"]:
            # A person id, or a guest's "g:<id>" who-key (actions.chat.new_message kept it).
            who = mentioned if isinstance(mentioned, str) else f"p:{mentioned}"
            targets.append((who_room(who), notify_event(message, "mention")))
        for who in self.direct_rooms.get(room_id, []):
            if who != message["author"]:
                targets.append((who_room(who), notify_event(message, "direct")))
        return targets

    def _notify(self, message: dict[str, Any], fast: FastEmit) -> None:
        for room, event in self._notify_targets(message):
            fast.deliver("notify", event, NAMESPACE, room)
        self._learn_room_of(message)

    def _learn_room_of(self, message: dict[str, Any]) -> None:
        """The first message this process sees in a room nobody here has joined (a direct
        message posted over REST, say): look up whether it is a direct room, then notify."""
        room_id = message["room_id"]
        if room_id in self.direct_rooms or room_id in self.known_rooms:
            return
        pending = self._learning.get(room_id)
        if pending is not None:
            pending.append(message)
            return
        self._learning[room_id] = [message]
        task = asyncio.get_running_loop().create_task(self._learn_room(room_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _learn_room(self, room_id: int) -> None:
        try:
            members = await chat.direct_members(self.hub, room_id)
        except Exception:
            log.exception("looking up room %s failed", room_id)
            members = None
        messages = self._learning.pop(room_id, [])
        self.known_rooms.add(room_id)
        if members is None or room_id in self.direct_rooms:
            return
        self.direct_rooms[room_id] = members
        for message in messages:
            for who in members:
                if who != message["author"]:
                    event = notify_event(message, "direct")
                    await self.emit("notify", event, room=who_room(who))

    async def hub_emit(self, event: str, data: Any, room: str) -> None:
        await self.emit(event, data, room=room)

    # ---- dispatch -------------------------------------------------------------------------

    async def trigger_event(self, event: str, *args: Any) -> Any:
        sid = args[0] if args else None
        # python-socketio calls these itself; a client may also send events by these names,
        # which must not reach the handlers (a fake "disconnect" would drop its state).
        if event == "connect" and sid not in self.conns:
            return await super().trigger_event(event, *args)
        if event == "disconnect" and not self.server.manager.is_connected(sid, NAMESPACE):
            return await super().trigger_event(event, *args)
        conn = self.conns.get(sid) if isinstance(sid, str) else None
        if conn is None:
            return _error("unauthenticated", "Not connected.")
        handler = self.handlers.get(event)
        if handler is None:
            return _error("unknown_event", "Unknown event.")
        if len(args) != 2 or not isinstance(args[1], dict):
            return _error("bad_request", "Send one JSON object with the event.")
        if not self._within_rate(conn):
            return _error("rate_limited", "Too many events; slow down.")
        if conn.recheck_due:
            if not await self._recheck(sid, conn):
                return _error("unauthenticated", "Your sign-in has ended; please sign in again.")
        try:
            return await handler(conn, sid, args[1])
        except AppError as exc:
            return _error(exc.code, exc.message)
        except Exception:
            log.exception("chat event %s failed", event)
            return _error("internal", "Something went wrong on our side; it was logged.")

    def _within_rate(self, conn: Conn) -> bool:
        now = time.monotonic()
        if now - conn.window_start > 10:
            conn.window_start, conn.window_events = now, 0
        conn.window_events += 1
        return conn.window_events <= self.hub.settings.chat_max_events_per_10s

    # ---- connect / disconnect -------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = _token_from(environ, auth)
        try:
            actor = await chat.authenticate(self.hub, token)
        except AppError as exc:
            # The client's connect_error carries message and data = {"code", "message"}.
            raise socketio.exceptions.ConnectionRefusedError(
                exc.message, {"code": exc.code, "message": exc.message}
            ) from None
        request = environ.get("aiohttp.request")
        if request is not None:  # the audit log records where a moderator's action came from
            actor = dataclasses.replace(actor, client=client_address(request, self.hub.settings))
        who = chat.who_of(actor)
        # Confirmed now; the first periodic recheck falls anywhere in the coming period, so
        # the sockets of a busy room (which connect together) are not all rechecked at once.
        period = self.hub.settings.chat_recheck_seconds
        checked = time.monotonic() - random.uniform(0, period)
        conn = Conn(actor=actor, who=who, name=chat.name_of(actor), token=token, checked_at=checked)
        self.conns[sid] = conn
        self.names[who] = (conn.name, actor.guest is not None)
        self.sockets_of[who] = self.sockets_of.get(who, 0) + 1
        if who not in self.presence:
            self.presence[who] = (await chat.presence_of(self.hub, [who])).get(
                who, ("available", "")
            )
        await self.enter_room(sid, who_room(who))

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        conn = self.conns.pop(sid, None)
        if conn is None:
            return
        rooms_left = [
            room_id for room_id in list(conn.joined) if await self._leave(conn, sid, room_id)
        ]
        left = self.sockets_of.get(conn.who, 1) - 1
        if left > 0:
            self.sockets_of[conn.who] = left
            return
        self.sockets_of.pop(conn.who, None)
        self.presence.pop(conn.who, None)
        offline = {"who": conn.who, "name": conn.name, "status": "offline", "description": ""}
        for room_id in rooms_left:
            await self.emit("presence", offline, room=room_name(room_id))

    # ---- access on open sockets -------------------------------------------------------------
    # A socket is authorised when it connects and when it joins a room. What changes later (a
    # logout, a password change, a disabled account, a withdrawn guest link, a library leaving
    # the network, an invitation taken back) is confirmed again: at once for the sockets an
    # ACCESS_CHANGED broadcast names (by the sweep, or before their next event if that comes
    # first), and for every socket about every chat_recheck_seconds by the sweep. The sweep
    # checks one socket at a time and never holds up an event: checking inline on every
    # socket's first event after the period put hundreds of checks on the database readers at
    # once and held sends up for seconds (bench/RESULTS.md, fanout-idle3).

    def start_rechecks(self) -> None:
        self._rechecker = asyncio.get_running_loop().create_task(
            self._recheck_loop(), name="chat-access-recheck"
        )

    async def stop_rechecks(self) -> None:
        if self._rechecker is not None:
            self._rechecker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._rechecker
            self._rechecker = None

    async def _recheck_loop(self) -> None:
        period = self.hub.settings.chat_recheck_seconds
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._recheck_now.wait(), timeout=max(period / 4, 0.05))
            self._recheck_now.clear()
            now = time.monotonic()
            for sid, conn in list(self.conns.items()):
                due = conn.recheck_due or now - conn.checked_at > period
                if due and self.conns.get(sid) is conn:
                    try:
                        await self._recheck(sid, conn)
                    except Exception:
                        log.exception("access recheck of %s failed", sid)

    def _access_changed(self, data: dict[str, Any]) -> None:
        """Marks the sockets a change may concern as due, and wakes the sweep."""
        who, network_id, room_id = data.get("who"), data.get("network_id"), data.get("room_id")
        for conn in self.conns.values():
            if (
                conn.who == who
                or (room_id is not None and (room_id in conn.joined or room_id in conn.watching))
                or (
                    network_id is not None
                    and (
                        # A rooms list does not know its rooms' networks: it checks again.
                        bool(conn.watching)
                        or any(a.room.get("network_id") == network_id for a in conn.joined.values())
                    )
                )
            ):
                conn.recheck_due = True
        self._recheck_now.set()

    async def _recheck(self, sid: str, conn: Conn) -> bool:
        """Confirms the sign-in, then each joined room; False when the socket was closed."""
        conn.checked_at, conn.recheck_due = time.monotonic(), False
        try:
            actor = await chat.authenticate(self.hub, conn.token)
        except AppError:
            actor = None
        if actor is None or chat.who_of(actor) != conn.who:
            await self.disconnect(sid)
            return False
        conn.actor = dataclasses.replace(actor, client=conn.actor.client)
        if conn.watching:
            allowed = set(await chat.room_ids_of(self.hub, actor))
            await self._watch_only(sid, conn, conn.watching & allowed)
        for room_id in list(conn.joined):
            try:
                conn.joined[room_id] = await chat.room_access(self.hub, actor, room_id)
            except AppError:
                # As when a moderator removes someone: all of this person's sockets leave the
                # room (in every process), and their pages say they can no longer take part.
                event = {"room_id": room_id, "who": conn.who}
                await self.emit("removed", event, room=who_room(conn.who))
        return True

    # ---- rooms ----------------------------------------------------------------------------

    async def ev_hello(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        status, description = self.presence.get(conn.who, ("available", ""))
        return {
            "ok": True,
            "who": conn.who,
            "name": conn.name,
            "guest": conn.actor.guest is not None,
            "presence": {"status": status, "description": description},
            "rooms": await chat.list_rooms(self.hub, conn.actor),
        }

    async def ev_watch(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        """The rooms list follows new messages in all my rooms ("activity" events), so its
        unread counts move at once, not only for direct messages and mentions."""
        allowed = set(await chat.room_ids_of(self.hub, conn.actor))
        await self._watch_only(sid, conn, allowed)
        return {"ok": True, "watching": sorted(conn.watching)}

    async def _watch_only(self, sid: str, conn: Conn, allowed: set[int]) -> None:
        for room_id in conn.watching - allowed:
            await self.leave_room(sid, watch_room(room_id))
        for room_id in allowed - conn.watching:
            await self.enter_room(sid, watch_room(room_id))
        conn.watching = allowed

    async def ev_join(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        room_id = chat.require_int(data, "room_id")
        assert room_id is not None
        last_seq = chat.require_int(data, "last_seq", required=False)
        last_change = chat.require_int(data, "last_change", required=False)
        access = await chat.check_join(self.hub, conn.actor, room_id)
        # From here the room's messages reach this process in seq order; those up to what the
        # database held at the check come by replay.
        self.order.hold(room_id, max(access.room["last_seq"], self.broadcast_seq.get(room_id, 0)))
        try:
            return await self._join(conn, sid, room_id, access, last_seq, last_change)
        except BaseException:
            if conn.joined.get(room_id) is not access:  # else its leave releases it
                self.order.release(room_id)
            raise

    async def _join(
        self,
        conn: Conn,
        sid: str,
        room_id: int,
        access: RoomAccess,
        last_seq: int | None,
        last_change: int | None,
    ) -> dict[str, Any]:
        limit = self.hub.settings.chat_replay_limit
        replayed, truncated = 0, False
        room = room_name(room_id)
        if conn.joined.pop(room_id, None) is not None:
            await self.leave_room(sid, room)
            self.order.release(room_id)  # this join holds it now
        if last_seq is None:
            await self.enter_room(sid, room)
        else:
            replayed, truncated = await self._replay_then_enter(sid, room_id, last_seq, limit)
        room_change = int(access.room["last_change"])
        if last_seq is not None and last_change is not None:
            # In the room already, so a change committed after this read is broadcast to us;
            # one both read and broadcast arrives twice, which the client's upsert absorbs.
            changed, room_change = await chat.replay_changes(
                self.hub, room_id, last_change, last_seq, limit
            )
            await self._send_to(sid, "message_updated", changed)
        first_tab = room_id not in conn.joined and self._add_tab(room_id, conn.who)
        conn.joined[room_id] = access
        members = chat.direct_whos(access.room)
        if members is not None:
            self.direct_rooms[room_id] = members
        if first_tab:
            elsewhere = await self._roster_add(room_id, conn, access.is_guest)
            if not elsewhere:
                await self.emit(
                    "joined",
                    {
                        "room_id": room_id,
                        "who": conn.who,
                        "name": conn.name,
                        "guest": access.is_guest,
                    },
                    room=room,
                    skip_sid=sid,
                )
            # This process's row, unless it has one open.
            await attendance.arrived(self.hub, access, conn.actor)
        room_info = dict(access.room)
        return {
            "ok": True,
            "room": {
                "id": room_id,
                "kind": room_info["kind"],
                "title": room_info["title"],
                "meeting_id": room_info["meeting_id"],
                "locked": room_info["locked_at"] is not None,
                "ended": room_info["ended_at"] is not None,
                "may_moderate": access.may_moderate,
                "last_seq": max(room_info["last_seq"], self.broadcast_seq.get(room_id, 0)),
                "last_change": room_change,
            },
            "replayed": replayed,
            "truncated": truncated,
            "participants": await self._participants(room_id),
            "reads": await chat.room_reads(self.hub, room_id),
        }

    async def _send_to(self, sid: str, event: str, messages: list[dict[str, Any]]) -> None:
        """Sends a replay to one socket, in order. Unbounded: its size is capped by the replay
        limit, and a client catching up must not be taken for one that stopped reading."""
        fast = self.fast
        for message in messages:
            if fast is not None:
                fast.deliver(event, message, NAMESPACE, sid, bounded=False)
            else:
                await self.emit(event, message, to=sid)

    async def _replay_then_enter(
        self, sid: str, room_id: int, last_seq: int, limit: int
    ) -> tuple[int, bool]:
        """Emits what the client missed, then enters the room with no gap and no duplicate.

        Between reading the database and entering, messages may be committed and broadcast;
        the loop enters only when everything broadcast so far has been replayed.
        """
        room = room_name(room_id)
        cursor, sent = last_seq, 0
        deadline = time.monotonic() + _JOIN_SETTLE_SECONDS
        while True:
            batch = await chat.replay(self.hub, room_id, cursor, limit - sent)
            await self._send_to(sid, "message", batch)
            if batch:
                cursor = batch[-1]["seq"]
                sent += len(batch)
            if sent >= limit:
                await self.enter_room(sid, room)
                return sent, True
            broadcast = self._seen_seq(room_id)
            if broadcast == cursor or (broadcast < cursor and time.monotonic() > deadline):
                await self.enter_room(sid, room)  # no await inside: nothing slips in between
                return sent, False
            if broadcast < cursor:
                # Committed but not yet broadcast (the committer is between its two steps).
                await asyncio.sleep(0.002)
            elif not batch and time.monotonic() > deadline:
                await self.enter_room(sid, room)
                return sent, False

    def _add_tab(self, room_id: int, who: str) -> bool:
        count = self.tabs.get((room_id, who), 0)
        self.tabs[(room_id, who)] = count + 1
        return count == 0

    async def _participants(self, room_id: int) -> list[dict[str, Any]]:
        """Who is in the room: this process's sockets, and those on other processes (whose
        status comes from the database, where every process saves it)."""
        seen: dict[str, dict[str, Any]] = {}
        for sid, _ in self.server.manager.get_participants(NAMESPACE, room_name(room_id)):
            conn = self.conns.get(sid)
            if conn is None or conn.who in seen:
                continue
            status, description = self.presence.get(conn.who, ("available", ""))
            if status == "invisible":
                continue
            seen[conn.who] = {
                "who": conn.who,
                "name": conn.name,
                "guest": conn.actor.guest is not None,
                "status": status,
                "description": description,
            }
        elsewhere = {
            who: item
            for who, item in (await self._roster_others(room_id)).items()
            if who not in seen
        }
        if elsewhere:
            statuses = await chat.presence_of(self.hub, list(elsewhere))
            for who, (name, guest) in elsewhere.items():
                status, description = statuses.get(who, ("available", ""))
                if status == "invisible":
                    continue
                seen[who] = {
                    "who": who,
                    "name": name,
                    "guest": guest,
                    "status": status,
                    "description": description,
                }
        return list(seen.values())

    async def _leave(self, conn: Conn, sid: str, room_id: int) -> bool:
        """Takes the socket out of the room; True when its person has no tab left in the room
        on any process (then the room hears "left"). This process's attendance row closes
        when its own last tab of the person leaves."""
        access = conn.joined.pop(room_id, None)
        if access is None:
            return False
        for listener in self.listeners:
            await listener.on_leave(conn, sid, room_id)
        await self.leave_room(sid, room_name(room_id))
        self.order.release(room_id)
        key = (room_id, conn.who)
        count = self.tabs.get(key, 1) - 1
        if count > 0:
            self.tabs[key] = count
            return False
        self.tabs.pop(key, None)
        if access.room["kind"] == "session":
            # This process's row; a tab on another process keeps that process's row open.
            await attendance.departed(self.hub, room_id, conn.actor)
        if await self._roster_remove(room_id, conn.who):
            return False  # a tab on another process keeps them in the room
        await self.emit(
            "left",
            {"room_id": room_id, "who": conn.who, "name": conn.name, "guest": access.is_guest},
            room=room_name(room_id),
        )
        return True

    # The roster (other processes, through Redis) must never break the chat: when Redis is
    # away, rooms show this process's people only, as with one process.

    async def _roster_add(self, room_id: int, conn: Conn, guest: bool) -> bool:
        try:
            return await self.roster.add(room_id, conn.who, conn.name, guest)
        except Exception:
            log.exception("room roster: add failed")
            return False

    async def _roster_remove(self, room_id: int, who: str) -> bool:
        try:
            return await self.roster.remove(room_id, who)
        except Exception:
            log.exception("room roster: remove failed")
            return False

    async def _roster_others(self, room_id: int) -> dict[str, tuple[str, bool]]:
        try:
            return await self.roster.others(room_id)
        except Exception:
            log.exception("room roster: reading failed")
            return {}

    async def ev_leave(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        room_id = chat.require_int(data, "room_id")
        assert room_id is not None
        await self._leave(conn, sid, room_id)
        return {"ok": True}

    def _joined(self, conn: Conn, data: dict[str, Any]) -> RoomAccess:
        room_id = chat.require_int(data, "room_id")
        access = conn.joined.get(room_id)  # type: ignore[arg-type]
        if access is None:
            raise ChatError("Join the room first.", code="not_joined")
        return access

    # ---- messages -------------------------------------------------------------------------

    async def ev_send(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        access = self._joined(conn, data)
        item = await chat.new_message(self.hub, access, conn.actor, data)
        stored = await self.committer.submit(item, origin=sid)
        message = chat.raise_refusal(stored)
        # A message of another process may still be on its way here with a lower seq: this ack
        # follows it, so the sender too gets the room's messages in seq order.
        await self.order.reached(access.room_id, message["seq"])
        return {
            "ok": True,
            "id": message["id"],
            "seq": message["seq"],
            "time": message["time"],
            "duplicate": stored.duplicate,
        }

    async def ev_edit(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        access = self._joined(conn, data)
        message_id = chat.require_int(data, "id")
        text = chat.require_str(data, "text", max_len=chat.MAX_TEXT, multiline=True)
        assert message_id is not None
        message = await chat.edit_message(self.hub, conn.actor, access.room_id, message_id, text)
        return {"ok": True, "message": message}

    async def ev_delete(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        access = self._joined(conn, data)
        message_id = chat.require_int(data, "id")
        assert message_id is not None
        message = await chat.delete_message(self.hub, conn.actor, access.room_id, message_id)
        return {"ok": True, "message": message}

    async def ev_read(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        access = self._joined(conn, data)
        seq = chat.require_int(data, "seq")
        assert seq is not None
        unread = await chat.mark_read(self.hub, conn.actor, access.room_id, seq)
        return {"ok": True, "unread": unread}

    async def ev_typing(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        access = self._joined(conn, data)
        typing = data.get("typing")
        if not isinstance(typing, bool):
            raise ChatError("typing must be true or false.", code="bad_request")
        event = {"room_id": access.room_id, "who": conn.who, "name": conn.name, "typing": typing}
        await self.emit("typing", event, room=room_name(access.room_id), skip_sid=sid)
        return {"ok": True}

    async def ev_presence(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        status, description = chat.check_presence(data)
        await chat.set_presence(self.hub, conn.actor, status, description)
        self.presence[conn.who] = (status, description)
        event = {
            "who": conn.who,
            "name": conn.name,
            "status": chat.shown_status(status),
            "description": "" if status == "invisible" else description,
        }
        rooms_here = {
            room_id for c in self.conns.values() if c.who == conn.who for room_id in c.joined
        }
        for room_id in sorted(rooms_here):
            await self.emit("presence", event, room=room_name(room_id))
        await self.emit(
            "presence",
            {**event, "status": status, "description": description},
            room=who_room(conn.who),
        )
        return {"ok": True}

    # ---- moderation -----------------------------------------------------------------------

    async def ev_remove(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        access = self._joined(conn, data)
        await rooms.remove_participant(self.hub, conn.actor, access.room_id, data.get("who"))
        return {"ok": True}

    async def ev_lock(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        access = self._joined(conn, data)
        locked = data.get("locked")
        if not isinstance(locked, bool):
            raise ChatError("locked must be true or false.", code="bad_request")
        event = await rooms.lock_room(self.hub, conn.actor, access.room_id, locked)
        return {"ok": True, **event}

    async def ev_end_session(self, conn: Conn, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        access = self._joined(conn, data)
        event = await rooms.end_session(self.hub, conn.actor, access.room_id)
        return {"ok": True, **event}

    def _cut_off(self, data: dict[str, Any]) -> None:
        """A moderator removed someone: their sockets here leave the room at once."""
        room_id, who = data.get("room_id"), data.get("who")
        if not isinstance(room_id, int) or not isinstance(who, str):
            return
        loop = asyncio.get_running_loop()
        for sid, conn in list(self.conns.items()):
            if conn.who != who or room_id not in conn.joined:
                continue
            # Out of the room now (synchronously), so not one more message reaches them.
            self.server.manager.basic_leave_room(sid, NAMESPACE, room_name(room_id))
            task = loop.create_task(self._finish_cut_off(sid, conn, room_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _finish_cut_off(self, sid: str, conn: Conn, room_id: int) -> None:
        await self._leave(conn, sid, room_id)
        if conn.actor.guest is not None:
            await self.disconnect(sid)
