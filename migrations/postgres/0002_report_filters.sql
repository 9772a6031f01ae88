-- 0002 (PostgreSQL): indexes for the history filters (newest first within a project or a verdict).
CREATE INDEX reports_project_id ON reports (project, id);
CREATE INDEX reports_verdict_id ON reports (verdict, id);
CREATE INDEX reports_digest ON reports (request_digest);
