-- A person's answer for one date of a series when it differs from her answer for the series
-- ("I come every time, but not on 15 December"). Keyed by the date's original start (its
-- RECURRENCE-ID, UTC), so a moved date keeps its answers. Answering for the whole series again
-- clears that person's date answers.
CREATE TABLE meeting_date_answers (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    original_start TEXT NOT NULL,
    rsvp TEXT NOT NULL CHECK (rsvp IN ('accepted', 'tentative', 'declined')),
    rsvp_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, original_start, person_id)
);
