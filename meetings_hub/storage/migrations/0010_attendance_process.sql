-- Attendance rows belong to the server process that opened them: only that process closes
-- them (its last tab of the person leaves, or it stops), or, when it died without stopping, a
-- sweep by another process once its heartbeat expired, at its last heartbeat. Rows from
-- before this migration have no process; the first sweep closes those left open.
ALTER TABLE attendance ADD COLUMN process TEXT;
CREATE INDEX attendance_open_by_process ON attendance (process) WHERE left_at IS NULL;

-- Heartbeats of the running server processes, when no Redis is configured (with Redis they
-- live there). A process whose heartbeat is older than three beat periods is gone.
CREATE TABLE server_processes (
    id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    beat_at TEXT NOT NULL
);
