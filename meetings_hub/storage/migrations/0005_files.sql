-- Files shared in rooms. The bytes live on disk under data_dir/files/blobs, named by their
-- SHA-256 (never by the client's name), so identical files are stored once; a row here exists
-- only for a file whose upload completed.

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size INTEGER NOT NULL CHECK (size >= 0),
    -- Sniffed from the content, never taken from the client.
    mime TEXT NOT NULL,
    -- A thumbnail exists under data_dir/files/thumbs (images only); its pixel size.
    thumb_width INTEGER,
    thumb_height INTEGER,
    created_at TEXT NOT NULL
);

CREATE TABLE room_files (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    -- NULL once the retention period removed the file and no other room still shares it.
    sha256 TEXT REFERENCES blobs (sha256) ON DELETE SET NULL,
    -- The cleaned name shown to people and sent back in Content-Disposition.
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    -- Copied from the blob, so history still shows them after the bytes are gone.
    size INTEGER NOT NULL CHECK (size >= 0),
    mime TEXT NOT NULL,
    person_id INTEGER REFERENCES persons (id) ON DELETE SET NULL,
    guest_id INTEGER REFERENCES guests (id) ON DELETE SET NULL,
    -- Kept as written at upload time, so the list still says who shared it after an account
    -- or a guest is gone.
    uploader_name TEXT NOT NULL,
    -- The library the storage is counted against: the uploader's, or for guests and
    -- coordinators the library hosting the meeting or leading the network (NULL if none).
    library_id INTEGER REFERENCES libraries (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    -- Set when the retention period removed the file; the row stays so the room's history
    -- can say "removed" instead of showing a dead link.
    removed_at TEXT
);
CREATE INDEX room_files_room ON room_files (room_id, created_at);
CREATE INDEX room_files_sha ON room_files (sha256);
CREATE INDEX room_files_created ON room_files (created_at) WHERE removed_at IS NULL;
