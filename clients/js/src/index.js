// fitcheck-client: preflight a TF.js `model.fit` call against a fitcheckd server.
//
// The model goes as the TF.js `model.json` it would save (`modelTopology` from
// `model.toJSON(null, false)`); tensors are summarised here, in one pass over
// their data (shape, dtype and TensorStats), so no sample leaves the process
// unless `send: 'values'` is asked for. No runtime dependency: only `fetch`.

const DEFAULT_URL = 'http://127.0.0.1:8080';
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_DISTINCT = 256; // the server's FC_MAX_DISTINCT: more distinct values means "not listed"

// ---------------------------------------------------------------- errors

/** Base class of every error this package throws. */
export class FitcheckError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'FitcheckError';
  }
}

/** The server answered with an error status (a problem+json body, RFC 9457). */
export class ApiError extends FitcheckError {
  constructor({ status, type = null, title = null, detail = null, body = null, url = null, headers = null }) {
    const what = [title, detail].filter(Boolean).join(': ') || (typeof body === 'string' ? body.slice(0, 200) : '');
    super(`fitcheck answered ${status}${what ? ` ${what}` : ''}${body && body.pointer !== undefined ? ` (at ${body.pointer || '/'})` : ''}`);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.title = title;
    this.detail = detail;
    this.body = body; // the parsed problem+json object (or the text when it was not JSON)
    this.pointer = body && typeof body === 'object' ? body.pointer ?? null : null;
    this.url = url;
    this.headers = headers;
  }
}

/** The server could not be reached (refused, reset, DNS, timeout). */
export class ConnectionError extends FitcheckError {
  constructor(url, cause) {
    const reason = cause?.cause?.code ?? cause?.code ?? cause?.name ?? 'error';
    super(`cannot reach fitcheck at ${url}: ${reason}${cause?.message ? ` (${cause.message})` : ''}`, { cause });
    this.name = 'ConnectionError';
    this.url = url;
  }
}

/** Thrown by Report#raiseForErrors() when the verdict is `fail`; carries the report. */
export class PreflightFailed extends FitcheckError {
  constructor(report) {
    const codes = report.findings.filter((f) => f.severity === 'error').map((f) => f.code);
    super(`preflight failed: ${report.summary ?? codes.join(', ')}${codes.length ? ` [${codes.join(', ')}]` : ''}\n${report.toString()}`);
    this.name = 'PreflightFailed';
    this.report = report;
  }
}

// ---------------------------------------------------------------- report

/** A fitcheck report (the `Report` schema of openapi.yaml), with helpers. */
export class Report {
  constructor(raw, { location = null } = {}) {
    this.raw = raw;
    this.id = raw.id;
    this.verdict = raw.verdict;
    this.summary = raw.summary;
    this.findings = raw.findings ?? [];
    this.counts = raw.counts;
    this.framework = raw.framework;
    this.frameworkVersion = raw.framework_version ?? null;
    this.createdAt = raw.created_at;
    this.location = location;
  }

  /** True unless the verdict is `fail`. */
  get ok() {
    return this.verdict !== 'fail';
  }

  /** The findings with this code. */
  find(code) {
    return this.findings.filter((f) => f.code === code);
  }

  /** Throws PreflightFailed when the verdict is `fail`; returns this report otherwise. */
  raiseForErrors() {
    if (this.verdict === 'fail') throw new PreflightFailed(this);
    return this;
  }

  toJSON() {
    return this.raw;
  }

  toString() {
    const summary = String(this.summary ?? '').replace(new RegExp(`^${this.verdict}:\\s*`), '');
    const lines = [`fitcheck ${String(this.verdict).toUpperCase()}${summary ? `: ${summary}` : ''}`];
    const fw = [this.framework, this.frameworkVersion].filter(Boolean).join(' ');
    if (fw || this.id) lines.push(`  ${fw}${this.id ? `  report ${this.id}` : ''}`);
    for (const f of this.findings) {
      const loc = f.location ?? {};
      const where = [loc.pointer !== undefined ? loc.pointer || '/' : null,
        loc.input ? `input ${loc.input}` : null, loc.output ? `output ${loc.output}` : null,
        loc.layer ? `layer ${loc.layer}` : null].filter(Boolean).join(', ');
      lines.push('');
      lines.push(`[${f.severity}] ${f.code}${where ? ` at ${where}` : ''}: ${f.message ?? f.title ?? ''}`);
      if (f.explanation) lines.push(`  why: ${f.explanation}`);
      if (f.framework_error) lines.push(`  ${this.framework ?? 'framework'} says: ${f.framework_error}`);
      for (const fix of f.fixes ?? []) {
        lines.push(`  fix${fix.language ? ` (${fix.language})` : ''}: ${fix.summary}`);
        if (fix.code) for (const l of String(fix.code).split('\n')) lines.push(`      ${l}`);
      }
    }
    return lines.join('\n');
  }
}

// ---------------------------------------------------------------- tensors

function isTensor(v) {
  return v != null && typeof v === 'object' && Array.isArray(v.shape) && typeof v.dtype === 'string' &&
    typeof v.dataSync === 'function' && typeof v.data === 'function';
}

function isTypedArray(v) {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function isPlainObject(v) {
  if (v == null || typeof v !== 'object') return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** Accumulates TensorStats in one pass; `rowLength` > 0 also gives row sums (last axis). */
class StatsScan {
  constructor(rowLength) {
    this.rowLength = rowLength;
    this.n = 0; // finite numbers seen
    this.min = Infinity;
    this.max = -Infinity;
    this.nan = 0;
    this.inf = 0;
    this.sum = 0;
    this.sumSq = 0;
    this.distinct = new Set();
    this.distinctOver = false;
    this.counts = new Map(); // value -> elements, while the distinct values are listed
    this.fractional = false; // a finite value that is not a whole number was seen
    this.rowPos = 0;
    this.rowSum = 0;
    this.rowFinite = true;
    this.rows = 0;
    this.rowMin = Infinity;
    this.rowMax = -Infinity;
  }

  add(d) {
    if (d !== d) {
      this.nan++;
      this.rowFinite = false;
    } else if (d === Infinity || d === -Infinity) {
      this.inf++;
      this.rowFinite = false;
    } else {
      this.n++;
      if (d < this.min) this.min = d;
      if (d > this.max) this.max = d;
      this.sum += d;
      this.sumSq += d * d;
      this.rowSum += d;
      if (!this.fractional && d !== Math.floor(d)) this.fractional = true;
      if (!this.distinctOver && !this.distinct.has(d)) {
        if (this.distinct.size === MAX_DISTINCT) {
          this.distinctOver = true;
          this.distinct.clear();
          this.counts.clear();
        } else {
          this.distinct.add(d);
        }
      }
      if (!this.distinctOver) this.counts.set(d, (this.counts.get(d) ?? 0) + 1);
    }
    if (this.rowLength > 0 && ++this.rowPos === this.rowLength) {
      // a row with a NaN or an Inf has no finite sum: left out, as the server leaves out NaN rows
      if (this.rowFinite) {
        if (this.rowSum < this.rowMin) this.rowMin = this.rowSum;
        if (this.rowSum > this.rowMax) this.rowMax = this.rowSum;
        this.rows++;
      }
      this.rowPos = 0;
      this.rowSum = 0;
      this.rowFinite = true;
    }
  }

  result() {
    const st = {};
    if (this.n > 0) {
      st.min = this.min;
      st.max = this.max;
    }
    st.nan_count = this.nan;
    st.inf_count = this.inf;
    if (this.distinctOver) {
      st.distinct_count = null;
    } else {
      st.distinct = [...this.distinct].sort((a, b) => a - b);
      st.distinct_count = st.distinct.length;
    }
    if (this.n > 0) {
      st.mean = this.sum / this.n;
      st.mean_square = this.sumSq / this.n;
    }
    if (this.rows > 0) {
      st.row_sum_min = this.rowMin;
      st.row_sum_max = this.rowMax;
    }
    if (this.n > 0) {
      st.integers = !this.fractional;
      // one whole number per sample (rank 1 or a last axis of 1): class labels, counted as the server counts values
      if (!this.distinctOver && !this.fractional && !(this.rowLength > 1)) {
        st.class_counts = Object.fromEntries([...this.counts].sort((a, b) => a[0] - b[0]).map(([v, n]) => [String(v), n]));
      }
    }
    return st;
  }
}

function stringStats(values) {
  const seen = new Set();
  let over = false;
  for (const s of values) {
    const str = typeof s === 'string' ? s : new TextDecoder().decode(s);
    if (over || seen.has(str)) continue;
    if (seen.size === MAX_DISTINCT) over = true;
    else seen.add(str);
  }
  if (over) return { distinct: [...seen].sort().slice(0, MAX_DISTINCT), distinct_count: null };
  return { distinct: [...seen].sort(), distinct_count: seen.size };
}

/**
 * Stats of a flat array of numbers (a typed array or a plain array) of the given shape:
 * the TensorStats of openapi.yaml, computed in one pass.
 */
export function computeStats(flat, shape, dtype = 'float32') {
  if (dtype === 'string') return stringStats(flat);
  const rowLength = shape.length >= 2 ? shape[shape.length - 1] : 0;
  const scan = new StatsScan(rowLength);
  const n = flat.length;
  for (let i = 0; i < n; i++) scan.add(+flat[i]);
  return scan.result();
}

function nestValues(flat, shape, dtype) {
  const leaf = dtype === 'bool' ? (v) => v !== 0
    : dtype === 'string' ? (v) => (typeof v === 'string' ? v : new TextDecoder().decode(v))
      : (v) => (Number.isFinite(v) ? v : null); // JSON has no NaN nor Inf: null is NaN to the server
  let pos = 0;
  const build = (depth) => {
    const out = new Array(shape[depth]);
    if (depth === shape.length - 1) {
      for (let i = 0; i < shape[depth]; i++) out[i] = leaf(flat[pos++]);
    } else {
      for (let i = 0; i < shape[depth]; i++) out[i] = build(depth + 1);
    }
    return out;
  };
  if (shape.length === 0) return leaf(flat[0]);
  return build(0);
}

/** Shape, dtype and flat values of a plain (nested) JS array, as tf.tensor would read it. */
function readArray(arr) {
  if (isTypedArray(arr)) {
    // tf.tensor(typedArray): Int32Array, Uint8Array and Uint8ClampedArray give int32, others float32
    const int = arr instanceof Int32Array || arr instanceof Uint8Array || arr instanceof Uint8ClampedArray;
    return { shape: [arr.length], dtype: int ? 'int32' : 'float32',
      flat: int || arr instanceof Float32Array ? arr : Float32Array.from(arr) };
  }
  const shape = [];
  for (let v = arr; Array.isArray(v) || isTypedArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  const flat = [];
  let kind = null; // 'number' | 'boolean' | 'string'
  const walk = (v, depth, path) => {
    if (depth === shape.length) {
      if (Array.isArray(v) || isTypedArray(v)) throw new TypeError(`array is ragged at ${path}: a list where a value was expected`);
      const k = v === null || v === undefined ? 'number' : typeof v;
      if (k !== 'number' && k !== 'boolean' && k !== 'string') throw new TypeError(`array holds a ${k} at ${path}`);
      if (kind !== null && kind !== k) throw new TypeError(`array mixes ${kind}s and ${k}s (at ${path})`);
      kind = k;
      flat.push(v === null || v === undefined ? NaN : v);
      return;
    }
    if (!(Array.isArray(v) || isTypedArray(v))) throw new TypeError(`array is ragged at ${path}: a value where a list of ${shape[depth]} was expected`);
    if (v.length !== shape[depth]) throw new TypeError(`array is ragged at ${path}: ${v.length} entries where the first row at this depth has ${shape[depth]}`);
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`);
  };
  walk(arr, 0, '');
  if (kind === 'string') return { shape, dtype: 'string', flat };
  if (kind === 'boolean') return { shape, dtype: 'bool', flat: Uint8Array.from(flat, (b) => (b ? 1 : 0)) };
  // numbers become float32, as tf.tensor(array) makes them
  return { shape, dtype: 'float32', flat: Float32Array.from(flat) };
}

/**
 * Describes one array as a `Tensor` of the request: a tf.Tensor (container `tf.Tensor`) or a
 * plain JS array (container `list`: TF.js fit itself refuses plain arrays, and says so).
 * send: 'stats' (default: shape, dtype and stats computed here), 'values' (the samples
 * themselves, for the server to summarise) or 'shape' (shape and dtype only).
 */
export async function describeTensor(value, { send = 'stats' } = {}) {
  let shape, dtype, flat, container;
  if (isTensor(value)) {
    if (value.isDisposed) throw new TypeError('the tensor is disposed');
    shape = value.shape.slice();
    dtype = value.dtype;
    container = 'tf.Tensor';
    if (send !== 'shape') flat = await value.data();
  } else if (Array.isArray(value) || isTypedArray(value)) {
    ({ shape, dtype, flat } = readArray(value));
    container = 'list';
  } else {
    throw new TypeError(`expected a tf.Tensor or an array, got ${value === null ? 'null' : typeof value}`);
  }
  const out = { shape, dtype, container };
  if (send === 'values') {
    out.values = nestValues(flat, shape, dtype);
  } else if (send === 'stats') {
    if (dtype !== 'complex64') out.stats = computeStats(flat, shape, dtype);
  } else if (send !== 'shape') {
    throw new TypeError(`send must be 'stats', 'values' or 'shape', got ${JSON.stringify(send)}`);
  }
  return out;
}

/** A TensorArgument: one tensor, a list of them (model input order) or a {name: tensor} map. */
/** Removes stats.class_counts from a described x (a tensor, or a list or map of them): the server reads them for y. */
function dropClassCounts(d) {
  if (Array.isArray(d)) d.forEach(dropClassCounts);
  else if (d && typeof d === 'object') {
    if (d.stats && typeof d.stats === 'object') delete d.stats.class_counts;
    else if (!('shape' in d)) Object.values(d).forEach(dropClassCounts);
  }
  return d;
}

async function describeArgument(arg, opts) {
  if (isTensor(arg)) return describeTensor(arg, opts);
  if (Array.isArray(arg) && arg.length > 0 && arg.every(isTensor)) {
    return Promise.all(arg.map((t) => describeTensor(t, opts)));
  }
  if (Array.isArray(arg) || isTypedArray(arg)) return describeTensor(arg, opts);
  if (isPlainObject(arg)) {
    const out = {};
    for (const [name, t] of Object.entries(arg)) out[name] = await describeTensor(t, opts);
    return out;
  }
  throw new TypeError(`x and y must be a tf.Tensor, an array of tensors, a {name: tensor} map or an array; got ${arg === null ? 'null' : typeof arg}`);
}

// ---------------------------------------------------------------- model

function versionFromDescriptor(desc) {
  const kv = desc?.modelTopology?.keras_version ?? desc?.keras_version;
  let m = typeof kv === 'string' && /tfjs-layers\s+v?([0-9][^\s]*)/.exec(kv);
  if (m) return m[1];
  m = typeof desc?.generatedBy === 'string' && /tfjs-layers\s+v?([0-9][^\s]*)/.exec(desc.generatedBy);
  return m ? m[1] : null;
}

async function loadModelSource(src, fetchImpl) {
  const s = String(src);
  if (/^https?:\/\//i.test(s)) {
    let res;
    try {
      res = await fetchImpl(s);
    } catch (err) {
      throw new ConnectionError(s, err);
    }
    if (!res.ok) throw new FitcheckError(`cannot load the model from ${s}: HTTP ${res.status}`);
    return res.json();
  }
  const { readFile } = await import('node:fs/promises');
  const { fileURLToPath } = await import('node:url');
  const file = /^file:/i.test(s) ? fileURLToPath(s) : s;
  return JSON.parse(await readFile(file, 'utf8'));
}

/**
 * The request's `model` member: a tf.LayersModel becomes the model.json it would save
 * ({modelTopology, format: 'layers-model', ...}); a parsed model.json or topology object is sent
 * as given; a string is the JSON itself, an http(s) URL or a path (or file: URL) of a model.json.
 */
async function modelDescriptor(model, fetchImpl) {
  if (model == null) throw new TypeError('preflight needs a model');
  if (typeof model === 'object' && typeof model.toJSON === 'function' && Array.isArray(model.layers)) {
    const topology = model.toJSON(null, false);
    const version = versionFromDescriptor(topology);
    return {
      modelTopology: topology,
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${version ?? 'unknown'}`,
      convertedBy: null,
    };
  }
  if (model instanceof URL) return loadModelSource(model.href, fetchImpl);
  if (typeof model === 'string') {
    const t = model.trim();
    if (t.startsWith('{')) return JSON.parse(t);
    return loadModelSource(t, fetchImpl);
  }
  if (typeof model === 'object') return model;
  throw new TypeError(`model must be a tf.LayersModel, a model.json object, its text, a URL or a path; got ${typeof model}`);
}

// ---------------------------------------------------------------- compile and fit

function lossName(fn) {
  // tf.losses.meanSquaredError is named 'meanSquaredError__op' (an op wrapper)
  return typeof fn.name === 'string' && fn.name ? fn.name.replace(/__op$/, '') : null;
}

function serializeLoss(loss) {
  if (loss == null) return null;
  if (typeof loss === 'string') return loss;
  if (typeof loss === 'function') return lossName(loss);
  if (Array.isArray(loss)) return loss.map(serializeLoss);
  if (typeof loss === 'object') {
    if (typeof loss.getClassName === 'function') return loss.getClassName();
    if ('class_name' in loss) return loss;
    return Object.fromEntries(Object.entries(loss).map(([k, v]) => [k, serializeLoss(v)]));
  }
  return loss;
}

function snake(key) {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function serializeOptimizer(opt) {
  if (opt == null) return null;
  if (typeof opt === 'string') return opt;
  if (typeof opt === 'object' && typeof opt.getConfig === 'function') {
    const name = typeof opt.getClassName === 'function' ? opt.getClassName() : opt.constructor?.className;
    const config = {};
    for (const [k, v] of Object.entries(opt.getConfig() ?? {})) {
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') config[snake(k)] = v;
    }
    // TF.js's Momentum optimizer is Keras's SGD with momentum (and nesterov)
    if (name === 'Momentum') return { class_name: 'SGD', config: { ...config, nesterov: config.use_nesterov ?? false } };
    return { class_name: name, config };
  }
  return opt;
}

function compiledLoss(model) {
  if (model == null || typeof model !== 'object' || typeof model.toJSON !== 'function') return null;
  if (model.loss != null && (typeof model.loss !== 'object' || Array.isArray(model.loss) || isPlainObject(model.loss))) {
    return model.loss;
  }
  return null;
}

function compiledMetrics(model) {
  // a compiled LayersModel keeps the compile argument as `metrics` (names, functions or a map)
  if (model == null || typeof model !== 'object' || typeof model.toJSON !== 'function') return null;
  const m = model.metrics;
  return typeof m === 'string' || typeof m === 'function' || Array.isArray(m) || isPlainObject(m) ? m : null;
}

function buildFit(opts) {
  const fit = {};
  const map = {
    batchSize: 'batch_size', epochs: 'epochs', validationSplit: 'validation_split',
    stepsPerEpoch: 'steps_per_epoch', validationSteps: 'validation_steps', shuffle: 'shuffle',
    initialEpoch: 'initial_epoch', batchesPerEpoch: 'steps_per_epoch', validationBatches: 'validation_steps',
  };
  for (const [k, w] of Object.entries(map)) if (opts[k] !== undefined) fit[w] = opts[k];
  if (opts.fit && typeof opts.fit === 'object') Object.assign(fit, opts.fit);
  return fit;
}

// ---------------------------------------------------------------- HTTP

function env(name) {
  return globalThis.process?.env?.[name];
}

function settings(opts) {
  const base = opts.url ?? env('FITCHECK_URL') ?? DEFAULT_URL;
  const key = opts.key !== undefined ? opts.key : env('FITCHECK_KEY');
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new FitcheckError('no fetch: use Node 18 or later, or pass {fetch}');
  return { base: base.endsWith('/') ? base : `${base}/`, key: key || null, fetchImpl, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS };
}

async function call(method, path, body, opts) {
  const { base, key, fetchImpl, timeoutMs } = settings(opts);
  const url = new URL(path.replace(/^\//, ''), base).href;
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (key) headers.Authorization = `Bearer ${key}`;
  let res, text;
  try {
    res = await fetchImpl(url, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      signal: timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined,
    });
    text = await res.text();
  } catch (err) {
    throw new ConnectionError(url, err);
  }
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: kept as text
  }
  if (!res.ok) {
    const p = parsed && typeof parsed === 'object' ? parsed : {};
    throw new ApiError({ status: res.status, type: p.type ?? null, title: p.title ?? res.statusText ?? null,
      detail: p.detail ?? null, body: parsed, url, headers: res.headers });
  }
  if (parsed === null || typeof parsed !== 'object') {
    throw new ApiError({ status: res.status, title: 'response is not JSON', body: text, url, headers: res.headers });
  }
  return { body: parsed, headers: res.headers };
}

function frameworkVersion(opts, descriptor) {
  if (opts.frameworkVersion) return String(opts.frameworkVersion);
  const v = opts.tf?.version;
  if (v && typeof v === 'object') {
    if (v.tfjs) return v.tfjs;
    if (v['tfjs-layers']) return v['tfjs-layers'];
  }
  return versionFromDescriptor(descriptor);
}

function labels(opts) {
  const out = { ...(opts.labels ?? {}) };
  if (opts.project !== undefined) out.project = String(opts.project);
  if (opts.run !== undefined) out.run = String(opts.run);
  return Object.keys(out).length ? out : undefined;
}

async function baseRequest(model, opts) {
  const { fetchImpl } = settings(opts);
  const descriptor = await modelDescriptor(model, fetchImpl);
  const req = { model: descriptor, framework: opts.framework ?? 'tfjs' };
  const version = frameworkVersion(opts, descriptor);
  if (version) req.framework_version = version;
  const compile = { ...(opts.compile ?? {}) };
  const loss = opts.loss !== undefined ? opts.loss : compiledLoss(model);
  if (loss != null && (opts.loss !== undefined || compile.loss === undefined)) compile.loss = serializeLoss(loss);
  const metrics = opts.metrics !== undefined ? opts.metrics : compiledMetrics(model);
  if (metrics != null && (opts.metrics !== undefined || compile.metrics === undefined)) compile.metrics = serializeLoss(Array.isArray(metrics) || isPlainObject(metrics) ? metrics : [metrics]);
  const optimizer = opts.optimizer !== undefined ? opts.optimizer
    : model != null && typeof model === 'object' && typeof model.toJSON === 'function' ? model.optimizer : null;
  if (optimizer != null && compile.optimizer === undefined) compile.optimizer = serializeOptimizer(optimizer);
  if (Object.keys(compile).length) req.compile = compile;
  if (opts.environment) req.environment = opts.environment;
  const l = labels(opts);
  if (l) req.labels = l;
  return req;
}

async function send(req, opts) {
  const { body, headers } = await call('POST', '/v1/preflight', req, opts);
  return new Report(body, { location: headers.get('location') });
}

/**
 * Preflights `model.fit(xs, ys, {batchSize, epochs, ...})`.
 * model: a tf.LayersModel, a parsed model.json (or topology), its JSON text, or a URL / path of a
 * model.json. xs, ys: tf.Tensor, array of tensors, {name: tensor}, or plain arrays.
 * Resolves to a Report; rejects with ApiError, ConnectionError (or TypeError for bad arguments).
 */
export async function preflight(model, xs, ys, opts = {}) {
  const req = await baseRequest(model, opts);
  const how = { send: opts.send ?? 'stats' };
  const data = {};
  if (xs !== undefined && xs !== null) data.x = dropClassCounts(await describeArgument(xs, how));
  if (ys !== undefined && ys !== null) data.y = await describeArgument(ys, how);
  if (opts.validationData) {
    const [vx, vy] = opts.validationData;
    data.validation = {};
    if (vx != null) data.validation.x = await describeArgument(vx, how);
    if (vy != null) data.validation.y = await describeArgument(vy, how);
  }
  if (Object.keys(data).length) req.data = data;
  const fit = buildFit(opts);
  if (Object.keys(fit).length) req.fit = fit;
  return send(req, opts);
}

function cardinality(dataset) {
  const n = dataset?.size;
  if (n === Infinity) return -1;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0) return n;
  return -2; // unknown
}

async function describeStreamArgument(arg, card) {
  const d = await describeArgument(arg, { send: 'stats' });
  const mark = (t) => {
    t.container = 'tf.data.Dataset';
    t.batch_size = t.shape.length > 0 ? t.shape[0] : null; // fitDataset takes the first axis as the batch
    if (card !== -2) t.cardinality = card;
    // stats of the first batch alone: its distinct values need not be all the dataset's
    if (t.stats) {
      if ('distinct_count' in t.stats) t.stats.distinct_count = null;
      t.stats.source = 'first batch';
    }
    return t;
  };
  if (isTensor(arg) || !(Array.isArray(arg) ? arg.every(isTensor) : isPlainObject(arg))) return mark(d);
  if (Array.isArray(d)) return d.map(mark);
  for (const k of Object.keys(d)) mark(d[k]);
  return d;
}

function splitElement(el) {
  if (Array.isArray(el) && el.length === 2) return { xs: el[0], ys: el[1] };
  if (el && typeof el === 'object' && 'xs' in el) return { xs: el.xs, ys: el.ys };
  throw new TypeError('a fitDataset element must be {xs, ys} (or [xs, ys])');
}

/**
 * Preflights `model.fitDataset(dataset, {epochs, batchesPerEpoch, validationData, ...})`.
 * The element shape comes from the dataset's first element (a batch); its stats describe that
 * batch only. `dataset.size` gives the cardinality (Infinity after repeat()).
 */
export async function preflightDataset(model, dataset, opts = {}) {
  if (!dataset || typeof dataset.take !== 'function') throw new TypeError('preflightDataset needs a tf.data.Dataset');
  const req = await baseRequest(model, opts);
  const card = cardinality(dataset);
  const first = await dataset.take(1).toArray();
  const data = {};
  if (first.length === 0) {
    throw new FitcheckError('the dataset yields no element: fitDataset would have nothing to train on');
  }
  // The element's tensors are left alone: a generator dataset may yield tensors its caller keeps.
  const { xs, ys } = splitElement(first[0]);
  data.x = await describeStreamArgument(xs, card);
  if (ys != null) data.y = await describeStreamArgument(ys, card);
  const v = opts.validationData;
  if (v && typeof v.take === 'function') {
    const vfirst = await v.take(1).toArray();
    if (vfirst.length) {
      const e = splitElement(vfirst[0]);
      data.validation = { x: await describeStreamArgument(e.xs, cardinality(v)) };
      if (e.ys != null) data.validation.y = await describeStreamArgument(e.ys, cardinality(v));
    }
  } else if (Array.isArray(v)) {
    data.validation = { x: await describeArgument(v[0], { send: 'stats' }) };
    if (v[1] != null) data.validation.y = await describeArgument(v[1], { send: 'stats' });
  }
  req.data = data;
  const { batchSize, validationSplit, ...rest } = opts; // fitDataset takes neither
  const fit = buildFit(rest);
  if (validationSplit !== undefined) fit.validation_split = validationSplit;
  if (Object.keys(fit).length) req.fit = fit;
  return send(req, opts);
}

/** GET /v1/reports/{id}: a stored report. */
export async function getReport(id, opts = {}) {
  const { body, headers } = await call('GET', `/v1/reports/${encodeURIComponent(id)}`, undefined, opts);
  return new Report(body, { location: headers.get('location') });
}

export default preflight;
