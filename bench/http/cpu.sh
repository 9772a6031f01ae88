#!/bin/sh
# bench/http/cpu.sh - CPU per request of fitcheckd's threads under wrk (MNIST by model_id, 64 connections,
# 8 s): utime + stime of every thread from /proc before and after, the writer (fc-writer) apart.
# Needs build-rel/fitcheckd (bench/http/run.sh builds it) and wrk.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/build-rel/fitcheckd
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
db=$work/f.db
$bin --port $port --db $db --threads 64 >$work/fitcheckd.log 2>&1 &
pid=$!
sleep 1
id=$(curl -s -XPOST localhost:$port/v1/models -H 'Content-Type: application/json' --data-binary @$root/bench/http/mnist_model.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["model_id"])')
sed "s/@MODEL_ID@/$id/" $root/bench/http/mnist_by_id.json > $work/body.json
ticks() { for t in /proc/$pid/task/*; do n=$(cat $t/comm); set -- $(cut -d' ' -f14,15 $t/stat); echo "$n $(( $1 + $2 ))"; done; }
ticks > $work/before
reqs_before=$(curl -s localhost:$port/metrics | awk '$1=="fitcheck_store_committed_reports_total"{print $2}')
BODY=$work/body.json wrk -t2 -c64 -d8s -s $root/bench/http/post.lua http://127.0.0.1:$port/v1/preflight | grep Requests/sec
ticks > $work/after
reqs=$(( $(curl -s localhost:$port/metrics | awk '$1=="fitcheck_store_committed_reports_total"{print $2}') - reqs_before ))
kill $pid
awk -v n=$reqs -v hz=$(getconf CLK_TCK) 'NR==FNR { b[FNR]=$2; next } { d=$2-b[FNR]; tot+=d; if ($1=="fc-writer") w+=d }
  END { printf "reports %d; CPU per report: fitcheckd %.0f us (writer %.0f us, the rest %.0f us)\n", n, tot/hz*1e6/n, w/hz*1e6/n, (tot-w)/hz*1e6/n }' $work/before $work/after
rm -rf "$work"
