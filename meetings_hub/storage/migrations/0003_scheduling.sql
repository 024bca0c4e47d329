-- Scheduling: recurrence, per-occurrence changes, who is invited, RSVP, in-person head counts.
-- A meeting row is a single session or a whole series: its starts_at/ends_at are the first
-- occurrence, and the series' other occurrences are computed from meeting_recurrences
-- (python-dateutil rrule in the meeting's time zone), never stored one by one.

-- When the meeting was cancelled: feeds keep cancelled meetings for 30 days after this.
ALTER TABLE meetings ADD COLUMN cancelled_at TEXT;
-- 1 when the whole network is invited (its libraries today and those that join later).
ALTER TABLE meetings ADD COLUMN whole_network INTEGER NOT NULL DEFAULT 1;
-- An external join link (e.g. a chat room); empty means the meeting page is the join link.
ALTER TABLE meetings ADD COLUMN join_url TEXT NOT NULL DEFAULT '';
-- Last change of time, place or status: what DTSTAMP/LAST-MODIFIED of calendars show.
ALTER TABLE meetings ADD COLUMN changed_at TEXT;
-- The first start and last end over all occurrences (overrides included), kept by
-- storage/scheduling.py, so a window query finds series without expanding every rule.
ALTER TABLE meetings ADD COLUMN span_start_at TEXT;
ALTER TABLE meetings ADD COLUMN span_end_at TEXT;

-- At most one rule per meeting. Shapes match calendars.model.Recurrence:
--   WEEKLY: interval (every n weeks) and by_weekday 'MO,TU,...' (never empty);
--   MONTHLY: interval 1 and nth + weekday ("second Tuesday": nth 2, weekday 'TU').
-- until_at is a UTC instant (inclusive, RFC 5545 UNTIL); count counts occurrences from the first.
CREATE TABLE meeting_recurrences (
    meeting_id INTEGER PRIMARY KEY REFERENCES meetings (id) ON DELETE CASCADE,
    freq TEXT NOT NULL CHECK (freq IN ('WEEKLY', 'MONTHLY')),
    interval INTEGER NOT NULL DEFAULT 1 CHECK (interval BETWEEN 1 AND 52),
    by_weekday TEXT NOT NULL DEFAULT '',
    nth INTEGER CHECK (nth IS NULL OR nth BETWEEN 1 AND 4),
    nth_weekday TEXT CHECK (nth_weekday IS NULL OR nth_weekday IN ('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU')),
    until_at TEXT,
    count INTEGER CHECK (count IS NULL OR count >= 1),
    CHECK (until_at IS NULL OR count IS NULL),
    CHECK (until_at IS NOT NULL OR count IS NOT NULL),
    CHECK (freq = 'WEEKLY' OR (nth IS NULL) = (nth_weekday IS NULL))
);

-- One occurrence of a series changed on its own. original_start is the UTC instant the rule
-- gives that occurrence (the iCalendar RECURRENCE-ID). 'override' = moved or edited (the NULL
-- columns keep the series' value); 'exception' = deleted (EXDATE).
CREATE TABLE meeting_occurrences (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    original_start TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('override', 'exception')),
    starts_at TEXT,
    ends_at TEXT,
    title TEXT,
    agenda TEXT,
    address TEXT,
    sequence INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (meeting_id, original_start),
    CHECK (kind = 'exception' OR (starts_at IS NOT NULL AND ends_at IS NOT NULL AND ends_at > starts_at))
);

-- Invited libraries. For in-person events each library says how many people it brings
-- (librarians and readers, who share cars) and in how many cars; NULL = not answered yet.
CREATE TABLE meeting_libraries (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    library_id INTEGER NOT NULL REFERENCES libraries (id),
    librarians INTEGER CHECK (librarians IS NULL OR librarians >= 0),
    readers INTEGER CHECK (readers IS NULL OR readers >= 0),
    cars INTEGER CHECK (cars IS NULL OR cars >= 0),
    answered_by INTEGER REFERENCES persons (id),
    answered_at TEXT,
    PRIMARY KEY (meeting_id, library_id)
);
CREATE INDEX meeting_libraries_library ON meeting_libraries (library_id);

-- Invited people and their answer (for the whole meeting or series). source says why the person
-- is on the list: 'library' (a librarian of an invited library) or 'person' (named one by one).
CREATE TABLE meeting_invitees (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    source TEXT NOT NULL DEFAULT 'library' CHECK (source IN ('library', 'person')),
    rsvp TEXT NOT NULL DEFAULT 'needs_action'
        CHECK (rsvp IN ('needs_action', 'accepted', 'tentative', 'declined')),
    rsvp_at TEXT,
    invited_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);
CREATE INDEX meeting_invitees_person ON meeting_invitees (person_id);

-- Guests invited by email answer like everyone else.
ALTER TABLE guest_invitations ADD COLUMN rsvp TEXT NOT NULL DEFAULT 'needs_action'
    CHECK (rsvp IN ('needs_action', 'accepted', 'tentative', 'declined'));
ALTER TABLE guest_invitations ADD COLUMN rsvp_at TEXT;
ALTER TABLE guest_invitations ADD COLUMN language TEXT NOT NULL DEFAULT 'pl'
    CHECK (language IN ('pl', 'en'));

CREATE INDEX meetings_span ON meetings (network_id, span_start_at, span_end_at);
