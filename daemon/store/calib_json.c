/* The calibration a session was recorded with, as JSON text in
 * sessions.calibration_json: {"left": [CURVE...] | null, "right": ...}.
 * CURVE has the fields of struct ins_calib_curve, the same objects as the
 * calibration_<foot> header of the frames export (docs/import.md).  Doubles
 * are written with 17 significant digits so they read back bit for bit and
 * re-analysis calibrates exactly as the live analysis did. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"

static const char *const kind_names[] = { "linear", "power", "table" };

json_t *store_calib_curve_json(const struct ins_calib_curve *c)
{
	json_t *o = json_pack("{s:s, s:f, s:f, s:i}", "kind",
			      (unsigned)c->kind < 3 ? kind_names[c->kind] : "linear", "zero", c->zero, "gain", c->gain,
			      "saturation", (int)c->saturation);

	if (!o)
		return NULL;
	if (c->kind == INS_CALIB_POWER)
		json_object_set_new(o, "exponent", json_real(c->exponent));
	if (c->kind == INS_CALIB_TABLE) {
		json_t *tc = json_array(), *tk = json_array();
		for (unsigned i = 0; i < c->n_points && i < INS_CALIB_TABLE_MAX; i++) {
			json_array_append_new(tc, json_real(c->table_counts[i]));
			json_array_append_new(tk, json_real(c->table_kpa[i]));
		}
		json_object_set_new(o, "table_counts", tc);
		json_object_set_new(o, "table_kpa", tk);
	}
	return o;
}

char *ins_store_calib_to_json(const struct ins_calib_curve *const calib[INS_FOOT_COUNT],
			      const unsigned n_sensors[INS_FOOT_COUNT])
{
	json_t *root = json_object();
	char *text;

	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		json_t *arr = json_null();
		if (calib[f]) {
			json_decref(arr);
			arr = json_array();
			for (unsigned i = 0; i < n_sensors[f]; i++)
				json_array_append_new(arr, store_calib_curve_json(&calib[f][i]));
		}
		json_object_set_new(root, ins_foot_name(f), arr);
	}
	text = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(root);
	return text;
}

static int number(const json_t *o, const char *key, int required, double *out)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return required ? -1 : 0;
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return -1;
	*out = json_number_value(v);
	return 0;
}

static int parse_curve(const json_t *o, struct ins_calib_curve *c, const char *where, struct ins_error *err)
{
	const char *kind = json_string_value(json_object_get(o, "kind"));
	double sat = 0;
	json_t *tc, *tk;

	memset(c, 0, sizeof(*c));
	c->kind = INS_CALIB_LINEAR;
	for (unsigned k = 0; kind && k < 3; k++)
		if (strcmp(kind, kind_names[k]) == 0)
			c->kind = (enum ins_calib_kind)k;
	if (!kind || strcmp(kind, kind_names[c->kind]) != 0) {
		ins_error_msg(err, "%s.kind: expected linear, power or table", where);
		return INS_EINVAL;
	}
	if (number(o, "zero", 1, &c->zero) < 0 || number(o, "gain", 1, &c->gain) < 0 ||
	    number(o, "exponent", c->kind == INS_CALIB_POWER, &c->exponent) < 0 ||
	    number(o, "saturation", 0, &sat) < 0 || sat < 0 || sat > UINT16_MAX) {
		ins_error_msg(err, "%s: zero, gain (and exponent for power) must be numbers, saturation 0..65535",
			 where);
		return INS_EINVAL;
	}
	c->saturation = (uint16_t)sat;
	if (c->kind != INS_CALIB_TABLE)
		return 0;
	tc = json_object_get(o, "table_counts");
	tk = json_object_get(o, "table_kpa");
	if (!json_is_array(tc) || !json_is_array(tk) || json_array_size(tc) != json_array_size(tk) ||
	    json_array_size(tc) < 2 || json_array_size(tc) > INS_CALIB_TABLE_MAX) {
		ins_error_msg(err, "%s: table_counts and table_kpa must be arrays of equal length 2..%d", where,
			 INS_CALIB_TABLE_MAX);
		return INS_EINVAL;
	}
	c->n_points = (unsigned)json_array_size(tc);
	for (unsigned i = 0; i < c->n_points; i++) {
		json_t *a = json_array_get(tc, i), *b = json_array_get(tk, i);
		if (!json_is_number(a) || !json_is_number(b)) {
			ins_error_msg(err, "%s: table entry %u is not a number", where, i);
			return INS_EINVAL;
		}
		c->table_counts[i] = json_number_value(a);
		c->table_kpa[i] = json_number_value(b);
	}
	return 0;
}

/* Curves per foot (malloc'd, n_sensors[f] each, NULL = layout default).
 * The caller frees out[f]. */
int store_calib_parse(const char *text, const unsigned n_sensors[INS_FOOT_COUNT],
		      struct ins_calib_curve *out[INS_FOOT_COUNT], struct ins_error *err)
{
	json_error_t jerr;
	json_t *root;
	int rc = 0;

	out[0] = out[1] = NULL;
	if (!text)
		return 0;
	root = json_loads(text, 0, &jerr);
	if (!json_is_object(root)) {
		ins_error_msg(err, "calibration: not a JSON object (%s)", root ? "wrong type" : jerr.text);
		json_decref(root);
		return INS_EINVAL;
	}
	for (unsigned f = 0; f < INS_FOOT_COUNT && rc == 0; f++) {
		json_t *arr = json_object_get(root, ins_foot_name(f));
		char where[64];
		if (!arr || json_is_null(arr))
			continue;
		if (!json_is_array(arr) || json_array_size(arr) != n_sensors[f]) {
			ins_error_msg(err, "calibration.%s: expected an array of %u curves (one per sensor)",
				 ins_foot_name(f), n_sensors[f]);
			rc = INS_EINVAL;
			break;
		}
		out[f] = calloc(n_sensors[f] ? n_sensors[f] : 1, sizeof(**out));
		if (!out[f]) {
			ins_error_msg(err, "out of memory");
			rc = INS_EIO;
			break;
		}
		for (unsigned i = 0; i < n_sensors[f] && rc == 0; i++) {
			snprintf(where, sizeof(where), "calibration.%s[%u]", ins_foot_name(f), i);
			rc = parse_curve(json_array_get(arr, i), &out[f][i], where, err);
		}
	}
	json_decref(root);
	if (rc < 0) {
		free(out[0]);
		free(out[1]);
		out[0] = out[1] = NULL;
	}
	return rc;
}
