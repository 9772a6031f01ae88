// GET /v1/reports filters a dashboard uses: run, framework, model (model_id), finding code, created
// since/until, alone, together and with the older project/verdict filters, paged by cursor; each result
// is held against the same filter applied to the reports as POST returned them.
import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { failingRequest, keras2Functional, passingRequest, summaryOf } from './lib/fixtures.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

let dir;
let srv;
const created = [];
let middle; // created_at between the two halves

before(async () => {
  dir = await makeTempDir('fitcheck-filters');
  srv = await FitcheckServer.start({ db: path.join(dir, 'fitcheck.db') });
  const bodies = [];
  for (let i = 0; i < 12; i++) {
    const base = i % 3 === 0 ? failingRequest() : passingRequest();
    if (i % 4 === 1) base.model = keras2Functional(); // another model, and another framework detected
    base.labels = { project: i % 2 ? 'p-odd' : 'p-even', run: `run-${i % 5}` };
    bodies.push(base);
  }
  for (const [i, body] of bodies.entries()) {
    created.push(await srv.preflight(body));
    if (i === 5) {
      await sleep(5);
      middle = new Date(Date.parse(created.at(-1).created_at) + 1).toISOString();
      await sleep(5);
    }
  }
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

async function listAll(qs) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const params = new URLSearchParams(qs);
    params.set('limit', '2');
    if (cursor) params.set('cursor', cursor);
    const r = await srv.request('GET', `/v1/reports?${params}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.body.items);
    if (!r.body.next_cursor) return items;
    cursor = r.body.next_cursor;
  }
  assert.fail('no end');
}

const expected = (pred) => created.filter(pred).map(summaryOf).reverse();

describe('GET /v1/reports filters', () => {
  it('gives every report its model_id, the one POST /v1/models names it by', async () => {
    const stored = await srv.request('POST', '/v1/models', { json: passingRequest().model });
    assert.equal(created[2].model_id, stored.body.model_id);
    assert.notEqual(created[1].model_id, created[2].model_id);
    for (const r of created) assert.match(r.model_id, /^sha256:[0-9a-f]{64}$/);
  });

  const cases = [
    ['run', () => 'run=run-2', (r) => r.labels.run === 'run-2'],
    ['framework', () => 'framework=tf.keras2', (r) => r.framework === 'tf.keras2'],
    ['model', () => `model=${created[1].model_id}`, (r) => r.model_id === created[1].model_id],
    ['code', () => `code=${created[0].findings[0].code}`, (r) => r.findings.some((f) => f.code === created[0].findings[0].code)],
    ['since', () => `since=${middle}`, (r) => r.created_at >= middle],
    ['until', () => `until=${middle}`, (r) => r.created_at < middle],
    ['since and until', () => `since=${created[3].created_at}&until=${created[8].created_at}`,
      (r) => r.created_at >= created[3].created_at && r.created_at < created[8].created_at],
    ['code and project', () => `code=${created[0].findings[0].code}&project=p-odd`,
      (r) => r.labels.project === 'p-odd' && r.findings.some((f) => f.code === created[0].findings[0].code)],
    ['model and verdict', () => `model=${created[0].model_id}&verdict=pass`,
      (r) => r.model_id === created[0].model_id && r.verdict === 'pass'],
    ['run, framework and since', () => `run=run-1&framework=keras3&since=${created[1].created_at}`,
      (r) => r.labels.run === 'run-1' && r.framework === 'keras3' && r.created_at >= created[1].created_at],
    ['a code no report has', () => 'code=NO_SUCH_CODE', () => false],
  ];
  for (const [name, qs, pred] of cases) {
    it(`filters by ${name}, page by page`, async () => {
      const want = expected(pred);
      const got = await listAll(qs());
      assert.deepEqual(got.map((i) => i.id), want.map((i) => i.id), qs());
      assert.deepEqual(got, want);
      if (name !== 'a code no report has') assert.ok(want.length > 0, `the case selects something: ${qs()}`);
    });
  }

  it('refuses malformed filters with 400 naming the parameter', async () => {
    for (const [param, value] of [
      ['framework', 'keras'],
      ['model', 'sha256:xyz'],
      ['code', 'lower_case'],
      ['since', 'yesterday'],
      ['until', '2026-12-03'],
      ['since', '2026-13-03T10:00:00Z'],
    ]) {
      const r = await srv.request('GET', `/v1/reports?${param}=${encodeURIComponent(value)}`);
      assert.equal(r.status, 400, `${param}=${value}`);
      assert.equal(r.body.parameter, param);
    }
  });
});
