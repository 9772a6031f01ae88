// Scale-out: two fitcheckd replicas on one PostgreSQL database serve one team. A report written through
// one is read, listed, diffed and streamed (SSE) through the other; a key's rate limit holds across them
// (its bucket is in the database); keys made with `fitcheckd keys --db postgres://...` work on both; and a
// replica started on the migrated database applies nothing again.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import { failingRequest, passingRequest } from './lib/fixtures.mjs';
import { freshDatabase } from './lib/postgres.mjs';
import { FitcheckServer, serverBinary } from './lib/server.mjs';
import { Stream } from './lib/sse.mjs';

let pg;
let a;
let b;
let key;
let limited; // a key for the rate-limit test
const auth = (k) => ({ Authorization: `Bearer ${k}` });

function createKey(...args) {
  const r = spawnSync(serverBinary(), ['keys', 'create', '--db', pg.url, ...args], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

before(async () => {
  pg = freshDatabase('replicas');
  key = createKey('--team', 'shared', '--label', 'notebook'); // migrates the empty database
  limited = createKey('--team', 'shared', '--label', 'ci');
  // no heartbeat within the test: a stream wakes only when its replica hears of a commit (LISTEN)
  const args = ['--auth', 'keys', '--rate-limit', '0', '--sse-heartbeat', '60000'];
  [a, b] = await Promise.all([FitcheckServer.start({ db: pg.url, extraArgs: args }),
    FitcheckServer.start({ db: pg.url, extraArgs: args })]);
});

after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  pg?.drop();
});

async function post(srv, body) {
  const r = await srv.request('POST', '/v1/preflight', { json: body, headers: auth(key) });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

describe('two replicas on one PostgreSQL database', () => {
  it('start on the store, and log its engine without the password', () => {
    for (const srv of [a, b]) {
      const started = srv.logs.find((l) => l.event === 'started');
      assert.equal(started.store, 'postgres');
      assert.equal(started.schema_version, 8);
    }
    assert.equal(pg.query('SELECT count(*) FROM schema_migrations'), '8', 'each migration applied once');
  });

  it('read, list and diff through one what the other wrote', async () => {
    const project = 'replicated';
    const first = await post(a, failingRequest({ labels: { project } }));
    const second = await post(b, passingRequest({ labels: { project } }));
    const got = await b.request('GET', `/v1/reports/${first.id}`, { headers: auth(key) });
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, first);
    const list = await a.request('GET', `/v1/reports?project=${project}`, { headers: auth(key) });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((i) => i.id), [second.id, first.id]);
    const diff = await a.request('GET', `/v1/reports/${second.id}/diff`, { headers: auth(key) });
    assert.equal(diff.status, 200, diff.text);
    assert.equal(diff.body.against.id, first.id, 'the previous report, written through the other replica');
    assert.deepEqual(diff.body.verdict, { from: 'fail', to: second.verdict });
  });

  it('stream through one replica the reports posted through the other, resumable on either', async () => {
    const s = await Stream.open(b, { headers: auth(key) });
    assert.equal(s.res.status, 200);
    const posted = [];
    for (let i = 0; i < 3; i++) posted.push(await post(i === 1 ? b : a, passingRequest({ labels: { run: `r${i}` } })));
    await s.waitFor((x) => x.events.length >= 3);
    assert.deepEqual(s.events.map((e) => e.data.id), posted.map((p) => p.id));
    s.close();
    // resumed on the other replica after the first event: the same numbering, the two after it
    const resumed = await Stream.open(a, { headers: { ...auth(key), 'Last-Event-ID': s.events[0].id } });
    await resumed.waitFor((x) => x.events.length >= 2);
    assert.deepEqual(resumed.events.map((e) => e.data.id), posted.slice(1).map((p) => p.id));
    resumed.close();
  });

  it('hold a key\'s rate limit across replicas: one bucket in the database', async () => {
    // a pair of its own: a burst of 4 and a refill of one a second, slower than the six requests below
    const args = ['--auth', 'keys', '--rate-limit', '1', '--rate-burst', '4'];
    const pair = await Promise.all([FitcheckServer.start({ db: pg.url, extraArgs: args }),
      FitcheckServer.start({ db: pg.url, extraArgs: args })]);
    try {
      const statuses = [];
      for (let i = 0; i < 6; i++) {
        const r = await pair[i % 2].request('GET', '/v1/reports?limit=1', { headers: auth(limited) });
        statuses.push(r.status);
        if (r.status === 429) {
          assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After');
          assert.ok(r.body.type.endsWith('/problems/rate-limited'), r.text);
        }
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429], 'a burst of 4 shared by both replicas');
      // another key of the team has a bucket of its own
      const other = await pair[0].request('GET', '/v1/reports?limit=1', { headers: auth(key) });
      assert.equal(other.status, 200);
      assert.equal(pg.query(`SELECT count(*) FROM rate_buckets`), '2');
    } finally {
      await Promise.all(pair.map((s) => s.stop()));
    }
  });

  it('keep a model stored through one usable by id through the other', async () => {
    const body = passingRequest();
    const stored = await a.request('POST', '/v1/models', { json: body.model, headers: auth(key) });
    assert.ok(stored.status === 201 || stored.status === 200, stored.text);
    delete body.model;
    body.model_id = stored.body.model_id;
    const r = await b.request('POST', '/v1/preflight', { json: body, headers: auth(key) });
    assert.equal(r.status, 201, r.text);
  });
});
