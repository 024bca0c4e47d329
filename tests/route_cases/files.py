"""Files in rooms: uploads, lists, settings, storage use, and the downloads under /files/.

The world gets the Morawica network's room with an image shared by the lead (so the thumbnail
exists), and the session room of ``meeting_id`` (the guest's meeting) with a file of its own.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image

from meetings_hub.actions import rooms
from meetings_hub.actions.thumbnails import Thumbnailer
from meetings_hub.domain import Actor
from meetings_hub.storage import files, people
from meetings_hub.storage.blobs import BlobStore
from tests.route_cases import MANAGERS, PEOPLE, Case, World

MEMBERS = PEOPLE - {"other_lead"}  # partner, lead, coordinator: the Morawica room's people
HIDDEN = {"other_lead": 404, "guest": 404}  # other networks' rooms do not exist for them


async def _shared(world: World, room_id: int, name: str, content: bytes, mime: str) -> int:
    """A file as a finished upload leaves it: the blob on disk, its thumbnail, the rows."""
    store = BlobStore(world.hub.settings.data_dir / "files")
    sha256 = hashlib.sha256(content).hexdigest()
    path = store.blob_path(sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    thumb = None
    if mime == "image/png":
        thumb = await Thumbnailer(max_pixels=10_000_000).make(path, store.thumb_path(sha256))
    async with world.hub.db.write() as tx:
        await files.insert_blob(tx, sha256, len(content), mime, thumb)
        return await files.insert_file(
            tx,
            room_id=room_id,
            sha256=sha256,
            name=name,
            size=len(content),
            mime=mime,
            person_id=world.ids["lead_person_id"],
            guest_id=None,
            uploader_name="Anna Kowalczyk",
            library_id=world.ids["lead_library_id"],
        )


async def setup_world(world: World) -> None:
    async with world.hub.db.read() as reader:
        lead = await people.get(reader, world.ids["lead_person_id"])
    actor = Actor(person=lead)
    # Found or opened the way the rooms feature does, so its own world setup finds the same.
    network_room = await rooms.room_for_network(world.hub, actor, world.ids["network_id"])
    session_room = await rooms.room_for_meeting(world.hub, actor, world.ids["meeting_id"])
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), "#0b5394").save(picture, "PNG")
    world.ids["files_room_id"] = network_room
    world.ids["files_session_room_id"] = session_room
    world.ids["files_file_id"] = await _shared(
        world, network_room, "plakat.png", picture.getvalue(), "image/png"
    )
    world.ids["files_guest_file_id"] = await _shared(
        world, session_room, "program.txt", b"program spotkania", "text/plain"
    )


async def _named(world: World, role: str) -> dict[str, object]:
    return {"file_id": world.ids["files_file_id"], "name": "plakat.png"}


ROOM = {"room_id": "files_room_id"}
FILE = {"file_id": "files_file_id"}

CASES = [
    Case(
        "POST",
        "/api/v1/rooms/{room_id}/files",
        allowed=MEMBERS,
        refused=HIDDEN,
        ids=ROOM,
        body={"file": "the walk sends JSON"},
        ok=400,
        note="the walk sends JSON: members get past the room check to 'send multipart' (400); "
        "real uploads are tested in tests/files",
    ),
    Case("GET", "/api/v1/rooms/{room_id}/files", allowed=MEMBERS, refused=HIDDEN, ids=ROOM),
    Case(
        "PUT",
        "/api/v1/rooms/{room_id}/file-settings",
        allowed=MANAGERS,
        refused=HIDDEN,
        ids=ROOM,
        body={"guests_may_upload": True},
        note="moderators of the network room: its lead library and coordinators",
    ),
    Case("GET", "/api/v1/files/storage", allowed={"coordinator"}),
    Case("GET", "/api/v1/files/{file_id}", allowed=MEMBERS, refused=HIDDEN, ids=FILE),
    Case("GET", "/files/{file_id}", allowed=MEMBERS, refused=HIDDEN, ids=FILE),
    Case(
        "GET",
        "/files/{file_id}",
        allowed=MEMBERS | {"guest"},
        refused={"other_lead": 404},
        ids={"file_id": "files_guest_file_id"},
        note="a file in the guest's own meeting room",
    ),
    Case("GET", "/files/{file_id}/thumbnail", allowed=MEMBERS, refused=HIDDEN, ids=FILE),
    Case(
        "GET",
        "/files/{file_id}/{name}",
        allowed=MEMBERS,
        refused=HIDDEN,
        prepare=_named,
    ),
]
