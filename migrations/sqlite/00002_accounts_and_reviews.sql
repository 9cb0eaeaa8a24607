-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT 0,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);

-- Only a hash of the cookie's token is kept, so a copy of the database
-- cannot be used to sign in.
CREATE TABLE web_sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    client_addr  TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- The current review lives on the session so the list can filter by it;
-- every change is kept in review_changes.
ALTER TABLE sessions ADD COLUMN verdict TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN review_notes TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN reviewed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN reviewed_at DATETIME;
CREATE INDEX sessions_verdict_created ON sessions (verdict, created_at DESC, id DESC);

CREATE TABLE review_changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    verdict    TEXT NOT NULL DEFAULT '',
    notes      TEXT NOT NULL DEFAULT '',
    author     TEXT NOT NULL,
    at         DATETIME NOT NULL
);
CREATE INDEX review_changes_session ON review_changes (session_id, id);

-- +goose Down
DROP TABLE review_changes;
DROP INDEX sessions_verdict_created;
ALTER TABLE sessions DROP COLUMN reviewed_at;
ALTER TABLE sessions DROP COLUMN reviewed_by;
ALTER TABLE sessions DROP COLUMN review_notes;
ALTER TABLE sessions DROP COLUMN verdict;
DROP TABLE web_sessions;
DROP TABLE users;
