-- +goose Up
-- A load run: one scenario played as many sessions, at most concurrency
-- at once, the first of them started over ramp_ms. The scenario is
-- copied, like a run's, so the result stays readable after an edit.
CREATE TABLE load_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    test_id      TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    scenario     TEXT NOT NULL,
    connection   TEXT NOT NULL DEFAULT '',
    sessions     INTEGER NOT NULL,
    concurrency  INTEGER NOT NULL,
    ramp_ms      BIGINT NOT NULL DEFAULT 0,
    status       TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    started_by   TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    finished_at  DATETIME
);
CREATE INDEX load_runs_test ON load_runs (test_id, id DESC);

-- One session of a load run with its raw timings, so any percentile can be
-- computed again later: microseconds from asking Alvaria for the session to
-- its NEW_SESSION and AGENT_JOINED callbacks, and each expectation's wait
-- (JSON: [{"step": n, "us": t}]).
CREATE TABLE load_sessions (
    load_run_id      INTEGER NOT NULL REFERENCES load_runs (id) ON DELETE CASCADE,
    number           INTEGER NOT NULL,
    status           TEXT NOT NULL,
    session_id       TEXT NOT NULL DEFAULT '',
    started_at       DATETIME,
    finished_at      DATETIME,
    new_session_us   BIGINT,
    agent_joined_us  BIGINT,
    waits            TEXT NOT NULL DEFAULT '[]',
    callbacks        INTEGER NOT NULL DEFAULT 0,
    failed_step      INTEGER,
    reason           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (load_run_id, number)
);
CREATE INDEX load_sessions_running ON load_sessions (status) WHERE status = 'running';

-- Alvaria's answers during a load run by HTTP status (0: no answer, -1:
-- retries), added to by every instance that plays its sessions.
CREATE TABLE load_run_calls (
    load_run_id  INTEGER NOT NULL REFERENCES load_runs (id) ON DELETE CASCADE,
    status       INTEGER NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (load_run_id, status)
);

-- +goose Down
DROP TABLE load_run_calls;
DROP TABLE load_sessions;
DROP TABLE load_runs;
