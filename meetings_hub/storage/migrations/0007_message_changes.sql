-- Edits and deletions get a per-room change number (issue 5), so a client that was away
-- catches up on changes to messages it already holds, as `seq` lets it catch up on new ones.

ALTER TABLE rooms ADD COLUMN last_change INTEGER NOT NULL DEFAULT 0;

-- NULL until the message is first edited or deleted; then the room's change number of its
-- latest change.
ALTER TABLE messages ADD COLUMN change_seq INTEGER;

CREATE INDEX messages_by_change ON messages (room_id, change_seq) WHERE change_seq IS NOT NULL;
