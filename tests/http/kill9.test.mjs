// kill -9 under load (issue 13): fitcheckd answers 201 only once a report is durable, so a SIGKILL at
// any moment loses nothing it acknowledged. Each trial starts fitcheckd on the same database, runs
// concurrent POSTs, kills it with SIGKILL at a random moment, checks the database with
// PRAGMA integrity_check, restarts it and reads back every report that trial acknowledged: each must
// be there with the very bytes the 201 carried. At the end every report of every trial is read back
// once more (later kills must not have damaged it) and the history lists them all. KILL9_TRIALS sets the number
// of trials (5 in the test suite; `KILL9_TRIALS=50 node --test tests/http/kill9.test.mjs` for the
// long run, whose figures are in bench/README.md).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { failingRequest, passingRequest } from './lib/fixtures.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

const TRIALS = Number(process.env.KILL9_TRIALS ?? 5);
const WRITERS = 16;

let dir;
let db;

before(async () => {
  dir = await makeTempDir('fitcheck-kill9');
  db = path.join(dir, 'fitcheck.db');
});

after(async () => {
  await removeTempDir(dir);
});

/** A small deterministic generator, so that a failing trial can be re-run with its seed. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** POSTs until stop() is called; resolves to the acknowledged reports: [{id, text}]. */
async function writer(srv, trial, w, stopped) {
  const acked = [];
  for (let i = 0; !stopped(); i++) {
    const labels = { project: `kill9-${w % 4}`, run: `t${trial}-w${w}-${i}` };
    const body = JSON.stringify(i % 3 ? passingRequest({ labels }) : failingRequest({ labels }));
    try {
      const res = await fetch(`${srv.baseUrl}/v1/preflight`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10000),
      });
      const text = await res.text();
      if (res.status === 201) acked.push({ id: JSON.parse(text).id, text });
      else assert.fail(`POST answered ${res.status} before the kill: ${text}`);
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      if (!stopped()) await sleep(5); // the kill came: a request in flight was never acknowledged
    }
  }
  return acked;
}

/** Every report of acked must read back with the bytes its 201 carried (8 reads at a time). */
async function readBack(srv, acked, when) {
  for (let i = 0; i < acked.length; i += 8) {
    await Promise.all(acked.slice(i, i + 8).map(async (r) => {
      const got = await srv.request('GET', `/v1/reports/${r.id}`);
      assert.equal(got.status, 200, `${when}: report ${r.id} was acknowledged, then lost`);
      assert.equal(got.text, r.text, `${when}: report ${r.id} came back changed`);
    }));
  }
}

function integrity(file) {
  return execFileSync('sqlite3', [file, 'PRAGMA integrity_check;'], { encoding: 'utf8' }).trim();
}

describe(`kill -9 under load, ${TRIALS} trials`, () => {
  it('loses no acknowledged report, and the database stays sound', async () => {
    const random = rng(Number(process.env.KILL9_SEED ?? 20261203));
    const all = [];
    const figures = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const srv = await FitcheckServer.start({ db, extraArgs: ['--threads', '8'] });
      let stop = false;
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(srv, trial, w, () => stop));
      const delay = 100 + Math.floor(random() * 700);
      await sleep(delay);
      srv.child.kill('SIGKILL');
      await srv._exitPromise;
      stop = true;
      const acked = (await Promise.all(writers)).flat();
      assert.equal(srv.exit.signal, 'SIGKILL');
      assert.equal(integrity(db), 'ok', `trial ${trial}: integrity_check after the kill`);
      all.push(...acked);
      figures.push(`${acked.length} acked after ${delay} ms`);

      const back = await FitcheckServer.start({ db, extraArgs: ['--threads', '8'] });
      try {
        await readBack(back, acked, `trial ${trial}`);
        const health = await back.request('GET', '/healthz');
        assert.equal(health.body.database, 'ok');
      } finally {
        await back.stop();
      }
    }
    // and every report of every trial once more at the end, after all the kills that followed it
    const last = await FitcheckServer.start({ db });
    try {
      await readBack(last, all, 'at the end');
      let listed = 0;
      let cursor = null;
      do {
        const page = await last.request('GET', `/v1/reports?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
        listed += page.body.items.length;
        cursor = page.body.next_cursor;
      } while (cursor);
      assert.ok(listed >= all.length, `${listed} listed, ${all.length} acknowledged`);
    } finally {
      await last.stop();
    }
    assert.ok(all.length > 0, 'the load stored reports before the kills');
    console.log(`kill -9: ${TRIALS} trials, ${all.length} acknowledged reports, all read back intact (${figures.join('; ')})`);
  });
});
