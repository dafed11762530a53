/* JSON and CSV renderings of analysis results.  ONE builder per shape, so
 * storage, the HTTP API, SSE and `insoled --analyze` emit identical
 * documents (shapes: docs/api.md STEP, SUMMARY, FOOT).  NaN becomes JSON
 * null and an empty CSV field.  Implemented in daemon/analysis/. */
#ifndef INSOLED_ANALYSIS_JSON_H
#define INSOLED_ANALYSIS_JSON_H

#pragma GCC visibility push(default)

#include <stddef.h>

#include <jansson.h>

#include "insoled/analysis.h"

/* {"foot","index","flags","contact_us","toe_off_us","metrics":{NAME: number|null}} */
json_t *ins_step_json(const struct ins_step *step);
/* The same document as text, exactly as json_dumps(ins_step_json(step),
 * JSON_COMPACT | JSON_REAL_PRECISION(9)) writes it, without building a tree
 * (for `insoled --analyze`): NUL-terminated, returns the length, or -1 when
 * buflen is too small.  INS_STEP_JSON_MAX always suffices. */
#define INS_STEP_JSON_MAX 8192
int ins_step_json_text(const struct ins_step *step, char *buf, size_t buflen);

/* {"steps":{"left","right"},
 *  "metrics":{NAME:{"left":{"n","mean","sd","cv_pct"},"right":{...},"symmetry_pct"}},
 *  "findings":[{"foot","class","text"}],
 *  "arch_trend":{"left":{"class","headline","reason","change","change_ci95":[lo,hi],"mdc95","sem",
 *                "per_min","ci95":[lo,hi],"steps","steps_total","blocks","minutes"},"right":{...}},
 *  "arch_measure":"arch_index"|"midfoot_load_index",
 *  "quality":{"saturated_steps":{"left","right"},"gap_steps":{"left","right"}}} */
json_t *ins_summary_json(const struct ins_summary *sum);

/* FOOT without "heatmap" (the HTTP layer adds it):
 * {"force_n","cop":{"x_mm","y_mm","x_norm","y_norm"},
 *  "regions_n":{"heel","midfoot","forefoot","toes"},
 *  "contact_area_mm2","peak_kpa","in_stance","n_saturated"} */
json_t *ins_frame_metrics_json(const struct ins_frame_metrics *fm);

/* A JSON number, or null for NaN / infinity. */
json_t *ins_json_number_or_null(double v);

/* CSV for steps: "foot,index,flags,contact_us,toe_off_us,<metric names...>"
 * and one row per step (no trailing newline; NaN -> empty field; numbers
 * with up to 9 significant digits).  Both write a NUL-terminated line into
 * buf and return its length, or -1 when buflen is too small (buf then holds
 * an empty string).  INS_STEP_CSV_MAX always suffices. */
#define INS_STEP_CSV_MAX 4096
int ins_step_csv_header(char *buf, size_t buflen);
int ins_step_csv_row(const struct ins_step *step, char *buf, size_t buflen);

#pragma GCC visibility pop

#endif
