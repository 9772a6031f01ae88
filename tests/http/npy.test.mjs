// Dataset samples as NumPy .npy parts of a multipart/form-data POST /v1/preflight:
// x, y, x.<input>, validation.x, ... become tensor headers with stats computed
// while the body streams in. The findings must match what the same request
// with JSON headers (and the same stats) gives. Errors: truncated data,
// structured dtypes, mixed forms, a part given twice (400); --max-upload (413).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { keras3Functional, keras3Sequential } from './lib/fixtures.mjs';
import { npy } from './lib/npy.mjs';
import { DEFAULT_MAX_BODY, FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

const SMALL_UPLOAD = 100_000;

let dir;
let srv; // --max-body 65536, default --max-upload
let small; // --max-upload 200000

before(async () => {
  dir = await makeTempDir('fitcheck-npy');
  [srv, small] = await Promise.all([
    FitcheckServer.start({ db: path.join(dir, 'a.db'), maxBody: DEFAULT_MAX_BODY }),
    FitcheckServer.start({ db: path.join(dir, 'b.db'), extraArgs: ['--max-upload', String(SMALL_UPLOAD)] }),
  ]);
});

after(async () => {
  await Promise.all([srv?.stop(), small?.stop()]);
  await removeTempDir(dir);
});

// ------------------------------------------------------------------ helpers

/** What the server computes for these values: min/max over finite, NaN/Inf counts, distinct up to 256. */
function statsOf(values) {
  let min = Infinity;
  let max = -Infinity;
  let nan = 0;
  let inf = 0;
  const distinct = new Set();
  for (const raw of values) {
    const v = Number(raw);
    if (Number.isNaN(v)) nan++;
    else if (!Number.isFinite(v)) inf++;
    else {
      min = Math.min(min, v);
      max = Math.max(max, v);
      distinct.add(v === 0 ? 0 : v);
    }
  }
  const stats = { nan_count: nan, inf_count: inf };
  if (min <= max) Object.assign(stats, { min, max });
  if (distinct.size <= 256) {
    stats.distinct = [...distinct].sort((a, b) => a - b);
    stats.distinct_count = distinct.size;
  } else {
    stats.distinct_count = null;
  }
  return { ...stats, source: 'npy' };
}

/** The tensor header the server should derive from a typed array. */
function header(shape, dtype, values) {
  return { shape, dtype, stats: statsOf(values) };
}

function form(parts) {
  const fd = new FormData();
  for (const [name, value] of parts) {
    if (typeof value === 'string') fd.append(name, value);
    else fd.append(name, new Blob([value]), `${name}.npy`);
  }
  return fd;
}

const codes = (r) => r.body.findings.map((f) => f.code);

async function postForm(server, parts) {
  return server.request('POST', '/v1/preflight', { body: form(parts) });
}

async function postJson(request) {
  const r = await srv.request('POST', '/v1/preflight', { json: request });
  assert.equal(r.status, 201, r.text);
  return r;
}

/** A multipart body built by hand: [name, Buffer | string] parts. */
function multipartParts(boundary, parts) {
  const out = [];
  for (const [name, value] of parts) {
    const file = typeof value === 'string' ? '' : `; filename="${name}.npy"`;
    const type = typeof value === 'string' ? '' : 'Content-Type: application/octet-stream\r\n';
    out.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file}\r\n${type}\r\n`));
    out.push(typeof value === 'string' ? Buffer.from(value) : value);
    out.push(Buffer.from('\r\n'));
  }
  out.push(Buffer.from(`--${boundary}--\r\n`));
  return out;
}

/** A chunked (no Content-Length) body from an async generator of Buffers. */
function streamOf(gen) {
  const it = gen[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      const { value, done } = await it.next();
      if (done) controller.close();
      else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    },
  });
}

// Training data: 64 MNIST-like images with one NaN, labels 0..10 for a 10-unit softmax.
const N = 64;
const xValues = new Float32Array(N * 28 * 28).map((_, i) => ((i * 7) % 256) / 255);
xValues[5] = NaN;
xValues[6] = -Infinity;
const yValues = new BigInt64Array(N).map((_, i) => BigInt(i % 11));
const X_NPY = npy('<f4', [N, 28, 28], xValues);
const Y_NPY = npy('<i8', [N], yValues);
const X_HEADER = header([N, 28, 28], 'float32', xValues);
const Y_HEADER = header([N], 'int64', yValues);
const COMPILE = { loss: 'sparse_categorical_crossentropy' };

// ------------------------------------------------------------------- 201s

describe('.npy parts become tensor headers', () => {
  it('x and y as .npy parts give the findings of the same request with JSON headers', async () => {
    const base = { model: keras3Sequential(), compile: COMPILE, labels: { project: 'npy' } };
    const r = await postForm(srv, [['request', JSON.stringify(base)], ['x', X_NPY], ['y', Y_NPY]]);
    assert.equal(r.status, 201, r.text);
    const json = await postJson({ ...base, data: { x: X_HEADER, y: Y_HEADER } });
    assert.deepEqual(codes(r), codes(json));
    // The stats reached the core: the NaN/Inf and the label 10 are found.
    assert.ok(codes(r).includes('DATA_NOT_FINITE'), r.text);
    assert.ok(codes(r).includes('LABEL_OUT_OF_RANGE'), r.text);
    assert.deepEqual(r.body.labels, { project: 'npy' });
    assert.match(r.body.request_digest, /^sha256:[0-9a-f]{64}$/);
  });

  it('reads big-endian, Fortran-order, version 2.0 files like the same data little-endian', async () => {
    const be = Buffer.from(xValues.buffer.slice(0));
    for (let i = 0; i < be.length; i += 4) be.subarray(i, i + 4).reverse();
    const xBig = npy('>f4', [N, 28, 28], new Uint8Array(be), { fortran: true, major: 2 });
    const base = { model: keras3Sequential(), compile: COMPILE };
    const a = await postForm(srv, [['request', JSON.stringify(base)], ['x', xBig], ['y', Y_NPY]]);
    const b = await postForm(srv, [['request', JSON.stringify(base)], ['x', X_NPY], ['y', Y_NPY]]);
    assert.equal(a.status, 201, a.text);
    assert.deepEqual(codes(a), codes(b));
  });

  it('puts x.<input> parts into a dict keyed by input name, and takes the model as a part', async () => {
    const clean = new Float32Array(N * 28 * 28).map((_, i) => (i % 10) / 10);
    const labels = new Uint8Array(N).map((_, i) => i % 10);
    const r = await postForm(srv, [
      ['request', JSON.stringify({ compile: COMPILE })],
      ['model', Buffer.from(JSON.stringify(keras3Functional()))],
      ['x.input_layer', npy('<f4', [N, 28, 28], clean)],
      ['y', npy('|u1', [N], labels)],
    ]);
    assert.equal(r.status, 201, r.text);
    const json = await postJson({
      model: keras3Functional(),
      compile: COMPILE,
      data: { x: { input_layer: header([N, 28, 28], 'float32', clean) }, y: header([N], 'uint8', labels) },
    });
    assert.deepEqual(codes(r), codes(json));

    // A dict key that names no input is reported like the JSON form reports it.
    const wrong = await postForm(srv, [
      ['model', Buffer.from(JSON.stringify(keras3Functional()))],
      ['x.pixels', npy('<f4', [N, 28, 28], clean)],
    ]);
    assert.equal(wrong.status, 201, wrong.text);
    const wrongJson = await postJson({
      model: keras3Functional(),
      data: { x: { pixels: header([N, 28, 28], 'float32', clean) } },
    });
    assert.deepEqual(codes(wrong), codes(wrongJson));
    assert.ok(codes(wrong).length > 0);
  });

  it('puts validation parts under data.validation', async () => {
    const base = { model: keras3Sequential(), compile: COMPILE };
    const vx = new Float32Array(8 * 28 * 28).fill(0.5);
    const vy = new Int32Array(8).map((_, i) => i);
    const r = await postForm(srv, [
      ['request', JSON.stringify(base)],
      ['x', X_NPY],
      ['y', Y_NPY],
      ['validation.x', npy('<f4', [8, 28, 28], vx)],
      ['validation.y', npy('<i4', [8], vy)],
    ]);
    assert.equal(r.status, 201, r.text);
    const json = await postJson({
      ...base,
      data: {
        x: X_HEADER,
        y: Y_HEADER,
        validation: { x: header([8, 28, 28], 'float32', vx), y: header([8], 'int32', vy) },
      },
    });
    assert.deepEqual(codes(r), codes(json));

    const dict = await postForm(srv, [
      ['request', JSON.stringify({ model: keras3Functional(), compile: COMPILE })],
      ['x.input_layer', X_NPY],
      ['validation.x.input_layer', npy('<f4', [8, 28, 28], vx)],
    ]);
    assert.equal(dict.status, 201, dict.text);
  });

  it('accepts an object (pickled) array without reading it, as the JSON dtype "object"', async () => {
    const pickle = new Uint8Array(Buffer.from('\x80\x04\x95 pickled bytes that are never unpickled', 'latin1'));
    const r = await postForm(srv, [
      ['request', JSON.stringify({ model: keras3Sequential() })],
      ['x', npy('|O', [N], pickle)],
    ]);
    assert.equal(r.status, 201, r.text);
    const json = await postJson({ model: keras3Sequential(), data: { x: { shape: [N], dtype: 'object', stats: { source: 'npy' } } } });
    assert.deepEqual(codes(r), codes(json));
  });

  it(`streams a 16 MB .npy part in chunks through a server whose --max-body is ${DEFAULT_MAX_BODY}`, async () => {
    const rows = 5350; // 5350 x 28 x 28 float32 = 16.8 MB
    const rowValues = new Float32Array(28 * 28).map((_, i) => (i % 256) / 255);
    const boundary = 'fitcheck-npy-stream-boundary';
    const npyHeader = npy('<f4', [rows, 28, 28], new Float32Array(0)); // preamble and header only
    const rowBytes = Buffer.from(rowValues.buffer);
    async function* body() {
      yield* multipartParts(boundary, [['request', JSON.stringify({ model: keras3Sequential() })]]).slice(0, 3);
      const [open, , crlf, closing] = multipartParts(boundary, [['x', Buffer.alloc(0)]]);
      yield open;
      yield npyHeader;
      const perChunk = 83; // rows per chunk: 260 KB
      for (let r = 0; r < rows; r += perChunk) yield Buffer.concat(Array(Math.min(perChunk, rows - r)).fill(rowBytes));
      yield crlf;
      yield closing;
    }
    const r = await srv.request('POST', '/v1/preflight', {
      body: streamOf(body()),
      duplex: 'half',
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      timeoutMs: 60_000,
    });
    assert.equal(r.status, 201, r.text);
    const json = await postJson({ model: keras3Sequential(), data: { x: header([rows, 28, 28], 'float32', rowValues) } });
    assert.deepEqual(codes(r), codes(json));
  });
});

// ------------------------------------------------------------------- 400s

describe('400 for bad .npy parts', () => {
  const base = JSON.stringify({ model: keras3Sequential(), compile: COMPILE });

  it('names the part and the byte counts of truncated data', async () => {
    const r = await postForm(srv, [['request', base], ['x', X_NPY.subarray(0, X_NPY.length - 10)]]);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.type, '/problems/invalid-request');
    assert.equal(r.body.part, 'x');
    assert.match(r.body.detail, new RegExp(`needs ${N * 784 * 4} bytes, ${N * 784 * 4 - 10} arrived`));
  });

  it('refuses extra bytes after the data, a malformed header, and a file that is not .npy', async () => {
    let r = await postForm(srv, [['request', base], ['y', Buffer.concat([Y_NPY, Buffer.alloc(3)])]]);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.part, 'y');
    assert.match(r.body.detail, new RegExp(`needs ${N * 8} bytes, ${N * 8 + 3} arrived`));

    const bad = Buffer.from(Y_NPY);
    bad.write("'shape': [64]", bad.indexOf("'shape'"), 'latin1');
    r = await postForm(srv, [['request', base], ['y', bad]]);
    assert.equal(r.status, 400, r.text);
    assert.match(r.body.detail, /malformed \.npy header/);

    r = await postForm(srv, [['request', base], ['validation.x', Buffer.from('not numpy at all')]]);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.part, 'validation.x');
    assert.match(r.body.detail, /not a \.npy file/);
  });

  it('refuses structured arrays', async () => {
    const structured = Buffer.from(npy('<f4', [2], new Float32Array(4)));
    const text = "{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (2,), }";
    structured.write(text.padEnd(117 - 10, ' '), 10, 'latin1');
    const r = await postForm(srv, [['request', base], ['x', structured]]);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.part, 'x');
    assert.match(r.body.detail, /structured arrays are not supported/);
  });

  it('refuses x mixed with x.<name>, a part given twice, and x both in the request and as a part', async () => {
    let r = await postForm(srv, [['request', base], ['x', X_NPY], ['x.input_layer', X_NPY]]);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.part, 'x.input_layer');
    assert.match(r.body.detail, /mix two forms/);

    r = await postForm(srv, [['request', base], ['y.a', Y_NPY], ['y', Y_NPY]]);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.part, 'y');

    r = await postForm(srv, [['request', base], ['y', Y_NPY], ['y', Y_NPY]]);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.part, 'y');
    assert.match(r.body.detail, /given twice/);

    r = await postForm(srv, [
      ['request', JSON.stringify({ model: keras3Sequential(), data: { validation: { x: { shape: [8, 28, 28] } } } })],
      ['validation.x', X_NPY],
    ]);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.part, 'validation.x');
    assert.match(r.body.detail, /given twice: in the request part \(\/data\/validation\/x\)/);

    r = await postForm(srv, [['request', base], ['xx', X_NPY]]);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.part, 'xx');
    assert.match(r.body.detail, /unknown part 'xx'/);
  });

  it('checks the parts even when the request part comes last', async () => {
    const r = await postForm(srv, [['x', X_NPY], ['request', JSON.stringify({ model: keras3Sequential(), data: { x: X_HEADER } })]]);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.part, 'x');
  });
});

// ------------------------------------------------------------------- 413s

describe('413 past the limits', () => {
  const big = npy('<f4', [300, 28, 28], new Float32Array(300 * 784)); // 940 KB, drained then refused

  it(`refuses a multipart body over --max-upload (${SMALL_UPLOAD}) sent with Content-Length`, async () => {
    // Refused before the body is read: one write, small enough for the socket buffers (as for JSON bodies).
    const boundary = 'fitcheck-npy-413-length';
    const body = Buffer.concat(multipartParts(boundary, [['x', npy('<f4', [35, 28, 28], new Float32Array(35 * 784))]]));
    const r = await small.request('POST', '/v1/preflight', {
      body,
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    });
    assert.equal(r.status, 413, r.text);
    assert.equal(r.body.type, '/problems/payload-too-large');
    assert.match(r.body.detail, /--max-upload/);
  });

  it('refuses one sent chunked, and still serves afterwards', async () => {
    const boundary = 'fitcheck-npy-413';
    async function* body() {
      for (const b of multipartParts(boundary, [['x', big]])) {
        for (let i = 0; i < b.length; i += 65536) yield b.subarray(i, i + 65536);
      }
    }
    const r = await small.request('POST', '/v1/preflight', {
      body: streamOf(body()),
      duplex: 'half',
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    });
    assert.equal(r.status, 413, r.text);
    assert.match(r.body.detail, /--max-upload/);
    const ok = await postForm(small, [['request', JSON.stringify({ model: keras3Sequential(), compile: COMPILE })], ['y', Y_NPY]]);
    assert.equal(ok.status, 201, ok.text);
  });

  it('bounds the request and model parts by --max-body, and a body without .npy parts too', async () => {
    const padded = JSON.stringify({ model: keras3Sequential(), padding: 'a'.repeat(DEFAULT_MAX_BODY) });
    let r = await postForm(srv, [['request', padded], ['x', X_NPY]]);
    assert.equal(r.status, 413, r.text);
    assert.match(r.body.detail, /--max-body/);
    r = await postForm(srv, [['request', padded]]);
    assert.equal(r.status, 413, r.text);
    assert.match(r.body.detail, /--max-body/);
  });
});
