-- Chat messages, read markers, mentions, presence and the search index (issue 5).

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    -- Gap-free per room, assigned inside the transaction that stores the message.
    seq INTEGER NOT NULL,
    -- Made by the client; a resend with the same id finds this row instead of adding one.
    client_msg_id TEXT NOT NULL,
    person_id INTEGER REFERENCES persons (id) ON DELETE SET NULL,
    guest_id INTEGER REFERENCES guests (id) ON DELETE SET NULL,
    -- 'p:<person id>' or 'g:<guest id>': kept even if the account goes, with the name then.
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'text',
    text TEXT NOT NULL,
    -- JSON for non-text kinds (e.g. a file card), NULL for plain text.
    body TEXT,
    -- JSON list of mentioned person ids.
    mentions TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    edited_at TEXT,
    deleted_at TEXT,
    deleted_by TEXT,
    UNIQUE (room_id, seq),
    UNIQUE (room_id, client_msg_id)
);

CREATE TABLE message_mentions (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    room_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    PRIMARY KEY (person_id, room_id, seq, message_id)
) WITHOUT ROWID;

-- Where each reader (who-key) has read up to, per room: unread counts and "read by N".
CREATE TABLE room_reads (
    room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    reader TEXT NOT NULL,
    last_read_seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, reader)
) WITHOUT ROWID;

-- Gadu-Gadu style status and description, kept across logins.
CREATE TABLE chat_presence (
    who TEXT PRIMARY KEY,
    status TEXT NOT NULL DEFAULT 'available'
        CHECK (status IN ('available', 'away', 'busy', 'invisible', 'offline')),
    description TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);

-- Search: the text folded to lower case without Polish diacritics (ł→l too, which unicode61
-- cannot do), written by storage/chat.py; rowid is the message id.
CREATE VIRTUAL TABLE messages_fts USING fts5 (folded, tokenize = 'unicode61 remove_diacritics 2');
