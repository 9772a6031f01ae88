#!/bin/sh
# bench/slowloris/run.sh [SECONDS] [SLOW] - normal clients' latency while slow clients attack.
# Starts the Release fitcheckd (its defaults: --header-timeout 10, --body-min-rate 1024,
# --per-ip-connections 256), then loads POST /v1/preflight (bench/http/mnist_cnn.json) with wrk
# (2 threads, 16 connections, from 127.0.0.1) three times for SECONDS (default 20) each: alone,
# beside SLOW (default 1200) connections trickling headers one byte a second from 127.0.0.2-9,
# and beside SLOW connections trickling a body. Prints req/s, p50, p99 and non-2xx per run and the
# tricklers' view: how many connections they opened and how long the server let them live; after
# each wrk run, 50 requests each on a new connection (a client arriving mid-attack), their p50,
# their slowest and how many failed (libmicrohttpd refuses connections past --max-connections).
#   SLOWLORIS_ARGS  more fitcheckd flags (e.g. "--header-timeout 0 --body-min-rate 0" to see the attack
#                   without the guard)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-20}
slow=${2:-1200}
. "$root/bench/lib.sh"
bench_workdir

bench_need_wrk
fitcheckd=$(bench_fitcheckd)
# shellcheck disable=SC2086
bench_start_fitcheckd "$fitcheckd" ${SLOWLORIS_ARGS:-}
export BODY="$root/bench/http/mnist_cnn.json"

# fresh: N requests each on a new connection (curl, 5 s at most each), as a client arriving mid-attack
fresh() {
    i=0
    : >"$work/fresh"
    while [ $i -lt 50 ]; do
        curl -s -o /dev/null --max-time 5 -w '%{http_code} %{time_total}\n' "http://127.0.0.1:$port/healthz" \
            >>"$work/fresh" || echo "000 5" >>"$work/fresh"
        i=$((i + 1))
    done
    sort -k2 -n "$work/fresh" | awk -v name="$1" '{ t[NR] = $2 * 1000; if ($1 != 200) bad++ }
        END { printf "%-16s %9s %9.2f %9.2f %7d   (50 new connections, curl)\n", name, "-", t[int(NR / 2) + 1], t[NR], bad }'
}

load() {
    out=$(wrk -t2 -c16 -d"${secs}s" --timeout 10s --latency -s "$root/bench/http/post.lua" "http://127.0.0.1:$port/v1/preflight")
    ms() { awk -v k="$1" '$1 == k {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}'; }
    printf '%-16s %9s %9s %9s %7s\n' "$1" "$(echo "$out" | awk '/^Requests\/sec:/ {printf "%.0f", $2}')" \
        "$(echo "$out" | ms 50%)" "$(echo "$out" | ms 99%)" \
        "$(echo "$out" | awk '/Non-2xx|Socket errors/ {n += $NF} END {print n + 0}')"
}

echo "fitcheckd $(git -C "$root" rev-parse --short HEAD) ${SLOWLORIS_ARGS:-(defaults)}; $(nproc) cores; wrk -t2 -c16 -d${secs}s"
printf '%-16s %9s %9s %9s %7s\n' run req/s p50_ms p99_ms errors
load alone
fresh "  new conns"
for mode in headers body; do
    node "$here/trickle.mjs" "$port" "$slow" "$((secs + 14))" "$mode" >"$work/trickle-$mode" &
    tpid=$!
    sleep 3
    load "$slow slow $mode"
    fresh "  new conns"
    wait "$tpid"
    cat "$work/trickle-$mode"
done
curl -s "http://127.0.0.1:$port/metrics" | grep '^fitcheck_slow_clients_closed_total'
