// The suite's PostgreSQL server (tests/pg/cluster.sh, a ctest fixture): a fresh database per test file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The server's admin URL from $FITCHECK_PG_URL_FILE, or null when the suite runs without one. */
export function postgresAdminUrl() {
  const file = process.env.FITCHECK_PG_URL_FILE;
  if (!file) return null;
  return readFileSync(file, 'utf8').trim();
}

function psql(url, sql) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `psql ${sql}: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Creates an empty database for one test file: resolves to {url, query(sql), drop()}. query runs SQL
 * through psql and returns its unaligned output.
 */
export function freshDatabase(tag) {
  const admin = postgresAdminUrl();
  assert.ok(admin, 'FITCHECK_PG_URL_FILE must name the file with the test server\'s URL (ctest sets it)');
  const name = `fc_${tag.replace(/[^a-z0-9_]/gi, '_')}_${process.pid}`.toLowerCase();
  psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  psql(admin, `CREATE DATABASE ${name}`);
  const url = admin.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    query: (sql) => psql(url, sql),
    drop: () => psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
