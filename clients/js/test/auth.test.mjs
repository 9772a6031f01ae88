// preflight() against fitcheckd --auth keys: 401 without a key or with a wrong one, OK with a team key
// given as an option or in FITCHECK_KEY.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ApiError, getReport, preflight } from '../src/index.js';
import { Server, denseModel, recordingFetch, sparseLabels, uniform } from './helpers.mjs';

let server;
let key;

before(async () => {
  server = await Server.start(['--auth', 'keys']);
  key = server.createKey('vision');
});
after(async () => {
  await server?.stop();
});

const call = (opts) => preflight(denseModel(), uniform([16, 784]), sparseLabels(16, 10), { url: server.url, ...opts });

describe('--auth keys', () => {
  it('no key: ApiError 401 with the problem', async () => {
    const saved = process.env.FITCHECK_KEY;
    delete process.env.FITCHECK_KEY;
    try {
      const err = await call({}).then(() => null, (e) => e);
      assert.ok(err instanceof ApiError, String(err));
      assert.equal(err.status, 401);
      assert.equal(err.type, '/problems/unauthorized');
      assert.equal(err.body.status, 401);
      assert.match(err.detail, /Authorization: Bearer/);
      assert.ok(err.headers.get('www-authenticate'));
    } finally {
      if (saved !== undefined) process.env.FITCHECK_KEY = saved;
    }
  });

  it('a wrong key: 401', async () => {
    const err = await call({ key: 'fck_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }).then(() => null, (e) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 401);
  });

  it('the team key as an option: sent as Bearer, the report is made and readable with it', async () => {
    const f = recordingFetch();
    const report = await call({ key, fetch: f });
    assert.equal(report.verdict, 'pass', report.toString());
    assert.equal(f.sent[0].headers.Authorization, `Bearer ${key}`);
    const again = await getReport(report.id, { url: server.url, key });
    assert.equal(again.id, report.id);
    const hidden = await getReport(report.id, { url: server.url, key: server.createKey('other') }).then(() => null, (e) => e);
    assert.equal(hidden?.status, 404, 'another team does not see it');
  });

  it('the key from FITCHECK_KEY', async () => {
    const saved = process.env.FITCHECK_KEY;
    process.env.FITCHECK_KEY = key;
    try {
      const report = await call({});
      assert.equal(report.verdict, 'pass');
    } finally {
      if (saved === undefined) delete process.env.FITCHECK_KEY;
      else process.env.FITCHECK_KEY = saved;
    }
  });
});
