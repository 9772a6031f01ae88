#!/usr/bin/env bash
# clients/python/run_tests.sh - the Python client's tests against a real fitcheckd:
# the unittest suite, then examples/quickstart.ipynb executed by nbclient and exported to HTML.
#
#   FITCHECKD=path/to/fitcheckd clients/python/run_tests.sh    (default: build/fitcheckd)
#   FITCHECK_SCREENSHOTS=1 ... also renders docs/screenshots/notebook.png in headless chromium
#
# Uses Debian's /usr/bin/python3 (python3-numpy, python3-pandas, python3-nbclient, python3-nbconvert,
# python3-ipykernel). Exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export FITCHECKD="${FITCHECKD:-$repo/build/fitcheckd}"
python=/usr/bin/python3
[ -x "$FITCHECKD" ] || { echo "run_tests.sh: no fitcheckd at $FITCHECKD (build it, or set FITCHECKD)" >&2; exit 1; }

tmp="$(mktemp -d)"
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# One server for the suite's shared tests and the notebook; the suite starts others it needs (--auth keys).
"$FITCHECKD" --port 0 --db "$tmp/fitcheck.db" >"$tmp/stdout" 2>"$tmp/fitcheckd.log" &
pid=$!
for _ in $(seq 100); do
    [ "$(wc -l <"$tmp/stdout")" -ge 1 ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/fitcheckd.log" >&2; exit 1; }
    sleep 0.1
done
port="$(head -n 1 "$tmp/stdout")"
[[ "$port" =~ ^[0-9]+$ ]] || { echo "run_tests.sh: fitcheckd printed no port" >&2; cat "$tmp/fitcheckd.log" >&2; exit 1; }
url="http://127.0.0.1:$port"
"$python" -c '
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(sys.argv[1] + "/healthz", timeout=1).read(); sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("fitcheckd at %s never became healthy" % sys.argv[1])' "$url"

export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in the source tree
export PYDEVD_DISABLE_FILE_VALIDATION=1  # ipykernel's debugger warns about frozen modules otherwise
cd "$here"
FITCHECK_TEST_URL="$url" "$python" -m unittest discover -s tests -t tests -v

screenshot=()
if [ "${FITCHECK_SCREENSHOTS:-0}" = 1 ]; then
    mkdir -p "$repo/docs/screenshots"
    screenshot=(--screenshot "$repo/docs/screenshots/notebook.png")
fi
FITCHECK_URL="$url" "$python" tests/run_notebook.py "$tmp" "${screenshot[@]}"
