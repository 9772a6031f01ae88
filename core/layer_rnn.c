/*
 * layer_rnn.c - recurrent layers: SimpleRNN, LSTM and GRU, the generic RNN
 * over their cells, the CuDNNLSTM / CuDNNGRU of tf.keras 1.x,
 * ConvLSTM1D/2D/3D, and the wrappers Bidirectional and TimeDistributed.
 *
 * Sources read for every rule below (the function comments name the file):
 *   keras3:    keras/src/layers/rnn/{rnn,simple_rnn,lstm,gru,conv_lstm,
 *              bidirectional,time_distributed}.py (keras-team/keras 3422977)
 *   tf.keras2: keras/layers/rnn/{base_rnn,simple_rnn,lstm,gru,cudnn_lstm,cudnn_gru,
 *              base_cudnn_rnn,base_conv_rnn,base_conv_lstm,bidirectional,
 *              time_distributed}.py (keras-team/keras cbbe8eb, the last Keras 2 tree)
 *   tfjs:      tfjs-layers/src/layers/{recurrent,convolutional_recurrent,wrappers}.ts
 *              (tensorflow/tfjs 0fc04d9), and the oracle (TF.js 4.22 model.fit).
 */
#include <string.h>

#include "layers.h"

/* ---- helpers ------------------------------------------------------------- */

/* A positive size from the config, or -1 (Keras refuses units <= 0 when the layer is made). */
static int64_t cfg_size(const json_t *config, const char *key)
{
    int64_t v = fc_cfg_int(config, key, -1);

    if (v < 1)
        return -1;
    return v > FC_DIM_MAX ? FC_DIM_MAX + 1 : v;
}

/*
 * units, or Keras 1's output_dim: Keras 2 read Keras 1 configs through
 * keras/legacy/interfaces.py, which renamed output_dim to units for the
 * recurrent layers (corpus: keras1-kerasjs-imdb-bidirectional-lstm.json).
 * TF.js reads units only ("Expected units to be a positive integer, but got
 * undefined", oracle).
 */
static int64_t cfg_units(const fc_build *b, const json_t *config)
{
    if (json_object_get(config, "units") == NULL && b->target != FC_FW_TFJS)
        return cfg_size(config, "output_dim");
    return cfg_size(config, "units");
}

/* A shape (batch, d) for recurrent states and last outputs. */
static fc_shape shape2(int64_t batch, int64_t d)
{
    fc_shape s;

    memset(&s, 0, sizeof(s));
    s.rank = 2;
    s.dims[0] = batch;
    s.dims[1] = d;
    return s;
}

/* Takes over the problem a wrapped layer's build found, naming the wrapper first. */
static void adopt_problem(fc_build *b, const fc_build *inner)
{
    size_t i;

    fc_build_problem(b, inner->problem, "%s '%s' wraps %s '%s': %s", b->class_name ? b->class_name : "layer",
                     b->name ? b->name : "", inner->class_name ? inner->class_name : "layer", inner->name,
                     inner->message);
    for (i = 0; i < inner->n_vars; i++)
        fc_build_var(b, inner->var_names[i], "%s", inner->var_values[i]);
}

/*
 * Builds the layer a wrapper holds on one input. Returns 1 when the caller
 * may go on with *inner; 0 when b is already settled (an unknown wrapped
 * class leaves everything unknown, a wrapped problem becomes the wrapper's).
 */
static int build_wrapped(fc_build *b, const json_t *layer, const fc_shape *input, fc_build *inner,
                         fc_status *result)
{
    int known;

    *result = fc_layer_build_object(layer, input, 1, b->target, b->version, b->depth, inner, &known);
    if (*result != FC_OK)
        return 0;
    if (!known) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return 0;
    }
    if (inner->has_problem) {
        adopt_problem(b, inner);
        return 0;
    }
    return 1;
}

/* Adds a wrapped layer's weights, keeping what it could not count (unknown, beyond 2^53). */
static void add_wrapped_params(fc_build *b, const fc_build *inner)
{
    b->params_unknown |= inner->params_unknown;
    b->params_overflow |= inner->params_overflow;
    fc_build_add_params(b, inner->trainable, 1);
    fc_build_add_params(b, inner->non_trainable, 0);
}

/* ---- SimpleRNN, LSTM, GRU and their cells -------------------------------- */

/*
 * One recurrent cell: gates weight blocks of (input_dim + units) x units,
 * and bias_blocks bias vectors of gates x units when it has a bias.
 * SimpleRNN 1 gate, GRU 3, LSTM 4; states: LSTM 2 (h, c), the others 1.
 */
typedef struct cell_kind {
    const char *layer_class; /* "LSTM" */
    const char *cell_class;  /* "LSTMCell" */
    int gates;
    int n_states;
} cell_kind;

static const cell_kind cell_kinds[] = {
    {"SimpleRNN", "SimpleRNNCell", 1, 1},
    {"GRU", "GRUCell", 3, 1},
    {"LSTM", "LSTMCell", 4, 2},
    {"CuDNNGRU", NULL, 3, 1},
    {"CuDNNLSTM", NULL, 4, 2},
};

static const cell_kind *cell_kind_find(const char *class_name, int as_cell)
{
    const char *sep;
    size_t i;

    if (class_name == NULL)
        return NULL;
    sep = strrchr(class_name, '>');
    if (sep == NULL)
        sep = strrchr(class_name, '.');
    if (sep != NULL)
        class_name = sep + 1;
    for (i = 0; i < sizeof(cell_kinds) / sizeof(cell_kinds[0]); i++) {
        const char *name = as_cell ? cell_kinds[i].cell_class : cell_kinds[i].layer_class;

        if (name != NULL && strcmp(name, class_name) == 0)
            return &cell_kinds[i];
    }
    return NULL;
}

/*
 * Bias vectors per gate and unit.
 * GRU: keras3 gru.py GRUCell.build and tf.keras2 gru.py GRUCell.build make a
 * (2, 3*units) bias when reset_after (default True), else (3*units,).
 * tfjs recurrent.ts GRUCell: no reset_after support; the constructor throws
 * "GRUCell does not support reset_after parameter set to true." and the bias
 * is always (3*units,), so an absent reset_after means False there (oracle:
 * GRU(4) on 3 features = 96 params, reset_after true fails to build).
 * CuDNNLSTM/CuDNNGRU: tf.keras2 cudnn_lstm.py / cudnn_gru.py CuDNN*.build
 * always add a bias of 8*units / 6*units (separate input and recurrent biases).
 * Returns -1 when the target cannot build the cell at all.
 */
static int bias_blocks(const fc_build *b, const cell_kind *k, const json_t *cell_config)
{
    const json_t *ra = json_object_get(cell_config, "reset_after");

    if (k->cell_class == NULL)
        return 2; /* CuDNN: no use_bias option */
    if (k->gates == 3 && b->target == FC_FW_TFJS && json_is_true(ra))
        return -1; /* refused whatever use_bias says */
    if (!fc_cfg_bool(cell_config, "use_bias", 1))
        return 0;
    if (k->gates != 3 || b->target == FC_FW_TFJS)
        return 1;
    return json_is_boolean(ra) ? (json_is_true(ra) ? 2 : 1) : 2;
}

/*
 * Weights of one cell on input_dim features:
 * gates*units*(input_dim + units) + blocks*gates*units; unknown when the
 * target cannot build the cell (a TF.js GRU with reset_after true).
 */
static int64_t cell_weights(const fc_build *b, const cell_kind *k, const json_t *cell_config, int64_t input_dim,
                            int64_t units)
{
    int blocks = bias_blocks(b, k, cell_config);
    int64_t gu = fc_dim_mul(k->gates, units);

    if (blocks < 0)
        return FC_DIM_UNKNOWN;
    return fc_dim_add(fc_dim_mul(gu, fc_dim_add(input_dim, units)), fc_dim_mul(blocks, gu));
}

/*
 * The outputs every recurrent layer shares, from rnn.py RNN.compute_output_shape
 * (keras3), base_rnn.py RNN.compute_output_shape (tf.keras2) and recurrent.ts
 * RNN.computeOutputShape (tfjs): (batch, time, size) with return_sequences,
 * else (batch, size); with return_state one (batch, state) per state after it.
 */
static void rnn_outputs(fc_build *b, const json_t *config, int64_t size, const int64_t *states, size_t n_states)
{
    const fc_shape *in = &b->inputs[0];
    size_t i;

    b->n_outputs = 1;
    if (fc_cfg_bool(config, "return_sequences", 0)) {
        memset(&b->outputs[0], 0, sizeof(b->outputs[0]));
        b->outputs[0].rank = 3;
        b->outputs[0].dims[0] = in->dims[0];
        b->outputs[0].dims[1] = in->dims[1];
        b->outputs[0].dims[2] = size;
    } else {
        b->outputs[0] = shape2(in->dims[0], size);
    }
    if (!fc_cfg_bool(config, "return_state", 0))
        return;
    for (i = 0; i < n_states && b->n_outputs < FC_MAX_LAYER_IO; i++)
        b->outputs[b->n_outputs++] = shape2(in->dims[0], states[i]);
}

/*
 * SimpleRNN, LSTM, GRU, CuDNNLSTM, CuDNNGRU.
 * Input spec ndim=3 everywhere: keras3 simple_rnn.py SimpleRNN.__init__
 * ([InputSpec(ndim=3)]), lstm.py LSTM.__init__ and gru.py GRU.__init__
 * (InputSpec(ndim=3)); tf.keras2 simple_rnn.py, lstm.py, gru.py and
 * base_cudnn_rnn.py _CuDNNRNN.__init__ ([InputSpec(ndim=3)]); tfjs
 * recurrent.ts RNN constructor ([new InputSpec({ndim: 3})]). So an LSTM after
 * an LSTM without return_sequences=True fails on rank 2 (oracle: "Input 0 is
 * incompatible with layer b: expected ndim=3, found ndim=2"). An undefined
 * time axis is normal; an undefined feature axis leaves the kernel unknown.
 * Weights: the *Cell.build of each file (kernel (input_dim, gates*units),
 * recurrent_kernel (units, gates*units), bias as in bias_blocks).
 */
static fc_status recurrent_build(fc_build *b)
{
    const cell_kind *k = cell_kind_find(b->class_name, 0);
    int64_t units = cfg_units(b, b->config), states[2];

    if (k == NULL || b->n_inputs == 0) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return FC_OK;
    }
    if (!fc_build_expect_rank(b, 0, 3, 0))
        return FC_OK;
    states[0] = states[1] = units;
    rnn_outputs(b, b->config, units, states, (size_t)k->n_states);
    fc_build_add_params(b, cell_weights(b, k, b->config, b->inputs[0].dims[2], units), 1);
    return FC_OK;
}

/*
 * RNN(cell) and RNN([cells]) over the built-in cells.
 * keras3 rnn.py RNN: input_spec None, a list of cells becomes
 * StackedRNNCells (stacked_rnn_cells.py: each cell is built on the previous
 * cell's output size; the output size is the last cell's; state_size lists
 * every cell's states, in order; RNN.from_config deserializes a list too).
 * tf.keras2 base_rnn.py RNN builds the same. tfjs recurrent.ts RNN:
 * InputSpec ndim=3; RNN.fromConfig needs one {class_name, config} cell (a
 * bare list fails: "Improper config format", oracle); StackedRNNCells.stateSize
 * lists the last cell's states first. With rank other than 3 Keras raises
 * from the cell, reported here as min_ndim=3. A cell fitcheck does not know
 * (a custom cell) leaves everything unknown.
 */
static fc_status rnn_build(fc_build *b)
{
    const json_t *cell = json_object_get(b->config, "cell");
    const json_t *cells = cell;
    int64_t states[FC_MAX_LAYER_IO], dim, units = -1, total = 0;
    size_t n_cells, i, n_states = 0;

    if (b->n_inputs == 0) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return FC_OK;
    }
    if (json_is_object(cell) && strcmp(fc_cfg_str(cell, "class_name", ""), "StackedRNNCells") == 0)
        cells = json_object_get(json_object_get(cell, "config"), "cells");
    n_cells = json_is_array(cells) ? json_array_size(cells) : (json_is_object(cells) ? 1 : 0);
    if (json_is_array(cell) && b->target == FC_FW_TFJS)
        n_cells = 0; /* TF.js deserializes only {class_name, config} cells ("Improper config format", oracle) */
    if (b->target == FC_FW_TFJS && !fc_build_expect_rank(b, 0, 3, 0))
        return FC_OK;
    if (b->target != FC_FW_TFJS && !fc_build_expect_rank(b, 0, 0, 3))
        return FC_OK;
    if (n_cells == 0 || b->inputs[0].rank != 3) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return FC_OK;
    }
    dim = b->inputs[0].dims[2];
    for (i = 0; i < n_cells; i++) {
        const json_t *c = json_is_array(cells) ? json_array_get(cells, i) : cells;
        const json_t *cc = json_object_get(c, "config");
        const cell_kind *k = cell_kind_find(fc_cfg_str(c, "class_name", NULL), 1);
        int s;

        if (k == NULL) {
            fc_build_unknown_output(b);
            b->params_unknown = 1;
            return FC_OK;
        }
        units = cfg_units(b, cc);
        total = fc_dim_add(total, cell_weights(b, k, cc, dim, units));
        if (b->target == FC_FW_TFJS) {
            /* recurrent.ts StackedRNNCells.stateSize: the last cell's states come first. */
            size_t keep = n_states + (size_t)k->n_states <= FC_MAX_LAYER_IO ? n_states
                                                                            : FC_MAX_LAYER_IO - (size_t)k->n_states;

            memmove(states + k->n_states, states, keep * sizeof(states[0]));
            n_states = keep + (size_t)k->n_states;
            for (s = 0; s < k->n_states; s++)
                states[s] = units;
        } else {
            for (s = 0; s < k->n_states && n_states < FC_MAX_LAYER_IO; s++)
                states[n_states++] = units;
        }
        dim = units;
    }
    rnn_outputs(b, b->config, units, states, n_states);
    fc_build_add_params(b, total, 1);
    return FC_OK;
}

/* ---- ConvLSTM1D/2D/3D ---------------------------------------------------- */

/*
 * One spatial axis of the convolution: "same" keeps ceil(size / stride),
 * anything else is "valid", ceil((size - window + 1) / stride) with window
 * the dilated kernel (keras3 operation_utils.compute_conv_output_shape, tfjs
 * conv_utils.ts convOutputLength). It stays
 * defined for absurd kernel, stride and dilation values. Returns 0 when the
 * length is unknown, else 1 with *len (<= 0 when the window does not fit)
 * and *window, the dilated kernel clamped to FC_DIM_MAX + 1.
 */
static int conv_axis(int64_t size, int64_t kernel, const char *padding, int64_t stride, int64_t dilation,
                     int64_t *len, int64_t *window)
{
    if (size < 0 || kernel < 1 || stride < 1 || dilation < 1)
        return 0; /* Keras refuses such kernels, strides and dilations when the layer is made */
    *window = fc_dim_add(kernel, fc_dim_mul(kernel - 1, dilation - 1));
    if (stride > FC_DIM_MAX)
        stride = FC_DIM_MAX + 1;
    *len = strcmp(padding, "same") == 0 ? size : size - *window + 1;
    if (*len > 0)
        *len = (*len + stride - 1) / stride;
    return 1;
}

/*
 * ConvLSTM{1,2,3}D: input (batch, time, *spatial, channels), or
 * (batch, time, channels, *spatial) with data_format channels_first.
 * keras3 conv_lstm.py ConvLSTM.__init__ (InputSpec(ndim=rank+3)),
 * ConvLSTM.compute_output_shape and ConvLSTMCell.compute_output_shape
 * (operation_utils.compute_conv_output_shape: padding, strides, dilation on
 * each spatial axis; filters replace the channels; states have the step
 * output's shape), ConvLSTMCell.build (kernel kernel_size + (channels,
 * 4*filters), recurrent kernel kernel_size + (filters, 4*filters), bias
 * 4*filters; a None spatial or channel axis raises). tf.keras2
 * base_conv_rnn.py ConvRNN (InputSpec(ndim=rank+3)) and base_conv_lstm.py
 * ConvLSTMCell.build: the same. tfjs convolutional_recurrent.ts ConvRNN2D
 * (InputSpec ndim 5, computeSingleOutputShape with convOutputLength) and
 * ConvLSTM2DCell.build; TF.js has no ConvLSTM1D or ConvLSTM3D.
 */
static fc_status conv_lstm_build(fc_build *b, int rank)
{
    const fc_shape *in = &b->inputs[0];
    int first = fc_cfg_channels_first(b->config);
    const char *padding = fc_cfg_str(b->config, "padding", "valid");
    int64_t filters = cfg_size(b->config, "filters"), kernel[3], strides[3], dilation[3];
    int64_t channels, kprod = 1, gates, kernel_w, recurrent_w, bias_w;
    fc_shape state;
    int i, have_kernel;

    if (b->n_inputs == 0) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return FC_OK;
    }
    if (!fc_build_expect_rank(b, 0, rank + 3, 0))
        return FC_OK;
    have_kernel = fc_cfg_ints(b->config, "kernel_size", rank, -1, kernel);
    fc_cfg_ints(b->config, "strides", rank, 1, strides);
    fc_cfg_ints(b->config, "dilation_rate", rank, 1, dilation);
    channels = in->dims[first ? 2 : rank + 2];

    /* The state: the step input (batch, *spatial, channels) convolved. */
    memset(&state, 0, sizeof(state));
    state.rank = rank + 2;
    state.dims[0] = in->dims[0];
    state.dims[first ? 1 : rank + 1] = filters;
    for (i = 0; i < rank; i++) {
        int64_t size = in->dims[(first ? 3 : 2) + i], window = 0, len = FC_DIM_UNKNOWN;
        int known = have_kernel && conv_axis(size, kernel[i], padding, strides[i], dilation[i], &len, &window);
        char found[256];

        /* TF.js builds a 0 (not a negative) axis, and then fit fails reshaping it (oracle). */
        if (known && len <= 0) {
            fc_shape_format(in, 0, found, sizeof(found));
            fc_build_problem(b, FC_NON_POSITIVE_DIM, "%s '%s' slides a window of %lld over spatial axis %d of "
                             "size %lld (input %s): the output would have size %lld", b->class_name, b->name,
                             (long long)window, i + 1, (long long)size, found, (long long)len);
            fc_build_var(b, "detail", "slides a window of %lld over spatial axis %d of size %lld", (long long)window,
                         i + 1, (long long)size);
            fc_build_var(b, "dim", "%lld", (long long)len);
            fc_build_var(b, "window", "%lld", (long long)window);
            fc_build_var(b, "size", "%lld", (long long)size);
            fc_build_var(b, "found_shape", "%s", found);
            return FC_OK;
        }
        state.dims[(first ? 2 : 1) + i] = known ? len : FC_DIM_UNKNOWN;
        kprod = fc_dim_mul(kprod, have_kernel && kernel[i] >= 1 ? kernel[i] : FC_DIM_UNKNOWN);
    }

    /* conv_lstm.py ConvLSTM.compute_output_shape: the time axis goes after the batch. */
    b->n_outputs = 1;
    b->outputs[0] = state;
    if (fc_cfg_bool(b->config, "return_sequences", 0)) {
        b->outputs[0].rank = state.rank + 1;
        b->outputs[0].dims[1] = in->dims[1];
        for (i = 1; i < state.rank; i++)
            b->outputs[0].dims[i + 1] = state.dims[i];
    }
    if (fc_cfg_bool(b->config, "return_state", 0)) {
        b->outputs[1] = state;
        b->outputs[2] = state;
        b->n_outputs = 3;
    }

    gates = fc_dim_mul(4, filters);
    kernel_w = fc_dim_mul(fc_dim_mul(kprod, channels), gates);   /* kernel_size + (channels, 4*filters) */
    recurrent_w = fc_dim_mul(fc_dim_mul(kprod, filters), gates); /* kernel_size + (filters, 4*filters) */
    bias_w = fc_cfg_bool(b->config, "use_bias", 1) ? gates : 0;
    fc_build_add_params(b, fc_dim_add(fc_dim_add(kernel_w, recurrent_w), bias_w), 1);
    return FC_OK;
}

static fc_status conv_lstm1d_build(fc_build *b)
{
    return conv_lstm_build(b, 1);
}

static fc_status conv_lstm2d_build(fc_build *b)
{
    return conv_lstm_build(b, 2);
}

static fc_status conv_lstm3d_build(fc_build *b)
{
    return conv_lstm_build(b, 3);
}

/* ---- wrappers ------------------------------------------------------------ */

/*
 * Bidirectional(layer, merge_mode, backward_layer).
 * keras3 bidirectional.py Bidirectional.__init__ (merge_mode one of concat,
 * sum, mul, ave, None; input_spec is the wrapped layer's; the backward layer
 * is a copy of the forward one with go_backwards flipped unless
 * backward_layer is given, and get_config always writes it),
 * Bidirectional.compute_output_shape (the forward layer's output; concat
 * doubles the last axis, None gives the output twice; with return_state the
 * forward states then the backward states follow) and Bidirectional.build
 * (both layers built on the input, so the weights are forward + backward).
 * tf.keras2 bidirectional.py: the same. tfjs wrappers.ts Bidirectional: the
 * same shapes; fromConfig reads only config.layer, so a backward_layer is
 * ignored and the weights are twice the forward layer's (oracle: LSTM(4) on
 * 3 features with a backward LSTM(6) = 256 params, output (None, 8)).
 */
static fc_status bidirectional_build(fc_build *b)
{
    const json_t *layer = json_object_get(b->config, "layer");
    const json_t *backward = json_object_get(b->config, "backward_layer");
    const json_t *mode_v = json_object_get(b->config, "merge_mode");
    const char *mode = json_is_null(mode_v) ? NULL : fc_cfg_str(b->config, "merge_mode", "concat");
    fc_build inner;
    fc_shape head;
    size_t n_states, i;
    int known;
    fc_status result;

    if (b->n_inputs == 0 || (mode != NULL && strcmp(mode, "concat") != 0 && strcmp(mode, "sum") != 0 &&
                             strcmp(mode, "mul") != 0 && strcmp(mode, "ave") != 0)) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return FC_OK;
    }
    if (!build_wrapped(b, layer, b->inputs, &inner, &result))
        return result;
    head = inner.outputs[0];
    if (mode != NULL && strcmp(mode, "concat") == 0 && head.rank >= 1)
        head.dims[head.rank - 1] = fc_dim_mul(head.dims[head.rank - 1], 2);
    n_states = inner.n_outputs - 1;
    if ((mode == NULL ? 2 : 1) + 2 * n_states > FC_MAX_LAYER_IO)
        n_states = (FC_MAX_LAYER_IO - (mode == NULL ? 2 : 1)) / 2;
    b->outputs[b->n_outputs++] = head;
    if (mode == NULL)
        b->outputs[b->n_outputs++] = head;
    for (i = 0; i < 2 * n_states; i++)
        b->outputs[b->n_outputs++] = inner.outputs[1 + i % n_states];
    add_wrapped_params(b, &inner);
    if (!json_is_object(backward) || b->target == FC_FW_TFJS) {
        add_wrapped_params(b, &inner); /* the backward copy of the forward layer */
        return FC_OK;
    }
    result = fc_layer_build_object(backward, b->inputs, 1, b->target, b->version, b->depth, &inner, &known);
    if (result != FC_OK)
        return result;
    if (!known) {
        b->params_unknown = 1;
        return FC_OK;
    }
    if (inner.has_problem) {
        adopt_problem(b, &inner);
        return FC_OK;
    }
    add_wrapped_params(b, &inner);
    return FC_OK;
}

/*
 * TimeDistributed(layer): the wrapped layer is built on the input without
 * its time axis, and the time axis goes back after the batch axis of each
 * output; the weights are the wrapped layer's. keras3 time_distributed.py
 * TimeDistributed._get_child_input_shape (fewer than 3 axes raises "should be
 * passed an `input_shape` with at least 3 dimensions"), compute_output_shape
 * and build; tf.keras2 time_distributed.py TimeDistributed.build (same
 * check) and compute_output_shape; tfjs wrappers.ts TimeDistributed.build
 * ("expects an input shape >= 3D") and computeOutputShape. The rank error is
 * reported as a min_ndim=3 input-rank problem.
 */
static fc_status time_distributed_build(fc_build *b)
{
    const json_t *layer = json_object_get(b->config, "layer");
    const fc_shape *in = &b->inputs[0];
    fc_build inner;
    fc_shape child;
    size_t o;
    int i;
    fc_status result;

    if (b->n_inputs == 0) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return FC_OK;
    }
    if (!fc_build_expect_rank(b, 0, 0, 3)) {
        if (b->target == FC_FW_TFJS) {
            /* TF.js's TimeDistributed.build words it itself (wrappers.ts; oracle, 1.0.0-4.22.0) */
            char dims[256];
            fc_target t;

            fc_shape_format_js(in, 0, dims, sizeof(dims)); /* JSON.stringify's [null,4] */
            fc_build_target(b, &t);
            fc_build_var(b, "found_json", "[%s]", dims);
            fc_build_var(b, "framework_error", "%s", fc_variant_text(FC_V_LAYER_RANK_TFJS_TIMEDISTRIBUTED, &t));
        }
        return FC_OK;
    }
    memset(&child, 0, sizeof(child));
    child.rank = in->rank - 1;
    child.dims[0] = in->dims[0];
    for (i = 2; i < in->rank; i++)
        child.dims[i - 1] = in->dims[i];
    if (!build_wrapped(b, layer, &child, &inner, &result))
        return result;
    for (o = 0; o < inner.n_outputs; o++) {
        const fc_shape *s = &inner.outputs[o];
        fc_shape *out = &b->outputs[o];

        if (s->rank < 1 || s->rank + 1 > FC_MAX_RANK) {
            fc_shape_unknown(out);
            continue;
        }
        memset(out, 0, sizeof(*out));
        out->rank = s->rank + 1;
        out->dims[0] = s->dims[0];
        out->dims[1] = in->dims[1];
        for (i = 1; i < s->rank; i++)
            out->dims[i + 1] = s->dims[i];
    }
    b->n_outputs = inner.n_outputs;
    add_wrapped_params(b, &inner);
    return FC_OK;
}

const fc_layer_kind fc_layers_rnn[] = {
    {"SimpleRNN", recurrent_build},
    {"LSTM", recurrent_build},
    {"GRU", recurrent_build},
    {"CuDNNLSTM", recurrent_build},
    {"CuDNNGRU", recurrent_build},
    {"RNN", rnn_build},
    {"ConvLSTM1D", conv_lstm1d_build},
    {"ConvLSTM2D", conv_lstm2d_build},
    {"ConvLSTM3D", conv_lstm3d_build},
    {"Bidirectional", bidirectional_build},
    {"TimeDistributed", time_distributed_build},
    {NULL, NULL},
};
