// POST /v1/explain: pasted error texts to catalog entries, as JSON or as
// text/plain, alone or with the model and data that produced them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { SOURCE_DIR } from './lib/contract.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

const messages = JSON.parse(readFileSync(path.join(SOURCE_DIR, 'tests', 'explain', 'messages.json'), 'utf8'));
const seed1 = JSON.parse(readFileSync(path.join(SOURCE_DIR, 'tests', 'cases', 'seed1-keras3-flattened-mnist', 'request.json'), 'utf8'));

let dir;
let srv;

before(async () => {
  dir = await makeTempDir('fitcheck-explain');
  srv = await FitcheckServer.start({ db: path.join(dir, 'fitcheck.db') });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

describe('POST /v1/explain', () => {
  it('explains every real error text of tests/explain as its code', async () => {
    for (const m of messages) {
      const r = await srv.request('POST', '/v1/explain', { json: { error: m.text, framework: m.framework } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.matched, true, m.text);
      assert.ok(r.body.matches.some((x) => x.code === m.code), `${m.code}: ${JSON.stringify(r.body.matches.map((x) => x.code))}`);
    }
  });

  it('takes the bare text as text/plain and fills the fix from it', async () => {
    const r = await srv.request('POST', '/v1/explain', {
      body: 'Traceback (most recent call last):\n  File "train.py", line 12, in <module>\n    model.fit(x, y)\n'
        + 'ValueError: Input 0 of layer "functional" is incompatible with the layer: expected shape=(None, 28, 28), found shape=(None, 784)\n',
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
    assert.equal(r.status, 200, r.text);
    const top = r.body.matches[0];
    assert.equal(top.code, 'INPUT_RANK_MISMATCH');
    assert.equal(top.values.expected, '(None, 28, 28)');
    assert.equal(top.values.found_batch, '(None, 784)');
    assert.equal(top.fixes[0].code, 'x = x.reshape(-1, 28, 28)');
    const entry = await srv.request('GET', top.href);
    assert.equal(entry.status, 200);
  });

  it('derives the values a fix needs from the shapes in the text', async () => {
    const r = await srv.request('POST', '/v1/explain', {
      body: 'ValueError: Shapes (None, 1) and (None, 10) are incompatible',
      headers: { 'Content-Type': 'text/plain' },
    });
    const top = r.body.matches[0];
    assert.equal(top.code, 'LABELS_SPARSE_FOR_CATEGORICAL');
    assert.match(top.fixes[0].code, /^y = keras\.utils\.to_categorical\(y, 10\)/);
  });

  it('says no match for unknown text, with at most three nearest entries', async () => {
    let r = await srv.request('POST', '/v1/explain', { json: { error: 'Segmentation fault (core dumped)' } });
    assert.equal(r.status, 200);
    assert.equal(r.body.matched, false);
    assert.deepEqual(r.body.matches, []);
    r = await srv.request('POST', '/v1/explain', { json: { error: 'Data cardinality is ambiguous' } });
    assert.equal(r.body.matched, false);
    assert.ok(r.body.nearest.length >= 1 && r.body.nearest.length <= 3);
    assert.equal(r.body.nearest[0].code, 'SAMPLE_COUNT_MISMATCH');
  });

  it('runs the preflight when the model comes along and names the finding that produced the error', async () => {
    const text = 'ValueError: Exception encountered when calling Sequential.call().\n\nInvalid input shape for input '
      + 'Tensor("data:0", shape=(None, 784), dtype=float32). Expected shape (None, 28, 28), but input has incompatible shape (None, 784)';
    const r = await srv.request('POST', '/v1/explain', { json: { ...seed1, error: text } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.produced_by, 'INPUT_RANK_MISMATCH');
    assert.equal(r.body.preflight.verdict, 'fail');
    const list = await srv.request('GET', '/v1/reports?limit=200');
    assert.equal(list.body.items.length, 0, 'explain stores nothing');
  });

  it('answers 400 for a missing error text or a bad framework, and 405 for GET', async () => {
    let r = await srv.request('POST', '/v1/explain', { json: { text: 'x' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.pointer, '/error');
    r = await srv.request('POST', '/v1/explain', { json: { error: 'x', framework: 'pytorch' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.pointer, '/framework');
    r = await srv.request('GET', '/v1/explain');
    assert.equal(r.status, 405);
  });
});
