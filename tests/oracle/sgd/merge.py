#!/usr/bin/env python3
"""Builds tests/oracle/sgd_divergence.json from the scenarios (gen*.py) and what fit.mjs reported.

Each entry: the preflight request fitcheck sees (the model, compile, fit settings and the arrays'
shape, min, max, mean and mean_square as fit.mjs measured them) and what the real fit did:
"nan" (a non-finite batch loss), "diverges" (finite, but the last epoch's loss is 10x the first
batch's, or a batch loss reached 1e6x it) or "ok".
"""
import glob, json, os, sys

here = os.path.dirname(os.path.abspath(__file__))


def real_class(res):
    if res.get("first_nonfinite"):
        return "nan"
    el = [v for v in res["epoch_losses"] if isinstance(v, (int, float))]
    if el and (el[-1] > 10 * res["first_batch_loss"] or res["max_finite_batch_loss"] > 1e6 * res["first_batch_loss"]):
        return "diverges"
    return "ok"


def g7(v):
    return float(f"{v:.7g}")


out = []
for scen in sorted(glob.glob(os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "[A-G]_*.jsonl"))):
    if scen.endswith(".out.jsonl"):
        continue
    scenarios = {json.loads(l)["id"]: json.loads(l) for l in open(scen)}
    for line in open(scen[:-len(".jsonl")] + ".out.jsonl"):
        res = json.loads(line)
        sc = scenarios[res["id"]]
        if res.get("outcome") != "ok" or "stats" not in res:
            continue
        hdr = {k: {"shape": s["shape"], "dtype": "float32",
                   "stats": {"min": g7(s["min"]), "max": g7(s["max"]), "mean": g7(s["mean"]),
                             "mean_square": g7(s["mean_square"])}} for k, s in res["stats"].items()}
        fn = res.get("first_nonfinite")
        fl = res["final_loss"]
        out.append({"id": sc["id"],
                    "request": {"framework": "tfjs", "framework_version": "4.22.0", "model": sc["model"],
                                "compile": sc["compile"], "data": {"x": hdr["x"], "y": hdr["y"]}, "fit": sc["fit"]},
                    "real": {"class": real_class(res), "first_nonfinite_step": fn["step"] if fn else None,
                             "final_loss": fl if isinstance(fl, str) else float(f"{fl:.4g}")}})
s = json.dumps(out, separators=(",", ":"))
open(os.path.join(here, "..", "sgd_divergence.json"), "w").write(s.replace('},{"id"', '},\n{"id"') + "\n")
print(len(out), "scenarios")
