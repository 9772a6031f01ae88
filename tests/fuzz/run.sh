#!/bin/sh
# tests/fuzz/run.sh [TARGET...] - libFuzzer campaigns, ASan+UBSan, on every parser fitcheckd exposes:
# preflight (request JSON and model descriptors through the core), explain (pasted error texts),
# npy (.npy parts, chunked as the network splits them), keras (.keras archives: libzip, config.json,
# metadata.json, then the core), multipart (multipart/form-data bodies through server/upload.c on an
# in-process libmicrohttpd connection). Builds build-fuzz/ with clang (-DFITCHECK_FUZZ=ON) and runs each
# TARGET (default: all five) for RUNS executions (default 10000000) on JOBS processes (default 1),
# starting from its committed corpus and seeds. The corpus the run grows is merged (minimised) back
# into tests/fuzz/corpus-TARGET, which ctest replays (fuzz.*_replay); a crash, leak or timeout
# leaves its input in build-fuzz/artifacts-TARGET/ and stops with status 1: copy it to
# tests/fuzz/regressions* with a name that says what it was once fixed.
#   RUNS=1000000 tests/fuzz/run.sh npy keras
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${RUNS:-10000000}
jobs=${JOBS:-1}
targets=${*:-preflight explain npy keras multipart}
build=$root/build-fuzz
command -v clang >/dev/null || { echo "run.sh: clang is needed (apt-get install clang)" >&2; exit 2; }
CC=clang cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFITCHECK_FUZZ=ON >/dev/null
seeds() {
    case $1 in
    preflight) echo "$root/tests/cases $root/tests/fuzz/regressions" ;;
    explain) echo "$root/tests/explain $root/tests/fuzz/regressions-explain" ;;
    npy) echo "" ;;
    keras) echo "$root/tests/fixtures" ;;
    multipart) echo "$root/tests/fuzz/regressions-multipart" ;;
    esac
}
status=0
for t in $targets; do
    cmake --build "$build" --target "fuzz_$t" -j2 >/dev/null
    corpus=$root/tests/fuzz/corpus-$t
    work=$build/work-$t
    mkdir -p "$corpus" "$work" "$build/artifacts-$t"
    echo "== fuzz_$t: $runs executions, corpus $(ls "$corpus" | wc -l) files"
    start=$(date +%s)
    par=""
    [ "$jobs" -gt 1 ] && par="-jobs=$jobs -workers=$jobs" # (with -jobs libFuzzer logs to ./fuzz-N.log)
    # shellcheck disable=SC2086
    if ! "$build/tests/fuzz_$t" -runs="$runs" $par -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/artifacts-$t/" \
        "$work" "$corpus" $(seeds "$t") >"$build/fuzz-$t.log" 2>&1; then
        tail -n 40 "$build/fuzz-$t.log"
        echo "fuzz_$t: FAILED, inputs in $build/artifacts-$t/" >&2
        status=1
        continue
    fi
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|cov:' "$build/fuzz-$t.log" | tail -n 4
    rm -rf "$corpus.new"
    mkdir -p "$corpus.new"
    "$build/tests/fuzz_$t" -merge=1 "$corpus.new" "$corpus" "$work" >"$build/merge-$t.log" 2>&1 || rm -rf "$corpus.new"/*
    if [ -n "$(ls "$corpus.new" 2>/dev/null)" ]; then
        rm -rf "$corpus"
        mv "$corpus.new" "$corpus"
    fi
    rm -rf "$corpus.new"
    echo "fuzz_$t: ok in $(( $(date +%s) - start )) s; corpus now $(ls "$corpus" | wc -l) files"
done
exit $status
