-- insoled schema, version 3: the user's step selection of a session (a time
-- window the session is trimmed to, steps included or excluded by hand), as
-- the JSON of PUT /api/sessions/ID/selection (docs/api.md).  NULL: the
-- automatic steady-state selection alone.  Kept with the session, not with
-- its steps, so a re-analysis (which replaces the steps) keeps it: choices
-- name a step by foot and contact time and are matched again.
ALTER TABLE sessions ADD COLUMN selection_json TEXT;
