"""Libraries, networks, network membership."""

from __future__ import annotations

from meetings_hub.actions import network
from meetings_hub.api.routing import ApiRoutes, Call
from meetings_hub.domain import Library, Network

routes = ApiRoutes()


@routes.route(
    "GET", "/libraries", summary="Libraries I can see", response=list[Library], tag="network"
)
async def list_libraries(call: Call) -> list[Library]:
    return await network.list_libraries(call.hub, call.actor)


@routes.route(
    "POST",
    "/libraries",
    summary="Add a library",
    body=network.LibraryInput,
    response=Library,
    status=201,
    tag="network",
    errors=(409,),
)
async def create_library(call: Call) -> Library:
    return await network.create_library(call.hub, call.actor, call.body)


@routes.route(
    "GET", "/libraries/{library_id}", summary="One library", response=Library, tag="network"
)
async def get_library(call: Call) -> Library:
    return await network.get_library(call.hub, call.actor, call.int_param("library_id"))


@routes.route(
    "PATCH",
    "/libraries/{library_id}",
    summary="Change a library",
    body=network.LibraryPatch,
    response=Library,
    tag="network",
    errors=(409,),
)
async def update_library(call: Call) -> Library:
    return await network.update_library(
        call.hub, call.actor, call.int_param("library_id"), call.body
    )


@routes.route(
    "GET", "/networks", summary="Networks I can see", response=list[Network], tag="network"
)
async def list_networks(call: Call) -> list[Network]:
    return await network.list_networks(call.hub, call.actor)


@routes.route(
    "POST",
    "/networks",
    summary="Create a network (coordinator)",
    body=network.NetworkInput,
    response=Network,
    status=201,
    tag="network",
    errors=(409,),
)
async def create_network(call: Call) -> Network:
    return await network.create_network(call.hub, call.actor, call.body)


@routes.route(
    "GET",
    "/networks/{network_id}",
    summary="One network with its members",
    response=Network,
    tag="network",
)
async def get_network(call: Call) -> Network:
    return await network.get_network(call.hub, call.actor, call.int_param("network_id"))


@routes.route(
    "PATCH",
    "/networks/{network_id}",
    summary="Rename or annotate a network",
    body=network.NetworkPatch,
    response=Network,
    tag="network",
    errors=(409,),
)
async def update_network(call: Call) -> Network:
    return await network.update_network(
        call.hub, call.actor, call.int_param("network_id"), call.body
    )


@routes.route(
    "POST",
    "/networks/{network_id}/members",
    summary="Add a partner library to a network",
    body=network.MemberInput,
    response=Network,
    status=201,
    tag="network",
    errors=(409,),
)
async def add_member(call: Call) -> Network:
    return await network.add_member(call.hub, call.actor, call.int_param("network_id"), call.body)


@routes.route(
    "DELETE",
    "/networks/{network_id}/members/{library_id}",
    summary="End a library's membership today (history is kept)",
    response=Network,
    tag="network",
    errors=(409,),
)
async def end_membership(call: Call) -> Network:
    return await network.end_membership(
        call.hub, call.actor, call.int_param("network_id"), call.int_param("library_id")
    )
