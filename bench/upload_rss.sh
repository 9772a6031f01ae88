#!/usr/bin/env bash
# bench/upload_rss.sh - peak memory and time of a real fitcheckd while a large
# .npy file streams through POST /v1/preflight (bench/README.md, bench_npy).
#
#   bench/upload_rss.sh [BUILD_DIR] [MB] [PATTERN]
#
# Writes a float32 .npy of about MB megabytes (default 1024) to a temporary
# directory under /tmp (PATTERN levels256: (k % 256) / 255, 256 distinct
# values, the slowest scan; uniform: random values; either way the very last
# element is a NaN, so DATA_NOT_FINITE in the report shows the scan reached
# the end), starts BUILD_DIR/fitcheckd (default build) on a free port with its
# default limits, uploads the file with curl as the x part of a multipart body
# (curl streams it from disk), and prints the server's VmHWM (peak resident
# set, from /proc/PID/status) before and after, the upload's wall time, and
# the report's verdict and findings. The temporary directory, the file
# included, is removed on exit.
set -euo pipefail

build=${1:-build}
mb=${2:-1024}
pattern=${3:-levels256}
tmp=$(mktemp -d /tmp/fitcheck-rss.XXXXXX)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# The file: 784 float32 per row, as many rows as fit in MB megabytes.
rows=$((mb * 1000000 / (784 * 4)))
node - "$tmp/x.npy" "$rows" "$pattern" <<'EOF'
const fs = require('node:fs');
const [file, rowsText, pattern] = process.argv.slice(2);
const rows = Number(rowsText);
const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, 784), }`;
let hlen = dict.length + 1;
while ((10 + hlen) % 64 !== 0) hlen++;
const head = Buffer.alloc(10 + hlen, ' ');
head.write('\x93NUMPY\x01\x00', 0, 'latin1');
head.writeUInt16LE(hlen, 8);
head.write(dict, 10, 'latin1');
head[10 + hlen - 1] = 0x0a;
const fd = fs.openSync(file, 'w');
fs.writeSync(fd, head);
const perChunk = 4096; // rows per write: 12.8 MB
const chunk = new Float32Array(perChunk * 784);
let seed = 1;
for (let r = 0; r < rows; r += perChunk) {
  const n = Math.min(perChunk, rows - r) * 784;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    chunk[i] = pattern === 'uniform' ? seed / 4294967296 : ((seed >>> 8) % 256) / 255;
  }
  if (r + perChunk >= rows) chunk[n - 1] = NaN; // the last element: the report shows the scan reached it
  fs.writeSync(fd, new Uint8Array(chunk.buffer, 0, n * 4));
}
fs.closeSync(fd);
EOF
size=$(stat -c %s "$tmp/x.npy")

"$build/fitcheckd" --port 0 --db "$tmp/fitcheck.db" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do
    if [ -s "$tmp/out" ]; then break; fi
    sleep 0.05
done
port=$(head -n1 "$tmp/out")
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.05; done
hwm() { awk '/^VmHWM/ {print $2, $3}' "/proc/$pid/status"; }
before=$(hwm)

request='{"model": {"class_name": "Sequential", "config": {"name": "m", "layers": [
  {"class_name": "InputLayer", "config": {"name": "pixels", "batch_shape": [null, 784]}},
  {"class_name": "Dense", "config": {"name": "probs", "units": 10, "activation": "softmax"}}]}}}'
start=$(date +%s.%N)
status=$(curl -s -o "$tmp/report.json" -w '%{http_code}' -H 'Expect:' \
    -F "request=$request;type=application/json" -F "x=@$tmp/x.npy;type=application/octet-stream" \
    "http://127.0.0.1:$port/v1/preflight")
end=$(date +%s.%N)
after=$(hwm)

echo "file:        $size bytes ($rows x 784 float32, $pattern)"
echo "status:      $status"
echo "upload:      $(echo "$end - $start" | bc) s ($(echo "scale=2; $size / ($end - $start) / 1000000000" | bc) GB/s end to end)"
echo "VmHWM:       $before before, $after after"
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log("report:      verdict", r.verdict, "findings", JSON.stringify((r.findings || []).map((f) => f.code)),
              r.request_digest || r.detail)' "$tmp/report.json"
grep '"path":"/v1/preflight"' "$tmp/err" | tail -n1
