-- insoled schema, version 5: a recording imported again is recognised, so
-- that a folder imported twice or an upload sent twice does not make every
-- session count twice in lists, comparisons and a subject's history
-- (docs/storage.md, "Duplicate imports").  fingerprint: the content
-- fingerprint of the imported recording, 'sha256:' and 64 hex digits
-- (ins_import_fingerprint); imported_us: when it was imported (wall clock,
-- us since the Unix epoch; start_us stays the recording's own start).
-- Both NULL for live sessions, and for sessions imported before this
-- version: their files were not kept, so they cannot be fingerprinted now.
ALTER TABLE sessions ADD COLUMN fingerprint TEXT;
ALTER TABLE sessions ADD COLUMN imported_us INTEGER;
CREATE INDEX sessions_by_fingerprint ON sessions(fingerprint) WHERE fingerprint IS NOT NULL;
