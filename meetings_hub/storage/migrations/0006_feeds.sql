-- Calendar feeds (issue 4): secret subscription addresses, and what .ics imports created.

-- One live token per person and feed; regenerating revokes the old one, whose address then
-- answers 404. The token is kept as given: the calendar page shows the address again and
-- again, and it only ever reads calendar data (like Google's "secret address").
CREATE TABLE feed_tokens (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    scope TEXT NOT NULL CHECK (scope IN ('person', 'library', 'network', 'programme')),
    -- The library or network; NULL for a person's own feed and the programme feed.
    scope_id INTEGER,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    -- The body's ETag and when it last changed: Last-Modified must move whenever the
    -- content does, also when a meeting merely leaves the feed's window.
    etag TEXT NOT NULL DEFAULT '',
    content_changed_at TEXT,
    -- When a calendar app last fetched the feed (kept to the minute or so), shown to the
    -- librarian as proof that her subscription works.
    last_fetched_at TEXT,
    CHECK ((scope IN ('library', 'network')) = (scope_id IS NOT NULL))
);
CREATE UNIQUE INDEX feed_tokens_one_live
    ON feed_tokens (person_id, scope, IFNULL(scope_id, 0)) WHERE revoked_at IS NULL;

-- Each event of an imported file becomes one meeting; importing the same file again skips it.
CREATE TABLE ics_imports (
    id INTEGER PRIMARY KEY,
    network_id INTEGER NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    source_uid TEXT NOT NULL,
    -- The original start of an overridden occurrence (UTC text), '' for the event itself.
    source_recurrence_id TEXT NOT NULL DEFAULT '',
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    imported_by INTEGER REFERENCES persons (id) ON DELETE SET NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (network_id, source_uid, source_recurrence_id)
);
CREATE INDEX ics_imports_meeting ON ics_imports (meeting_id);
