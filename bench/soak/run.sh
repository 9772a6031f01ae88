#!/bin/sh
# bench/soak/run.sh [SECONDS] [CONNECTIONS] - the soak of issue 13: SECONDS (default 60) of mixed load
# at CONNECTIONS (default 128) with wrk (2 threads, mix.lua: preflights, history lists, report reads,
# explains) against the Release fitcheckd on a fresh database. Samples the server's RSS and open
# descriptors every second; prints wrk's summary, the answers by class (5xx must be 0), and RSS and
# descriptors at the start of the load, after 10 s (warm: caches, pools and the page cache filled)
# and at the end, and the growth from 10 s to the end.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-60}
conns=${2:-128}
. "$root/bench/lib.sh"
bench_workdir

bench_need_wrk
fitcheckd=$(bench_fitcheckd)
bench_start_fitcheckd "$fitcheckd"
sample() {
    echo "$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status") $(ls "/proc/$pid/fd" | wc -l)"
}
echo "fitcheckd $(git -C "$root" rev-parse --short HEAD); $(nproc) cores; wrk -t2 -c$conns -d${secs}s, mix.lua"
(
    i=0
    while [ $i -le "$secs" ]; do
        sample >>"$work/samples"
        sleep 1
        i=$((i + 1))
    done
) &
sampler=$!
BODY="$root/bench/http/mnist_cnn.json" wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s --latency -s "$here/mix.lua" \
    "http://127.0.0.1:$port"
wait "$sampler" 2>/dev/null || true
awk -v secs="$secs" '
    { rss[NR] = $1; fd[NR] = $2 }
    END {
        w = NR > 11 ? 11 : NR
        printf "RSS kB:      start %d, at 10 s %d, end %d (max %d); growth 10 s -> end: %+d kB\n",
               rss[1], rss[w], rss[NR], max(rss), rss[NR] - rss[w]
        printf "descriptors: start %d, at 10 s %d, end %d (max %d); growth 10 s -> end: %+d\n",
               fd[1], fd[w], fd[NR], max(fd), fd[NR] - fd[w]
    }
    function max(a,   i, m) { m = 0; for (i in a) if (a[i] + 0 > m) m = a[i] + 0; return m }' "$work/samples"
sleep 2
echo "after the load: RSS $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status") kB, $(ls "/proc/$pid/fd" | wc -l) descriptors; " \
    "$(curl -s "http://127.0.0.1:$port/metrics" | awk '$1 == "fitcheck_reports_stored" {print $2}') reports stored"
