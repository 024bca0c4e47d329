"""A multipart upload is stored only when its body is complete: the file part ends at a
boundary and the closing boundary follows. Sent as raw HTTP, so the body can end anywhere."""

from __future__ import annotations

import asyncio
import json

import pytest
from yarl import URL

from tests.files.support import count_rows, morawica_room, stored_files
from tests.support import LEAD, Client, Server

HEAD = b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
CONTENT = b"tresc pliku, cala\n"
OTHER_FIELD = b'\r\n--B\r\nContent-Disposition: form-data; name="note"\r\n\r\nx'

CUT_OFF = {
    "no boundary after the bytes": b"",
    "cut inside the delimiter": b"\r\n--",
    "a delimiter, then nothing": b"\r\n--B",
    "a delimiter and line break, then nothing": b"\r\n--B\r\n",
    "half the closing dashes": b"\r\n--B-",
    "another field after the file": OTHER_FIELD + b"\r\n--B--\r\n",
    "another field, cut off": OTHER_FIELD,
}
COMPLETE = {
    "closing boundary": b"\r\n--B--\r\n",
    "closing boundary without a line break": b"\r\n--B--",
    "closing boundary and an epilogue": b"\r\n--B--\r\nepilog\r\n",
}


async def _raw_upload(
    server: Server, client: Client, room_id: int, body: bytes, *, chunked: bool = False
) -> tuple[int, dict]:
    cookie = client.session.cookie_jar.filter_cookies(URL(server.url))["mh_session"].value
    host, port = server.settings.host, server.settings.port
    reader, writer = await asyncio.open_connection(host, port)
    framing = "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {len(body)}\r\n"
    payload = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n" if chunked else body
    writer.write(
        (
            f"POST /api/v1/rooms/{room_id}/files HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Cookie: mh_session={cookie}\r\nX-CSRF-Token: {client.csrf}\r\n"
            "Content-Type: multipart/form-data; boundary=B\r\n"
            f"{framing}Connection: close\r\n\r\n"
        ).encode()
        + payload
    )
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 60)
    writer.close()
    head, _, text = answer.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    if b"chunked" in head.lower():
        text = _unchunk(text)
    return status, json.loads(text)


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2 :]
    return out


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("ending", list(CUT_OFF), ids=list(CUT_OFF))
async def test_an_incomplete_body_is_refused_and_nothing_stored(
    server, client_factory, ending: str, chunked: bool
) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    status, body = await _raw_upload(
        server, lead, room_id, HEAD + CONTENT + CUT_OFF[ending], chunked=chunked
    )
    assert status == 400, body
    assert body["error"]["code"] == "malformed_upload"
    assert await count_rows(server, "room_files") == 0
    assert await count_rows(server, "blobs") == 0
    assert stored_files(server) == {"tmp": [], "blobs": [], "thumbs": []}
    status, history = await lead.get(f"/api/v1/rooms/{room_id}/messages")
    assert status == 200 and not [m for m in history["messages"] if m["kind"] == "file"]


@pytest.mark.parametrize("ending", list(COMPLETE), ids=list(COMPLETE))
async def test_a_complete_body_is_stored(server, client_factory, ending: str) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    status, shared = await _raw_upload(server, lead, room_id, HEAD + CONTENT + COMPLETE[ending])
    assert status == 201, shared
    assert shared["name"] == "a.txt" and shared["size"] == len(CONTENT)
