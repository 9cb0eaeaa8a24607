-- +goose Up
-- Searching the list scanned every message with LIKE. Trigram FTS5 tables
-- find the same substrings (three characters or more) from an index; they
-- hold no text of their own and triggers keep them in step with the rows.
CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='id', tokenize='trigram');
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;
-- +goose StatementEnd

-- Sessions have text ids, and VACUUM may renumber the rowids of such a
-- table, so this index keeps its own copy of each name with the session's id.
CREATE VIRTUAL TABLE sessions_fts USING fts5(contact_name, session_id UNINDEXED, tokenize='trigram');
INSERT INTO sessions_fts (contact_name, session_id) SELECT contact_name, id FROM sessions;

-- +goose StatementBegin
CREATE TRIGGER sessions_fts_insert AFTER INSERT ON sessions BEGIN
    INSERT INTO sessions_fts (contact_name, session_id) VALUES (new.contact_name, new.id);
END;
-- +goose StatementEnd
-- Sessions are neither deleted nor renamed today; these keep the index
-- right if they ever are.
-- +goose StatementBegin
CREATE TRIGGER sessions_fts_delete AFTER DELETE ON sessions BEGIN
    DELETE FROM sessions_fts WHERE session_id = old.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sessions_fts_update AFTER UPDATE OF contact_name ON sessions BEGIN
    UPDATE sessions_fts SET contact_name = new.contact_name WHERE session_id = old.id;
END;
-- +goose StatementEnd

-- The session page reads the newest messages and events first.
CREATE INDEX messages_session_id ON messages (session_id, id);
CREATE INDEX callback_events_session_id ON callback_events (session_id, id);

-- +goose Down
DROP INDEX callback_events_session_id;
DROP INDEX messages_session_id;
DROP TRIGGER sessions_fts_update;
DROP TRIGGER sessions_fts_delete;
DROP TRIGGER sessions_fts_insert;
DROP TABLE sessions_fts;
DROP TRIGGER messages_fts_update;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_insert;
DROP TABLE messages_fts;
