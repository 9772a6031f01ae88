// preflight() against a real fitcheckd, with real TF.js models and tensors. Where a case fails, the
// test also runs the real TF.js model.fit and checks that it fails too, with the text the report gives.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { ApiError, ConnectionError, FitcheckError, PreflightFailed, Report, getReport, preflight, preflightDataset } from '../src/index.js';
import {
  Server, convModel, denseModel, findingKeys, oneHot, realFit, recordingFetch, sparseLabels, tf, twoInputModel, uniform,
} from './helpers.mjs';

let server;
let url;
const N = 64;

before(async () => {
  server = await Server.start();
  url = server.url;
});
after(async () => {
  await server?.stop();
});

function codes(report) {
  return report.findings.map((f) => f.code);
}

describe('verdicts for real TF.js models', () => {
  it('dense 784 -> 10 softmax on flat images with float labels passes (and really trains)', async () => {
    const model = denseModel();
    const xs = uniform([N, 784]);
    const ys = sparseLabels(N, 10);
    const report = await preflight(model, xs, ys, { url, tf, batchSize: 32, epochs: 1, project: 'js-client', run: 'pass' });
    assert.ok(report instanceof Report);
    assert.equal(report.verdict, 'pass', report.toString());
    assert.deepEqual(report.findings, []);
    assert.equal(report.framework, 'tfjs');
    assert.equal(report.frameworkVersion, tf.version.tfjs);
    assert.equal(report.raw.release.source, 'request');
    assert.deepEqual(report.raw.labels, { project: 'js-client', run: 'pass' });
    assert.match(report.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    assert.equal(report.location, `/v1/reports/${report.id}`);
    assert.equal(report.raiseForErrors(), report);
    assert.equal((await realFit(model, xs, ys)).ok, true);
  });

  it('a small conv net on (n, 28, 28, 1) images with one-hot labels passes (and really trains)', async () => {
    const model = convModel();
    const xs = uniform([N, 28, 28, 1]);
    const ys = oneHot(N, 10);
    const report = await preflight(model, xs, ys, { url, batchSize: 16 });
    assert.equal(report.verdict, 'pass', report.toString());
    assert.equal(report.raw.model.total_params, model.countParams());
    assert.equal((await realFit(model, xs, ys, { batchSize: 16 })).ok, true);
  });

  it('x of shape (n, 28, 28) into a Dense expecting (null, 784) fails with the error TF.js fit raises', async () => {
    const model = denseModel();
    const xs = uniform([N, 28, 28]);
    const ys = sparseLabels(N, 10);
    const report = await preflight(model, xs, ys, { url, tf });
    assert.equal(report.verdict, 'fail');
    assert.deepEqual(codes(report), ['INPUT_RANK_MISMATCH']);
    const f = report.findings[0];
    assert.equal(f.location.pointer, '/data/x');
    assert.equal(f.location.input, model.inputNames[0]);
    const real = await realFit(model, xs, ys);
    assert.equal(real.ok, false);
    assert.equal(f.framework_error, real.error);
    assert.ok(f.fixes.some((x) => x.language === 'javascript' && x.code.includes('reshape([-1, 784])')), JSON.stringify(f.fixes));
    assert.throws(() => report.raiseForErrors(), (err) => err instanceof PreflightFailed && err.report === report &&
      err.message.includes('INPUT_RANK_MISMATCH'));
    const text = report.toString();
    for (const part of ['FAIL', 'INPUT_RANK_MISMATCH', '/data/x', f.explanation, f.fixes[0].summary]) assert.ok(text.includes(part), part);
  });

  it('a conv net fed (n, 28, 28) without the channel axis fails as TF.js does', async () => {
    const model = convModel();
    const xs = uniform([N, 28, 28]);
    const ys = oneHot(N, 10);
    const report = await preflight(model, xs, ys, { url });
    assert.equal(report.verdict, 'fail');
    assert.deepEqual(codes(report), ['INPUT_RANK_MISMATCH']);
    const real = await realFit(model, xs, ys);
    assert.equal(real.ok, false);
    assert.equal(report.findings[0].framework_error, real.error);
  });

  it('labels out of range for sparseCategoricalCrossentropy: the server\'s finding (TF.js trains on silently)', async () => {
    const model = denseModel();
    const xs = uniform([N, 784]);
    const ys = sparseLabels(N, 10, { shift: 1 }); // 1..10 for 10 classes
    const report = await preflight(model, xs, ys, { url, tf });
    assert.equal(report.verdict, 'fail');
    assert.deepEqual(codes(report), ['LABEL_OUT_OF_RANGE']);
    assert.match(report.findings[0].message, /1 to 10, outside \[0, 10\)/);
    assert.equal(report.findings[0].location.pointer, '/data/y');
    const real = await realFit(model, xs, ys);
    assert.equal(real.ok, true, 'TF.js raises nothing for out-of-range sparse labels');
    assert.match(report.findings[0].framework_error, /no error/);
  });

  it('int32 labels for the sparse loss fail in TF.js 4.22 fit, as the report says', async () => {
    const model = denseModel();
    const xs = uniform([N, 784]);
    const ys = sparseLabels(N, 10, { dtype: 'int32' });
    const report = await preflight(model, xs, ys, { url, tf });
    assert.deepEqual(codes(report), ['TFJS_SPARSE_INT_LABELS']);
    const real = await realFit(model, xs, ys);
    assert.equal(real.ok, false);
    assert.equal(report.findings[0].framework_error, real.error);
  });

  it('x and y with different sample counts fail as TF.js does', async () => {
    const model = denseModel();
    const xs = uniform([N, 784]);
    const ys = sparseLabels(N - 4, 10);
    const report = await preflight(model, xs, ys, { url, tf });
    assert.deepEqual(codes(report), ['SAMPLE_COUNT_MISMATCH']);
    const real = await realFit(model, xs, ys);
    assert.equal(real.ok, false);
    assert.equal(report.findings[0].framework_error, real.error);
  });

  it('a two-input model: an array of tensors and a {name: tensor} map pass; one tensor of two fails', async () => {
    const model = twoInputModel();
    const a = uniform([N, 8]);
    const b = uniform([N, 4], 2);
    const ys = tf.tensor(Array.from({ length: N }, (_, i) => i % 2), [N, 1]);
    const asList = await preflight(model, [a, b], ys, { url, tf });
    assert.equal(asList.verdict, 'pass', asList.toString());
    const asMap = await preflight(model, { a, b }, ys, { url, tf });
    assert.equal(asMap.verdict, 'pass', asMap.toString());
    assert.equal((await realFit(model, { a, b }, ys)).ok, true);
    const short = await preflight(model, [a], ys, { url, tf });
    assert.equal(short.verdict, 'fail');
    assert.deepEqual(codes(short), ['INPUT_COUNT_MISMATCH']);
    const real = await realFit(model, [a], ys);
    assert.equal(real.ok, false);
    // the report cuts TF.js's print of the tensors it got: the text up to there is TF.js's own
    const text = short.findings[0].framework_error;
    assert.ok(text.endsWith('…'), text);
    assert.ok(real.error.startsWith(text.slice(0, -1)), `${real.error}\n  does not start with\n${text}`);
  });
});

describe('local summaries agree with the server\'s own', () => {
  // Each case goes twice: with the stats computed here, and with the values for the server to
  // summarise. The findings (code, severity, pointer, message with its numbers) must be the same.
  const dense = (activation, units, inDim) => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units, activation, inputShape: [inDim] }));
    return m;
  };
  const cases = {
    pass: () => [denseModel(), uniform([N, 784]), sparseLabels(N, 10), {}, []],
    'labels out of range': () => [denseModel(), uniform([N, 784]), sparseLabels(N, 10, { shift: 1 }), {}, ['LABEL_OUT_OF_RANGE']],
    'one-hot labels for a sparse loss': () => [denseModel(), uniform([N, 784]), oneHot(N, 10), {}, ['LABELS_ONE_HOT_FOR_SPARSE']],
    'all-zero one-hot rows': () => [denseModel(), uniform([N, 784]), tf.concat([oneHot(N - 4, 10), tf.zeros([4, 10])]),
      { loss: 'categoricalCrossentropy' }, ['LABELS_EMPTY_ROWS']],
    'multi-hot rows': () => [dense('softmax', 10, 784), uniform([N, 784]), tf.concat([oneHot(N - 4, 10), tf.ones([4, 10])]),
      { loss: 'categoricalCrossentropy' }, ['LABELS_MULTI_HOT']],
    'NaN in x': () => [denseModel(), tf.tensor(Float32Array.from({ length: N * 784 }, (_, i) => (i % 97 === 0 ? NaN : (i % 13) / 13)), [N, 784]),
      sparseLabels(N, 10), {}, ['DATA_NOT_FINITE']],
    'binary labels out of [0, 1]': () => [dense('sigmoid', 1, 784), uniform([N, 784]), sparseLabels(N, 3).reshape([N, 1]),
      { loss: 'binaryCrossentropy' }, ['BINARY_LABELS_OUT_OF_RANGE']],
    'fractional sparse labels': () => [denseModel(), uniform([N, 784]), uniform([N], 2, 9), {}, ['LABELS_NOT_INTEGER']],
    'constant x': () => [denseModel(), tf.ones([N, 784]), sparseLabels(N, 10), {}, ['CONSTANT_DATA']],
    'unscaled data under plain SGD': () => [dense('linear', 1, 13), uniform([N, 13], 5, 1000, 100), uniform([N, 1], 6, 1000),
      { loss: 'meanSquaredError', optimizer: 'sgd' }, ['SGD_DIVERGES']],
    'string labels': () => [denseModel(), uniform([N, 784]), tf.tensor(Array.from({ length: N }, (_, i) => ['cat', 'dog'][i % 2])), {},
      ['LABELS_ARE_STRINGS']],
    'bool labels for a sigmoid': () => [dense('sigmoid', 1, 784), uniform([N, 784]), tf.tensor(Array.from({ length: N }, (_, i) => i % 2 === 0), [N, 1], 'bool'),
      { loss: 'binaryCrossentropy' }, []],
  };
  for (const [name, make] of Object.entries(cases)) {
    it(name, async () => {
      const [model, xs, ys, opts, expected] = make();
      const local = await preflight(model, xs, ys, { url, tf, ...opts });
      const remote = await preflight(model, xs, ys, { url, tf, ...opts, send: 'values' });
      assert.deepEqual(codes(local), expected, local.toString());
      assert.deepEqual(findingKeys(local), findingKeys(remote));
      assert.equal(local.verdict, remote.verdict);
    });
  }
});

describe('what the client sends', () => {
  it('the model.json of the model, framework tfjs and its version, compile from the model, fit in snake_case', async () => {
    const f = recordingFetch();
    const model = denseModel({ compile: false });
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: tf.train.sgd(0.05), metrics: ['accuracy'] });
    await preflight(model, uniform([N, 784]), sparseLabels(N, 10), {
      url, fetch: f, batchSize: 16, epochs: 3, validationSplit: 0.25, shuffle: true, project: 'p', run: 'r1',
    });
    const { body, headers } = f.sent[0];
    assert.equal(body.framework, 'tfjs');
    assert.equal(body.framework_version, '4.22.0', 'read from the topology\'s keras_version');
    assert.equal(body.model.format, 'layers-model');
    assert.deepEqual(body.model.modelTopology, model.toJSON(null, false));
    assert.deepEqual(body.compile, { loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'],
      optimizer: { class_name: 'SGD', config: { learning_rate: 0.05 } } });
    assert.deepEqual(body.fit, { batch_size: 16, epochs: 3, validation_split: 0.25, shuffle: true });
    assert.deepEqual(body.labels, { project: 'p', run: 'r1' });
    assert.equal(body.data.x.container, 'tf.Tensor');
    assert.deepEqual(body.data.x.shape, [N, 784]);
    assert.equal(headers.Authorization, undefined);
  });

  it('a loss function is sent by name (tf.losses.meanSquaredError, a named custom loss); opts.loss wins', async () => {
    const f = recordingFetch();
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 1, inputShape: [3] }));
    model.compile({ loss: tf.losses.meanSquaredError, optimizer: 'adam' });
    const xs = uniform([N, 3]);
    const ys = uniform([N, 1]);
    await preflight(model, xs, ys, { url, fetch: f });
    assert.equal(f.sent[0].body.compile.loss, 'meanSquaredError');
    assert.equal(f.sent[0].body.compile.optimizer.class_name, 'Adam');
    assert.equal(f.sent[0].body.compile.optimizer.config.learning_rate, 0.001);
    function huber(yt, yp) { return tf.losses.huberLoss(yt, yp); }
    await preflight(model, xs, ys, { url, fetch: f, loss: huber });
    assert.equal(f.sent[1].body.compile.loss, 'huber');
    await preflight(model, xs, ys, { url, fetch: f, loss: ['meanAbsoluteError'] });
    assert.deepEqual(f.sent[2].body.compile.loss, ['meanAbsoluteError']);
  });

  it('validationData goes as data.validation and is checked like the training arrays', async () => {
    const f = recordingFetch();
    const report = await preflight(denseModel(), uniform([N, 784]), sparseLabels(N, 10),
      { url, fetch: f, validationData: [uniform([16, 28, 28]), sparseLabels(16, 10)] });
    assert.deepEqual(f.sent[0].body.data.validation.x.shape, [16, 28, 28]);
    assert.equal(report.verdict, 'fail');
    assert.ok(report.findings.some((x) => x.location.pointer.startsWith('/data/validation/x')), report.toString());
  });

  it('plain JS arrays are described as what they are: container list, float32 as tf.tensor makes them', async () => {
    const f = recordingFetch();
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] }));
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam' });
    const xs = Array.from({ length: 8 }, (_, i) => [0.1 * i, 0.2, 0.3, 0.4]);
    const ys = [0, 1, 2, 0, 1, 2, 0, 1];
    const report = await preflight(model, xs, ys, { url, fetch: f });
    const { x, y } = f.sent[0].body.data;
    assert.deepEqual([x.shape, x.dtype, x.container], [[8, 4], 'float32', 'list']);
    assert.deepEqual([y.shape, y.dtype, y.container], [[8], 'float32', 'list']);
    assert.equal(y.stats.max, 2);
    assert.ok(report.id);
  });

  it('TF.js fit refuses plain arrays, and the report says so with the error fit throws', async () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] }));
    model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam' });
    const xs = Array.from({ length: 8 }, () => [0.1, 0.2, 0.3, 0.4]);
    const ys = [0, 1, 2, 0, 1, 2, 0, 1];
    const real = await realFit(model, xs, ys);
    assert.equal(real.ok, false);
    assert.match(real.error, /Array of Tensors/);
    const report = await preflight(model, xs, ys, { url });
    assert.equal(report.verdict, 'fail', 'TF.js fit throws: ' + real.error);
    const f = report.findings.find((x) => x.code === 'LIST_NOT_ACCEPTED');
    assert.ok(f, report.toString());
    const [head] = f.framework_error.split('\u2026');
    assert.ok(real.error.startsWith(head), `${real.error}\n !~ ${f.framework_error}`);
  });
});

describe('model forms', () => {
  it('a LayersModel, its model.json parsed, as text, as a path, a file: URL and an http URL give the same report', async () => {
    const model = convModel();
    const xs = uniform([8, 28, 28]);
    const ys = oneHot(8, 10);
    const f = recordingFetch();
    const first = await preflight(model, xs, ys, { url, fetch: f });
    const modelJson = f.sent[0].body.model;
    const file = path.join(server.dir, 'model.json');
    await writeFile(file, JSON.stringify(modelJson));
    const site = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(modelJson));
    });
    await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
    try {
      const forms = [modelJson, JSON.stringify(modelJson), file, pathToFileURL(file), `http://127.0.0.1:${site.address().port}/model.json`];
      for (const form of forms) {
        const r = await preflight(form, xs, ys, { url });
        assert.equal(r.raw.model_id, first.raw.model_id, String(form).slice(0, 80));
        assert.deepEqual(findingKeys(r), findingKeys(first));
      }
    } finally {
      site.close();
    }
    // a bare topology (model.toJSON(null, false)) is accepted too
    const bare = await preflight(model.toJSON(null, false), xs, ys, { url });
    assert.deepEqual(codes(bare), codes(first));
  });
});

describe('fitDataset', () => {
  const xs = uniform([100, 784]);
  const ys = sparseLabels(100, 10);
  const dataset = () => tf.data.zip({ xs: tf.data.array(xs.unstack()), ys: tf.data.array(ys.unstack()) }).batch(16);

  it('a finite batched dataset passes; its element is described as tf.data.Dataset batches', async () => {
    const f = recordingFetch();
    const report = await preflightDataset(denseModel(), dataset(), { url, fetch: f, epochs: 2 });
    assert.equal(report.verdict, 'pass', report.toString());
    const { x, y } = f.sent[0].body.data;
    assert.deepEqual([x.container, x.shape, x.batch_size, x.cardinality], ['tf.data.Dataset', [16, 784], 16, 7]);
    assert.deepEqual([y.container, y.shape], ['tf.data.Dataset', [16]]);
    assert.equal(f.sent[0].body.fit.batch_size, undefined);
  });

  it('repeat() without batchesPerEpoch is flagged; with it, passes', async () => {
    const endless = await preflightDataset(denseModel(), dataset().repeat(), { url, epochs: 2 });
    assert.deepEqual(codes(endless), ['STREAM_STEPS_REQUIRED']);
    const bounded = await preflightDataset(denseModel(), dataset().repeat(), { url, epochs: 2, batchesPerEpoch: 5 });
    assert.equal(bounded.verdict, 'pass', bounded.toString());
  });

  it('labels out of range in the first batch are found', async () => {
    const bad = tf.data.zip({ xs: tf.data.array(xs.unstack()), ys: tf.data.array(ys.add(1).unstack()) }).batch(16);
    const report = await preflightDataset(denseModel(), bad, { url });
    assert.deepEqual(codes(report), ['LABEL_OUT_OF_RANGE']);
  });
});

describe('errors and settings', () => {
  it('a malformed model is an ApiError with the problem+json body', async () => {
    const err = await preflight({ modelTopology: { class_name: 'Sequential', config: 7 } }, null, null, { url })
      .then(() => null, (e) => e);
    assert.ok(err instanceof ApiError && err instanceof FitcheckError, String(err));
    assert.equal(err.status, 400);
    assert.equal(err.type, '/problems/invalid-request');
    assert.equal(err.title, 'Invalid request');
    assert.ok(err.detail.length > 0);
    assert.equal(err.pointer, err.body.pointer);
    assert.ok(err.pointer.startsWith('/model'));
    assert.equal(err.body.status, 400);
  });

  it('a framework_version that is no TF.js release is an ApiError naming the field', async () => {
    const err = await preflight(denseModel(), null, null, { url, frameworkVersion: '5.0.0' }).then(() => null, (e) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.pointer, '/framework_version');
  });

  it('a closed port is a ConnectionError with the URL', async () => {
    const probe = http.createServer();
    await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = probe.address().port;
    await new Promise((resolve) => probe.close(resolve));
    const base = `http://127.0.0.1:${port}`;
    const err = await preflight(denseModel(), uniform([4, 784]), sparseLabels(4, 10), { url: base }).then(() => null, (e) => e);
    assert.ok(err instanceof ConnectionError && err instanceof FitcheckError, String(err));
    assert.equal(err.url, `${base}/v1/preflight`);
    assert.match(err.message, /ECONNREFUSED/);
  });

  it('FITCHECK_URL is the default server; getReport reads a stored report back', async () => {
    const saved = process.env.FITCHECK_URL;
    process.env.FITCHECK_URL = url;
    try {
      const report = await preflight(denseModel(), uniform([N, 28, 28]), sparseLabels(N, 10));
      const again = await getReport(report.id);
      assert.deepEqual(again.raw, report.raw);
      const missing = await getReport('019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b').then(() => null, (e) => e);
      assert.ok(missing instanceof ApiError);
      assert.equal(missing.status, 404);
    } finally {
      if (saved === undefined) delete process.env.FITCHECK_URL;
      else process.env.FITCHECK_URL = saved;
    }
  });
});
