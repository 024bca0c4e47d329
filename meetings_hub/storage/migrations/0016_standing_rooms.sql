-- Rooms simply exist: every network has its standing room and every online session or
-- training its session room from the start (before, each was made on first use, so a session
-- appeared under "Rozmowy" only once someone had opened it). New ones are made with their
-- network or meeting (actions/rooms.py open_network_room, open_session_room); this fills in
-- the older ones. Cancelled meetings keep no new room.
INSERT INTO rooms (kind, network_id, title, created_by, created_at)
SELECT 'network', n.id, n.name, NULL, n.created_at
FROM networks n
WHERE NOT EXISTS (SELECT 1 FROM rooms r WHERE r.kind = 'network' AND r.network_id = n.id);

INSERT INTO rooms (kind, meeting_id, network_id, title, created_by, created_at)
SELECT 'session', m.id, m.network_id, m.title, m.created_by, m.created_at
FROM meetings m
WHERE m.kind IN ('online', 'training') AND m.status = 'scheduled'
  AND NOT EXISTS (SELECT 1 FROM rooms r WHERE r.meeting_id = m.id);
