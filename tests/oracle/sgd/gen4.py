#!/usr/bin/python3
"""Target-scale criterion across MLP widths/depths (G_arch.jsonl), SGD 0.01, standardized x."""
import json
from gen import sc, seq, dense, X, Y, BOSTON
N = 256
archs = {"w16": [16], "w64": [64], "w256": [256], "w64x64": [64, 64], "tanh64": [64]}
G = []
for an, hs in archs.items():
    act = "tanh" if an.startswith("tanh") else "relu"
    layers = [dense(hs[0], act, 13)] + [dense(h, act) for h in hs[1:]] + [dense(1, "linear")]
    for rms in [30, 60, 100, 150, 300]:
        for s in (1, 2, 3):
            d = sc(f"{an}_yoff{rms}_s{s}", seq(*layers), "mse", "sgd", X(N, 13, BOSTON, "standardize"),
                   Y(N, 1, f"linear:7:{rms/10}:{rms}:{rms/100}"), seed=s); d.pop("dump"); G.append(d)
open("G_arch.jsonl", "w").write("".join(json.dumps(r) + "\n" for r in G)); print(len(G))
