/* Step rows: the metrics of INS_STEP_METRICS packed as little-endian
 * float64 in the order of a metric_sets row, so rows written before a
 * metric was added (or removed) are still read by name, bit for bit. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"

void store_pack_metrics(const double *m, uint8_t *out)
{
	for (unsigned i = 0; i < INS_M_COUNT; i++) {
		uint64_t bits;
		memcpy(&bits, &m[i], sizeof(bits));
		for (unsigned b = 0; b < 8; b++)
			out[i * 8 + b] = (uint8_t)(bits >> (8 * b));
	}
}

static double unpack_double(const uint8_t *p)
{
	uint64_t bits = 0;
	double v;

	for (unsigned b = 0; b < 8; b++)
		bits |= (uint64_t)p[b] << (8 * b);
	memcpy(&v, &bits, sizeof(v));
	return v;
}

char *store_metric_names(void)
{
	size_t len = 1;
	char *s;

	for (unsigned i = 0; i < INS_M_COUNT; i++)
		len += strlen(ins_step_metric_info[i].name) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (unsigned i = 0; i < INS_M_COUNT; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, ins_step_metric_info[i].name);
	}
	return s;
}

int store_metric_map(sqlite3 *db, int64_t set_id, struct metric_map *map, struct ins_error *err)
{
	sqlite3_stmt *q = NULL;
	int src, rc = INS_EIO;
	char *names = NULL;

	map->set_id = set_id;
	map->n_stored = 0;
	for (unsigned i = 0; i < INS_M_COUNT; i++)
		map->idx[i] = -1;
	src = sqlite3_prepare_v2(db, "SELECT names FROM metric_sets WHERE id = ?", -1, &q, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(q, 1, set_id);
	if (src == SQLITE_OK)
		src = sqlite3_step(q);
	if (src != SQLITE_ROW) {
		if (src == SQLITE_DONE)
			ins_error_msg(err, "steps: metric set %lld is missing", (long long)set_id);
		else
			rc = store_sql_error(src, db, "reading metric names", err);
		goto out;
	}
	names = strdup((const char *)sqlite3_column_text(q, 0));
	if (!names) {
		ins_error_msg(err, "out of memory");
		goto out;
	}
	for (char *save = NULL, *tok = strtok_r(names, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (unsigned i = 0; i < INS_M_COUNT; i++)
			if (strcmp(tok, ins_step_metric_info[i].name) == 0)
				map->idx[i] = (int)map->n_stored;
		map->n_stored++;
	}
	rc = 0;
out:
	free(names);
	sqlite3_finalize(q);
	return rc;
}

/* Columns from first_col: foot, idx, flags, contact_us, toe_off_us, metrics. */
int store_unpack_step(sqlite3_stmt *row, int first_col, const struct metric_map *map, struct ins_step *out)
{
	const uint8_t *blob = sqlite3_column_blob(row, first_col + 5);
	size_t len = (size_t)sqlite3_column_bytes(row, first_col + 5);

	if (len != (size_t)map->n_stored * 8)
		return -1;
	out->foot = (uint8_t)sqlite3_column_int(row, first_col);
	out->index = (uint32_t)sqlite3_column_int64(row, first_col + 1);
	out->flags = (uint32_t)sqlite3_column_int64(row, first_col + 2);
	out->contact_us = sqlite3_column_int64(row, first_col + 3);
	out->toe_off_us = sqlite3_column_int64(row, first_col + 4);
	for (unsigned i = 0; i < INS_M_COUNT; i++)
		out->m[i] = map->idx[i] < 0 ? NAN : unpack_double(blob + 8 * (size_t)map->idx[i]);
	return 0;
}

int store_each_step(sqlite3 *db, int64_t session_id,
		    int (*fn)(void *ctx, const struct ins_step *step), void *ctx, struct ins_error *err)
{
	sqlite3_stmt *q = NULL;
	struct metric_map map = { .set_id = -1 };
	struct ins_step step, out;
	struct ins_step_delay delay;
	int src, rc = 0;

	ins_step_delay_init(&delay);
	src = sqlite3_prepare_v2(db, "SELECT metric_set, foot, idx, flags, contact_us, toe_off_us, metrics "
				 "FROM steps WHERE session_id = ? ORDER BY id", -1, &q, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(q, 1, session_id);
	while (src == SQLITE_OK && (src = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t set = sqlite3_column_int64(q, 0);
		if (set != map.set_id && (rc = store_metric_map(db, set, &map, err)) < 0)
			goto out;
		memset(&step, 0, sizeof(step));
		if (store_unpack_step(q, 1, &map, &step) < 0) {
			ins_error_msg(err, "session %lld: a step row has metrics of the wrong size",
				 (long long)session_id);
			rc = INS_EIO;
			goto out;
		}
		if (ins_step_delay_push(&delay, &step, &out) && (rc = fn(ctx, &out)) < 0)
			goto out;
		src = SQLITE_OK;
	}
	if (src != SQLITE_DONE)
		rc = store_sql_error(src, db, "reading steps", err);
	while (rc >= 0 && ins_step_delay_flush(&delay, &out))
		rc = fn(ctx, &out);
out:
	sqlite3_finalize(q);
	return rc;
}
