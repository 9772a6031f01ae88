// Model descriptors and request bodies used by the HTTP tests. The models are
// what `model.to_json()` writes for
//
//   inputs = keras.Input(shape=(28, 28))
//   x = keras.layers.Flatten()(inputs)
//   outputs = keras.layers.Dense(10, activation="softmax")(x)
//   model = keras.Model(inputs, outputs)
//
// in Keras 3 and in tf.keras 2.15, and a Keras 3 Sequential equivalent.

const DENSE_DEFAULTS = {
  use_bias: true,
  kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null },
  bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
  kernel_regularizer: null,
  bias_regularizer: null,
  activity_regularizer: null,
  kernel_constraint: null,
  bias_constraint: null,
};

const K3_DTYPE = {
  module: 'keras',
  class_name: 'DTypePolicy',
  config: { name: 'float32' },
  registered_name: null,
};

function k3Tensor(shape, layer) {
  return {
    class_name: '__keras_tensor__',
    config: { shape, dtype: 'float32', keras_history: [layer, 0, 0] },
  };
}

/** Keras 3 `model.to_json()` (parsed) of the Functional MNIST model; input "input_layer". */
export function keras3Functional() {
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: {
      name: 'functional',
      trainable: true,
      layers: [
        {
          module: 'keras.layers',
          class_name: 'InputLayer',
          config: { batch_shape: [null, 28, 28], dtype: 'float32', sparse: false, name: 'input_layer' },
          registered_name: null,
          name: 'input_layer',
          inbound_nodes: [],
        },
        {
          module: 'keras.layers',
          class_name: 'Flatten',
          config: { name: 'flatten', trainable: true, dtype: K3_DTYPE, data_format: 'channels_last' },
          registered_name: null,
          build_config: { input_shape: [null, 28, 28] },
          name: 'flatten',
          inbound_nodes: [{ args: [k3Tensor([null, 28, 28], 'input_layer')], kwargs: {} }],
        },
        {
          module: 'keras.layers',
          class_name: 'Dense',
          config: { name: 'dense', trainable: true, dtype: K3_DTYPE, units: 10, activation: 'softmax', ...DENSE_DEFAULTS },
          registered_name: null,
          build_config: { input_shape: [null, 784] },
          name: 'dense',
          inbound_nodes: [{ args: [k3Tensor([null, 784], 'flatten')], kwargs: {} }],
        },
      ],
      input_layers: [['input_layer', 0, 0]],
      output_layers: [['dense', 0, 0]],
    },
    registered_name: 'Functional',
    build_config: { input_shape: null },
    compile_config: null,
  };
}

/** tf.keras 2.15 `model.to_json()` (parsed) of the same model; input "input_1". */
export function keras2Functional() {
  return {
    class_name: 'Functional',
    config: {
      name: 'model',
      trainable: true,
      layers: [
        {
          class_name: 'InputLayer',
          config: { batch_input_shape: [null, 28, 28], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' },
          name: 'input_1',
          inbound_nodes: [],
        },
        {
          class_name: 'Flatten',
          config: { name: 'flatten', trainable: true, dtype: 'float32', data_format: 'channels_last' },
          name: 'flatten',
          inbound_nodes: [[['input_1', 0, 0, {}]]],
        },
        {
          class_name: 'Dense',
          config: { name: 'dense', trainable: true, dtype: 'float32', units: 10, activation: 'softmax', ...DENSE_DEFAULTS },
          name: 'dense',
          inbound_nodes: [[['flatten', 0, 0, {}]]],
        },
      ],
      input_layers: [['input_1', 0, 0]],
      output_layers: [['dense', 0, 0]],
    },
    keras_version: '2.15.0',
    backend: 'tensorflow',
  };
}

/** Keras 3 `model.to_json()` of keras.Sequential([Input((28, 28)), Flatten(), Dense(10)]). */
export function keras3Sequential() {
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name: 'sequential',
      trainable: true,
      dtype: K3_DTYPE,
      layers: [
        {
          module: 'keras.layers',
          class_name: 'InputLayer',
          config: { batch_shape: [null, 28, 28], dtype: 'float32', sparse: false, name: 'input_layer' },
          registered_name: null,
        },
        {
          module: 'keras.layers',
          class_name: 'Flatten',
          config: { name: 'flatten', trainable: true, dtype: K3_DTYPE, data_format: 'channels_last' },
          registered_name: null,
          build_config: { input_shape: [null, 28, 28] },
        },
        {
          module: 'keras.layers',
          class_name: 'Dense',
          config: { name: 'dense', trainable: true, dtype: K3_DTYPE, units: 10, activation: 'softmax', ...DENSE_DEFAULTS },
          registered_name: null,
          build_config: { input_shape: [null, 784] },
        },
      ],
      build_input_shape: [null, 28, 28],
    },
    registered_name: null,
    build_config: { input_shape: [null, 28, 28] },
    compile_config: null,
  };
}

/** The seed models: [label, builder, expected framework, input name]. */
export const SEED_MODELS = [
  ['Keras 3 Functional', keras3Functional, 'keras3', 'input_layer'],
  ['tf.keras 2 Functional', keras2Functional, 'tf.keras2', 'input_1'],
  ['Keras 3 Sequential', keras3Sequential, 'keras3', 'input_layer'],
];

export function tensor(shape, dtype = 'float32', stats) {
  const t = { shape, dtype };
  if (stats) t.stats = stats;
  return t;
}

/** A preflight body for the MNIST model: x of the given shape, y (N,) uint8 labels. */
export function mnistRequest({ model = keras3Functional(), x = [100, 28, 28], y = null, labels, ...rest } = {}) {
  const body = {
    model,
    data: { x: tensor(x) },
    compile: { loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] },
    fit: { batch_size: 32, epochs: 1, validation_split: 0 },
    ...rest,
  };
  if (y) body.data.y = tensor(y, 'uint8', { min: 0, max: 9, distinct: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
  if (labels) body.labels = labels;
  return body;
}

/** A request that passes: x (N, 28, 28), y (N,). */
export function passingRequest(extra = {}) {
  return mnistRequest({ x: [100, 28, 28], y: [100], ...extra });
}

/** A request that fails: x (N, 784) for Input((28, 28)). */
export function failingRequest(extra = {}) {
  return mnistRequest({ x: [100, 784], y: [100], ...extra });
}

/** Checks a Report's internal consistency (counts vs findings, verdict vs counts). */
export function reportProblems(report) {
  const problems = [];
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of report.findings) counts[f.severity] += 1;
  for (const k of Object.keys(counts)) {
    if (report.counts[k] !== counts[k]) problems.push(`counts.${k} is ${report.counts[k]} but ${counts[k]} findings have severity ${k}`);
  }
  const verdict = counts.error > 0 ? 'fail' : counts.warning > 0 ? 'warn' : 'pass';
  if (report.verdict !== verdict) problems.push(`verdict is ${report.verdict} but the findings make it ${verdict}`);
  return problems;
}

/** ReportSummary view of a Report. */
export function summaryOf(report) {
  const { id, created_at, framework, verdict, summary, counts, labels } = report;
  const codes = [...new Set(report.findings.map((f) => f.code))];
  return { id, created_at, framework, verdict, summary, counts, labels, codes };
}
