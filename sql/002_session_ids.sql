-- insoled schema, version 2: session ids are never handed out twice.  A
-- bookmarked link or a printed report naming session 12 must not show
-- another patient once session 12 was deleted; SQLite's rowid would reuse
-- the id of a deleted newest session.  (AUTOINCREMENT would need the table
-- rebuilt, which the cascading foreign keys of the raw archive, steps and
-- summaries make unsafe inside a migration.)  The highest id ever deleted is
-- remembered here, and new sessions are numbered above it and above every
-- existing one (store/sessions.c).
CREATE TABLE session_id_floor (
	max_deleted INTEGER NOT NULL
);
INSERT INTO session_id_floor (max_deleted) SELECT 0;

CREATE TRIGGER sessions_remember_deleted_ids AFTER DELETE ON sessions
BEGIN
	UPDATE session_id_floor SET max_deleted = max(max_deleted, OLD.id);
END;
