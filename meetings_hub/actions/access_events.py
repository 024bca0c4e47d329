"""Telling open chat sockets that what someone may reach has changed.

Sockets are authorised when they connect and join; a logout, a password change, a disabled
account, a withdrawn guest link or a library leaving its network changes that later. Actions
announce such a change after their commit; the realtime layer of every process (through Redis
too) then confirms the access of the sockets concerned again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from meetings_hub.hub import Hub

ACCESS_CHANGED = "access_changed"
# Sent to a socket.io room no socket is in: only the server processes see it.
_NOBODY = "access-changes"


def access_changed(
    hub: Hub, *, who: str | None = None, network_id: int | None = None, room_id: int | None = None
) -> Callable[[], Awaitable[None]]:
    """An after-commit callback announcing the change for a person or guest ("p:3", "g:5"),
    everyone in a network's rooms, or everyone in one room."""
    data = {"who": who, "network_id": network_id, "room_id": room_id}
    return lambda: hub.emit(ACCESS_CHANGED, data, _NOBODY)
