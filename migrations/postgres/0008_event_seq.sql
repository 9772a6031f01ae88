-- 0008 (PostgreSQL): the events stream's cursor, seq, given in commit order: everything with a seq up to one a
-- reader sees was committed before it, so a stream that resumes after seq N misses nothing. The reports
-- stored before are numbered in id order.
ALTER TABLE report_items ADD COLUMN seq BIGINT;
UPDATE report_items SET seq = n.seq
FROM (SELECT id, row_number() OVER (ORDER BY id) AS seq FROM report_items) AS n
WHERE n.id = report_items.id;
CREATE UNIQUE INDEX report_items_team_seq ON report_items (team_id, seq);
-- PostgreSQL only: on SQLite one writer thread numbers the reports; here several replicas write. Each batch
-- takes its numbers from this one row, whose lock it holds until it commits, so the batches of all replicas
-- are numbered in the order they commit.
CREATE TABLE event_seq (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO event_seq (id, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM report_items;
