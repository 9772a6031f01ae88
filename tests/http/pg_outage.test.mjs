// fitcheckd on PostgreSQL while the database server goes away and comes back (a server of this file's
// own, tests/pg/cluster.sh): while it is down, POST is a 503 problem with Retry-After and reads are 503s,
// nothing crashes; once it is back, the very first requests succeed (stale connections are reset and
// their reads sent again), what was stored before is intact, and writes and event streams go on.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { failingRequest, passingRequest } from './lib/fixtures.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';
import { Stream } from './lib/sse.mjs';

const CLUSTER = path.join(process.env.FITCHECK_SOURCE_DIR ?? '.', 'tests/pg/cluster.sh');
let state;
let srv;

function cluster(cmd) {
  const r = spawnSync(CLUSTER, [cmd, state], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `cluster.sh ${cmd}: ${r.stderr}`);
}

before(async () => {
  state = await makeTempDir('fitcheck-pg-outage');
  cluster('start');
  srv = await FitcheckServer.start({ db: readFileSync(path.join(state, 'url'), 'utf8').trim() });
});

after(async () => {
  await srv?.stop();
  if (state) cluster('stop');
  await removeTempDir(state);
});

describe('PostgreSQL goes down and comes back', () => {
  it('answers 503s while it is down and serves again, from the first request, once it is back', async () => {
    const before1 = await srv.preflight(failingRequest({ labels: { project: 'outage' } }));
    const before2 = await srv.preflight(passingRequest({ labels: { project: 'outage' } }));

    cluster('down');
    const post = await srv.request('POST', '/v1/preflight', { json: passingRequest() });
    assert.equal(post.status, 503, post.text);
    assert.equal(post.headers.get('retry-after'), '5');
    assert.match(post.body.detail, /nothing was saved/);
    const list = await srv.request('GET', '/v1/reports');
    assert.equal(list.status, 503);
    const get = await srv.request('GET', `/v1/reports/${before1.id}`);
    assert.equal(get.status, 503);
    const health = await srv.request('GET', '/healthz');
    assert.equal(health.status, 503);

    cluster('up');
    // every pooled connection is stale now: each read is sent again on a fresh one, none fails
    for (let i = 0; i < 8; i++) {
      const r = await srv.request('GET', `/v1/reports?project=outage`);
      assert.equal(r.status, 200, `read ${i} after the restart: ${r.text}`);
      assert.deepEqual(r.body.items.map((x) => x.id), [before2.id, before1.id], 'what was stored is intact');
    }
    const got = await srv.request('GET', `/v1/reports/${before1.id}`);
    assert.deepEqual(got.body, before1);
    const s = await Stream.open(srv);
    const after1 = await srv.preflight(passingRequest({ labels: { project: 'outage' } }));
    await s.waitFor((x) => x.events.length >= 1);
    assert.equal(s.events[0].data.id, after1.id);
    s.close();
    assert.equal(srv.exit, null, 'fitcheckd is still running');
  });
});
