-- Issue 10: feeds answer from a version stamp, and imported all-day events stay all-day.

-- calendar_version.version moves with every change to what a feed shows or to whom: a feed
-- whose stamp (this version, the day, the feed's settings) is the one stored with its token
-- is answered 304 / from memory without being built again. Triggers keep it, so every
-- writer moves it: the app, an import, the CLI, another process on the same file.
CREATE TABLE calendar_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO calendar_version (id, version) VALUES (1, 0);
CREATE TRIGGER calendar_version_meetings_insert AFTER INSERT ON meetings
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meetings_update AFTER UPDATE ON meetings
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meetings_delete AFTER DELETE ON meetings
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meeting_recurrences_insert AFTER INSERT ON meeting_recurrences
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meeting_recurrences_update AFTER UPDATE ON meeting_recurrences
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meeting_recurrences_delete AFTER DELETE ON meeting_recurrences
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meeting_occurrences_insert AFTER INSERT ON meeting_occurrences
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meeting_occurrences_update AFTER UPDATE ON meeting_occurrences
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meeting_occurrences_delete AFTER DELETE ON meeting_occurrences
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meeting_libraries_insert AFTER INSERT ON meeting_libraries
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meeting_libraries_update AFTER UPDATE ON meeting_libraries
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meeting_libraries_delete AFTER DELETE ON meeting_libraries
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meeting_invitees_insert AFTER INSERT ON meeting_invitees
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meeting_invitees_update AFTER UPDATE ON meeting_invitees
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meeting_invitees_delete AFTER DELETE ON meeting_invitees
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_network_members_insert AFTER INSERT ON network_members
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_network_members_update AFTER UPDATE ON network_members
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_network_members_delete AFTER DELETE ON network_members
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
-- Who may see what (scope, role, language of the feed's names), and the names shown.
CREATE TRIGGER calendar_version_persons_update AFTER UPDATE OF role, library_id, active, language ON persons
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_persons_delete AFTER DELETE ON persons
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_networks_update AFTER UPDATE ON networks
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_networks_delete AFTER DELETE ON networks
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_libraries_update AFTER UPDATE OF name ON libraries
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_libraries_delete AFTER DELETE ON libraries
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;

-- The stamp the token's stored etag belongs to ('' = not built since this migration).
ALTER TABLE feed_tokens ADD COLUMN stamp TEXT NOT NULL DEFAULT '';

-- An all-day event (an imported VALUE=DATE event): starts_at/ends_at are midnights in the
-- meeting's zone and calendars get dates. transparent: it does not make its time busy
-- (TRANSP:TRANSPARENT in the source, such as a holiday note).
ALTER TABLE meetings ADD COLUMN all_day INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meetings ADD COLUMN transparent INTEGER NOT NULL DEFAULT 0;
