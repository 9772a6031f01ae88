#!/bin/sh
# bench/http/run.sh [SECONDS] [CONNECTIONS] - POST /v1/preflight on fitcheckd against the floor, a
# no-op libmicrohttpd server with the same daemon flags, both loaded by wrk in the same run.
# Builds a Release fitcheckd in build-rel/ (and the no-op server) when missing; installs wrk from
# Debian when missing. Prints requests/s, latency percentiles, non-2xx answers, the ratio to the
# floor and the store's commit grouping. Environment: FITCHECK_THREADS (fitcheckd's worker
# threads, default 64), BODY (the request, default bench/http/mnist_cnn.json), WRK_THREADS (2),
# FITCHECKD (another fitcheckd binary to measure, e.g. an older build), MODEL (a descriptor to
# POST /v1/models before the load, for a BODY that names it by model_id: the string @MODEL_ID@ in
# BODY is replaced by the id the server returns), DB (the store: default a SQLite file in a temporary
# directory; a postgres:// URL measures the PostgreSQL store, whose database should be empty).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-8}
conns=${2:-64}
threads=${FITCHECK_THREADS:-64}
wrk_threads=${WRK_THREADS:-2}
BODY=${BODY:-$here/mnist_cnn.json}
export BODY
. "$root/bench/lib.sh"
work=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

bench_need_wrk
fitcheckd=${FITCHECKD:-$(bench_fitcheckd)}
cc -O2 -o "$work/noop_server" "$here/noop_server.c" $(pkg-config --cflags --libs libmicrohttpd) -lpthread

# run NAME URL: wrk's summary lines, and "NAME rps p99_ms non2xx" into $work/results
run() {
    out=$(wrk -t"$wrk_threads" -c"$conns" -d"${secs}s" --latency -s "$here/post.lua" "$2")
    echo "$out" | sed "s/^/  [$1] /"
    rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}')
    bad=$(echo "$out" | awk '/Non-2xx or 3xx responses:/ {print $5}')
    echo "$1 $rps $p99 ${bad:-0}" >>"$work/results"
}

noop_port=$(bench_free_port)
"$work/noop_server" "$noop_port" "$threads" &
pids="$pids $!"
fc_port=$(bench_free_port)
"$fitcheckd" --port "$fc_port" --db "${DB:-$work/fitcheck.db}" --threads "$threads" >"$work/fitcheckd.log" 2>&1 &
pids="$pids $!"
sleep 1
curl -sf "http://127.0.0.1:$fc_port/healthz" >/dev/null
if [ -n "${MODEL:-}" ]; then
    model_id=$(curl -sf -H 'Content-Type: application/json' --data-binary @"$MODEL" "http://127.0.0.1:$fc_port/v1/models" |
        sed -n 's/^{"model_id":"\([^"]*\)".*/\1/p')
    sed "s/@MODEL_ID@/$model_id/g" "$BODY" >"$work/body.json"
    BODY="$work/body.json"
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "body: $BODY ($(wc -c <"$BODY") bytes); wrk -t$wrk_threads -c$conns -d${secs}s; server threads $threads"
run floor "http://127.0.0.1:$noop_port/v1/preflight"
run fitcheckd "http://127.0.0.1:$fc_port/v1/preflight"
metrics=$(curl -sf "http://127.0.0.1:$fc_port/metrics" || true)
commits=$(echo "$metrics" | awk '$1 == "fitcheck_store_commits_total" {print $2}')
stored=$(echo "$metrics" | awk '$1 == "fitcheck_store_committed_reports_total" {print $2}')
maxb=$(echo "$metrics" | awk '$1 == "fitcheck_store_batch_max" {print $2}')
echo
awk -v commits="$commits" -v stored="$stored" -v maxb="$maxb" '
    { name[NR] = $1; rps[NR] = $2; p99[NR] = $3; bad[NR] = $4 }
    END {
        printf "%-10s %12s %10s %8s\n", "server", "req/s", "p99 ms", "non-2xx"
        for (i = 1; i <= NR; i++) printf "%-10s %12.0f %10.2f %8d\n", name[i], rps[i], p99[i], bad[i]
        printf "ratio: %.1f %% of the floor\n", 100 * rps[2] / rps[1]
        if (commits > 0) printf "store: %d reports in %d commits, %.1f per commit on average, at most %d\n", stored, commits, stored / commits, maxb
    }' "$work/results"
