"""Calendar feeds over HTTP: the JSON API for the addresses, and the .ics files themselves.

The feed files live at /feeds/<token>.ics, outside /api/v1: calendar apps fetch them with no
cookie, so the secret token in the path is the only key. They answer conditional requests
(ETag / If-None-Match, Last-Modified / If-Modified-Since) with 304, because Google, Outlook
and Apple poll them for as long as the subscription lives.
"""

from __future__ import annotations

import re
from datetime import datetime

import msgspec
from aiohttp import web

from meetings_hub.actions import feeds, ics_import
from meetings_hub.actions.file_names import content_disposition
from meetings_hub.api.routing import ApiRoutes, Call, decode_body
from meetings_hub.errors import BadRequest, NotFound
from meetings_hub.keys import hub_key

routes = ApiRoutes()

# Clients may keep a copy but must ask again before using it; the ETag makes asking cheap.
# "private": the address is a secret, shared caches must not keep it.
_CACHE_CONTROL = "private, max-age=0, must-revalidate"
_FEED_NAME = re.compile(r"([A-Za-z0-9_-]{1,100})\.ics")


@routes.route(
    "GET",
    "/feeds",
    summary="My calendar feeds, with subscribe links (addresses are made on first call)",
    response=list[feeds.FeedLinks],
    tag="feeds",
)
async def list_feeds(call: Call) -> list[feeds.FeedLinks]:
    return await feeds.my_feeds(call.hub, call.actor)


@routes.route(
    "POST",
    "/feeds/regenerate",
    summary="Give one of my feeds a new secret address; the old one stops working",
    body=feeds.RegenerateInput,
    response=feeds.FeedLinks,
    tag="feeds",
    errors=(404,),
)
async def regenerate(call: Call) -> feeds.FeedLinks:
    return await feeds.regenerate(call.hub, call.actor, call.body)


# What browsers and curl send for an .ics file.
_ICS_TYPES = ("text/calendar", "application/octet-stream", "text/plain", "application/ics", "")


class IcsUpload(msgspec.Struct, forbid_unknown_fields=True):
    """The JSON form of an upload, for clients that only send JSON: the file's text."""

    ics: str


async def _ics_body(call: Call) -> bytes:
    """The file itself as the body, or JSON {"ics": "<the file's text>"}."""
    if call.request.content_type == "application/json":
        return decode_body(await call.request.read(), IcsUpload).ics.encode("utf-8")
    if call.request.content_type not in _ICS_TYPES:
        raise BadRequest(
            'Send the .ics file as the body (Content-Type: text/calendar), or JSON {"ics": "..."}.',
            code="unsupported_media_type",
        )
    return await call.request.read()


@routes.route(
    "POST",
    "/networks/{network_id}/ics-import/preview",
    summary="Read an .ics file (the body, text/calendar, or JSON {ics}) and show what "
    "importing it would create; 422 with a list of problems when nothing can be imported",
    response=ics_import.ImportPreview,
    tag="feeds",
    errors=(400, 413, 422),
)
async def import_preview(call: Call) -> ics_import.ImportPreview:
    network_id = call.int_param("network_id")
    return await ics_import.preview(call.hub, call.actor, network_id, await _ics_body(call))


@routes.route(
    "POST",
    "/networks/{network_id}/ics-import",
    summary="Create the network's sessions from an .ics file (the body, text/calendar, "
    "or JSON {ics})",
    response=ics_import.ImportDone,
    status=201,
    tag="feeds",
    errors=(400, 413, 422),
)
async def import_run(call: Call) -> ics_import.ImportDone:
    network_id = call.int_param("network_id")
    return await ics_import.run(call.hub, call.actor, network_id, await _ics_body(call))


def _etag_matches(header: str, etag: str) -> bool:
    # RFC 9110 13.1.2: If-None-Match uses the weak comparison; "*" matches any current body.
    candidates = [part.strip() for part in header.split(",")]
    return any(c == "*" or c.removeprefix("W/") == etag for c in candidates)


def not_modified(request: web.Request, etag: str, last_modified: datetime) -> bool:
    """Whether a GET/HEAD may be answered 304. If-None-Match, when sent, decides alone."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return _etag_matches(if_none_match, etag)
    since = request.if_modified_since
    return since is not None and last_modified <= since


async def feed_file(request: web.Request) -> web.StreamResponse:
    token = _FEED_NAME.fullmatch(request.match_info["name"])
    if token is None:
        raise NotFound("Feed not found.")
    hub = request.app[hub_key]
    head = await feeds.feed_head(hub, token.group(1))
    headers = {"Cache-Control": _CACHE_CONTROL, "X-Robots-Tag": "noindex, nofollow"}
    # Decided before anything is built: a calendar app polls for as long as it subscribes.
    if head.etag is not None and head.last_modified is not None:
        if not_modified(request, head.etag, head.last_modified):
            response = web.Response(status=304, headers={**headers, "ETag": head.etag})
            response.last_modified = head.last_modified
            return response
    file = await feeds.body_of(hub, head)
    headers["ETag"] = file.etag
    if not_modified(request, file.etag, file.last_modified):
        response = web.Response(status=304, headers=headers)
    else:
        inline = not request.query.get("download")
        headers["Content-Disposition"] = content_disposition(file.filename, inline=inline)
        response = web.Response(
            body=file.body, headers=headers, content_type="text/calendar", charset="utf-8"
        )
    response.last_modified = file.last_modified
    return response


def install_files(app: web.Application) -> None:
    # add_get also answers HEAD with the same headers and no body. The whole last segment is
    # the parameter ("<token>.ics"), so that any other name answers the JSON 404.
    app.router.add_get("/feeds/{name}", feed_file)
