// Generates classic architectures as Keras-2-style Functional descriptors for
// the oracle fixtures (README.md): MobileNetV2 (alpha 1.0, 224x224, with the
// ImageNet top, as keras.applications builds it), a bidirectional-LSTM text
// classifier, and a two-input Functional model with a shared encoder.
//
//   node tests/oracle/gen_classic.mjs > classic.jsonl
function graph(name) {
  const layers = [];
  const g = {
    inputs: [],
    add(cls, config, inbound) {
      const nm = config.name;
      layers.push({ class_name: cls, name: nm, config: { ...config },
        inbound_nodes: inbound ? [inbound.map((x) => [x, 0, 0, {}])] : [] });
      return nm;
    },
    input(nm, shape, dtype = 'float32') {
      g.inputs.push(nm);
      return g.add('InputLayer', { name: nm, batch_input_shape: [null, ...shape], dtype }, null);
    },
    model(outputs) {
      return { class_name: 'Model', config: { name, layers, input_layers: g.inputs.map((i) => [i, 0, 0]),
        output_layers: outputs.map((o) => [o, 0, 0]) } };
    },
  };
  return g;
}

function makeDivisible(v, divisor = 8) {
  let nv = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (nv < 0.9 * v) nv += divisor;
  return nv;
}

function mobilenetV2() {
  const g = graph('mobilenetv2_1.00_224');
  const bn = (nm, x) => g.add('BatchNormalization', { name: nm, axis: -1, epsilon: 1e-3, momentum: 0.999, center: true, scale: true }, [x]);
  const relu6 = (nm, x) => g.add('ReLU', { name: nm, max_value: 6.0 }, [x]);
  const conv = (nm, x, filters, k, strides = 1, padding = 'same') => g.add('Conv2D', { name: nm, filters, kernel_size: [k, k], strides: [strides, strides], padding, use_bias: false, data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear' }, [x]);
  let size = 224;
  let x = g.input('input_1', [224, 224, 3]);
  x = conv('Conv1', x, 32, 3, 2);
  size = Math.ceil(size / 2);
  x = relu6('Conv1_relu', bn('bn_Conv1', x));
  let channels = 32;
  const block = (filters, stride, expansion, id) => {
    const inputs = x;
    const pointwise = makeDivisible(filters);
    let prefix = `block_${id}_`;
    let y = x;
    if (id) {
      y = conv(`${prefix}expand`, y, expansion * channels, 1);
      y = relu6(`${prefix}expand_relu`, bn(`${prefix}expand_BN`, y));
    } else {
      prefix = 'expanded_conv_';
    }
    if (stride === 2) {
      const adjust = 1 - (size % 2);
      y = g.add('ZeroPadding2D', { name: `${prefix}pad`, padding: [[1 - adjust, 1], [1 - adjust, 1]], data_format: 'channels_last' }, [y]);
    }
    y = g.add('DepthwiseConv2D', { name: `${prefix}depthwise`, kernel_size: [3, 3], strides: [stride, stride], padding: stride === 1 ? 'same' : 'valid', depth_multiplier: 1, use_bias: false, data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear' }, [y]);
    if (stride === 2) size = Math.ceil(size / 2);
    y = relu6(`${prefix}depthwise_relu`, bn(`${prefix}depthwise_BN`, y));
    y = conv(`${prefix}project`, y, pointwise, 1);
    y = bn(`${prefix}project_BN`, y);
    if (channels === pointwise && stride === 1) y = g.add('Add', { name: `${prefix}add` }, [inputs, y]);
    channels = pointwise;
    x = y;
  };
  const spec = [[16, 1, 1], [24, 2, 6], [24, 1, 6], [32, 2, 6], [32, 1, 6], [32, 1, 6], [64, 2, 6], [64, 1, 6], [64, 1, 6],
    [64, 1, 6], [96, 1, 6], [96, 1, 6], [96, 1, 6], [160, 2, 6], [160, 1, 6], [160, 1, 6], [320, 1, 6]];
  spec.forEach(([f, s, e], id) => block(f, s, e, id));
  x = conv('Conv_1', x, 1280, 1);
  x = relu6('out_relu', bn('Conv_1_bn', x));
  x = g.add('GlobalAveragePooling2D', { name: 'global_average_pooling2d', data_format: 'channels_last' }, [x]);
  x = g.add('Dense', { name: 'predictions', units: 1000, activation: 'softmax', use_bias: true }, [x]);
  return g.model([x]);
}

function bilstmText() {
  const g = graph('bilstm_text');
  let x = g.input('tokens', [200], 'int32');
  x = g.add('Embedding', { name: 'embedding', input_dim: 20000, output_dim: 128 }, [x]);
  x = g.add('Bidirectional', { name: 'bidirectional', merge_mode: 'concat', layer: { class_name: 'LSTM', config: { name: 'lstm', units: 64, return_sequences: true } } }, [x]);
  x = g.add('Bidirectional', { name: 'bidirectional_1', merge_mode: 'concat', layer: { class_name: 'LSTM', config: { name: 'lstm_1', units: 64 } } }, [x]);
  x = g.add('Dropout', { name: 'dropout', rate: 0.5 }, [x]);
  x = g.add('Dense', { name: 'label', units: 1, activation: 'sigmoid' }, [x]);
  return g.model([x]);
}

function twoInput() {
  const g = graph('two_input');
  const img = g.input('image', [32, 32, 3]);
  const meta = g.input('meta', [12]);
  let a = g.add('Conv2D', { name: 'conv', filters: 16, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', use_bias: true, data_format: 'channels_last', dilation_rate: [1, 1] }, [img]);
  a = g.add('MaxPooling2D', { name: 'pool', pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' }, [a]);
  a = g.add('Flatten', { name: 'flat' }, [a]);
  a = g.add('Dense', { name: 'img_feat', units: 32, activation: 'relu' }, [a]);
  const b = g.add('Dense', { name: 'meta_feat', units: 16, activation: 'relu' }, [meta]);
  let x = g.add('Concatenate', { name: 'joined', axis: -1 }, [a, b]);
  x = g.add('Dense', { name: 'hidden', units: 32, activation: 'relu' }, [x]);
  const cls = g.add('Dense', { name: 'class', units: 5, activation: 'softmax' }, [x]);
  const score = g.add('Dense', { name: 'score', units: 1 }, [x]);
  return g.model([cls, score]);
}

const scenarios = [
  ['classic-mobilenetv2', mobilenetV2(), [224, 224, 3], [1000]],
  ['classic-bilstm-text', bilstmText(), [200], [1]],
];
for (const [id, model, xs, ys] of scenarios) {
  console.log(JSON.stringify({ id, model, compile: { loss: 'mse' }, x: { shape: [1, ...xs], dtype: 'float32', fill: 'const:1' }, y: { shape: [1, ...ys], dtype: 'float32' }, fit: { batch_size: 1, epochs: 1 } }));
}
console.log(JSON.stringify({ id: 'classic-two-input', model: twoInput(), compile: { loss: 'mse' },
  x: [{ shape: [2, 32, 32, 3], dtype: 'float32' }, { shape: [2, 12], dtype: 'float32' }],
  y: [{ shape: [2, 5], dtype: 'float32' }, { shape: [2, 1], dtype: 'float32' }], fit: { batch_size: 2, epochs: 1 } }));
