-- 0007 (PostgreSQL): the history filters beside project and verdict: the run label, the framework, the model
-- and the finding codes a report holds (report_codes, one row per code). Created since/until needs no
-- column: the ids are UUIDv7, whose first 48 bits are the creation time.
ALTER TABLE report_items ADD COLUMN run TEXT;
ALTER TABLE report_items ADD COLUMN framework TEXT;
ALTER TABLE report_items ADD COLUMN model_id TEXT;
UPDATE report_items i SET run = r.run, framework = r.framework FROM reports r WHERE r.id = i.id;
CREATE INDEX report_items_team_run_id ON report_items (team_id, run, id);
CREATE INDEX report_items_team_framework_id ON report_items (team_id, framework, id);
CREATE INDEX report_items_team_model_id ON report_items (team_id, model_id, id);
CREATE TABLE report_codes (
    team_id BIGINT NOT NULL,
    code    TEXT NOT NULL,
    id      TEXT COLLATE "C" NOT NULL, -- the report's
    PRIMARY KEY (team_id, code, id)
);
INSERT INTO report_codes (team_id, code, id)
SELECT DISTINCT r.team_id, f.value ->> 'code', r.id
FROM reports r, json_array_elements(COALESCE(r.report_json::json -> 'findings', '[]'::json)) f
WHERE f.value ->> 'code' IS NOT NULL;
