// GET /v1/reports/events: new reports pushed as Server-Sent Events, resumed with Last-Event-ID,
// scoped to the key's team, heartbeats on idle streams, and idle streams that do not starve POSTs
// (the server runs with 2 worker threads and more streams than that).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { assertMatchesContract } from './lib/contract.mjs';
import { failingRequest, passingRequest, summaryOf } from './lib/fixtures.mjs';
import { parseExposition, valueOf } from './lib/prometheus.mjs';
import { FitcheckServer, makeTempDir, removeTempDir, serverBinary, storeLocation } from './lib/server.mjs';
import { Stream } from './lib/sse.mjs';

let dir;
let srv;

before(async () => {
  dir = await makeTempDir('fitcheck-events');
  srv = await FitcheckServer.start({
    db: path.join(dir, 'fitcheck.db'),
    extraArgs: ['--threads', '2', '--sse-heartbeat', '300'],
  });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

describe('GET /v1/reports/events', () => {
  it('answers as the contract says and pushes each new report, with a sequence number as id and its list item', async () => {
    const s = await Stream.open(srv);
    assert.equal(s.res.status, 200);
    assertMatchesContract('GET', '/v1/reports/events', 200, s.res, ': stream\n\n');
    assert.equal(s.res.headers.get('cache-control'), 'no-store');
    await s.waitFor((x) => x.comments >= 1); // the opening comment comes at once
    const a = await srv.preflight(passingRequest({ labels: { project: 'live' } }));
    const b = await srv.preflight(failingRequest({ labels: { project: 'live' } }));
    await s.waitFor((x) => x.events.length >= 2);
    assert.deepEqual(s.events.map((e) => e.data.id), [a.id, b.id]);
    assert.deepEqual(s.events.map((e) => e.event), ['report', 'report']);
    // event ids are the store's commit-ordered sequence numbers: decimal, increasing
    for (const e of s.events) assert.match(e.id, /^[0-9]+$/);
    assert.ok(Number(s.events[1].id) > Number(s.events[0].id));
    assert.deepEqual(s.events[0].data, summaryOf(a));
    assert.deepEqual(s.events[1].data, summaryOf(b));
    s.close();
  });

  it('resumes after Last-Event-ID with everything stored since, in order', async () => {
    const live = await Stream.open(srv);
    await live.waitFor((x) => x.comments >= 1);
    const r1 = await srv.preflight(passingRequest());
    const r2 = await srv.preflight(passingRequest());
    const r3 = await srv.preflight(failingRequest());
    await live.waitFor((x) => x.events.length >= 3);
    live.close();
    const [e1, e2] = live.events;
    assert.deepEqual(live.events.map((e) => e.data.id), [r1.id, r2.id, r3.id]);
    const s = await Stream.open(srv, { headers: { 'Last-Event-ID': e1.id } });
    await s.waitFor((x) => x.events.length >= 2);
    assert.deepEqual(s.events.map((e) => e.data.id), [r2.id, r3.id]);
    s.close();
    const q = await Stream.open(srv, { query: `?last_event_id=${e2.id}` });
    await q.waitFor((x) => x.events.length >= 1);
    assert.equal(q.events[0].data.id, r3.id);
    q.close();
    // 0 is before everything: the whole history comes, oldest first
    const all = await Stream.open(srv, { query: '?last_event_id=0' });
    await all.waitFor((x) => x.events.some((e) => e.data.id === r3.id));
    const ids = all.events.map((e) => Number(e.id));
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
    all.close();
  });

  it('sends heartbeats on an idle stream', async () => {
    const s = await Stream.open(srv);
    await s.waitFor((x) => x.comments >= 3, 3000);
    assert.match(s.text, /: keep-alive\n\n/);
    s.close();
  });

  it('keeps answering POSTs while more idle streams are open than the server has threads', async () => {
    const streams = [];
    for (let i = 0; i < 12; i++) streams.push(await Stream.open(srv));
    for (const s of streams) await s.waitFor((x) => x.comments >= 1);
    const metrics = await srv.request('GET', '/metrics');
    assert.ok(valueOf(parseExposition(metrics.text), 'fitcheck_event_streams') >= 12, 'the streams are counted');
    const t0 = Date.now();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await srv.preflight(passingRequest()));
    assert.ok(Date.now() - t0 < 3000, 'the POSTs were not held up');
    for (const s of streams) await s.waitFor((x) => x.events.length >= 5);
    for (const s of streams) assert.deepEqual(s.events.map((e) => e.data.id), made.map((m) => m.id));
    for (const s of streams) s.close();
  });

  it('refuses a Last-Event-ID that is not an event id', async () => {
    for (const bad of ['yesterday', '-1', '01890a5d-ac96-774b-bcce-b302099a8057', '99999999999999999999']) {
      const r = await srv.request('GET', '/v1/reports/events', { headers: { 'Last-Event-ID': bad } });
      assert.equal(r.status, 400, bad);
      assert.equal(r.body.parameter, 'last_event_id');
    }
  });
});

describe('events per team', () => {
  it('streams only the key\'s team, and stops cleanly with streams open', async () => {
    const kdir = await makeTempDir('fitcheck-events-keys');
    const db = path.join(kdir, 'fitcheck.db');
    const key = (team) => {
      const r = spawnSync(serverBinary(), ['keys', 'create', '--db', storeLocation(db), '--team', team], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    const red = key('red');
    const blue = key('blue');
    const keyed = await FitcheckServer.start({ db, extraArgs: ['--auth', 'keys', '--key-streams', '3', '--sse-heartbeat', '60000'] });
    try {
      const none = await keyed.request('GET', '/v1/reports/events');
      assert.equal(none.status, 401);
      const s = await Stream.open(keyed, { headers: { Authorization: `Bearer ${red}` } });
      await s.waitFor((x) => x.comments >= 1);
      const theirs = await keyed.request('POST', '/v1/preflight', {
        json: passingRequest(),
        headers: { Authorization: `Bearer ${blue}` },
      });
      assert.equal(theirs.status, 201);
      const mine = await keyed.request('POST', '/v1/preflight', {
        json: passingRequest(),
        headers: { Authorization: `Bearer ${red}` },
      });
      await s.waitFor((x) => x.events.length >= 1);
      await sleep(200);
      assert.deepEqual(s.events.map((e) => e.data.id), [mine.body.id]);
      // a crafted Last-Event-ID from before the other team's report shows only this team's
      const resumed = await Stream.open(keyed, {
        headers: { Authorization: `Bearer ${red}`, 'Last-Event-ID': '0' },
      });
      await resumed.waitFor((x) => x.events.length >= 1);
      await sleep(200);
      assert.deepEqual(resumed.events.map((e) => e.data.id), [mine.body.id]);
      // a key holds at most --key-streams open: the fourth is refused, another key's is not
      const third = await Stream.open(keyed, { headers: { Authorization: `Bearer ${red}` } });
      await third.waitFor((x) => x.comments >= 1);
      const fourth = await keyed.request('GET', '/v1/reports/events', { headers: { Authorization: `Bearer ${red}` } });
      assert.equal(fourth.status, 429);
      assert.ok(Number(fourth.headers.get('retry-after')) >= 1);
      assert.match(fourth.body.detail, /3 event streams/);
      const theirStream = await Stream.open(keyed, { headers: { Authorization: `Bearer ${blue}` } });
      assert.equal(theirStream.res.status, 200);
      // a client that went away gives its place back at once, not at its next heartbeat (a minute here):
      // the refusal probes the key's streams, and the retry it asks for gets the place
      third.close();
      await sleep(100);
      let again;
      for (let i = 0; i < 3; i++) {
        again = await Stream.open(keyed, { headers: { Authorization: `Bearer ${red}` } });
        if (again.res.status !== 429) break;
        again.close();
        await sleep(Number(again.res.headers.get('retry-after')) * 1000);
      }
      assert.equal(again.res.status, 200, 'a closed stream gives its place back');
      again.close();
      await keyed.stopCleanly(); // with both streams still open
    } finally {
      await keyed.stop();
      await removeTempDir(kdir);
    }
  });
});
