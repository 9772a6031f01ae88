// POST /v1/preflight: the seed case, the findings, request validation (400),
// body limits (413) and media types (415).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { checkSchema } from './lib/contract.mjs';
import {
  SEED_MODELS,
  failingRequest,
  keras3Functional,
  mnistRequest,
  passingRequest,
  reportProblems,
  tensor,
} from './lib/fixtures.mjs';
import { DEFAULT_MAX_BODY, FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

const RESHAPE_FIX = 'x = x.reshape(-1, 28, 28)';

let dir;
let srv;

before(async () => {
  dir = await makeTempDir('fitcheck-preflight');
  srv = await FitcheckServer.start({ db: path.join(dir, 'fitcheck.db'), maxBody: DEFAULT_MAX_BODY });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

/** POSTs a body (object → JSON) and asserts 201 + Location + a consistent report. */
async function create(payload, headers) {
  const r = await srv.request('POST', '/v1/preflight', { body: JSON.stringify(payload), headers: { 'Content-Type': 'application/json', ...headers } });
  assert.equal(r.status, 201, `expected 201, got ${r.status}: ${r.text}`);
  assert.equal(r.headers.get('location'), `/v1/reports/${r.body.id}`);
  assert.deepEqual(reportProblems(r.body), [], 'report is internally consistent');
  return r.body;
}

async function postRaw(body, contentType = 'application/json', extra = {}) {
  const headers = contentType === null ? {} : { 'Content-Type': contentType };
  return srv.request('POST', '/v1/preflight', { body, headers, ...extra });
}

function findingsWith(report, code) {
  return report.findings.filter((f) => f.code === code);
}

// ---------------------------------------------------------------- seed case

describe('seed case: Input(shape=(28, 28))', () => {
  for (const [label, build, framework, inputName] of SEED_MODELS) {
    it(`${label}: x [100, 784] fails with INPUT_RANK_MISMATCH and the reshape fix`, async () => {
      const payload = { model: build(), data: { x: { shape: [100, 784], dtype: 'float32' } } };
      assert.ok(checkSchema('PreflightRequest', payload).valid);
      const report = await create(payload);

      assert.equal(report.verdict, 'fail');
      const rank = findingsWith(report, 'INPUT_RANK_MISMATCH');
      assert.equal(rank.length, 1, `one INPUT_RANK_MISMATCH finding, got ${JSON.stringify(report.findings.map((f) => f.code))}`);
      const [finding] = rank;
      assert.equal(finding.severity, 'error');
      assert.ok(
        finding.fixes.some((fix) => fix.code === RESHAPE_FIX),
        `a fix with code ${JSON.stringify(RESHAPE_FIX)}; fixes: ${JSON.stringify(finding.fixes)}`,
      );
      assert.ok(finding.location.pointer.startsWith('/data/x'), `location.pointer ${finding.location.pointer}`);
      if ('input' in finding.location) assert.equal(finding.location.input, inputName);
      assert.ok(report.counts.error >= 1);

      assert.equal(report.framework, framework);
      assert.equal(report.framework_source, 'detected');
      assert.deepEqual(report.model.inputs, [{ name: inputName, shape: [null, 28, 28], dtype: 'float32' }]);
      // Output shapes need shape inference through the layers; null (unknown) is allowed.
      assert.equal(report.model.outputs.length, 1);
      assert.equal(report.model.outputs[0].name, 'dense');
      if (report.model.outputs[0].shape !== null) assert.deepEqual(report.model.outputs[0].shape, [null, 10]);
      const dense = report.model.layers.find((l) => l.name === 'dense');
      assert.ok(dense, `layers: ${JSON.stringify(report.model.layers)}`);
      assert.equal(dense.class, 'Dense');
      assert.deepEqual(dense.inbound, ['flatten']);
      assert.equal(report.model.class, label.endsWith('Sequential') ? 'Sequential' : 'Functional');
      assert.deepEqual(report.labels, {});
    });

    it(`${label}: x [100, 28, 28] passes with no error findings`, async () => {
      const report = await create({ model: build(), data: { x: { shape: [100, 28, 28], dtype: 'float32' } } });
      assert.equal(report.verdict, 'pass', `findings: ${JSON.stringify(report.findings)}`);
      assert.equal(report.findings.filter((f) => f.severity === 'error').length, 0);
      assert.equal(report.counts.error, 0);
      assert.equal(findingsWith(report, 'INPUT_RANK_MISMATCH').length, 0);
    });
  }

  it('a complete fit call (x, y, compile, fit) with matching shapes passes', async () => {
    const report = await create(passingRequest());
    assert.equal(report.verdict, 'pass', `findings: ${JSON.stringify(report.findings)}`);
  });

  it('accepts the model as a JSON string, with the same result', async () => {
    const asObject = await create({ model: keras3Functional(), data: { x: tensor([100, 784]) } });
    const asString = await create({ model: JSON.stringify(keras3Functional()), data: { x: tensor([100, 784]) } });
    assert.equal(asString.verdict, 'fail');
    assert.deepEqual(asString.findings, asObject.findings);
    assert.deepEqual(asString.model, asObject.model);
    assert.equal(asString.framework, asObject.framework);
  });
});

// ------------------------------------------------------------------ reports

describe('POST /v1/preflight report', () => {
  it('is stored: GET /v1/reports/{id} returns exactly the same report, HEAD answers 200', async () => {
    const report = await create(failingRequest({ labels: { project: 'stored', run: 'r1' } }));
    assert.deepEqual(report.labels, { project: 'stored', run: 'r1' });
    const got = await srv.request('GET', `/v1/reports/${report.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, report);
    const head = await srv.request('HEAD', `/v1/reports/${report.id}`);
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
  });

  it('stores labels other than project and run as given', async () => {
    const labels = { project: 'p', run: 'r', team: 'vision', 'a/b': 'c' };
    const report = await create(passingRequest({ labels }));
    assert.deepEqual(report.labels, labels);
  });

  it('uses the framework and framework_version given in the request', async () => {
    const releases = [
      ['keras3', '3.6.0', '3.6.0', 'Keras 3.6.0'],
      ['keras3', 'keras_core==0.1.7', '0.1.7', 'keras_core 0.1.7 (the preview of Keras 3)'],
      ['tf.keras2', '2.2.4', '2.2.4', 'standalone Keras 2.2.4'],
      ['tf.keras2', 'tensorflow 2.3', '2.4.0', 'tf.keras 2.4.0 (TensorFlow 2.3)'],
      ['tf.keras2', '2.2.4-tf', '2.2.4-tf', 'tf.keras 2.2.4-tf (TensorFlow 1.13-2.1)'],
      ['tfjs', '@tensorflow/tfjs@1.7.4', '1.7.4', 'TF.js 1.7.4'],
    ];
    for (const [framework, given, version, description] of releases) {
      const report = await create(passingRequest({ framework, framework_version: given }));
      assert.equal(report.framework, framework);
      assert.equal(report.framework_source, 'request');
      assert.equal(report.framework_version, version);
      assert.deepEqual(report.release, { version, source: 'request', description, newer: false });
    }
  });

  it('answers a framework_version that names no release of the target with a 400 naming the field', async () => {
    const bad = [
      ['keras3', '9.8.7'], ['keras3', '3.0.9'], ['keras3', '2.15.0'], ['tf.keras2', '2.2.7'],
      ['tf.keras2', '3.5.0'], ['tf.keras2', '1.2.2'], ['tf.keras2', '2.5.0-tf'], ['tfjs', '0.15.3'],
      ['tfjs', '1.1.1'], ['tfjs', '2.15.0'], ['tfjs', 'latest'],
    ];
    for (const [framework, framework_version] of bad) {
      const r = await postRaw(JSON.stringify(passingRequest({ framework, framework_version })));
      assert.equal(r.status, 400, `${framework} ${framework_version}: ${r.text}`);
      assert.equal(r.body.type, '/problems/invalid-request');
      assert.equal(r.body.pointer, '/framework_version');
      assert.match(r.body.detail, /framework_version/);
    }
  });

  it('takes the release from the descriptor when the request names none, else assumes the newest', async () => {
    const fromDescriptor = await create(passingRequest({ framework: 'tf.keras2' }));
    assert.equal(fromDescriptor.release.source, fromDescriptor.framework_version ? 'descriptor' : 'assumed');
    const assumed = await create(passingRequest({ framework: 'tfjs' }));
    assert.equal(assumed.framework_version, null);
    assert.equal(assumed.release.source, 'assumed');
    assert.match(assumed.release.description, /^TF\.js 4\.22\.0 /);
  });

  it('gives new ids, increasing, and created_at in UTC milliseconds', async () => {
    const a = await create(passingRequest());
    const b = await create(passingRequest());
    assert.notEqual(a.id, b.id);
    assert.ok(b.id > a.id, `${b.id} > ${a.id}`);
    assert.ok(Date.parse(b.created_at) >= Date.parse(a.created_at));
    assert.ok(Math.abs(Date.parse(a.created_at) - Date.now()) < 60_000, `created_at ${a.created_at} is now`);
  });

  it('gives equal request_digest for equal bodies and different for different ones', async () => {
    const a = await create(failingRequest());
    const b = await create(failingRequest());
    const c = await create(passingRequest());
    assert.equal(a.request_digest, b.request_digest);
    assert.notEqual(a.request_digest, c.request_digest);
  });

  it('accepts Content-Type: application/json; charset=utf-8', async () => {
    const report = await create(passingRequest(), { 'Content-Type': 'application/json; charset=utf-8' });
    assert.equal(report.verdict, 'pass');
  });

  it('ignores unknown top-level members', async () => {
    const report = await create({ ...passingRequest(), client: { name: 'notebook', version: 3 }, extra: [1, 2] });
    assert.equal(report.verdict, 'pass');
  });
});

// ----------------------------------------------------------------- findings

describe('findings', () => {
  const cases = [
    ['INPUT_SHAPE_MISMATCH', mnistRequest({ x: [100, 28, 27], y: [100] })],
    ['INPUT_COUNT_MISMATCH', { ...mnistRequest({ y: [100] }), data: { x: [tensor([100, 28, 28]), tensor([100, 28, 28])], y: tensor([100], 'uint8') } }],
    ['INPUT_NAME_UNKNOWN', { ...mnistRequest({ y: [100] }), data: { x: { pixels: tensor([100, 28, 28]) }, y: tensor([100], 'uint8') } }],
    ['SAMPLE_COUNT_MISMATCH', mnistRequest({ x: [100, 28, 28], y: [90] })],
  ];
  for (const [code, payload] of cases) {
    it(`${code} is reported`, async () => {
      assert.ok(checkSchema('PreflightRequest', payload).valid, checkSchema('PreflightRequest', payload).message);
      const report = await create(payload);
      const hits = findingsWith(report, code);
      assert.ok(hits.length >= 1, `expected ${code}, got ${JSON.stringify(report.findings.map((f) => [f.code, f.severity]))}`);
      assert.notEqual(report.verdict, 'pass');
      for (const f of hits) assert.ok(f.location.pointer.startsWith('/data'), `${code} location.pointer ${f.location.pointer}`);
    });
  }
});

// ------------------------------------------------------------------ 400 JSON

describe('400 /problems/invalid-json', () => {
  const cases = [
    ['a syntax error on line 2', '{\n  "model": {,\n}', 2],
    ['a truncated body', '{"model": {"class_name": "Functional"', 1],
    ['an empty body', '', 1],
    ['a bare word', 'nul', 1],
    ['trailing garbage', '{"model": {}} x', 1],
  ];
  for (const [label, body, line] of cases) {
    it(`${label} gives line and column`, async () => {
      const r = await postRaw(body);
      assert.equal(r.status, 400);
      assert.equal(r.body.type, '/problems/invalid-json');
      assert.equal(r.body.line, line);
      assert.ok(Number.isInteger(r.body.column));
      assert.ok(
        r.body.detail.includes(`line ${r.body.line}, column ${r.body.column}`),
        `detail ${JSON.stringify(r.body.detail)} mentions line ${r.body.line}, column ${r.body.column}`,
      );
    });
  }
});

// --------------------------------------------------------------- 400 shape

describe('400 /problems/invalid-request', () => {
  it('keeps a detail that quotes a long non-ASCII name valid UTF-8 (cut on a character boundary)', async () => {
    const r = await postRaw(JSON.stringify({ model: { class_name: 'a' + '\u00e9'.repeat(600), config: {} } }));
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.type, '/problems/invalid-request');
    assert.equal(r.body.pointer, '/model');
    assert.match(r.body.detail, /^model class 'a\u00e9+/);
    assert.ok(!r.body.detail.includes('\ufffd'), 'no replacement character: the cut falls between characters');
  });

  const model = keras3Functional();
  const ok = { model, data: { x: tensor([100, 28, 28]) } };
  const cases = [
    ['the body is an array', [], ''],
    ['the body is a number', 123, ''],
    ['the body is a string', 'model', ''],
    ['the body is null', null, ''],
    ['model is missing', {}, '/model'],
    ['model is missing (other members present)', { data: ok.data }, '/model'],
    ['model is a number', { model: 42 }, '/model'],
    ['model is null', { model: null }, '/model'],
    ['framework is not in the enum', { ...ok, framework: 'pytorch' }, '/framework'],
    ['framework is a number', { ...ok, framework: 3 }, '/framework'],
    ['framework_version is a number', { ...ok, framework_version: 2.15 }, '/framework_version'],
    ['data is an array', { model, data: [] }, '/data'],
    ['data.x is a string', { model, data: { x: 'abc' } }, '/data/x'],
    ['data.x is a number', { model, data: { x: 5 } }, '/data/x'],
    ['data.x.shape has a negative entry', { model, data: { x: { shape: [100, -1] } } }, '/data/x/shape/1'],
    ['data.x.shape has a fraction', { model, data: { x: { shape: [100, 1.5] } } }, '/data/x/shape/1'],
    ['data.x.shape has a string', { model, data: { x: { shape: ['100', 28] } } }, '/data/x/shape/0'],
    ['data.x.shape is not an array', { model, data: { x: { shape: '100x28' } } }, '/data/x/shape'],
    ['data.x.dtype is a number', { model, data: { x: { shape: [100, 28, 28], dtype: 32 } } }, '/data/x/dtype'],
    ['data.x list entry has a bad shape', { model, data: { x: [tensor([100, 28, 28]), { shape: [1, -2] }] } }, '/data/x/1/shape/1'],
    ['data.x map entry has a bad shape', { model, data: { x: { input_layer: { shape: [1, -2] } } } }, '/data/x/input_layer/shape/1'],
    ['data.y.shape has a negative entry', { model, data: { x: tensor([100, 28, 28]), y: { shape: [-3] } } }, '/data/y/shape/0'],
    ['compile is a string', { ...ok, compile: 'adam' }, '/compile'],
    ['fit.batch_size is 0', { ...ok, fit: { batch_size: 0 } }, '/fit/batch_size'],
    ['fit.epochs is a string', { ...ok, fit: { epochs: '5' } }, '/fit/epochs'],
    ['fit.validation_split is above 1', { ...ok, fit: { validation_split: 1.5 } }, '/fit/validation_split'],
    ['fit.steps_per_epoch is a string', { ...ok, fit: { steps_per_epoch: 'all' } }, '/fit/steps_per_epoch'],
    ['environment.host_memory_bytes is a string', { ...ok, environment: { host_memory_bytes: 'lots' } }, '/environment/host_memory_bytes'],
    ['environment.device is not a preset', { ...ok, environment: { device: 'TPU-v9' } }, '/environment/device'],
    ['labels.project is longer than 200 characters', { ...ok, labels: { project: 'p'.repeat(201) } }, '/labels/project'],
    ['labels.run is a number', { ...ok, labels: { run: 5 } }, '/labels/run'],
  ];
  for (const [label, payload, ptr] of cases) {
    it(`${label} → pointer ${JSON.stringify(ptr)}`, async () => {
      assert.equal(checkSchema('PreflightRequest', payload).valid, false, 'openapi.yaml also rejects this body');
      const r = await postRaw(JSON.stringify(payload));
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.type, '/problems/invalid-request');
      assert.equal(r.body.pointer, ptr);
    });
  }

  it('a model string that is not JSON is a 400', async () => {
    const r = await postRaw(JSON.stringify({ model: '{"class_name": ' }));
    assert.equal(r.status, 400, r.text);
    if (r.body.type === '/problems/invalid-request') assert.equal(r.body.pointer, '/model');
  });

  it('labels.project of exactly 200 characters is accepted', async () => {
    const report = await create({ ...ok, labels: { project: 'p'.repeat(200) } });
    assert.equal(report.labels.project.length, 200);
  });

  it('labels.project of 200 non-ASCII characters is accepted (the limit counts characters)', async () => {
    const project = '\u00e9'.repeat(200); // 400 bytes of UTF-8
    assert.ok(checkSchema('PreflightRequest', { ...ok, labels: { project } }).valid);
    const report = await create({ ...ok, labels: { project } });
    assert.equal(report.labels.project, project);
  });

  it('a tensor shape with no axes is refused', async () => {
    const payload = { model, data: { x: { shape: [] } } };
    assert.equal(checkSchema('PreflightRequest', payload).valid, false);
    const r = await postRaw(JSON.stringify(payload));
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.type, '/problems/invalid-request');
    assert.ok(r.body.pointer.startsWith('/data/x/shape'), r.body.pointer);
  });
});

// ---------------------------------------------------------------------- 413

/** A JSON body of exactly n bytes: a valid request padded with an ignored member. */
function bodyOfSize(n) {
  const base = JSON.stringify({ ...passingRequest(), padding: '' });
  assert.ok(n >= base.length, `cannot build a ${n}-byte body`);
  const out = base.slice(0, -2) + 'a'.repeat(n - base.length) + '"}';
  assert.equal(Buffer.byteLength(out), n);
  return out;
}

describe('413 /problems/payload-too-large', () => {
  it('refuses a 100 KB body sent with Content-Length', async () => {
    const r = await postRaw(bodyOfSize(100 * 1024));
    assert.equal(r.status, 413);
    assert.equal(r.body.type, '/problems/payload-too-large');
  });

  it('refuses a 100 KB body sent chunked', async () => {
    const body = Buffer.from(bodyOfSize(100 * 1024));
    const chunk = 8192;
    let offset = 0;
    const stream = new ReadableStream({
      pull(controller) {
        if (offset >= body.length) {
          controller.close();
          return;
        }
        controller.enqueue(new Uint8Array(body.subarray(offset, offset + chunk)));
        offset += chunk;
      },
    });
    const r = await postRaw(stream, 'application/json', { duplex: 'half' });
    assert.equal(r.status, 413);
    assert.equal(r.body.type, '/problems/payload-too-large');
  });

  it(`accepts a body of exactly --max-body (${DEFAULT_MAX_BODY}) bytes and refuses one byte more`, async () => {
    const at = await postRaw(bodyOfSize(DEFAULT_MAX_BODY));
    assert.equal(at.status, 201, at.text);
    const over = await postRaw(bodyOfSize(DEFAULT_MAX_BODY + 1));
    assert.equal(over.status, 413);
  });

  it('still serves requests afterwards', async () => {
    const r = await srv.request('GET', '/healthz');
    assert.equal(r.status, 200);
  });
});

// ---------------------------------------------------------------------- 415

describe('415 /problems/unsupported-media-type', () => {
  const json = JSON.stringify(passingRequest());
  it('refuses Content-Type: text/plain', async () => {
    const r = await postRaw(json, 'text/plain');
    assert.equal(r.status, 415);
    assert.equal(r.body.type, '/problems/unsupported-media-type');
  });

  it('refuses a body without Content-Type', async () => {
    const r = await postRaw(new TextEncoder().encode(json), null);
    assert.equal(r.status, 415);
    assert.equal(r.body.type, '/problems/unsupported-media-type');
  });

  it('refuses application/x-www-form-urlencoded', async () => {
    const r = await postRaw(json, 'application/x-www-form-urlencoded');
    assert.equal(r.status, 415);
  });
});

// ---------------------------------------------------------------------- 405

describe('405 on /v1/preflight', () => {
  it('DELETE /v1/preflight is 405 with Allow: POST', async () => {
    const r = await srv.request('DELETE', '/v1/preflight');
    assert.equal(r.status, 405);
    assert.equal(r.body.type, '/problems/method-not-allowed');
    assert.equal(r.headers.get('allow'), 'POST');
  });
});

describe('shutdown', () => {
  it('exits with code 0 on SIGTERM', async () => {
    await srv.stopCleanly();
  });
});
