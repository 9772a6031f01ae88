/*
 * diff.h - what changed between two preflight reports of one project: the
 * answer a notebook user wants after re-running a preflight with a fix
 * ("LABEL_SHAPE_MISMATCH resolved, 1 new warning").
 */
#ifndef FITCHECK_DIFF_H
#define FITCHECK_DIFF_H

#include <jansson.h>

/*
 * Compares report (the newer) with against (the older; NULL when there is
 * none: every finding is then new). Both are reports as POST /v1/preflight
 * returns them; neither is modified. A finding is the same one in both when
 * its code and location (pointer, input, output, layer) are; it "changed"
 * when its severity or message differ. Layers are matched by name.
 *
 * Returns a new object:
 *   {"report": {id, created_at, verdict}, "against": {...} or null,
 *    "summary": "LABEL_SHAPE_MISMATCH resolved, 1 new warning",
 *    "verdict": {"from": "fail" or null, "to": "warn"},
 *    "findings": {"added": [finding...], "resolved": [finding...],
 *                 "changed": [{"code", "location", "from": {severity, message}, "to": {...}}],
 *                 "unchanged": n},
 *    "model": {"total_params": {"from", "to"},
 *              "layers": {"added": [layer...], "removed": [layer...],
 *                         "changed": [{"name", "class", "from": {output_shape, params}, "to": {...}}]}}}
 * where finding and layer are copies of the reports' own. NULL when out of
 * memory or when report is not an object.
 */
json_t *fc_report_diff(const json_t *report, const json_t *against);

#endif
