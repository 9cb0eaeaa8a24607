-- +goose Up
-- Alvaria connections managed in the console. The client secret and API
-- key are sealed with AES-GCM under PARLEY_SECRET_KEY (package seal); the
-- callback public keys are PEM text, several at once while Alvaria rotates.
-- The slug names the connection in its callback URL and on its sessions,
-- so it never changes once made.
CREATE TABLE connections (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    slug                 TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    region               TEXT NOT NULL DEFAULT '',
    api_url              TEXT NOT NULL,
    token_url            TEXT NOT NULL,
    org_id               TEXT NOT NULL,
    client_id            TEXT NOT NULL,
    client_secret_sealed TEXT NOT NULL DEFAULT '',
    api_key_sealed       TEXT NOT NULL DEFAULT '',
    callback_keys        TEXT NOT NULL DEFAULT '',
    default_work_type    TEXT NOT NULL DEFAULT '',
    disabled             BOOLEAN NOT NULL DEFAULT 0,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE UNIQUE INDEX connections_name ON connections (lower(name));

-- The connection a session ran on: its slug, which stays when the
-- connection is renamed, disabled or deleted; the session's existing
-- connection column keeps the name it had then.
ALTER TABLE sessions ADD COLUMN connection_slug TEXT NOT NULL DEFAULT '';
UPDATE sessions SET connection_slug = 'simulator' WHERE connection = 'simulator';
CREATE INDEX sessions_connection_created ON sessions (connection_slug, created_at DESC, id DESC);

-- +goose Down
DROP INDEX sessions_connection_created;
ALTER TABLE sessions DROP COLUMN connection_slug;
DROP TABLE connections;
