// Model uploads: a .keras file (zip) or a model JSON as multipart/form-data or
// application/octet-stream, on POST /v1/preflight and POST /v1/models/inspect.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { SOURCE_DIR } from './lib/contract.mjs';
import { keras3Sequential } from './lib/fixtures.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

const fixture = (name) => readFileSync(path.join(SOURCE_DIR, 'tests', 'fixtures', name));
const SEED_KERAS = fixture('mnist-seed.keras');

let dir;
let srv;

before(async () => {
  dir = await makeTempDir('fitcheck-upload');
  srv = await FitcheckServer.start({ db: path.join(dir, 'fitcheck.db') });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

function form(parts) {
  const fd = new FormData();
  for (const [name, value, filename] of parts) {
    if (typeof value === 'string') fd.append(name, value);
    else fd.append(name, new Blob([value]), filename ?? name);
  }
  return fd;
}

const codes = (r) => r.body.findings.map((f) => f.code);

describe('POST /v1/preflight with a .keras file', () => {
  it('reads config.json from a multipart model part and checks the data from the request part', async () => {
    const request = { data: { x: { shape: [100, 784], dtype: 'float32' } }, labels: { project: 'uploads' } };
    const r = await srv.request('POST', '/v1/preflight', {
      body: form([['request', JSON.stringify(request)], ['model', SEED_KERAS, 'mnist.keras']]),
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.verdict, 'fail');
    assert.deepEqual(codes(r), ['INPUT_RANK_MISMATCH']);
    assert.equal(r.body.findings[0].fixes[0].code, 'x = x.reshape(-1, 28, 28)');
    assert.equal(r.body.framework, 'keras3');
    // Keras 3 writes its version into metadata.json, not config.json
    assert.equal(r.body.framework_version, '3.6.0');
    assert.equal(r.body.release.newer, false);
    assert.equal(r.body.model.total_params, 7850);
    assert.deepEqual(r.body.labels, { project: 'uploads' });
    assert.match(r.headers.get('location'), /^\/v1\/reports\/[0-9a-f-]{36}$/);
  });

  it('takes a bare .keras body as application/octet-stream with settings in the query', async () => {
    const r = await srv.request('POST', '/v1/preflight?framework=tfjs&project=octet', {
      body: SEED_KERAS,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.framework, 'tfjs');
    assert.equal(r.body.framework_source, 'request');
    assert.deepEqual(r.body.labels, { project: 'octet' });
    assert.equal(r.body.verdict, 'pass');
  });

  it('takes a model JSON file as the model part', async () => {
    const r = await srv.request('POST', '/v1/preflight', {
      body: form([['model', Buffer.from(JSON.stringify(keras3Sequential())), 'model.json']]),
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.model.class, 'Sequential');
  });

  it('refuses a zip without config.json, a damaged zip, an unknown part, and a model given twice', async () => {
    let r = await srv.request('POST', '/v1/preflight', { body: form([['model', fixture('no-config.keras')]]) });
    assert.equal(r.status, 400);
    assert.equal(r.body.type, '/problems/invalid-request');
    assert.equal(r.body.pointer, '/model');
    assert.match(r.body.detail, /config\.json/);

    r = await srv.request('POST', '/v1/preflight', {
      body: Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 7)]),
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.pointer, '/model');

    r = await srv.request('POST', '/v1/preflight', { body: form([['weights', Buffer.from('x')]]) });
    assert.equal(r.status, 400);
    assert.equal(r.body.part, 'weights');

    r = await srv.request('POST', '/v1/preflight', {
      body: form([['request', JSON.stringify({ model: keras3Sequential() })], ['model', SEED_KERAS]]),
    });
    assert.equal(r.status, 400);
    assert.match(r.body.detail, /twice/);
  });

  it('refuses a part name that is not UTF-8 with a problem+json body', async () => {
    const boundary = 'XXBOUNDARYXX';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="x.`),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(`"\r\nContent-Type: application/octet-stream\r\n\r\nabc\r\n--${boundary}--\r\n`),
    ]);
    const r = await srv.request('POST', '/v1/preflight', {
      body,
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    });
    assert.equal(r.status, 400, r.text);
    assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
    assert.equal(r.body.type, '/problems/invalid-request');
    assert.match(r.body.detail, /UTF-8/);
  });

  it('reports malformed JSON in the request part with its line and column', async () => {
    const r = await srv.request('POST', '/v1/preflight', {
      body: form([['request', '{"data": \n {"x": ]}'], ['model', SEED_KERAS]]),
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.type, '/problems/invalid-json');
    assert.equal(r.body.line, 2);
    assert.equal(r.body.part, 'request');
  });

  it('answers 413 for a config.json that inflates past the body limit, without storing anything', async () => {
    const before = await srv.request('GET', '/v1/reports?limit=200');
    const r = await srv.request('POST', '/v1/preflight', {
      body: fixture('inflates-past-64k.keras'),
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    assert.equal(r.status, 413);
    const after = await srv.request('GET', '/v1/reports?limit=200');
    assert.equal(after.body.items.length, before.body.items.length);
  });
});

describe('POST /v1/models/inspect', () => {
  it('returns the model half for a .keras file without storing a report', async () => {
    const before = await srv.request('GET', '/v1/reports?limit=200');
    const r = await srv.request('POST', '/v1/models/inspect', {
      body: SEED_KERAS,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.verdict, 'pass');
    assert.equal(r.body.model.total_params, 7850);
    assert.deepEqual(r.body.model.layers.map((l) => l.output_shape), [[null, 28, 28], [null, 784], [null, 10]]);
    assert.deepEqual(r.body.model.outputs, [{ name: 'probs', shape: [null, 10] }]);
    assert.equal(r.body.model.weight_bytes, 7850 * 4);
    const after = await srv.request('GET', '/v1/reports?limit=200');
    assert.equal(after.body.items.length, before.body.items.length);
  });

  it('ignores data: a JSON body with wrong data still inspects only the model', async () => {
    const r = await srv.request('POST', '/v1/models/inspect', {
      json: { model: keras3Sequential(), data: { x: { shape: [100, 784] } } },
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(codes(r), []);
  });

  it('reports model-definition findings (a Reshape that cannot hold the input)', async () => {
    const model = keras3Sequential();
    model.config.layers.splice(1, 0, {
      module: 'keras.layers', class_name: 'Reshape', config: { name: 'bad', target_shape: [27, 27] }, registered_name: null,
    });
    const r = await srv.request('POST', '/v1/models/inspect', { json: { model } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.verdict, 'fail');
    assert.ok(codes(r).includes('RESHAPE_SIZE_MISMATCH'), r.text);
    const f = r.body.findings.find((x) => x.code === 'RESHAPE_SIZE_MISMATCH');
    assert.equal(f.location.layer, 'bad');
    assert.equal(f.location.pointer, '/model/config/layers/1');
  });

  it('answers 400 without a model and 405 for GET', async () => {
    let r = await srv.request('POST', '/v1/models/inspect', { json: {} });
    assert.equal(r.status, 400);
    assert.equal(r.body.pointer, '/model');
    r = await srv.request('GET', '/v1/models/inspect');
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'POST');
  });
});
