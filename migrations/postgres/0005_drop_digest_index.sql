-- 0005 (PostgreSQL): no query reads reports by request_digest; its index cost every insert a random page.
DROP INDEX IF EXISTS reports_digest;
