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
