-- 0007: the history filters a dashboard needs beside project and verdict: the run label, the framework,
-- the model (its model_id, the SHA-256 of its canonical descriptor, kept from now on) and the finding
-- codes a report holds (report_codes, one row per code). Created since/until needs no column: the ids
-- are UUIDv7, whose first 48 bits are the creation time.
ALTER TABLE report_items ADD COLUMN run TEXT;
ALTER TABLE report_items ADD COLUMN framework TEXT;
ALTER TABLE report_items ADD COLUMN model_id TEXT;
UPDATE report_items SET (run, framework) = (SELECT r.run, r.framework FROM reports r WHERE r.id = report_items.id);
CREATE INDEX report_items_team_run_id ON report_items (team_id, run, id);
CREATE INDEX report_items_team_framework_id ON report_items (team_id, framework, id);
CREATE INDEX report_items_team_model_id ON report_items (team_id, model_id, id);
CREATE TABLE report_codes (
    team_id INTEGER NOT NULL,
    code    TEXT NOT NULL,
    id      TEXT NOT NULL, -- the report's
    PRIMARY KEY (team_id, code, id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO report_codes (team_id, code, id)
SELECT r.team_id, json_extract(f.value, '$.code'), r.id
FROM reports r, json_each(r.report_json, '$.findings') f
WHERE json_extract(f.value, '$.code') IS NOT NULL;
