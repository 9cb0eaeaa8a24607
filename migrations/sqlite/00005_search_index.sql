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

CREATE VIRTUAL TABLE sessions_fts USING fts5(contact_name, content='sessions', content_rowid='rowid', tokenize='trigram');
INSERT INTO sessions_fts (sessions_fts) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER sessions_fts_insert AFTER INSERT ON sessions BEGIN
    INSERT INTO sessions_fts (rowid, contact_name) VALUES (new.rowid, new.contact_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sessions_fts_delete AFTER DELETE ON sessions BEGIN
    INSERT INTO sessions_fts (sessions_fts, rowid, contact_name) VALUES ('delete', old.rowid, old.contact_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sessions_fts_update AFTER UPDATE OF contact_name ON sessions BEGIN
    INSERT INTO sessions_fts (sessions_fts, rowid, contact_name) VALUES ('delete', old.rowid, old.contact_name);
    INSERT INTO sessions_fts (rowid, contact_name) VALUES (new.rowid, new.contact_name);
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
