-- insoled schema, version 4: the lane a live session was recorded on.  A
-- daemon may serve several insole pairs at once, each a named lane
-- (docs/configuration.md, [lane NAME]); their sessions share this table and
-- are told apart, and listed apart, by it.  Sessions recorded before lanes
-- existed came from the one lane a daemon then had, named "default";
-- imported recordings belong to no lane (NULL).
ALTER TABLE sessions ADD COLUMN lane TEXT;
UPDATE sessions SET lane = 'default' WHERE source = 'live';
CREATE INDEX sessions_lane ON sessions(lane, start_us);
