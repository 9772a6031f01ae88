#!/usr/bin/env python3
"""plans.py DB PARAMS CURSORS [KIND...] - the plan and the cost of each history query kind of run.sh.

For each kind it builds the statement server/store_sqlite.c's prepare_list7 builds for that set of
filters (schema 7 and later: same text, same INDEXED BY, same parameter numbers), prints SQLite's
EXPLAIN QUERY PLAN for it, then runs it once per cursor (the first 50 of CURSORS for the cursor kinds,
once for the others) on a read-only connection with fitcheckd's reader settings (16 MB page cache) and
prints the median and the worst time of one statement alone (no HTTP, no concurrency).
PARAMS is the key=value file run.sh writes (run, model, code, since, until). Python's sqlite3 is the
library fitcheckd links (Debian's libsqlite3), so the plans are the server's.
"""
import re
import sqlite3
import statistics
import sys
import time

# bit i of the mask: verdict, project, cursor, run, framework, model, code, since, until (store_sqlite.c N_FILTERS)
COND = [" AND i.verdict = ?2", " AND i.project = ?3", " < ?1", " AND i.run = ?6", " AND i.framework = ?7",
        " AND i.model_id = ?8", "", " >= ?10", " < ?11"]


def list7_sql(mask):
    """prepare_list7's text for a filter mask."""
    if mask & 32:
        idx = "report_items_team_model_id"
    elif mask & 8:
        idx = "report_items_team_run_id"
    elif mask & 3 == 3:
        idx = "report_items_team_project_verdict_id"
    elif mask & 2:
        idx = "report_items_team_project_id"
    elif mask & 16:
        idx = "report_items_team_framework_id"
    elif mask & 1:
        idx = "report_items_team_verdict_id"
    else:
        idx = "report_items_team_id"
    key = "c.id" if mask & 64 else "i.id"
    if mask & 64:
        sql = "SELECT i.id, i.item FROM report_codes c JOIN report_items i ON i.id = c.id WHERE c.team_id = ?5 AND c.code = ?9"
    else:
        sql = f"SELECT i.id, i.item FROM report_items i INDEXED BY {idx} WHERE i.team_id = ?5"
    for i, c in enumerate(COND):
        if not mask & (1 << i) or not c:
            continue
        sql += f" AND {key}{c}" if i in (2, 7, 8) else c
    return sql + f" ORDER BY {key} DESC LIMIT ?4"


def id_prefix(iso):
    """fc_id_time_prefix of an RFC 3339 time: the first 13 characters of a UUIDv7 of that millisecond."""
    t = int(time.mktime(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone) * 1000
    return f"{t >> 16:08x}-{t & 0xffff:04x}"


def main():
    db, params_path, cursors_path = sys.argv[1:4]
    p = dict(line.strip().split("=", 1) for line in open(params_path) if "=" in line)
    cursors = [c.strip() for c in open(cursors_path) if c.strip()][:50]
    kinds = {
        "newest": ({}, 0), "project": ({"project": "project-17"}, 2), "verdict": ({"verdict": "fail"}, 1),
        "both": ({"project": "project-03", "verdict": "pass"}, 3), "deep": ({}, 4),
        "deep-project": ({"project": "project-29"}, 6), "deep-verdict": ({"verdict": "warn"}, 5),
        "run": ({"run": p["run"]}, 8), "framework": ({"framework": "tfjs"}, 16), "model": ({"model": p["model"]}, 32),
        "code": ({"code": p["code"]}, 64), "window": ({"since": p["since"], "until": p["until"]}, 128 | 256),
        "deep-code": ({"code": p["code"]}, 64 | 4), "code-project": ({"code": p["code"], "project": "project-17"}, 66),
        "code-run": ({"code": p["code"], "run": p["run"]}, 72),
    }
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.execute("PRAGMA cache_size=-16384")
    for kind in sys.argv[4:] or kinds:
        f, mask = kinds[kind]
        sql = list7_sql(mask)
        args = {str(k): None for k in range(1, 12)}
        args.update({"2": f.get("verdict"), "3": f.get("project"), "4": 51, "5": 0, "6": f.get("run"),
                     "7": f.get("framework"), "8": f.get("model"), "9": f.get("code"),
                     "10": id_prefix(f["since"]) if "since" in f else None,
                     "11": id_prefix(f["until"]) if "until" in f else None})
        top = max(int(n) for n in re.findall(r"\?(\d+)", sql))  # numbered parameters bind by position up to the largest
        bind = lambda cur: tuple(cur if k == 1 else args[str(k)] for k in range(1, top + 1))
        print(f"== {kind} (mask {mask})\n   {sql}")
        for row in con.execute("EXPLAIN QUERY PLAN " + sql, bind(cursors[0] if mask & 4 else None)):
            print(f"   plan: {row[3]}")
        times, got = [], 0
        for cur in (cursors if mask & 4 else [None]):
            t = time.perf_counter()
            got = len(con.execute(sql, bind(cur)).fetchall())
            times.append((time.perf_counter() - t) * 1000)
        print(f"   {len(times)} run(s): median {statistics.median(times):.2f} ms, worst {max(times):.2f} ms,"
              f" {got} rows")


if __name__ == "__main__":
    main()
