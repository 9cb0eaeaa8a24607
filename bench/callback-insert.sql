-- One callback-shaped row per transaction: the pgbench anchor for Parley's
-- callbacks/s on Postgres (see pgbench.sh and BENCHMARKS.md). The unique
-- event_id and the payload match what storing a MESSAGE callback writes.
INSERT INTO bench_callbacks (event_id, type, alvaria_session_id, payload, verified, seq, received_at)
VALUES (gen_random_uuid()::text, 'MESSAGE', 'anchor-session-' || (random() * 100)::int,
        '{"sessionId":"anchor-session-0001","senderId":"bench-agent","message":{"text":"bench message 123456"},"eventId":"anchor-event-0000000000"}',
        true, :client_id, now());
