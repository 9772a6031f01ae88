-- 0003 (PostgreSQL): model descriptors stored once (POST /v1/models) and named by the SHA-256 of their
-- canonical JSON; a preflight may send "model_id" instead of the descriptor.
CREATE TABLE models (
    id              TEXT COLLATE "C" PRIMARY KEY, -- "sha256:<hex>" of the canonical (sorted, compact) JSON
    created_ms      BIGINT NOT NULL,
    bytes           BIGINT NOT NULL,
    descriptor_json TEXT NOT NULL
);
