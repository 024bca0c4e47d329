-- Rooms: one per online session, one standing room per network, direct messages, group rooms.
-- Membership of session and network rooms follows the network and the invitations (computed in
-- actions/rooms.py); direct and group rooms list their members here.

CREATE TABLE rooms (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('session', 'network', 'direct', 'group')),
    meeting_id INTEGER UNIQUE REFERENCES meetings (id) ON DELETE CASCADE,
    network_id INTEGER REFERENCES networks (id),
    -- 'a:b' with a < b, the two person ids of a direct room, so each pair has one room.
    direct_key TEXT UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES persons (id),
    created_at TEXT NOT NULL,
    locked_at TEXT,
    ended_at TEXT,
    guests_may_upload INTEGER NOT NULL DEFAULT 1,
    -- The highest message seq handed out; seqs are gap-free per room.
    last_seq INTEGER NOT NULL DEFAULT 0,
    CHECK (kind <> 'session' OR meeting_id IS NOT NULL),
    CHECK (kind <> 'network' OR network_id IS NOT NULL),
    CHECK (kind <> 'direct' OR direct_key IS NOT NULL)
);
CREATE UNIQUE INDEX rooms_one_per_network ON rooms (network_id) WHERE kind = 'network';

CREATE TABLE room_members (
    room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator')),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (room_id, person_id)
);
CREATE INDEX room_members_person ON room_members (person_id);

-- People and guests removed from a room by a moderator; they cannot come back in.
CREATE TABLE room_bans (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    person_id INTEGER REFERENCES persons (id) ON DELETE CASCADE,
    guest_id INTEGER REFERENCES guests (id) ON DELETE CASCADE,
    banned_by INTEGER REFERENCES persons (id),
    created_at TEXT NOT NULL,
    CHECK ((person_id IS NULL) <> (guest_id IS NULL))
);
CREATE INDEX room_bans_room ON room_bans (room_id);

-- Attendance: when each person or guest was present in a session room. Several tabs of one
-- person are one presence (the realtime layer opens a row on the first tab, closes it on the
-- last). The savings log and the programme report are computed from this table.
CREATE TABLE attendance (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    meeting_id INTEGER REFERENCES meetings (id) ON DELETE CASCADE,
    person_id INTEGER REFERENCES persons (id) ON DELETE CASCADE,
    guest_id INTEGER REFERENCES guests (id) ON DELETE CASCADE,
    joined_at TEXT NOT NULL,
    left_at TEXT,
    CHECK ((person_id IS NULL) <> (guest_id IS NULL)),
    CHECK (left_at IS NULL OR left_at >= joined_at)
);
CREATE INDEX attendance_meeting ON attendance (meeting_id);
CREATE INDEX attendance_person ON attendance (person_id);
