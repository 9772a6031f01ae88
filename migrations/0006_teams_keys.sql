-- 0006: teams and their API keys (fitcheckd --auth keys). Every report, history item and stored model
-- belongs to a team, and a team reads only its own. Team 0 is no team: the one of --auth none, which
-- keeps everything stored before this migration; `fitcheckd keys create` makes teams from 1 on.
CREATE TABLE teams (
    id         INTEGER PRIMARY KEY CHECK (id > 0),
    name       TEXT NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL
);
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,             -- the key's public part (16 hex digits), written in the key too
    team_id    INTEGER REFERENCES teams (id), -- NULL for an admin key (/metrics)
    admin      INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    label      TEXT,
    salt       TEXT NOT NULL,                -- 32 hex digits, random per key
    hash       TEXT NOT NULL,                -- SHA-256 of salt and secret, hex: the secret itself is never stored
    created_ms INTEGER NOT NULL,
    revoked_ms INTEGER,
    CHECK ((admin = 1) = (team_id IS NULL))
);
ALTER TABLE reports ADD COLUMN team_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_items ADD COLUMN team_id INTEGER NOT NULL DEFAULT 0;
-- the history's indexes lead with the team: a page seeks to the team's newest report
DROP INDEX report_items_verdict_id;
DROP INDEX report_items_project_id;
DROP INDEX report_items_project_verdict_id;
CREATE INDEX report_items_team_id ON report_items (team_id, id);
CREATE INDEX report_items_team_verdict_id ON report_items (team_id, verdict, id);
CREATE INDEX report_items_team_project_id ON report_items (team_id, project, id);
CREATE INDEX report_items_team_project_verdict_id ON report_items (team_id, project, verdict, id);
-- models are stored once by content, and owned by every team that stored them: a model_id another team
-- stored is unknown to this one (404), so an id does not tell whether someone else has the model
CREATE TABLE model_owners (
    team_id  INTEGER NOT NULL,
    model_id TEXT NOT NULL REFERENCES models (id),
    PRIMARY KEY (team_id, model_id)
) WITHOUT ROWID;
INSERT INTO model_owners (team_id, model_id) SELECT 0, id FROM models;
