"""Calls through Janus (an SFU): meetings_hub brokers each participant's signalling.

With ``janus_url`` set, every call goes through Janus's VideoRoom: each person sends their media
once to Janus, which forwards it to the others. The browser talks only to meetings_hub (the
``call_sfu_*`` events, after the same access check as the chat); meetings_hub talks to Janus
over its local API with the API secret. Per person in a call (a *leg*) there is one Janus
session with one publisher handle and one subscriber handle per other publisher.

The Janus room of a meetings_hub room has an id, a secret and a pin derived from the
installation's secret key (HMAC), so every server process finds the same room and nobody else
can guess them; it is created on the first join and destroyed when the session room ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from meetings_hub.realtime.janus import JanusClient, JanusError, JanusSession, plugin_data

log = logging.getLogger(__name__)

Emit = Callable[[str, dict[str, Any], str], Awaitable[None]]


@dataclass
class SfuLeg:
    room_id: int
    who: str
    sid: str
    leg: str
    session: JanusSession | None = None
    publisher: int = 0
    published: bool = False
    # Publishers that were in the room when this leg joined: subscribed once it publishes.
    waiting: list[dict[str, Any]] = field(default_factory=list)
    subs: dict[int, tuple[int, str]] = field(default_factory=dict)  # feed -> (handle, who)


class Sfu:
    def __init__(self, client: JanusClient, secret: bytes, max_participants: int) -> None:
        self.client = client
        self.key = secret
        self.max_participants = max_participants
        self.legs: dict[str, SfuLeg] = {}  # by leg id
        self.emit: Emit | None = None
        self.on_gone: Callable[[SfuLeg], None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    def room_keys(self, room_id: int) -> tuple[int, str, str]:
        digest = hmac.new(self.key, f"janus-room:{room_id}".encode(), hashlib.sha256).digest()
        number = int.from_bytes(digest[:6], "big") + 1  # within JavaScript's safe integers
        return number, digest[6:22].hex(), digest[22:30].hex()

    def _spawn(self, work: Awaitable[Any]) -> None:
        async def run() -> None:
            try:
                await work
            except JanusError as exc:
                log.warning("janus: %s", exc)
            except Exception:
                log.exception("janus task failed")

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- a leg --------------------------------------------------------------------------------

    async def start(self, room_id: int, who: str, sid: str, leg_id: str) -> SfuLeg:
        """Joins the Janus room as a publisher (creating the room if needed)."""
        leg = SfuLeg(room_id, who, sid, leg_id)
        leg.session = await self.client.session(lambda h, e, j: self._event(leg, h, e, j))
        self.legs[leg_id] = leg
        try:
            leg.publisher = await leg.session.attach()
            number, secret, pin = self.room_keys(room_id)
            try:
                await self.client.plugin_request(
                    leg.session.id,
                    leg.publisher,
                    {
                        "request": "create",
                        "room": number,
                        "secret": secret,
                        "pin": pin,
                        "is_private": True,
                        "permanent": False,
                        "publishers": self.max_participants,
                        "audiocodec": "opus",
                        "videocodec": "vp8",
                    },
                )
            except JanusError as exc:
                if exc.code != 427:  # the room exists already
                    raise
            body = {"request": "join", "ptype": "publisher", "room": number, "pin": pin}
            data, _ = await leg.session.request(leg.publisher, {**body, "display": who})
            leg.waiting = list(data.get("publishers", []))
        except BaseException:
            await self.stop(leg_id)
            raise
        return leg

    async def publish(self, leg: SfuLeg, offer: dict[str, Any]) -> dict[str, Any]:
        """The browser's offer for what it sends; Janus's answer. Later offers (a camera, a
        screen added) reconfigure the same publisher."""
        assert leg.session is not None
        body = {"request": "configure" if leg.published else "publish"}
        _, answer = await leg.session.request(leg.publisher, body, offer)
        if answer is None:
            raise JanusError(0, "no answer to the offer")
        if not leg.published:
            leg.published = True
            for publisher in leg.waiting:
                self._spawn(self.subscribe(leg, publisher))
            leg.waiting = []
        return answer

    async def subscribe(self, leg: SfuLeg, publisher: dict[str, Any]) -> None:
        feed, who = int(publisher["id"]), str(publisher.get("display", ""))
        if leg.session is None or feed in leg.subs or who == leg.who:
            return
        handle = await leg.session.attach()
        leg.subs[feed] = (handle, who)
        number, _, pin = self.room_keys(leg.room_id)
        body = {
            "request": "join",
            "ptype": "subscriber",
            "room": number,
            "pin": pin,
            "streams": [{"feed": feed}],
        }
        _, offer = await leg.session.request(handle, body)
        if offer is not None:
            await self._offer(leg, handle, who, offer)

    async def _offer(self, leg: SfuLeg, handle: int, who: str, offer: dict[str, Any]) -> None:
        if self.emit is not None:
            event = {"room_id": leg.room_id, "to_leg": leg.leg, "who": who, "sub": handle}
            await self.emit("call_sfu_offer", {**event, "jsep": offer}, leg.sid)

    async def answer(self, leg: SfuLeg, handle: int, answer: dict[str, Any]) -> None:
        if leg.session is None or handle not in {h for h, _ in leg.subs.values()}:
            raise JanusError(404, "no such subscription")
        await leg.session.request(handle, {"request": "start"}, answer)

    async def stop(self, leg_id: str) -> None:
        leg = self.legs.pop(leg_id, None)
        if leg is not None and leg.session is not None:
            await leg.session.destroy()  # Janus tells the others this publisher left

    def stop_soon(self, leg_id: str) -> None:
        if leg_id in self.legs:
            self._spawn(self.stop(leg_id))

    # ---- what Janus says ---------------------------------------------------------------------

    def _event(
        self, leg: SfuLeg, handle: int, event: dict[str, Any], jsep: dict[str, Any] | None
    ) -> None:
        if event.get("janus") == "gone":
            if self.legs.get(leg.leg) is leg and self.on_gone is not None:
                self.on_gone(leg)
            return
        try:
            data = plugin_data(event) if "plugindata" in event else {}
        except JanusError:
            return
        if handle == leg.publisher:
            for publisher in data.get("publishers", []):
                if leg.published:
                    self._spawn(self.subscribe(leg, publisher))
                else:  # the page has no answer yet to receive with: after it publishes
                    leg.waiting.append(publisher)
            gone = data.get("unpublished") or data.get("leaving")
            leg.waiting = [p for p in leg.waiting if p.get("id") != gone]
            if isinstance(gone, int) and gone in leg.subs:
                sub, _ = leg.subs.pop(gone)
                if leg.session is not None:
                    self._spawn(leg.session.detach(sub))
            return
        for sub, who in leg.subs.values():
            if sub == handle and jsep is not None and jsep.get("type") == "offer":
                # The publisher renegotiated (a camera or a screen): a new offer to answer.
                self._spawn(self._offer(leg, sub, who, jsep))

    # ---- rooms -----------------------------------------------------------------------------

    async def destroy_room(self, room_id: int) -> None:
        number, secret, _ = self.room_keys(room_id)
        session = await self.client.session(lambda h, e, j: None)
        try:
            handle = await session.attach()
            with contextlib.suppress(JanusError):  # 426: no such room (never used, or gone)
                await self.client.plugin_request(
                    session.id, handle, {"request": "destroy", "room": number, "secret": secret}
                )
        finally:
            await session.destroy()

    def destroy_room_soon(self, room_id: int) -> None:
        self._spawn(self.destroy_room(room_id))

    async def close(self) -> None:
        for leg_id in list(self.legs):
            await self.stop(leg_id)
        for task in list(self._tasks):
            task.cancel()
        await self.client.close()
