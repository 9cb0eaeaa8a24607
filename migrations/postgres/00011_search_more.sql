-- +goose Up
-- QA searches by part of an Alvaria sessionId, by who started a session, by
-- why a session failed or ended, and by why a message failed to send: the
-- same LOWER(...) LIKE '%term%' as 00005, each from its own trigram index.
-- The indexes are built from the rows already there.
CREATE INDEX sessions_alvaria_id_trgm ON sessions USING gin (lower(alvaria_session_id) gin_trgm_ops);
CREATE INDEX sessions_started_by_trgm ON sessions USING gin (lower(started_by) gin_trgm_ops);
CREATE INDEX sessions_state_detail_trgm ON sessions USING gin (lower(state_detail) gin_trgm_ops);
-- Only failed messages' reasons are searched; the others' details are
-- notes such as "delivered", and would only grow the index.
CREATE INDEX messages_failure_trgm ON messages USING gin (lower(status_detail) gin_trgm_ops) WHERE status = 'failed';

-- +goose Down
DROP INDEX messages_failure_trgm;
DROP INDEX sessions_state_detail_trgm;
DROP INDEX sessions_started_by_trgm;
DROP INDEX sessions_alvaria_id_trgm;
