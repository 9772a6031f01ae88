// --auth keys: fitcheckd keys create|list|revoke, Bearer keys on every route (401, 403), teams that
// never see each other's reports or models on any route (404 as for an unknown id, lists and crafted
// cursors), revocation while the server runs, and the per-key rate limit and in-flight cap (429).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { failingRequest, passingRequest } from './lib/fixtures.mjs';
import { FitcheckServer, makeTempDir, ON_POSTGRES, removeTempDir, serverBinary, storeLocation } from './lib/server.mjs';

const KEY_RE = /^fck_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/;

/** Runs `fitcheckd keys ...`; returns {status, stdout, stderr}. */
function keys(...args) {
  const at = args.indexOf('--db');
  if (at >= 0) args[at + 1] = storeLocation(args[at + 1]); // on a PostgreSQL run, the database standing in
  const r = spawnSync(serverBinary(), ['keys', ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function createKey(db, ...args) {
  const r = keys('create', '--db', db, ...args);
  assert.equal(r.status, 0, r.stderr);
  const key = r.stdout.trim();
  assert.match(key, KEY_RE);
  assert.equal(r.stdout, key + '\n', 'stdout is the key and nothing else');
  return key;
}

const auth = (key) => ({ Authorization: `Bearer ${key}` });

let dir;
let db;
let srv;
let alpha;
let alpha2;
let beta;
let admin;

before(async () => {
  dir = await makeTempDir('fitcheck-auth');
  db = path.join(dir, 'fitcheck.db');
  alpha = createKey(db, '--team', 'alpha', '--label', 'notebook');
  alpha2 = createKey(db, '--team', 'alpha', '--label', 'ci');
  beta = createKey(db, '--team', 'beta');
  admin = createKey(db, '--admin');
  srv = await FitcheckServer.start({ db, extraArgs: ['--auth', 'keys'] });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

describe('fitcheckd keys', () => {
  it('lists the keys with their team and kind, never their secret', () => {
    const r = keys('list', '--db', db);
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split('\n');
    assert.match(rows[0], /^ID\s+TEAM\s+KIND/);
    assert.equal(rows.length, 5);
    for (const key of [alpha, alpha2, beta, admin]) {
      const id = key.slice(4, 20);
      assert.ok(rows.some((row) => row.startsWith(id)), `${id} listed`);
      assert.ok(!r.stdout.includes(key.slice(21)), 'no secret in the listing');
    }
    assert.ok(rows.some((row) => /alpha\s+team\s+.*notebook$/.test(row)));
    assert.ok(rows.some((row) => /\(admin\)\s+admin/.test(row)));
  });

  it('stores only a salted hash: no secret in the database files', { skip: ON_POSTGRES && 'a SQLite file' }, () => {
    const files = readdirSync(dir).filter((f) => f.startsWith('fitcheck.db'));
    assert.ok(files.length >= 1);
    for (const f of files) {
      const bytes = readFileSync(path.join(dir, f));
      for (const key of [alpha, alpha2, beta, admin]) {
        assert.equal(bytes.indexOf(key.slice(21)), -1, `the secret of ${key.slice(0, 20)} is not in ${f}`);
      }
    }
  });

  it('refuses bad usage with status 2', () => {
    assert.equal(keys('create', '--db', db).status, 2, 'neither --team nor --admin');
    assert.equal(keys('create', '--db', db, '--team', 'x', '--admin').status, 2, 'both');
    assert.equal(keys('revoke', '--db', db).status, 2, 'no id');
    assert.equal(keys('frobnicate', '--db', db).status, 2);
    assert.equal(keys('revoke', '--db', db, '0000000000000000').status, 1, 'no such key');
  });
});

describe('--auth keys', () => {
  const routes = [
    ['POST', '/v1/preflight', { json: passingRequest() }],
    ['POST', '/v1/models', { json: passingRequest().model }],
    ['POST', '/v1/models/inspect', { json: { model: passingRequest().model } }],
    ['POST', '/v1/explain', { json: { error: 'Shapes (None, 1) and (None, 10) are incompatible' } }],
    ['GET', '/v1/reports', {}],
    ['GET', '/v1/reports/019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b', {}],
    ['GET', '/v1/findings', {}],
    ['GET', '/v1/findings/LABEL_SHAPE_MISMATCH', {}],
  ];

  it('answers 401 with WWW-Authenticate on every /v1 route without a key, or with a wrong one', async () => {
    const wrong = alpha.slice(0, -1) + (alpha.endsWith('A') ? 'B' : 'A');
    for (const [method, url, opts] of routes) {
      const none = await srv.request(method, url, opts);
      assert.equal(none.status, 401, `${method} ${url}: ${none.text}`);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="fitcheck"');
      assert.equal(none.body.type, '/problems/unauthorized');
      for (const bad of [wrong, 'fck_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'nonsense']) {
        const r = await srv.request(method, url, { ...opts, headers: auth(bad) });
        assert.equal(r.status, 401, `${method} ${url} with ${bad}`);
        assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="fitcheck", error="invalid_token"');
      }
      const basic = await srv.request(method, url, { ...opts, headers: { Authorization: 'Basic YTpi' } });
      assert.equal(basic.status, 401);
    }
  });

  it('keeps /healthz open, and /metrics for the admin key only', async () => {
    assert.equal((await srv.request('GET', '/healthz')).status, 200);
    assert.equal((await srv.request('GET', '/metrics')).status, 401);
    const team = await srv.request('GET', '/metrics', { headers: auth(alpha) });
    assert.equal(team.status, 403);
    assert.equal(team.body.type, '/problems/forbidden');
    const ok = await srv.request('GET', '/metrics', { headers: auth(admin) });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /fitcheck_http_requests_total/);
  });

  it('refuses the admin key on the /v1 routes (403)', async () => {
    for (const [method, url, opts] of routes) {
      const r = await srv.request(method, url, { ...opts, headers: auth(admin) });
      assert.equal(r.status, 403, `${method} ${url}`);
    }
  });

  it('serves every /v1 route to a team key', async () => {
    for (const [method, url, opts] of routes) {
      const r = await srv.request(method, url, { ...opts, headers: auth(alpha) });
      assert.ok([200, 201, 404].includes(r.status), `${method} ${url}: ${r.status} ${r.text}`);
      if (url.endsWith('0c1d2e3f4a5b')) assert.equal(r.status, 404);
      else assert.ok(r.status < 300, `${method} ${url}: ${r.status}`);
    }
  });
});

describe('teams', () => {
  let red;
  let red2;
  let blue;
  let mine;
  let theirs;

  before(async () => {
    // two teams of their own, made while the server runs (it reads new keys from the database)
    red = createKey(db, '--team', 'red');
    red2 = createKey(db, '--team', 'red');
    blue = createKey(db, '--team', 'blue');
    const early = failingRequest();
    early.labels = { project: 'shared-name', run: 'b-early' };
    assert.equal((await srv.request('POST', '/v1/preflight', { json: early, headers: auth(blue) })).status, 201);
    mine = [];
    for (const [i, body] of [passingRequest(), failingRequest(), passingRequest()].entries()) {
      body.labels = { project: 'shared-name', run: `a${i}` };
      const r = await srv.request('POST', '/v1/preflight', { json: body, headers: auth(red) });
      assert.equal(r.status, 201, r.text);
      mine.push(r.body);
    }
    const body = failingRequest();
    body.labels = { project: 'shared-name', run: 'b0' };
    const r = await srv.request('POST', '/v1/preflight', { json: body, headers: auth(blue) });
    assert.equal(r.status, 201, r.text);
    theirs = r.body;
  });

  it('reads its own reports with any of its keys, and another team\'s as 404 like an unknown id', async () => {
    for (const key of [red, red2]) {
      const r = await srv.request('GET', `/v1/reports/${mine[0].id}`, { headers: auth(key) });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, mine[0]);
    }
    const cross = await srv.request('GET', `/v1/reports/${mine[0].id}`, { headers: auth(blue) });
    const unknown = await srv.request('GET', '/v1/reports/019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b', {
      headers: auth(blue),
    });
    assert.equal(cross.status, 404);
    assert.deepEqual(cross.body, unknown.body, 'the same answer as for an id nobody stored');
    const back = await srv.request('GET', `/v1/reports/${theirs.id}`, { headers: auth(red) });
    assert.equal(back.status, 404);
  });

  it('diffs only its own reports: another team\'s id, as the report or as against, is 404', async () => {
    const own = await srv.request('GET', `/v1/reports/${mine[1].id}/diff`, { headers: auth(red) });
    assert.equal(own.status, 200);
    assert.equal(own.body.against.id, mine[0].id, 'previous in the project: red\'s, not blue\'s');
    const lastOwn = await srv.request('GET', `/v1/reports/${mine[0].id}/diff`, { headers: auth(red) });
    assert.equal(lastOwn.body.against, null, 'blue\'s earlier report in a project of the same name is not red\'s');
    const cross = await srv.request('GET', `/v1/reports/${theirs.id}/diff`, { headers: auth(red) });
    assert.equal(cross.status, 404);
    const crossAgainst = await srv.request('GET', `/v1/reports/${mine[0].id}/diff?against=${theirs.id}`, {
      headers: auth(red),
    });
    assert.equal(crossAgainst.status, 404);
    assert.equal(crossAgainst.body.parameter, 'against');
  });

  it('lists only its own reports, with every filter and with cursors made from the other team\'s ids', async () => {
    const queries = ['', 'verdict=fail', 'project=shared-name', 'project=shared-name&verdict=fail', 'limit=1',
      'framework=keras3', `code=${mine[1].findings[0].code}`, `model=${mine[0].model_id}`, 'run=b0',
      `since=${mine[0].created_at}`];
    const cursors = [null, theirs.id, mine[2].id, mine[0].id];
    for (const q of queries) {
      for (const c of cursors) {
        const qs = [q, c ? `cursor=${c}` : ''].filter(Boolean).join('&');
        const a = await srv.request('GET', `/v1/reports${qs ? '?' + qs : ''}`, { headers: auth(red) });
        const b = await srv.request('GET', `/v1/reports${qs ? '?' + qs : ''}`, { headers: auth(blue) });
        assert.equal(a.status, 200);
        assert.equal(b.status, 200);
        for (const it of a.body.items) assert.ok(mine.some((m) => m.id === it.id), `red sees only red's (${qs})`);
        for (const it of b.body.items) assert.ok(!mine.some((m) => m.id === it.id), `blue sees none of red's (${qs})`);
        if (a.body.next_cursor) assert.ok(mine.some((m) => m.id === a.body.next_cursor));
      }
    }
    const all = await srv.request('GET', '/v1/reports', { headers: auth(red2) });
    assert.deepEqual(
      all.body.items.map((i) => i.id),
      mine.map((m) => m.id).reverse(),
    );
  });

  it('keeps model_ids to the team that stored them', async () => {
    const model = failingRequest().model;
    const stored = await srv.request('POST', '/v1/models', { json: model, headers: auth(red) });
    assert.equal(stored.status, 201, stored.text);
    const id = stored.body.model_id;
    const { model: _, ...rest } = failingRequest();
    const byId = { ...rest, model_id: id };
    const ok = await srv.request('POST', '/v1/preflight', { json: byId, headers: auth(red) });
    assert.equal(ok.status, 201, ok.text);
    const cross = await srv.request('POST', '/v1/preflight', { json: byId, headers: auth(blue) });
    assert.equal(cross.status, 404);
    assert.equal(cross.body.pointer, '/model_id');
    // storing the same text makes it blue's too, and says it was new to blue
    const mineToo = await srv.request('POST', '/v1/models', { json: model, headers: auth(blue) });
    assert.equal(mineToo.status, 201);
    assert.equal(mineToo.body.model_id, id);
    assert.equal(mineToo.body.created, true);
    const now = await srv.request('POST', '/v1/preflight', { json: byId, headers: auth(blue) });
    assert.equal(now.status, 201);
    assert.equal(now.body.request_digest, ok.body.request_digest);
  });
});

describe('revocation', () => {
  it('refuses a key revoked while the server runs within a second and a half', async () => {
    const key = createKey(db, '--team', 'gamma');
    assert.equal((await srv.request('GET', '/v1/reports', { headers: auth(key) })).status, 200);
    const r = keys('revoke', '--db', db, key.slice(4, 20));
    assert.equal(r.status, 0, r.stderr);
    const deadline = Date.now() + 1500;
    let status = 200;
    while (Date.now() < deadline && status === 200) {
      status = (await srv.request('GET', '/v1/reports', { headers: auth(key) })).status;
      if (status === 200) await sleep(50);
    }
    assert.equal(status, 401);
    assert.equal(keys('revoke', '--db', db, key.slice(4, 20)).status, 1, 'already revoked');
  });
});

/** Starts a POST whose body is not finished; resolves once the server has the headers. */
function openBody(port, key) {
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/v1/preflight',
    headers: { ...auth(key), 'Content-Type': 'application/json', 'Content-Length': '10000' },
  });
  const done = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
  });
  req.write('{');
  return { req, done };
}

describe('limits per key', () => {
  let limited;
  let ldir;
  let key;
  let other;

  before(async () => {
    ldir = await makeTempDir('fitcheck-limits');
    const ldb = path.join(ldir, 'fitcheck.db');
    key = createKey(ldb, '--team', 'alpha');
    other = createKey(ldb, '--team', 'beta');
    limited = await FitcheckServer.start({
      db: ldb,
      extraArgs: ['--auth', 'keys', '--rate-limit', '1', '--rate-burst', '3', '--key-inflight', '1'],
    });
  });

  after(async () => {
    await limited?.stop();
    await removeTempDir(ldir);
  });

  it('answers 429 with Retry-After past the rate, per key', async () => {
    const statuses = [];
    let refused;
    for (let i = 0; i < 5; i++) {
      const r = await limited.request('GET', '/v1/findings', { headers: auth(key) });
      statuses.push(r.status);
      if (r.status === 429) refused = r;
    }
    assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
    assert.ok(refused, `a request past the burst is refused: ${statuses}`);
    assert.equal(refused.body.type, '/problems/rate-limited');
    assert.match(refused.headers.get('retry-after'), /^[1-9][0-9]*$/);
    assert.equal((await limited.request('GET', '/v1/findings', { headers: auth(other) })).status, 200);
    await sleep(1100);
    assert.equal((await limited.request('GET', '/v1/findings', { headers: auth(key) })).status, 200, 'refilled');
  });

  it('answers 429 to a second body in flight from the same key', async () => {
    await sleep(3100); // a full bucket
    const first = openBody(limited.port, other);
    await sleep(200);
    const second = await limited.request('POST', '/v1/preflight', { json: passingRequest(), headers: auth(other) });
    assert.equal(second.status, 429, `${second.text}\n${limited.stderrLines.slice(-8).join('\n')}`);
    assert.match(second.body.detail, /in flight/);
    assert.equal(second.headers.get('retry-after'), '1');
    first.req.destroy(); // the client gives up: the place is given back when the server ends the request
    await first.done.catch(() => {});
    let status = 429;
    const deadline = Date.now() + 3000;
    while (status === 429 && Date.now() < deadline) {
      await sleep(100);
      status = (await limited.request('POST', '/v1/preflight', { json: passingRequest(), headers: auth(other) })).status;
    }
    assert.equal(status, 201);
  });
});

describe('--auth none', () => {
  it('lets requests without a key in, and keeps the reports of no team', async () => {
    const ndir = await makeTempDir('fitcheck-noauth');
    const open = await FitcheckServer.start({ db: path.join(ndir, 'fitcheck.db') });
    try {
      const r = await open.request('POST', '/v1/preflight', { json: passingRequest() });
      assert.equal(r.status, 201);
      const got = await open.request('GET', `/v1/reports/${r.body.id}`);
      assert.equal(got.status, 200);
      assert.equal((await open.request('GET', '/metrics')).status, 200);
    } finally {
      await open.stop();
      await removeTempDir(ndir);
    }
  });
});
