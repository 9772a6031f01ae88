// POST /v1/models and preflights by model_id: the id is the descriptor's digest, storing it again
// is a 200 with the same id, a preflight by id is the inline preflight (verdict, findings and
// request digest), an id nobody stored is a 404 naming the field, and ids survive a restart.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { SOURCE_DIR } from './lib/contract.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

const request = JSON.parse(readFileSync(path.join(SOURCE_DIR, 'bench', 'http', 'mnist_cnn.json'), 'utf8'));
const failing = JSON.parse(
  readFileSync(path.join(SOURCE_DIR, 'tests', 'cases', 'tfkeras2.2.4-missing-channel-axis', 'request.json'), 'utf8'),
);

let dir;
let srv;

before(async () => {
  dir = await makeTempDir('fitcheck-models');
  srv = await FitcheckServer.start({ db: path.join(dir, 'fitcheck.db'), maxBody: 1 << 20 });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

const byId = (req, id) => {
  const { model, ...rest } = req;
  return { ...rest, model_id: id };
};

describe('POST /v1/models', () => {
  let id;

  it('stores a descriptor under its digest', async () => {
    const r = await srv.request('POST', '/v1/models', { json: request.model });
    assert.equal(r.status, 201, r.text);
    assert.match(r.body.model_id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(r.body.created, true);
    assert.equal(r.body.model.class, 'Sequential');
    id = r.body.model_id;
  });

  it('answers 200 and the same id for the same descriptor, in either body form', async () => {
    const again = await srv.request('POST', '/v1/models', { json: request.model });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.model_id, id);
    assert.equal(again.body.created, false);
    const wrapped = await srv.request('POST', '/v1/models', { json: { model: request.model } });
    assert.equal(wrapped.body.model_id, id);
  });

  it('refuses a body that is no descriptor', async () => {
    const r = await srv.request('POST', '/v1/models', { json: [1, 2, 3] });
    assert.equal(r.status, 400, r.text);
    const half = await srv.request('POST', '/v1/models', { json: { class_name: 'Sequential', config: 7 } });
    assert.equal(half.status, 400, half.text);
  });

  it('a preflight by model_id is the inline preflight', async () => {
    const inline = await srv.preflight(request);
    const ref = await srv.preflight(byId(request, id));
    assert.equal(ref.verdict, inline.verdict);
    assert.deepEqual(ref.findings.map((f) => f.code), inline.findings.map((f) => f.code));
    assert.equal(ref.request_digest, inline.request_digest);
    assert.deepEqual(ref.model, inline.model);

    const stored = await srv.request('POST', '/v1/models', { json: failing.model });
    const bad = await srv.preflight(byId(failing, stored.body.model_id));
    const badInline = await srv.preflight(failing);
    assert.equal(bad.verdict, 'fail');
    assert.deepEqual(bad.findings.map((f) => f.code), badInline.findings.map((f) => f.code));
  });

  it('an unknown model_id is a 404 naming the field; a malformed one a 400', async () => {
    const r = await srv.request('POST', '/v1/preflight', { json: byId(request, `sha256:${'0'.repeat(64)}`) });
    assert.equal(r.status, 404, r.text);
    assert.equal(r.body.pointer, '/model_id');
    const n = await srv.request('POST', '/v1/preflight', { json: byId(request, 42) });
    assert.equal(n.status, 400, n.text);
    assert.equal(n.body.pointer, '/model_id');
  });

  it('keeps its models across a restart', async () => {
    await srv.stopCleanly();
    srv = await FitcheckServer.start({ db: path.join(dir, 'fitcheck.db'), maxBody: 1 << 20 });
    const ref = await srv.preflight(byId(request, id));
    assert.equal(ref.verdict, 'pass');
  });
});
