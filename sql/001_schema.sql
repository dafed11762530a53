-- insoled schema, version 1 (docs/storage.md).  Applied by the daemon in one
-- transaction together with PRAGMA user_version = 1.  Never edit a released
-- migration: add NNN_what.sql with the next number instead.

-- People assessed; code is whatever identifier the clinic uses.
CREATE TABLE subjects (
	id             INTEGER PRIMARY KEY,
	code           TEXT NOT NULL UNIQUE,
	body_weight_kg REAL,
	notes          TEXT NOT NULL DEFAULT '',
	created_us     INTEGER NOT NULL
);

CREATE TABLE sessions (
	id               INTEGER PRIMARY KEY,
	subject_id       INTEGER REFERENCES subjects(id),
	footwear         TEXT NOT NULL DEFAULT '',
	notes            TEXT NOT NULL DEFAULT '',
	state            TEXT NOT NULL CHECK (state IN ('recording', 'complete', 'interrupted')),
	start_us         INTEGER NOT NULL,          -- wall clock, us since the Unix epoch
	end_us           INTEGER,                   -- NULL while recording
	source           TEXT NOT NULL DEFAULT 'live', -- 'live' or 'import:<format>:<file name>'
	devices          TEXT NOT NULL DEFAULT '',
	layout_left      TEXT,                      -- layout names; NULL = foot absent
	layout_right     TEXT,
	calibration_json TEXT,                      -- calibration used (docs/storage.md), NULL = layout defaults
	body_weight_n    REAL NOT NULL DEFAULT 0,
	software_version TEXT NOT NULL,
	frames           INTEGER NOT NULL DEFAULT 0, -- frames committed to raw_chunks
	steps            INTEGER NOT NULL DEFAULT 0, -- rows in steps
	analysed_version TEXT                       -- software version of the last (re-)analysis
);
CREATE INDEX sessions_by_start ON sessions(start_us);
CREATE INDEX sessions_by_subject ON sessions(subject_id, start_us);

-- The raw archive: every frame that arrived, packed per foot in chunks of
-- about one commit interval (format: docs/storage.md).  first_arrival orders
-- the chunks of both feet the way the frames arrived.
CREATE TABLE raw_chunks (
	id            INTEGER PRIMARY KEY,
	session_id    INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	foot          INTEGER NOT NULL CHECK (foot IN (0, 1)),
	format        INTEGER NOT NULL,             -- 1 counts, 2 float32
	n_sensors     INTEGER NOT NULL,
	n_frames      INTEGER NOT NULL,
	first_arrival INTEGER NOT NULL,
	first_seq     INTEGER NOT NULL,
	first_t_us    INTEGER NOT NULL,
	last_t_us     INTEGER NOT NULL,
	last_host_us  INTEGER NOT NULL,
	data          BLOB NOT NULL
);
CREATE INDEX raw_chunks_by_session ON raw_chunks(session_id, foot, first_arrival);

-- Step metrics are a packed array of little-endian float64 in the order
-- named by metric_sets.names (comma separated ins_step_metric_info names),
-- so adding a metric to the analysis needs no schema change and old rows
-- stay readable by name.
CREATE TABLE metric_sets (
	id    INTEGER PRIMARY KEY,
	names TEXT NOT NULL UNIQUE
);

CREATE TABLE steps (
	id          INTEGER PRIMARY KEY,
	session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	foot        INTEGER NOT NULL CHECK (foot IN (0, 1)),
	idx         INTEGER NOT NULL,
	flags       INTEGER NOT NULL,
	contact_us  INTEGER NOT NULL,
	toe_off_us  INTEGER NOT NULL,
	metric_set  INTEGER NOT NULL REFERENCES metric_sets(id),
	metrics     BLOB NOT NULL
);
-- Rows are inserted in the order the steps completed (toe-off order, as the
-- analysis emits them); an index on session_id alone keeps that order by rowid.
CREATE INDEX steps_by_session ON steps(session_id);

-- ins_summary_json() of the session's steps.
CREATE TABLE summaries (
	session_id  INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
	json        TEXT NOT NULL,
	computed_us INTEGER NOT NULL
);

-- Data quality per session and foot, as counted by the store.
CREATE TABLE session_quality (
	session_id     INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	foot           INTEGER NOT NULL CHECK (foot IN (0, 1)),
	frames         INTEGER NOT NULL DEFAULT 0, -- frames archived
	seq_gaps       INTEGER NOT NULL DEFAULT 0, -- places where the device counter jumped
	frames_lost    INTEGER NOT NULL DEFAULT 0, -- frames missing according to the counter
	duplicates     INTEGER NOT NULL DEFAULT 0, -- same counter twice in a row
	dropped_frames INTEGER NOT NULL DEFAULT 0, -- frames the store queue had to drop
	dropped_steps  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (session_id, foot)
);

-- Calibration changes made while recording (tare, body weight), at the
-- arrival position of the next frame, so a replay applies them at the same
-- place as the live analysis did.
CREATE TABLE session_controls (
	id         INTEGER PRIMARY KEY,
	session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	arrival    INTEGER NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('tare', 'body_weight')),
	foot       INTEGER,
	value      REAL
);
CREATE INDEX session_controls_by_session ON session_controls(session_id, arrival);
