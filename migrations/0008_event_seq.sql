-- 0008: the events stream's cursor. Report ids are made before their reports reach the writer, so two
-- reports can commit in the other order than their ids: a stream that had sent the larger id would then
-- skip the smaller. seq is given by the single writer inside the transaction that stores the report, so
-- it grows in commit order: everything with a seq up to one a reader sees was committed before it, and a
-- stream that resumes after seq N misses nothing. The reports stored before are numbered in id order.
ALTER TABLE report_items ADD COLUMN seq INTEGER;
UPDATE report_items SET seq = n.seq
FROM (SELECT id, row_number() OVER (ORDER BY id) AS seq FROM report_items) AS n
WHERE n.id = report_items.id;
CREATE UNIQUE INDEX report_items_team_seq ON report_items (team_id, seq);
