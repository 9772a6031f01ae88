// Divergence oracle: an extended copy of ../shared/oracle/fit.mjs (run it beside that oracle's node_modules).
// Real TF.js 4.22 model.fit on CPU, JSON lines in / JSON lines out.
//
// Extensions over the original oracle:
//  * compile.optimizer may be a string ('sgd','adam','rmsprop',...) or a Keras-style
//    object {"class_name":"SGD","config":{"learning_rate":0.01,"momentum":0}}
//    (class names: SGD, Adam, RMSprop, Adagrad, Adadelta, Adamax; `lr` accepted as alias).
//  * fills: uniform:LO:HI, normal:MEAN:STD, sparse:P:LO:HI (value 0 with prob 1-P,
//    else uniform LO..HI), ucols:LO:HI,LO:HI,... (per-column uniform ranges, last axis),
//    and for y: linear:WSEED:SCALE:OFFSET:NOISE  (y = OFFSET + SCALE * sum_f w_f z_f / sqrt(d)
//    + NOISE*N(0,1), z_f = per-feature z-score of x, w_f ~ N(0,1) from WSEED; invariant to
//    affine rescaling of x), linclass:WSEED:K (argmax of K random projections of z -> one-hot),
//    linbin:WSEED (1 if sum w_f z_f > 0 else 0).
//  * x/y spec may carry "transform": "div:C" | "minmax" | "standardize" applied after
//    generation (y is generated from the untransformed x's z-scores, so it is the same
//    target function for scaled and unscaled x).
//  * determinism: Math.random is replaced by a seeded PRNG (scenario "seed", default 1234)
//    before the model is built, so glorot init (tf.randomUniform with seed=null draws its
//    seed from Math.random) and fit's shuffling are reproducible.
//  * output: epoch_losses, first_nonfinite {epoch, batch, step} (first batch whose loss is
//    not finite; null if none), first_batch_loss, max_finite_batch_loss, weights_finite,
//    stats (per array: shape, min, max, mean, mean_square — what a preflight could see),
//    optionally batch_losses when "report":{"batch_losses":true}.
//  * "dump":"DIR" writes x.f32 / y.f32 (+ meta json) of the generated (transformed) data.
import * as tf from '@tensorflow/tfjs';
import readline from 'node:readline';
import fs from 'node:fs';

tf.setBackend('cpu');
console.warn = () => {};

function mulberry32(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function gauss(rand) {
  let u = 0; while (u === 0) u = rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function tfDtype(d) {
  if (!d) return 'float32';
  if (d.startsWith('float') || d === 'bfloat16') return 'float32';
  if (d.startsWith('int') || d.startsWith('uint')) return 'int32';
  if (d === 'bool') return 'bool';
  if (d === 'string' || d === 'object') return 'string';
  return 'float32';
}

// Per-feature z-scores of a [N, d] (last axis = features) Float array.
function zscores(vals, shape) {
  const d = shape[shape.length - 1];
  const n = vals.length / d;
  const mean = new Float64Array(d), sq = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) { const v = vals[i * d + f]; mean[f] += v; sq[f] += v * v; }
  const sd = new Float64Array(d);
  for (let f = 0; f < d; f++) { mean[f] /= n; sd[f] = Math.sqrt(Math.max(sq[f] / n - mean[f] ** 2, 0)) || 1; }
  const z = new Float64Array(vals.length);
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) z[i * d + f] = (vals[i * d + f] - mean[f]) / sd[f];
  return { z, n, d };
}

function genValues(spec, rand, xraw) {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const fill = spec.fill || 'random';
  const num = s => s.split(':').slice(1).map(Number);
  if (Array.isArray(fill)) return Float32Array.from(fill.flat(Infinity));
  if (fill === 'random') return Float32Array.from({ length: n }, () => rand());
  if (fill === 'nan') return Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? NaN : rand()));
  if (fill.startsWith('randint:')) { const [lo, hi] = num(fill); return Float32Array.from({ length: n }, () => lo + Math.floor(rand() * (hi - lo))); }
  if (fill.startsWith('uniform:')) { const [lo, hi] = num(fill); return Float32Array.from({ length: n }, () => lo + rand() * (hi - lo)); }
  if (fill.startsWith('normal:')) { const [m, s] = num(fill); return Float32Array.from({ length: n }, () => m + s * gauss(rand)); }
  if (fill.startsWith('sparse:')) { const [p, lo, hi] = num(fill); return Float32Array.from({ length: n }, () => (rand() < p ? lo + rand() * (hi - lo) : 0)); }
  if (fill.startsWith('ucols:')) {
    const ranges = fill.slice(6).split(',').map(r => r.split(':').map(Number));
    const d = spec.shape[spec.shape.length - 1];
    if (ranges.length !== d) throw new Error(`ucols has ${ranges.length} ranges, last axis is ${d}`);
    return Float32Array.from({ length: n }, (_, i) => { const [lo, hi] = ranges[i % d]; return lo + rand() * (hi - lo); });
  }
  if (fill.startsWith('onehot:')) {
    const k = Number(fill.split(':')[1]); const v = new Float32Array(n);
    for (let r = 0; r < n / k; r++) v[r * k + Math.floor(rand() * k)] = 1; return v;
  }
  if (fill.startsWith('const:')) return new Float32Array(n).fill(Number(fill.split(':')[1]));
  if (fill.startsWith('linear:') || fill.startsWith('linclass:') || fill.startsWith('linbin:')) {
    if (!xraw) throw new Error(fill + ' needs a single x array');
    const { z, n: rows, d } = zscores(xraw.vals, xraw.shape);
    const parts = num(fill); const wr = mulberry32(parts[0]);
    if (fill.startsWith('linear:')) {
      const [, scale, offset, noise] = parts; const w = Array.from({ length: d }, () => gauss(wr));
      const k = n / rows; // outputs per row (all outputs get the same function + own noise)
      const v = new Float32Array(n);
      for (let i = 0; i < rows; i++) { let s = 0; for (let f = 0; f < d; f++) s += w[f] * z[i * d + f]; for (let j = 0; j < k; j++) v[i * k + j] = offset + scale * s / Math.sqrt(d) + noise * gauss(rand); }
      return v;
    }
    if (fill.startsWith('linbin:')) {
      const w = Array.from({ length: d }, () => gauss(wr)); const v = new Float32Array(n);
      for (let i = 0; i < rows; i++) { let s = 0; for (let f = 0; f < d; f++) s += w[f] * z[i * d + f]; v[i] = s > 0 ? 1 : 0; }
      return v;
    }
    const K = parts[1]; const W = Array.from({ length: K }, () => Array.from({ length: d }, () => gauss(wr)));
    const v = new Float32Array(n);
    for (let i = 0; i < rows; i++) {
      let best = 0, bs = -Infinity;
      for (let c = 0; c < K; c++) { let s = 0; for (let f = 0; f < d; f++) s += W[c][f] * z[i * d + f]; if (s > bs) { bs = s; best = c; } }
      if (n === rows * K) v[i * K + best] = 1; else v[i] = best; // one-hot or sparse label
    }
    return v;
  }
  throw new Error('unknown fill ' + fill);
}

function applyTransform(vals, shape, tr) {
  if (!tr) return vals;
  const d = shape[shape.length - 1]; const n = vals.length / d;
  const out = new Float32Array(vals.length);
  if (tr.startsWith('div:')) { const c = Number(tr.slice(4)); for (let i = 0; i < vals.length; i++) out[i] = vals[i] / c; return out; }
  const lo = new Float64Array(d).fill(Infinity), hi = new Float64Array(d).fill(-Infinity);
  const { z } = zscores(vals, shape);
  if (tr === 'standardize') { for (let i = 0; i < vals.length; i++) out[i] = z[i]; return out; }
  if (tr === 'minmax') {
    for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) { const v = vals[i * d + f]; lo[f] = Math.min(lo[f], v); hi[f] = Math.max(hi[f], v); }
    for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) out[i * d + f] = (vals[i * d + f] - lo[f]) / ((hi[f] - lo[f]) || 1);
    return out;
  }
  throw new Error('unknown transform ' + tr);
}

function stats(vals, shape, dtype) {
  let mn = Infinity, mx = -Infinity, s = 0, s2 = 0;
  for (const v of vals) { if (v < mn) mn = v; if (v > mx) mx = v; s += v; s2 += v * v; }
  return { shape, dtype, min: mn, max: mx, mean: s / vals.length, mean_square: s2 / vals.length };
}

function makeArray(spec, rand, xraw) {
  const dtype = tfDtype(spec.dtype);
  if (dtype === 'string') {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    return { tensor: tf.tensor(Array.from({ length: n }, (_, i) => 'v' + (i % 7)), spec.shape, 'string') };
  }
  const raw = genValues(spec, rand, xraw);
  let vals = applyTransform(raw, spec.shape, spec.transform);
  if (dtype === 'int32') vals = Int32Array.from(vals);
  return { tensor: tf.tensor(vals, spec.shape, dtype), raw, vals, stats: stats(vals, spec.shape, spec.dtype || 'float32') };
}

function camel(name) {
  if (typeof name !== 'string') return name;
  const alias = { mse: 'meanSquaredError', mae: 'meanAbsoluteError', acc: 'accuracy' };
  if (alias[name]) return alias[name];
  return name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}
function camelMetric(name) {
  if (typeof name !== 'string') return name;
  if (['mse', 'mae', 'mape', 'MSE', 'MAE', 'MAPE', 'accuracy', 'acc'].includes(name)) return name;
  return camel(name);
}

// Keras-style optimizer object -> tf.train optimizer. Defaults follow tf.keras 2.x / Keras 3.
function makeOptimizer(o) {
  if (o == null) return 'adam';
  if (typeof o === 'string') return o;
  const c = o.config || {};
  const lr = c.learning_rate ?? c.lr;
  const eps = c.epsilon ?? 1e-7;
  switch ((o.class_name || '').toLowerCase()) {
    case 'sgd': {
      const m = c.momentum ?? 0;
      return m > 0 ? tf.train.momentum(lr ?? 0.01, m, !!c.nesterov) : tf.train.sgd(lr ?? 0.01);
    }
    case 'adam': return tf.train.adam(lr ?? 0.001, c.beta_1 ?? 0.9, c.beta_2 ?? 0.999, eps);
    case 'rmsprop': return tf.train.rmsprop(lr ?? 0.001, c.rho ?? 0.9, c.momentum ?? 0, eps, !!c.centered);
    case 'adagrad': return tf.train.adagrad(lr ?? 0.001, c.initial_accumulator_value ?? 0.1);
    case 'adadelta': return tf.train.adadelta(lr ?? 0.001, c.rho ?? 0.95, eps);
    case 'adamax': return tf.train.adamax(lr ?? 0.001, c.beta_1 ?? 0.9, c.beta_2 ?? 0.999, eps, 0);
    default: throw new Error('unknown optimizer class ' + o.class_name);
  }
}

async function runOne(sc) {
  const res = { id: sc.id };
  const seed = sc.seed || 1234;
  Math.random = mulberry32(seed ^ 0x5bd1e995);   // glorot init + fit shuffle
  const rand = mulberry32(seed);                  // data
  let model;
  try {
    const topo = sc.model.modelTopology ? sc.model.modelTopology : sc.model;
    model = await tf.models.modelFromJSON({ modelTopology: topo });
    res.params = model.countParams();
    res.output_shapes = model.outputs.map(o => o.shape);
  } catch (e) { return { ...res, outcome: 'error', stage: 'build', error: String(e.message || e) }; }
  try {
    const c = sc.compile || {};
    const opt = makeOptimizer(c.optimizer);
    res.optimizer = typeof opt === 'string' ? opt : { class: opt.getClassName(), config: opt.getConfig() };
    model.compile({ loss: camel(c.loss), optimizer: opt, metrics: (c.metrics || []).map(camelMetric) });
  } catch (e) { return { ...res, outcome: 'error', stage: 'compile', error: String(e.message || e) }; }
  let x, y, xs, ys;
  try {
    xs = Array.isArray(sc.x) ? sc.x.map(s => makeArray(s, rand)) : makeArray(sc.x, rand);
    const xraw = Array.isArray(sc.x) ? null : { vals: xs.raw, shape: sc.x.shape };
    ys = Array.isArray(sc.y) ? sc.y.map(s => makeArray(s, rand, xraw)) : makeArray(sc.y, rand, xraw);
    x = Array.isArray(xs) ? xs.map(a => a.tensor) : xs.tensor;
    y = Array.isArray(ys) ? ys.map(a => a.tensor) : ys.tensor;
    res.stats = { x: Array.isArray(xs) ? xs.map(a => a.stats) : xs.stats, y: Array.isArray(ys) ? ys.map(a => a.stats) : ys.stats };
    if (sc.dump && !Array.isArray(xs) && !Array.isArray(ys)) {
      fs.mkdirSync(sc.dump, { recursive: true });
      fs.writeFileSync(`${sc.dump}/${sc.id}.x.f32`, Buffer.from(Float32Array.from(xs.vals).buffer));
      fs.writeFileSync(`${sc.dump}/${sc.id}.y.f32`, Buffer.from(Float32Array.from(ys.vals).buffer));
      fs.writeFileSync(`${sc.dump}/${sc.id}.meta.json`, JSON.stringify({ x: sc.x.shape, y: sc.y.shape }));
    }
  } catch (e) { return { ...res, outcome: 'error', stage: 'data', error: String(e.message || e) }; }
  const batchLosses = [];
  let epochNow = 0, step = 0, firstBad = null, firstBatchLoss = null, maxFinite = -Infinity;
  try {
    const f = sc.fit || {};
    const h = await model.fit(x, y, {
      batchSize: f.batch_size ?? 32,
      epochs: f.epochs ?? 1,
      validationSplit: f.validation_split ?? 0,
      shuffle: f.shuffle ?? true,
      verbose: 0,
      callbacks: {
        onEpochBegin: async (ep) => { epochNow = ep; },
        onBatchEnd: async (b, logs) => {
          const l = logs.loss;
          if (firstBatchLoss === null) firstBatchLoss = l;
          if (Number.isFinite(l)) maxFinite = Math.max(maxFinite, l);
          else if (!firstBad) firstBad = { epoch: epochNow, batch: b, step };
          if (sc.report?.batch_losses) batchLosses.push(l);
          step++;
        },
      },
    });
    const losses = h.history.loss || [];
    const last = losses[losses.length - 1];
    res.final_loss = last;
    res.loss_finite = Number.isFinite(last);
    res.epoch_losses = losses;
    res.first_nonfinite = firstBad;
    res.first_batch_loss = firstBatchLoss;
    res.max_finite_batch_loss = maxFinite === -Infinity ? null : maxFinite;
    res.steps = step;
    res.weights_finite = model.getWeights().every(w => w.dataSync().every(Number.isFinite));
    if (sc.report?.batch_losses) res.batch_losses = batchLosses;
    return { ...res, outcome: 'ok', stage: 'fit' };
  } catch (e) {
    return { ...res, outcome: 'error', stage: 'fit', error: String(e.message || e) };
  } finally {
    tf.dispose([x, y]);
    model.dispose?.();
  }
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim() || line.trim().startsWith('//')) continue;
  let sc;
  try { sc = JSON.parse(line); } catch (e) { console.log(JSON.stringify({ outcome: 'error', stage: 'input', error: 'bad scenario json' })); continue; }
  const r = await runOne(sc);
  console.log(JSON.stringify(r, (k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
}
