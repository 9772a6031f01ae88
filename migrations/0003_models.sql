-- 0003: model descriptors stored once (POST /v1/models) and named by the SHA-256 of their canonical
-- JSON; a preflight may send "model_id" instead of the descriptor.
CREATE TABLE models (
    id TEXT PRIMARY KEY,            -- "sha256:<hex>" of the descriptor's canonical (sorted, compact) JSON
    created_ms INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    descriptor_json TEXT NOT NULL
);
