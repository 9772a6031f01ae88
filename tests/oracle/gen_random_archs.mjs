// Generates random Keras-2-style model descriptors (Sequential and small
// Functional graphs) for the property test: each is run through a real
// TF.js build by ../shared/oracle, and the params and output shapes it
// reports become tests/oracle/random_archs.json (see README.md).
//
//   node tests/oracle/gen_random_archs.mjs [COUNT] [SEED] > scenarios.jsonl
const COUNT = Number(process.argv[2] ?? 300);
let seed = Number(process.argv[3] ?? 20261123);

function rand() { // mulberry32: reproducible across machines
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const bool = () => rand() < 0.5;

let counter = 0;
const name = (cls) => `${cls.toLowerCase()}_${++counter}`;

// Each builder takes the current shape (without the batch axis) and returns
// [layer config, new shape] or null when it does not apply.
const builders = {
  Dense: (s) => {
    const units = int(1, 24);
    return [{ class_name: 'Dense', config: { name: name('Dense'), units, activation: pick(['relu', 'linear', 'tanh']), use_bias: bool() } },
      [...s.slice(0, -1), units]];
  },
  Dropout: (s) => [{ class_name: 'Dropout', config: { name: name('Dropout'), rate: 0.25 } }, s],
  Activation: (s) => [{ class_name: 'Activation', config: { name: name('Activation'), activation: 'relu' } }, s],
  BatchNormalization: (s) => [{ class_name: 'BatchNormalization', config: { name: name('BN'), axis: -1, center: bool(), scale: bool() } }, s],
  LayerNormalization: (s) => [{ class_name: 'LayerNormalization', config: { name: name('LN'), axis: -1, center: bool(), scale: bool() } }, s],
  Flatten: (s) => (s.length < 2 ? null : [{ class_name: 'Flatten', config: { name: name('Flatten') } }, [s.reduce((a, b) => a * b, 1)]]),
  Reshape: (s) => {
    const n = s.reduce((a, b) => a * b, 1);
    const d = [2, 3, 4].find((k) => n % k === 0 && n / k > 1);
    return d ? [{ class_name: 'Reshape', config: { name: name('Reshape'), target_shape: [d, -1] } }, [d, n / d]] : null;
  },
  Conv2D: (s) => {
    if (s.length !== 3) return null;
    const k = int(1, 3), st = int(1, 2), padding = pick(['valid', 'same']), filters = int(1, 8);
    const out = (x) => (padding === 'same' ? Math.ceil(x / st) : Math.floor((x - k) / st) + 1);
    const h = out(s[0]), w = out(s[1]);
    if (h < 1 || w < 1) return null;
    return [{ class_name: 'Conv2D', config: { name: name('Conv2D'), filters, kernel_size: [k, k], strides: [st, st], padding, activation: 'relu', use_bias: bool(), data_format: 'channels_last', dilation_rate: [1, 1] } }, [h, w, filters]];
  },
  DepthwiseConv2D: (s) => {
    if (s.length !== 3) return null;
    const k = int(1, 3), dm = int(1, 2);
    const h = s[0] - k + 1, w = s[1] - k + 1;
    if (h < 1 || w < 1) return null;
    return [{ class_name: 'DepthwiseConv2D', config: { name: name('DWConv'), kernel_size: [k, k], strides: [1, 1], padding: 'valid', depth_multiplier: dm, use_bias: bool(), data_format: 'channels_last', dilation_rate: [1, 1] } }, [h, w, s[2] * dm]];
  },
  MaxPooling2D: (s) => {
    if (s.length !== 3 || s[0] < 2 || s[1] < 2) return null;
    return [{ class_name: 'MaxPooling2D', config: { name: name('MaxPool'), pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' } }, [Math.floor(s[0] / 2), Math.floor(s[1] / 2), s[2]]];
  },
  GlobalAveragePooling2D: (s) => (s.length !== 3 ? null : [{ class_name: 'GlobalAveragePooling2D', config: { name: name('GAP'), data_format: 'channels_last' } }, [s[2]]]),
  ZeroPadding2D: (s) => (s.length !== 3 ? null : [{ class_name: 'ZeroPadding2D', config: { name: name('Pad'), padding: [[1, 1], [1, 1]], data_format: 'channels_last' } }, [s[0] + 2, s[1] + 2, s[2]]]),
  UpSampling2D: (s) => (s.length !== 3 || s[0] > 16 ? null : [{ class_name: 'UpSampling2D', config: { name: name('Up'), size: [2, 2], data_format: 'channels_last' } }, [s[0] * 2, s[1] * 2, s[2]]]),
  Conv1D: (s) => {
    if (s.length !== 2) return null;
    const k = int(1, 3), filters = int(1, 8), padding = pick(['valid', 'same', 'causal']);
    const len = padding === 'valid' ? s[0] - k + 1 : s[0];
    if (len < 1) return null;
    return [{ class_name: 'Conv1D', config: { name: name('Conv1D'), filters, kernel_size: [k], strides: [1], padding, use_bias: bool(), activation: 'relu', data_format: 'channels_last', dilation_rate: [1] } }, [len, filters]];
  },
  LSTM: (s) => {
    if (s.length !== 2) return null;
    const units = int(1, 12), rs = bool();
    return [{ class_name: 'LSTM', config: { name: name('LSTM'), units, return_sequences: rs, use_bias: bool() } }, rs ? [s[0], units] : [units]];
  },
  GRU: (s) => {
    if (s.length !== 2) return null;
    const units = int(1, 12), rs = bool(), ra = bool();
    return [{ class_name: 'GRU', config: { name: name('GRU'), units, return_sequences: rs, reset_after: ra, use_bias: true } }, rs ? [s[0], units] : [units]];
  },
  SimpleRNN: (s) => {
    if (s.length !== 2) return null;
    const units = int(1, 12), rs = bool();
    return [{ class_name: 'SimpleRNN', config: { name: name('RNN'), units, return_sequences: rs } }, rs ? [s[0], units] : [units]];
  },
  Bidirectional: (s) => {
    if (s.length !== 2) return null;
    const units = int(1, 8), rs = bool(), mode = pick(['concat', 'sum', 'ave', 'mul']);
    const inner = { class_name: pick(['LSTM', 'GRU']), config: { name: name('inner'), units, return_sequences: rs } };
    const out = mode === 'concat' ? units * 2 : units;
    return [{ class_name: 'Bidirectional', config: { name: name('BiDi'), layer: inner, merge_mode: mode } }, rs ? [s[0], out] : [out]];
  },
  TimeDistributed: (s) => {
    if (s.length !== 2) return null;
    const units = int(1, 8);
    return [{ class_name: 'TimeDistributed', config: { name: name('TD'), layer: { class_name: 'Dense', config: { name: name('tdd'), units } } } }, [s[0], units]];
  },
  RepeatVector: (s) => (s.length !== 1 ? null : [{ class_name: 'RepeatVector', config: { name: name('Rep'), n: int(2, 5) } }, null]),
};

function sequential() {
  const start = pick([[int(4, 12), int(4, 12), int(1, 3)], [int(3, 10), int(2, 6)], [int(2, 20)]]);
  const layers = [];
  let s = start;
  const n = int(2, 6);
  for (let i = 0; i < n * 4 && layers.length < n; i++) {
    const r = builders[pick(Object.keys(builders))](s);
    if (!r) continue;
    const [layer, next] = r;
    layers.push(layer);
    s = next ?? [layer.config.n, s[0]];
  }
  if (layers.length === 0) return null;
  layers[0].config.batch_input_shape = [null, ...start];
  return { class_name: 'Sequential', config: { name: 'sequential', layers } };
}

function functional() { // two Dense branches merged, then a head
  const d = int(2, 16), a = int(1, 8), merge = pick(['Add', 'Concatenate', 'Multiply', 'Average', 'Maximum', 'Subtract']);
  const b = merge === 'Concatenate' ? int(1, 8) : a;
  const L = (cls, nm, config, inbound) => ({ class_name: cls, name: nm, config: { name: nm, ...config }, inbound_nodes: inbound ? [inbound.map((x) => [x, 0, 0, {}])] : [] });
  const layers = [
    L('InputLayer', 'in', { batch_input_shape: [null, d], dtype: 'float32' }),
    L('Dense', 'left', { units: a, activation: 'relu' }, ['in']),
    L('Dense', 'right', { units: b, activation: 'tanh', use_bias: bool() }, ['in']),
    L(merge, 'merge', merge === 'Concatenate' ? { axis: -1 } : {}, ['left', 'right']),
    L('Dense', 'head', { units: int(1, 5) }, ['merge']),
  ];
  return { class_name: 'Model', config: { name: 'model', layers, input_layers: [['in', 0, 0]], output_layers: [['head', 0, 0]] } };
}

for (let i = 0; i < COUNT; i++) {
  const model = i % 5 === 4 ? functional() : sequential();
  if (!model) continue;
  // Only the build matters: x matches the input, y is whatever; fit may then fail, which is fine.
  const inShape = model.class_name === 'Sequential' ? model.config.layers[0].config.batch_input_shape : model.config.layers[0].config.batch_input_shape;
  console.log(JSON.stringify({ id: `arch-${i}`, model, compile: { loss: 'mse' },
    x: { shape: [4, ...inShape.slice(1)], dtype: 'float32' }, y: { shape: [4, 1], dtype: 'float32' },
    fit: { batch_size: 4, epochs: 1 } }));
}
