#!/bin/sh
# The anchors of the page benchmarks: each page's own statements, as Parley
# sends them, run by pgbench at the concurrencies the pages are loaded at.
#
#   bench/pgbench-pages.sh URL SECONDS PAGE [CLIENTS…]
#   bench/pgbench-pages.sh 'postgres://postgres@127.0.0.1:5432/parley_pages?sslmode=disable' 10 sessions-list 8
#
# PAGE is sessions-list, search-common, search-rare or session
# (bench/page-PAGE.sql). SEARCH is the word a search looks for (default
# "message" for search-common, "zanzibar" for search-rare), SESSION
# (default pages-transcript-1000, made by `parley bench pages --page
# session`) the session page read. The cookie's token hash is that of the newest
# signed-in browser, the one `parley bench pages` just signed in. Prints
# "clients N: X tx/s" per concurrency; one transaction is one page's
# statements.
set -eu
url=${1:?database URL}
seconds=${2:-10}
page=${3:-sessions-list}
shift 3 2>/dev/null || shift $#
clients=${*:-8}
here=$(dirname "$0")
[ -f "$here/page-$page.sql" ] || { echo "no bench/page-$page.sql: PAGE is sessions-list, search-common, search-rare or session" >&2; exit 1; }
session=${SESSION:-pages-transcript-1000}
token_hash=$(psql -qAt "$url" -c "SELECT token_hash FROM web_sessions ORDER BY created_at DESC LIMIT 1")
[ -n "$token_hash" ] || { echo "no signed-in browser: run parley bench pages first" >&2; exit 1; }
set -- -D token_hash="$token_hash"
case $page in
search-*)
    default=message
    [ "$page" = search-rare ] && default=zanzibar
    search=${SEARCH:-$default}
    like=$(printf '%%%s%%' "$(printf %s "$search" | tr '[:upper:]' '[:lower:]' | sed 's/[\\%_]/\\&/g')")
    set -- "$@" -D term="$search" -D like="$like"
    ;;
session)
    oldest() { psql -qAt "$url" -v s="$session" <<SQL
SELECT coalesce(min(id), 0) FROM (SELECT id FROM $1 WHERE session_id = :'s' ORDER BY id DESC LIMIT 100) x;
SQL
    }
    set -- "$@" -D session="$session" -D messages_oldest="$(oldest messages)" -D events_oldest="$(oldest callback_events)"
    ;;
esac
for c in $clients; do
    jobs=$(( c < 2 ? c : 2 ))
    tps=$(pgbench -n -M prepared -c "$c" -j "$jobs" -T "$seconds" "$@" -f "$here/page-$page.sql" "$url" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    echo "clients $c: $tps tx/s"
done
