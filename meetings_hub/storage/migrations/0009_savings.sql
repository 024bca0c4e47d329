-- The savings log (issue 11): versioned parameters, road distance overrides, frozen records of
-- each held occurrence (one version per computation; old versions are kept), and the leads'
-- attendance corrections. Figures are stored as decimal text, never floats.

-- Parameter sets, valid from a date. network_id NULL: the programme's defaults (coordinator),
-- values hold every field and bounds the range a lead may choose per field; otherwise one
-- network's overrides (its lead), values hold only the overridden fields. Version 0 is the
-- built-in defaults (meetings_hub/savings/params.py) and is not stored.
CREATE TABLE savings_parameter_sets (
    id INTEGER PRIMARY KEY,
    network_id INTEGER REFERENCES networks (id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    valid_from TEXT NOT NULL,
    params_json TEXT NOT NULL,
    bounds_json TEXT NOT NULL DEFAULT '{}',
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES persons (id),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX savings_parameter_sets_version
    ON savings_parameter_sets (COALESCE(network_id, 0), version);

-- A road distance (one way, km) a coordinator or lead entered for a pair of libraries; it
-- replaces great-circle × detour factor. Stored once per pair (library_a < library_b).
CREATE TABLE savings_road_distances (
    library_a INTEGER NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
    library_b INTEGER NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
    km TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    updated_by INTEGER REFERENCES persons (id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (library_a, library_b),
    CHECK (library_a < library_b)
);

-- One frozen computation of one held occurrence. (meeting_id, original_start, version) is
-- unique: the freezing job inserts version 1 with ON CONFLICT DO NOTHING, so several processes
-- freeze an occurrence once. savings_inputs keeps the attendance list, distances, the window and
-- the exact parameter values used; latest marks the version the log shows.
CREATE TABLE savings_records (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    original_start TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    -- The start in the meeting's time zone ('2026-03-03T10:00+01:00'): the log's months, date
    -- filters and CSV read it without converting time zones in SQL.
    local_start TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    reason TEXT NOT NULL CHECK (reason IN ('closed', 'recompute', 'correction')),
    latest INTEGER NOT NULL DEFAULT 1,
    network_id INTEGER NOT NULL REFERENCES networks (id),
    host_library_id INTEGER NOT NULL REFERENCES libraries (id),
    kind TEXT NOT NULL,
    parameter_set_version INTEGER NOT NULL,
    network_parameter_version INTEGER,
    correction_id INTEGER,
    created_by INTEGER REFERENCES persons (id),
    created_at TEXT NOT NULL,
    -- The sums of the record's rows in whole units (grosze, 0.01 h, 0.1 kg, 0.1 km), so the
    -- log's totals and months add 10,000 records, not 50,000 rows (bench/savings_log.py).
    row_count INTEGER NOT NULL DEFAULT 0,
    hours_c INTEGER NOT NULL DEFAULT 0,
    km_d INTEGER NOT NULL DEFAULT 0,
    money_c INTEGER NOT NULL DEFAULT 0,
    co2_d INTEGER NOT NULL DEFAULT 0,
    trips INTEGER NOT NULL DEFAULT 0,
    carpool_money_c INTEGER NOT NULL DEFAULT 0,
    carpool_co2_d INTEGER NOT NULL DEFAULT 0,
    UNIQUE (meeting_id, original_start, version)
);
CREATE INDEX savings_records_latest ON savings_records (local_start, id) WHERE latest = 1;

-- Every frozen input of a record (attendance, distances, parameters), apart so that the log's
-- scans of savings_records stay small.
CREATE TABLE savings_inputs (
    record_id INTEGER PRIMARY KEY REFERENCES savings_records (id) ON DELETE CASCADE,
    inputs_json TEXT NOT NULL
);

-- The rows of a record: one per origin (a library; a guest with no place has library_id NULL).
-- Figures are rounded once (meetings_hub/savings/rounding.py) and kept as decimal text.
CREATE TABLE savings_rows (
    record_id INTEGER NOT NULL REFERENCES savings_records (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    library_id INTEGER REFERENCES libraries (id),
    label TEXT NOT NULL,
    persons INTEGER NOT NULL,
    straight_km TEXT,
    km_one_way TEXT,
    from_override INTEGER NOT NULL DEFAULT 0,
    cars INTEGER NOT NULL DEFAULT 0,
    hours TEXT NOT NULL DEFAULT '0',
    travel_money TEXT NOT NULL DEFAULT '0',
    staff_money TEXT NOT NULL DEFAULT '0',
    per_diem_money TEXT NOT NULL DEFAULT '0',
    money TEXT NOT NULL DEFAULT '0',
    co2_kg TEXT NOT NULL DEFAULT '0',
    counted INTEGER NOT NULL,
    reason TEXT,
    corrected INTEGER NOT NULL DEFAULT 0,
    real_cars INTEGER NOT NULL DEFAULT 0,
    real_km TEXT NOT NULL DEFAULT '0',
    real_money TEXT NOT NULL DEFAULT '0',
    real_co2_kg TEXT NOT NULL DEFAULT '0',
    carpool_money TEXT NOT NULL DEFAULT '0',
    carpool_co2_kg TEXT NOT NULL DEFAULT '0',
    -- The row's line of the CSV export, rendered once when the record is frozen (names as
    -- they were then), in both variants: ',' and ';' with decimal commas. The export of
    -- 50,000 rows then only concatenates (bench/savings_log.py).
    csv_comma TEXT NOT NULL DEFAULT '',
    csv_semicolon TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (record_id, position)
);
CREATE INDEX savings_rows_library ON savings_rows (library_id);

-- A lead's correction of one occurrence: persons present per library (JSON {library id:
-- persons}), raised above what the room saw, with a note. Each one makes a new record version.
CREATE TABLE savings_corrections (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    original_start TEXT NOT NULL,
    persons_json TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by INTEGER REFERENCES persons (id),
    created_at TEXT NOT NULL
);
CREATE INDEX savings_corrections_occurrence ON savings_corrections (meeting_id, original_start);
