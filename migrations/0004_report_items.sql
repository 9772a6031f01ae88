-- 0004: the history list reads a narrow table of list items instead of the reports: a page of
-- 50 then reads a few pages of ~300-byte rows, not 50 rows of whole reports (whose trailing
-- columns sit in overflow pages). Written with each report, in the same transaction; the rows
-- already stored are summarised once here. The filter indexes move with the list.
CREATE TABLE report_items (
    id      TEXT PRIMARY KEY,
    verdict TEXT NOT NULL,
    project TEXT,
    item    TEXT NOT NULL -- the list item JSON: id, created_at, framework, verdict, summary, counts, labels
) WITHOUT ROWID;
INSERT INTO report_items (id, verdict, project, item)
SELECT id, verdict, project, json_object(
    'id', id,
    'created_at', json_extract(report_json, '$.created_at'),
    'framework', framework,
    'verdict', verdict,
    'summary', json_extract(report_json, '$.summary'),
    'counts', json_object('error', n_error, 'warning', n_warning, 'info', n_info),
    'labels', json(COALESCE(json_extract(report_json, '$.labels'), '{}')))
FROM reports;
CREATE INDEX report_items_verdict_id ON report_items (verdict, id);
CREATE INDEX report_items_project_id ON report_items (project, id);
CREATE INDEX report_items_project_verdict_id ON report_items (project, verdict, id);
DROP INDEX reports_project_id;
DROP INDEX reports_verdict_id;
