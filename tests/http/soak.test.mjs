// A short soak (issue 13; bench/soak/run.sh is the 60 s run at 128 connections): SOAK_SECONDS
// (default 6) of preflights, history lists, report reads and explains from 32 concurrent clients.
// No answer may be a 5xx, and once the load stops the server holds the descriptors it held before
// it (no connection, statement or file left open) and its RSS has not run away.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { failingRequest, passingRequest } from './lib/fixtures.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 6);
const CLIENTS = 32;

let dir;
let srv;

before(async () => {
  dir = await makeTempDir('fitcheck-soak');
  srv = await FitcheckServer.start({ db: path.join(dir, 'fitcheck.db') });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

const fds = () => readdirSync(`/proc/${srv.child.pid}/fd`).length;
const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${srv.child.pid}/status`, 'utf8'))[1]);

describe('soak', () => {
  it(`${SECONDS} s of mixed load at ${CLIENTS} clients: no 5xx, descriptors back to the start, RSS bounded`, async () => {
    await srv.request('GET', '/healthz');
    const fdsBefore = fds();
    const ids = [];
    const statuses = new Map();
    const end = Date.now() + SECONDS * 1000;
    let warmRss = null;
    setTimeout(() => { warmRss = rssKb(); }, 1000);
    const client = async (k) => {
      for (let n = k; Date.now() < end; n++) {
        let r;
        switch (n % 5) {
          case 0:
          case 1:
            r = await srv.request('POST', '/v1/preflight', { json: n % 2 ? passingRequest() : failingRequest() });
            if (r.status === 201) ids.push(r.body.id);
            break;
          case 2:
            r = await srv.request('GET', '/v1/reports?limit=20');
            break;
          case 3:
            r = await srv.request('GET', ids.length ? `/v1/reports/${ids[n % ids.length]}` : '/healthz');
            break;
          default:
            r = await srv.request('POST', '/v1/explain', { json: { error: 'ValueError: Shapes (None, 1) and (None, 10) are incompatible' } });
        }
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, k) => client(k)));
    const fiveXx = [...statuses].filter(([s]) => s >= 500);
    assert.deepEqual(fiveXx, [], JSON.stringify([...statuses]));
    assert.ok(ids.length > 0);
    // keep-alive connections close when the clients are gone; give the server a moment to notice
    let now = fds();
    for (let i = 0; i < 50 && now > fdsBefore; i++) {
      await sleep(100);
      now = fds();
    }
    assert.ok(now <= fdsBefore, `descriptors: ${fdsBefore} before the load, ${now} after it`);
    const rss = rssKb();
    assert.ok(rss < warmRss + 64 * 1024, `RSS ${rss} kB after the load, ${warmRss} kB one second into it`);
  });
});
