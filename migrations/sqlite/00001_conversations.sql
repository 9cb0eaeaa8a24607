-- +goose Up
CREATE TABLE sessions (
    id                 TEXT PRIMARY KEY,
    alvaria_session_id TEXT NOT NULL DEFAULT '',
    connection         TEXT NOT NULL DEFAULT '',
    work_type_id       TEXT NOT NULL DEFAULT '',
    contact_name       TEXT NOT NULL DEFAULT '',
    integration        TEXT NOT NULL DEFAULT '',
    state              TEXT NOT NULL,
    state_detail       TEXT NOT NULL DEFAULT '',
    agent_alias        TEXT NOT NULL DEFAULT '',
    started_by         TEXT NOT NULL DEFAULT '',
    message_count      INTEGER NOT NULL DEFAULT 0,
    seq                BIGINT NOT NULL DEFAULT 0,
    created_at         DATETIME NOT NULL,
    last_activity_at   DATETIME NOT NULL,
    ended_at           DATETIME
);
-- Alvaria's id is unknown only for a moment; once known it names one session.
CREATE UNIQUE INDEX sessions_alvaria_session_id ON sessions (alvaria_session_id) WHERE alvaria_session_id <> '';
CREATE INDEX sessions_created ON sessions (created_at DESC, id DESC);
CREATE INDEX sessions_state_created ON sessions (state, created_at DESC, id DESC);
CREATE INDEX sessions_contact ON sessions (lower(contact_name));
CREATE INDEX sessions_last_activity ON sessions (last_activity_at);

CREATE TABLE messages (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id         TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    direction          TEXT NOT NULL,
    sender_id          TEXT NOT NULL DEFAULT '',
    text               TEXT NOT NULL DEFAULT '',
    attachment_type    TEXT NOT NULL DEFAULT '',
    attachment_url     TEXT NOT NULL DEFAULT '',
    alvaria_message_id TEXT NOT NULL DEFAULT '',
    event_id           TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    status_detail      TEXT NOT NULL DEFAULT '',
    seq                BIGINT NOT NULL DEFAULT 0,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL
);
CREATE INDEX messages_session_seq ON messages (session_id, seq);
CREATE INDEX messages_alvaria_message_id ON messages (session_id, alvaria_message_id) WHERE alvaria_message_id <> '';
-- A callback applied twice must not add its message twice.
CREATE UNIQUE INDEX messages_event_id ON messages (event_id) WHERE event_id <> '';

CREATE TABLE callback_events (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id           TEXT NOT NULL UNIQUE,
    type               TEXT NOT NULL DEFAULT '',
    alvaria_session_id TEXT NOT NULL DEFAULT '',
    session_id         TEXT REFERENCES sessions (id) ON DELETE SET NULL,
    payload            TEXT NOT NULL,
    verified           BOOLEAN NOT NULL DEFAULT 0,
    verify_detail      TEXT NOT NULL DEFAULT '',
    parse_error        TEXT NOT NULL DEFAULT '',
    seq                BIGINT NOT NULL DEFAULT 0,
    received_at        DATETIME NOT NULL,
    applied_at         DATETIME
);
CREATE INDEX callback_events_session_seq ON callback_events (session_id, seq);
CREATE INDEX callback_events_unapplied ON callback_events (alvaria_session_id, id) WHERE applied_at IS NULL;

CREATE TABLE audit_entries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          DATETIME NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target      TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    client_addr TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_entries_at ON audit_entries (at DESC, id DESC);
CREATE INDEX audit_entries_actor ON audit_entries (actor, id DESC);
CREATE INDEX audit_entries_action ON audit_entries (action, id DESC);

-- +goose Down
DROP TABLE audit_entries;
DROP TABLE callback_events;
DROP TABLE messages;
DROP TABLE sessions;
