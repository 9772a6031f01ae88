#!/usr/bin/python3
"""Extra checks: batch-size independence and SGD momentum (F_extra.jsonl)."""
import json
from gen import sc, seq, dense, sgd, X, Y
N = 256
lin = seq(dense(1, "linear", 13))
F = []
for amp in [5, 6, 8]:
    for bs in [8, 32, 256]:
        F.append(sc(f"lin_u0_{amp}_bs{bs}", lin, "mse", "sgd", X(N, 13, f"uniform:0:{amp}"), Y(N, 1, "linear:7:10:20:1"),
                    fit={"batch_size": bs, "epochs": 5 if bs < 256 else 40}))
for amp in [5, 6, 7, 8, 9, 10]:
    F.append(sc(f"lin_u0_{amp}_mom0.9", lin, "mse", {"class_name": "SGD", "config": {"learning_rate": 0.01, "momentum": 0.9}},
                X(N, 13, f"uniform:0:{amp}"), Y(N, 1, "linear:7:10:20:1"), fit={"batch_size": 32, "epochs": 5}))
open("F_extra.jsonl", "w").write("".join(json.dumps(r) + "\n" for r in F)); print(len(F))
