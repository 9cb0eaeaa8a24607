-- +goose Up
-- Who ended a session, as exports and filters name it: the username of the
-- person who ended it from Parley, "Alvaria" when Alvaria's side (the agent
-- or the system) ended it, "Parley" when Parley marked it ended; empty
-- while it is live or when it failed to start.
ALTER TABLE sessions ADD COLUMN ended_by TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sessions DROP COLUMN ended_by;
