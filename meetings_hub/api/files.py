"""Files in rooms over HTTP: streamed upload, the room's file list, settings, storage use, and
the downloads under /files/ (outside /api/v1 because they answer with the file, not JSON)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import BodyPartReader, MultipartReader, hdrs, web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.multipart import parse_content_disposition

from meetings_hub.actions import files
from meetings_hub.actions.file_names import content_disposition, disposition_filename
from meetings_hub.actions.file_types import serve_inline, served_type
from meetings_hub.actions.validate import parse_int
from meetings_hub.api.routing import ApiRoutes, Call
from meetings_hub.errors import BadRequest, NotFound, TooLarge
from meetings_hub.keys import actor_key, chat_committer_key, files_key, hub_key

routes = ApiRoutes()

# One read from the multipart stream: large enough that the parser's per-read work (boundary
# search, slicing) is spread over many bytes, small enough that a few in flight cost nothing.
# bench/upload_bare.py reads with the same size, so the comparison is of everything else.
READ_CHUNK = 256 * 1024
# Room for the multipart boundaries and part headers around the file itself.
MULTIPART_SLACK = 64 * 1024
# Downloads are read from disk and sent in pieces of this size (sendfile when possible).
SEND_CHUNK = 256 * 1024
# Served files can never run anything in our origin, even if a browser tried to render them.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'"
# Every download asks the server (which checks membership) again; the ETag makes it cheap.
FILE_CACHE = "private, no-cache"


def _malformed(exc: Exception) -> BadRequest:
    return BadRequest(
        "The upload is not valid multipart/form-data (a browser's FormData with one field "
        "'file' is).",
        code="malformed_upload",
        details={"reason": str(exc).strip()[:200]},
    )


async def _chunks(reader: MultipartReader, part: BodyPartReader) -> AsyncIterator[bytes]:
    while True:
        try:
            chunk = await part.read_chunk(READ_CHUNK)
        except ConnectionResetError:
            # The browser went away (tab closed, upload cancelled, line dropped); nobody will
            # read this answer, and the action has already thrown the partial file away.
            raise BadRequest("The upload was interrupted.", code="upload_interrupted") from None
        except (ValueError, HttpProcessingError) as exc:
            raise _malformed(exc) from None
        if not chunk:
            await _require_end(reader, part)
            return
        yield chunk


async def _require_end(reader: MultipartReader, part: BodyPartReader) -> None:
    """The file is complete only if its part ended at a boundary and the body's closing
    boundary came next. A body cut off after the file's bytes (a client that died, a proxy
    that gave up) reads like a short file otherwise, and was stored as one."""
    try:
        complete = part.at_eof() and await reader.next() is None
    except (ValueError, HttpProcessingError):
        complete = False
    if not complete:
        raise BadRequest(
            "The upload is incomplete: the body must end with the closing boundary right after"
            " the one field 'file'.",
            code="malformed_upload",
            details={"reason": "missing closing boundary"},
        )


async def _file_part(request: web.Request) -> tuple[MultipartReader, BodyPartReader]:
    if not request.content_type.startswith("multipart/form-data"):
        raise BadRequest(
            "Send the file as multipart/form-data in a field named 'file'.",
            code="unsupported_media_type",
        )
    try:
        reader = await request.multipart()
        part = await reader.next()
    except (ValueError, HttpProcessingError) as exc:
        raise _malformed(exc) from None
    if not isinstance(part, BodyPartReader) or part.name != "file":
        raise BadRequest("The upload has no field named 'file'.", code="no_file")
    return reader, part


def _filename(part: BodyPartReader) -> str | None:
    header = part.headers.get(hdrs.CONTENT_DISPOSITION, "")
    _, params = parse_content_disposition(header)
    if any(key.startswith("filename*") for key in params):
        return part.filename  # RFC 5987/2231: percent-encoded, no backslash to misread
    return disposition_filename(header)


@routes.route(
    "POST",
    "/rooms/{room_id}/files",
    summary="Share a file in a room (multipart/form-data, one field 'file'; streamed)",
    response=files.SharedFile,
    status=201,
    tag="files",
    errors=(400, 413),
)
async def upload(call: Call) -> files.SharedFile:
    room_id = call.int_param("room_id")
    max_bytes = call.hub.settings.file_max_bytes
    declared = call.request.content_length
    if declared is not None and declared > max_bytes + MULTIPART_SLACK:
        # Refused before a byte of the body is read; the streamed count below catches the rest.
        raise TooLarge(
            f"The file is larger than the limit of {max_bytes / 1_000_000:.0f} MB.",
            code="file_too_large",
            details={"max_bytes": max_bytes},
        )
    await files.check_upload(call.hub, call.actor, room_id)
    reader, part = await _file_part(call.request)
    app = call.request.app
    return await files.receive_upload(
        call.hub,
        app[files_key],
        app[chat_committer_key],
        call.actor,
        room_id,
        _filename(part),
        _chunks(reader, part),
    )


@routes.route(
    "GET",
    "/rooms/{room_id}/files",
    summary="Files shared in a room, newest first (?before_id= for the next page)",
    response=files.RoomFiles,
    tag="files",
)
async def list_files(call: Call) -> files.RoomFiles:
    limit = call.query_int("limit")
    return await files.list_room_files(
        call.hub,
        call.actor,
        call.int_param("room_id"),
        before_id=call.query_int("before_id", low=1),
        limit=100 if limit is None else limit,
    )


@routes.route(
    "PUT",
    "/rooms/{room_id}/file-settings",
    summary="May guests share files in this room (moderators)",
    body=files.FileSettingsInput,
    response=files.RoomFiles,
    tag="files",
)
async def put_settings(call: Call) -> files.RoomFiles:
    return await files.set_room_file_settings(
        call.hub, call.actor, call.int_param("room_id"), call.body
    )


@routes.route(
    "GET",
    "/files/storage",
    summary="Storage used per room and per library (coordinators)",
    response=files.StorageUsage,
    tag="files",
)
async def usage(call: Call) -> files.StorageUsage:
    return await files.storage_usage(call.hub, call.actor)


@routes.route(
    "GET",
    "/files/{file_id}",
    summary="One shared file's details",
    response=files.SharedFile,
    tag="files",
)
async def get_file(call: Call) -> files.SharedFile:
    return await files.get_file(call.hub, call.actor, call.int_param("file_id"))


def _file_id(request: web.Request) -> int:
    value = parse_int(request.match_info["file_id"], low=1)
    if value is None:
        raise NotFound("File not found.")
    return value


def _file_headers(content_type: str, disposition: str) -> dict[str, str]:
    return {
        hdrs.CONTENT_TYPE: content_type,
        hdrs.CONTENT_DISPOSITION: disposition,
        hdrs.X_CONTENT_TYPE_OPTIONS: "nosniff",
        hdrs.CONTENT_SECURITY_POLICY: FILE_CSP,
        hdrs.CACHE_CONTROL: FILE_CACHE,
    }


async def download(request: web.Request) -> web.StreamResponse:
    """The file itself: members only (asked on every request), Range and ETag by FileResponse.
    ``?inline=1`` shows images, audio and video in the browser; everything else downloads."""
    hub = request.app[hub_key]
    found = await files.open_download(
        hub,
        request[actor_key],
        _file_id(request),
        request.app[files_key],
        name=request.match_info.get("name"),
    )
    inline = request.query.get("inline") == "1" and serve_inline(found.mime)
    headers = _file_headers(served_type(found.mime), content_disposition(found.name, inline=inline))
    return web.FileResponse(found.path, chunk_size=SEND_CHUNK, headers=headers)


async def thumbnail(request: web.Request) -> web.StreamResponse:
    hub = request.app[hub_key]
    path = await files.open_thumbnail(
        hub, request[actor_key], _file_id(request), request.app[files_key]
    )
    headers = _file_headers("image/webp", 'inline; filename="thumbnail.webp"')
    return web.FileResponse(path, headers=headers)


def install_downloads(app: web.Application) -> None:
    app.router.add_get(r"/files/{file_id:\d+}", download)
    app.router.add_get(r"/files/{file_id:\d+}/thumbnail", thumbnail)
    # The name in the path makes "save link as" pick it; it must be the file's own name.
    app.router.add_get(r"/files/{file_id:\d+}/{name}", download)


async def file_store(app: web.Application) -> AsyncIterator[None]:
    """Start-up: uploads cut off when the server last stopped left temp files that nothing
    refers to; they go before the first request comes in. Young ones stay: another server
    process sharing the data directory may be writing them (``cleanup`` takes them later)."""
    store = app[files_key].blobs
    store.ensure_dirs()
    store.clear_temp(older_than_seconds=files.TEMP_GRACE.total_seconds())
    yield
