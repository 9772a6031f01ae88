#!/bin/sh
# bench/http/rss.sh [SECONDS] [CONNECTIONS] - fitcheckd's resident memory under a sustained load:
# POST /v1/preflight (BODY, default the MNIST CNN request) from wrk for SECONDS (default 60) at
# CONNECTIONS (64), with VmRSS and open file descriptors read from /proc every 5 s. Prints the
# series and the growth from the 10 s mark to the end (the warm-up before it fills caches and
# the thread pool). Uses the Release build in build-rel/ like run.sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-60}
conns=${2:-64}
BODY=${BODY:-$here/mnist_cnn.json}
export BODY
. "$root/bench/lib.sh"
bench_workdir
bench_need_wrk
fitcheckd=$(bench_fitcheckd)
port=$(bench_free_port)
"$fitcheckd" --port "$port" --db "$work/fitcheck.db" --threads "${FITCHECK_THREADS:-64}" >"$work/log" 2>&1 &
pid=$!
bench_wait_healthy "$port" "$work/log"
wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$here/post.lua" "http://127.0.0.1:$port/v1/preflight" >"$work/wrk" &
wrk_pid=$!
t=0
echo "t_s rss_kb fds"
while kill -0 "$wrk_pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
    fds=$(ls "/proc/$pid/fd" | wc -l)
    echo "$t $rss $fds" | tee -a "$work/series"
    sleep 5
    t=$((t + 5))
done
wait "$wrk_pid" || true
grep -E "Requests/sec|Non-2xx|99%" "$work/wrk" || true
awk '$1 == 10 { a = $2 } { b = $2; f = $3 } END { printf "RSS at 10 s: %d kB, at the end: %d kB (%+.1f %%); fds at the end: %d\n", a, b, (b - a) * 100.0 / a, f }' "$work/series"
