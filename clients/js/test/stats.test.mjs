// The summaries the client computes locally (no server): TensorStats over tensors and plain arrays.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { computeStats, describeTensor, Report, PreflightFailed, FitcheckError } from '../src/index.js';
import { tf } from './helpers.mjs';

describe('describeTensor on tf tensors', () => {
  it('float32: min/max/mean over finite values, NaN and Inf counted, row sums over the last axis', async () => {
    const t = tf.tensor([[1, 2, NaN], [3, 4, 5], [Infinity, 0, 1], [-1, 0.5, 0.5]], [4, 3], 'float32');
    const d = await describeTensor(t);
    assert.deepEqual(d.shape, [4, 3]);
    assert.equal(d.dtype, 'float32');
    assert.equal(d.container, 'tf.Tensor');
    const finite = [1, 2, 3, 4, 5, 0, 1, -1, 0.5, 0.5];
    assert.equal(d.stats.min, -1);
    assert.equal(d.stats.max, 5);
    assert.equal(d.stats.nan_count, 1);
    assert.equal(d.stats.inf_count, 1);
    assert.deepEqual(d.stats.distinct, [-1, 0, 0.5, 1, 2, 3, 4, 5]);
    assert.equal(d.stats.distinct_count, 8);
    assert.equal(d.stats.mean, finite.reduce((a, b) => a + b) / finite.length);
    assert.equal(d.stats.mean_square, finite.reduce((a, b) => a + b * b, 0) / finite.length);
    // rows with a NaN or an Inf have no finite sum and are left out
    assert.equal(d.stats.row_sum_min, 0);
    assert.equal(d.stats.row_sum_max, 12);
    t.dispose();
  });

  it('integers says whether every finite value is whole, also past 256 distinct values; class_counts for labels', async () => {
    const whole = await describeTensor(tf.range(0, 300, 1, 'float32'));
    assert.equal(whole.stats.integers, true);
    assert.equal(whole.stats.class_counts, undefined, 'more than 256 values: no counts');
    const fractional = await describeTensor(tf.range(0, 150, 0.5, 'float32'));
    assert.equal(fractional.stats.integers, false);
    const labels = await describeTensor(tf.tensor1d([0, 0, 0, 1, 2, 2], 'int32'));
    assert.deepEqual(labels.stats.class_counts, { 0: 3, 1: 1, 2: 2 });
    const oneHot = await describeTensor(tf.oneHot(tf.tensor1d([0, 1], 'int32'), 3));
    assert.equal(oneHot.stats.class_counts, undefined, 'one-hot rows: the elements are not classes');
  });

  it('more than 256 distinct values: no distinct list, distinct_count null', async () => {
    const t = tf.range(0, 300, 1, 'float32');
    const d = await describeTensor(t);
    assert.equal(d.stats.distinct, undefined);
    assert.equal(d.stats.distinct_count, null);
    assert.equal(d.stats.min, 0);
    assert.equal(d.stats.max, 299);
    assert.equal(d.stats.row_sum_min, undefined, 'rank 1: no rows');
    const e = await describeTensor(tf.range(0, 256, 1, 'float32'));
    assert.equal(e.stats.distinct.length, 256);
    assert.equal(e.stats.distinct_count, 256);
  });

  it('int32, bool and string tensors keep their dtype', async () => {
    const i = await describeTensor(tf.tensor([3, 1, 2, 1], [4], 'int32'));
    assert.equal(i.dtype, 'int32');
    assert.deepEqual(i.stats.distinct, [1, 2, 3]);
    const b = await describeTensor(tf.tensor([[true], [false], [true]], [3, 1], 'bool'));
    assert.equal(b.dtype, 'bool');
    assert.deepEqual(b.stats.distinct, [0, 1]);
    assert.equal(b.stats.row_sum_max, 1);
    const s = await describeTensor(tf.tensor(['dog', 'cat', 'dog']));
    assert.equal(s.dtype, 'string');
    assert.deepEqual(s.stats, { distinct: ['cat', 'dog'], distinct_count: 2 });
  });

  it("send: 'values' gives nested lists (NaN as null, bool as booleans); 'shape' no stats", async () => {
    const v = await describeTensor(tf.tensor([[1, NaN], [0.25, 2]]), { send: 'values' });
    assert.deepEqual(v.values, [[1, null], [0.25, 2]]);
    assert.equal(v.stats, undefined);
    const b = await describeTensor(tf.tensor([true, false], [2], 'bool'), { send: 'values' });
    assert.deepEqual(b.values, [true, false]);
    const h = await describeTensor(tf.zeros([5, 3]), { send: 'shape' });
    assert.deepEqual(h, { shape: [5, 3], dtype: 'float32', container: 'tf.Tensor' });
  });

  it('a disposed tensor is refused', async () => {
    const t = tf.zeros([2]);
    t.dispose();
    await assert.rejects(describeTensor(t), /disposed/);
  });
});

describe('describeTensor on plain arrays', () => {
  it('numbers become float32 as tf.tensor makes them, container list', async () => {
    const d = await describeTensor([[0.1, 2], [3, 4]]);
    assert.deepEqual(d.shape, [2, 2]);
    assert.equal(d.dtype, 'float32');
    assert.equal(d.container, 'list');
    assert.equal(d.stats.min, Math.fround(0.1));
    assert.equal(d.stats.row_sum_min, Math.fround(0.1) + 2);
  });

  it('booleans give bool, strings give string, null counts as NaN', async () => {
    assert.equal((await describeTensor([true, false])).dtype, 'bool');
    assert.equal((await describeTensor(['a', 'b'])).dtype, 'string');
    assert.equal((await describeTensor([1, null, 3])).stats.nan_count, 1);
  });

  it('typed arrays: Int32Array is int32, Float64Array float32', async () => {
    assert.equal((await describeTensor(new Int32Array([1, 2]))).dtype, 'int32');
    assert.equal((await describeTensor(new Float64Array([1, 2]))).dtype, 'float32');
  });

  it('ragged or mixed arrays are refused with where', async () => {
    await assert.rejects(describeTensor([[1, 2], [3]]), /ragged at \[1\]/);
    await assert.rejects(describeTensor([[1, 2], 3]), /ragged at \[1\]/);
    await assert.rejects(describeTensor([1, 'a']), /mixes/);
  });
});

describe('computeStats', () => {
  it('an empty array has counts but no range', () => {
    assert.deepEqual(computeStats(new Float32Array(0), [0, 3]),
      { nan_count: 0, inf_count: 0, distinct: [], distinct_count: 0 });
  });
});

describe('Report', () => {
  const raw = {
    id: '019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b', verdict: 'fail', summary: 'fail: 1 error(s)', framework: 'tfjs',
    framework_version: '4.22.0', counts: { error: 1, warning: 0, info: 0 },
    findings: [{ code: 'INPUT_RANK_MISMATCH', severity: 'error', title: 't', message: 'x has shape (3, 28, 28)',
      explanation: 'ranks differ', framework_error: 'Error when checking input', location: { pointer: '/data/x', input: 'in' },
      fixes: [{ summary: 'Reshape x', code: 'x = x.reshape([-1, 784]);', language: 'javascript' }], reference: 'r', href: '/v1/findings/INPUT_RANK_MISMATCH' }],
  };

  it('toString names the verdict and each finding with location, explanation and fix', () => {
    const text = String(new Report(raw));
    for (const part of ['FAIL', 'INPUT_RANK_MISMATCH', '/data/x', 'input in', 'ranks differ', 'Reshape x',
      'x = x.reshape([-1, 784]);', 'Error when checking input']) assert.ok(text.includes(part), `${part} in:\n${text}`);
  });

  it('raiseForErrors throws PreflightFailed carrying the report; a pass returns the report', () => {
    const r = new Report(raw);
    assert.throws(() => r.raiseForErrors(), (err) => err instanceof PreflightFailed && err instanceof FitcheckError && err.report === r);
    const p = new Report({ ...raw, verdict: 'pass', findings: [] });
    assert.equal(p.raiseForErrors(), p);
    assert.equal(p.ok, true);
  });
});
