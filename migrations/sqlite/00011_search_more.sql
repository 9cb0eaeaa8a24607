-- +goose Up
-- QA searches by part of an Alvaria sessionId, by who started a session, by
-- why a session failed or ended, and by why a message failed to send. The
-- session's index from 00005 gains those columns (an FTS5 table cannot
-- gain columns, so it is built again from the rows), and failed messages'
-- reasons get a small index of their own.
DROP TRIGGER sessions_fts_update;
DROP TRIGGER sessions_fts_delete;
DROP TRIGGER sessions_fts_insert;
DROP TABLE sessions_fts;

CREATE VIRTUAL TABLE sessions_fts USING fts5(contact_name, alvaria_session_id, started_by, state_detail, session_id UNINDEXED, tokenize='trigram');
INSERT INTO sessions_fts (contact_name, alvaria_session_id, started_by, state_detail, session_id)
    SELECT contact_name, alvaria_session_id, started_by, state_detail, id FROM sessions;

-- +goose StatementBegin
CREATE TRIGGER sessions_fts_insert AFTER INSERT ON sessions BEGIN
    INSERT INTO sessions_fts (contact_name, alvaria_session_id, started_by, state_detail, session_id)
    VALUES (new.contact_name, new.alvaria_session_id, new.started_by, new.state_detail, new.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sessions_fts_delete AFTER DELETE ON sessions BEGIN
    DELETE FROM sessions_fts WHERE session_id = old.id;
END;
-- +goose StatementEnd
-- Alvaria's id arrives after the session is created and the reason when it
-- fails; the WHEN keeps the index untouched by other updates.
-- +goose StatementBegin
CREATE TRIGGER sessions_fts_update AFTER UPDATE OF contact_name, alvaria_session_id, started_by, state_detail ON sessions
WHEN old.contact_name IS NOT new.contact_name OR old.alvaria_session_id IS NOT new.alvaria_session_id
    OR old.started_by IS NOT new.started_by OR old.state_detail IS NOT new.state_detail
BEGIN
    UPDATE sessions_fts SET contact_name = new.contact_name, alvaria_session_id = new.alvaria_session_id,
        started_by = new.started_by, state_detail = new.state_detail WHERE session_id = old.id;
END;
-- +goose StatementEnd

-- rowid is the message's id; the session id is kept beside the reason.
CREATE VIRTUAL TABLE message_failures_fts USING fts5(status_detail, session_id UNINDEXED, tokenize='trigram');
INSERT INTO message_failures_fts (rowid, status_detail, session_id)
    SELECT id, status_detail, session_id FROM messages WHERE status = 'failed';

-- +goose StatementBegin
CREATE TRIGGER message_failures_fts_insert AFTER INSERT ON messages WHEN new.status = 'failed' BEGIN
    INSERT INTO message_failures_fts (rowid, status_detail, session_id) VALUES (new.id, new.status_detail, new.session_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER message_failures_fts_delete AFTER DELETE ON messages WHEN old.status = 'failed' BEGIN
    DELETE FROM message_failures_fts WHERE rowid = old.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER message_failures_fts_update AFTER UPDATE OF status, status_detail ON messages
WHEN old.status = 'failed' OR new.status = 'failed'
BEGIN
    DELETE FROM message_failures_fts WHERE rowid = old.id;
    INSERT INTO message_failures_fts (rowid, status_detail, session_id)
        SELECT new.id, new.status_detail, new.session_id WHERE new.status = 'failed';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER message_failures_fts_update;
DROP TRIGGER message_failures_fts_delete;
DROP TRIGGER message_failures_fts_insert;
DROP TABLE message_failures_fts;

DROP TRIGGER sessions_fts_update;
DROP TRIGGER sessions_fts_delete;
DROP TRIGGER sessions_fts_insert;
DROP TABLE sessions_fts;

CREATE VIRTUAL TABLE sessions_fts USING fts5(contact_name, session_id UNINDEXED, tokenize='trigram');
INSERT INTO sessions_fts (contact_name, session_id) SELECT contact_name, id FROM sessions;
-- +goose StatementBegin
CREATE TRIGGER sessions_fts_insert AFTER INSERT ON sessions BEGIN
    INSERT INTO sessions_fts (contact_name, session_id) VALUES (new.contact_name, new.id);
END;
-- +goose StatementEnd
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
