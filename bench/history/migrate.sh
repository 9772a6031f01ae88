#!/bin/sh
# bench/history/migrate.sh [COUNT] - the upgrade of a schema-5 store of COUNT reports (default 1000000).
# Seeds $MIGRATE_DB (default /tmp/fitcheck-history5-$COUNT.db, kept for the next run) with
# `seed.py --schema 5` when it is missing: the store of a fitcheckd from before migrations 0006-0008.
# Copies it, starts the Release fitcheckd on the copy (it applies 0006-0008 at open, before it listens)
# and prints the time from its start to the first answer of /healthz, the database's size before, at
# that moment (the file and its WAL) and after fitcheckd stopped (its close checkpoints and truncates
# the WAL), the largest WAL seen and the server's peak RSS. The copy is removed at the end.
#   FITCHECKD=path   measure that binary instead of build-rel/fitcheckd (rebuilt from this tree)
#   MIGRATE_COLD=1   drop the copy's pages from the page cache first (posix_fadvise on that file
#                    only): the upgrade of a store that is not in memory. Default: the copy as cp
#                    left it, in the page cache.
#   MIGRATE_STEPS=1  then, on a second copy, apply 0006, 0007 and 0008 one at a time from
#                    migrations/*.sql (or $MIGRATIONS/*.sql) with Python's sqlite3 (WAL, synchronous=FULL, one transaction
#                    each, as store_sqlite.c's apply_one) and print the time of each.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
COUNT=${1:-${COUNT:-1000000}}
MIGRATE_DB=${MIGRATE_DB:-/tmp/fitcheck-history5-$COUNT.db}
. "$root/bench/lib.sh"
bench_workdir "${TMPDIR:-/tmp}/fitcheck-migrate-XXXXXX"

# FITCHECKD=path: that binary (say a Release build of a commit, out of a tree others are editing); else
# build-rel/ of this working tree, rebuilt now
if [ -n "${FITCHECKD:-}" ]; then fitcheckd=$FITCHECKD; else fitcheckd=$(bench_fitcheckd); fi
echo "fitcheckd: $fitcheckd ($("$fitcheckd" --version 2>/dev/null | head -n 1 || true))"
if [ ! -f "$MIGRATE_DB" ]; then
    /usr/bin/python3 "$here/seed.py" --fitcheckd "$fitcheckd" --db "$MIGRATE_DB" --count "$COUNT" --schema 5
fi
v=$(/usr/bin/python3 -c 'import sqlite3, sys; c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print(c.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0])' "$MIGRATE_DB")
if [ "$v" != 5 ]; then
    echo "migrate.sh: $MIGRATE_DB is at schema $v, not 5" >&2
    exit 1
fi
if [ -s "$MIGRATE_DB-wal" ]; then
    echo "migrate.sh: $MIGRATE_DB has a WAL with content; a copy of the file alone would miss it" >&2
    exit 1
fi
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
mb() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1e6 }'; }

db="$work/upgrade.db"
t=$(date +%s%N)
cp "$MIGRATE_DB" "$db"
echo "copied $(mb "$(size "$db")") in $(( ($(date +%s%N) - t) / 1000000 )) ms"
if [ "${MIGRATE_COLD:-0}" = 1 ]; then
    /usr/bin/python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$db"
    echo "page cache: the copy's pages dropped"
else
    echo "page cache: the copy as cp left it"
fi
before=$(size "$db")
echo "load before the start: $(cut -d' ' -f1-3 /proc/loadavg)"

port=$(bench_free_port)
t0=$(date +%s%N)
"$fitcheckd" --port "$port" --db "$db" >"$work/fitcheckd.log" 2>&1 &
pid=$!
maxwal=0
hwm=0
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
        cat "$work/fitcheckd.log" >&2
        echo "migrate.sh: fitcheckd exited before answering" >&2
        exit 1
    fi
    w=$(size "$db-wal")
    [ "$w" -gt "$maxwal" ] && maxwal=$w
    sleep 0.05
done
t1=$(date +%s%N)
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
w=$(size "$db-wal")
[ "$w" -gt "$maxwal" ] && maxwal=$w
at_ready=$(( $(size "$db") + w ))
schema=$(sed -n 's/.*"schema_version":\([0-9]*\).*/\1/p' "$work/fitcheckd.log" | head -n 1)
stored=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^fitcheck_reports_stored/ {print $2}')
t2=$(date +%s%N)
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""
t3=$(date +%s%N)
after=$(( $(size "$db") + $(size "$db-wal") ))
echo "load after the upgrade: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "fitcheckd: schema 5 -> ${schema:-?}, $stored reports"
echo "start to /healthz: $(awk -v n=$((t1 - t0)) 'BEGIN { printf "%.2f s", n / 1e9 }')"
echo "stop (checkpoint and WAL truncation at close): $(awk -v n=$((t3 - t2)) 'BEGIN { printf "%.2f s", n / 1e9 }')"
echo "size before: $(mb "$before"); when answering: $(mb "$at_ready") (WAL $(mb "$w")); after stop: $(mb "$after");" \
    "largest WAL seen: $(mb "$maxwal"); fitcheckd VmHWM: $((hwm / 1024)) MB"
/usr/bin/python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
codes = c.execute("SELECT COUNT(*) FROM report_codes").fetchone()[0]
seq = c.execute("SELECT COUNT(*), MIN(seq), MAX(seq) FROM report_items").fetchone()
print(f"after: {codes} report_codes rows; report_items: {seq[0]} rows, seq {seq[1]}..{seq[2]}")
PY
rm -f "$db" "$db-wal" "$db-shm"

if [ "${MIGRATE_STEPS:-0}" = 1 ]; then
    cp "$MIGRATE_DB" "$db"
    /usr/bin/python3 - "$db" "${MIGRATIONS:-$root/migrations}" "$here" <<'PY'
import glob, os, sqlite3, sys, time
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[3])
from seed import split_sql
db, mdir = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db, isolation_level=None)
con.execute("PRAGMA journal_mode=WAL")
con.execute("PRAGMA synchronous=FULL")
con.execute("PRAGMA foreign_keys=ON")
have = con.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
for path in sorted(glob.glob(os.path.join(mdir, "[0-9][0-9][0-9][0-9]_*.sql"))):
    name = os.path.basename(path)
    if int(name[:4]) <= have:
        continue
    t = time.monotonic()
    con.execute("BEGIN IMMEDIATE")
    for stmt in split_sql(open(path).read()):
        s = time.monotonic()
        con.execute(stmt)
        if time.monotonic() - s > 0.5:
            print(f"    {time.monotonic() - s:7.2f} s  {' '.join(stmt.split())[:90]}")
    con.execute("INSERT INTO schema_migrations (version, name, applied_at)"
                " VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))", (int(name[:4]), name))
    con.execute("COMMIT")
    wal = os.path.getsize(db + "-wal") if os.path.exists(db + "-wal") else 0
    print(f"  {name}: {time.monotonic() - t:.2f} s (WAL now {wal / 1e6:.0f} MB)")
t = time.monotonic()
con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print(f"  checkpoint: {time.monotonic() - t:.2f} s; file {os.path.getsize(db) / 1e6:.0f} MB")
PY
fi
