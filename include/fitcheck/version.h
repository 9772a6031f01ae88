/*
 * version.h - framework versions and the behaviours that depend on them.
 *
 * A request names its target (keras3, tf.keras2, tfjs) and may name the
 * release it runs (framework_version); the descriptor's keras_version (or a
 * TF.js model's tfjs-layers version) is used when the request names none.
 * Every version-dependent check asks fc_target_has() whether the target's
 * release behaves a given way; the table behind it (core/version.c) is the
 * source of docs/versions.md.
 */
#ifndef FITCHECK_VERSION_H
#define FITCHECK_VERSION_H

#include <jansson.h>

#include "fitcheck/error.h"
#include "fitcheck/model.h"

/* The code lineage a release belongs to. */
typedef enum fc_line {
    FC_LINE_NONE = 0,
    FC_LINE_KERAS2,     /* standalone multi-backend Keras 2.0.0 - 2.3.1, its own engine */
    FC_LINE_TFKERAS,    /* tf.keras: the "-tf" builds, Keras 2.4+ (a wrapper of tf.keras), tf-keras 2.16+ */
    FC_LINE_KERAS_CORE, /* keras_core 0.1.x, the preview of Keras 3 */
    FC_LINE_KERAS3,     /* Keras 3.x */
    FC_LINE_TFJS        /* TensorFlow.js 1.x - 4.x */
} fc_line;

typedef struct fc_version {
    int known;               /* 0: no version was given; behaviours are those of the newest release */
    fc_line line;
    int major, minor, patch; /* the package's own version; patch -1 when not given */
    int tf_major, tf_minor;  /* FC_LINE_TFKERAS: the TensorFlow release whose tf.keras this is */
    int newer;               /* newer than the newest release fitcheck was checked against */
    char text[48];           /* normalised: "2.2.4", "2.2.4-tf", "3.5.0", "0.1.7", "1.7.4"; "" when unknown */
    const char *source;      /* "request", "descriptor" or "assumed" (static) */
} fc_version;

/* What a request runs on: the framework and its release. */
typedef struct fc_target {
    fc_framework framework;
    fc_version version;
} fc_target;

/*
 * Reads a version string for framework fw into *out (source "request").
 * Accepted: "2.2.4", "2.2.4-tf", "v1.7.4", "3.5.0.dev2024", "2.6.0rc0", and
 * the package named in front: "keras==2.2.4", "tf-keras 2.17", "keras_core
 * 0.1.7", "tensorflow 2.3" (a TensorFlow release: its tf.keras),
 * "@tensorflow/tfjs@1.7.4", "tfjs-layers 1.3.1". Fails with FC_ERR_INVALID
 * and err->path = path when the string names no release of fw: a release
 * that does not exist, another framework's, or one older than fitcheck
 * models (Keras before 2.0, TF.js before 1.0).
 */
fc_status fc_version_parse(fc_framework fw, const char *text, const char *path, fc_version *out, fc_error *err);

/* Sets *out to "unknown" for fw (the newest release's behaviours, source "assumed"). */
void fc_version_assume_newest(fc_framework fw, fc_version *out);

/*
 * The release a target's version stands for, in words: "standalone Keras
 * 2.2.4", "tf.keras 2.4.0 (TensorFlow 2.3-2.4)", "Keras 3.5.0", "TF.js
 * 1.7.4", or "the newest Keras 3 (3.15.1)" when the version is unknown.
 * Writes into buf (always terminated) and returns it.
 */
const char *fc_version_describe(const fc_target *t, char *buf, size_t size);

/*
 * Release specs: "keras2 2.0.0-2.3.1; tf 2.0-2.1; keras3 3.13-; keras_core
 * 0.1; tfjs 1.0-2.8.6". Items are separated by ';', each a lineage
 * (keras2: standalone Keras; tf: tf.keras by the TensorFlow release it ships
 * in; keras_core; keras3; tfjs) and a range: "lo-hi", "lo-" (and later), or
 * one version ("3.13" stands for every 3.13.x). An empty or NULL spec is
 * every release.
 */

/* 1 when spec is well-formed. */
int fc_release_spec_valid(const char *spec);

/* 1 when target t's release is in spec (an unknown version counts as the newest release). */
int fc_target_in(const fc_target *t, const char *spec);

/* spec in words ("standalone Keras 2.0.0-2.3.1; Keras 3.13 on") into buf, always terminated. */
void fc_release_spec_words(const char *spec, char *buf, size_t size);

/*
 * Version-dependent behaviours. Each row of the table in core/version.c
 * gives the framework, the releases it holds for (a release spec), and the
 * source read.
 */
typedef enum fc_behaviour {
    FC_B_LEGACY_STANDARDIZE = 0, /* fit checks every x array's rank and dims before training */
    FC_B_LEGACY_TARGET_CHECK,    /* ... and every target's against its output */
    FC_B_EXPAND_1D,              /* train_step makes every 1-D x and y (N, 1) (data_adapter.expand_1d) */
    FC_B_OBJECT_INVALID_DTYPE,   /* an object array fails as "Invalid dtype: object", not in TensorFlow */
    FC_B_TFJS_SPARSE_FLOAT_ONLY, /* TF.js's sparse loss floors the labels, and floor refuses int32 */
    FC_B_TFJS_FUNCTIONAL_CLASS,  /* TF.js knows the model class "Functional" (Keras 2.4+ writes it) */
    FC_B_TRAILING_AXIS_ADAPT,    /* the model adds or squeezes one trailing axis of size 1 on x */
    FC_B_LOSS_SQUEEZE_BROADCAST, /* the loss squeezes a trailing 1 and broadcasts y against y_pred */
    FC_B_SERIES_AS_COLUMN,       /* a pandas.Series becomes a (N, 1) column before the model sees it */
    FC_B_ACCURACY_BY_LOSS,       /* metrics=["accuracy"] is binary_accuracy whenever the loss is binary_crossentropy */
    FC_BEHAVIOUR_COUNT
} fc_behaviour;

/* 1 when target t's release behaves so (an unknown version is the newest release). */
int fc_target_has(const fc_target *t, fc_behaviour b);

/*
 * The behaviour table as JSON (new reference; NULL when out of memory):
 * [{"behaviour", "framework", "releases", "summary", "reference"}, ...].
 */
json_t *fc_behaviours_json(void);

/* The releases fitcheck accepts, per framework: {"tf.keras2": [...], "keras3": [...], "tfjs": [...]} (new reference). */
json_t *fc_releases_json(void);

#endif
