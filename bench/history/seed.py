#!/usr/bin/env python3
"""seed.py - fill a fitcheck SQLite store with many reports, for the history benchmarks.

    seed.py --fitcheckd build-rel/fitcheckd --db /tmp/h.db --count 1000000

Starts fitcheckd once on the database (so that its own migrations create the
schema), stores one real preflight report through it, stops it, then inserts
--count reports shaped like that one straight into SQLite: UUIDv7 ids spread
over the last 30 days (so the time order is the id order, as fitcheckd writes
them), verdicts fail/warn/pass in 3:5:2, 50 projects plus 10 % of reports
without one, 4 runs per project per day, the three frameworks, and the
history-list item (report_items) written as the preflight handler writes it.
Rows are inserted in one transaction per 50,000 with synchronous=OFF: a
seeding shortcut, not how fitcheckd writes.
"""
import argparse
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def uuid7(ms, rnd):
    """A UUIDv7 text for Unix milliseconds ms (RFC 9562 layout)."""
    a = rnd.getrandbits(12)
    b = rnd.getrandbits(62)
    value = (ms << 80) | (0x7 << 76) | (a << 64) | (0b10 << 62) | b
    h = f"{value:032x}"
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def sample_report(fitcheckd, db, body_path):
    port = free_port()
    proc = subprocess.Popen([fitcheckd, "--port", str(port), "--db", db], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        body = open(body_path, "rb").read()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/preflight", data=body,
                                     headers={"Content-Type": "application/json"})
        return json.load(urllib.request.urlopen(req, timeout=10))
    finally:
        proc.terminate()
        proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fitcheckd", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--body", default=os.path.join(os.path.dirname(__file__), "..", "http", "mnist_cnn.json"))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    template = sample_report(args.fitcheckd, args.db, args.body)
    rnd = random.Random(args.seed)
    con = sqlite3.connect(args.db)
    con.execute("PRAGMA synchronous=OFF")
    now_ms = int(time.time() * 1000)
    span_ms = 30 * 24 * 3600 * 1000
    step = span_ms / max(args.count, 1)
    verdicts = ["fail"] * 3 + ["warn"] * 5 + ["pass"] * 2
    frameworks = ["keras3", "tf.keras2", "tfjs"]
    projects = [f"project-{i:02d}" for i in range(50)]
    sql = ("INSERT INTO reports (id, created_ms, verdict, framework, n_error, n_warning, n_info, project, run,"
           " request_digest, report_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    sql_item = "INSERT INTO report_items (id, verdict, project, item) VALUES (?, ?, ?, ?)"
    items = []
    t0 = time.time()
    batch = []
    for i in range(args.count):
        ms = now_ms - span_ms + int(i * step)
        rid = uuid7(ms, rnd)
        created = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"
        verdict = rnd.choice(verdicts)
        framework = rnd.choice(frameworks)
        project = rnd.choice(projects) if rnd.random() >= 0.1 else None
        run = f"run-{(ms // 86_400_000) % 1000}-{rnd.randrange(4)}" if project else None
        counts = {"error": rnd.randrange(1, 4) if verdict == "fail" else 0,
                  "warning": rnd.randrange(1, 5) if verdict != "pass" else 0, "info": rnd.randrange(3)}
        labels = {k: v for k, v in (("project", project), ("run", run)) if v is not None}
        report = dict(template, id=rid, created_at=created, verdict=verdict, framework=framework, counts=counts,
                      labels=labels)
        digest = "sha256:%064x" % rnd.getrandbits(256)
        report["request_digest"] = digest
        item = {"id": rid, "created_at": created, "framework": framework, "verdict": verdict,
                "summary": report.get("summary"), "counts": counts, "labels": labels}
        batch.append((rid, ms, verdict, framework, counts["error"], counts["warning"], counts["info"], project, run,
                      digest, json.dumps(report, separators=(",", ":"))))
        items.append((rid, verdict, project, json.dumps(item, separators=(",", ":"))))
        if len(batch) == 50_000:
            con.executemany(sql, batch)
            con.executemany(sql_item, items)
            con.commit()
            batch.clear()
            items.clear()
            print(f"  {i + 1} reports, {time.time() - t0:.0f} s", file=sys.stderr)
    if batch:
        con.executemany(sql, batch)
        con.executemany(sql_item, items)
        con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    size = os.path.getsize(args.db)
    print(f"seeded {args.count} reports into {args.db} ({size / 1e9:.2f} GB) in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
