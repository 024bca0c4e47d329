-- Feedback after each session date and what the programme report counts from it.
--
-- feedback_requests: who was asked about which date (everyone who attended it), when, and
-- whether they answered and were reminded. It holds the person or guest, never the answer.
-- feedback_answers: one answer per person per date (original_start is the date's
-- RECURRENCE-ID, UTC, as elsewhere). A guest who answers anonymously leaves an answer with
-- neither guest_id nor person_id, and only the day it was given (no time of day), so it cannot
-- be matched to its request row by a timestamp; the request only records that she answered.
-- Lists of ticked options are JSON arrays of codes (actions/feedback_form.py names them).

CREATE TABLE feedback_requests (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    original_start TEXT NOT NULL,
    person_id INTEGER REFERENCES persons (id) ON DELETE CASCADE,
    guest_id INTEGER REFERENCES guests (id) ON DELETE CASCADE,
    asked_at TEXT NOT NULL,
    -- Answers may be given and changed until then (7 days after the date ended).
    closes_at TEXT NOT NULL,
    answered_on TEXT,
    reminded_at TEXT,
    CHECK ((person_id IS NULL) <> (guest_id IS NULL))
);
CREATE UNIQUE INDEX feedback_requests_person
    ON feedback_requests (meeting_id, original_start, person_id) WHERE person_id IS NOT NULL;
CREATE UNIQUE INDEX feedback_requests_guest
    ON feedback_requests (meeting_id, original_start, guest_id) WHERE guest_id IS NOT NULL;
CREATE INDEX feedback_requests_open ON feedback_requests (answered_on, reminded_at, asked_at);

CREATE TABLE feedback_answers (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    original_start TEXT NOT NULL,
    person_id INTEGER REFERENCES persons (id) ON DELETE CASCADE,
    guest_id INTEGER REFERENCES guests (id) ON DELETE CASCADE,
    respondent TEXT NOT NULL CHECK (respondent IN ('librarian', 'guest', 'anonymous')),
    outcomes TEXT NOT NULL DEFAULT '[]',
    advantages TEXT NOT NULL DEFAULT '[]',
    difficulties TEXT NOT NULL DEFAULT '[]',
    difficulty_other TEXT NOT NULL DEFAULT '',
    rating INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
    comment TEXT NOT NULL DEFAULT '',
    may_quote INTEGER NOT NULL DEFAULT 0,
    answered_on TEXT NOT NULL,
    CHECK (respondent <> 'anonymous' OR (person_id IS NULL AND guest_id IS NULL)),
    CHECK (respondent <> 'librarian' OR person_id IS NOT NULL),
    CHECK (respondent <> 'guest' OR guest_id IS NOT NULL)
);
CREATE UNIQUE INDEX feedback_answers_person
    ON feedback_answers (meeting_id, original_start, person_id) WHERE person_id IS NOT NULL;
CREATE UNIQUE INDEX feedback_answers_guest
    ON feedback_answers (meeting_id, original_start, guest_id) WHERE guest_id IS NOT NULL;
CREATE INDEX feedback_answers_meeting ON feedback_answers (meeting_id, original_start);

-- Joint plans ticked in an answer (optional date, free text for "other").
CREATE TABLE feedback_plans (
    id INTEGER PRIMARY KEY,
    answer_id INTEGER NOT NULL REFERENCES feedback_answers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('cultural_trip', 'workshops', 'competition',
        'library_night', 'childrens_theatre', 'picnic', 'author_meeting', 'training', 'other')),
    text TEXT NOT NULL DEFAULT '',
    planned_on TEXT
);
CREATE INDEX feedback_plans_answer ON feedback_plans (answer_id);
