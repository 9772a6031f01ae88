# bench/lib.sh - what the benchmark scripts share; sourced after they set $root.
#
#   bench_need_wrk              installs wrk from Debian when missing
#   bench_fitcheckd             prints the Release fitcheckd of build-rel/, building it when needed
#   bench_free_port             prints a free TCP port on 127.0.0.1
#   bench_wait_healthy PORT LOG waits (20 s at most) until fitcheckd on PORT answers /healthz
#   bench_workdir [TEMPLATE]    makes $work (a temporary directory, mktemp's TEMPLATE) and, at exit, kills the server
#                               whose pid the script put in $pid and removes $work
#   bench_start_fitcheckd BIN [ARGS...]  starts BIN on a free port ($port) with its database and log
#                               in $work, sets $pid and waits until it answers

bench_need_wrk() {
    if ! command -v wrk >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
    fi
}

bench_fitcheckd() {
    if [ ! -x "$root/build-rel/fitcheckd" ]; then
        cmake -S "$root" -B "$root/build-rel" -DCMAKE_BUILD_TYPE=Release -DFITCHECK_TESTS=OFF >/dev/null
    fi
    cmake --build "$root/build-rel" --target fitcheckd >/dev/null
    echo "$root/build-rel/fitcheckd"
}

bench_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

bench_wait_healthy() {
    _i=0
    until curl -sf "http://127.0.0.1:$1/healthz" >/dev/null; do
        _i=$((_i + 1))
        if [ $_i -ge 200 ]; then cat "$2"; return 1; fi
        sleep 0.1
    done
}

bench_cleanup() {
    [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}

bench_workdir() {
    if [ $# -gt 0 ]; then work=$(mktemp -d "$1"); else work=$(mktemp -d); fi
    pid=""
    trap bench_cleanup EXIT INT TERM
}

bench_start_fitcheckd() {
    _bin=$1
    shift
    port=$(bench_free_port)
    "$_bin" --port "$port" --db "$work/fitcheck.db" "$@" >"$work/fitcheckd.log" 2>&1 &
    pid=$!
    bench_wait_healthy "$port" "$work/fitcheckd.log"
}
