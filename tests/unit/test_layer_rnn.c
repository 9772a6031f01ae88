/*
 * test_layer_rnn.c - core/layer_rnn.c: SimpleRNN, LSTM, GRU, RNN(cell),
 * CuDNNLSTM/CuDNNGRU, ConvLSTM1D/2D/3D, Bidirectional and TimeDistributed.
 * Each layer is built on its own through the registry (fc_layer_build_object)
 * and checked against output shapes and weight counts from a real
 * implementation; whole models go through fc_graph_infer for the findings
 * (the stacked LSTM without return_sequences, return_state outputs feeding
 * other layers). Absurd configs must stay defined (run it under ASan/UBSan).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixture_json.h"

#include "fitcheck/graph.h"
#include "fitcheck/model.h"
#include "../../core/layers.h"

#define JS FC_FW_TFJS
#define K3 FC_FW_KERAS3
#define K2 FC_FW_TFKERAS2
#define NONE (-1)
#define UNKNOWN (-1LL)
#define OVERFLOW (-2LL)

/* The output shapes as "(None, 4); (None, 4)". */
static void format_outputs(const fc_build *b, char *buf, size_t size)
{
    size_t i, at = 0;

    buf[0] = '\0';
    for (i = 0; i < b->n_outputs && at + 1 < size; i++) {
        if (i > 0)
            at += (size_t)snprintf(buf + at, size - at, "; ");
        if (at + 1 < size)
            fc_shape_format(&b->outputs[i], 0, buf + at, size - at);
        at += strlen(buf + at);
    }
}

/*
 * Builds the layer (JSON with ') on one input of the given batch shape
 * ("?" for an input of unknown rank) for target; the layer JSON is freed, so
 * only the result fields of *b are valid afterwards.
 */
static void build(fc_framework target, const char *layer_text, const char *input, fc_build *b, int *known)
{
    json_t *layer = fixture_json(layer_text);
    fc_shape in;

    if (strcmp(input, "?") == 0) {
        fc_shape_unknown(&in);
    } else {
        json_t *shape = fixture_json(input);

        assert_int_equal(fc_shape_from_json(shape, 1, "", &in, NULL), FC_OK);
        json_decref(shape);
    }
    assert_int_equal(fc_layer_build_object(layer, &in, 1, target, NULL, 0, b, known), FC_OK);
    b->layer = b->config = NULL;
    b->inputs = NULL;
    json_decref(layer);
}

typedef struct rnn_case {
    fc_framework target;
    const char *layer;   /* the layer object, JSON with ' for " */
    const char *input;   /* batch input shape, "?" for unknown rank */
    long long params;    /* total weights; UNKNOWN, or OVERFLOW for a count past 2^53 */
    const char *outputs; /* every output shape, "; "-separated */
    int problem;         /* the finding code of the problem, or NONE */
} rnn_case;

/* Every layer class a row's layer wraps (config.layer, config.backward_layer) is registered. */
static int wrapped_known(const char *layer_text)
{
    json_t *layer = fixture_json(layer_text);
    const json_t *config = json_object_get(layer, "config");
    const char *keys[] = {"layer", "backward_layer"};
    size_t i;
    int ok = 1;

    for (i = 0; i < 2; i++) {
        const json_t *inner = json_object_get(config, keys[i]);

        if (inner != NULL && fc_layer_kind_find(json_string_value(json_object_get(inner, "class_name"))) == NULL)
            ok = 0;
    }
    json_decref(layer);
    return ok;
}

/* Checks every row; with skip_unregistered, rows wrapping a class not yet in the registry are skipped. */
static void check_cases(const rnn_case *cases, size_t n, int skip_unregistered)
{
    size_t i, skipped = 0;

    for (i = 0; i < n; i++) {
        const rnn_case *c = &cases[i];
        fc_build b;
        char got[512];
        int known, problem;
        long long params;

        if (skip_unregistered && !wrapped_known(c->layer)) {
            skipped++; /* another family's layer not in the registry yet */
            continue;
        }
        build(c->target, c->layer, c->input, &b, &known);
        assert_true(known);
        format_outputs(&b, got, sizeof(got));
        problem = b.has_problem ? (int)b.problem : NONE;
        if (b.params_overflow)
            params = OVERFLOW;
        else if (b.params_unknown)
            params = UNKNOWN;
        else
            params = (long long)(b.trainable + b.non_trainable);
        if (c->problem != NONE)
            params = c->params; /* the weights of a layer the framework refuses are not compared */
        if (strcmp(got, c->outputs) != 0 || params != c->params || problem != c->problem)
            fail_msg("row %zu (%s on %s, %s): got %s, %lld params, problem %d (%s); want %s, %lld params, problem %d",
                     i, c->layer, c->input, fc_framework_name(c->target), got, params, problem, b.message, c->outputs,
                     c->params, c->problem);
    }
    if (skipped > 0)
        printf("%zu of %zu rows skipped: the wrapped layer class is not registered\n", skipped, n);
}

/* ---- TF.js: rows from the oracle ------------------------------------------ */

/*
 * Every row below is a real TF.js 4.22 build: ../shared/oracle/fit.mjs ran
 * one model per row (a Sequential with this layer first, with
 * batch_input_shape = the input column; a Functional model with a linear
 * Activation on each output for the multi-output rows) and reported
 * countParams() and the output shapes. 319 scenarios were run; these are the
 * single-layer ones that built (a sample of the plain SimpleRNN/LSTM/GRU
 * grid).
 */
static const rnn_case oracle_cases[] = {
    {JS, "{'class_name':'SimpleRNN','config':{'name':'r','units':3,'return_sequences':false,'use_bias':true}}",
     "[null,null,1]", 15, "(None, 3)", NONE},
    {JS, "{'class_name':'SimpleRNN','config':{'name':'r','units':3,'return_sequences':false,'use_bias':false}}",
     "[null,5,4]", 21, "(None, 3)", NONE},
    {JS, "{'class_name':'SimpleRNN','config':{'name':'r','units':3,'return_sequences':true,'use_bias':false}}",
     "[null,5,4]", 21, "(None, 5, 3)", NONE},
    {JS, "{'class_name':'SimpleRNN','config':{'name':'r','units':8,'return_sequences':false,'use_bias':true}}",
     "[null,5,1]", 80, "(None, 8)", NONE},
    {JS, "{'class_name':'SimpleRNN','config':{'name':'r','units':8,'return_sequences':true,'use_bias':false}}",
     "[null,5,4]", 96, "(None, 5, 8)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':1,'return_sequences':false,'use_bias':true}}",
     "[null,5,1]", 12, "(None, 1)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':1,'return_sequences':true,'use_bias':false}}",
     "[null,null,1]", 8, "(None, None, 1)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':1,'return_sequences':true,'use_bias':true}}",
     "[null,5,4]", 24, "(None, 5, 1)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':1,'return_sequences':false,'use_bias':true}}",
     "[null,null,4]", 24, "(None, 1)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':1,'return_sequences':true,'use_bias':false}}",
     "[null,null,4]", 20, "(None, None, 1)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':3,'return_sequences':false,'use_bias':true}}",
     "[null,5,1]", 60, "(None, 3)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':3,'return_sequences':false,'use_bias':true}}",
     "[null,null,1]", 60, "(None, 3)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':3,'return_sequences':true,'use_bias':true}}",
     "[null,null,4]", 96, "(None, None, 3)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':8,'return_sequences':true,'use_bias':false}}",
     "[null,5,1]", 288, "(None, 5, 8)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':8,'return_sequences':true,'use_bias':false}}",
     "[null,null,1]", 288, "(None, None, 8)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':8,'return_sequences':true,'use_bias':true}}",
     "[null,5,4]", 416, "(None, 5, 8)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':8,'return_sequences':false,'use_bias':false}}",
     "[null,null,4]", 384, "(None, 8)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':1,'return_sequences':false,'use_bias':true,"
     "'reset_after':false}}",
     "[null,5,1]", 9, "(None, 1)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':1,'return_sequences':true,'use_bias':true,"
     "'reset_after':false}}",
     "[null,5,1]", 9, "(None, 5, 1)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':1,'return_sequences':true,'use_bias':true}}",
     "[null,null,1]", 9, "(None, None, 1)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':1,'return_sequences':false,'use_bias':false}}",
     "[null,null,4]", 15, "(None, 1)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':1,'return_sequences':false,'use_bias':false,"
     "'reset_after':false}}",
     "[null,null,4]", 15, "(None, 1)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':3,'return_sequences':false,'use_bias':true}}",
     "[null,5,1]", 45, "(None, 3)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':3,'return_sequences':true,'use_bias':false,"
     "'reset_after':false}}",
     "[null,5,1]", 36, "(None, 5, 3)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':3,'return_sequences':false,'use_bias':true}}",
     "[null,null,1]", 45, "(None, 3)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':3,'return_sequences':false,'use_bias':true,"
     "'reset_after':false}}",
     "[null,5,4]", 72, "(None, 3)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':3,'return_sequences':false,'use_bias':false}}",
     "[null,5,4]", 63, "(None, 3)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':3,'return_sequences':true,'use_bias':true}}",
     "[null,5,4]", 72, "(None, 5, 3)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':3,'return_sequences':true,'use_bias':false}}",
     "[null,null,4]", 63, "(None, None, 3)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':8,'return_sequences':false,'use_bias':false}}",
     "[null,5,1]", 216, "(None, 8)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':8,'return_sequences':false,'use_bias':false,"
     "'reset_after':false}}",
     "[null,5,1]", 216, "(None, 8)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':8,'return_sequences':true,'use_bias':true}}",
     "[null,null,1]", 240, "(None, None, 8)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':8,'return_sequences':true,'use_bias':false}}",
     "[null,5,4]", 288, "(None, 5, 8)", NONE},
    {JS, "{'class_name':'SimpleRNN','config':{'name':'r','units':2,'return_sequences':false,'return_state':true}}",
     "[null,6,3]", 12, "(None, 2); (None, 2)", NONE},
    {JS, "{'class_name':'SimpleRNN','config':{'name':'r','units':5,'return_sequences':false,'return_state':true}}",
     "[null,6,3]", 45, "(None, 5); (None, 5)", NONE},
    {JS, "{'class_name':'SimpleRNN','config':{'name':'r','units':2,'return_sequences':true,'return_state':true}}",
     "[null,6,3]", 12, "(None, 6, 2); (None, 2)", NONE},
    {JS, "{'class_name':'SimpleRNN','config':{'name':'r','units':5,'return_sequences':true,'return_state':true}}",
     "[null,6,3]", 45, "(None, 6, 5); (None, 5)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':2,'return_sequences':false,'return_state':true}}",
     "[null,6,3]", 48, "(None, 2); (None, 2); (None, 2)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':5,'return_sequences':false,'return_state':true}}",
     "[null,6,3]", 180, "(None, 5); (None, 5); (None, 5)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':2,'return_sequences':true,'return_state':true}}",
     "[null,6,3]", 48, "(None, 6, 2); (None, 2); (None, 2)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'r','units':5,'return_sequences':true,'return_state':true}}",
     "[null,6,3]", 180, "(None, 6, 5); (None, 5); (None, 5)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':2,'return_sequences':false,'return_state':true,"
     "'reset_after':false}}",
     "[null,6,3]", 36, "(None, 2); (None, 2)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':5,'return_sequences':false,'return_state':true,"
     "'reset_after':false}}",
     "[null,6,3]", 135, "(None, 5); (None, 5)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':2,'return_sequences':true,'return_state':true,"
     "'reset_after':false}}",
     "[null,6,3]", 36, "(None, 6, 2); (None, 2)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'r','units':5,'return_sequences':true,'return_state':true,"
     "'reset_after':false}}",
     "[null,6,3]", 135, "(None, 6, 5); (None, 5)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':false}},'merge_mode':'concat'}}",
     "[null,4,2]", 144, "(None, 6)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':true}},'merge_mode':'concat'}}",
     "[null,4,2]", 144, "(None, 6); (None, 3); (None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':false}},'merge_mode':'concat'}}",
     "[null,4,2]", 144, "(None, 4, 6)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':true}},'merge_mode':'concat'}}",
     "[null,4,2]", 144, "(None, 4, 6); (None, 3); (None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':false}},'merge_mode':'sum'}}",
     "[null,4,2]", 144, "(None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':true}},'merge_mode':'sum'}}",
     "[null,4,2]", 144, "(None, 3); (None, 3); (None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':false}},'merge_mode':'sum'}}",
     "[null,4,2]", 144, "(None, 4, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':true}},'merge_mode':'sum'}}",
     "[null,4,2]", 144, "(None, 4, 3); (None, 3); (None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':false}},'merge_mode':'mul'}}",
     "[null,4,2]", 144, "(None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':true}},'merge_mode':'mul'}}",
     "[null,4,2]", 144, "(None, 3); (None, 3); (None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':false}},'merge_mode':'mul'}}",
     "[null,4,2]", 144, "(None, 4, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':true}},'merge_mode':'mul'}}",
     "[null,4,2]", 144, "(None, 4, 3); (None, 3); (None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':false}},'merge_mode':'ave'}}",
     "[null,4,2]", 144, "(None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':true}},'merge_mode':'ave'}}",
     "[null,4,2]", 144, "(None, 3); (None, 3); (None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':false}},'merge_mode':'ave'}}",
     "[null,4,2]", 144, "(None, 4, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':true}},'merge_mode':'ave'}}",
     "[null,4,2]", 144, "(None, 4, 3); (None, 3); (None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':false}},'merge_mode':null}}",
     "[null,4,2]", 144, "(None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':true}},'merge_mode':null}}",
     "[null,4,2]", 144, "(None, 3); (None, 3); (None, 3); (None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':false}},'merge_mode':null}}",
     "[null,4,2]", 144, "(None, 4, 3); (None, 4, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':true}},'merge_mode':null}}",
     "[null,4,2]", 144, "(None, 4, 3); (None, 4, 3); (None, 3); (None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':false,'reset_after':false}},'merge_mode':'concat'}}",
     "[null,4,2]", 108, "(None, 6)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':true,'reset_after':false}},'merge_mode':'concat'}}",
     "[null,4,2]", 108, "(None, 6); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':false,'reset_after':false}},'merge_mode':'concat'}}",
     "[null,4,2]", 108, "(None, 4, 6)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':true,'reset_after':false}},'merge_mode':'concat'}}",
     "[null,4,2]", 108, "(None, 4, 6); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':false,'reset_after':false}},'merge_mode':'sum'}}",
     "[null,4,2]", 108, "(None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':true,'reset_after':false}},'merge_mode':'sum'}}",
     "[null,4,2]", 108, "(None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':false,'reset_after':false}},'merge_mode':'sum'}}",
     "[null,4,2]", 108, "(None, 4, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':true,'reset_after':false}},'merge_mode':'sum'}}",
     "[null,4,2]", 108, "(None, 4, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':false,'reset_after':false}},'merge_mode':'mul'}}",
     "[null,4,2]", 108, "(None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':true,'reset_after':false}},'merge_mode':'mul'}}",
     "[null,4,2]", 108, "(None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':false,'reset_after':false}},'merge_mode':'mul'}}",
     "[null,4,2]", 108, "(None, 4, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':true,'reset_after':false}},'merge_mode':'mul'}}",
     "[null,4,2]", 108, "(None, 4, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':false,'reset_after':false}},'merge_mode':'ave'}}",
     "[null,4,2]", 108, "(None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':true,'reset_after':false}},'merge_mode':'ave'}}",
     "[null,4,2]", 108, "(None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':false,'reset_after':false}},'merge_mode':'ave'}}",
     "[null,4,2]", 108, "(None, 4, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':true,'reset_after':false}},'merge_mode':'ave'}}",
     "[null,4,2]", 108, "(None, 4, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':false,'reset_after':false}},'merge_mode':null}}",
     "[null,4,2]", 108, "(None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':false,'return_state':true,'reset_after':false}},'merge_mode':null}}",
     "[null,4,2]", 108, "(None, 3); (None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':false,'reset_after':false}},'merge_mode':null}}",
     "[null,4,2]", 108, "(None, 4, 3); (None, 4, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':{'name':'i',"
     "'units':3,'return_sequences':true,'return_state':true,'reset_after':false}},'merge_mode':null}}",
     "[null,4,2]", 108, "(None, 4, 3); (None, 4, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':false,'return_state':false}},'merge_mode':'concat'}}",
     "[null,4,2]", 36, "(None, 6)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':false,'return_state':true}},'merge_mode':'concat'}}",
     "[null,4,2]", 36, "(None, 6); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':true,'return_state':false}},'merge_mode':'concat'}}",
     "[null,4,2]", 36, "(None, 4, 6)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':true,'return_state':true}},'merge_mode':'concat'}}",
     "[null,4,2]", 36, "(None, 4, 6); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':false,'return_state':false}},'merge_mode':'sum'}}",
     "[null,4,2]", 36, "(None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':false,'return_state':true}},'merge_mode':'sum'}}",
     "[null,4,2]", 36, "(None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':true,'return_state':false}},'merge_mode':'sum'}}",
     "[null,4,2]", 36, "(None, 4, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':true,'return_state':true}},'merge_mode':'sum'}}",
     "[null,4,2]", 36, "(None, 4, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':false,'return_state':false}},'merge_mode':'mul'}}",
     "[null,4,2]", 36, "(None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':false,'return_state':true}},'merge_mode':'mul'}}",
     "[null,4,2]", 36, "(None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':true,'return_state':false}},'merge_mode':'mul'}}",
     "[null,4,2]", 36, "(None, 4, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':true,'return_state':true}},'merge_mode':'mul'}}",
     "[null,4,2]", 36, "(None, 4, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':false,'return_state':false}},'merge_mode':'ave'}}",
     "[null,4,2]", 36, "(None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':false,'return_state':true}},'merge_mode':'ave'}}",
     "[null,4,2]", 36, "(None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':true,'return_state':false}},'merge_mode':'ave'}}",
     "[null,4,2]", 36, "(None, 4, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':true,'return_state':true}},'merge_mode':'ave'}}",
     "[null,4,2]", 36, "(None, 4, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':false,'return_state':false}},'merge_mode':null}}",
     "[null,4,2]", 36, "(None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':false,'return_state':true}},'merge_mode':null}}",
     "[null,4,2]", 36, "(None, 3); (None, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':true,'return_state':false}},'merge_mode':null}}",
     "[null,4,2]", 36, "(None, 4, 3); (None, 4, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'SimpleRNN',"
     "'config':{'name':'i','units':3,'return_sequences':true,'return_state':true}},'merge_mode':null}}",
     "[null,4,2]", 36, "(None, 4, 3); (None, 4, 3); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3}}}}",
     "[null,4,2]", 144, "(None, 6)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'name':'i',"
     "'units':3}},'backward_layer':{'class_name':'LSTM','config':{'name':'j','units':5,'go_backwards':true}}}}",
     "[null,4,2]", 144, "(None, 6)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':1,'use_bias':true}}}}",
     "[null,5,3]", 4, "(None, 5, 1)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':1,'use_bias':false}}}}",
     "[null,5,3]", 3, "(None, 5, 1)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':1,'use_bias':true}}}}",
     "[null,null,3]", 4, "(None, None, 1)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':1,'use_bias':false}}}}",
     "[null,null,3]", 3, "(None, None, 1)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':1,'use_bias':true}}}}",
     "[null,5,2,3]", 4, "(None, 5, 2, 1)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':1,'use_bias':false}}}}",
     "[null,5,2,3]", 3, "(None, 5, 2, 1)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':1,'use_bias':true}}}}",
     "[null,5,2,2,3]", 4, "(None, 5, 2, 2, 1)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':1,'use_bias':false}}}}",
     "[null,5,2,2,3]", 3, "(None, 5, 2, 2, 1)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':4,'use_bias':true}}}}",
     "[null,5,3]", 16, "(None, 5, 4)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':4,'use_bias':false}}}}",
     "[null,5,3]", 12, "(None, 5, 4)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':4,'use_bias':true}}}}",
     "[null,null,3]", 16, "(None, None, 4)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':4,'use_bias':false}}}}",
     "[null,null,3]", 12, "(None, None, 4)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':4,'use_bias':true}}}}",
     "[null,5,2,3]", 16, "(None, 5, 2, 4)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':4,'use_bias':false}}}}",
     "[null,5,2,3]", 12, "(None, 5, 2, 4)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':4,'use_bias':true}}}}",
     "[null,5,2,2,3]", 16, "(None, 5, 2, 2, 4)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense',"
     "'config':{'name':'d','units':4,'use_bias':false}}}}",
     "[null,5,2,2,3]", 12, "(None, 5, 2, 2, 4)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Flatten',"
     "'config':{'name':'f'}}}}",
     "[null,5,2,3]", 0, "(None, 5, 6)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dropout',"
     "'config':{'name':'f','rate':0.5}}}}",
     "[null,5,3]", 0, "(None, 5, 3)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Conv2D',"
     "'config':{'name':'c','filters':2,'kernel_size':[3,3]}}}}",
     "[null,4,6,6,1]", 20, "(None, 4, 4, 4, 2)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Conv2D',"
     "'config':{'name':'c','filters':3,'kernel_size':[3,3],'padding':'same','strides':[2,2]}}}}",
     "[null,4,6,6,2]", 57, "(None, 4, 3, 3, 3)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'LSTM','config':{'name':'l',"
     "'units':3}}}}",
     "[null,4,5,2]", 72, "(None, 4, 3)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'TimeDistributed',"
     "'config':{'name':'td2','layer':{'class_name':'Dense','config':{'name':'d','units':3}}}}}}",
     "[null,4,5,2]", 9, "(None, 4, 5, 3)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Embedding',"
     "'config':{'name':'e','input_dim':10,'output_dim':3}}}}",
     "[null,4,5]", 30, "(None, 4, 5, 3)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':3,'padding':'valid',"
     "'strides':1,'dilation_rate':1,'return_sequences':false,'use_bias':true}}",
     "[null,3,7,6,2]", 296, "(None, 5, 4, 2)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':3,'padding':'valid',"
     "'strides':1,'dilation_rate':1,'return_sequences':false,'use_bias':true}}",
     "[null,null,8,5,1]", 224, "(None, 6, 3, 2)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':3,'padding':'same',"
     "'strides':1,'dilation_rate':1,'return_sequences':true,'use_bias':true}}",
     "[null,3,7,6,2]", 296, "(None, 3, 7, 6, 2)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':3,'padding':'same',"
     "'strides':1,'dilation_rate':1,'return_sequences':true,'use_bias':true}}",
     "[null,null,8,5,1]", 224, "(None, None, 8, 5, 2)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':3,'kernel_size':[3,2],'padding':'valid',"
     "'strides':[2,1],'dilation_rate':1,'return_sequences':false,'use_bias':true}}",
     "[null,3,7,6,2]", 372, "(None, 3, 5, 3)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':3,'kernel_size':[3,2],'padding':'valid',"
     "'strides':[2,1],'dilation_rate':1,'return_sequences':false,'use_bias':true}}",
     "[null,null,8,5,1]", 300, "(None, 3, 4, 3)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':3,'kernel_size':2,'padding':'same',"
     "'strides':2,'dilation_rate':1,'return_sequences':true,'use_bias':false}}",
     "[null,3,7,6,2]", 240, "(None, 3, 4, 3, 3)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':3,'kernel_size':2,'padding':'same',"
     "'strides':2,'dilation_rate':1,'return_sequences':true,'use_bias':false}}",
     "[null,null,8,5,1]", 192, "(None, None, 4, 3, 3)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':1,'kernel_size':3,'padding':'valid',"
     "'strides':1,'dilation_rate':2,'return_sequences':false,'use_bias':true}}",
     "[null,3,7,6,2]", 112, "(None, 3, 2, 1)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':1,'kernel_size':3,'padding':'valid',"
     "'strides':1,'dilation_rate':2,'return_sequences':false,'use_bias':true}}",
     "[null,null,8,5,1]", 76, "(None, 4, 1, 1)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':4,'kernel_size':1,'padding':'valid',"
     "'strides':1,'dilation_rate':1,'return_sequences':true,'use_bias':true}}",
     "[null,3,7,6,2]", 112, "(None, 3, 7, 6, 4)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':4,'kernel_size':1,'padding':'valid',"
     "'strides':1,'dilation_rate':1,'return_sequences':true,'use_bias':true}}",
     "[null,null,8,5,1]", 96, "(None, None, 8, 5, 4)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':[1,3],'padding':'same',"
     "'strides':[1,2],'dilation_rate':1,'return_sequences':false,'use_bias':true}}",
     "[null,3,7,6,2]", 104, "(None, 7, 3, 2)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':[1,3],'padding':'same',"
     "'strides':[1,2],'dilation_rate':1,'return_sequences':false,'use_bias':true}}",
     "[null,null,8,5,1]", 80, "(None, 8, 3, 2)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':3,'padding':'valid',"
     "'strides':3,'dilation_rate':1,'return_sequences':true,'use_bias':true}}",
     "[null,3,7,6,2]", 296, "(None, 3, 2, 2, 2)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':3,'padding':'valid',"
     "'strides':3,'dilation_rate':1,'return_sequences':true,'use_bias':true}}",
     "[null,null,8,5,1]", 224, "(None, None, 2, 1, 2)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':5,'padding':'valid',"
     "'strides':1,'dilation_rate':1,'return_sequences':false,'use_bias':true}}",
     "[null,3,7,6,2]", 808, "(None, 3, 2, 2)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':5,'padding':'valid',"
     "'strides':1,'dilation_rate':1,'return_sequences':false,'use_bias':true}}",
     "[null,null,8,5,1]", 608, "(None, 4, 1, 2)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':3,'padding':'valid',"
     "'return_sequences':false,'return_state':true}}",
     "[null,3,6,6,2]", 296, "(None, 4, 4, 2); (None, 4, 4, 2); (None, 4, 4, 2)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':3,'padding':'valid',"
     "'return_sequences':true,'return_state':true}}",
     "[null,3,6,6,2]", 296, "(None, 3, 4, 4, 2); (None, 4, 4, 2); (None, 4, 4, 2)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':3,"
     "'data_format':'channels_first','return_sequences':true}}",
     "[null,3,2,6,7]", 296, "(None, 3, 2, 4, 5)", NONE},
    {JS, "{'class_name':'RNN','config':{'name':'r','cell':{'class_name':'LSTMCell','config':{'name':'c',"
     "'units':3}}}}",
     "[null,5,2]", 72, "(None, 3)", NONE},
    {JS, "{'class_name':'RNN','config':{'name':'r','cell':{'class_name':'GRUCell','config':{'name':'c','units':3,"
     "'reset_after':false}},'return_sequences':true}}",
     "[null,5,2]", 54, "(None, 5, 3)", NONE},
    {JS, "{'class_name':'RNN','config':{'name':'r','cell':{'class_name':'SimpleRNNCell','config':{'name':'c',"
     "'units':4}}}}",
     "[null,5,2]", 28, "(None, 4)", NONE},
    {JS, "{'class_name':'RNN','config':{'name':'r','cell':{'class_name':'StackedRNNCells','config':{'name':'s',"
     "'cells':[{'class_name':'LSTMCell','config':{'name':'c1','units':3}},{'class_name':'SimpleRNNCell',"
     "'config':{'name':'c2','units':5}}]}}}}",
     "[null,5,2]", 117, "(None, 5)", NONE},
    {JS, "{'class_name':'RNN','config':{'name':'r','return_state':true,'cell':{'class_name':'StackedRNNCells',"
     "'config':{'name':'s','cells':[{'class_name':'LSTMCell','config':{'name':'c1','units':3}},"
     "{'class_name':'SimpleRNNCell','config':{'name':'c2','units':5}}]}}}}",
     "[null,5,2]", 117, "(None, 5); (None, 5); (None, 3); (None, 3)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'l','units':3,'trainable':false}}",
     "[null,5,2]", 72, "(None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','trainable':false,'layer':{'class_name':'LSTM',"
     "'config':{'name':'l','units':3}}}}",
     "[null,5,2]", 144, "(None, 6)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'l','units':3,'stateful':true}}",
     "[8,5,2]", 72, "(8, 3)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'l','units':3,'unroll':true}}",
     "[null,null,2]", 72, "(None, 3)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'b','layer':{'class_name':'Dense','config':{'name':'d',"
     "'units':3}}}}",
     "[null,5,2]", 18, "(None, 5, 6)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'b','layer':{'class_name':'ConvLSTM2D',"
     "'config':{'name':'d','filters':2,'kernel_size':3}}}}",
     "[null,3,5,5,2]", 592, "(None, 3, 3, 4)", NONE},
    {JS, "{'class_name':'TimeDistributed','config':{'name':'t','layer':{'class_name':'Bidirectional',"
     "'config':{'name':'b','layer':{'class_name':'LSTM','config':{'name':'d','units':2}}}}}}",
     "[null,4,3,2]", 80, "(None, 4, 4)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'l','units':3.0}}",
     "[null,5,2]", 72, "(None, 3)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':3,'strides':2,"
     "'dilation_rate':2}}",
     "[null,3,9,9,2]", 296, "(None, 3, 3, 2)", NONE},
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':3,'padding':'same'}}",
     "[null,3,1,1,2]", 296, "(None, 1, 1, 2)", NONE},
};

static void test_layer_rnn__tfjs_matches_oracle(void **state)
{
    (void)state;
    check_cases(oracle_cases, sizeof(oracle_cases) / sizeof(oracle_cases[0]), 1);
}

/* ---- Keras 3 and tf.keras 2: rows from the sources ------------------------ */

/*
 * Python Keras is not runnable here, so these rows are worked out from the
 * sources named in core/layer_rnn.c (keras3 keras/src/layers/rnn/, tf.keras2
 * keras/layers/rnn/ at cbbe8eb): the weight formulas of each cell's build
 * and the shapes of each compute_output_shape. Where TF.js
 * differs the tfjs row beside it comes from the oracle.
 */
static const rnn_case keras_cases[] = {
    /* gru.py GRUCell.build: reset_after defaults to True, a (2, 3*units) bias; TF.js has no such bias. */
    {K3, "{'class_name':'GRU','config':{'name':'g','units':4}}", "[null,5,3]", 3 * (3 * 4 + 4 * 4) + 6 * 4,
     "(None, 4)", NONE},
    {K2, "{'class_name':'GRU','config':{'name':'g','units':4}}", "[null,5,3]", 108, "(None, 4)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'g','units':4}}", "[null,5,3]", 96, "(None, 4)", NONE},
    {K3, "{'class_name':'GRU','config':{'name':'g','units':4,'reset_after':false}}", "[null,5,3]", 96, "(None, 4)",
     NONE},
    {K3, "{'class_name':'GRU','config':{'name':'g','units':4,'reset_after':true,'use_bias':false}}", "[null,5,3]", 84,
     "(None, 4)", NONE},
    /* TF.js refuses reset_after=true (oracle: "GRUCell does not support reset_after parameter set to true."). */
    {JS, "{'class_name':'GRU','config':{'name':'g','units':4,'reset_after':true}}", "[null,5,3]", -1, "(None, 4)",
     NONE},
    {JS, "{'class_name':'GRU','config':{'name':'g','units':4,'reset_after':true,'use_bias':false}}", "[null,5,3]", -1,
     "(None, 4)", NONE},
    /* bidirectional.py Bidirectional.build: forward + backward weights; TF.js ignores backward_layer (oracle). */
    {K3, "{'class_name':'Bidirectional','config':{'name':'b','layer':{'class_name':'LSTM','config':{'name':'f',"
         "'units':4}},'backward_layer':{'class_name':'LSTM','config':{'name':'r','units':6,'go_backwards':true}}}}",
     "[null,5,3]", 4 * (3 * 4 + 16 + 4) + 4 * (3 * 6 + 36 + 6), "(None, 8)", NONE},
    {JS, "{'class_name':'Bidirectional','config':{'name':'b','layer':{'class_name':'LSTM','config':{'name':'f',"
         "'units':4}},'backward_layer':{'class_name':'LSTM','config':{'name':'r','units':6,'go_backwards':true}}}}",
     "[null,5,3]", 256, "(None, 8)", NONE},
    {K3, "{'class_name':'Bidirectional','config':{'name':'b','layer':{'class_name':'GRU','config':{'name':'f',"
         "'units':3}},'backward_layer':{'class_name':'GRU','config':{'name':'r','units':3,'go_backwards':true}}}}",
     "[null,4,2]", 2 * (3 * (2 * 3 + 9) + 18), "(None, 6)", NONE},
    {K3, "{'class_name':'Bidirectional','config':{'name':'b','merge_mode':null,'layer':{'class_name':'LSTM',"
         "'config':{'name':'f','units':3,'return_state':true,'return_sequences':true}}}}",
     "[null,4,2]", 144, "(None, 4, 3); (None, 4, 3); (None, 3); (None, 3); (None, 3); (None, 3)", NONE},
    /* cudnn_lstm.py / cudnn_gru.py CuDNN*.build: always a doubled bias (8*units, 6*units). */
    {K2, "{'class_name':'CuDNNLSTM','config':{'name':'c','units':4}}", "[null,5,3]", 4 * 4 * (3 + 4) + 8 * 4,
     "(None, 4)", NONE},
    {K2, "{'class_name':'CuDNNLSTM','config':{'name':'c','units':4,'return_sequences':true,'return_state':true}}",
     "[null,5,3]", 144, "(None, 5, 4); (None, 4); (None, 4)", NONE},
    {K2, "{'class_name':'CuDNNGRU','config':{'name':'c','units':3,'return_state':true}}", "[null,5,2]",
     3 * 3 * (2 + 3) + 6 * 3, "(None, 3); (None, 3)", NONE},
    /* conv_lstm.py ConvLSTMCell.build and ConvLSTM.compute_output_shape. */
    {K3, "{'class_name':'ConvLSTM1D','config':{'name':'c','filters':4,'kernel_size':3}}", "[null,5,7,3]",
     3 * 3 * 16 + 3 * 4 * 16 + 16, "(None, 5, 4)", NONE},
    {K3, "{'class_name':'ConvLSTM1D','config':{'name':'c','filters':4,'kernel_size':3,'return_sequences':true,"
         "'return_state':true}}",
     "[null,5,7,3]", 352, "(None, 5, 5, 4); (None, 5, 4); (None, 5, 4)", NONE},
    {K3, "{'class_name':'ConvLSTM3D','config':{'name':'c','filters':2,'kernel_size':3,'padding':'same'}}",
     "[null,4,6,6,6,1]", 27 * 1 * 8 + 27 * 2 * 8 + 8, "(None, 6, 6, 6, 2)", NONE},
    {K3, "{'class_name':'ConvLSTM3D','config':{'name':'c','filters':2,'kernel_size':3,'strides':2,"
         "'data_format':'channels_first','return_sequences':true}}",
     "[null,4,1,6,7,8]", 656, "(None, 4, 2, 2, 3, 3)", NONE},
    {K3, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':4,'kernel_size':[3,3],'dilation_rate':2}}",
     "[null,5,9,9,3]", 1024, "(None, 5, 5, 4)", NONE},
    /* Keras 1 configs say output_dim (read through keras/legacy/interfaces.py); TF.js wants units (oracle). */
    {K2, "{'class_name':'LSTM','config':{'name':'l','output_dim':32}}", "[null,200,64]", 4 * (64 * 32 + 32 * 32 + 32),
     "(None, 32)", NONE},
    {JS, "{'class_name':'LSTM','config':{'name':'l','output_dim':32}}", "[null,200,64]", -1, "(None, None)", NONE},
    /* rnn.py RNN.from_config takes a list of cells; stacked_rnn_cells.py keeps the states in cell order. */
    {K3, "{'class_name':'RNN','config':{'name':'r','cell':[{'class_name':'LSTMCell','config':{'units':3}},"
         "{'class_name':'GRUCell','config':{'units':2,'reset_after':false}}]}}",
     "[null,5,2]", 4 * (2 * 3 + 9 + 3) + 3 * (3 * 2 + 4) + 6, "(None, 2)", NONE},
    {JS, "{'class_name':'RNN','config':{'name':'r','cell':[{'class_name':'LSTMCell','config':{'units':3}},"
         "{'class_name':'GRUCell','config':{'units':2,'reset_after':false}}]}}",
     "[null,5,2]", -1, "<unknown>", NONE},
    {K3, "{'class_name':'RNN','config':{'name':'r','return_state':true,'cell':{'class_name':'StackedRNNCells',"
         "'config':{'cells':[{'class_name':'LSTMCell','config':{'units':3}},{'class_name':'SimpleRNNCell',"
         "'config':{'units':5}}]}}}}",
     "[null,5,2]", 117, "(None, 5); (None, 3); (None, 3); (None, 5)", NONE},
    {K3, "{'class_name':'RNN','config':{'name':'r','cell':{'class_name':'MyCell','config':{'units':3}}}}",
     "[null,5,2]", -1, "<unknown>", NONE},
};

static void test_layer_rnn__keras_rules_from_sources(void **state)
{
    (void)state;
    check_cases(keras_cases, sizeof(keras_cases) / sizeof(keras_cases[0]), 0);
}

/* ---- input ranks ------------------------------------------------------------ */

/*
 * InputSpec(ndim=3) of every recurrent layer in all three frameworks; TF.js
 * words the TimeDistributed and ConvLSTM2D cases as in the oracle comments.
 */
static const rnn_case rank_cases[] = {
    /* oracle: "Input 0 is incompatible with layer l: expected ndim=3, found ndim=2" */
    {JS, "{'class_name':'LSTM','config':{'name':'l','units':3}}", "[null,4]", 0, "<unknown>", FC_LAYER_INPUT_RANK},
    {K3, "{'class_name':'LSTM','config':{'name':'l','units':3}}", "[null,4]", 0, "<unknown>", FC_LAYER_INPUT_RANK},
    {K3, "{'class_name':'SimpleRNN','config':{'name':'l','units':3}}", "[null,4,5,2]", 0, "<unknown>",
     FC_LAYER_INPUT_RANK},
    {K2, "{'class_name':'CuDNNGRU','config':{'name':'l','units':3}}", "[null,4]", 0, "<unknown>", FC_LAYER_INPUT_RANK},
    {K3, "{'class_name':'RNN','config':{'name':'r','cell':{'class_name':'LSTMCell','config':{'units':3}}}}",
     "[null,4]", 0, "<unknown>", FC_LAYER_INPUT_RANK},
    /* oracle: "TimeDistributed layer expects an input shape >= 3D, but received input shape [null,3]" */
    {JS, "{'class_name':'TimeDistributed','config':{'name':'t','layer':{'class_name':'Dense','config':{'units':2}}}}",
     "[null,3]", 0, "<unknown>", FC_LAYER_INPUT_RANK},
    /* the wrapped LSTM gets (None, 3) */
    {K3, "{'class_name':'TimeDistributed','config':{'name':'t','layer':{'class_name':'LSTM','config':{'units':2}}}}",
     "[null,4,3]", 0, "<unknown>", FC_LAYER_INPUT_RANK},
    /* oracle: "Input 0 is incompatible with layer bi: expected ndim=3, found ndim=2" */
    {JS, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'LSTM','config':{'units':3}}}}",
     "[null,3]", 0, "<unknown>", FC_LAYER_INPUT_RANK},
    /* oracle: "Input 0 is incompatible with layer c: expected ndim=5, found ndim=4" */
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':3}}", "[null,6,6,2]", 0,
     "<unknown>", FC_LAYER_INPUT_RANK},
    {K3, "{'class_name':'ConvLSTM1D','config':{'name':'c','filters':2,'kernel_size':3}}", "[null,6,6,6,2]", 0,
     "<unknown>", FC_LAYER_INPUT_RANK},
    /* oracle: "Negative dimension size caused by adding layer c with input shape [,3,3,3,2]" */
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':6}}", "[null,3,3,3,2]", 0,
     "<unknown>", FC_NON_POSITIVE_DIM},
    /* TF.js builds a 0 axis here, then fit fails: "The new shape (1,1,1,2) has 2 elements and the old shape
     * (0,0,2) has 0 elements" (oracle); Keras 3 raises "Computed output size would be zero or negative". */
    {JS, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':4}}", "[null,3,3,3,2]", 0,
     "<unknown>", FC_NON_POSITIVE_DIM},
    {K3, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':4}}", "[null,3,3,3,2]", 0,
     "<unknown>", FC_NON_POSITIVE_DIM},
};

static void test_layer_rnn__input_rank_problems(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rank_cases) / sizeof(rank_cases[0]); i++) {
        fc_build b;
        char got[256];
        int known;

        build(rank_cases[i].target, rank_cases[i].layer, rank_cases[i].input, &b, &known);
        format_outputs(&b, got, sizeof(got));
        if (!b.has_problem || (int)b.problem != rank_cases[i].problem || strcmp(got, rank_cases[i].outputs) != 0)
            fail_msg("rank row %zu (%s on %s): problem %d, outputs %s", i, rank_cases[i].layer, rank_cases[i].input,
                     b.has_problem ? (int)b.problem : NONE, got);
    }
}

static const char *var(const fc_build *b, const char *name)
{
    size_t i;

    for (i = 0; i < b->n_vars; i++) {
        if (strcmp(b->var_names[i], name) == 0)
            return b->var_values[i];
    }
    return "";
}

static void test_layer_rnn__rank_problem_values(void **state)
{
    fc_build b;
    int known;

    (void)state;
    build(K3, "{'class_name':'LSTM','config':{'name':'lstm_2','units':3}}", "[null,64]", &b, &known);
    assert_int_equal(b.problem, FC_LAYER_INPUT_RANK);
    assert_string_equal(var(&b, "spec"), "ndim=3");
    assert_string_equal(var(&b, "found_ndim"), "2");
    assert_string_equal(var(&b, "found_shape"), "(None, 64)");
    /* a wrapper names itself and keeps the wrapped layer's values */
    build(K3, "{'class_name':'Bidirectional','config':{'name':'bi','layer':{'class_name':'GRU','config':"
              "{'name':'g','units':3}}}}",
          "[null,64]", &b, &known);
    assert_int_equal(b.problem, FC_LAYER_INPUT_RANK);
    assert_string_equal(var(&b, "spec"), "ndim=3");
    assert_non_null(strstr(b.message, "Bidirectional 'bi' wraps GRU 'g'"));
    build(JS, "{'class_name':'TimeDistributed','config':{'name':'td','layer':{'class_name':'Dense','config':"
              "{'units':3}}}}",
          "[null,64]", &b, &known);
    assert_string_equal(var(&b, "spec"), "min_ndim=3");
}

/* ---- whole models ------------------------------------------------------------ */

static void infer(fc_framework target, const char *text, fc_model *m, fc_graph *g, fc_findings *f)
{
    json_t *desc = fixture_json(text);
    fc_error err;

    if (fc_model_parse(desc, "/model", m, &err) != FC_OK)
        fail_msg("%s", err.text);
    json_decref(desc);
    fc_findings_init(f);
    assert_int_equal(fc_graph_infer(m, NULL, &(fc_target){.framework = target}, 0, g, f), FC_OK);
}

static void release(fc_model *m, fc_graph *g, fc_findings *f)
{
    fc_findings_release(f);
    fc_graph_release(g);
    fc_model_release(m);
}

static void assert_shape(const fc_shape *s, const char *want)
{
    char buf[256];

    fc_shape_format(s, 0, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

#define STACKED(rs)                                                                                                   \
    "{'class_name':'Sequential','config':{'name':'s','layers':[{'class_name':'LSTM','config':{'name':'a',"            \
    "'units':4,'return_sequences':" rs ",'batch_input_shape':[null,6,2]}},{'class_name':'LSTM','config':{'name':"    \
    "'b','units':3}}]}}"

/*
 * The classic mistake: LSTM after LSTM without return_sequences=True. The
 * TF.js text is the oracle's ("Input 0 is incompatible with layer b:
 * expected ndim=3, found ndim=2"); with the flag the model builds with 208
 * weights (oracle).
 */
static void test_layer_rnn__stacked_lstm_needs_return_sequences(void **state)
{
    const fc_framework targets[] = {K3, K2, JS};
    fc_model m;
    fc_graph g;
    fc_findings f;
    size_t t;

    (void)state;
    for (t = 0; t < 3; t++) {
        infer(targets[t], STACKED("false"), &m, &g, &f);
        assert_int_equal(f.len, 1);
        assert_int_equal(f.items[0].code, FC_LAYER_INPUT_RANK);
        assert_string_equal(f.items[0].layer, "b");
        assert_non_null(f.items[0].framework_error);
        if (targets[t] == JS)
            assert_non_null(strstr(f.items[0].framework_error,
                                   "Input 0 is incompatible with layer b: expected ndim=3, found ndim=2"));
        else
            assert_non_null(strstr(f.items[0].framework_error, "expected ndim=3, found ndim=2. Full shape received: "
                                                               "(None, 4)"));
        release(&m, &g, &f);

        infer(targets[t], STACKED("true"), &m, &g, &f);
        assert_int_equal(f.len, 0);
        assert_true(g.params_known);
        assert_int_equal(g.trainable, 208);
        assert_shape(&g.outputs[0], "(None, 3)");
        release(&m, &g, &f);
    }
}

/* Embedding -> LSTM(rs) -> LSTM -> Dense on sequences of any length: fits in TF.js with 392 weights (oracle). */
static void test_layer_rnn__undefined_time_axis_is_normal(void **state)
{
    fc_model m;
    fc_graph g;
    fc_findings f;

    (void)state;
    infer(JS, "{'class_name':'Sequential','config':{'name':'s','layers':[{'class_name':'Embedding','config':"
              "{'name':'e','input_dim':20,'output_dim':4,'batch_input_shape':[null,null]}},{'class_name':'LSTM',"
              "'config':{'name':'l','units':5,'return_sequences':true}},{'class_name':'LSTM','config':{'name':'l2',"
              "'units':3}},{'class_name':'Dense','config':{'name':'d','units':1}}]}}",
          &m, &g, &f);
    assert_int_equal(f.len, 0);
    assert_shape(&g.layers[1].outputs[0], "(None, None, 5)");
    assert_true(g.params_known);
    assert_int_equal(g.trainable, 392);
    assert_shape(&g.outputs[0], "(None, 1)");
    release(&m, &g, &f);
}

/* LSTM return_state outputs feed other layers by tensor index (oracle: (None, 6, 2), (None, 2), (None, 2)). */
static void test_layer_rnn__return_state_outputs_feed_layers(void **state)
{
    fc_model m;
    fc_graph g;
    fc_findings f;

    (void)state;
    infer(JS, "{'class_name':'Model','config':{'name':'m','layers':[{'class_name':'InputLayer','name':'in','config':"
              "{'name':'in','batch_input_shape':[null,6,3]},'inbound_nodes':[]},{'class_name':'LSTM','name':'r',"
              "'config':{'name':'r','units':2,'return_sequences':true,'return_state':true},'inbound_nodes':"
              "[[['in',0,0,{}]]]},{'class_name':'Activation','name':'o0','config':{'name':'o0','activation':"
              "'linear'},'inbound_nodes':[[['r',0,0,{}]]]},{'class_name':'Activation','name':'o1','config':{'name':"
              "'o1','activation':'linear'},'inbound_nodes':[[['r',0,1,{}]]]},{'class_name':'Dense','name':'o2',"
              "'config':{'name':'o2','units':7},'inbound_nodes':[[['r',0,2,{}]]]}],'input_layers':[['in',0,0]],"
              "'output_layers':[['o0',0,0],['o1',0,0],['o2',0,0]]}}",
          &m, &g, &f);
    assert_int_equal(f.len, 0);
    assert_int_equal(g.layers[1].n_outputs, 3);
    assert_shape(&g.outputs[0], "(None, 6, 2)");
    assert_shape(&g.outputs[1], "(None, 2)");
    assert_shape(&g.outputs[2], "(None, 7)");
    assert_int_equal(g.trainable, 48 + 2 * 7 + 7);
    release(&m, &g, &f);
}

/* LSTM -> TimeDistributed(Dense): 254 weights with return_sequences; without it TF.js refuses (oracle). */
static void test_layer_rnn__time_distributed_after_lstm(void **state)
{
    fc_model m;
    fc_graph g;
    fc_findings f;

    (void)state;
    infer(JS, "{'class_name':'Sequential','config':{'name':'s','layers':[{'class_name':'LSTM','config':{'name':'l',"
              "'units':6,'return_sequences':true,'batch_input_shape':[null,7,3]}},{'class_name':'TimeDistributed',"
              "'config':{'name':'td','layer':{'class_name':'Dense','config':{'name':'d','units':2}}}}]}}",
          &m, &g, &f);
    assert_int_equal(f.len, 0);
    assert_int_equal(g.trainable, 254);
    assert_shape(&g.outputs[0], "(None, 7, 2)");
    release(&m, &g, &f);
    infer(JS, "{'class_name':'Sequential','config':{'name':'s','layers':[{'class_name':'LSTM','config':{'name':'l',"
              "'units':6,'batch_input_shape':[null,7,3]}},{'class_name':'TimeDistributed',"
              "'config':{'name':'td','layer':{'class_name':'Dense','config':{'name':'d','units':2}}}}]}}",
          &m, &g, &f);
    assert_int_equal(f.len, 1);
    assert_int_equal(f.items[0].code, FC_LAYER_INPUT_RANK);
    assert_string_equal(f.items[0].layer, "td");
    release(&m, &g, &f);
}

/* A frozen wrapper moves the wrapped weights to non-trainable (oracle counts 144 in all). */
static void test_layer_rnn__frozen_bidirectional(void **state)
{
    fc_build b;
    int known;

    (void)state;
    build(JS, "{'class_name':'Bidirectional','config':{'name':'bi','trainable':false,'layer':{'class_name':'LSTM',"
              "'config':{'name':'l','units':3}}}}",
          "[null,5,2]", &b, &known);
    assert_int_equal(b.trainable, 0);
    assert_int_equal(b.non_trainable, 144);
}

/* ---- unknown dimensions ------------------------------------------------------- */

static const rnn_case unknown_cases[] = {
    {K3, "{'class_name':'LSTM','config':{'name':'l','units':4}}", "[null,null,3]", 128, "(None, 4)", NONE},
    {K3, "{'class_name':'LSTM','config':{'name':'l','units':4,'return_sequences':true}}", "[null,null,3]", 128,
     "(None, None, 4)", NONE},
    {K3, "{'class_name':'LSTM','config':{'name':'l','units':4}}", "[7,null,3]", 128, "(7, 4)", NONE},
    /* the feature axis sizes the kernel */
    {K3, "{'class_name':'LSTM','config':{'name':'l','units':4}}", "[null,5,null]", -1, "(None, 4)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'l','units':4}}", "[null,null,null]", -1, "(None, 4)", NONE},
    /* after a layer of unknown output everything is unknown (fc_layer_build does not call the build) */
    {K3, "{'class_name':'LSTM','config':{'name':'l','units':4,'return_state':true}}", "?", -1, "<unknown>", NONE},
    {K3, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':4,'kernel_size':3}}", "[null,null,8,8,3]", 1024,
     "(None, 6, 6, 4)", NONE},
    {K3, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':4,'kernel_size':3}}", "[null,5,null,null,3]", 1024,
     "(None, None, None, 4)", NONE},
    {K3, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':4,'kernel_size':3}}", "[null,5,8,8,null]", -1,
     "(None, 6, 6, 4)", NONE},
    {K3, "{'class_name':'TimeDistributed','config':{'name':'t','layer':{'class_name':'Dense','config':{'units':4}}}}",
     "[null,null,3]", 16, "(None, None, 4)", NONE},
    {K3, "{'class_name':'TimeDistributed','config':{'name':'t','layer':{'class_name':'Dense','config':{'units':4}}}}",
     "?", -1, "<unknown>", NONE},
    {K3, "{'class_name':'Bidirectional','config':{'name':'b','layer':{'class_name':'LSTM','config':{'units':4}}}}",
     "[null,null,3]", 256, "(None, 8)", NONE},
};

static void test_layer_rnn__unknown_dims(void **state)
{
    (void)state;
    check_cases(unknown_cases, sizeof(unknown_cases) / sizeof(unknown_cases[0]), 0);
}

/* ---- absurd configs ------------------------------------------------------------- */

static const rnn_case absurd_cases[] = {
    /* Keras and TF.js refuse units <= 0 or not a number when the layer is made: nothing is known */
    {K3, "{'class_name':'LSTM','config':{'name':'l','units':0}}", "[null,5,3]", -1, "(None, None)", NONE},
    {JS, "{'class_name':'GRU','config':{'name':'l','units':-3}}", "[null,5,3]", -1, "(None, None)", NONE},
    {K3, "{'class_name':'SimpleRNN','config':{'name':'l'}}", "[null,5,3]", -1, "(None, None)", NONE},
    {K3, "{'class_name':'LSTM','config':{'name':'l','units':'8'}}", "[null,5,3]", -1, "(None, None)", NONE},
    {K3, "{'class_name':'LSTM','config':{'name':'l','units':1.5}}", "[null,5,3]", -1, "(None, None)", NONE},
    {K3, "{'class_name':'LSTM','config':{'name':'l','units':-9223372036854775807}}", "[null,5,3]", -1,
     "(None, None)", NONE},
    /* more weights than 2^53: params_overflow, which the graph reports as DIM_OVERFLOW */
    {K3, "{'class_name':'LSTM','config':{'name':'l','units':1000000000}}", "[null,5,3]", OVERFLOW,
     "(None, 1000000000)", NONE},
    {K3, "{'class_name':'GRU','config':{'name':'l','units':9223372036854775807}}", "[null,5,3]", OVERFLOW,
     "(None, 9007199254740993)", NONE},
    {JS, "{'class_name':'RNN','config':{'name':'l','cell':{'class_name':'SimpleRNNCell','config':"
         "{'units':9007199254740993}}}}",
     "[null,5,3]", OVERFLOW, "(None, 9007199254740993)", NONE},
    {K3, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':9007199254740993,'kernel_size':1}}",
     "[null,3,8,8,2]", OVERFLOW, "(None, 8, 8, 9007199254740993)", NONE},
    {K3, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':4,'kernel_size':[67108864,67108864],"
         "'padding':'same'}}",
     "[null,3,8,8,2]", OVERFLOW, "(None, 8, 8, 4)", NONE},
    {K3, "{'class_name':'TimeDistributed','config':{'name':'t','layer':{'class_name':'LSTM','config':"
         "{'units':1000000000}}}}",
     "[null,4,5,3]", OVERFLOW, "(None, 4, 1000000000)", NONE},
    {K3, "{'class_name':'Bidirectional','config':{'name':'b','layer':{'class_name':'LSTM','config':"
         "{'units':1000000000}}}}",
     "[null,5,3]", OVERFLOW, "(None, 2000000000)", NONE},
    {K3, "{'class_name':'Bidirectional','config':{'name':'b','layer':{'class_name':'LSTM','config':"
         "{'units':4194304}}}}",
     "[null,5,3]", 2LL * 4 * 4194304 * (3 + 4194304 + 1), "(None, 8388608)", NONE},
    {K3, "{'class_name':'Bidirectional','config':{'name':'b','layer':{'class_name':'LSTM','config':"
         "{'units':33554432}}}}",
     "[null,5,3]", OVERFLOW, "(None, 67108864)", NONE},
    /* windows beyond any input */
    {K3, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':[9223372036854775807,1]}}",
     "[null,3,8,8,2]", 0, "<unknown>", FC_NON_POSITIVE_DIM},
    {K3, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':3,"
         "'dilation_rate':[9223372036854775807,1]}}",
     "[null,3,8,8,2]", 0, "<unknown>", FC_NON_POSITIVE_DIM},
    {K3, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':2,'kernel_size':3,'padding':'same',"
         "'strides':[9223372036854775807,1]}}",
     "[null,3,8,8,2]", 296, "(None, 1, 8, 2)", NONE},
    /* kernel sizes Keras would refuse */
    {K3, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':4,'kernel_size':[3,3,3]}}", "[null,3,8,8,2]",
     -1, "(None, None, None, 4)", NONE},
    {K3, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':4,'kernel_size':0}}", "[null,3,8,8,2]", -1,
     "(None, None, None, 4)", NONE},
    {K3, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':4,'kernel_size':3,'strides':-2}}",
     "[null,3,8,8,3]", 1024, "(None, None, None, 4)", NONE},
    {K3, "{'class_name':'ConvLSTM2D','config':{'name':'c','filters':-4,'kernel_size':3}}", "[null,3,8,8,3]", -1,
     "(None, 6, 6, None)", NONE},
    /* wrappers with nothing or something unknown inside */
    {K3, "{'class_name':'Bidirectional','config':{'name':'b'}}", "[null,5,3]", -1, "<unknown>", NONE},
    {K3, "{'class_name':'Bidirectional','config':{'name':'b','layer':[1,2]}}", "[null,5,3]", -1, "<unknown>", NONE},
    {K3, "{'class_name':'Bidirectional','config':{'name':'b','layer':{'class_name':'MyRNN','config':{}}}}",
     "[null,5,3]", -1, "<unknown>", NONE},
    /* TF.js: "max is not a valid BidirectionalMergeMode." (oracle) */
    {JS, "{'class_name':'Bidirectional','config':{'name':'b','merge_mode':'max','layer':{'class_name':'LSTM',"
         "'config':{'units':2}}}}",
     "[null,5,3]", -1, "<unknown>", NONE},
    {K3, "{'class_name':'Bidirectional','config':{'name':'b','layer':{'class_name':'LSTM','config':{'units':2}},"
         "'backward_layer':{'class_name':'MyRNN','config':{}}}}",
     "[null,5,3]", -1, "(None, 4)", NONE},
    {K3, "{'class_name':'TimeDistributed','config':{'name':'t'}}", "[null,5,3]", -1, "<unknown>", NONE},
    {K3, "{'class_name':'TimeDistributed','config':{'name':'t','layer':{'class_name':'MyLayer','config':{}}}}",
     "[null,5,3]", -1, "<unknown>", NONE},
    {K3, "{'class_name':'RNN','config':{'name':'r'}}", "[null,5,3]", -1, "<unknown>", NONE},
    {K3, "{'class_name':'RNN','config':{'name':'r','cell':[]}}", "[null,5,3]", -1, "<unknown>", NONE},
    /* more states than a layer call may have outputs: capped at FC_MAX_LAYER_IO */
    {K3, "{'class_name':'RNN','config':{'name':'r','return_state':true,'cell':[{'class_name':'LSTMCell','config':"
         "{'units':3}},{'class_name':'LSTMCell','config':{'units':3}},{'class_name':'LSTMCell','config':"
         "{'units':3}},{'class_name':'LSTMCell','config':{'units':3}},{'class_name':'LSTMCell','config':"
         "{'units':3}},{'class_name':'LSTMCell','config':{'units':3}}]}}",
     "[null,5,2]", 72 + 5 * 84,
     "(None, 3); (None, 3); (None, 3); (None, 3); (None, 3); (None, 3); (None, 3); (None, 3)", NONE},
    {K3, "{'class_name':'Bidirectional','config':{'name':'b','merge_mode':null,'layer':{'class_name':'RNN',"
         "'config':{'name':'r','return_state':true,'cell':[{'class_name':'LSTMCell','config':{'units':3}},"
         "{'class_name':'LSTMCell','config':{'units':3}},{'class_name':'LSTMCell','config':{'units':3}},"
         "{'class_name':'LSTMCell','config':{'units':3}}]}}}}",
     "[null,5,2]", 2 * (72 + 3 * 84),
     "(None, 3); (None, 3); (None, 3); (None, 3); (None, 3); (None, 3); (None, 3); (None, 3)", NONE},
};

static void test_layer_rnn__absurd_configs_stay_defined(void **state)
{
    (void)state;
    check_cases(absurd_cases, sizeof(absurd_cases) / sizeof(absurd_cases[0]), 0);
}

/* Wrappers nested deeper than FC_MAX_NESTING stop there, unknown, without recursing further. */
static void test_layer_rnn__deep_nesting_is_bounded(void **state)
{
    char text[8192] = "";
    size_t i, at = 0;
    fc_build b;
    int known;

    (void)state;
    for (i = 0; i < FC_MAX_NESTING + 4; i++)
        at += (size_t)snprintf(text + at, sizeof(text) - at,
                               "{'class_name':'Bidirectional','config':{'name':'b%zu','layer':", i);
    at += (size_t)snprintf(text + at, sizeof(text) - at, "{'class_name':'LSTM','config':{'units':2}}");
    for (i = 0; i < FC_MAX_NESTING + 4; i++)
        at += (size_t)snprintf(text + at, sizeof(text) - at, "}}");
    assert_true(at < sizeof(text));
    build(K3, text, "[null,5,3]", &b, &known);
    assert_true(known);
    assert_true(b.params_unknown);
    assert_int_equal(b.outputs[0].rank, FC_RANK_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layer_rnn__tfjs_matches_oracle),
        cmocka_unit_test(test_layer_rnn__keras_rules_from_sources),
        cmocka_unit_test(test_layer_rnn__input_rank_problems),
        cmocka_unit_test(test_layer_rnn__rank_problem_values),
        cmocka_unit_test(test_layer_rnn__stacked_lstm_needs_return_sequences),
        cmocka_unit_test(test_layer_rnn__undefined_time_axis_is_normal),
        cmocka_unit_test(test_layer_rnn__return_state_outputs_feed_layers),
        cmocka_unit_test(test_layer_rnn__time_distributed_after_lstm),
        cmocka_unit_test(test_layer_rnn__frozen_bidirectional),
        cmocka_unit_test(test_layer_rnn__unknown_dims),
        cmocka_unit_test(test_layer_rnn__absurd_configs_stay_defined),
        cmocka_unit_test(test_layer_rnn__deep_nesting_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
