-- Data protection (issue 17): the audit log of administrative actions, export jobs and
-- erasure requests.

-- Append-only: written by actions/audit.py, read by the coordinator's /audit page; the only
-- removal is the retention cleanup (audit_retention_days). Names and emails are never stored
-- here, only ids (target 'person:12', 'room:3/g:7'): shown with the current name, so an erased
-- account reads "Usunięty użytkownik #12" here too, and the record stays (RODO art. 5(2)).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    -- The person who acted; no foreign key: the record outlives the account.
    actor_id INTEGER,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    -- JSON: which fields changed and to which non-personal value (a role, a date).
    detail TEXT NOT NULL DEFAULT '{}',
    -- The client's address (X-Forwarded-For's last entry behind a trusted proxy).
    client TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- A person's or a guest's data as one ZIP (actions/export.py), built in the background; the
-- file lives in data_dir/exports until expires_at, then the retention cleanup deletes it.
CREATE TABLE data_exports (
    id INTEGER PRIMARY KEY,
    person_id INTEGER REFERENCES persons (id) ON DELETE CASCADE,
    guest_id INTEGER REFERENCES guests (id) ON DELETE CASCADE,
    requested_by INTEGER REFERENCES persons (id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'building', 'ready', 'failed', 'expired')),
    -- Progress: steps done of steps in all (one per kind of data and per shared file).
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    file_name TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    expires_at TEXT,
    CHECK ((person_id IS NULL) <> (guest_id IS NULL))
);
CREATE INDEX data_exports_requested_by ON data_exports (requested_by);
CREATE INDEX data_exports_status ON data_exports (status);

-- Erasure (actions/erasure.py): when an account was anonymised ("Usunięty użytkownik #12").
ALTER TABLE persons ADD COLUMN erased_at TEXT;

-- A person asks for her own erasure; a coordinator confirms (erases) or declines.
CREATE TABLE erasure_requests (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    requested_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'declined')),
    decided_by INTEGER REFERENCES persons (id) ON DELETE SET NULL,
    decided_at TEXT
);
CREATE UNIQUE INDEX erasure_requests_one_pending ON erasure_requests (person_id)
    WHERE status = 'pending';
