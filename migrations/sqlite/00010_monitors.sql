-- +goose Up
-- A saved test that runs on a schedule: every every_seconds, or at the
-- times of a cron expression. next_run_at is claimed by a conditional
-- update, so one instance starts each tick however many share the database.
-- state is what the newest finished run said (passing or failing, '' before
-- any); last_run_id keeps a run that finishes late from overwriting a newer
-- one's word.
CREATE TABLE monitors (
    test_id        TEXT PRIMARY KEY REFERENCES tests (id) ON DELETE CASCADE,
    every_seconds  INTEGER NOT NULL DEFAULT 0,
    cron           TEXT NOT NULL DEFAULT '',
    alert_url      TEXT NOT NULL DEFAULT '',
    next_run_at    DATETIME NOT NULL,
    state          TEXT NOT NULL DEFAULT '',
    state_since    DATETIME,
    last_run_id    INTEGER,
    updated_by     TEXT NOT NULL DEFAULT '',
    updated_at     DATETIME NOT NULL
);
CREATE INDEX monitors_due ON monitors (next_run_at);

-- One alert for one change of a monitored test's state, POSTed to its
-- webhook with retries. One per run at most: the run that changed the state.
CREATE TABLE alert_deliveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    test_id       TEXT NOT NULL REFERENCES tests (id) ON DELETE CASCADE,
    run_id        INTEGER NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    url           TEXT NOT NULL,
    status        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    response_code INTEGER NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    attempted_at  DATETIME,
    delivered_at  DATETIME
);
CREATE INDEX alert_deliveries_test ON alert_deliveries (test_id, id DESC);
CREATE INDEX alert_deliveries_pending ON alert_deliveries (status) WHERE status IN ('pending', 'retrying');

-- Monitoring reads a test's finished runs over the last days.
CREATE INDEX runs_test_finished ON runs (test_id, finished_at) WHERE finished_at IS NOT NULL;

-- +goose Down
DROP INDEX runs_test_finished;
DROP TABLE alert_deliveries;
DROP TABLE monitors;
