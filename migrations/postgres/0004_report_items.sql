-- 0004 (PostgreSQL): the history list reads a narrow table of list items instead of the reports, written
-- with each report in the same transaction; the rows already stored are summarised once here. The filter
-- indexes move with the list.
CREATE TABLE report_items (
    id      TEXT COLLATE "C" PRIMARY KEY,
    verdict TEXT NOT NULL,
    project TEXT,
    item    TEXT NOT NULL -- the list item JSON: id, created_at, framework, verdict, summary, counts, labels
);
INSERT INTO report_items (id, verdict, project, item)
SELECT id, verdict, project, json_build_object(
    'id', id,
    'created_at', report_json::json -> 'created_at',
    'framework', framework,
    'verdict', verdict,
    'summary', report_json::json -> 'summary',
    'counts', json_build_object('error', n_error, 'warning', n_warning, 'info', n_info),
    'labels', COALESCE(report_json::json -> 'labels', '{}'::json))::text
FROM reports;
CREATE INDEX report_items_verdict_id ON report_items (verdict, id);
CREATE INDEX report_items_project_id ON report_items (project, id);
CREATE INDEX report_items_project_verdict_id ON report_items (project, verdict, id);
DROP INDEX reports_project_id;
DROP INDEX reports_verdict_id;
