-- +goose Up
-- A callback whose bytes a text column cannot hold (NUL, invalid UTF-8) is
-- stored with U+FFFD in payload and its original bytes here, in base64;
-- empty when payload is the body exactly as received.
ALTER TABLE callback_events ADD COLUMN payload_base64 TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE callback_events DROP COLUMN payload_base64;
