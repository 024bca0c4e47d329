-- Foundation: the library network, people, sign-in, guests, mail outbox.
-- Instants are UTC text (storage/timefmt.py); calendar dates are ISO dates.

CREATE TABLE libraries (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('municipal', 'urban_rural', 'county_city', 'city', 'branch', 'other')),
    address TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    town TEXT NOT NULL,
    gmina TEXT NOT NULL DEFAULT '',
    powiat TEXT NOT NULL DEFAULT '',
    voivodeship TEXT NOT NULL DEFAULT '',
    latitude REAL CHECK (latitude IS NULL OR latitude BETWEEN -90 AND 90),
    longitude REAL CHECK (longitude IS NULL OR longitude BETWEEN -180 AND 180),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX libraries_name_town ON libraries (name, town);

CREATE TABLE networks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    lead_library_id INTEGER NOT NULL REFERENCES libraries (id),
    started_on TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A library can belong to several networks over time: each stay has its dates.
CREATE TABLE network_members (
    id INTEGER PRIMARY KEY,
    network_id INTEGER NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    library_id INTEGER NOT NULL REFERENCES libraries (id),
    role TEXT NOT NULL CHECK (role IN ('lead', 'partner')),
    joined_on TEXT NOT NULL,
    left_on TEXT,
    CHECK (left_on IS NULL OR left_on >= joined_on)
);
CREATE INDEX network_members_library ON network_members (library_id);
CREATE UNIQUE INDEX network_members_one_open_stay
    ON network_members (network_id, library_id) WHERE left_on IS NULL;

CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    email TEXT NOT NULL COLLATE NOCASE UNIQUE,
    library_id INTEGER REFERENCES libraries (id),
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'lead_librarian', 'partner_librarian')),
    language TEXT NOT NULL DEFAULT 'pl' CHECK (language IN ('pl', 'en')),
    timezone TEXT NOT NULL DEFAULT 'Europe/Warsaw',
    password_hash TEXT,
    password_changed_at TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    -- Demo accounts sign in only while the server runs in demo mode.
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (role = 'coordinator' OR library_id IS NOT NULL)
);
CREATE INDEX persons_library ON persons (library_id);

-- The core of a meeting; scheduling (recurrence, invitations, RSVP) extends it.
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    network_id INTEGER NOT NULL REFERENCES networks (id),
    host_library_id INTEGER NOT NULL REFERENCES libraries (id),
    kind TEXT NOT NULL DEFAULT 'online' CHECK (kind IN ('online', 'training', 'in_person')),
    title TEXT NOT NULL,
    agenda TEXT NOT NULL DEFAULT '',
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    timezone TEXT NOT NULL DEFAULT 'Europe/Warsaw',
    address TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    sequence INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES persons (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX meetings_network_start ON meetings (network_id, starts_at);

CREATE TABLE guest_invitations (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    email TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT 'other',
    created_by INTEGER REFERENCES persons (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX guest_invitations_meeting ON guest_invitations (meeting_id);

CREATE TABLE guests (
    id INTEGER PRIMARY KEY,
    invitation_id INTEGER NOT NULL REFERENCES guest_invitations (id) ON DELETE CASCADE,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('local_authority', 'local_creator', 'expert',
        'municipal_coalition', 'ngo', 'volunteer', 'library_user', 'other')),
    created_at TEXT NOT NULL
);

-- Server-side sessions: the cookie holds a random token, the table only its SHA-256.
CREATE TABLE auth_sessions (
    id TEXT PRIMARY KEY,
    person_id INTEGER REFERENCES persons (id) ON DELETE CASCADE,
    guest_id INTEGER REFERENCES guests (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    user_agent TEXT NOT NULL DEFAULT '',
    CHECK ((person_id IS NULL) <> (guest_id IS NULL))
);
CREATE INDEX auth_sessions_person ON auth_sessions (person_id);

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL COLLATE NOCASE,
    client TEXT NOT NULL,
    succeeded INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_attempts_email_at ON login_attempts (email, at);
CREATE INDEX login_attempts_client_at ON login_attempts (client, at);

-- Single-use emailed links (password reset, account invitation): only the hash is kept.
CREATE TABLE one_time_tokens (
    id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('password_reset', 'account_invitation')),
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

-- Transactional outbox: mail is written in the same transaction as the change that causes it
-- and sent later by the mail sender. dedupe_key keeps a mail (e.g. a reminder) from being queued
-- twice; message_id is fixed at queue time so a retried send is recognisable as the same mail.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    dedupe_key TEXT UNIQUE,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    raw BLOB NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_at TEXT,
    sent_at TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
