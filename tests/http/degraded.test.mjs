// A database that becomes unusable under a running server: /healthz answers
// 503 /problems/unavailable, and the endpoints that need the database answer
// a declared 5xx problem (500 /problems/internal or 503 /problems/unavailable)
// instead of crashing or hanging.
import assert from 'node:assert/strict';
import { existsSync, openSync, closeSync, fstatSync, writeSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { failingRequest, passingRequest } from './lib/fixtures.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

let dir;
let db;
let srv;
let report;

before(async () => {
  dir = await makeTempDir('fitcheck-degraded');
  db = path.join(dir, 'fitcheck.db');
  srv = await FitcheckServer.start({ db });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

/**
 * Overwrites a file in place (same inode, same length, so the server's open
 * descriptors and mappings stay valid) with `fill` repeated.
 */
function overwriteInPlace(file, fill) {
  if (!existsSync(file)) return;
  const fd = openSync(file, 'r+');
  try {
    const { size } = fstatSync(fd);
    const buf = Buffer.alloc(size, fill);
    let off = 0;
    while (off < size) off += writeSync(fd, buf, off, size - off, off);
  } finally {
    closeSync(fd);
  }
}

describe('unusable database', () => {
  it('works before the damage', async () => {
    report = await srv.preflight(failingRequest());
    assert.equal((await srv.request('GET', '/healthz')).status, 200);
  });

  it('GET /healthz answers 503 /problems/unavailable once the database file is garbage', async () => {
    // The main file and the WAL become text; the WAL index is zeroed (not
    // truncated: the server has it mapped), so SQLite must reread the file.
    overwriteInPlace(db, 'this is not an SQLite database\n');
    overwriteInPlace(`${db}-wal`, 'garbage garbage garbage\n');
    overwriteInPlace(`${db}-shm`, 0);
    const r = await srv.request('GET', '/healthz');
    assert.equal(r.status, 503, r.text);
    assert.equal(r.body.type, '/problems/unavailable');
  });

  it('POST /v1/preflight answers a 5xx problem', async () => {
    const r = await srv.request('POST', '/v1/preflight', { json: passingRequest() });
    assert.ok([500, 503].includes(r.status), `expected 500 or 503, got ${r.status}: ${r.text}`);
  });

  it('GET /v1/reports answers a 5xx problem', async () => {
    const r = await srv.request('GET', '/v1/reports');
    assert.ok([500, 503].includes(r.status), `expected 500 or 503, got ${r.status}: ${r.text}`);
  });

  it('GET /v1/reports/{id} answers a 5xx problem', async () => {
    const r = await srv.request('GET', `/v1/reports/${report.id}`);
    assert.ok([500, 503].includes(r.status), `expected 500 or 503, got ${r.status}: ${r.text}`);
  });

  it('still answers the routes that need no database', async () => {
    assert.equal((await srv.request('GET', '/nope')).status, 404);
    assert.equal((await srv.request('DELETE', '/v1/preflight')).status, 405);
    const m = await srv.request('GET', '/metrics');
    assert.ok([200, 500].includes(m.status));
  });

  it('exits with code 0 on SIGTERM', async () => {
    await srv.stopCleanly();
  });
});
