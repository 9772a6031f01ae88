-- 0001 (PostgreSQL): the reports table. id is a UUIDv7 (time-ordered), so ORDER BY id is creation order and
-- serves keyset pagination. TEXT ids compare bytewise under the C collation, as SQLite's do.
CREATE TABLE reports (
    id             TEXT COLLATE "C" PRIMARY KEY,
    created_ms     BIGINT NOT NULL,
    verdict        TEXT NOT NULL CHECK (verdict IN ('fail', 'warn', 'pass')),
    framework      TEXT NOT NULL,
    n_error        BIGINT NOT NULL DEFAULT 0,
    n_warning      BIGINT NOT NULL DEFAULT 0,
    n_info         BIGINT NOT NULL DEFAULT 0,
    project        TEXT,
    run            TEXT,
    request_digest TEXT NOT NULL,
    report_json    TEXT NOT NULL
);
