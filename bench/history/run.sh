#!/bin/sh
# bench/history/run.sh [SECONDS] [CONNECTIONS] - GET /v1/reports on a store of many reports.
# Seeds $HISTORY_DB (default /tmp/fitcheck-history8-$COUNT.db, COUNT default 1000000) with
# bench/history/seed.py when it is missing (at fitcheckd's current schema, 80 % of the reports in team 0),
# starts a Release fitcheckd on it (--auth none: every query is team 0's), and loads each kind of
# history query with wrk (2 threads): the newest page, a project's, a verdict's, both, pages deep in the
# history by cursor (random cursors from the store) without a filter, for a project and for a verdict;
# a run's, a framework's, a model's, a finding code's, a 1-day since/until window in the middle of the
# history, a code's deep pages; and two pairs the indexes do not lead with (code and project, code and
# run). Prints requests/s, p50 and p99 per kind, non-2xx answers and socket errors (wrk's connect, read,
# write errors and timeouts); beside each kind, /proc/loadavg's 1-minute figure as the kind starts (which
# counts the previous kind's own load: wrk and fitcheckd keep both cores busy) and `other%`, the share of
# the machine's CPU time during the kind that neither fitcheckd nor this script's children (wrk) used:
# what else ran on the machine meanwhile (from /proc/stat and the two processes' CPU times).
#   FITCHECKD=path           measure that binary instead of build-rel/fitcheckd (rebuilt from this tree)
#   KINDS="newest deep ..."  only these kinds
#   WARMUP=2                 seconds of unmeasured load (newest, then deep pages) before the first kind
#   HISTORY_PG=postgres://...  serve from that PostgreSQL database instead, copied once from $HISTORY_DB by
#                            bench/history/to_pg.py (list items, codes, and the reports without their JSON)
#   HISTORY_COLD=1           drop the database file's pages from the page cache before the start
#                            (posix_fadvise on that file only): the start-to-/healthz time of a store
#                            that is not in memory. The list pages are warmed after /healthz either way.
# bench/history/plans.py prints the query plan of each kind's statement and times it alone.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-5}
conns=${2:-16}
COUNT=${COUNT:-1000000}
HISTORY_DB=${HISTORY_DB:-/tmp/fitcheck-history8-$COUNT.db}
. "$root/bench/lib.sh"
bench_workdir

bench_need_wrk
# FITCHECKD=path: that binary (say a Release build of a commit, out of a tree others are editing); else
# build-rel/ of this working tree, rebuilt now
if [ -n "${FITCHECKD:-}" ]; then fitcheckd=$FITCHECKD; else fitcheckd=$(bench_fitcheckd); fi
echo "fitcheckd: $fitcheckd ($("$fitcheckd" --version 2>/dev/null | head -n 1 || true))"
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
if [ "${HISTORY_COLD:-0}" = 1 ]; then
    /usr/bin/python3 -c 'import os, sys
for p in sys.argv[1:]:
    if os.path.exists(p):
        fd = os.open(p, os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)' \
        "$HISTORY_DB" "$HISTORY_DB-wal"
    echo "page cache: the database's pages dropped"
fi
port=$(bench_free_port)
t0=$(date +%s%N)
if [ -n "${HISTORY_PG:-}" ]; then
    /usr/bin/python3 "$here/to_pg.py" "$HISTORY_DB" "$HISTORY_PG" "$fitcheckd"
fi
"$fitcheckd" --port "$port" --db "${HISTORY_PG:-$HISTORY_DB}" >"$work/fitcheckd.log" 2>&1 &
pid=$!
# not bench_wait_healthy (20 s): at open fitcheckd counts the reports, which reads the whole reports table
# when it is not in the page cache (minutes at 1 M on a slow disk)
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/fitcheckd.log"; exit 1; }
    sleep 0.05
done
echo "fitcheckd answered /healthz $(awk -v n=$(($(date +%s%N) - t0)) 'BEGIN { printf "%.1f s", n / 1e9 }') after its start"
# The pages the lists read, into the page cache: report_items (the table and each of its indexes, team 0's
# part) and report_codes, about 0.8 GB at 1 M reports; the reports table (whole reports) is not read by a list.
if [ -n "${HISTORY_PG:-}" ]; then
    t=$(date +%s%N)
    psql "$HISTORY_PG" -qAt -c "SELECT sum(length(item)) FROM report_items" \
        -c "SELECT count(*) FROM report_codes WHERE team_id = 0" >/dev/null
    echo "PostgreSQL's cache warmed in $(awk -v n=$(($(date +%s%N) - t)) 'BEGIN { printf "%.1f s", n / 1e9 }')"
else
/usr/bin/python3 - "$HISTORY_DB" <<'PY'
import sqlite3, sys, time
t = time.monotonic()
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
con.execute("SELECT SUM(LENGTH(item)) FROM report_items NOT INDEXED").fetchone()
for (idx,) in con.execute("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'report_items'"
                          " AND name LIKE 'report_items_team_%' AND name <> 'report_items_team_seq'").fetchall():
    con.execute(f"SELECT COUNT(*) FROM report_items INDEXED BY {idx} WHERE team_id = 0").fetchone()
con.execute("SELECT COUNT(*) FROM report_codes WHERE team_id = 0").fetchone()
print(f"page cache warmed in {time.monotonic() - t:.1f} s")
PY
fi
echo "store: $(curl -s "http://127.0.0.1:$port/metrics" | awk '/^fitcheck_reports_stored/ {print $2}') reports"
# busy jiffies of the machine, fitcheckd's, and this shell's waited-for children's (wrk, awk, curl)
snap() {
    echo "$(date +%s%N) $(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)" \
        "$(awk '{ print $14 + $15 }' "/proc/$pid/stat") $(awk '{ print $16 + $17 }' "/proc/$$/stat")"
}
ncpu=$(nproc)
hz=$(getconf CLK_TCK)
# a few unmeasured seconds of the newest and the deep pages first: the readers' page caches and the server's
# first requests (the first kind measured otherwise carries them)
for q in "limit=50" "limit=50&cursor="; do
    QUERY="$q" CURSORS="$work/cursors" wrk -t2 -c"$conns" -d"${WARMUP:-2}s" -s "$here/list.lua" \
        "http://127.0.0.1:$port" >/dev/null
done
echo "before the first kind: load $(cut -d' ' -f1-3 /proc/loadavg), $ncpu cpus"
printf '%-5s %-6s %-14s %10s %9s %9s %7s %7s\n' load other% query req/s p50_ms p99_ms non2xx errors
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
    load=$(cut -d' ' -f1 /proc/loadavg)
    s0=$(snap)
    out=$(QUERY="$q" CURSORS="$work/cursors" wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$here/list.lua" \
        "http://127.0.0.1:$port")
    s1=$(snap)
    other=$(echo "$s0 $s1" | awk -v n="$ncpu" -v hz="$hz" '{ wall = ($5 - $1) / 1e9
        o = (($6 - $2) - ($7 - $3) - ($8 - $4)) / (wall * n * hz) * 100; if (o < 0) o = 0; printf "%.0f", o }')
    echo "$out" | awk -v k="$kind" -v load="$load" -v other="$other" '
        function ms(v) { if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms$/, "", v); return v }
                         if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 } return v }
        /^Requests\/sec:/ { rps = $2 } $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { bad = $5 } /Socket errors:/ { err = $4 + $6 + $8 + $10 }
        END { printf "%-5s %-6s %-14s %10s %9.2f %9.2f %7d %7d\n", load, other, k, rps, p50, p99, bad, err }'
done
