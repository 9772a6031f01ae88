#!/bin/sh
# bench/history/run.sh [SECONDS] [CONNECTIONS] - GET /v1/reports on a store of many reports.
# Seeds $HISTORY_DB (default /tmp/fitcheck-history8-$COUNT.db, COUNT default 1000000) with
# bench/history/seed.py when it is missing (at fitcheckd's current schema, 80 % of the reports in team 0),
# starts a Release fitcheckd on it (--auth none: every query is team 0's), and loads each kind of
# history query with wrk (2 threads): the newest page, a project's, a verdict's, both, pages deep in the
# history by cursor (random cursors from the store) without a filter, for a project and for a verdict;
# a run's, a framework's, a model's, a finding code's, a 1-day since/until window in the middle of the
# history, a code's deep pages; and two pairs the indexes do not lead with (code and project, code and
# run). Prints requests/s, p50 and p99 per kind, and non-2xx answers.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-5}
conns=${2:-16}
COUNT=${COUNT:-1000000}
HISTORY_DB=${HISTORY_DB:-/tmp/fitcheck-history8-$COUNT.db}
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
# The query parameters, from the store: 500 random cursors of team 0 (one pass over its ids in the
# (team_id, id) index), the run of the report in the middle of its history, its most common model, the
# finding code nearest 10 % of its reports, and the day around the middle of its history.
/usr/bin/python3 - "$HISTORY_DB" "$work/cursors" "$work/params" <<'PY'
import random, sqlite3, sys, time
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
version = con.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
has_codes = version >= 8 and con.execute("SELECT 1 FROM report_codes LIMIT 1").fetchone() is not None
newest_seq = con.execute("SELECT seq FROM report_items INDEXED BY report_items_team_id WHERE team_id = 0"
                         " ORDER BY id DESC LIMIT 1").fetchone() if version >= 8 else None
if not has_codes or newest_seq is None or newest_seq[0] is None:
    sys.exit(f"run.sh: {sys.argv[1]} is not a store seeded at schema 8 (schema {version}, report_codes and seq"
             " missing): remove it, or point HISTORY_DB at another file, and seed.py makes a new one")
ids = [r[0] for r in con.execute("SELECT id FROM report_items INDEXED BY report_items_team_id WHERE team_id = 0"
                                 " ORDER BY id")]
n = len(ids)
rnd = random.Random(7)
open(sys.argv[2], "w").write("\n".join(ids[rnd.randrange(n)] for _ in range(500)) + "\n")
mid = ids[n // 2]
run = con.execute("SELECT run FROM report_items INDEXED BY report_items_team_id WHERE team_id = 0 AND id >= ?"
                  " AND run IS NOT NULL ORDER BY id LIMIT 1", (mid,)).fetchone()[0]
model, model_n = con.execute("SELECT model_id, COUNT(*) FROM report_items INDEXED BY report_items_team_model_id"
                             " WHERE team_id = 0 GROUP BY model_id ORDER BY 2 DESC LIMIT 1").fetchone()
codes = con.execute("SELECT code, COUNT(*) FROM report_codes WHERE team_id = 0 GROUP BY code").fetchall()
code, code_n = min(codes, key=lambda c: abs(c[1] / n - 0.10))
run_n = con.execute("SELECT COUNT(*) FROM report_items WHERE team_id = 0 AND run = ?", (run,)).fetchone()[0]
ms = int(mid[:8] + mid[9:13], 16)
fmt = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t / 1000))
since, until = fmt(ms - 43_200_000), fmt(ms + 43_200_000)
with open(sys.argv[3], "w") as f:
    f.write(f"team0={n}\nrun={run}\nmodel={model}\ncode={code}\nsince={since}\nuntil={until}\n")
print(f"team 0: {n} reports; run={run} ({run_n}), model={model[:15]}... ({model_n / n:.1%}),"
      f" code={code} ({code_n / n:.1%} of its reports), since={since} until={until}")
PY
. "$work/params"
port=$(bench_free_port)
"$fitcheckd" --port "$port" --db "$HISTORY_DB" >"$work/fitcheckd.log" 2>&1 &
pid=$!
bench_wait_healthy "$port" "$work/fitcheckd.log"
echo "store: $(curl -s "http://127.0.0.1:$port/metrics" | awk '/^fitcheck_reports_stored/ {print $2}') reports"
printf '%-22s %10s %9s %9s %7s\n' query req/s p50_ms p99_ms non2xx
for kind in ${KINDS:-newest project verdict both deep deep-project deep-verdict run framework model code window \
        deep-code code-project code-run}; do
    case $kind in
        newest) q="limit=50" ;;
        project) q="limit=50&project=project-17" ;;
        verdict) q="limit=50&verdict=fail" ;;
        both) q="limit=50&project=project-03&verdict=pass" ;;
        deep) q="limit=50&cursor=" ;;
        deep-project) q="limit=50&project=project-29&cursor=" ;;
        deep-verdict) q="limit=50&verdict=warn&cursor=" ;;
        run) q="limit=50&run=$run" ;;
        framework) q="limit=50&framework=tfjs" ;;
        model) q="limit=50&model=$model" ;;
        code) q="limit=50&code=$code" ;;
        window) q="limit=50&since=$since&until=$until" ;;
        deep-code) q="limit=50&code=$code&cursor=" ;;
        code-project) q="limit=50&code=$code&project=project-17" ;;
        code-run) q="limit=50&code=$code&run=$run" ;;
        *) echo "run.sh: unknown query kind $kind" >&2; exit 2 ;;
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
