-- 0005: no query reads reports by request_digest, and its index cost every report a write to a
-- random page of it (the digest is a hash, so each insert lands on another leaf): under load, the
-- commit of a batch of N reports wrote about N pages for this index alone.
DROP INDEX IF EXISTS reports_digest;
