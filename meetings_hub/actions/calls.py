"""Voice and video calls in rooms: who may join a call, and what a signalling message may carry.

A call belongs to a chat room and is open to exactly those who may be in the room
(``check_room_access`` through ``chat.check_join``). Without an SFU the browsers send media to
each other (a mesh), so a call takes at most ``p2p_max_participants`` people; through Janus
(``janus_url``) at most ``call_max_participants``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from meetings_hub.actions import chat
from meetings_hub.actions.chat import ChatError
from meetings_hub.actions.rooms import RoomAccess
from meetings_hub.domain import Actor
from meetings_hub.hub import Hub

# An SDP of a call with audio, a camera and a screen is a few kilobytes; far more is abuse.
MAX_SDP = 64_000
MAX_CANDIDATE = 1_000
DESCRIPTION_TYPES = {"offer", "answer", "rollback"}


def max_participants(hub: Hub) -> int:
    if hub.settings.janus_url:
        return max(2, hub.settings.call_max_participants)
    return max(2, hub.settings.p2p_max_participants)


def _urls(value: str) -> list[str]:
    return [url.strip() for url in value.split(",") if url.strip()]


def turn_credentials(secret: str, who: str, ttl: int, now: float) -> tuple[str, str]:
    """The TURN REST API scheme (coturn ``use-auth-secret``): the user name is the expiry time
    and who it is for; the password is the base64 HMAC-SHA1 of the user name under the secret
    shared with the TURN server. Nothing is stored; the TURN server checks it by itself."""
    username = f"{int(now) + ttl}:{who}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(hub: Hub, who: str) -> list[dict[str, Any]]:
    """What the browsers' RTCPeerConnection gets as ``iceServers`` (given only to people who
    passed the call's access check)."""
    settings = hub.settings
    servers: list[dict[str, Any]] = []
    if stun := _urls(settings.call_stun_urls):
        servers.append({"urls": stun})
    if (turn := _urls(settings.turn_urls)) and settings.turn_secret:
        username, credential = turn_credentials(
            settings.turn_secret, who, settings.turn_ttl_seconds, time.time()
        )
        servers.append({"urls": turn, "username": username, "credential": credential})
    return servers


async def check_call_join(
    hub: Hub, actor: Actor, room_id: int, who: str, members: set[str]
) -> RoomAccess:
    """May this actor join the room's call now, with these people in it already?"""
    access = await chat.check_join(hub, actor, room_id)
    if access.room["ended_at"] is not None:
        raise ChatError("The session has ended; its call is closed.", code="call_closed")
    limit = max_participants(hub)
    if who not in members and len(members) >= limit:
        kind = "call" if hub.settings.janus_url else "peer-to-peer call"
        message = f"The call is full: a {kind} takes at most {limit} people."
        raise ChatError(message, code="call_full")
    return access


def check_signal(data: dict[str, Any]) -> dict[str, Any]:
    """The part of a signalling message that is passed on: a session description or an ICE
    candidate, with only the fields RTCPeerConnection reads, checked for type and size."""
    description, candidate = data.get("description"), data.get("candidate")
    if (description is None) == (candidate is None):
        raise ChatError("Send either a description or a candidate.", code="bad_request")
    if description is not None:
        if not isinstance(description, dict) or description.get("type") not in DESCRIPTION_TYPES:
            raise ChatError("description.type must be offer or answer.", code="bad_request")
        sdp = description.get("sdp", "")
        if not isinstance(sdp, str) or len(sdp) > MAX_SDP:
            raise ChatError("description.sdp is not a session description.", code="bad_request")
        return {"description": {"type": description["type"], "sdp": sdp}}
    if not isinstance(candidate, dict):
        raise ChatError("candidate must be an object.", code="bad_request")
    text, mid, index = (
        candidate.get("candidate"),
        candidate.get("sdpMid"),
        candidate.get("sdpMLineIndex"),
    )
    if not isinstance(text, str) or len(text) > MAX_CANDIDATE:
        raise ChatError("candidate.candidate is not an ICE candidate.", code="bad_request")
    if mid is not None and (not isinstance(mid, str) or len(mid) > 64):
        raise ChatError("candidate.sdpMid is not a media id.", code="bad_request")
    if index is not None and (type(index) is not int or not 0 <= index < 1000):
        raise ChatError("candidate.sdpMLineIndex is not a line number.", code="bad_request")
    return {"candidate": {"candidate": text, "sdpMid": mid, "sdpMLineIndex": index}}


def check_media_state(data: dict[str, Any]) -> dict[str, bool]:
    state = {}
    for name in ("muted", "camera", "screen"):
        value = data.get(name, False)
        if not isinstance(value, bool):
            raise ChatError(f"{name} must be true or false.", code="bad_request")
        state[name] = value
    return state
