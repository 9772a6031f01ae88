#!/usr/bin/env bash
# tests/pg/cluster.sh - a throwaway PostgreSQL server for the tests.
#
#   tests/pg/cluster.sh start STATE   initdb in a temporary directory, start postgres on a free loopback
#                                     port (trust auth, fsync on), write its URL to STATE/url
#   tests/pg/cluster.sh stop STATE    stop it and remove the directory
#   tests/pg/cluster.sh down STATE    stop the server, keeping its data (an outage)
#   tests/pg/cluster.sh up STATE      start it again on the same port
#
# Debian's postgresql package (scripts/deps.sh test) puts the server in /usr/lib/postgresql/<v>/bin.
# initdb refuses to run as root, so as root the server runs as the package's postgres user.
set -euo pipefail

cmd=${1:?start or stop}
state=${2:?state directory}
mkdir -p "$state"

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] && [ -x "$bindir/pg_ctl" ] || { echo "cluster.sh: no PostgreSQL server (apt install postgresql)" >&2; exit 1; }

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
    [ -f "$state/dir" ] || return 0
    local dir
    dir=$(cat "$state/dir")
    if [ -d "$dir/data" ]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir" "$state/dir" "$state/url" "$state/port"
}

serve() { # dir port
    as_owner "$bindir/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 30 \
        -o "-p $2 -k $1 -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=64MB" start >/dev/null ||
        { cat "$1/server.log" >&2; exit 1; }
}

case "$cmd" in
stop)
    stop
    ;;
down)
    as_owner "$bindir/pg_ctl" -D "$(cat "$state/dir")/data" -m fast -w stop >/dev/null
    ;;
up)
    serve "$(cat "$state/dir")" "$(cat "$state/port")"
    ;;
start)
    stop # a cluster left by an interrupted run
    dir=$(mktemp -d /tmp/fitcheck-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    echo "$dir" >"$state/dir"
    port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    echo "$port" >"$state/port"
    # the tests' servers open a few connections each (six), and the suites run side by side
    serve "$dir" "$port"
    echo "postgres://postgres@127.0.0.1:$port/postgres" >"$state/url"
    cat "$state/url"
    ;;
*)
    echo "usage: cluster.sh start|stop|down|up STATE" >&2
    exit 2
    ;;
esac
