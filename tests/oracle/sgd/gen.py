#!/usr/bin/env python3
"""Generates scenario JSON-lines files for fit.mjs (divergence study)."""
import json, sys

def dense(units, act, inp=None, seed=None):
    c = {"units": units, "activation": act}
    if inp is not None: c["batch_input_shape"] = [None, inp]
    return {"class_name": "Dense", "config": c}

def seq(*layers):
    return {"class_name": "Sequential", "config": {"name": "m", "layers": list(layers)}}

def sgd(lr): return {"class_name": "SGD", "config": {"learning_rate": lr}}
ADAM = {"class_name": "Adam", "config": {"learning_rate": 0.001}}
RMS = {"class_name": "RMSprop", "config": {"learning_rate": 0.001}}

BOSTON = "ucols:0:89,0:100,0:28,0:1,0.38:0.87,3.5:8.8,2.9:100,1.1:12.1,1:24,187:711,12.6:22,0.3:397,1.7:38"
FIT = {"batch_size": 32, "epochs": 5}

def sc(id, model, loss, opt, x, y, fit=FIT, **kw):
    d = {"id": id, "model": model, "compile": {"loss": loss, "optimizer": opt}, "x": x, "y": y, "fit": fit}
    d["dump"] = "dump"; d.update(kw); return d

def X(n, d, fill, tr=None):
    s = {"shape": [n, d], "dtype": "float32", "fill": fill}
    if tr: s["transform"] = tr
    return s

def Y(n, k, fill): return {"shape": [n, k], "dtype": "float32", "fill": fill}

out = {}
N = 256
# --- A: linear regression, amplitude sweep (d=13, Dense(1), mse, SGD 0.01) ---
A = []
for amp in [1, 2, 3, 4, 5, 6, 7, 8, 10, 20, 100, 1000]:
    A.append(sc(f"lin_u0_{amp}", seq(dense(1, "linear", 13)), "mse", sgd(0.01),
                X(N, 13, f"uniform:0:{amp}"), Y(N, 1, "linear:7:10:20:1")))
# centered data (uncorrelated features): amplitude sweep, lambda_max ~ trace/d
for amp in [2, 5, 10, 15, 20, 25, 30, 40, 100]:
    A.append(sc(f"lin_sym_{amp}", seq(dense(1, "linear", 13)), "mse", sgd(0.01),
                X(N, 13, f"uniform:-{amp}:{amp}"), Y(N, 1, "linear:7:10:20:1")))
# lr sweep on standardized data
for lr in [0.1, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0]:
    A.append(sc(f"lin_std_lr{lr}", seq(dense(1, "linear", 13)), "mse", sgd(lr),
                X(N, 13, "uniform:0:1000", "standardize"), Y(N, 1, "linear:7:10:20:1")))
# multi-output linear (k=10 outputs, mse averages over them: threshold scales by k)
for amp in [5, 10, 15, 20, 30]:
    A.append(sc(f"lin_k10_u0_{amp}", seq(dense(10, "linear", 13)), "mse", sgd(0.01),
                X(N, 13, f"uniform:0:{amp}"), Y(N, 10, "linear:7:10:20:1")))
out["A_linear.jsonl"] = A

# --- B: required scenarios ---
B = []
mn = seq(dense(10, "softmax", 784))
B.append(sc("mnist_raw_softmax_sgd", mn, "categorical_crossentropy", "sgd", X(N, 784, "uniform:0:255"), Y(N, 10, "linclass:3:10"), dump="dump"))
B.append(sc("mnist_sparse_raw_softmax_sgd", mn, "categorical_crossentropy", "sgd", X(N, 784, "sparse:0.2:0:255"), Y(N, 10, "linclass:3:10"), dump="dump"))
B.append(sc("mnist_div255_softmax_sgd", mn, "categorical_crossentropy", "sgd", X(N, 784, "uniform:0:255", "div:255"), Y(N, 10, "linclass:3:10"), dump="dump"))
B.append(sc("mnist_raw_softmax_adam", mn, "categorical_crossentropy", ADAM, X(N, 784, "uniform:0:255"), Y(N, 10, "linclass:3:10")))
B.append(sc("mnist_raw_softmax_rmsprop", mn, "categorical_crossentropy", RMS, X(N, 784, "uniform:0:255"), Y(N, 10, "linclass:3:10")))
B.append(sc("mnist_raw_linear10_mse_sgd", seq(dense(10, "linear", 784)), "mse", "sgd", X(N, 784, "uniform:0:255"), Y(N, 10, "linclass:3:10"), dump="dump"))
mlp784 = seq(dense(64, "relu", 784), dense(10, "softmax"))
B.append(sc("mnist_raw_mlp_softmax_sgd", mlp784, "categorical_crossentropy", "sgd", X(N, 784, "uniform:0:255"), Y(N, 10, "linclass:3:10")))
B.append(sc("mnist_div255_mlp_softmax_sgd", mlp784, "categorical_crossentropy", "sgd", X(N, 784, "uniform:0:255", "div:255"), Y(N, 10, "linclass:3:10")))
B.append(sc("tab1000_linear_sgd", seq(dense(1, "linear", 13)), "mse", "sgd", X(N, 13, "uniform:0:1000"), Y(N, 1, "linear:7:10:20:1"), dump="dump"))
B.append(sc("tab1000_std_linear_sgd", seq(dense(1, "linear", 13)), "mse", "sgd", X(N, 13, "uniform:0:1000", "standardize"), Y(N, 1, "linear:7:10:20:1"), dump="dump"))
B.append(sc("tab1000_minmax_linear_sgd", seq(dense(1, "linear", 13)), "mse", "sgd", X(N, 13, "uniform:0:1000", "minmax"), Y(N, 1, "linear:7:10:20:1"), dump="dump"))
B.append(sc("boston_raw_linear_sgd", seq(dense(1, "linear", 13)), "mse", "sgd", X(N, 13, BOSTON), Y(N, 1, "linear:7:9:22:2"), dump="dump"))
B.append(sc("boston_std_linear_sgd", seq(dense(1, "linear", 13)), "mse", "sgd", X(N, 13, BOSTON, "standardize"), Y(N, 1, "linear:7:9:22:2"), dump="dump"))
B.append(sc("boston_raw_linear_adam", seq(dense(1, "linear", 13)), "mse", ADAM, X(N, 13, BOSTON), Y(N, 1, "linear:7:9:22:2")))
B.append(sc("boston_raw_linear_rmsprop", seq(dense(1, "linear", 13)), "mse", RMS, X(N, 13, BOSTON), Y(N, 1, "linear:7:9:22:2")))
mlp13 = seq(dense(64, "relu", 13), dense(1, "linear"))
B.append(sc("boston_raw_mlp_sgd", mlp13, "mse", "sgd", X(N, 13, BOSTON), Y(N, 1, "linear:7:9:22:2"), dump="dump"))
B.append(sc("boston_std_mlp_sgd", mlp13, "mse", "sgd", X(N, 13, BOSTON, "standardize"), Y(N, 1, "linear:7:9:22:2")))
B.append(sc("boston_raw_mlp_adam", mlp13, "mse", ADAM, X(N, 13, BOSTON), Y(N, 1, "linear:7:9:22:2")))
B.append(sc("tab1000_mlp_sgd", mlp13, "mse", "sgd", X(N, 13, "uniform:0:1000"), Y(N, 1, "linear:7:10:20:1")))
# house prices: y in ~0..500000 with standardized x
HP = "linear:7:100000:250000:10000"
for name, model in [("mlp", mlp13), ("linear", seq(dense(1, "linear", 13)))]:
    for oname, opt in [("sgd", "sgd"), ("adam", ADAM), ("rmsprop", RMS)]:
        B.append(sc(f"price_std_{name}_{oname}", model, "mse", opt, X(N, 13, BOSTON, "standardize"), Y(N, 1, HP)))
B.append(sc("price_minmax_mlp_sgd", mlp13, "mse", "sgd", X(N, 13, BOSTON, "minmax"), Y(N, 1, HP)))
# sigmoid / BCE with pixels
B.append(sc("pix_raw_sigmoid_bce_sgd", seq(dense(1, "sigmoid", 784)), "binary_crossentropy", "sgd", X(N, 784, "uniform:0:255"), Y(N, 1, "linbin:5")))
B.append(sc("pix_div255_sigmoid_bce_sgd", seq(dense(1, "sigmoid", 784)), "binary_crossentropy", "sgd", X(N, 784, "uniform:0:255", "div:255"), Y(N, 1, "linbin:5")))
B.append(sc("pix_raw_mlp_sigmoid_bce_sgd", seq(dense(64, "relu", 784), dense(1, "sigmoid")), "binary_crossentropy", "sgd", X(N, 784, "uniform:0:255"), Y(N, 1, "linbin:5")))
B.append(sc("pix_raw_sigmoid_mse_sgd", seq(dense(1, "sigmoid", 784)), "mse", "sgd", X(N, 784, "uniform:0:255"), Y(N, 1, "linbin:5")))
out["B_required.jsonl"] = B

# --- C: MLP target-scale sweep (standardized x, y = OFFSET + SCALE*..), SGD 0.01 ---
C = []
for s in [1, 10, 30, 50, 100, 200, 300, 500, 1000, 10000]:
    C.append(sc(f"mlp_yoff_{s}", mlp13, "mse", "sgd", X(N, 13, BOSTON, "standardize"), Y(N, 1, f"linear:7:{s/10}:{s}:{s/100}")))
    C.append(sc(f"mlp_yscale_{s}", mlp13, "mse", "sgd", X(N, 13, BOSTON, "standardize"), Y(N, 1, f"linear:7:{s}:0:{s/100}")))
for s in [1, 10, 30, 50, 100, 200, 300, 500, 1000]:
    C.append(sc(f"lin_yoff_{s}", seq(dense(1, "linear", 13)), "mse", "sgd", X(N, 13, BOSTON, "standardize"), Y(N, 1, f"linear:7:{s/10}:{s}:{s/100}")))
# MLP input-amplitude sweep (x uniform 0..amp, y modest)
for amp in [1, 2, 3, 4, 5, 6, 8, 10, 20, 100]:
    C.append(sc(f"mlp_u0_{amp}", mlp13, "mse", "sgd", X(N, 13, f"uniform:0:{amp}"), Y(N, 1, "linear:7:10:20:1")))
out["C_mlp.jsonl"] = C

for fn, rows in out.items():
    with open(fn, "w") as f:
        for r in rows: f.write(json.dumps(r) + "\n")
    print(fn, len(rows))
