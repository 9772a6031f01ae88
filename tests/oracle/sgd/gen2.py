#!/usr/bin/python3
"""Seed sweeps for MLP scenarios + lr x target-scale grid (D_seeds.jsonl, E_yscale_lr.jsonl)."""
import json
from gen import sc, seq, dense, sgd, X, Y, BOSTON, ADAM, RMS
N = 256
mlp13 = seq(dense(64, "relu", 13), dense(1, "linear"))
D = []
cases = {
  "tab1000_mlp": (mlp13, X(N, 13, "uniform:0:1000"), Y(N, 1, "linear:7:10:20:1")),
  "boston_raw_mlp": (mlp13, X(N, 13, BOSTON), Y(N, 1, "linear:7:9:22:2")),
  "mlp_u0_20": (mlp13, X(N, 13, "uniform:0:20"), Y(N, 1, "linear:7:10:20:1")),
  "mlp_u0_100": (mlp13, X(N, 13, "uniform:0:100"), Y(N, 1, "linear:7:10:20:1")),
  "price_std_mlp": (mlp13, X(N, 13, BOSTON, "standardize"), Y(N, 1, "linear:7:100000:250000:10000")),
  "price_minmax_mlp": (mlp13, X(N, 13, BOSTON, "minmax"), Y(N, 1, "linear:7:100000:250000:10000")),
  "mlp_yoff_100": (mlp13, X(N, 13, BOSTON, "standardize"), Y(N, 1, "linear:7:10:100:1")),
  "mlp_yoff_150": (mlp13, X(N, 13, BOSTON, "standardize"), Y(N, 1, "linear:7:15:150:1.5")),
  "mlp_yoff_200": (mlp13, X(N, 13, BOSTON, "standardize"), Y(N, 1, "linear:7:20:200:2")),
  "mlp_yoff_50": (mlp13, X(N, 13, BOSTON, "standardize"), Y(N, 1, "linear:7:5:50:0.5")),
  "mnist_raw_mlp_softmax": (seq(dense(64, "relu", 784), dense(10, "softmax")), X(N, 784, "uniform:0:255"), Y(N, 10, "linclass:3:10")),
}
for name, (m, x, y) in cases.items():
    loss = "categorical_crossentropy" if "softmax" in name else "mse"
    for s in range(1, 11):
        d = sc(f"{name}_s{s}", m, loss, "sgd", x, y, seed=s); d.pop("dump"); D.append(d)
E = []
for lr in [0.1, 0.01, 0.001, 0.0001]:
    for rms in [3, 10, 30, 60, 100, 150, 300, 1000, 3000, 10000]:
        for s in (1, 2, 3):
            d = sc(f"mlp_lr{lr}_yoff{rms}_s{s}", mlp13, "mse", sgd(lr), X(N, 13, BOSTON, "standardize"), Y(N, 1, f"linear:7:{rms/10}:{rms}:{rms/100}"), seed=s)
            d.pop("dump"); E.append(d)
for fn, rows in [("D_seeds.jsonl", D), ("E_yscale_lr.jsonl", E)]:
    open(fn, "w").write("".join(json.dumps(r) + "\n" for r in rows)); print(fn, len(rows))
