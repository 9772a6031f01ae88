-- 0001: the reports table.
-- id is a UUIDv7 (time-ordered), so ORDER BY id is creation order and serves
-- keyset pagination.
CREATE TABLE reports (
    id             TEXT PRIMARY KEY,
    created_ms     INTEGER NOT NULL,
    verdict        TEXT NOT NULL CHECK (verdict IN ('fail', 'warn', 'pass')),
    framework      TEXT NOT NULL,
    n_error        INTEGER NOT NULL DEFAULT 0,
    n_warning      INTEGER NOT NULL DEFAULT 0,
    n_info         INTEGER NOT NULL DEFAULT 0,
    project        TEXT,
    run            TEXT,
    request_digest TEXT NOT NULL,
    report_json    TEXT NOT NULL
) WITHOUT ROWID;
