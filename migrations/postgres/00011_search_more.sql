-- +goose Up
-- QA searches by part of an Alvaria sessionId, by who started a session, by
-- why a session failed or ended, and by why a message failed to send: the
-- same LOWER(...) LIKE '%term%' as 00005, answered by trigram indexes.
-- The indexes are built from the rows already there.
-- One index over the three, read by one scan rather than three; chr(31),
-- the unit separator, keeps a term from matching across two of them (a
-- term holding it is not looked for there). store/search.go writes the
-- very same expression, so the planner finds the index.
CREATE INDEX sessions_about_trgm ON sessions USING gin (lower(alvaria_session_id || chr(31) || started_by || chr(31) || state_detail) gin_trgm_ops);
-- Only failed messages' reasons are searched; the others' details are
-- notes such as "delivered", and would only grow the index.
CREATE INDEX messages_failure_trgm ON messages USING gin (lower(status_detail) gin_trgm_ops) WHERE status = 'failed';

-- +goose Down
DROP INDEX messages_failure_trgm;
DROP INDEX sessions_about_trgm;
