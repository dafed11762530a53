/* Store tests against temporary databases: schema and versions, damaged
 * files, the writer under a locked database and a full disk, the lossless
 * archive, text round trips, session lifecycle, re-analysis identical to
 * the live analysis, heatmaps and exports. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "insoled/analysis.h"
#include "insoled/analysis_json.h"
#include "insoled/clock.h"
#include "insoled/curves.h"
#include "insoled/import.h"
#include "insoled/layout.h"
#include "insoled/session.h"
#include "insoled/store.h"
#include "insoled/synth.h"

#include "../../daemon/store/chunk.h"
#include "../../daemon/store/store_priv.h"
#include "../../daemon/import/import_priv.h"
#include "lib.h"
#include "shared_data.h"

#define SQL_DIR INS_TEST_SRCDIR "/sql"
#define SCHEMA_VERSION 5 /* the highest NNN_*.sql */
/* Longest a test waits for the writer to reach a state (it commits every 0.5 s). */
#define WAIT_MS 10000

static char tmpdir[256];
static char dbpath[300];

static void setup(void)
{
	test_tmpdir_make(tmpdir, sizeof(tmpdir), "check_store");
	snprintf(dbpath, sizeof(dbpath), "%s/test.db", tmpdir);
}

static void teardown(void)
{
	test_tmpdir_remove(tmpdir);
}

static struct ins_store_config config(void)
{
	struct ins_store_config c = { .db_path = dbpath, .sql_dir = SQL_DIR, .layout_dir = LAYOUT_DIR };
	return c;
}

static struct ins_store *open_store(const struct ins_store_config *c)
{
	struct ins_error err = { "", "" };
	struct ins_store *st = ins_store_open(c, &err);

	ck_assert_msg(st != NULL, "open: %s", err.msg);
	return st;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Poll the stats until fn says yes or WAIT_MS passes. */
static int wait_for(struct ins_store *st, int (*fn)(const struct ins_store_stats *, uint64_t), uint64_t arg)
{
	struct ins_store_stats s;

	for (int t = 0; t < WAIT_MS; t += 20) {
		ins_store_get_stats(st, &s);
		if (fn(&s, arg))
			return 1;
		sleep_ms(20);
	}
	return 0;
}

static int written_is(const struct ins_store_stats *s, uint64_t n)
{
	return s->frames_written == n && s->queue_depth == 0;
}

static int has_errors(const struct ins_store_stats *s, uint64_t n)
{
	return s->write_errors >= n && !s->healthy;
}

static int64_t query_int(const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int64_t v = -1;

	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

static void exec_sql(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql, msg);
	sqlite3_close(db);
}

static struct ins_session_meta meta_fsr16(const char *subject, const char *footwear)
{
	struct ins_session_meta m = { .subject = subject, .footwear = footwear, .notes = "",
				      .layout = { "fsr16", "fsr16" }, .devices = "test" };
	return m;
}

static int64_t start_session(struct ins_store *st, const struct ins_session_meta *m)
{
	struct ins_error err = { "", "" };
	int64_t id = 0;

	ck_assert_msg(ins_store_session_start(st, m, &id, &err) == 0, "start: %s", err.msg);
	ck_assert_int_gt(id, 0);
	return id;
}

/* A frame whose values are a known function of (foot, seq, sensor). */
static void make_frame(struct ins_frame *f, uint16_t *vals, unsigned foot, uint32_t seq, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		vals[i] = (uint16_t)((seq * 7u + i * 131u + foot * 1000u) % 4096u);
	f->foot = (uint8_t)foot;
	f->n = (uint16_t)n;
	f->seq = seq;
	f->t_dev = seq * 10000u;
	f->t_us = (int64_t)seq * 10000;
	f->host_us = 1700000000000000LL + (int64_t)seq * 10000 + foot;
	f->values = vals;
}

static void put_frames(struct ins_store *st, int64_t id, uint32_t first, uint32_t count, unsigned n, int expect)
{
	uint16_t vals[INS_MAX_SENSORS];
	struct ins_frame f;

	for (uint32_t s = first; s < first + count; s++)
		for (unsigned foot = 0; foot < 2; foot++) {
			make_frame(&f, vals, foot, s, n);
			ck_assert_int_eq(ins_store_put_frame(st, id, &f), expect);
		}
}

/* ---- chunk codec ------------------------------------------------------------ */

START_TEST(chunk_roundtrip_is_lossless)
{
	struct store_chunk_enc enc = { 0 };
	struct store_chunk_dec dec = { 0 };
	enum { N = 37, FRAMES = 500 };
	static uint16_t in[FRAMES][N], out[N];
	static struct store_chunk_frame fin[FRAMES];
	struct store_chunk_frame f;
	struct ins_error err;
	uint32_t x = 12345;

	ck_assert_int_eq(store_chunk_enc_reset(&enc, STORE_CHUNK_COUNTS, N), 0);
	for (int k = 0; k < FRAMES; k++) {
		for (int i = 0; i < N; i++) {
			x = x * 1103515245u + 12345u;
			/* zeros, small changes, and the extremes 0 / 65535 */
			in[k][i] = (uint16_t)(i % 5 == 0 ? 0 : i % 7 == 0 ? (k % 2 ? 65535 : 0) : (x >> 16) % 4096);
		}
		/* seq and t_dev wrap, host time jumps back once (clock step) */
		fin[k] = (struct store_chunk_frame){ .seq = 0xfffffff0u + (uint32_t)k, .t_dev = 0xffffff00u + 1000u * (uint32_t)k,
						   .t_us = INT64_C(5000000000) + 10000 * k,
						   .host_us = INT64_C(1700000000000000) + 10000 * k - (k > 250 ? 3000000 : 0),
						   .arrival = 2 * k + 1 };
		ck_assert_int_eq(store_chunk_enc_add(&enc, &fin[k], in[k]), 0);
	}
	ck_assert_uint_eq(enc.n_frames, FRAMES);
	ck_assert_int_eq(store_chunk_dec_start(&dec, STORE_CHUNK_COUNTS, N, FRAMES, enc.buf, enc.len, &err), 0);
	for (int k = 0; k < FRAMES; k++) {
		ck_assert_int_eq(store_chunk_dec_next(&dec, &f, out, &err), 1);
		ck_assert_uint_eq(f.seq, fin[k].seq);
		ck_assert_uint_eq(f.t_dev, fin[k].t_dev);
		ck_assert_int_eq(f.t_us, fin[k].t_us);
		ck_assert_int_eq(f.host_us, fin[k].host_us);
		ck_assert_int_eq(f.arrival, fin[k].arrival);
		ck_assert_mem_eq(out, in[k], sizeof(out));
	}
	ck_assert_int_eq(store_chunk_dec_next(&dec, &f, out, &err), 0);
	/* A truncated blob is reported, never read past. */
	ck_assert_int_eq(store_chunk_dec_start(&dec, STORE_CHUNK_COUNTS, N, FRAMES, enc.buf, enc.len / 2, &err), 0);
	int rc;
	while ((rc = store_chunk_dec_next(&dec, &f, out, &err)) == 1)
		;
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "damaged"));
	store_chunk_enc_free(&enc);
	store_chunk_dec_free(&dec);
}
END_TEST

START_TEST(chunk_float_roundtrip_keeps_bits)
{
	struct store_chunk_enc enc = { 0 };
	struct store_chunk_dec dec = { 0 };
	float in[3][4] = { { 0.0f, -0.0f, NAN, 1e-30f }, { 0.0f, 3.25f, NAN, INFINITY }, { 123.456f, 3.25f, -1.0f, 0.1f } };
	float out[4];
	struct store_chunk_frame f = { 0 };
	struct ins_error err;

	ck_assert_int_eq(store_chunk_enc_reset(&enc, STORE_CHUNK_FLOAT, 4), 0);
	for (int k = 0; k < 3; k++) {
		f.arrival = k;
		ck_assert_int_eq(store_chunk_enc_add(&enc, &f, in[k]), 0);
	}
	ck_assert_int_eq(store_chunk_dec_start(&dec, STORE_CHUNK_FLOAT, 4, 3, enc.buf, enc.len, &err), 0);
	for (int k = 0; k < 3; k++) {
		ck_assert_int_eq(store_chunk_dec_next(&dec, &f, out, &err), 1);
		ck_assert_mem_eq(out, in[k], sizeof(out));
	}
	store_chunk_enc_free(&enc);
	store_chunk_dec_free(&dec);
}
END_TEST

/* ---- schema and files ------------------------------------------------------------ */

START_TEST(fresh_database_gets_schema)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);

	ins_store_close(st);
	ck_assert_int_eq(query_int("PRAGMA user_version"), SCHEMA_VERSION);
	ck_assert_int_eq(query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
				   "('subjects','sessions','raw_chunks','steps','summaries','session_quality',"
				   "'metric_sets','session_controls')"), 8);
	ck_assert_int_eq(query_int("SELECT count(*) FROM metric_sets"), 1);
	/* Opening again applies nothing and keeps the metric set. */
	st = open_store(&c);
	ins_store_close(st);
	ck_assert_int_eq(query_int("SELECT count(*) FROM metric_sets"), 1);
}
END_TEST

START_TEST(newer_database_is_refused_untouched)
{
	struct ins_store_config c = config();
	struct ins_error err = { "", "" };
	char *before, *after;
	size_t nb, na;
	struct stat sb0, sb1;

	exec_sql(dbpath, "CREATE TABLE future(x); INSERT INTO future VALUES (1); PRAGMA user_version = 99;");
	before = test_read_file(dbpath, &nb);
	ck_assert_int_eq(stat(dbpath, &sb0), 0);
	sleep_ms(20);
	ck_assert_ptr_null(ins_store_open(&c, &err));
	ck_assert_msg(strstr(err.msg, "version 99 is newer") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "not modified") != NULL, "%s", err.msg);
	after = test_read_file(dbpath, &na);
	ck_assert_int_eq(stat(dbpath, &sb1), 0);
	ck_assert_uint_eq(na, nb);
	ck_assert_mem_eq(after, before, nb);
	ck_assert_int_eq(sb1.st_mtim.tv_nsec, sb0.st_mtim.tv_nsec);
	{
		char wal[320];
		snprintf(wal, sizeof(wal), "%s-wal", dbpath);
		ck_assert_int_eq(access(wal, F_OK), -1); /* never switched to WAL */
	}
	free(before);
	free(after);
}
END_TEST

START_TEST(foreign_sqlite_database_is_refused)
{
	struct ins_store_config c = config();
	struct ins_error err = { "", "" };

	exec_sql(dbpath, "CREATE TABLE contacts(name TEXT);");
	ck_assert_ptr_null(ins_store_open(&c, &err));
	ck_assert_msg(strstr(err.msg, "did not create") != NULL, "%s", err.msg);
	ck_assert_int_eq(query_int("SELECT count(*) FROM sqlite_master"), 1);
}
END_TEST

static void write_garbage(const char *path, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < n; i++)
		fputc((int)((i * 7919u) & 0xff), f);
	fclose(f);
}

START_TEST(corrupt_file_is_moved_aside)
{
	struct ins_store_config c = config();
	char pattern[320], *orig, *moved;
	size_t no, nm;
	glob_t g;

	write_garbage(dbpath, 8192);
	orig = test_read_file(dbpath, &no);
	struct ins_store *st = open_store(&c);
	ins_store_close(st);
	snprintf(pattern, sizeof(pattern), "%s.corrupt-*Z", dbpath);
	ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
	ck_assert_uint_eq(g.gl_pathc, 1);
	moved = test_read_file(g.gl_pathv[0], &nm);
	ck_assert_uint_eq(nm, no);
	ck_assert_mem_eq(moved, orig, no);
	globfree(&g);
	ck_assert_int_eq(query_int("PRAGMA user_version"), SCHEMA_VERSION);
	free(orig);
	free(moved);
}
END_TEST

START_TEST(corrupt_file_refused_when_configured)
{
	struct ins_store_config c = config();
	struct ins_error err = { "", "" };
	char pattern[320], *orig, *after;
	size_t no, na;
	glob_t g;

	c.refuse_corrupt = 1;
	write_garbage(dbpath, 4096);
	orig = test_read_file(dbpath, &no);
	ck_assert_ptr_null(ins_store_open(&c, &err));
	ck_assert_msg(strstr(err.msg, "refusing to start") != NULL, "%s", err.msg);
	after = test_read_file(dbpath, &na);
	ck_assert_uint_eq(na, no);
	ck_assert_mem_eq(after, orig, no);
	snprintf(pattern, sizeof(pattern), "%s.corrupt-*Z", dbpath);
	ck_assert_int_eq(glob(pattern, 0, NULL, &g), GLOB_NOMATCH);
	free(orig);
	free(after);
}
END_TEST

START_TEST(damaged_page_is_found_and_moved_aside)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = meta_fsr16("S", "");
	struct ins_error err;
	char pattern[320], *orig, *moved;
	size_t no, nm;
	glob_t g;
	int64_t id = start_session(st, &m);
	FILE *f;

	put_frames(st, id, 0, 3000, 64, INS_OK);
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	ins_store_close(st);
	/* Overwrite part of a page in the middle: the header stays valid. */
	f = fopen(dbpath, "r+b");
	ck_assert_ptr_nonnull(f);
	fseek(f, 4096 * 5 + 8, SEEK_SET);
	for (int i = 0; i < 64; i++)
		fputc(0xa5, f);
	fclose(f);
	orig = test_read_file(dbpath, &no);
	st = open_store(&c);
	ck_assert_int_eq(query_int("SELECT count(*) FROM sessions"), 0); /* a fresh database */
	ins_store_close(st);
	snprintf(pattern, sizeof(pattern), "%s.corrupt-*Z", dbpath);
	ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
	ck_assert_uint_eq(g.gl_pathc, 1);
	moved = test_read_file(g.gl_pathv[0], &nm);
	ck_assert_uint_eq(nm, no);
	ck_assert_mem_eq(moved, orig, no);
	globfree(&g);
	free(orig);
	free(moved);
}
END_TEST

START_TEST(damaged_chunk_is_reported)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = meta_fsr16("S", "");
	struct ins_error err = { "", "" };
	int64_t id = start_session(st, &m);
	int rc;

	put_frames(st, id, 0, 100, 16, INS_OK);
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	ins_store_close(st);
	exec_sql(dbpath, "UPDATE raw_chunks SET data = substr(data, 1, length(data) / 2) "
			 "WHERE id = (SELECT min(id) FROM raw_chunks)");
	st = open_store(&c);
	ck_assert_int_eq(ins_store_session_reanalyze(st, id, &err), INS_EIO);
	ck_assert_msg(strstr(err.msg, "raw chunk: damaged data in frame") != NULL, "%s", err.msg);
	ck_assert_ptr_null(ins_store_session_heatmap(st, id, 0, "peak", &rc, &err));
	ck_assert_int_eq(rc, INS_EIO);
	ins_store_close(st);
}
END_TEST

START_TEST(failed_migration_leaves_version)
{
	struct ins_store_config c = config();
	char dir[300], cmd[1200];
	struct ins_error err = { "", "" };

	snprintf(dir, sizeof(dir), "%s/sql", tmpdir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && cp '%s'/0*.sql '%s/' && "
		 "printf 'CREATE TABLE extra(x);\\nTHIS IS NOT SQL;\\n' > '%s/%03d_broken.sql'", dir, SQL_DIR, dir, dir,
		 SCHEMA_VERSION + 1);
	ck_assert_int_eq(system(cmd), 0);
	struct ins_store *st = open_store(&c); /* the current version */
	ins_store_close(st);
	c.sql_dir = dir;
	ck_assert_ptr_null(ins_store_open(&c, &err));
	ck_assert_msg(strstr(err.msg, "_broken.sql") != NULL, "%s", err.msg);
	ck_assert_int_eq(query_int("PRAGMA user_version"), SCHEMA_VERSION);
	ck_assert_int_eq(query_int("SELECT count(*) FROM sqlite_master WHERE name = 'extra'"), 0);
}
END_TEST

/* ---- sessions --------------------------------------------------------------------- */

START_TEST(session_lifecycle)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = meta_fsr16("P-0042", "shoe A");
	struct ins_error err = { "", "" };
	int64_t id, id2;
	json_t *j, *patch;
	int rc;

	id = start_session(st, &m);
	put_frames(st, id, 0, 300, 16, INS_OK);
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), INS_ECONFLICT);
	ck_assert_str_eq(err.msg, "session 1 is not recording");
	ck_assert_int_eq(ins_store_session_stop(st, 77, &err), INS_ENOTFOUND);
	/* frames for a stopped session are refused */
	put_frames(st, id, 300, 1, 16, INS_EINVAL);

	j = ins_store_session_get(st, id, &rc, &err);
	ck_assert_msg(j != NULL, "%s", err.msg);
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "complete");
	ck_assert_str_eq(json_string_value(json_object_get(j, "subject")), "P-0042");
	ck_assert_str_eq(json_string_value(json_object_get(j, "footwear")), "shoe A");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "frames")), 600);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "layout"), "left")), "fsr16");
	ck_assert_str_eq(json_string_value(json_object_get(j, "software_version")), PACKAGE_VERSION);
	ck_assert(json_is_integer(json_object_get(j, "end_us")));
	ck_assert(json_is_object(json_object_get(j, "summary")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(j, "quality"), "left"),
							      "frames")), 300);
	json_decref(j);

	m = meta_fsr16("P-0043", "barefoot");
	id2 = start_session(st, &m);
	ck_assert_int_eq(ins_store_session_delete(st, id2, &err), INS_ECONFLICT);
	ck_assert_int_eq(ins_store_session_stop(st, id2, &err), 0);

	struct ins_session_filter f = { .subject = "P-0042" };
	j = ins_store_session_list(st, &f, &rc, &err);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
	f = (struct ins_session_filter){ .footwear = "foot" };
	j = ins_store_session_list(st, &f, &rc, &err);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(j, "sessions"), 0), "id")), id2);
	json_decref(j);
	f = (struct ins_session_filter){ .limit = 1, .offset = 1 };
	j = ins_store_session_list(st, &f, &rc, &err);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "sessions")), 1);
	/* newest first: the second page holds the first session */
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(j, "sessions"), 0), "id")), id);
	json_decref(j);
	f = (struct ins_session_filter){ .from_us = 1, .to_us = 2 };
	j = ins_store_session_list(st, &f, &rc, &err);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 0);
	json_decref(j);

	patch = json_pack("{s:s, s:s}", "footwear", "shoe B", "subject", "P-0099");
	ck_assert_int_eq(ins_store_session_update(st, id, patch, &err), 0);
	json_decref(patch);
	patch = json_pack("{s:i}", "state", 1);
	ck_assert_int_eq(ins_store_session_update(st, id, patch, &err), INS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "state"));
	json_decref(patch);
	j = ins_store_session_get(st, id, &rc, &err);
	ck_assert_str_eq(json_string_value(json_object_get(j, "footwear")), "shoe B");
	ck_assert_str_eq(json_string_value(json_object_get(j, "subject")), "P-0099");
	ck_assert_str_eq(json_string_value(json_object_get(j, "notes")), "");
	json_decref(j);

	ck_assert_int_eq(ins_store_session_delete(st, id, &err), 0);
	ck_assert_int_eq(ins_store_session_delete(st, id, &err), INS_ENOTFOUND);
	ck_assert_ptr_null(ins_store_session_get(st, id, &rc, &err));
	ck_assert_int_eq(rc, INS_ENOTFOUND);
	ins_store_close(st);
	ck_assert_int_eq(query_int("SELECT count(*) FROM raw_chunks WHERE session_id = 1"), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM session_quality WHERE session_id = 1"), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM sessions"), 1);
}
END_TEST

/* A link to a deleted session must never lead to another patient's: ids
 * are not reused, not even the newest one's, not even after a restart. */
/* Sessions keep the lane that recorded them, and the list filters on it. */
START_TEST(sessions_keep_and_filter_their_lane)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = meta_fsr16("P-1", "");
	struct ins_session_filter f = { .lane = "treadmill2" };
	struct ins_error err = { "", "" };
	int64_t id1, id2;
	json_t *j;
	int rc;

	m.lane = "treadmill1";
	id1 = start_session(st, &m);
	m.lane = "treadmill2";
	id2 = start_session(st, &m);
	j = ins_store_session_list(st, &f, &rc, &err);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(j, "sessions"), 0), "id")), id2);
	json_decref(j);
	j = ins_store_session_get(st, id1, &rc, &err);
	ck_assert_str_eq(json_string_value(json_object_get(j, "lane")), "treadmill1");
	json_decref(j);
	f.lane = "treadmill3";
	j = ins_store_session_list(st, &f, &rc, &err);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 0);
	json_decref(j);
	ins_store_close(st);
}
END_TEST

START_TEST(session_ids_are_never_reused)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = meta_fsr16("P-1", "");
	struct ins_error err = { "", "" };
	int64_t a, b, again;
	int rc;
	json_t *j;

	a = start_session(st, &m);
	ck_assert_int_eq(ins_store_session_stop(st, a, &err), 0);
	b = start_session(st, &m);
	ck_assert_int_eq(ins_store_session_stop(st, b, &err), 0);
	/* a pooled read connection sees the commits that follow its last use */
	j = ins_store_session_list(st, NULL, &rc, &err);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 2);
	json_decref(j);
	ck_assert_int_eq(ins_store_session_delete(st, b, &err), 0);
	j = ins_store_session_list(st, NULL, &rc, &err);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
	again = start_session(st, &m);
	ck_assert_int_gt(again, b);
	ck_assert_ptr_null(ins_store_session_get(st, b, &rc, &err));
	ck_assert_int_eq(rc, INS_ENOTFOUND);
	ck_assert_int_eq(ins_store_session_stop(st, again, &err), 0);
	ck_assert_int_eq(ins_store_session_delete(st, again, &err), 0);
	ins_store_close(st);
	st = open_store(&c);
	ck_assert_int_gt(start_session(st, &m), again);
	ins_store_close(st);
}
END_TEST

#define IMPORT_FIXTURE INS_TEST_SRCDIR "/tests/fixtures/import/moticon_small.txt"

/* n bytes of text written to tmpdir/name; returns the path. */
static const char *write_tmp_file(const char *name, const char *text, size_t n, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, n, f), n);
	fclose(f);
	return path;
}

/* The fixture copied to tmpdir/name: the same recording under another name. */
static const char *copy_fixture(const char *name, char *path, size_t len)
{
	size_t n;
	char *text = test_read_file(IMPORT_FIXTURE, &n);

	write_tmp_file(name, text, n, path, len);
	free(text);
	return path;
}

static int64_t count_rows(const char *table)
{
	char sql[80];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return query_int(sql);
}

/* A recording imported again, under another name, is refused naming the
 * session that holds it, and nothing is written; asked for, it is stored
 * again; once every session holding it is deleted it imports as new. */
START_TEST(a_recording_already_stored_is_refused_naming_its_session)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = { .subject = "P-7" };
	struct ins_error err = { "", "" };
	char path[400], want[200];
	int64_t first = 0, id = 0, before = ins_realtime_us();
	int rc;
	json_t *j;

	ck_assert_msg(ins_store_session_import(st, IMPORT_FIXTURE, &m, &first, NULL, &err) == 0, "%s", err.msg);
	j = ins_store_session_get(st, first, &rc, &err);
	ck_assert_str_eq(json_string_value(json_object_get(j, "fingerprint")),
			 "sha256:a55e956ca991dd380fb090b96a0294e92d11a420c39372fda0e928aa6a4fcb43");
	ck_assert_int_ge(json_integer_value(json_object_get(j, "imported_us")), before);
	ck_assert_int_le(json_integer_value(json_object_get(j, "imported_us")), ins_realtime_us());
	json_decref(j);
	int64_t chunks = count_rows("raw_chunks"), steps = count_rows("steps");

	m.file_name = "walk again.txt";
	ck_assert_int_eq(ins_store_session_import(st, copy_fixture("renamed.txt", path, sizeof(path)), &m, &id, NULL,
						  &err), INS_ECONFLICT);
	ck_assert_int_eq(id, first);
	ck_assert_str_eq(err.field, "duplicate");
	snprintf(want, sizeof(want), "this recording is already stored as session %lld ('moticon_small.txt', "
		 "imported on ", (long long)first);
	ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, " UTC)") != NULL, "%s", err.msg);
	ck_assert_int_eq(count_rows("sessions"), 1);
	ck_assert_int_eq(count_rows("raw_chunks"), chunks);
	ck_assert_int_eq(count_rows("steps"), steps);
	ck_assert_int_eq(count_rows("summaries"), 1);

	m.allow_duplicate = 1;
	ck_assert_msg(ins_store_session_import(st, path, &m, &id, NULL, &err) == 0, "%s", err.msg);
	ck_assert_int_gt(id, first);
	ck_assert_int_eq(query_int("SELECT count(DISTINCT fingerprint) FROM sessions"), 1);
	ck_assert_int_eq(count_rows("sessions"), 2);

	/* deleted, a session no longer holds the recording */
	m.allow_duplicate = 0;
	ck_assert_int_eq(ins_store_session_delete(st, first, &err), 0);
	ck_assert_int_eq(ins_store_session_import(st, path, &m, &first, NULL, &err), INS_ECONFLICT);
	ck_assert_int_eq(first, id);
	ck_assert_int_eq(ins_store_session_delete(st, id, &err), 0);
	ck_assert_msg(ins_store_session_import(st, path, &m, &id, NULL, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(count_rows("sessions"), 1);
	ins_store_close(st);
}
END_TEST

struct import_race {
	struct ins_store *st;
	const char *path;
	int64_t id;
	int rc;
};

static void *import_in_thread(void *arg)
{
	struct import_race *r = arg;
	struct ins_session_meta m = { .subject = "P-8" };
	struct ins_error err = { "", "" };

	r->rc = ins_store_session_import(r->st, r->path, &m, &r->id, NULL, &err);
	return NULL;
}

/* The same upload sent twice at once (a double click): whichever way the
 * two imports interleave, one is stored and the other refused naming it. */
START_TEST(the_same_recording_imported_twice_at_once_is_stored_once)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	char path[400];
	struct import_race r[2] = { { st, IMPORT_FIXTURE, 0, 1 }, { st, NULL, 0, 1 } };
	pthread_t t[2];

	r[1].path = copy_fixture("second.txt", path, sizeof(path));
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, import_in_thread, &r[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ck_assert_msg((r[0].rc == 0 && r[1].rc == INS_ECONFLICT) || (r[1].rc == 0 && r[0].rc == INS_ECONFLICT),
		      "rc %d and %d", r[0].rc, r[1].rc);
	ck_assert_int_eq(r[0].id, r[1].id);
	ck_assert_int_eq(count_rows("sessions"), 1);
	ins_store_close(st);
}
END_TEST

/* ---- notices an import adds to the session's notes ------------------ */

/* The store's limit on a session's notes (INS_STORE_NOTES_MAX). */
#define NOTES_MAX 65536
#define STAPPONE_LATE INS_TEST_SRCDIR "/tests/fixtures/import/stappone_late.csv"
#define XSENSOR_SMALL INS_TEST_SRCDIR "/tests/fixtures/import/xsensor_small.csv"
#define GAITPDB_SMALL INS_TEST_SRCDIR "/tests/fixtures/import/gaitpdb_small.txt"
/* What the session of stappone_late.csv says of it: the reader put the
 * right insole's sample of line 6 back in order and read the left one's
 * sample of lines 4 and 8 once. */
#define LATE_REPAIRS "Imported with repairs: 1 sample of the left insole was written twice and read once; " \
	"1 sample of the right insole was out of time order and put back in order"

/* The notes of stored session id as the store gives them back (NULL: none), malloc'd. */
/* Session id as GET /api/sessions/ID gives it; the caller decrefs it. */
static json_t *stored_session(struct ins_store *st, int64_t id)
{
	struct ins_error err = { "", "" };
	int rc;
	json_t *j = ins_store_session_get(st, id, &rc, &err);

	ck_assert_msg(j != NULL, "%s", err.msg);
	return j;
}

static int64_t session_start_us(struct ins_store *st, int64_t id)
{
	json_t *j = stored_session(st, id);
	int64_t start = json_integer_value(json_object_get(j, "start_us"));

	json_decref(j);
	return start;
}

static char *stored_notes(struct ins_store *st, int64_t id)
{
	json_t *j = stored_session(st, id);
	const char *notes = json_string_value(json_object_get(j, "notes"));
	char *copy = notes ? strdup(notes) : NULL;

	json_decref(j);
	return copy;
}

/* path imported with the given notes; the session's stored notes. */
static char *import_with_notes(struct ins_store *st, const char *path, const char *notes)
{
	struct ins_session_meta m = { .subject = "P-10", .notes = notes, .allow_duplicate = 1 };
	struct ins_error err = { "", "" };
	int64_t id = 0;

	ck_assert_msg(ins_store_session_import(st, path, &m, &id, NULL, &err) == 0, "%s", err.msg);
	return stored_notes(st, id);
}

/* A stappone file of rows "FOOT,MS" (ms after the first sample), each
 * sample's twelve pressures made from its time, so that a row written
 * again carries the same values; written to tmpdir/name. */
static const char *stappone_file(const char *name, const char *const rows[], size_t n, char *path, size_t len)
{
	static char text[8192];
	size_t used = (size_t)snprintf(text, sizeof(text), "sole_id,timestamp,pressure_01,pressure_02,pressure_03,"
				       "pressure_04,pressure_05,pressure_06,pressure_07,pressure_08,pressure_09,"
				       "pressure_10,pressure_11,pressure_12,corrupt\n");

	for (size_t i = 0; i < n; i++) {
		unsigned foot, ms;

		ck_assert_int_eq(sscanf(rows[i], "%u,%u", &foot, &ms), 2);
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%u,%llu", foot, 1768494979568ULL + ms);
		for (unsigned k = 0; k < 12; k++)
			used += (size_t)snprintf(text + used, sizeof(text) - used, ",%u", 300 + ms / 16 + 10 * k);
		used += (size_t)snprintf(text + used, sizeof(text) - used, ",0\n");
		ck_assert_uint_lt(used, sizeof(text));
	}
	return write_tmp_file(name, text, used, path, len);
}

/* A session imported from a file the reader repaired says so in its
 * notes, for good: the notice first, per foot and with the counts, then
 * the notes given with the import after " | ". */
START_TEST(an_import_the_reader_repaired_says_so_in_its_notes)
{
	/* left: 16 ms written twice, 32 ms late, 48 ms again after it; right: 16 ms late */
	static const char *const rows[] = { "1,0", "2,0", "1,16", "1,16", "2,32", "2,16", "1,48", "1,32", "1,48",
					    "2,48", "1,64", "2,64" };
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = { .subject = "P-10", .notes = "knee" };
	struct ins_session_import_counts counts;
	struct ins_error err = { "", "" };
	char path[400], *notes;
	int64_t id = 0;

	ck_assert_msg(ins_store_session_import(st, STAPPONE_LATE, &m, &id, &counts, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(err.msg, "");
	ck_assert_uint_eq(counts.repeated[INS_FOOT_LEFT] + counts.reordered[INS_FOOT_RIGHT], 2);
	notes = stored_notes(st, id);
	ck_assert_str_eq(notes, LATE_REPAIRS " | knee");
	free(notes);
	notes = import_with_notes(st, STAPPONE_LATE, NULL);
	ck_assert_str_eq(notes, LATE_REPAIRS);
	free(notes);
	/* more than one sample: the plural, each foot on its own */
	notes = import_with_notes(st, stappone_file("many.csv", rows, sizeof(rows) / sizeof(rows[0]), path,
						    sizeof(path)), "");
	ck_assert_str_eq(notes, "Imported with repairs: 1 sample of the left insole was out of time order and put "
			 "back in order; 2 samples of the left insole were written twice and read once; 1 sample "
			 "of the right insole was out of time order and put back in order");
	free(notes);
	ins_store_close(st);
}
END_TEST

/* A file read with a layout that is not its insole's (XSENSOR's cells of
 * 8.6 mm taken for 5.08 mm ones): its session says for good that the
 * analysis's values are unlike those the file states, which the import
 * also answers; read with its own layout, the file adds nothing to the
 * notes. */
START_TEST(an_import_unlike_the_files_own_values_says_so_in_its_notes)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = { .subject = "P-11", .notes = "knee", .layout = { "sheet2x3-5080um", "sheet2x3-5080um" } };
	struct ins_session_import_counts counts;
	struct ins_error err = { "", "" };
	char *notes;
	int64_t id = 0;

	ck_assert_msg(ins_store_session_import(st, XSENSOR_SMALL, &m, &id, &counts, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(counts.agree[INS_FOOT_LEFT][INS_REF_FORCE].frames, 2);
	ck_assert_uint_eq(counts.agree[INS_FOOT_LEFT][INS_REF_FORCE].within, 0);
	notes = stored_notes(st, id);
	/* the peak pressure does not depend on the cells' size: it agrees, and is not named */
	ck_assert_str_eq(notes, "Imported with values unlike the file's own: the left foot's load is within 1 % or 1 N "
				"of the file's on 0 of 2 frames (0.0 %) | knee");
	free(notes);
	m.layout[INS_FOOT_LEFT] = m.layout[INS_FOOT_RIGHT] = NULL;
	m.allow_duplicate = 1;
	ck_assert_msg(ins_store_session_import(st, XSENSOR_SMALL, &m, &id, &counts, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(counts.agree[INS_FOOT_LEFT][INS_REF_FORCE].within, 2);
	notes = stored_notes(st, id);
	ck_assert_str_eq(notes, "knee");
	free(notes);
	ins_store_close(st);
}
END_TEST

/* A Moticon file whose step columns do not keep time with its samples
 * (the synthetic walk's events marked 50 ms late): its session says so
 * for good, per foot and kind, and the import answers the counts; marked
 * on time, its events agree and the notes get nothing. */
START_TEST(an_import_whose_events_are_unlike_the_files_says_so_in_its_notes)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_import_counts counts;
	struct ins_error err = { "", "" };
	char path[400], *notes, want[1024];
	const struct ins_import_event_agreement *e = counts.events[INS_FOOT_LEFT];
	int64_t id = 0;

	snprintf(path, sizeof(path), "%s/late.txt", tmpdir);
	test_write_moticon_walk(path, 8300000, 50000);
	ck_assert_msg(ins_store_session_import(st, path, &(struct ins_session_meta){ .subject = "P-12", .notes = "knee" },
					       &id, &counts, &err) == 0, "%s", err.msg);
	/* the synthetic walk's 7 events per foot and kind the detector can see */
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		for (unsigned kind = 0; kind < INS_IMPORT_EVENT_KINDS; kind++)
			ck_assert_uint_eq(counts.events[foot][kind].events, 7);
	ck_assert_uint_eq(e[0].matched + e[1].matched, 0);
	notes = stored_notes(st, id);
	snprintf(want, sizeof(want), "Imported with values unlike the file's own: the left foot's initial contacts are "
		 "within 30 ms of the file's on 0 of %lu (0.0 %%); the left foot's toe-offs are within 30 ms of the "
		 "file's on 0 of %lu (0.0 %%); the right foot's initial contacts", e[0].events, e[1].events);
	ck_assert_msg(strncmp(notes, want, strlen(want)) == 0, "%s", notes);
	ck_assert_ptr_nonnull(strstr(notes, "; the right foot's toe-offs are within 30 ms of the file's on 0 of "));
	ck_assert_str_eq(notes + strlen(notes) - strlen(" | knee"), " | knee");
	free(notes);
	snprintf(path, sizeof(path), "%s/walk.txt", tmpdir);
	test_write_moticon_walk(path, 8300000, 0);
	ck_assert_msg(ins_store_session_import(st, path, &(struct ins_session_meta){ .subject = "P-12", .notes = "knee" },
					       &id, &counts, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(e[0].matched, e[0].events);
	notes = stored_notes(st, id);
	ck_assert_str_eq(notes, "knee");
	free(notes);
	ins_store_close(st);
}
END_TEST

/* A file that gives no recording date (gaitpdb) makes a session dated
 * when imported, and its notes say so, so that a printed report does not
 * pass the day of the import off as the day of the walk; a dated file's
 * notes get nothing. */
START_TEST(an_undated_file_makes_a_session_that_says_so)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = { .subject = "P-12", .notes = "knee" };
	struct ins_session_import_counts counts;
	struct ins_error err = { "", "" };
	int64_t id = 0, before = ins_realtime_us();
	char *notes;

	ck_assert_msg(ins_store_session_import(st, GAITPDB_SMALL, &m, &id, &counts, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(counts.start_from_file, 0);
	notes = stored_notes(st, id);
	ck_assert_str_eq(notes, "Imported from a file without a recording date: the session is dated when it was imported "
				"| knee");
	free(notes);
	ck_assert_int_ge(session_start_us(st, id), before);
	ck_assert_msg(ins_store_session_import(st, XSENSOR_SMALL, &m, &id, &counts, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(counts.start_from_file, 1);
	notes = stored_notes(st, id);
	ck_assert_str_eq(notes, "knee");
	free(notes);
	ins_store_close(st);
}
END_TEST

/* fixture with the text from replaced by the text to, written to
 * tmpdir/name; returns the path. */
static const char *fixture_edited(const char *fixture, const char *from, const char *to, const char *name,
				  char *path, size_t len)
{
	size_t n;
	char *text = test_read_file(fixture, &n), *at = strstr(text, from);
	char *edited = malloc(n + strlen(to) + 1);

	ck_assert_ptr_nonnull(at);
	ck_assert_ptr_nonnull(edited);
	n = (size_t)sprintf(edited, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	write_tmp_file(name, edited, n, path, len);
	free(edited);
	free(text);
	return path;
}

/* What the figures of a file need said beside them and that nothing can
 * check (an F-Scan movie the vendor's software shows mirrored, a Moticon
 * insole of another size than moticon16's areas) goes into the notes for
 * good and into the answer's warning, as `insoled --analyze` warns. */
START_TEST(a_file_read_with_a_caution_says_it_in_the_notes)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = { .subject = "P-12", .notes = "knee" };
	struct ins_error err = { "", "" };
	static const char mirrored[] = "Imported with a caution: the movie's MIRROR_COL is 1 (the Tekscan software "
				       "shows it mirrored side to side): its grid is read as exported, toes at row 1, "
				       "so medial and lateral may be swapped; check the centre of pressure against the "
				       "software's display";
	char path[400], *notes;
	int64_t id = 0;

	fixture_edited(INS_TEST_SRCDIR "/tests/fixtures/import/fscan_small.asf", "UNITS KPa\n",
		       "UNITS KPa\nMIRROR_ROW 0\nMIRROR_COL 1\n", "mirror.asf", path, sizeof(path));
	ck_assert_msg(ins_store_session_import(st, path, &m, &id, NULL, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(err.msg, "mirror.asf: the movie's MIRROR_COL is 1 (the Tekscan software shows it mirrored "
			 "side to side): its grid is read as exported, toes at row 1, so medial and lateral may be "
			 "swapped; check the centre of pressure against the software's display");
	notes = stored_notes(st, id);
	ck_assert_str_eq(notes + strlen(mirrored), " | knee");
	ck_assert_msg(strncmp(notes, mirrored, strlen(mirrored)) == 0, "%s", notes);
	free(notes);
	fixture_edited(IMPORT_FIXTURE, "# Size: 7\n", "# Size: 5\n", "size5.txt", path, sizeof(path));
	ck_assert_msg(ins_store_session_import(st, path, &m, &id, NULL, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(err.msg, "size5.txt: insole size 5, but moticon16's sensor areas are for size 7"));
	notes = stored_notes(st, id);
	ck_assert_msg(strstr(notes, " | Imported with a caution: insole size 5, but moticon16's sensor areas are for "
				    "size 7: forces and pressures scale with the area, CoP and timing do not | knee"),
		      "%s", notes);
	free(notes);
	ins_store_close(st);
}
END_TEST

/* Notes at their limit lose their end, never a notice, and are cut
 * between characters; a file both cut short and repaired says both,
 * the damage first, in one notes text within the limit. */
START_TEST(notes_at_their_limit_keep_the_repair_notice)
{
	static char user[NOTES_MAX + 1];
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	const char *head = LATE_REPAIRS " | ";
	size_t pad = strlen(head) % 2 ? 0 : 1, n = 0, len;
	char path[400], *notes, *whole;

	/* two-byte characters placed so that the limit falls inside one */
	memset(user, 'n', pad);
	for (n = pad; n + 2 <= NOTES_MAX; n += 2)
		memcpy(user + n, "\xc3\xa9", 2); /* é */
	user[n] = '\0';
	notes = import_with_notes(st, STAPPONE_LATE, user);
	ck_assert_uint_eq(strlen(notes), NOTES_MAX - 1);
	ck_assert_msg(strncmp(notes, head, strlen(head)) == 0, "%.200s", notes);
	ck_assert_msg(strncmp(notes + strlen(head), user, NOTES_MAX - 1 - strlen(head)) == 0, "%.200s", notes);
	free(notes);

	/* cut inside its last line, as a copy broken off leaves it */
	whole = test_read_file(STAPPONE_LATE, &len);
	notes = import_with_notes(st, write_tmp_file("late.csv", whole, len - 20, path, sizeof(path)), "knee");
	ck_assert_str_eq(notes, "Imported from a damaged file: late.csv:12: truncated file: the last line has no line "
			 "end; the 9 frames before it were imported | " LATE_REPAIRS " | knee");
	free(notes);
	notes = import_with_notes(st, path, user);
	ck_assert_uint_le(strlen(notes), NOTES_MAX);
	ck_assert_uint_ge(strlen(notes), NOTES_MAX - 1);
	head = strstr(notes, "; the 9 frames before it were imported | " LATE_REPAIRS " | ");
	ck_assert_msg(strncmp(notes, "Imported from a damaged file: late.csv:12: ", 43) == 0 && head, "%.300s", notes);
	head += strlen("; the 9 frames before it were imported | " LATE_REPAIRS " | ");
	ck_assert_msg(strncmp(head, user, strlen(head)) == 0, "the user's notes are not kept after the notices");
	ck_assert_msg(strncmp(notes + strlen(notes) - 2, "\xc3\xa9", 2) == 0, "the notes end inside a character");
	free(notes);
	free(whole);
	ins_store_close(st);
}
END_TEST

/* A file read as it was written adds nothing to the notes; the same
 * recording with one sample written twice says so. */
START_TEST(an_import_read_as_written_keeps_its_notes)
{
	static const char *const rows[] = { "1,0", "2,0", "1,16", "2,16", "1,32", "2,32", "1,48", "2,48" };
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	const char *whole = INS_TEST_SRCDIR "/tests/fixtures/import/stappone_small.csv";
	static const char *const twice[] = { "1,0", "2,0", "1,16", "2,16", "2,16", "1,32", "2,32", "1,48", "2,48" };
	char path[400], *notes;

	notes = import_with_notes(st, whole, "knee");
	ck_assert_str_eq(notes, "knee");
	free(notes);
	notes = import_with_notes(st, whole, NULL);
	ck_assert_str_eq(notes, "");
	free(notes);
	notes = import_with_notes(st, stappone_file("whole.csv", rows, sizeof(rows) / sizeof(rows[0]), path,
						    sizeof(path)), "knee \xc3\xa9");
	ck_assert_str_eq(notes, "knee \xc3\xa9");
	free(notes);
	notes = import_with_notes(st, stappone_file("twice.csv", twice, sizeof(twice) / sizeof(twice[0]), path,
						    sizeof(path)), "knee \xc3\xa9");
	ck_assert_str_eq(notes, "Imported with repairs: 1 sample of the right insole was written twice and read once | "
			 "knee \xc3\xa9");
	free(notes);
	ins_store_close(st);
}
END_TEST

/* An insoled counts export of 50 frames of the left foot (fsr16) whose
 * header states subject and notes as given (no text escapes), in tmpdir/name. */
static const char *texts_file(const char *name, const char *subject, const char *notes, char *path, size_t len)
{
	size_t size = strlen(subject) + strlen(notes) + 8192, used;
	char *text = malloc(size);
	const char *out;

	ck_assert_ptr_nonnull(text);
	/* dated, as every export is: its notes get no notice of a missing date */
	used = (size_t)snprintf(text, size, "# insoled frames export\n# format_version: 1\n# units: counts\n"
				"# start_utc: 2026-03-01T09:00:00Z\n# subject: %s\n# notes: %s\n# layout_left: fsr16\n"
				"# sensors_left: 16\nt_us,foot,seq",
				subject, notes);
	for (unsigned i = 1; i <= 16; i++)
		used += (size_t)snprintf(text + used, size - used, ",s%u", i);
	for (unsigned k = 0; k < 50; k++) {
		used += (size_t)snprintf(text + used, size - used, "\n%u,left,%u", k * 10000, k);
		for (unsigned i = 0; i < 16; i++)
			used += (size_t)snprintf(text + used, size - used, ",%u", 400 + 10 * i + k);
	}
	used += (size_t)snprintf(text + used, size - used, "\n");
	ck_assert_uint_lt(used, size);
	out = write_tmp_file(name, text, used, path, len);
	free(text);
	return out;
}

/* n copies of the UTF-8 character ch after prefix, malloc'd. */
static char *repeated(const char *prefix, const char *ch, size_t n)
{
	size_t p = strlen(prefix), c = strlen(ch);
	char *out = malloc(p + n * c + 1);

	ck_assert_ptr_nonnull(out);
	memcpy(out, prefix, p);
	for (size_t i = 0; i < n; i++)
		memcpy(out + p + i * c, ch, c);
	out[p + n * c] = '\0';
	return out;
}

/* A file's subject and notes longer than a session keeps (a file edited
 * by hand, another program's export) are cut between two characters, and
 * the session's notes and the answer's warning say so: the recording is
 * imported, the user told.  Texts the caller gives instead of them are
 * used as given; the caller's own too long texts are refused. */
START_TEST(file_texts_longer_than_a_session_keeps_are_cut_and_said_so)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = { .allow_duplicate = 1 };
	struct ins_error err = { "", "" };
	char path[400], *subject = repeated("a", "\xc3\xa9", 149), *notes = repeated("", "\xe2\x82\xac", 23334);
	char *want_subject = repeated("a", "\xc3\xa9", 127), *stored, *big = repeated("", "n", 65537);
	static const char cut[] = "the file's subject had 299 bytes, more than the 256 a session keeps: the end is "
				  "left out; the file's notes had 70002 bytes, more than the 65536 a session keeps: the "
				  "end is left out";
	int64_t id = 0;
	json_t *j;
	int rc;

	texts_file("long.csv", subject, notes, path, sizeof(path));
	ck_assert_msg(ins_store_session_import(st, path, &m, &id, NULL, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(err.msg, "long.csv: the file's subject had 299 bytes, more than the 256 a session keeps: "
			 "the end is left out; the file's notes had 70002 bytes, more than the 65536 a session keeps: "
			 "the end is left out");
	j = ins_store_session_get(st, id, &rc, &err);
	ck_assert_str_eq(json_string_value(json_object_get(j, "subject")), want_subject);
	stored = strdup(json_string_value(json_object_get(j, "notes")));
	json_decref(j);
	ck_assert_msg(strncmp(stored, "Imported with shortened texts: ", 31) == 0 &&
		      strncmp(stored + 31, cut, strlen(cut)) == 0 && strncmp(stored + 31 + strlen(cut), " | ", 3) == 0,
		      "%.400s", stored);
	/* as much of the file's notes as fits, cut between two characters */
	ck_assert_uint_le(strlen(stored), 65536);
	ck_assert_uint_gt(strlen(stored), 65536 - 3);
	ck_assert_uint_eq(strlen(stored + 31 + strlen(cut) + 3) % 3, 0);
	ck_assert_int_eq(strncmp(stored + 31 + strlen(cut) + 3, notes, strlen(stored + 31 + strlen(cut) + 3)), 0);
	free(stored);
	/* the caller's texts replace the file's */
	m.subject = "P-1";
	m.notes = "own notes";
	ck_assert_msg(ins_store_session_import(st, path, &m, &id, NULL, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(err.msg, "");
	j = ins_store_session_get(st, id, &rc, &err);
	ck_assert_str_eq(json_string_value(json_object_get(j, "subject")), "P-1");
	ck_assert_str_eq(json_string_value(json_object_get(j, "notes")), "own notes");
	json_decref(j);
	m.notes = big;
	ck_assert_int_eq(ins_store_session_import(st, path, &m, &id, NULL, &err), INS_EINVAL);
	ck_assert_str_eq(err.msg, "notes: too long (65537 bytes, at most 65536)");
	ck_assert_str_eq(err.field, "notes");
	free(subject);
	free(notes);
	free(want_subject);
	free(big);
	ins_store_close(st);
}
END_TEST

/* A database written by the previous schema (version 4, before
 * fingerprints): it opens, migrates to the current version in place and
 * keeps every session, live and imported, with their frames and steps;
 * the old import has no fingerprint, so its file imports again, once. */
START_TEST(a_version_4_database_migrates_keeping_every_session)
{
	struct ins_store_config c = config();
	char dir[300], cmd[1000], path[400];
	struct ins_session_meta m = meta_fsr16("P-9", "old shoe");
	struct ins_error err = { "", "" };
	struct ins_store *st;
	int64_t live, id = 0;
	int rc;
	json_t *j;

	snprintf(dir, sizeof(dir), "%s/sql4", tmpdir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && cp '%s'/00[1-4]_*.sql '%s/'", dir, SQL_DIR, dir);
	ck_assert_int_eq(system(cmd), 0);
	c.sql_dir = dir;
	st = open_store(&c);
	live = start_session(st, &m);
	put_frames(st, live, 0, 500, 16, INS_OK);
	ck_assert_int_eq(ins_store_session_stop(st, live, &err), 0);
	ins_store_close(st);
	ck_assert_int_eq(query_int("PRAGMA user_version"), 4);
	/* an import as version 4 stored it: no fingerprint, no import time */
	exec_sql(dbpath, "INSERT INTO sessions (id, state, start_us, end_us, source, layout_left, layout_right, "
			 "software_version) VALUES (7, 'complete', 1700000000000000, 1700000001000000, "
			 "'import:moticon:moticon_small.txt', 'moticon16', 'moticon16', '0.1.0')");
	int64_t chunks = count_rows("raw_chunks"), frames = query_int("SELECT frames FROM sessions WHERE id = 1");

	ck_assert_int_gt(frames, 0);
	c.sql_dir = SQL_DIR;
	st = open_store(&c);
	ck_assert_int_eq(query_int("PRAGMA user_version"), SCHEMA_VERSION);
	ck_assert_int_eq(count_rows("sessions"), 2);
	ck_assert_int_eq(count_rows("raw_chunks"), chunks);
	j = ins_store_session_get(st, live, &rc, &err);
	ck_assert_msg(j != NULL, "%s", err.msg);
	ck_assert_str_eq(json_string_value(json_object_get(j, "footwear")), "old shoe");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "frames")), frames);
	ck_assert(json_is_null(json_object_get(j, "fingerprint")));
	ck_assert(json_is_null(json_object_get(j, "imported_us")));
	json_decref(j);
	j = ins_store_session_get(st, 7, &rc, &err);
	ck_assert_msg(j != NULL, "%s", err.msg);
	ck_assert(json_is_null(json_object_get(j, "fingerprint")));
	json_decref(j);
	ck_assert_msg(ins_store_session_reanalyze(st, live, &err) == 0, "%s", err.msg);
	struct ins_session_meta im = { .subject = "P-9" };
	ck_assert_msg(ins_store_session_import(st, IMPORT_FIXTURE, &im, &id, NULL, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(ins_store_session_import(st, copy_fixture("again.txt", path, sizeof(path)), &im, &id, NULL,
						  &err), INS_ECONFLICT);
	ck_assert_int_eq(count_rows("sessions"), 3);
	ins_store_close(st);
}
END_TEST

START_TEST(close_completes_recording_sessions)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = meta_fsr16("S", "");
	int64_t id = start_session(st, &m);
	struct ins_step step = { .foot = 1, .index = 0, .contact_us = 1000, .toe_off_us = 2000 };

	for (unsigned i = 0; i < INS_M_COUNT; i++)
		step.m[i] = i;
	put_frames(st, id, 0, 250, 16, INS_OK);
	ck_assert_int_eq(ins_store_put_step(st, id, &step), 0);
	/* close drains the queue without a stop */
	ins_store_close(st);
	ck_assert_int_eq(query_int("SELECT count(*) FROM sessions WHERE state = 'complete' AND end_us IS NOT NULL"), 1);
	ck_assert_int_eq(query_int("SELECT id FROM sessions"), id);
	ck_assert_int_eq(query_int("SELECT frames FROM sessions"), 500);
	ck_assert_int_eq(query_int("SELECT steps FROM sessions"), 1);
	ck_assert_int_eq(query_int("SELECT count(*) FROM summaries"), 1);
}
END_TEST

START_TEST(raw_archive_is_lossless)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = meta_fsr16("S", "");
	struct ins_error err;
	sqlite3 *db;
	sqlite3_stmt *q;
	uint64_t seen[2] = { 0, 0 };
	int64_t id = start_session(st, &m);

	put_frames(st, id, 0, 1000, 16, INS_OK);
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	ins_store_close(st);
	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT foot, format, n_sensors, n_frames, data FROM raw_chunks "
				"WHERE session_id = ? ORDER BY foot, first_arrival", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_int64(q, 1, id);
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct store_chunk_dec dec = { 0 };
		struct store_chunk_frame f;
		uint16_t vals[16], want[16];
		struct ins_frame wf;
		unsigned foot = (unsigned)sqlite3_column_int(q, 0);
		ck_assert_int_eq(sqlite3_column_int(q, 1), STORE_CHUNK_COUNTS);
		ck_assert_int_eq(store_chunk_dec_start(&dec, STORE_CHUNK_COUNTS, 16, (uint32_t)sqlite3_column_int(q, 3),
						     sqlite3_column_blob(q, 4), (size_t)sqlite3_column_bytes(q, 4),
						     &err), 0);
		while (store_chunk_dec_next(&dec, &f, vals, &err) == 1) {
			make_frame(&wf, want, foot, (uint32_t)seen[foot], 16);
			ck_assert_uint_eq(f.seq, wf.seq);
			ck_assert_uint_eq(f.t_dev, wf.t_dev);
			ck_assert_int_eq(f.t_us, wf.t_us);
			ck_assert_int_eq(f.host_us, wf.host_us);
			/* arrival interleaves the feet as they were put */
			ck_assert_int_eq(f.arrival, (int64_t)(2 * seen[foot] + foot));
			ck_assert_mem_eq(vals, want, sizeof(want));
			seen[foot]++;
		}
		store_chunk_dec_free(&dec);
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
	ck_assert_uint_eq(seen[0], 1000);
	ck_assert_uint_eq(seen[1], 1000);
}
END_TEST

START_TEST(text_roundtrip_exact)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	static const char subject[] = "O'Brien \"the runner\"; DROP TABLE sessions;-- 日本語 Ελληνικά עברית 🦶";
	static const char footwear[] = "shoe 'A' -- 100% \\ back\\slash %s %n _x_";
	char *notes = malloc(65536 + 2);
	struct ins_error err = { "", "" };
	struct ins_session_meta m = meta_fsr16(subject, footwear);
	json_t *j;
	int rc;

	for (size_t i = 0; i < 65536; i += 4)
		memcpy(notes + i, i % 8 ? "\xf0\x9f\xa6\xb6" : "a\"'\n", 4);
	notes[65536] = '\0';
	m.notes = notes;
	int64_t id = start_session(st, &m);
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	j = ins_store_session_get(st, id, &rc, &err);
	ck_assert_str_eq(json_string_value(json_object_get(j, "subject")), subject);
	ck_assert_str_eq(json_string_value(json_object_get(j, "footwear")), footwear);
	ck_assert_str_eq(json_string_value(json_object_get(j, "notes")), notes);
	json_decref(j);
	/* footwear filter is a plain substring: % and _ are not wildcards */
	struct ins_session_filter f = { .footwear = "100% \\" };
	j = ins_store_session_list(st, &f, &rc, &err);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
	f.footwear = "1_0";
	j = ins_store_session_list(st, &f, &rc, &err);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 0);
	json_decref(j);

	/* too long, invalid UTF-8, overlong form, surrogate: refused, the field
	 * named in the message and carried beside it */
	notes[65536] = 'x';
	notes[65537] = '\0';
	m.notes = notes;
	ck_assert_int_eq(ins_store_session_start(st, &m, &id, &err), INS_EINVAL);
	ck_assert_str_eq(err.msg, "notes: too long (65537 bytes, at most 65536)");
	ck_assert_str_eq(err.field, "notes");
	m = meta_fsr16("bad \xff byte", "");
	ck_assert_int_eq(ins_store_session_start(st, &m, &id, &err), INS_EINVAL);
	ck_assert_str_eq(err.msg, "subject: not valid UTF-8 at byte 4");
	ck_assert_str_eq(err.field, "subject");
	m = meta_fsr16("x", "\xc0\xaf");
	ck_assert_int_eq(ins_store_session_start(st, &m, &id, &err), INS_EINVAL);
	ck_assert_str_eq(err.msg, "footwear: not valid UTF-8 at byte 0");
	m = meta_fsr16("x", "\xed\xa0\x80");
	ck_assert_int_eq(ins_store_session_start(st, &m, &id, &err), INS_EINVAL);
	ck_assert_str_eq(err.msg, "footwear: not valid UTF-8 at byte 0");
	j = json_pack("{s:s%}", "notes", "a\0b", (size_t)3);
	ck_assert_int_eq(ins_store_session_update(st, 1, j, &err), INS_EINVAL);
	ck_assert_str_eq(err.msg, "notes: contains a NUL character");
	ck_assert_str_eq(err.field, "notes");
	json_decref(j);
	ck_assert_int_eq(query_int("SELECT count(*) FROM sessions"), 1);
	free(notes);
	ins_store_close(st);
}
END_TEST

START_TEST(subjects_create_list_update)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_error err = { "", "" };
	int64_t id = 0, id2 = 0;
	json_t *o, *l;
	int rc;

	o = json_pack("{s:s, s:f, s:s}", "code", "P-1", "body_weight_kg", 70.5, "notes", "flat feet");
	ck_assert_int_eq(ins_store_subject_create(st, o, &id, &err), 0);
	ck_assert_int_eq(ins_store_subject_create(st, o, &id2, &err), INS_ECONFLICT);
	ck_assert_str_eq(err.msg, "code: a subject with this code already exists");
	ck_assert_str_eq(err.field, "code");
	json_decref(o);
	o = json_pack("{s:s, s:s}", "code", "P-2", "body_weight_kg", "heavy");
	ck_assert_int_eq(ins_store_subject_create(st, o, &id2, &err), INS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "body_weight_kg"));
	ck_assert_str_eq(err.field, "body_weight_kg");
	json_decref(o);
	o = json_pack("{s:s}", "notes", "updated");
	ck_assert_int_eq(ins_store_subject_update(st, id, o, &err), 0);
	ck_assert_int_eq(ins_store_subject_update(st, 999, o, &err), INS_ENOTFOUND);
	json_decref(o);
	struct ins_session_meta m = meta_fsr16("P-1", "");
	int64_t sid = start_session(st, &m);
	ck_assert_int_eq(ins_store_session_stop(st, sid, &err), 0);
	l = ins_store_subject_list(st, &rc, &err);
	ck_assert_ptr_nonnull(l);
	o = json_array_get(json_object_get(l, "subjects"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(o, "code")), "P-1");
	ck_assert(json_real_value(json_object_get(o, "body_weight_kg")) == 70.5);
	ck_assert_str_eq(json_string_value(json_object_get(o, "notes")), "updated");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "sessions")), 1);
	json_decref(l);
	ins_store_close(st);
}
END_TEST

START_TEST(dead_daemon_session_becomes_interrupted)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = meta_fsr16("S", "");
	struct ins_error err;
	int64_t id = start_session(st, &m);
	json_t *j;
	int rc;

	put_frames(st, id, 0, 100, 16, INS_OK);
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	ins_store_close(st);
	/* What a kill -9 leaves behind: the state still says recording. */
	exec_sql(dbpath, "UPDATE sessions SET state = 'recording', end_us = NULL");
	st = open_store(&c);
	j = ins_store_session_get(st, id, &rc, &err);
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "interrupted");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "frames")), 200);
	/* end = host time of the last committed frame (seq 99, right foot) */
	ck_assert_int_eq(json_integer_value(json_object_get(j, "end_us")), 1700000000000000LL + 99 * 10000 + 1);
	ck_assert(json_is_object(json_object_get(j, "summary")));
	json_decref(j);
	ins_store_close(st);
}
END_TEST

/* ---- the writer under trouble ------------------------------------------------------- */

START_TEST(locked_database_keeps_queueing_and_resumes)
{
	struct ins_store_config c = config();
	struct ins_store *st;
	struct ins_session_meta m = meta_fsr16("S", "");
	struct ins_store_stats s;
	sqlite3 *other;
	struct ins_error err;
	int64_t id;

	c.queue_frames = 1000;
	st = open_store(&c);
	id = start_session(st, &m);
	/* Another process takes the write lock and keeps it. */
	ck_assert_int_eq(sqlite3_open(dbpath, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	put_frames(st, id, 0, 400, 16, INS_OK);      /* 800 frames queued */
	ck_assert(wait_for(st, has_errors, 1));
	put_frames(st, id, 400, 100, 16, INS_OK);    /* 1000: the bound */
	put_frames(st, id, 500, 50, 16, INS_EFULL);  /* 100 more dropped, counted */
	ins_store_get_stats(st, &s);
	ck_assert_uint_eq(s.frames_written, 0);
	ck_assert_uint_eq(s.queue_depth, 1000);
	ck_assert_uint_eq(s.frames_dropped, 100);
	ck_assert_int_eq(s.healthy, 0);
	ck_assert_msg(strstr(s.last_error, "database is locked") != NULL, "%s", s.last_error);
	/* Lock released: everything queued is written, by itself. */
	ck_assert_int_eq(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	ck_assert(wait_for(st, written_is, 1000));
	ins_store_get_stats(st, &s);
	ck_assert_int_eq(s.healthy, 1);
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	ins_store_close(st);
	ck_assert_int_eq(query_int("SELECT frames FROM sessions WHERE id = 1"), 1000);
	ck_assert_int_eq(query_int("SELECT sum(dropped_frames) FROM session_quality WHERE session_id = 1"), 100);
	ck_assert_int_eq(query_int("SELECT sum(n_frames) FROM raw_chunks WHERE session_id = 1"), 1000);
}
END_TEST

START_TEST(full_disk_keeps_queueing_and_resumes)
{
	struct ins_store_config c = config();
	struct ins_store *st;
	struct ins_session_meta m = meta_fsr16("S", "");
	struct ins_store_stats s;
	struct ins_error err;
	int64_t id;

	st = open_store(&c);
	id = start_session(st, &m);
	/* The database may not grow any more: SQLite reports SQLITE_FULL exactly
	 * as on a full disk. */
	ck_assert_int_eq(ins_store_set_max_db_bytes(st, 1, &err), 0);
	put_frames(st, id, 0, 3000, 64, INS_OK);
	ck_assert(wait_for(st, has_errors, 2));
	ins_store_get_stats(st, &s);
	ck_assert_msg(strstr(s.last_error, "database or disk is full") != NULL, "%s", s.last_error);
	ck_assert_uint_lt(s.frames_written, 6000);
	ck_assert_uint_gt(s.queue_depth, 0);
	ck_assert_int_eq(ins_store_set_max_db_bytes(st, 0, &err), 0);
	ck_assert(wait_for(st, written_is, 6000));
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	ins_store_close(st);
	ck_assert_int_eq(query_int("SELECT sum(n_frames) FROM raw_chunks"), 6000);
	ck_assert_int_eq(query_int("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
}
END_TEST

START_TEST(readers_do_not_block_writer)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = meta_fsr16("S", "");
	sqlite3 *reader;
	sqlite3_stmt *q;
	struct ins_error err;
	int64_t id = start_session(st, &m);

	put_frames(st, id, 0, 100, 16, INS_OK);
	ck_assert(wait_for(st, written_is, 200));
	/* A reader in the middle of a long read transaction. */
	ck_assert_int_eq(sqlite3_open_v2(dbpath, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(reader, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(reader, "SELECT id FROM raw_chunks", -1, &q, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	put_frames(st, id, 100, 100, 16, INS_OK);
	ck_assert(wait_for(st, written_is, 400));
	sqlite3_finalize(q);
	sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(reader);
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	ins_store_close(st);
}
END_TEST

/* ---- analysis: live vs re-analysed, heatmaps, exports, import ------------------------ */

struct live_run {
	json_t *steps;              /* ins_step_json of every step, in order */
	json_t *summary;
	int64_t id;
};

/* Record `seconds` of the synthetic walker on layout `name` as the pipeline
 * does: feed the analysis, archive the frame, archive every step.  With
 * controls, a body-weight change and a tare happen mid-session. */
static struct live_run record_synthetic(struct ins_store *st, const char *name, double seconds, int controls)
{
	struct ins_error err = { "", "" };
	struct ins_layout *layout = ins_layout_load_named(LAYOUT_DIR, name, err.msg, sizeof(err.msg));
	struct ins_synth_params p;
	struct ins_synth *syn;
	struct ins_analysis *ana;
	struct ins_summary_acc *acc = ins_summary_acc_new();
	struct ins_summary sum;
	struct ins_session_meta m = { .subject = "synthetic", .footwear = "model", .layout = { name, name },
				      .body_weight_n = 700.0 };
	struct live_run run = { json_array(), NULL, 0 };
	uint16_t vals[INS_MAX_SENSORS];
	int tared = 0;

	ck_assert_msg(layout != NULL, "%s", err.msg);
	ins_synth_defaults(&p);
	syn = ins_synth_new(&p, layout, err.msg, sizeof(err.msg));
	ck_assert_msg(syn != NULL, "%s", err.msg);
	struct ins_analysis_config acfg = { .layout = { layout, layout }, .body_weight_n = 700.0 };
	ana = ins_analysis_new(&acfg, err.msg, sizeof(err.msg));
	ck_assert_msg(ana != NULL, "%s", err.msg);
	run.id = start_session(st, &m);
	for (uint32_t k = 0; k < (uint32_t)(seconds * p.rate_hz); k++) {
		for (unsigned foot = 0; foot < 2; foot++) {
			struct ins_frame fr = { .foot = (uint8_t)foot, .n = layout->n_sensors, .seq = k,
						.host_us = 1700000000000000LL + (int64_t)k * 10000, .values = vals };
			struct ins_frame_metrics fm;
			struct ins_step step;
			ins_synth_next(syn, foot, vals, &fr.t_us);
			fr.t_dev = (uint32_t)fr.t_us;
			if (controls && k == 500 && foot == 0) {
				ins_analysis_set_body_weight(ana, 750.0);
				ck_assert_int_eq(ins_store_put_control(st, run.id, INS_STORE_CONTROL_BODY_WEIGHT, 0, 750.0), 0);
			}
			ck_assert_int_eq(ins_analysis_feed(ana, &fr, &fm), 0);
			if (controls && !tared && k > 800 && foot == 0 && !fm.in_stance) {
				/* the pipeline tares between frames, after this one */
				ins_analysis_tare(ana, 0);
				ck_assert_int_eq(ins_store_put_control(st, run.id, INS_STORE_CONTROL_TARE, 0, 0), 0);
				tared = 1;
			}
			ck_assert_int_eq(ins_store_put_frame(st, run.id, &fr), 0);
			while (ins_analysis_next_step(ana, &step)) {
				ck_assert_int_eq(ins_store_put_step(st, run.id, &step), 0);
				json_array_append_new(run.steps, ins_step_json(&step));
				ins_summary_acc_add(acc, &step);
			}
		}
	}
	ck_assert_int_eq(ins_store_session_stop(st, run.id, &err), 0);
	ins_summary_acc_finish(acc, &sum);
	run.summary = ins_summary_json(&sum);
	ins_summary_acc_free(acc);
	ins_analysis_free(ana);
	ins_synth_free(syn);
	ins_layout_free(layout);
	return run;
}

static json_t *stored_steps(struct ins_store *st, int64_t id)
{
	struct ins_error err = { "", "" };
	int rc;
	json_t *j = ins_store_session_steps(st, id, &rc, &err);
	json_t *steps;

	ck_assert_msg(j != NULL, "%s", err.msg);
	steps = json_incref(json_object_get(j, "steps"));
	json_decref(j);
	return steps;
}

static json_t *stored_summary(struct ins_store *st, int64_t id)
{
	json_t *j = stored_session(st, id);
	json_t *sum = json_incref(json_object_get(j, "summary"));

	json_decref(j);
	return sum;
}

static void assert_same_json(json_t *a, json_t *b, const char *what)
{
	/* Arrays: name the first element that differs. */
	if (json_is_array(a) && json_is_array(b) && !json_equal(a, b)) {
		ck_assert_msg(json_array_size(a) == json_array_size(b), "%s: %zu and %zu entries", what,
			      json_array_size(a), json_array_size(b));
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!json_equal(json_array_get(a, i), json_array_get(b, i))) {
				char *ta = json_dumps(json_array_get(a, i), JSON_COMPACT);
				char *tb = json_dumps(json_array_get(b, i), JSON_COMPACT);
				ck_abort_msg("%s differ at entry %zu:\n%s\n%s", what, i, ta, tb);
			}
	}
	if (!json_equal(a, b)) {
		char *ta = json_dumps(a, JSON_COMPACT), *tb = json_dumps(b, JSON_COMPACT);
		ck_abort_msg("%s differ:\n%.2000s\n%.2000s", what, ta, tb);
	}
}

START_TEST(reanalysis_identical_to_live)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_error err = { "", "" };
	struct live_run run = record_synthetic(st, "fsr16", 30.0, 1);
	json_t *steps, *sum;

	/* 30 s of walking at the model's default cadence: dozens of steps per foot */
	ck_assert_uint_ge(json_array_size(run.steps), 20);
	steps = stored_steps(st, run.id);
	assert_same_json(steps, run.steps, "stored and live steps");
	json_decref(steps);
	sum = stored_summary(st, run.id);
	assert_same_json(sum, run.summary, "stored and live summaries");
	json_decref(sum);
	/* Re-analysis from the raw archive, calibration changes included. */
	ck_assert_msg(ins_store_session_reanalyze(st, run.id, &err) == 0, "%s", err.msg);
	steps = stored_steps(st, run.id);
	assert_same_json(steps, run.steps, "re-analysed and live steps");
	json_decref(steps);
	sum = stored_summary(st, run.id);
	assert_same_json(sum, run.summary, "re-analysed and live summaries");
	json_decref(sum);
	ck_assert_int_eq(ins_store_session_reanalyze(st, 99, &err), INS_ENOTFOUND);
	json_decref(run.steps);
	json_decref(run.summary);
	ins_store_close(st);
}
END_TEST

/* The user's step selection: trimmed window, a step excluded by hand (named
 * 3 ms off its contact, as after a re-analysis that moved it), the summary
 * following; kept through a re-analysis; bad selections named; an empty one
 * restores the automatic summary. */
START_TEST(step_selection_is_stored_and_survives_reanalysis)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_error err = { "", "" };
	struct live_run run = record_synthetic(st, "fsr16", 30.0, 0);
	json_t *steps = stored_steps(st, run.id), *sel, *sum, *again, *left = json_array();
	int64_t from = 0, excluded = 0;
	double total = 0;
	unsigned n_left = 0, kept = 0;
	int rc;

	for (size_t i = 0; i < json_array_size(steps); i++) {
		json_t *s = json_array_get(steps, i);
		if (strcmp(json_string_value(json_object_get(s, "foot")), "left") == 0)
			json_array_append(left, s);
	}
	n_left = (unsigned)json_array_size(left);
	ck_assert_uint_ge(n_left, 10);
	from = json_integer_value(json_object_get(json_array_get(left, 2), "contact_us")) - 1;
	excluded = json_integer_value(json_object_get(json_array_get(left, 5), "contact_us"));
	for (unsigned k = 2; k < n_left; k++) {
		json_t *m = json_object_get(json_array_get(left, k), "metrics");
		if (k == 5 || json_integer_value(json_object_get(json_array_get(left, k), "flags")) != 0)
			continue;
		total += json_real_value(json_object_get(m, "stance_ms"));
		kept++;
	}
	sel = json_pack("{s:I, s:[{s:s, s:I, s:b}]}", "trim_from_us", (json_int_t)from, "steps", "foot", "left",
			"contact_us", (json_int_t)(excluded + 3000), "include", 0);
	ck_assert_msg(ins_store_session_select(st, run.id, sel, &err) == 0, "%s", err.msg);
	sum = stored_summary(st, run.id);
	json_t *q = json_object_get(sum, "quality");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(q, "trimmed_steps"), "left")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(q, "user_excluded_steps"), "left")), 1);
	json_t *stance = json_object_get(json_object_get(json_object_get(sum, "metrics"), "stance_ms"), "left");
	ck_assert_int_eq(json_integer_value(json_object_get(stance, "n")), kept);
	ck_assert_double_eq_tol(json_real_value(json_object_get(stance, "mean")), total / kept, 1e-6);
	/* stored with the session */
	json_t *session = ins_store_session_get(st, run.id, &rc, &err);
	ck_assert_ptr_nonnull(session);
	ck_assert(json_equal(json_object_get(session, "selection"), sel));
	json_decref(session);
	/* a re-analysis replaces the steps and keeps the choice */
	ck_assert_msg(ins_store_session_reanalyze(st, run.id, &err) == 0, "%s", err.msg);
	again = stored_summary(st, run.id);
	assert_same_json(again, sum, "summaries before and after re-analysis");
	json_decref(again);
	json_decref(sum);
	/* bad selections change nothing and name the member */
	json_t *bad = json_pack("{s:[{s:s, s:I, s:b}]}", "steps", "foot", "middle", "contact_us", (json_int_t)1,
				"include", 1);
	ck_assert_int_eq(ins_store_session_select(st, run.id, bad, &err), INS_EINVAL);
	ck_assert_str_eq(err.msg, "steps[0].foot: expected \"left\" or \"right\"");
	ck_assert_str_eq(err.field, "steps");
	json_decref(bad);
	bad = json_pack("{s:I, s:I}", "trim_from_us", (json_int_t)5, "trim_to_us", (json_int_t)4);
	ck_assert_int_eq(ins_store_session_select(st, run.id, bad, &err), INS_EINVAL);
	ck_assert_str_eq(err.msg, "trim_to_us: 4 is not after trim_from_us 5");
	ck_assert_str_eq(err.field, "trim_to_us");
	json_decref(bad);
	bad = json_pack("{s:b}", "trim", 1);
	ck_assert_int_eq(ins_store_session_select(st, run.id, bad, &err), INS_EINVAL);
	ck_assert_str_eq(err.msg, "trim: not a member (trim_from_us, trim_to_us, steps)");
	ck_assert_str_eq(err.field, "trim");
	ck_assert_int_eq(ins_store_session_select(st, 9999, sel, &err), INS_ENOTFOUND);
	ck_assert_str_eq(err.field, ""); /* about no member: the last error's field is not kept */
	json_decref(bad);
	/* nothing chosen: the automatic summary again */
	json_t *none = json_object();
	ck_assert_msg(ins_store_session_select(st, run.id, none, &err) == 0, "%s", err.msg);
	sum = stored_summary(st, run.id);
	assert_same_json(sum, run.summary, "cleared selection and live summaries");
	json_decref(sum);
	json_decref(none);
	json_decref(sel);
	json_decref(left);
	json_decref(steps);
	json_decref(run.steps);
	json_decref(run.summary);
	ins_store_close(st);
}
END_TEST

static char *export_to_string(struct ins_store *st, int64_t id, enum ins_export_kind kind, size_t pull, size_t *len)
{
	struct ins_error err = { "", "" };
	int rc;
	struct ins_export *ex = ins_store_export_open(st, id, kind, &rc, &err);
	size_t cap = 1 << 16, n = 0;
	char *out = malloc(cap);
	ssize_t got;

	ck_assert_msg(ex != NULL, "%s", err.msg);
	do {
		if (n + pull + 1 > cap)
			out = realloc(out, cap *= 2);
		got = ins_store_export_read(ex, out + n, pull);
		ck_assert_int_ge(got, 0);
		n += (size_t)got;
	} while (got > 0);
	out[n] = '\0';
	ins_store_export_close(ex);
	*len = n;
	return out;
}

static unsigned count_lines(const char *s, const char *prefix)
{
	unsigned n = 0;

	for (const char *p = s; *p; p = strchr(p, '\n') + 1) {
		if (!prefix || strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
		if (!strchr(p, '\n'))
			break;
	}
	return n;
}

START_TEST(exports_stream_and_import_reads_them_back)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_error err = { "", "" };
	char path[320];
	struct live_run run = record_synthetic(st, "fsr16", 20.0, 0);
	size_t len;
	char *csv;
	FILE *f;
	int64_t imported = 0;
	json_t *steps, *j;

	/* counts: lossless, with the layout and the calibration */
	csv = export_to_string(st, run.id, INS_EXPORT_FRAMES_COUNTS_CSV, 777, &len);
	ck_assert_msg(strncmp(csv, "# insoled frames export\n# format_version: 1\n", 44) == 0, "%.200s", csv);
	ck_assert_ptr_nonnull(strstr(csv, "\n# subject: synthetic\n# footwear: model\n"));
	ck_assert_ptr_nonnull(strstr(csv, "\n# units: counts\n# layout_left: fsr16\n# sensors_left: 16\n"));
	ck_assert_ptr_nonnull(strstr(csv, "\nt_us,foot,seq,s1,s2,s3,s4,s5,s6,s7,s8,s9,s10,s11,s12,s13,s14,s15,s16\n"));
	ck_assert_uint_eq(count_lines(csv, "0,left,0,") + count_lines(csv, "0,right,0,"), 2);
	ck_assert_uint_eq(count_lines(csv, NULL) - count_lines(csv, "#") - 1, 4000);
	snprintf(path, sizeof(path), "%s/export.csv", tmpdir);
	f = fopen(path, "w");
	fwrite(csv, 1, len, f);
	fclose(f);
	free(csv);
	struct ins_session_meta m = { .subject = "reimported" };
	ck_assert_msg(ins_store_session_import(st, path, &m, &imported, NULL, &err) == 0, "%s", err.msg);
	steps = stored_steps(st, imported);
	assert_same_json(steps, run.steps, "steps of the re-imported counts export and live steps");
	json_decref(steps);
	j = ins_store_session_get(st, imported, &c.refuse_corrupt, &err);
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "complete");
	ck_assert_str_eq(json_string_value(json_object_get(j, "subject")), "reimported");
	{
		/* the export's start_utc (to the microsecond) dates the re-import */
		json_t *orig = ins_store_session_get(st, run.id, &c.refuse_corrupt, &err);
		ck_assert_int_eq(json_integer_value(json_object_get(j, "start_us")),
				 json_integer_value(json_object_get(orig, "start_us")));
		json_decref(orig);
	}
	ck_assert_str_eq(json_string_value(json_object_get(j, "footwear")), "model");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "frames")), 4000);
	json_decref(j);
	/* the imported session re-analyses to the same steps as well */
	ck_assert_msg(ins_store_session_reanalyze(st, imported, &err) == 0, "%s", err.msg);
	steps = stored_steps(st, imported);
	assert_same_json(steps, run.steps, "re-analysed import and live steps");
	json_decref(steps);

	/* kPa: calibrated frames */
	csv = export_to_string(st, run.id, INS_EXPORT_FRAMES_CSV, 4096, &len);
	ck_assert_ptr_nonnull(strstr(csv, "\n# units: kPa\n"));
	ck_assert_ptr_null(strstr(csv, "# calibration_"));
	ck_assert_uint_eq(count_lines(csv, NULL) - count_lines(csv, "#") - 1, 4000);
	f = fopen(path, "w");
	fwrite(csv, 1, len, f);
	fclose(f);
	free(csv);
	ck_assert_msg(ins_store_session_import(st, path, &m, &imported, NULL, &err) == 0, "%s", err.msg);
	j = ins_store_session_get(st, imported, &c.refuse_corrupt, &err);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "frames")), 4000);
	json_decref(j);
	steps = stored_steps(st, imported);
	assert_same_json(steps, run.steps, "steps of the re-imported kPa export and live steps");
	json_decref(steps);
	{
		/* cut inside its last row, with notes as long as they may be: the
		 * frames before the cut make the session, and its notes still say
		 * it is a part (the user's notes give way, not the notice) */
		static char notes[65536 + 1];
		const char *kept;

		memset(notes, 'n', sizeof(notes) - 1);
		m.notes = notes;
		f = fopen(path, "r+");
		ck_assert_int_eq(ftruncate(fileno(f), (off_t)len - 5), 0);
		fclose(f);
		ck_assert_msg(ins_store_session_import(st, path, &m, &imported, NULL, &err) == 0, "%s", err.msg);
		ck_assert_msg(strstr(err.msg, "truncated file") != NULL, "%s", err.msg);
		j = ins_store_session_get(st, imported, &c.refuse_corrupt, &err);
		ck_assert_int_eq(json_integer_value(json_object_get(j, "frames")), 3999);
		kept = json_string_value(json_object_get(j, "notes"));
		ck_assert_msg(strncmp(kept, "Imported from a damaged file: export.csv:", 41) == 0, "%.120s", kept);
		ck_assert_uint_eq(strlen(kept), sizeof(notes) - 1);
		json_decref(j);
		m.notes = NULL;
	}
	csv = export_to_string(st, run.id, INS_EXPORT_FRAME_METRICS_CSV, 100, &len);
	ck_assert_ptr_nonnull(strstr(csv, "\nt_us,foot,seq,host_us,force_n,cop_x_mm,cop_y_mm,cop_x_norm,cop_y_norm,"
				      "contact_area_mm2,peak_kpa,in_stance,n_saturated,event\n"));
	ck_assert_uint_eq(count_lines(csv, NULL) - count_lines(csv, "#") - 1, 4000);
	free(csv);

	/* steps CSV: the analysis's header and one row per step */
	csv = export_to_string(st, run.id, INS_EXPORT_STEPS_CSV, 50, &len);
	{
		char head[INS_STEP_CSV_MAX];
		ck_assert_int_gt(ins_step_csv_header(head, sizeof(head)), 0);
		ck_assert_int_eq(strncmp(csv, head, strlen(head)), 0);
	}
	ck_assert_uint_eq(count_lines(csv, NULL), json_array_size(run.steps) + 1);
	free(csv);
	csv = export_to_string(st, run.id, INS_EXPORT_SUMMARY_JSON, 3, &len);
	j = json_loads(csv, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "id")), run.id);
	assert_same_json(json_object_get(j, "summary"), run.summary, "exported and live summaries");
	json_decref(j);
	free(csv);
	{
		int rc;
		ck_assert_ptr_null(ins_store_export_open(st, 999, INS_EXPORT_STEPS_CSV, &rc, &err));
		ck_assert_int_eq(rc, INS_ENOTFOUND);
	}
	json_decref(run.steps);
	json_decref(run.summary);
	ins_store_close(st);
}
END_TEST

/* n bytes of text made of pieces in turn (UTF-8, each whole), ASCII 'x'
 * where the next piece no longer fits, and last as the last byte. */
static char *text_of(size_t n, const char *const pieces[], size_t n_pieces, char last)
{
	char *out = malloc(n + 1);
	size_t len = 0;

	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; len + strlen(pieces[i % n_pieces]) < n; i++) {
		memcpy(out + len, pieces[i % n_pieces], strlen(pieces[i % n_pieces]));
		len += strlen(pieces[i % n_pieces]);
	}
	memset(out + len, 'x', n - len);
	out[n - 1] = last;
	out[n] = '\0';
	return out;
}

/* A stored session exported as frames and imported again: the imported
 * session, dated as the original. */
static int64_t reimport(struct ins_store *st, int64_t id, enum ins_export_kind kind)
{
	struct ins_session_meta m = { .allow_duplicate = 1 };
	struct ins_error err = { "", "" };
	int64_t imported = 0;
	char path[320];
	size_t len;
	char *csv = export_to_string(st, id, kind, 4096, &len);
	FILE *f;

	snprintf(path, sizeof(path), "%s/texts.csv", tmpdir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(csv, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	free(csv);
	ck_assert_msg(ins_store_session_import(st, path, &m, &imported, NULL, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(err.msg, "");
	return imported;
}

/* Member key of stored session id equals want byte for byte. */
static void assert_stored_text(struct ins_store *st, int64_t id, const char *key, const char *want)
{
	struct ins_error err = { "", "" };
	int rc;
	json_t *j = ins_store_session_get(st, id, &rc, &err);
	const char *got = json_string_value(json_object_get(j, key));
	size_t i = 0;

	ck_assert_msg(j && got, "session %lld: no %s (%s)", (long long)id, key, err.msg);
	while (got[i] && got[i] == want[i])
		i++;
	ck_assert_msg(got[i] == want[i], "%s: %zu bytes imported, %zu exported, first difference at byte %zu", key,
		      strlen(got), strlen(want), i);
	json_decref(j);
}

static int64_t stored_start_us(struct ins_store *st, int64_t id)
{
	struct ins_error err = { "", "" };
	int rc;
	json_t *j = ins_store_session_get(st, id, &rc, &err);
	int64_t us = json_integer_value(json_object_get(j, "start_us"));

	json_decref(j);
	return us;
}

/* What a session says of itself comes back from its export byte for byte:
 * notes as long as the store keeps them, of multi-byte UTF-8 and of every
 * character the export escapes, a subject and footwear at their limit
 * ending in what a reader would take for padding, in both frame exports,
 * and its start to the microsecond; and notes of nothing but escaped
 * characters, the longest line the export writes. */
START_TEST(an_export_imported_again_keeps_its_texts_whole)
{
	static const char *const note_pieces[] = { "Gang \xc3\xbc" "ber 5 km", "\n", "\t", "# ", "\"quoted\" ",
						   "'single' ", "C:\\new\\table ", "\xe2\x82\xac", "\xf0\x9f\xa6\xb6",
						   "\r\n", ", ", "\\", "\xe6\x97\xa5\xe6\x9c\xac " };
	static const char *const label_pieces[] = { "M\xc3\xbcller, ", "\"A\" ", "#2\t", "\\", "\xe2\x80\x93 " };
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_error err = { "", "" };
	char *subject = text_of(256, label_pieces, 5, ' '), *footwear = text_of(256, label_pieces + 1, 4, ',');
	char *notes = text_of(65536, note_pieces, sizeof(note_pieces) / sizeof(note_pieces[0]), ' ');
	struct ins_session_meta m = meta_fsr16(subject, footwear);
	const enum ins_export_kind kinds[] = { INS_EXPORT_FRAMES_COUNTS_CSV, INS_EXPORT_FRAMES_CSV };
	int64_t id, copy;

	m.notes = notes;
	id = start_session(st, &m);
	put_frames(st, id, 0, 300, 16, INS_OK);
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		copy = reimport(st, id, kinds[k]);
		assert_stored_text(st, copy, "subject", subject);
		assert_stored_text(st, copy, "footwear", footwear);
		assert_stored_text(st, copy, "notes", notes);
		ck_assert_int_eq(stored_start_us(st, copy), stored_start_us(st, id));
	}
	memset(notes, '\n', 65535);
	notes[65535] = ',';
	m.notes = notes;
	id = start_session(st, &m);
	put_frames(st, id, 0, 300, 16, INS_OK);
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	assert_stored_text(st, reimport(st, id, INS_EXPORT_FRAMES_COUNTS_CSV), "notes", notes);
	free(subject);
	free(footwear);
	free(notes);
	ins_store_close(st);
}
END_TEST

/* A multi-weight calibration as a dense insole's session records it: 16
 * points, each sensor tared to its own zero and the kPa scaled to the body
 * weight, so that every value takes its 17 significant digits. */
static struct ins_calib_curve *table_calibration(unsigned n, double scale)
{
	static const double counts[16] = { 0, 150, 300, 450, 600, 800, 1000, 1250,
					   1500, 1800, 2100, 2400, 2800, 3200, 3600, 4095 };
	struct ins_calib_curve *c = calloc(n, sizeof(*c));

	ck_assert_ptr_nonnull(c);
	for (unsigned i = 0; i < n; i++) {
		c[i] = (struct ins_calib_curve){ .kind = INS_CALIB_TABLE, .zero = 90 + i % 61, .n_points = 16,
						 .saturation = 4095 };
		for (unsigned k = 0; k < 16; k++) {
			c[i].table_counts[k] = counts[k];
			c[i].table_kpa[k] = (k * k * 1.7 + k * 3.1) * scale;
		}
	}
	return c;
}

/* Length of the longest line of text. */
static size_t longest_line(const char *text)
{
	size_t most = 0;

	for (const char *p = text; *p;) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > most)
			most = n;
		p += n + (end != NULL);
	}
	return most;
}

/* The text of an export from its session_id line on: what a copy of the
 * session must give again. */
static const char *after_session_id(const char *csv)
{
	const char *p = strstr(csv, "\n# session_id: ");

	ck_assert_ptr_nonnull(p);
	return strchr(p + 1, '\n');
}

/* A session exported in counts and imported again is the same session:
 * the calibration, the frames and the texts all come back, so that its
 * export of the copy is the export of the original. */
static void assert_counts_export_round_trip(struct ins_store *st, int64_t id, size_t *longest)
{
	struct ins_error err = { "", "" };
	size_t len, len2;
	char *csv = export_to_string(st, id, INS_EXPORT_FRAMES_COUNTS_CSV, 65536, &len), *again;
	int64_t copy;
	int rc;
	json_t *a, *b;

	*longest = longest_line(csv);
	copy = reimport(st, id, INS_EXPORT_FRAMES_COUNTS_CSV);
	a = ins_store_session_get(st, id, &rc, &err);
	b = ins_store_session_get(st, copy, &rc, &err);

	ck_assert_msg(a && b, "%s", err.msg);
	ck_assert(json_is_object(json_object_get(a, "calibration")));
	ck_assert_msg(json_equal(json_object_get(a, "calibration"), json_object_get(b, "calibration")),
		      "the copy's calibration differs");
	again = export_to_string(st, copy, INS_EXPORT_FRAMES_COUNTS_CSV, 65536, &len2);
	ck_assert_str_eq(after_session_id(again), after_session_id(csv));
	json_decref(a);
	json_decref(b);
	free(again);
	free(csv);
}

/* A pair of dense insoles (grid60x21, 1,260 cells) with a multi-weight
 * calibration, tared and scaled to the body weight: the most calibration
 * text a shipped layout makes (603 kB a foot) is recorded, and its counts
 * export imports back whole. */
START_TEST(a_dense_insoles_calibration_survives_its_counts_export)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_error err = { "", "" };
	struct ins_calib_curve *curves = table_calibration(1260, 1.0734123456789);
	const struct ins_calib_curve *calib[INS_FOOT_COUNT] = { curves, curves };
	unsigned n[INS_FOOT_COUNT] = { 1260, 1260 };
	struct ins_session_meta m = { .subject = "dense", .notes = "", .layout = { "grid60x21", "grid60x21" },
				      .devices = "test", .body_weight_n = 700 };
	char *json = ins_store_calib_to_json(calib, n);
	size_t longest;
	int64_t id;

	m.calibration_json = json;
	id = start_session(st, &m);
	put_frames(st, id, 0, 50, 1260, INS_OK);
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	assert_counts_export_round_trip(st, id, &longest);
	/* a foot's curves are more than a reader's line holds: the export
	 * splits them (its longest line is the column line) */
	ck_assert_uint_gt(strlen(json) / 2, INS_IMPORT_LINE_MAX);
	ck_assert_uint_eq(longest, strlen("t_us,foot,seq") + 9 * 3 + 90 * 4 + 900 * 5 + 261 * 6);
	free(json);
	free(curves);
	ins_store_close(st);
}
END_TEST

/* The longest curve the curve rule (ins_calib_curve_check) lets a layout
 * give, as text: every number takes 17 digits and a three-digit exponent,
 * negative where it may be (counts and a table's unused gain). */
static struct ins_calib_curve *longest_calibration(unsigned n)
{
	struct ins_calib_curve *c = calloc(n, sizeof(*c));

	ck_assert_ptr_nonnull(c);
	for (unsigned i = 0; i < n; i++) {
		c[i] = (struct ins_calib_curve){ .kind = INS_CALIB_TABLE, .zero = 1.2345678901234567e-300,
						 .gain = -1.2345678901234567e-300, .n_points = 16,
						 .saturation = 65535 };
		for (unsigned k = 0; k < 16; k++) {
			c[i].table_counts[k] = -1.2345678901234567e-300 * (16 - k);
			c[i].table_kpa[k] = 1.2345678901234567e-300 * (k + 1);
		}
	}
	return c;
}

/* A 64 x 64 grid (INS_MAX_SENSORS cells) under a layout name as long as
 * one may be, in dir. */
static const char *write_largest_layout(const char *dir)
{
	static const char name[] = "grid64x64_the_longest_name_a_layout_may_have_63_characters_long";
	char path[512];
	FILE *f;

	ck_assert_uint_eq(strlen(name), 63);
	snprintf(path, sizeof(path), "%s/%s.layout", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "[layout]\nname = %s\nfoot_length_mm = 320\nfoot_width_mm = 320\n"
		"[calibration]\nkind = linear\ngain = 0.25\nsaturation = 4095\n"
		"[outline]\npoint = -160 0\npoint = 160 0\npoint = 160 320\npoint = -160 320\n"
		"[grid]\ncolumns = 64\nrows = 64\ncell_mm = 5\nx0_mm = -157.5\ny0_mm = 2.5\n", name);
	ck_assert_int_eq(fclose(f), 0);
	return name;
}

/* The largest session the store holds: both feet of INS_MAX_SENSORS
 * sensors with the longest curves, the longest layout name, and texts at
 * their limits made of characters the export escapes.  Its counts export
 * imports back whole. */
START_TEST(the_largest_session_survives_its_counts_export)
{
	struct ins_store_config c = config();
	struct ins_error err = { "", "" };
	struct ins_calib_curve *curves = longest_calibration(INS_MAX_SENSORS);
	const struct ins_calib_curve *calib[INS_FOOT_COUNT] = { curves, curves };
	unsigned n[INS_FOOT_COUNT] = { INS_MAX_SENSORS, INS_MAX_SENSORS };
	char subject[257], footwear[257], *notes = malloc(65537), *json, *one;
	const char *layout = write_largest_layout(tmpdir);
	struct ins_session_meta m = { .subject = subject, .footwear = footwear, .notes = notes,
				      .layout = { layout, layout }, .devices = "test", .body_weight_n = 700 };
	struct ins_store *st;
	json_t *curve = store_calib_curve_json(&curves[0]);
	size_t longest;
	int64_t id;

	one = json_dumps(curve, JSON_COMPACT | JSON_REAL_PRECISION(17));
	ck_assert_uint_le(strlen(one), INS_STORE_CURVE_JSON_MAX);
	c.layout_dir = tmpdir;
	st = open_store(&c);
	memset(subject, '\\', 256);
	memset(footwear, '\t', 256);
	memset(notes, '\n', 65535);
	subject[256] = footwear[256] = '\0';
	notes[65535] = ',';
	notes[65536] = '\0';
	m.calibration_json = json = ins_store_calib_to_json(calib, n);
	id = start_session(st, &m);
	put_frames(st, id, 0, 20, INS_MAX_SENSORS, INS_OK);
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	assert_counts_export_round_trip(st, id, &longest);
	/* the notes, every byte escaped, and their last one as \x2c */
	ck_assert_uint_eq(longest, strlen("# notes: ") + 2 * 65535 + 4);
	ck_assert_uint_le(longest, INS_IMPORT_LINE_MAX);
	/* and its kPa export, with rows of INS_MAX_SENSORS values */
	assert_stored_text(st, reimport(st, id, INS_EXPORT_FRAMES_CSV), "notes", notes);
	json_decref(curve);
	free(one);
	free(json);
	free(notes);
	free(curves);
	ins_store_close(st);
}
END_TEST

/* The report's map: the mean of each sensor's per-step peaks, over the
 * foot's steps; never above the session maximum, and on the steady
 * synthetic walker close to it.  Sparse maps carry the sensors' values. */
START_TEST(heatmap_mean_of_step_peaks)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct live_run run = record_synthetic(st, "fsr16", 12.0, 0);
	struct ins_error err = { "", "" };
	int rc;
	json_t *pk = ins_store_session_heatmap(st, run.id, 0, "peak", &rc, &err);
	json_t *mp = ins_store_session_heatmap(st, run.id, 0, "mean_peak", &rc, &err);
	json_t *a, *b;
	size_t i, left = 0;
	json_t *s;

	ck_assert_msg(pk && mp, "%s", err.msg);
	json_array_foreach(run.steps, i, s)
		left += strcmp(json_string_value(json_object_get(s, "foot")), "left") == 0;
	ck_assert_uint_gt(left, 5);
	ck_assert_int_eq(json_integer_value(json_object_get(mp, "steps")), (json_int_t)left);
	a = json_object_get(pk, "sensors");
	b = json_object_get(mp, "sensors");
	ck_assert_uint_eq(json_array_size(a), 16);
	ck_assert_uint_eq(json_array_size(b), 16);
	for (i = 0; i < 16; i++) {
		double p = json_number_value(json_array_get(a, i)), m = json_number_value(json_array_get(b, i));
		ck_assert_msg(m <= p + 1e-6, "sensor %zu: mean of step peaks %g above the session peak %g", i, m, p);
		if (p > 50)
			ck_assert_msg(m >= 0.97 * p, "sensor %zu: mean of step peaks %g, session peak %g", i, m, p);
	}
	json_decref(pk);
	json_decref(mp);
	json_decref(run.steps);
	json_decref(run.summary);
	ins_store_close(st);
}
END_TEST

/* Playback frames: every frame of the foot in order with its pressures,
 * and the foot's steps as re-analysis finds them. */
/* A recording in raw sensor units says so in every map and frame list made
 * of it, so that no report labels its counts as kPa; a calibrated one says
 * kPa. */
START_TEST(maps_of_a_raw_recording_say_raw_units)
{
	static const char *const kinds[] = { "peak", "mean_peak", "mean" };
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = { .subject = "units" };
	struct ins_error err = { "", "" };
	int64_t raw, kpa;
	int rc;
	json_t *j;

	ck_assert_msg(ins_store_session_import(st, INS_TEST_SRCDIR "/tests/fixtures/import/stappone_small.csv", &m, &raw,
					       NULL, &err) == 0, "%s", err.msg);
	ck_assert_msg(ins_store_session_import(st, INS_TEST_SRCDIR "/tests/fixtures/import/gaitpdb_small.txt", &m, &kpa,
					       NULL, &err) == 0, "%s", err.msg);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		j = ins_store_session_heatmap(st, raw, 0, kinds[k], &rc, &err);
		ck_assert_msg(j != NULL, "%s", err.msg);
		ck_assert_str_eq(json_string_value(json_object_get(j, "units")), "raw");
		json_decref(j);
		j = ins_store_session_heatmap(st, kpa, 0, kinds[k], &rc, &err);
		ck_assert_msg(j != NULL, "%s", err.msg);
		ck_assert_str_eq(json_string_value(json_object_get(j, "units")), "kPa");
		json_decref(j);
	}
	j = ins_store_session_frames(st, raw, 0, &rc, &err);
	ck_assert_msg(j != NULL, "%s", err.msg);
	ck_assert_str_eq(json_string_value(json_object_get(j, "units")), "raw");
	json_decref(j);
	ins_store_close(st);
}
END_TEST

START_TEST(playback_frames_of_a_foot)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct live_run run = record_synthetic(st, "fsr16", 6.0, 0);
	struct ins_error err = { "", "" };
	int rc;
	json_t *j = ins_store_session_frames(st, run.id, 1, &rc, &err), *frames, *steps, *s;
	size_t i, right = 0;
	int64_t last = INT64_MIN;

	ck_assert_msg(j != NULL, "%s", err.msg);
	frames = json_object_get(j, "frames");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "every")), 1);
	ck_assert_uint_eq(json_array_size(frames), 600);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "frames_recorded")), 600);
	json_array_foreach(frames, i, s) {
		int64_t t = json_integer_value(json_object_get(s, "t_us"));
		ck_assert(t > last);
		last = t;
		ck_assert_uint_eq(json_array_size(json_object_get(s, "kpa")), 16);
	}
	ck_assert_str_eq(json_string_value(json_object_get(j, "units")), "kPa");
	steps = json_object_get(j, "steps");
	json_array_foreach(run.steps, i, s)
		right += strcmp(json_string_value(json_object_get(s, "foot")), "right") == 0;
	ck_assert_uint_gt(right, 2);
	ck_assert_uint_eq(json_array_size(steps), right);
	json_decref(j);
	ck_assert_ptr_null(ins_store_session_frames(st, run.id, 2, &rc, &err));
	ck_assert_int_eq(rc, INS_EINVAL);
	ck_assert_ptr_null(ins_store_session_frames(st, 999, 0, &rc, &err));
	json_decref(run.steps);
	json_decref(run.summary);
	ins_store_close(st);
}
END_TEST

START_TEST(grid_heatmap_peak_is_exact)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_session_meta m = { .subject = "g", .layout = { "grid60x21", NULL } };
	struct ins_error err = { "", "" };
	struct ins_layout *layout = ins_layout_load_named(LAYOUT_DIR, "grid60x21", err.msg, sizeof(err.msg));
	uint16_t vals[1260];
	int64_t id;
	json_t *hm, *cells;
	int rc;

	ck_assert_msg(layout != NULL, "%s", err.msg);
	id = start_session(st, &m);
	for (uint32_t k = 0; k < 50; k++) {
		struct ins_frame fr = { .foot = 0, .n = 1260, .seq = k, .t_us = k * 10000, .values = vals };
		for (unsigned i = 0; i < 1260; i++)
			vals[i] = (uint16_t)((i * 13 + k * 29) % 400);
		ck_assert_int_eq(ins_store_put_frame(st, id, &fr), 0);
	}
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	hm = ins_store_session_heatmap(st, id, 0, "peak", &rc, &err);
	ck_assert_msg(hm != NULL, "%s", err.msg);
	ck_assert_int_eq(json_integer_value(json_object_get(hm, "w")), 21);
	ck_assert_int_eq(json_integer_value(json_object_get(hm, "h")), 60);
	cells = json_object_get(hm, "cells");
	ck_assert_uint_eq(json_array_size(cells), 1260);
	/* the mask the steps were measured on, for the maps: one region per cell inside */
	for (unsigned i = 0; i < 1260; i++) {
		json_t *mk = json_array_get(json_object_get(hm, "mask_cells"), i);
		ck_assert(json_is_null(mk) == json_is_null(json_array_get(cells, i)));
		ck_assert(json_is_null(mk) || json_integer_value(mk) < INS_MASK_COUNT);
	}
	for (unsigned i = 0; i < 1260; i++) {
		const struct ins_calib_curve *cal = &layout->sensors[i].calib;
		unsigned max = 0;
		json_t *v = json_array_get(cells, i);
		for (uint32_t k = 0; k < 50; k++)
			if ((i * 13 + k * 29) % 400 > max)
				max = (i * 13 + k * 29) % 400;
		if (json_is_null(v))
			continue; /* outside the outline */
		double want = cal->gain * ((double)max - cal->zero);
		ck_assert_msg(fabs(json_number_value(v) - want) <= 1e-3 * fabs(want) + 1e-4,
			      "cell %u: %g, want %g", i, json_number_value(v), want);
	}
	json_decref(hm);
	/* counts that never make a step: no mean of step peaks, rather than a
	 * map of zeros whose maximum says 0 kPa */
	hm = ins_store_session_heatmap(st, id, 0, "mean_peak", &rc, &err);
	ck_assert_msg(hm != NULL, "%s", err.msg);
	ck_assert_int_eq(json_integer_value(json_object_get(hm, "steps")), 0);
	ck_assert(json_is_null(json_object_get(hm, "max_kpa")));
	cells = json_object_get(hm, "cells");
	for (unsigned i = 0; i < json_array_size(cells); i++)
		ck_assert(json_is_null(json_array_get(cells, i)));
	json_decref(hm);
	ck_assert_ptr_null(ins_store_session_heatmap(st, id, 1, "peak", &rc, &err));
	ck_assert_int_eq(rc, INS_ENOTFOUND);
	ck_assert_ptr_null(ins_store_session_heatmap(st, id, 0, "max", &rc, &err));
	ck_assert_int_eq(rc, INS_EINVAL);
	ck_assert_str_eq(err.msg, "kind: expected peak, mean_peak or mean");
	ins_layout_free(layout);
	ins_store_close(st);
}
END_TEST

/* One owner per database: a second open (another daemon) is refused with
 * the owner's pid; once the owner closes, the database opens again.  The
 * database's missing directory is made. */
START_TEST(second_owner_is_refused_with_the_first_ones_pid)
{
	struct ins_store_config c = config();
	struct ins_store *first, *second;
	struct ins_error err = { "", "" };
	char want[64], nested[400];

	snprintf(nested, sizeof(nested), "%s/state/test.db", tmpdir);
	c.db_path = nested;
	first = open_store(&c);
	second = ins_store_open(&c, &err);
	ck_assert_ptr_null(second);
	snprintf(want, sizeof(want), "in use by insoled pid %ld", (long)getpid());
	ck_assert_msg(strstr(err.msg, want) != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "state/test.db.lock") != NULL, "%s", err.msg);
	ins_store_close(first);
	second = open_store(&c);
	ins_store_close(second);
}
END_TEST

START_TEST(import_real_recording_matches_direct_analysis)
{
	char path[512];
	struct ins_store_config c = config();
	struct ins_store *st;
	struct ins_error err = { "", "" };
	struct ins_import *imp;
	const struct ins_import_info *info;
	struct ins_layout *layout[INS_FOOT_COUNT] = { NULL, NULL };
	struct ins_analysis *ana;
	struct ins_import_frame f;
	struct ins_frame_metrics fm;
	struct ins_step step, out;
	struct ins_step_delay delay;
	json_t *direct = json_array(), *steps, *j;
	int64_t frames = 0, id = 0;
	int rc;

	test_shared_path(path, sizeof(path), "moticon/230927_102114.txt");
	INS_REQUIRE_SHARED_FILE(path);
	/* The recording analysed directly, as `insoled --analyze` does. */
	imp = ins_import_open(path, NULL, err.msg, sizeof(err.msg));
	ck_assert_msg(imp != NULL, "%s", err.msg);
	info = ins_import_info(imp);
	struct ins_analysis_config acfg = { .body_weight_n = info->body_weight_n };
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++) {
		if (!(info->feet & (1u << foot)))
			continue;
		layout[foot] = ins_layout_load_named(LAYOUT_DIR, info->layout[foot], err.msg, sizeof(err.msg));
		ck_assert_msg(layout[foot] != NULL, "%s", err.msg);
		acfg.layout[foot] = layout[foot];
		acfg.calib[foot] = info->calib[foot];
	}
	ana = ins_analysis_new(&acfg, err.msg, sizeof(err.msg));
	ck_assert_msg(ana != NULL, "%s", err.msg);
	/* steps read back carry their termination flags: through the delay */
	ins_step_delay_init(&delay);
	while ((rc = ins_import_next(imp, &f, err.msg, sizeof(err.msg))) == 1) {
		ck_assert_msg(ins_import_feed(imp, ana, layout[f.foot], &f, &fm, err.msg, sizeof(err.msg)) == 0, "%s", err.msg);
		frames++;
		while (ins_analysis_next_step(ana, &step))
			if (ins_step_delay_push(&delay, &step, &out))
				json_array_append_new(direct, ins_step_json(&out));
	}
	while (ins_step_delay_flush(&delay, &out))
		json_array_append_new(direct, ins_step_json(&out));
	ck_assert_msg(rc == 0, "%s", err.msg);
	ins_analysis_free(ana);
	ins_import_close(imp);
	for (unsigned foot = 0; foot < INS_FOOT_COUNT; foot++)
		ins_layout_free(layout[foot]);

	/* The same file imported as a session, then re-analysed from the archive. */
	st = open_store(&c);
	struct ins_session_meta m = { .subject = "moticon sample", .footwear = "vendor demo" };
	ck_assert_msg(ins_store_session_import(st, path, &m, &id, NULL, &err) == 0, "%s", err.msg);
	j = ins_store_session_get(st, id, &rc, &err);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "frames")), frames);
	ck_assert_str_eq(json_string_value(json_object_get(j, "source")), "import:moticon:230927_102114.txt");
	ck_assert_str_eq(json_string_value(json_object_get(j, "subject")), "moticon sample");
	{
		/* dated by the file's "# Start time: 27.09.2023 10:21:14.922" (local time), not the import */
		struct tm tm = { .tm_year = 123, .tm_mon = 8, .tm_mday = 27, .tm_hour = 10, .tm_min = 21, .tm_sec = 14, .tm_isdst = -1 };
		ck_assert_int_eq(json_integer_value(json_object_get(j, "start_us")), (int64_t)mktime(&tm) * 1000000 + 922000);
	}
	json_decref(j);
	steps = stored_steps(st, id);
	assert_same_json(steps, direct, "imported and directly analysed steps");
	json_decref(steps);
	ck_assert_msg(ins_store_session_reanalyze(st, id, &err) == 0, "%s", err.msg);
	steps = stored_steps(st, id);
	assert_same_json(steps, direct, "re-analysed import and directly analysed steps");
	json_decref(steps);
	/* A file that is not a recording: refused, nothing stored. */
	ck_assert_int_eq(ins_store_session_import(st, SQL_DIR "/001_schema.sql", &m, &id, NULL, &err),
			 INS_EINVAL);
	ck_assert_int_eq(query_int("SELECT count(*) FROM sessions"), 1);
	json_decref(direct);
	ins_store_close(st);
}
END_TEST

/* ---- curves ------------------------------------------------------------------------ */

/* 30 s of the synthetic walker recorded as the pipeline does, with a body
 * weight change and a tare mid-session, and the same frames and steps fed
 * straight into a curves accumulator: the session's curves, computed by
 * replaying the archive, must be the same document. */
START_TEST(session_curves_equal_direct_accumulation)
{
	struct ins_store_config c = config();
	struct ins_store *st = open_store(&c);
	struct ins_error err = { "", "" };
	struct ins_layout *layout = ins_layout_load_named(LAYOUT_DIR, "fsr16", err.msg, sizeof(err.msg));
	struct ins_session_meta m = { .subject = "curves", .layout = { "fsr16", "fsr16" }, .body_weight_n = 700.0 };
	struct ins_synth_params p;
	struct ins_synth *syn;
	struct ins_analysis *ana;
	struct ins_curves *cv;
	uint16_t vals[INS_MAX_SENSORS];
	unsigned steps = 0;
	int tared = 0, rc = 0;
	int64_t id;
	json_t *direct, *stored;

	ck_assert_msg(layout != NULL, "%s", err.msg);
	ins_synth_defaults(&p);
	syn = ins_synth_new(&p, layout, err.msg, sizeof(err.msg));
	ck_assert_msg(syn != NULL, "%s", err.msg);
	struct ins_analysis_config acfg = { .layout = { layout, layout }, .body_weight_n = 700.0 };
	ana = ins_analysis_new(&acfg, err.msg, sizeof(err.msg));
	ck_assert_msg(ana != NULL, "%s", err.msg);
	struct ins_curves_config ccfg = { .layout = { layout, layout }, .rate_hz = p.rate_hz, .body_weight_n = 700.0 };
	cv = ins_curves_new(&ccfg, err.msg, sizeof(err.msg));
	ck_assert_msg(cv != NULL, "%s", err.msg);
	id = start_session(st, &m);
	for (uint32_t k = 0; k < (uint32_t)(30 * p.rate_hz); k++)
		for (unsigned foot = 0; foot < 2; foot++) {
			struct ins_frame fr = { .foot = (uint8_t)foot, .n = layout->n_sensors, .seq = k,
						.host_us = 1700000000000000LL + (int64_t)k * 10000, .values = vals };
			struct ins_frame_metrics fm;
			struct ins_step step;

			ins_synth_next(syn, foot, vals, &fr.t_us);
			fr.t_dev = (uint32_t)fr.t_us;
			if (k == 700 && foot == 1) {
				ins_analysis_set_body_weight(ana, 820.0);
				ins_curves_set_body_weight(cv, 820.0);
				ck_assert_int_eq(ins_store_put_control(st, id, INS_STORE_CONTROL_BODY_WEIGHT, 0, 820.0), 0);
			}
			ck_assert_int_eq(ins_analysis_feed(ana, &fr, &fm), 0);
			ins_curves_feed(cv, &fm);
			if (!tared && k > 1200 && foot == 1 && !fm.in_stance) {
				ins_analysis_tare(ana, 1);
				ck_assert_int_eq(ins_store_put_control(st, id, INS_STORE_CONTROL_TARE, 1, 0), 0);
				tared = 1;
			}
			ck_assert_int_eq(ins_store_put_frame(st, id, &fr), 0);
			while (ins_analysis_next_step(ana, &step)) {
				ck_assert_int_eq(ins_store_put_step(st, id, &step), 0);
				ck_assert_int_eq(ins_curves_add_step(cv, &step), 1);
				steps++;
			}
		}
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	direct = ins_curves_json(cv);
	stored = ins_store_session_curves(st, id, &rc, &err);
	ck_assert_msg(stored != NULL, "%s", err.msg);
	ck_assert_uint_ge(steps, 40);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(stored, "left"), "steps")) +
				 json_integer_value(json_object_get(json_object_get(stored, "right"), "steps")),
			 steps);
	assert_same_json(stored, direct, "replayed and directly accumulated curves");
	json_decref(stored);
	json_decref(direct);

	/* Unknown session: not found; a session without frames: empty curves. */
	ck_assert_ptr_null(ins_store_session_curves(st, 9999, &rc, &err));
	ck_assert_int_eq(rc, INS_ENOTFOUND);
	ck_assert_str_eq(err.msg, "session 9999 does not exist");
	m.layout[INS_FOOT_RIGHT] = NULL;
	id = start_session(st, &m);
	ck_assert_int_eq(ins_store_session_stop(st, id, &err), 0);
	stored = ins_store_session_curves(st, id, &rc, &err);
	ck_assert_msg(stored != NULL, "%s", err.msg);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(stored, "left"), "steps")), 0);
	ck_assert(json_is_null(json_object_get(stored, "right")));
	json_decref(stored);
	ins_curves_free(cv);
	ins_analysis_free(ana);
	ins_synth_free(syn);
	ins_layout_free(layout);
	ins_store_close(st);
}
END_TEST

/* Sealing hands the encoder's blob and header over and empties the encoder;
 * an empty encoder seals nothing. */
START_TEST(chunk_seal_moves_the_frames_into_a_pending_chunk)
{
	struct store_chunk_enc enc = { 0 };
	struct store_chunk_dec dec = { 0 };
	struct pend_chunk *arr = NULL;
	size_t n = 0, cap = 0;
	const uint16_t v0[2] = { 5, 7 }, v1[2] = { 6, 9 };
	struct store_chunk_frame f0 = { .seq = 3, .t_dev = 100, .t_us = 1000, .host_us = 5000, .arrival = 11 };
	struct store_chunk_frame f1 = { .seq = 4, .t_dev = 110, .t_us = 2000, .host_us = 6000, .arrival = 12 };
	struct store_chunk_frame f;
	uint16_t out[2];
	struct ins_error err;

	ck_assert_int_eq(store_chunk_enc_reset(&enc, STORE_CHUNK_COUNTS, 2), 0);
	ck_assert_int_eq(store_chunk_enc_seal(&enc, 42, INS_FOOT_RIGHT, &arr, &n, &cap), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(store_chunk_enc_add(&enc, &f0, v0), 0);
	ck_assert_int_eq(store_chunk_enc_add(&enc, &f1, v1), 0);
	ck_assert_int_eq(store_chunk_enc_seal(&enc, 42, INS_FOOT_RIGHT, &arr, &n, &cap), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(enc.n_frames, 0);
	ck_assert_uint_eq(enc.len, 0);
	ck_assert_int_eq(arr[0].session_id, 42);
	ck_assert_uint_eq(arr[0].foot, INS_FOOT_RIGHT);
	ck_assert_uint_eq(arr[0].format, STORE_CHUNK_COUNTS);
	ck_assert_uint_eq(arr[0].n, 2);
	ck_assert_uint_eq(arr[0].n_frames, 2);
	ck_assert_int_eq(arr[0].first.arrival, 11);
	ck_assert_int_eq(arr[0].last.t_us, 2000);
	ck_assert_int_eq(arr[0].last.host_us, 6000);
	ck_assert_int_eq(store_chunk_dec_start(&dec, arr[0].format, arr[0].n, arr[0].n_frames, arr[0].data, arr[0].len,
					     &err), 0);
	ck_assert_int_eq(store_chunk_dec_next(&dec, &f, out, &err), 1);
	ck_assert_int_eq(store_chunk_dec_next(&dec, &f, out, &err), 1);
	ck_assert_uint_eq(f.seq, 4);
	ck_assert_uint_eq(out[0], 6);
	ck_assert_uint_eq(out[1], 9);
	ck_assert_int_eq(store_chunk_dec_next(&dec, &f, out, &err), 0);
	store_chunk_dec_free(&dec);
	store_chunk_enc_free(&enc);
	free(arr[0].data);
	free(arr);
}
END_TEST

/* A session dated when it was imported is told by its notes' notices, not
 * by what the user wrote after them. */
START_TEST(undated_imports_are_told_by_their_notices)
{
#define UNDATED "Imported from a file without a recording date: the session is dated when it was imported"
	ck_assert_int_eq(ins_session_notes_undated(UNDATED), 1);
	ck_assert_int_eq(ins_session_notes_undated("Imported from a damaged file: w.csv:12: a blank line | " LATE_REPAIRS
						   " | " UNDATED " | left knee"), 1);
	ck_assert_int_eq(ins_session_notes_undated(LATE_REPAIRS " | knee"), 0);
	ck_assert_int_eq(ins_session_notes_undated("knee | " UNDATED), 0);
	ck_assert_int_eq(ins_session_notes_undated(UNDATED " before the walk"), 0);
	ck_assert_int_eq(ins_session_notes_undated(""), 0);
	ck_assert_int_eq(ins_session_notes_undated(NULL), 0);
#undef UNDATED
}
END_TEST

Suite *ins_suite_store(void);
Suite *ins_suite_store(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("codec");
	TCase *tf = tcase_create("files");
	TCase *ts = tcase_create("sessions");
	TCase *tw = tcase_create("writer");
	TCase *ta = tcase_create("analysis");
	TCase *real = ins_shared_data_tcase("real_recording");

	tcase_add_test(tc, chunk_roundtrip_is_lossless);
	tcase_add_test(tc, chunk_float_roundtrip_keeps_bits);
	tcase_add_test(tc, chunk_seal_moves_the_frames_into_a_pending_chunk);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tf, setup, teardown);
	tcase_add_test(tf, fresh_database_gets_schema);
	tcase_add_test(tf, second_owner_is_refused_with_the_first_ones_pid);
	tcase_add_test(tf, newer_database_is_refused_untouched);
	tcase_add_test(tf, foreign_sqlite_database_is_refused);
	tcase_add_test(tf, corrupt_file_is_moved_aside);
	tcase_add_test(tf, corrupt_file_refused_when_configured);
	tcase_add_test(tf, failed_migration_leaves_version);
	tcase_add_test(tf, a_version_4_database_migrates_keeping_every_session);
	tcase_add_test(tf, damaged_page_is_found_and_moved_aside);
	tcase_add_test(tf, damaged_chunk_is_reported);
	suite_add_tcase(s, tf);

	tcase_add_checked_fixture(ts, setup, teardown);
	tcase_add_test(ts, session_lifecycle);
	tcase_add_test(ts, close_completes_recording_sessions);
	tcase_add_test(ts, session_ids_are_never_reused);
	tcase_add_test(ts, sessions_keep_and_filter_their_lane);
	tcase_add_test(ts, raw_archive_is_lossless);
	tcase_add_test(ts, text_roundtrip_exact);
	tcase_add_test(ts, subjects_create_list_update);
	tcase_add_test(ts, dead_daemon_session_becomes_interrupted);
	tcase_add_test(ts, a_recording_already_stored_is_refused_naming_its_session);
	tcase_add_test(ts, the_same_recording_imported_twice_at_once_is_stored_once);
	tcase_add_test(ts, an_import_the_reader_repaired_says_so_in_its_notes);
	tcase_add_test(ts, an_import_unlike_the_files_own_values_says_so_in_its_notes);
	tcase_add_test(ts, an_import_whose_events_are_unlike_the_files_says_so_in_its_notes);
	tcase_add_test(ts, an_undated_file_makes_a_session_that_says_so);
	tcase_add_test(ts, a_file_read_with_a_caution_says_it_in_the_notes);
	tcase_add_test(ts, notes_at_their_limit_keep_the_repair_notice);
	tcase_add_test(ts, an_import_read_as_written_keeps_its_notes);
	tcase_add_test(ts, file_texts_longer_than_a_session_keeps_are_cut_and_said_so);
	suite_add_tcase(s, ts);

	tcase_add_checked_fixture(tw, setup, teardown);
	tcase_set_timeout(tw, 60);
	tcase_add_test(tw, locked_database_keeps_queueing_and_resumes);
	tcase_add_test(tw, full_disk_keeps_queueing_and_resumes);
	tcase_add_test(tw, readers_do_not_block_writer);
	suite_add_tcase(s, tw);

	tcase_add_checked_fixture(ta, setup, teardown);
	tcase_set_timeout(ta, 120);
	tcase_add_test(ta, reanalysis_identical_to_live);
	tcase_add_test(ta, undated_imports_are_told_by_their_notices);
	tcase_add_test(ta, step_selection_is_stored_and_survives_reanalysis);
	tcase_add_test(ta, exports_stream_and_import_reads_them_back);
	tcase_add_test(ta, an_export_imported_again_keeps_its_texts_whole);
	tcase_add_test(ta, a_dense_insoles_calibration_survives_its_counts_export);
	tcase_add_test(ta, the_largest_session_survives_its_counts_export);
	tcase_add_test(ta, grid_heatmap_peak_is_exact);
	tcase_add_test(ta, heatmap_mean_of_step_peaks);
	tcase_add_test(ta, playback_frames_of_a_foot);
	tcase_add_test(ta, maps_of_a_raw_recording_say_raw_units);
	tcase_add_test(ta, session_curves_equal_direct_accumulation);
	suite_add_tcase(s, ta);

	tcase_add_checked_fixture(real, setup, teardown);
	tcase_set_timeout(real, 120);
	tcase_add_test(real, import_real_recording_matches_direct_analysis);
	suite_add_tcase(s, real);
	return s;
}
