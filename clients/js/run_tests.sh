#!/bin/sh
# Runs the fitcheck-client tests against a real fitcheckd.
# FITCHECKD names the server binary (default: the repo's build/fitcheckd). node_modules is
# installed with `npm ci` when it is missing or older than package-lock.json.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${FITCHECKD:=$here/../../build/fitcheckd}"
case "$FITCHECKD" in /*) ;; *) FITCHECKD="$(pwd)/$FITCHECKD" ;; esac # relative to the caller's directory
export FITCHECKD
cd "$here"
if [ ! -x "$FITCHECKD" ]; then
  echo "run_tests.sh: FITCHECKD=$FITCHECKD is not an executable (build the server first)" >&2
  exit 2
fi
stamp=node_modules/.package-lock.json # npm writes it on every install
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  npm ci --no-audit --no-fund
fi
exec node --test test/*.test.mjs
