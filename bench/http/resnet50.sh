#!/bin/sh
# bench/http/resnet50.sh [SECONDS] [CONNECTIONS] - how much of a ResNet50 preflight sending the model
# by model_id saves: the same request with the 83 KB descriptor inline, then by the id POST /v1/models
# returned, each against the no-op floor (bench/http/run.sh). The descriptor is the corpus's
# tfjs-conv-keras2-resnet50 (../shared/corpus; the script exits when it is absent) with its outputs cut
# to fc1000, the classifier Keras builds: the converted file lists 72 intermediate outputs, which
# would make every request a TARGET_COUNT_MISMATCH. Same environment as run.sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=${CORPUS:-$root/../shared/corpus/keras-models}/tfjs-conv-keras2-resnet50.model.json
if [ ! -f "$corpus" ]; then
    echo "no $corpus: nothing to measure" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
python3 - "$corpus" "$work" <<'PY'
import json, sys
src, work = sys.argv[1], sys.argv[2]
model = json.load(open(src))["modelTopology"]["model_config"]
model["config"]["output_layers"] = [["fc1000", 0, 0]]
json.dump(model, open(work + "/model.json", "w"))
request = {"framework": "tfjs", "framework_version": "4.22.0",
           "compile": {"loss": "categorical_crossentropy", "optimizer": "adam"},
           "data": {"x": {"shape": [1000, 224, 224, 3], "dtype": "float32", "stats": {"min": 0, "max": 1}},
                    "y": {"shape": [1000, 1000], "dtype": "float32",
                          "stats": {"min": 0, "max": 1, "row_sum_min": 1, "row_sum_max": 1}}},
           "fit": {"batch_size": 32, "epochs": 1}, "labels": {"project": "bench"}}
json.dump(dict(request, model_id="@MODEL_ID@"), open(work + "/by_id.json", "w"))  # run.sh puts the id in
json.dump(dict(request, model=model), open(work + "/inline.json", "w"))
PY
echo "== model inline"
BODY="$work/inline.json" "$here/run.sh" "$@" | tee "$work/inline.out"
echo
echo "== model by model_id"
MODEL="$work/model.json" BODY="$work/by_id.json" "$here/run.sh" "$@" | tee "$work/by_id.out"
for f in inline by_id; do
    awk '$1 == "fitcheckd" && NF == 4 && $4 != 0 {print "'$f': " $4 " answers were not 2xx"; exit 1}' "$work/$f.out"
done
a=$(awk '$1 == "fitcheckd" && NF == 4 {print $2}' "$work/inline.out")
b=$(awk '$1 == "fitcheckd" && NF == 4 {print $2}' "$work/by_id.out")
echo
awk -v a="$a" -v b="$b" 'BEGIN { printf "ResNet50 by model_id: %.0f req/s against %.0f inline, %.2fx; %.0f us of %.0f per request saved\n", b, a, b / a, 1e6 / a - 1e6 / b, 1e6 / a }'
