// A report acknowledged is a report kept: 32 clients POST preflights as fast as they can while
// the server group-commits them; fitcheckd is killed with SIGKILL in the middle of the load, then
// restarted on the same database, and every report that was answered 201 must be there, whole.
// (Requests in flight at the kill get no answer, and may or may not be stored: both are fine.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { SOURCE_DIR } from './lib/contract.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

const BODY = readFileSync(path.join(SOURCE_DIR, 'tests', 'cases', 'seed1-keras3-flattened-mnist', 'request.json'), 'utf8');
const CLIENTS = 32;

let dir;

before(async () => {
  dir = await makeTempDir('fitcheck-durability');
});

after(async () => {
  await removeTempDir(dir);
});

describe('kill -9 under load', () => {
  it('loses no acknowledged report', async () => {
    const db = path.join(dir, 'fitcheck.db');
    const srv = await FitcheckServer.start({ db, extraArgs: ['--threads', '32'] });
    const acked = [];
    let killed = false;

    const client = async () => {
      while (!killed) {
        try {
          const res = await fetch(`${srv.baseUrl}/v1/preflight`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: BODY,
            signal: AbortSignal.timeout(10000),
          });
          const text = await res.text();
          if (res.status === 201) acked.push(JSON.parse(text).id);
          else if (!killed) assert.fail(`POST /v1/preflight answered ${res.status}: ${text}`);
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          if (!killed) throw err; // a network error before the kill is a failure
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);
    // kill once a good number of reports are in (group commits under way), or after 3 s
    const deadline = Date.now() + 3000;
    while (acked.length < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    killed = true;
    srv.child.kill('SIGKILL');
    await Promise.allSettled(clients);
    const exit = await srv.stop();
    assert.equal(exit.signal, 'SIGKILL');
    assert.ok(acked.length >= 50, `only ${acked.length} reports were acknowledged before the kill`);

    console.log(`# ${acked.length} reports acknowledged before the kill`);
    const again = await FitcheckServer.start({ db });
    try {
      let missing = 0;
      for (const id of acked) {
        const r = await again.request('GET', `/v1/reports/${id}`);
        if (r.status !== 200) missing++;
        else assert.equal(r.body.id, id);
      }
      assert.equal(missing, 0, `${missing} of ${acked.length} acknowledged reports were lost`);
      const metrics = await again.request('GET', '/metrics');
      assert.equal(metrics.status, 200);
    } finally {
      await again.stopCleanly();
    }
  });
});
