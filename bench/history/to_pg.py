#!/usr/bin/python3
"""bench/history/to_pg.py SQLITE_DB POSTGRES_URL FITCHECKD - copies a seeded history store into an empty
PostgreSQL database for bench/history/run.sh (HISTORY_PG): the list items, the finding codes and the
report rows, each report's JSON replaced by '{}' (a list never reads it: it reads report_items; the
whole reports would be 7 GB more to copy at 1 M). The schema is fitcheckd's own: `fitcheckd keys list`
opens the database first, which applies the migrations."""
import csv
import subprocess
import sqlite3
import sys
import time

src, url, fitcheckd = sys.argv[1:4]
subprocess.run([fitcheckd, "keys", "list", "--db", url], check=True, stdout=subprocess.DEVNULL)
have = subprocess.run(["psql", url, "-qAtc", "SELECT count(*) FROM report_items"], check=True,
                      capture_output=True, text=True).stdout.strip()
if have != "0":
    print(f"{url}: {have} reports there already: not copied")
    sys.exit(0)
con = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
copies = [
    ("report_items", "id, verdict, project, item, team_id, run, framework, model_id, seq",
     "SELECT id, verdict, project, item, team_id, run, framework, model_id, seq FROM report_items"),
    ("report_codes", "team_id, code, id", "SELECT team_id, code, id FROM report_codes"),
    ("reports", "id, created_ms, verdict, framework, n_error, n_warning, n_info, project, run, request_digest,"
     " report_json, team_id",
     "SELECT id, created_ms, verdict, framework, n_error, n_warning, n_info, project, run, request_digest, '{}',"
     " team_id FROM reports"),
]
for table, cols, sql in copies:
    t = time.monotonic()
    psql = subprocess.Popen(["psql", url, "-qc", f"\\copy {table} ({cols}) FROM STDIN WITH (FORMAT csv)"],
                            stdin=subprocess.PIPE, text=True)
    out = csv.writer(psql.stdin)
    n = 0
    # NULL is an unquoted empty field in PostgreSQL's CSV, '' a quoted one: write None as nothing
    for row in con.execute(sql):
        out.writerow(["" if v is None else v for v in row])
        n += 1
    psql.stdin.close()
    if psql.wait() != 0:
        sys.exit(f"copying {table} failed")
    print(f"{table}: {n} rows in {time.monotonic() - t:.0f} s")
# two -c: VACUUM cannot run in the transaction one -c with both statements would be
subprocess.run(["psql", url, "-qc", "UPDATE event_seq SET seq = (SELECT COALESCE(MAX(seq), 0) FROM report_items)",
                "-c", "VACUUM ANALYZE"], check=True)
