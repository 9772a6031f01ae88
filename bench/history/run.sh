#!/bin/sh
# bench/history/run.sh [SECONDS] [CONNECTIONS] - GET /v1/reports on a store of many reports.
# Seeds $HISTORY_DB (default /tmp/fitcheck-history-$COUNT.db, COUNT default 1000000) with
# bench/history/seed.py when it is missing, starts a Release fitcheckd on it, and loads each kind
# of history query with wrk (2 threads): the newest page, a project's, a verdict's, both filters,
# and a page deep in the history by cursor (random cursors from the store, for every filter).
# Prints requests/s, p50 and p99 per kind, and non-2xx answers.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-5}
conns=${2:-16}
COUNT=${COUNT:-1000000}
HISTORY_DB=${HISTORY_DB:-/tmp/fitcheck-history-$COUNT.db}
. "$root/bench/lib.sh"
work=$(mktemp -d)
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

bench_need_wrk
fitcheckd=$(bench_fitcheckd)
if [ ! -f "$HISTORY_DB" ]; then
    /usr/bin/python3 "$here/seed.py" --fitcheckd "$fitcheckd" --db "$HISTORY_DB" --count "$COUNT"
fi
# cursors: 500 random ids, for pages deep in the history
/usr/bin/python3 - "$HISTORY_DB" "$work/cursors" <<'PY'
import random, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
n = con.execute("SELECT COUNT(*) FROM report_items INDEXED BY report_items_verdict_id").fetchone()[0]
rnd = random.Random(7)
ids = [con.execute("SELECT id FROM report_items INDEXED BY report_items_verdict_id LIMIT 1 OFFSET ?", (rnd.randrange(n),)).fetchone()[0] for _ in range(500)]
open(sys.argv[2], "w").write("\n".join(ids) + "\n")
PY
port=$(bench_free_port)
"$fitcheckd" --port "$port" --db "$HISTORY_DB" >"$work/fitcheckd.log" 2>&1 &
pid=$!
bench_wait_healthy "$port" "$work/fitcheckd.log"
echo "store: $(curl -s "http://127.0.0.1:$port/metrics" | awk '/^fitcheck_reports_stored/ {print $2}') reports"
printf '%-22s %10s %9s %9s %7s\n' query req/s p50_ms p99_ms non2xx
for kind in newest project verdict both deep deep-project deep-verdict; do
    case $kind in
        newest) q="limit=50" ;;
        project) q="limit=50&project=project-17" ;;
        verdict) q="limit=50&verdict=fail" ;;
        both) q="limit=50&project=project-03&verdict=pass" ;;
        deep) q="limit=50&cursor=" ;;
        deep-project) q="limit=50&project=project-29&cursor=" ;;
        deep-verdict) q="limit=50&verdict=warn&cursor=" ;;
    esac
    out=$(QUERY="$q" CURSORS="$work/cursors" wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$here/list.lua" \
        "http://127.0.0.1:$port")
    echo "$out" | awk -v k="$kind" '
        function ms(v) { if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms$/, "", v); return v }
                         if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 } return v }
        /^Requests\/sec:/ { rps = $2 } $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { bad = $5 }
        END { printf "%-22s %10s %9.2f %9.2f %7d\n", k, rps, p50, p99, bad }'
done
