-- +goose Up
-- Searching the list scanned every message with LIKE. Trigram GIN indexes
-- answer the same LOWER(...) LIKE '%term%' from an index.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX messages_text_trgm ON messages USING gin (lower(text) gin_trgm_ops) WHERE direction <> 'system';
CREATE INDEX sessions_contact_trgm ON sessions USING gin (lower(contact_name) gin_trgm_ops);

-- The session page reads the newest messages and events first.
CREATE INDEX messages_session_id ON messages (session_id, id);
CREATE INDEX callback_events_session_id ON callback_events (session_id, id);

-- +goose Down
-- The extension stays: other schemas in the database may use it.
DROP INDEX callback_events_session_id;
DROP INDEX messages_session_id;
DROP INDEX sessions_contact_trgm;
DROP INDEX messages_text_trgm;
