// Generates data scenarios for the agreement test (tests/unit/test_oracle_data.c):
// small Keras-2-style models (to_json() as tf.keras 2.15 writes it, which TF.js
// loads) fed either correct data or data with exactly one mistake. Each scenario
// runs through a real TF.js model.fit (../shared/oracle/fit.mjs); `merge` joins
// the oracle's answers with the fitcheck request that describes the same call.
//
//   node tests/oracle/gen_data_scenarios.mjs scenarios [SEED] > /tmp/data.jsonl
//   (cd "$ORACLE_DIR" && node fit.mjs < /tmp/data.jsonl > /tmp/data.out)
//   node tests/oracle/gen_data_scenarios.mjs merge /tmp/data.jsonl /tmp/data.out > tests/oracle/data_scenarios.json
//
// The request's data headers carry the stats of the values the oracle really
// makes: fit.mjs draws them from mulberry32(scenario.seed), which is replayed
// here (see simulate), so a header never claims a label the drawn data lacks.
import { readFileSync } from 'node:fs';

const DEFAULT_SEED = 20261207;

function mulberry32(seed) { // the same generator as ../shared/oracle/fit.mjs
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let rand = mulberry32(DEFAULT_SEED);
const pick = (a) => a[Math.floor(rand() * a.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const bool = () => rand() < 0.5;
const prod = (s) => s.reduce((a, b) => a * b, 1);

// ------------------------------------------------------------------ models
// Layer names follow Keras 2's defaults (dense, dense_1, ...), per model.
function namer() {
  const seen = {};
  return (base) => {
    const n = seen[base] ?? 0;
    seen[base] = n + 1;
    return n === 0 ? base : `${base}_${n}`;
  };
}

const common = (name) => ({ name, trainable: true, dtype: 'float32' });
const dense = (name, units, activation) => ({ class_name: 'Dense', config: { ...common(name), units, activation, use_bias: true } });
const flatten = (name) => ({ class_name: 'Flatten', config: { ...common(name), data_format: 'channels_last' } });

// A Sequential: with an explicit InputLayer (input_1, or a name of the user's), or with
// batch_input_shape on the first layer (TF.js then names the input <first layer>_input).
// Returns [model, input name].
function sequential(inShape, inDtype, layers) {
  const all = layers.map((l) => ({ class_name: l.class_name, config: { ...l.config } }));
  let inName;
  if (bool()) {
    inName = pick(['input_1', 'input_1', 'inputs', 'features']);
    all.unshift({ class_name: 'InputLayer', config: { batch_input_shape: [null, ...inShape], dtype: inDtype, sparse: false, ragged: false, name: inName } });
  } else {
    all[0].config = { ...all[0].config, batch_input_shape: [null, ...inShape] }; // the layer's own dtype stays float32
    inName = `${all[0].config.name}_input`;
  }
  return [{ class_name: 'Sequential', config: { name: 'sequential', layers: all }, keras_version: '2.15.0', backend: 'tensorflow' }, inName];
}

// Functional layer entry: inbound is a list of layer names (one node).
const F = (l, inbound) => ({ class_name: l.class_name, name: l.config.name, config: l.config, inbound_nodes: inbound ? [inbound.map((n) => [n, 0, 0, {}])] : [] });
const finput = (name, shape, dtype = 'float32') => F({ class_name: 'InputLayer', config: { batch_input_shape: [null, ...shape], dtype, sparse: false, ragged: false, name } });
function functional(layers, inputs, outputs) {
  return { class_name: pick(['Functional', 'Functional', 'Model']), config: { name: 'model', layers, input_layers: inputs.map((n) => [n, 0, 0]), output_layers: outputs.map((n) => [n, 0, 0]) },
    keras_version: '2.15.0', backend: 'tensorflow' };
}

// The output head for a task: [units, activation]; opts.U forces a regression width.
function head(task, opts) {
  if (task === 'binary') return [1, 'sigmoid'];
  if (task === 'multilabel') return [int(2, 5), 'sigmoid'];
  if (task === 'sparse' || task === 'cce') return [int(3, 10), 'softmax'];
  return [opts.U ?? pick([1, 1, 2, 3, 4]), 'linear']; // regression
}

// A recurrent or convolutional sequence layer (Sequential-ready); seq keeps the time axis.
function sequenceLayer(nm, seq) {
  const kind = pick(['LSTM', 'LSTM', 'GRU', 'SimpleRNN', 'Bidirectional', 'Conv1D']);
  const units = int(2, 6);
  if (kind === 'Conv1D') {
    return [{ class_name: 'Conv1D', config: { ...common(nm('conv1d')), filters: units, kernel_size: [pick([1, 2])], strides: [1], padding: 'same', data_format: 'channels_last',
      dilation_rate: [1], activation: 'relu', use_bias: true } }, ...(seq ? [] : [{ class_name: 'GlobalMaxPooling1D', config: { ...common(nm('global_max_pooling1d')), data_format: 'channels_last' } }])];
  }
  if (kind === 'Bidirectional') {
    const inner = pick(['LSTM', 'GRU']);
    return [{ class_name: 'Bidirectional', config: { ...common(nm('bidirectional')), merge_mode: 'concat',
      layer: { class_name: inner, config: { ...common(inner.toLowerCase()), units, return_sequences: seq, ...(inner === 'GRU' ? { reset_after: false } : {}) } } } }];
  }
  const config = { ...common(nm(kind.toLowerCase())), units, activation: 'tanh', use_bias: true, return_sequences: seq, return_state: false, go_backwards: false, stateful: false, unroll: false };
  if (kind !== 'SimpleRNN') config.recurrent_activation = 'sigmoid';
  if (kind === 'GRU') config.reset_after = false; // Keras 2's default (true) is refused by TF.js: a model finding, not a data one
  return [{ class_name: kind, config }];
}

// Each family returns {model, inputs: [{name, shape, dtype, fill}], outputs: [{name, shape, units, act}]}
// (shapes without the batch axis). opts may force a feature count (F), channels (C), width (U).
const families = {
  mlp(task, opts) {
    const nm = namer(), Fin = opts.F ?? int(2, 16), [units, act] = head(task, opts);
    const layers = [];
    if (bool()) {
      layers.push(dense(nm('dense'), int(4, 16), 'relu'));
      if (bool()) layers.push(pick([{ class_name: 'Dropout', config: { ...common(nm('dropout')), rate: 0.2 } },
        { class_name: 'BatchNormalization', config: { ...common(nm('batch_normalization')), axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale: true } }]));
    }
    const out = dense(nm('dense'), units, act);
    layers.push(out);
    const [model, inName] = sequential([Fin], 'float32', layers);
    return { model, inputs: [{ name: inName, shape: [Fin], dtype: 'float32', fill: 'random' }], outputs: [{ name: out.config.name, shape: [units], units, act }] };
  },
  func_mlp(task, opts) {
    const nm = namer(), Fin = opts.F ?? int(2, 16), [units, act] = head(task, opts);
    const h = dense(nm('dense'), int(4, 12), 'relu'), o = dense(nm('dense'), units, act);
    const model = functional([finput('features', [Fin]), F(h, ['features']), F(o, [h.config.name])], ['features'], [o.config.name]);
    return { model, inputs: [{ name: 'features', shape: [Fin], dtype: 'float32', fill: 'random' }], outputs: [{ name: o.config.name, shape: [units], units, act }] };
  },
  cnn(task, opts) {
    const nm = namer(), H = int(5, 8), W = int(5, 8), C = opts.C ?? pick([1, 1, 3]), [units, act] = head(task, opts);
    const layers = [{ class_name: 'Conv2D', config: { ...common(nm('conv2d')), filters: int(2, 4), kernel_size: [3, 3], strides: [1, 1],
      padding: pick(['valid', 'same']), data_format: 'channels_last', dilation_rate: [1, 1], activation: 'relu', use_bias: true } }];
    if (bool()) layers.push({ class_name: 'MaxPooling2D', config: { ...common(nm('max_pooling2d')), pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last' } });
    layers.push(flatten(nm('flatten')));
    const out = dense(nm('dense'), units, act);
    layers.push(out);
    const [model, inName] = sequential([H, W, C], 'float32', layers);
    return { model, inputs: [{ name: inName, shape: [H, W, C], dtype: 'float32', fill: 'random' }], outputs: [{ name: out.config.name, shape: [units], units, act }] };
  },
  img_flatten(task, opts) { // MNIST-style: Input(H, W) -> Flatten -> Dense
    const nm = namer(), H = int(4, 10), W = int(4, 10), [units, act] = head(task, opts);
    const layers = [flatten(nm('flatten'))];
    if (bool()) layers.push(dense(nm('dense'), int(4, 16), 'relu'));
    const out = dense(nm('dense'), units, act);
    layers.push(out);
    const [model, inName] = sequential([H, W], 'float32', layers);
    return { model, inputs: [{ name: inName, shape: [H, W], dtype: 'float32', fill: 'random' }], outputs: [{ name: out.config.name, shape: [units], units, act }] };
  },
  rnn(task, opts) { // Input(T, F) -> LSTM / GRU / SimpleRNN / Bidirectional / Conv1D+pooling -> Dense
    const nm = namer(), T = int(3, 6), Fin = opts.F ?? int(1, 4), [units, act] = head(task, opts);
    const out = dense(nm('dense'), units, act);
    const [model, inName] = sequential([T, Fin], 'float32', [...sequenceLayer(nm, false), out]);
    return { model, inputs: [{ name: inName, shape: [T, Fin], dtype: 'float32', fill: 'random' }], outputs: [{ name: out.config.name, shape: [units], units, act }] };
  },
  seq_tagging(task, opts) { // one prediction per time step: Input(T, F) -> RNN(return_sequences) -> Dense
    const nm = namer(), T = int(3, 6), Fin = opts.F ?? int(1, 4), [units, act] = head(task, opts);
    const d = dense(nm('dense'), units, act);
    const out = bool() ? d : { class_name: 'TimeDistributed', config: { ...common(nm('time_distributed')), layer: d } };
    const [model, inName] = sequential([T, Fin], 'float32', [...sequenceLayer(nm, true), out]);
    return { model, inputs: [{ name: inName, shape: [T, Fin], dtype: 'float32', fill: 'random' }], outputs: [{ name: out.config.name, shape: [T, units], units, act }] };
  },
  embedding(task, opts) { // token ids -> Embedding -> pooling/flatten -> Dense
    const nm = namer(), T = opts.T ?? int(2, 8), V = int(8, 40), [units, act] = head(task, opts);
    const layers = [{ class_name: 'Embedding', config: { ...common(nm('embedding')), input_dim: V, output_dim: int(2, 6), mask_zero: false, input_length: T } }];
    layers.push(bool() ? { class_name: 'GlobalAveragePooling1D', config: { ...common(nm('global_average_pooling1d')), data_format: 'channels_last' } } : flatten(nm('flatten')));
    const out = dense(nm('dense'), units, act);
    layers.push(out);
    const [model, inName] = sequential([T], pick(['float32', 'int32']), layers);
    return { model, V, inputs: [{ name: inName, shape: [T], dtype: 'int32', fill: `randint:0:${V}` }], outputs: [{ name: out.config.name, shape: [units], units, act }] };
  },
  func_two_inputs(task, opts) { // Input a, Input b -> Concatenate -> Dense -> head
    const nm = namer(), Fa = int(2, 8), Fb = int(2, 8), [units, act] = head(task, opts);
    const cat = { class_name: 'Concatenate', config: { ...common(nm('concatenate')), axis: -1 } };
    const h = dense(nm('dense'), int(4, 12), 'relu'), o = dense(nm('dense'), units, act);
    const model = functional([finput('a', [Fa]), finput('b', [Fb]), F(cat, ['a', 'b']), F(h, [cat.config.name]), F(o, [h.config.name])], ['a', 'b'], [o.config.name]);
    return { model, inputs: [{ name: 'a', shape: [Fa], dtype: 'float32', fill: 'random' }, { name: 'b', shape: [Fb], dtype: 'float32', fill: 'random' }],
      outputs: [{ name: o.config.name, shape: [units], units, act }] };
  },
  func_two_outputs(task, opts) { // Input -> Dense -> two regression heads (one loss for both)
    const nm = namer(), Fin = int(2, 10);
    const u1 = opts.U ?? pick([1, 2, 3]), u2 = pick([1, 2, 4]);
    const h = dense(nm('dense'), int(4, 12), 'relu'), o1 = dense('out_a', u1, 'linear'), o2 = dense('out_b', u2, 'linear');
    const model = functional([finput('features', [Fin]), F(h, ['features']), F(o1, [h.config.name]), F(o2, [h.config.name])], ['features'], ['out_a', 'out_b']);
    return { model, inputs: [{ name: 'features', shape: [Fin], dtype: 'float32', fill: 'random' }],
      outputs: [{ name: 'out_a', shape: [u1], units: u1, act: 'linear' }, { name: 'out_b', shape: [u2], units: u2, act: 'linear' }] };
  },
};

const LOSS = { binary: 'binary_crossentropy', multilabel: 'binary_crossentropy', sparse: 'sparse_categorical_crossentropy', cce: 'categorical_crossentropy' };

// The correct target for an output of shape [...lead, units]. A 1-D target is only
// right for TF.js when the output is (N, 1): it expands 1-D arrays to (N, 1) and
// checks every other target shape exactly (sparse: the output's with a last axis of 1).
function goodY(task, out, N) {
  const lead = out.shape.slice(0, -1), flat = lead.length === 0 && bool();
  if (task === 'binary') return { shape: flat ? [N] : [N, ...lead, 1], dtype: 'float32', fill: 'randint:0:2' };
  if (task === 'multilabel') return { shape: [N, ...lead, out.units], dtype: 'float32', fill: 'randint:0:2' };
  if (task === 'sparse') return { shape: flat ? [N] : [N, ...lead, 1], dtype: 'float32', fill: `randint:0:${out.units}` };
  if (task === 'cce') return { shape: [N, ...lead, out.units], dtype: 'float32', fill: `onehot:${out.units}` };
  return { shape: out.units === 1 && flat ? [N] : [N, ...lead, out.units], dtype: 'float32', fill: 'random' };
}

// A correct scenario: {family, task, model, inputs, outputs, N, x: [spec], y: [spec], loss, fit}.
function base(family, task, opts = {}) {
  const b = families[family](task, opts);
  const N = opts.N ?? int(6, 24);
  const x = b.inputs.map((i) => ({ shape: [N, ...i.shape], dtype: i.dtype, fill: i.fill }));
  const y = b.outputs.map((o) => goodY(task, o, N));
  const loss = task === 'regression' ? pick(['mse', 'mse', 'mae']) : LOSS[task];
  const fit = { batch_size: pick([2, 4, 4, 8, 8, 16]), epochs: pick([1, 1, 2]), validation_split: pick([0, 0, 0, 0.2, 0.25]) };
  if (fit.batch_size > N) fit.batch_size = 4;
  return { family, task, ...b, N, x, y, loss, fit, note: '' };
}

// --------------------------------------------------------------- mistakes
// Each mistake lists where it applies ([family, task] pairs) and how it turns a
// correct scenario into a wrong one (returning false when it cannot).
const ALL_TASK_FAMILIES = [
  ['mlp', 'binary'], ['mlp', 'sparse'], ['mlp', 'cce'], ['mlp', 'regression'], ['mlp', 'multilabel'],
  ['func_mlp', 'binary'], ['func_mlp', 'sparse'], ['func_mlp', 'cce'], ['func_mlp', 'regression'],
  ['cnn', 'sparse'], ['cnn', 'cce'], ['cnn', 'binary'], ['img_flatten', 'sparse'], ['img_flatten', 'cce'], ['img_flatten', 'multilabel'],
  ['rnn', 'binary'], ['rnn', 'sparse'], ['rnn', 'regression'], ['embedding', 'binary'], ['embedding', 'sparse'],
  ['seq_tagging', 'sparse'], ['seq_tagging', 'cce'], ['seq_tagging', 'binary'], ['seq_tagging', 'regression'],
  ['func_two_inputs', 'binary'], ['func_two_inputs', 'sparse'], ['func_two_inputs', 'cce'], ['func_two_inputs', 'regression'],
  ['func_two_outputs', 'regression'],
];
const withTask = (...tasks) => ALL_TASK_FAMILIES.filter(([, t]) => tasks.includes(t));
const withFamily = (...fams) => ALL_TASK_FAMILIES.filter(([f]) => fams.includes(f));
const others = (n, lo, hi) => { let v; do v = int(lo, hi); while (v === n); return v; };
const sfx = (list, k) => (list.length > 1 ? `[${k}]` : '');

// Special validation splits, used first. Mistakes: the float edge 10 * (1 - 0.9) =
// 0.9999999999999998 (no training sample, where exact arithmetic leaves one), and a split
// so small that 1 - split rounds to 1 (no validation sample). Correct ones: 1.0 (TF.js
// only splits for 0 < validation_split < 1, so it trains on everything) and
// 20 * (1 - 0.95) = 1.0000000000000009 (one training sample).
const SPECIAL_SPLITS = [[10, 0.9], [6, 1e-17]];
const SPECIAL_GOOD_SPLITS = [[10, 1.0], [20, 0.95]];

const mistakes = {
  none: { count: 76, where: ALL_TASK_FAMILIES, apply: () => true },
  batch_larger_than_n: { count: 16, where: ALL_TASK_FAMILIES,
    apply: (s) => { s.fit.batch_size = s.N + pick([1, 8, 32, 100]); s.fit.validation_split = pick([0, 0, 0.25]); s.note = `batch_size ${s.fit.batch_size} > ${s.N} samples`; return true; } },
  input_rank_flattened: { count: 16, where: withFamily('cnn', 'img_flatten'),
    apply: (s) => { s.x[0].shape = [s.N, prod(s.inputs[0].shape)]; s.note = 'images flattened'; return true; } },
  input_rank_missing_channel: { count: 14, where: withFamily('cnn', 'rnn', 'seq_tagging'),
    opts: (f) => (f === 'cnn' ? { C: 1 } : { F: 1 }),
    apply: (s) => { s.x[0].shape = [s.N, ...s.inputs[0].shape.slice(0, -1)]; s.note = 'trailing axis of size 1 missing'; return true; } },
  input_rank_extra_axis: { count: 18, where: withFamily('mlp', 'func_mlp', 'cnn', 'embedding', 'rnn', 'img_flatten'),
    apply: (s) => { s.x[0].shape = [...s.x[0].shape, 1]; s.note = 'extra trailing axis of size 1'; return true; } },
  wrong_feature_count: { count: 24, where: withFamily('mlp', 'func_mlp', 'cnn', 'img_flatten', 'rnn', 'seq_tagging', 'embedding', 'func_two_inputs', 'func_two_outputs'),
    apply: (s) => {
      const k = s.x.length - 1, shp = s.x[k].shape;
      const axis = shp.length > 2 && bool() ? int(1, shp.length - 2) : shp.length - 1; // sometimes a middle axis
      const was = shp[axis];
      shp[axis] = others(was, 1, was + 4);
      s.note = `x${sfx(s.x, k)} axis ${axis} is ${shp[axis]} instead of ${was}`;
      return true;
    } },
  x_1d: { count: 16, where: withFamily('mlp', 'func_mlp', 'embedding', 'rnn'), opts: (f) => (f === 'embedding' ? { T: pick([1, 4]) } : { F: pick([1, 3, 5, 8, 12]) }),
    apply: (s) => { s.x[0].shape = [s.N]; s.note = `1-D x for samples of shape ${JSON.stringify(s.inputs[0].shape)}`; return true; } },
  sample_count_mismatch: { count: 20, where: ALL_TASK_FAMILIES,
    apply: (s) => {
      const M = others(s.N, 4, 30);
      if (s.family === 'func_two_inputs' && bool()) { s.x[1].shape[0] = M; s.note = `x[0] has ${s.N} samples, x[1] ${M}`; return true; }
      const k = s.y.length - 1;
      s.y[k].shape[0] = M; s.note = `x has ${s.N} samples, y${sfx(s.y, k)} ${M}`; return true;
    } },
  too_few_inputs: { count: 10, where: withFamily('func_two_inputs'),
    apply: (s) => { s.x = [s.x[0]]; s.xSingle = bool(); s.note = `one array (${s.xSingle ? 'bare' : 'a list of one'}) for two inputs`; return true; } },
  too_many_inputs: { count: 12, where: withFamily('func_two_inputs', 'mlp', 'func_mlp', 'cnn'),
    apply: (s) => { s.x = [...s.x, { ...s.x[s.x.length - 1], shape: [...s.x[s.x.length - 1].shape] }]; s.note = `${s.x.length} arrays for ${s.inputs.length} input(s)`; return true; } },
  sparse_ce_onehot_y: { count: 16, where: withTask('sparse'),
    apply: (s) => { const o = s.outputs[0]; s.y[0] = { shape: [s.N, ...o.shape], dtype: 'float32', fill: `onehot:${o.units}` }; s.note = 'one-hot y, sparse loss'; return true; } },
  cce_integer_y: { count: 16, where: withTask('cce'),
    apply: (s) => {
      const o = s.outputs[0], lead = o.shape.slice(0, -1);
      s.y[0] = { shape: bool() ? [s.N, ...lead] : [s.N, ...lead, 1], dtype: 'float32', fill: `randint:0:${o.units}` };
      if (s.y[0].shape.length === 1 && bool()) s.y[0].shape = [s.N, 1];
      s.note = 'class indices, categorical loss'; return true;
    } },
  cce_onehot_width: { count: 14, where: withTask('cce'),
    apply: (s) => { const o = s.outputs[0], K2 = others(o.units, 2, o.units + 4); s.y[0] = { shape: [s.N, ...o.shape.slice(0, -1), K2], dtype: 'float32', fill: `onehot:${K2}` }; s.note = `one-hot of width ${K2} for ${o.units} units`; return true; } },
  label_out_of_range: { count: 18, where: withTask('sparse'), mustHave: 'outside',
    apply: (s) => {
      const K = s.outputs[0].units, v = int(0, 2);
      if (v === 0) { s.y[0].fill = `randint:1:${K + 1}`; s.note = `labels 1..${K} for ${K} units`; }
      else if (v === 1) { const hi = K + int(1, 5); s.y[0].fill = `randint:0:${hi}`; s.note = `labels 0..${hi - 1} for ${K} units`; }
      else { s.y[0].fill = `randint:-1:${K}`; s.note = `labels -1..${K - 1} for ${K} units`; }
      s.range = [0, K - 1]; return true;
    } },
  regression_target_shape: { count: 14, where: withTask('regression'), opts: () => ({ U: int(2, 5) }),
    apply: (s) => {
      const k = s.outputs.findIndex((o) => o.units > 1), o = s.outputs[k], lead = o.shape.slice(0, -1);
      s.y[k].shape = bool() ? [s.N, ...lead] : [s.N, ...lead, 1];
      s.note = `y${sfx(s.y, k)} ${JSON.stringify(s.y[k].shape)} for output ${JSON.stringify([s.N, ...o.shape])}`; return true;
    } },
  bce_y_shape: { count: 14, where: withTask('binary', 'multilabel'),
    apply: (s) => {
      const o = s.outputs[0], lead = o.shape.slice(0, -1), v = int(0, 2);
      if (o.units > 1) s.y[0] = { shape: v === 0 ? [s.N, ...lead] : [s.N, ...lead, 1], dtype: 'float32', fill: 'randint:0:2' };
      else if (v === 0) s.y[0] = { shape: [s.N, ...lead, 2], dtype: 'float32', fill: 'onehot:2' };
      else if (v === 1) s.y[0] = { shape: [s.N, ...lead, int(3, 5)], dtype: 'float32', fill: 'randint:0:2' };
      else s.y[0] = { shape: [s.N, ...lead, 1, 1], dtype: 'float32', fill: 'randint:0:2' };
      s.note = `y ${JSON.stringify(s.y[0].shape)} for output ${JSON.stringify([s.N, ...o.shape])}`; return true;
    } },
  bce_labels_not_binary: { count: 12, where: withTask('binary', 'multilabel'), mustHave: 'outside',
    apply: (s) => { const hi = pick([3, 5, 10]); s.y[0].fill = bool() ? `randint:0:${hi}` : 'randint:1:3'; s.range = [0, 1]; s.note = `labels ${s.y[0].fill} with binary_crossentropy`; return true; } },
  nan_in_x: { count: 16, where: ALL_TASK_FAMILIES.filter(([f]) => f !== 'embedding'),
    apply: (s) => { const k = s.x.length - 1; s.x[k].fill = 'nan'; s.note = `every 5th value of x${sfx(s.x, k)} is NaN`; return true; } },
  validation_split_empty: { count: 18, where: ALL_TASK_FAMILIES,
    apply: (s, i) => {
      let N, vs;
      if (i < SPECIAL_SPLITS.length) [N, vs] = SPECIAL_SPLITS[i];
      else { // the first candidate whose training slice is empty, computed the way TF.js does
        N = int(2, 10);
        const cands = [0.9, 0.95, 0.99, 1 - 1 / N, 0.8, 0.75, 0.6, 0.5].filter((v) => Math.floor(N * (1 - v)) === 0);
        if (cands.length === 0) return false;
        vs = pick(cands);
      }
      for (const t of [...s.x, ...s.y]) t.shape[0] = N;
      s.N = N; s.fit.validation_split = vs; s.fit.batch_size = 4;
      s.note = `validation_split ${vs} on ${N} samples: split at ${Math.floor(N * (1 - vs))}`; return true;
    } },
  sparse_int32_labels: { count: 14, where: withTask('sparse'),
    apply: (s) => { s.y[0].dtype = 'int32'; s.note = 'int32 labels, sparse loss'; return true; } },
  // Beyond the list, found while probing: a per-time-step target without the
  // output's trailing axis of 1 (Python Keras takes it; TF.js expands only 1-D arrays),
  // and token ids outside the Embedding's input_dim (TF.js's gather refuses them).
  seq_target_missing_axis: { count: 8, where: [['seq_tagging', 'sparse'], ['seq_tagging', 'binary'], ['seq_tagging', 'regression']], opts: () => ({ U: 1 }),
    apply: (s) => { s.y[0].shape = s.y[0].shape.slice(0, -1); s.note = `y ${JSON.stringify(s.y[0].shape)} for output ${JSON.stringify([s.N, ...s.outputs[0].shape])}`; return true; } },
  embedding_index_out_of_range: { count: 6, where: withFamily('embedding'), mustHave: 'outside',
    apply: (s) => {
      const V = s.V;
      // One bad id only (V or -1): TF.js names the first bad index it meets, and fit shuffles.
      if (bool()) { s.x[0].fill = `randint:0:${V + 1}`; s.note = `token ids 0..${V} for input_dim ${V}`; } else { s.x[0].fill = `randint:-1:${V}`; s.note = `token ids -1..${V - 1} for input_dim ${V}`; }
      s.range = [0, V - 1]; s.rangeOf = 'x'; return true;
    } },
};

// Borderline but correct validation splits: the training slice keeps a sample or more.
function borderlineSplit(s, j) {
  let N = int(2, 10);
  const cands = [0.9, 0.8, 0.75, 0.7, 0.6, 0.5, 0.34].filter((v) => Math.floor(N * (1 - v)) >= 1 && Math.floor(N * (1 - v)) < N);
  if (j < SPECIAL_GOOD_SPLITS.length) [N, s.fit.validation_split] = SPECIAL_GOOD_SPLITS[j];
  else if (cands.length === 0) return;
  else s.fit.validation_split = pick(cands);
  for (const t of [...s.x, ...s.y]) t.shape[0] = N;
  s.N = N; s.fit.batch_size = 4;
  s.note = s.fit.validation_split >= 1 ? `validation_split ${s.fit.validation_split} on ${N} samples (TF.js does not split)`
    : `validation_split ${s.fit.validation_split} on ${N} samples leaves ${Math.floor(N * (1 - s.fit.validation_split))} for training`;
}

// ------------------------------------------------------- replaying the oracle
// The values fit.mjs makes for each x and y spec, in its order (x first, then y).
function tfDtype(d) { return d.startsWith('int') || d.startsWith('uint') ? 'int32' : 'float32'; }
function simulate(seed, specs) {
  const r = mulberry32(seed);
  return specs.map((spec) => {
    const n = prod(spec.shape), fill = spec.fill;
    let vals;
    if (fill === 'random') vals = Float32Array.from({ length: n }, () => r());
    else if (fill === 'nan') vals = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? NaN : r()));
    else if (fill.startsWith('randint:')) {
      const [, lo, hi] = fill.split(':').map(Number);
      vals = Float32Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo)));
    } else if (fill.startsWith('onehot:')) {
      const k = Number(fill.split(':')[1]);
      vals = new Float32Array(n);
      for (let row = 0; row < n / k; row++) vals[row * k + Math.floor(r() * k)] = 1;
    } else if (fill.startsWith('const:')) vals = new Float32Array(n).fill(Number(fill.split(':')[1]));
    else throw new Error('unknown fill ' + fill);
    return tfDtype(spec.dtype) === 'int32' ? Array.from(vals, (v) => (Number.isNaN(v) ? 0 : Math.trunc(v))) : Array.from(vals);
  });
}

// The header stats fitcheck gets for a spec: random -> [0, 1]; NaN -> its count too; for
// integer-valued fills the range and the distinct values actually drawn.
function statsFor(spec, values) {
  const fill = spec.fill;
  if (fill === 'random') return { min: 0, max: 1 };
  if (fill === 'nan') {
    if (tfDtype(spec.dtype) === 'int32') return { min: 0, max: 1 }; // NaN becomes 0 in an int32 tensor
    return { min: 0, max: 1, nan_count: values.filter((v) => Number.isNaN(v)).length };
  }
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  if (fill.startsWith('onehot:')) return { distinct };
  if (fill.startsWith('const:')) return { min: distinct[0], max: distinct[0] };
  return { min: distinct[0], max: distinct.at(-1), distinct };
}

// ------------------------------------------------------------- generation
function generate(seed) {
  rand = mulberry32(seed);
  const out = [];
  let id = 0;
  for (const [tag, m] of Object.entries(mistakes)) {
    for (let i = 0; i < m.count; i++) {
      const [family, task] = m.where[i % m.where.length];
      let s, tries = 0;
      for (;;) {
        s = base(family, task, m.opts ? m.opts(family) : {});
        if (tag === 'none' && i % 7 === 6) borderlineSplit(s, Math.floor(i / 7));
        if (m.apply(s, i)) break;
        if (++tries > 50) throw new Error(`cannot make ${tag} for ${family}`);
      }
      const multiX = s.inputs.length > 1 || s.x.length > 1 || s.xSingle === false;
      const sc = {
        id: `data-${String(++id).padStart(3, '0')}-${tag}`,
        seed: 1000 + id,
        mistake: tag,
        family, task, note: s.note,
        model: s.model,
        compile: { loss: s.loss },
        x: multiX && !s.xSingle ? s.x : s.x[0],
        y: s.y.length > 1 ? s.y : s.y[0],
        fit: s.fit,
      };
      // A value mistake must really be in the drawn values: move the seed until it is.
      if (m.mustHave === 'outside') {
        const specs = [...s.x, ...s.y], which = s.rangeOf === 'x' ? 0 : specs.length - 1;
        while (!simulate(sc.seed, specs)[which].some((v) => v < s.range[0] || v > s.range[1])) sc.seed += 1000;
      }
      out.push(sc);
    }
  }
  return out;
}

function header(spec, values) {
  return { shape: spec.shape, dtype: spec.dtype, stats: statsFor(spec, values) };
}

// The fitcheck request for an oracle scenario: same model, headers for the same arrays.
function requestFor(sc) {
  const xs = Array.isArray(sc.x) ? sc.x : [sc.x], ys = Array.isArray(sc.y) ? sc.y : [sc.y];
  const vals = simulate(sc.seed, [...xs, ...ys]);
  const hx = xs.map((s, i) => header(s, vals[i])), hy = ys.map((s, i) => header(s, vals[xs.length + i]));
  return {
    framework: 'tfjs',
    model: sc.model,
    data: { x: Array.isArray(sc.x) ? hx : hx[0], y: Array.isArray(sc.y) ? hy : hy[0] },
    compile: { loss: sc.compile.loss },
    fit: { batch_size: sc.fit.batch_size, epochs: sc.fit.epochs, validation_split: sc.fit.validation_split },
  };
}

// Mistakes TF.js trains through without an error: a finite loss there is nonsense.
const SILENT = new Set(['label_out_of_range', 'bce_labels_not_binary']);

function merge(scenFile, outFile) {
  const lines = (f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const answers = new Map(lines(outFile).map((a) => [a.id, a]));
  const rows = [];
  for (const sc of lines(scenFile)) {
    const a = answers.get(sc.id);
    if (!a) throw new Error(`no oracle answer for ${sc.id}`);
    const trains = a.outcome === 'ok' && a.loss_finite === true;
    // final_loss is left out: TF.js initialises weights with its own unseeded random, so the
    // value changes from run to run (whether it is finite does not).
    const oracle = {
      outcome: a.outcome, stage: a.stage, error: a.error ?? null,
      loss_finite: a.outcome === 'ok' ? a.loss_finite : null,
      text: a.outcome === 'error' ? a.error : (a.loss_finite ? 'trains: the final loss is finite' : 'trains: the final loss is not finite (NaN)'),
    };
    rows.push({
      id: sc.id, mistake: sc.mistake, family: sc.family, task: sc.task, note: sc.note,
      silent_nonsense: SILENT.has(sc.mistake) && trains,
      expected: trains ? (SILENT.has(sc.mistake) ? 'fail (silent nonsense)' : 'pass or warn') : 'fail',
      oracle,
      scenario: { seed: sc.seed, compile: sc.compile, x: sc.x, y: sc.y, fit: sc.fit },
      request: requestFor(sc),
    });
  }
  // One scenario per line: diffs stay readable.
  process.stdout.write('[\n' + rows.map((r) => JSON.stringify(r)).join(',\n') + '\n]\n');
  const fails = rows.filter((r) => r.expected === 'fail').length, silent = rows.filter((r) => r.silent_nonsense).length;
  console.error(`${rows.length} scenarios: ${fails} fail in TF.js, ${silent} silent nonsense, ${rows.length - fails - silent} train`);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'scenarios') {
  for (const sc of generate(Number(args[0] ?? DEFAULT_SEED))) console.log(JSON.stringify(sc));
} else if (cmd === 'merge') {
  merge(args[0], args[1]);
} else {
  console.error('usage: gen_data_scenarios.mjs scenarios [SEED] > data.jsonl\n       gen_data_scenarios.mjs merge data.jsonl oracle.out > data_scenarios.json');
  process.exit(2);
}
