// GET /v1/reports/{id}/diff: a notebook user re-runs a preflight after a fix and sees what changed
// since the project's previous report (or one named by ?against=), findings and model layers.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { mnistRequest, tensor } from './lib/fixtures.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

let dir;
let srv;

before(async () => {
  dir = await makeTempDir('fitcheck-diff');
  srv = await FitcheckServer.start({ db: path.join(dir, 'fitcheck.db') });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

/** The MNIST request with a categorical loss: integer labels (the mistake) or one-hot rows (the fix). */
function request(project, { oneHot, units = 10 } = {}) {
  const body = mnistRequest({ x: [100, 28, 28], labels: { project } });
  body.compile.loss = 'categorical_crossentropy';
  body.data.y = oneHot
    ? tensor([100, 10], 'float32', { min: 0, max: 1, row_sum_min: 1, row_sum_max: 1 })
    : tensor([100], 'uint8', { min: 0, max: 9 });
  body.model.config.layers[2].config.units = units;
  return body;
}

async function diff(id, query = '') {
  const r = await srv.request('GET', `/v1/reports/${id}/diff${query}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

describe('GET /v1/reports/{id}/diff', () => {
  let first;
  let fixed;
  let other;
  let widened;

  before(async () => {
    first = await srv.preflight(request('mnist'));
    other = await srv.preflight(request('another-project', { oneHot: true })); // between the two, elsewhere
    fixed = await srv.preflight(request('mnist', { oneHot: true }));
    widened = await srv.preflight(request('mnist', { oneHot: true, units: 12 }));
  });

  it('compares a project\'s first report with nothing', async () => {
    assert.equal(first.verdict, 'fail');
    const d = await diff(first.id);
    assert.equal(d.against, null);
    assert.equal(d.verdict.from, null);
    assert.equal(d.findings.added.length, first.findings.length);
    assert.match(d.summary, /^no earlier report to compare with/);
  });

  it('says the fixed finding is resolved, against the previous report of the same project', async () => {
    const d = await diff(fixed.id);
    assert.equal(d.against.id, first.id, 'the report of another project in between is skipped');
    assert.deepEqual(d.report, { id: fixed.id, created_at: fixed.created_at, verdict: fixed.verdict });
    assert.deepEqual(d.verdict, { from: 'fail', to: fixed.verdict });
    const codes = first.findings.filter((f) => f.severity === 'error').map((f) => f.code);
    assert.ok(codes.length > 0);
    for (const code of codes) assert.ok(d.findings.resolved.some((f) => f.code === code), code);
    assert.ok(d.summary.includes(`${codes[0]} resolved`), d.summary);
    assert.deepEqual(d.findings.added, []);
    assert.deepEqual(d.model.layers, { added: [], removed: [], changed: [] });
  });

  it('shows the layers whose shape or parameters changed', async () => {
    const d = await diff(widened.id);
    assert.equal(d.against.id, fixed.id);
    assert.equal(d.model.layers.changed.length, 1);
    const [dense] = d.model.layers.changed;
    assert.equal(dense.name, 'dense');
    assert.deepEqual(dense.from, { output_shape: [null, 10], params: 7850 });
    assert.deepEqual(dense.to, { output_shape: [null, 12], params: 9420 });
    assert.deepEqual(d.model.total_params, { from: 7850, to: 9420 });
    assert.match(d.summary, /1 layer changed/);
  });

  it('compares with the report named by against, in either direction', async () => {
    const back = await diff(first.id, `?against=${fixed.id}`);
    assert.equal(back.against.id, fixed.id);
    assert.ok(back.findings.added.length > 0, 'what the fix resolved comes back');
    const same = await diff(other.id, `?against=${other.id}`);
    assert.equal(same.summary, 'no change');
    assert.equal((await diff(fixed.id, '?against=previous')).against.id, first.id);
  });

  it('answers 304 to an unchanged diff', async () => {
    const r = await srv.request('GET', `/v1/reports/${fixed.id}/diff`);
    const again = await srv.request('GET', `/v1/reports/${fixed.id}/diff`, {
      headers: { 'If-None-Match': r.headers.get('etag') },
    });
    assert.equal(again.status, 304);
  });

  it('refuses an against that is neither previous nor an id (400), and unknown ids (404)', async () => {
    const bad = await srv.request('GET', `/v1/reports/${fixed.id}/diff?against=yesterday`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.parameter, 'against');
    const unknownAgainst = await srv.request('GET', `/v1/reports/${fixed.id}/diff?against=019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b`);
    assert.equal(unknownAgainst.status, 404);
    assert.equal(unknownAgainst.body.parameter, 'against');
    const unknown = await srv.request('GET', '/v1/reports/019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b/diff');
    assert.equal(unknown.status, 404);
    const word = await srv.request('GET', '/v1/reports/not-an-id/diff');
    assert.equal(word.status, 404);
  });
});
