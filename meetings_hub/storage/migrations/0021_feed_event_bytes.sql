-- Issue 10: each meeting's VEVENT lines as its feeds last wrote them, so that the first feed
-- build after a server start joins stored lines instead of having icalendar write a thousand
-- events again. ``key`` is a hash of everything the lines are made from (the whole calendar
-- event, the local times of its instants in the zone data of the day, the writer's code and
-- icalendar's version: calendars/document.py event_key); lines under another key are never
-- used, only replaced. Not read by the feed's version stamp: writing here changes no feed.
CREATE TABLE feed_event_bytes (
    meeting_id INTEGER PRIMARY KEY REFERENCES meetings (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    body BLOB NOT NULL
);
