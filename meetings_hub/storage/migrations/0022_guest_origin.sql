-- The library a guest comes from, when she names it on the entry page: the savings log counts
-- her travel from there (else from the inviting person's library, else the organiser's).
-- Optional; a town without a library of the programme is not asked for (no geocoding here).
ALTER TABLE guests ADD COLUMN origin_library_id INTEGER REFERENCES libraries (id);
