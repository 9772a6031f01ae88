#!/usr/bin/env python3
"""seed.py - fill a fitcheck SQLite store with many reports, for the history benchmarks.

    seed.py --fitcheckd build-rel/fitcheckd --db /tmp/h.db --count 1000000 [--schema 5]

First a fitcheckd on a scratch database in a temporary directory gives the
material: one real preflight report (the MNIST CNN of bench/http, its model
summary and resources are every report's), the findings catalog
(GET /v1/findings) and one real finding of every code that the requests of
tests/cases produce (a code none of them produces gets one built from its
catalog entry). Then the target database gets its schema:

- by default from fitcheckd itself (started once on the new file and stopped:
  its migrations make the current schema, 8 when this was written);
- with --schema 5 from migrations/0001..0005 applied here, with the same
  schema_migrations bookkeeping as store_sqlite.c (one transaction per file,
  its version, its file name, the time): the database of a fitcheckd from
  before migrations 0006-0008, for bench/history/migrate.sh.

and --count reports shaped like the real one go straight into it, in id
order: UUIDv7 ids spread over the 30 days up to now (so time order is id
order, as fitcheckd writes them), verdicts fail/warn/pass in 3:5:2, 50
projects plus 10 % without a project, 4 runs per day (run-<day>-<k>) for the
reports with a project, the three frameworks, one of --models model ids
("sha256:<64 hex>", a few of them much more common than the rest), findings
that agree with the counts and the verdict (errors for a fail, warnings for
a warn; codes drawn per severity from the catalog with weights 1/sqrt(rank),
so that one code is in about 1 to 25 % of the reports), and:

- at the current schema every column fitcheckd writes: reports.team_id;
  report_items with team_id, run, framework, model_id and seq (1..N, the
  commit order, which is the id order here) and the list item as the
  preflight handler writes it (with its "codes"); one report_codes row per
  distinct code of a report; the report's "model_id". Reports belong to team
  0 (the team of --auth none, which the benchmark queries) with probability
  --team-share (0.8), else to one of two teams inserted into `teams`, so the
  team-led indexes hold other teams' rows too.
- at schema 5 the columns of schema 5 only (no teams, no model_id in the
  report, no codes in the list item), as such a fitcheckd wrote them.

The same --seed gives the same reports in both modes. Rows go in one
transaction per 50,000 with synchronous=OFF: a seeding shortcut, not how
fitcheckd writes.
"""
import argparse
import glob
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

SEEDED_SCHEMA = 8  # the schema whose columns this script writes by default


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


class Server:
    """A fitcheckd on db, for the length of a with block."""

    def __init__(self, fitcheckd, db):
        self.port = free_port()
        self.proc = subprocess.Popen([fitcheckd, "--port", str(self.port), "--db", db], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

    def __enter__(self):
        for _ in range(600):
            if self.proc.poll() is not None:
                raise SystemExit(f"seed.py: fitcheckd exited with {self.proc.returncode}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return self
            except OSError:
                time.sleep(0.05)
        raise SystemExit("seed.py: fitcheckd did not answer /healthz")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait()

    def get(self, path):
        return json.load(urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10))

    def post(self, path, body):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body,
                                     headers={"Content-Type": "application/json"})
        return json.load(urllib.request.urlopen(req, timeout=30))


def material(fitcheckd, body_path, cases_dir):
    """(template report, catalog, {code: a real finding}) from a fitcheckd on a scratch database."""
    tmp = tempfile.mkdtemp(prefix="fitcheck-seed-")
    try:
        with Server(fitcheckd, os.path.join(tmp, "scratch.db")) as srv:
            template = srv.post("/v1/preflight", open(body_path, "rb").read())
            catalog = srv.get("/v1/findings")["items"]
            found = {}
            for path in sorted(glob.glob(os.path.join(cases_dir, "*", "request.json"))):
                try:
                    report = srv.post("/v1/preflight", open(path, "rb").read())
                except OSError:
                    continue  # a case whose request is not a 201: none of its findings
                for f in report.get("findings") or []:
                    found.setdefault(f.get("code"), f)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return template, catalog, found


def schema_from_fitcheckd(fitcheckd, db):
    with Server(fitcheckd, db):
        pass
    con = sqlite3.connect(db)
    version = con.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
    con.close()
    if version < SEEDED_SCHEMA:
        raise SystemExit(f"seed.py: fitcheckd made schema {version}; this script writes schema {SEEDED_SCHEMA}")
    if version > SEEDED_SCHEMA:
        print(f"seed.py: warning: the schema is {version}, this script writes the columns of {SEEDED_SCHEMA}"
              " (newer columns keep their defaults)", file=sys.stderr)
    return version


def schema_from_files(db, migrations_dir, upto):
    """Applies migrations/0001..upto to db as store_sqlite.c's migrate/apply_one does."""
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    files = sorted(glob.glob(os.path.join(migrations_dir, "[0-9][0-9][0-9][0-9]_*.sql")))
    for path in files:
        name = os.path.basename(path)
        version = int(name[:4])
        if version > upto:
            continue
        # one transaction per file, as apply_one (executescript would commit first: one statement at a time)
        con.execute("BEGIN IMMEDIATE")
        for stmt in split_sql(open(path).read()):
            con.execute(stmt)
        con.execute("INSERT INTO schema_migrations (version, name, applied_at)"
                    " VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))", (version, name))
        con.execute("COMMIT")
    got = con.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
    con.close()
    if got != upto:
        raise SystemExit(f"seed.py: applied migrations up to {got}, wanted {upto}")
    return got


def split_sql(sql):
    """The statements of a migration file (sqlite3.complete_statement decides where one ends)."""
    out, cur = [], ""
    for line in sql.splitlines(keepends=True):
        if not cur and (line.strip() == "" or line.lstrip().startswith("--")):
            continue
        cur += line
        if sqlite3.complete_statement(cur):
            out.append(cur.strip())
            cur = ""
    if cur.strip():
        raise SystemExit(f"seed.py: an incomplete statement at the end of a migration: {cur[:80]!r}")
    return out


def weighted(codes):
    """(codes, cumulative weights) with weight 1/sqrt(rank) in catalog order."""
    cum, total = [], 0.0
    for r in range(len(codes)):
        total += 1.0 / (r + 1) ** 0.5
        cum.append(total)
    return codes, cum


def dumps(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser()
    ap.add_argument("--fitcheckd", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--schema", type=int, default=0,
                    help="5: a schema-5 database (migrations 0001-0005, old columns); default: fitcheckd's")
    ap.add_argument("--team-share", type=float, default=0.8, help="share of reports in team 0 (the rest: teams 1, 2)")
    ap.add_argument("--models", type=int, default=20)
    ap.add_argument("--body", default=os.path.join(root, "bench", "http", "mnist_cnn.json"))
    ap.add_argument("--cases", default=os.path.join(root, "tests", "cases"))
    ap.add_argument("--migrations", default=os.path.join(root, "migrations"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--end-ms", type=int, default=0, help="the newest report's time (Unix ms; default: now)")
    args = ap.parse_args()
    if args.schema not in (0, 5):
        raise SystemExit("seed.py: --schema is 5, or not given (fitcheckd's current schema)")
    if os.path.exists(args.db):
        raise SystemExit(f"seed.py: {args.db} exists; seed into a new file")
    old = args.schema == 5

    t_start = time.time()
    template, catalog, found = material(args.fitcheckd, args.body, args.cases)
    if old:
        schema = schema_from_files(args.db, args.migrations, 5)
    else:
        schema = schema_from_fitcheckd(args.fitcheckd, args.db)

    # a finding of each code: the real one, or one from the catalog entry
    finding_text, messages = {}, {}
    by_sev = {"error": [], "warning": [], "info": []}
    for e in catalog:
        code, sev = e["code"], e["severity"]
        f = found.get(code) or {"code": code, "severity": sev, "title": e.get("title"), "message": e.get("title"),
                                "href": f"/v1/findings/{code}"}
        finding_text[code] = dumps(f)
        messages[code] = f.get("message") or ""
        by_sev.setdefault(sev, []).append(code)
    pools = {sev: weighted(codes) for sev, codes in by_sev.items()}

    rnd = random.Random(args.seed)
    models = ["sha256:%064x" % rnd.getrandbits(256) for _ in range(args.models)]
    model_pool = weighted(models)

    def draw(pool):
        codes, cum = pool
        return rnd.choices(codes, cum_weights=cum)[0]

    con = sqlite3.connect(args.db)
    con.execute("PRAGMA synchronous=OFF")
    now_ms = args.end_ms or int(time.time() * 1000)
    if not old:
        con.executemany("INSERT INTO teams (id, name, created_ms) VALUES (?, ?, ?)",
                        [(1, "bench-team-1", now_ms), (2, "bench-team-2", now_ms)])
        con.commit()
    span_ms = 30 * 24 * 3600 * 1000
    step = span_ms / max(args.count, 1)
    verdicts = ["fail"] * 3 + ["warn"] * 5 + ["pass"] * 2
    frameworks = ["keras3", "tf.keras2", "tfjs"]
    projects = [f"project-{i:02d}" for i in range(50)]
    # the template's fixed parts, in the order fitcheckd writes a report's keys
    fixed = {k: dumps(template[k]) for k in ("framework_source", "framework_version", "release", "model", "resources")}
    timing = template.get("timing_us", 400)
    if old:
        sql = ("INSERT INTO reports (id, created_ms, verdict, framework, n_error, n_warning, n_info, project, run,"
               " request_digest, report_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        sql_item = "INSERT INTO report_items (id, verdict, project, item) VALUES (?, ?, ?, ?)"
    else:
        sql = ("INSERT INTO reports (id, created_ms, verdict, framework, n_error, n_warning, n_info, project, run,"
               " request_digest, report_json, team_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        sql_item = ("INSERT INTO report_items (id, verdict, project, item, team_id, run, framework, model_id, seq)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        sql_code = "INSERT INTO report_codes (team_id, code, id) VALUES (?, ?, ?)"
    rows, items, code_rows = [], [], []
    per_team = [0, 0, 0]
    n_codes = 0
    t0 = time.time()

    def flush():
        con.executemany(sql, rows)
        con.executemany(sql_item, items)
        if not old:
            con.executemany(sql_code, code_rows)
        con.commit()
        rows.clear()
        items.clear()
        code_rows.clear()

    for i in range(args.count):
        ms = now_ms - span_ms + int(i * step)
        rid = uuid7(ms, rnd)
        created = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"
        # both drawn in every mode, so that one --seed gives the same reports in each
        team, other = rnd.random(), 1 + rnd.randrange(2)
        team = 0 if old or team < args.team_share else other
        verdict = rnd.choice(verdicts)
        framework = rnd.choice(frameworks)
        project = rnd.choice(projects) if rnd.random() >= 0.1 else None
        run = f"run-{(ms // 86_400_000) % 1000}-{rnd.randrange(4)}" if project else None
        model_id = draw(model_pool)
        n_err = (1 + (rnd.random() < 0.3) + (rnd.random() < 0.1)) if verdict == "fail" else 0
        n_warn = rnd.choice((1, 1, 2, 2, 3)) if verdict == "warn" else rnd.randrange(3) if verdict == "fail" else 0
        n_info = rnd.choice((0, 0, 1, 1, 2))
        codes = ([draw(pools["error"]) for _ in range(n_err)] + [draw(pools["warning"]) for _ in range(n_warn)] +
                 [draw(pools["info"]) for _ in range(n_info)])
        distinct = list(dict.fromkeys(codes))
        counts = f'{{"error":{n_err},"warning":{n_warn},"info":{n_info}}}'
        summary = f"{verdict}: {n_err} error(s), {n_warn} warning(s), {n_info} info"
        if codes:  # as core/preflight.c's summary_json: the first finding's code and message, in 511 bytes
            summary += f"; first: {codes[0]} {messages[codes[0]]}"
            summary = summary.encode()[:511].decode("utf-8", "ignore")
        labels = {k: v for k, v in (("project", project), ("run", run)) if v is not None}
        labels_text = dumps(labels)
        digest = "sha256:%064x" % rnd.getrandbits(256)
        head = (f'{{"id":"{rid}","created_at":"{created}","framework":"{framework}",'
                f'"framework_source":{fixed["framework_source"]},"framework_version":{fixed["framework_version"]},'
                f'"release":{fixed["release"]},"verdict":"{verdict}","summary":{dumps(summary)},"counts":{counts},')
        report = (head + '"findings":[' + ",".join(finding_text[c] for c in codes) + "]," +
                  f'"model":{fixed["model"]},"resources":{fixed["resources"]},"labels":{labels_text},'
                  f'"request_digest":"{digest}",' + ("" if old else f'"model_id":"{model_id}",') +
                  f'"timing_us":{timing}}}')
        item = (f'{{"id":"{rid}","created_at":"{created}","framework":"{framework}","verdict":"{verdict}",'
                f'"summary":{dumps(summary)},"counts":{counts},"labels":{labels_text}' +
                ("" if old else ',"codes":' + dumps(distinct)) + "}")
        if old:
            rows.append((rid, ms, verdict, framework, n_err, n_warn, n_info, project, run, digest, report))
            items.append((rid, verdict, project, item))
        else:
            rows.append((rid, ms, verdict, framework, n_err, n_warn, n_info, project, run, digest, report, team))
            items.append((rid, verdict, project, item, team, run, framework, model_id, i + 1))
            code_rows.extend((team, c, rid) for c in distinct)
            n_codes += len(distinct)
        per_team[team] += 1
        if len(rows) == 50_000:
            flush()
            print(f"  {i + 1} reports, {time.time() - t0:.0f} s", file=sys.stderr)
    if rows:
        flush()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    size = os.path.getsize(args.db)
    print(f"seeded {args.count} reports at schema {schema} into {args.db} ({size / 1e9:.2f} GB) in"
          f" {time.time() - t0:.0f} s ({time.time() - t_start:.0f} s in all); teams 0/1/2: {per_team[0]}/"
          f"{per_team[1]}/{per_team[2]}" + ("" if old else f"; {n_codes} report_codes rows"))


if __name__ == "__main__":
    main()
