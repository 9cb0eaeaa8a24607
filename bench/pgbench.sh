#!/bin/sh
# The Postgres anchor: pgbench one-row inserts of a callback-shaped row, at
# the concurrencies Parley's callbacks/s are measured at.
#
#   bench/pgbench.sh [URL] [SECONDS] [CLIENTS…]
#   bench/pgbench.sh postgres://postgres@127.0.0.1:5432/parley_bench?sslmode=disable 10 1 8 32
#
# It creates bench_callbacks in that database if missing (beside Parley's
# tables, harmlessly) and prints "clients N: X tx/s" per concurrency.
set -eu
url=${1:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
seconds=${2:-10}
shift 2 2>/dev/null || shift $#
clients=${*:-1 8 32}
here=$(dirname "$0")
psql -q "$url" <<'SQL'
CREATE TABLE IF NOT EXISTS bench_callbacks (
    id                 BIGSERIAL PRIMARY KEY,
    event_id           TEXT NOT NULL UNIQUE,
    type               TEXT NOT NULL DEFAULT '',
    alvaria_session_id TEXT NOT NULL DEFAULT '',
    payload            TEXT NOT NULL,
    verified           BOOLEAN NOT NULL DEFAULT false,
    seq                BIGINT NOT NULL DEFAULT 0,
    received_at        TIMESTAMPTZ NOT NULL
);
SQL
for c in $clients; do
    jobs=$(( c < 2 ? c : 2 ))
    tps=$(pgbench -n -M prepared -c "$c" -j "$jobs" -T "$seconds" -f "$here/callback-insert.sql" "$url" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    echo "clients $c: $tps tx/s"
done
