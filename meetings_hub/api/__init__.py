"""JSON HTTP API under /api/v1: thin handlers that parse, call one action, render."""

from __future__ import annotations

from meetings_hub.api import (
    feeds,
    files,
    network,
    people,
    privacy,
    rooms,
    savings,
    scheduling,
    session,
    system,
)
from meetings_hub.api.routing import ApiRoutes

# Each feature owns its route table; the app installs them all and OpenAPI reads them all.
ROUTE_TABLES: tuple[ApiRoutes, ...] = (
    session.routes,
    people.routes,
    network.routes,
    system.routes,
    # scheduling (issue 4)
    scheduling.routes,
    # feeds (issue 4)
    feeds.routes,
    # rooms (issue 5)
    rooms.routes,
    # files (issue 6)
    files.routes,
    # savings (issue 11)
    savings.routes,
    # data protection (issue 17)
    privacy.routes,
)


def all_routes() -> ApiRoutes:
    merged = ApiRoutes()
    for table in ROUTE_TABLES:
        merged.endpoints.extend(table.endpoints)
    return merged
