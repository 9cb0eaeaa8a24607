-- +goose Up
-- A saved conversation test: its scenario as the person wrote it.
CREATE TABLE tests (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    scenario    TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE INDEX tests_name ON tests (lower(name), id);

-- One execution of a scenario. The scenario is copied, so a run stays
-- readable after its test is edited; test_id is empty for a script sent
-- straight to the API.
CREATE TABLE runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    test_id      TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    scenario     TEXT NOT NULL,
    status       TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    session_id   TEXT NOT NULL DEFAULT '',
    failed_step  INTEGER,
    started_by   TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    started_at   DATETIME,
    finished_at  DATETIME,
    -- the worker touches it while the run goes on; a running run whose
    -- heartbeat stopped lost its worker (Parley stopped) and is errored
    heartbeat_at DATETIME
);
CREATE INDEX runs_test ON runs (test_id, id DESC);
CREATE INDEX runs_status ON runs (status) WHERE status IN ('queued', 'running');

CREATE TABLE run_steps (
    run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    line         INTEGER NOT NULL DEFAULT 0,
    description  TEXT NOT NULL,
    status       TEXT NOT NULL,
    expected     TEXT NOT NULL DEFAULT '',
    got          TEXT NOT NULL DEFAULT '',
    started_at   DATETIME,
    finished_at  DATETIME,
    PRIMARY KEY (run_id, number)
);

-- A session a run drove is marked with it.
ALTER TABLE sessions ADD COLUMN run_id INTEGER;
CREATE INDEX sessions_run ON sessions (run_id) WHERE run_id IS NOT NULL;

-- Personal API tokens: only a hash is kept; the token is shown once.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    DATETIME NOT NULL,
    last_used_at  DATETIME,
    revoked_at    DATETIME
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

-- +goose Down
DROP TABLE api_tokens;
DROP INDEX sessions_run;
ALTER TABLE sessions DROP COLUMN run_id;
DROP TABLE run_steps;
DROP TABLE runs;
DROP TABLE tests;
