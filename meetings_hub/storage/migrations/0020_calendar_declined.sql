-- Dates a person declined: shown in her own calendar feed marked as declined (the default) or
-- left out, her choice on the profile page. Her answers for single dates of a series now move
-- the feeds' version stamp too (answers for a whole meeting already did: meeting_invitees).
ALTER TABLE persons ADD COLUMN calendar_declined TEXT NOT NULL DEFAULT 'mark'
    CHECK (calendar_declined IN ('mark', 'hide'));
CREATE TRIGGER calendar_version_meeting_date_answers_insert AFTER INSERT ON meeting_date_answers
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meeting_date_answers_update AFTER UPDATE ON meeting_date_answers
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_meeting_date_answers_delete AFTER DELETE ON meeting_date_answers
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_version_persons_declined AFTER UPDATE OF calendar_declined ON persons
BEGIN UPDATE calendar_version SET version = version + 1 WHERE id = 1; END;
