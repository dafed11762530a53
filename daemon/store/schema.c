/* Database file checks and schema migrations.
 *
 * Before the write connection touches anything, the file is probed through
 * a read-only connection: a database written by a newer insoled is refused
 * untouched, a file that is not SQLite (or whose header is damaged) is moved
 * aside with a timestamped name and a fresh database starts.  Then the
 * numbered scripts in sql/ that the database has not seen run in ONE
 * transaction together with PRAGMA user_version, so a failed upgrade leaves
 * the old version intact. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "insoled/clock.h"
#include "store_priv.h"

#define LOG_PREFIX "store"

/* Migration scripts are NNN_name.sql; more than this is a packaging mistake. */
#define MIGRATIONS_MAX 999
/* Databases up to this size get a full PRAGMA quick_check at start-up (a
 * few seconds at most); larger ones only have their header and schema read,
 * so a clinic's years of recordings do not delay every start by minutes.
 * Damage found later is reported by the query that meets it. */
#define QUICK_CHECK_MAX_BYTES (256 * 1024 * 1024)
/* A migration script larger than this is not one of ours. */
#define MIGRATION_MAX_BYTES (1u << 20)

static int migration_version(const char *name)
{
	size_t len = strlen(name);

	if (len < 9 || name[3] != '_' || strcmp(name + len - 4, ".sql") != 0)
		return 0;
	for (int i = 0; i < 3; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	return (name[0] - '0') * 100 + (name[1] - '0') * 10 + (name[2] - '0');
}

static char *read_text_file(const char *path, struct ins_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (!f) {
		ins_error_msg(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		ins_error_msg(err, "%s: cannot determine size: %s", path, strerror(errno));
		goto out;
	}
	if ((unsigned long)size > MIGRATION_MAX_BYTES) {
		ins_error_msg(err, "%s: %ld bytes, larger than any migration (%u)", path, size,
			 MIGRATION_MAX_BYTES);
		goto out;
	}
	buf = malloc((size_t)size + 1);
	if (!buf) {
		ins_error_msg(err, "%s: out of memory", path);
		goto out;
	}
	if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
		ins_error_msg(err, "%s: read error", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[size] = '\0';
out:
	fclose(f);
	return buf;
}

/* The highest migration version in dir; every version 1..max must exist
 * exactly once.  *paths (optional) gets max+1 entries, paths[v] = file. */
static int scan_migrations(const char *dir, char ***paths_out, struct ins_error *err)
{
	char **paths = calloc(MIGRATIONS_MAX + 1, sizeof(*paths));
	DIR *d = opendir(dir);
	struct dirent *de;
	int max = 0, rc = -1;

	if (!paths) {
		ins_error_msg(err, "out of memory");
		goto out;
	}
	if (!d) {
		ins_error_msg(err, "%s: cannot read the schema directory: %s", dir, strerror(errno));
		goto out;
	}
	while ((de = readdir(d))) {
		int v = migration_version(de->d_name);
		size_t plen = strlen(dir) + strlen(de->d_name) + 2;
		if (!v)
			continue;
		if (paths[v]) {
			ins_error_msg(err, "%s: two migrations numbered %03d (%s)", dir, v, de->d_name);
			goto out;
		}
		paths[v] = malloc(plen);
		if (!paths[v]) {
			ins_error_msg(err, "out of memory");
			goto out;
		}
		snprintf(paths[v], plen, "%s/%s", dir, de->d_name);
		if (v > max)
			max = v;
	}
	if (max == 0) {
		ins_error_msg(err, "%s: no schema files (NNN_name.sql) found", dir);
		goto out;
	}
	for (int v = 1; v <= max; v++) {
		if (!paths[v]) {
			ins_error_msg(err, "%s: migration %03d is missing (have up to %03d)", dir, v, max);
			goto out;
		}
	}
	rc = max;
out:
	if (d)
		closedir(d);
	if (rc < 0 || !paths_out) {
		for (int v = 0; paths && v <= MIGRATIONS_MAX; v++)
			free(paths[v]);
		free(paths);
	} else {
		*paths_out = paths;
	}
	return rc;
}

static void free_paths(char **paths)
{
	for (int v = 0; paths && v <= MIGRATIONS_MAX; v++)
		free(paths[v]);
	free(paths);
}

/* Move path (and its -wal/-shm/-journal companions) to path.corrupt-STAMP. */
static int move_aside(const char *path, char *moved_to, size_t movedlen, struct ins_error *err)
{
	static const char *const companions[] = { "", "-wal", "-shm", "-journal" };
	char stamp[32], base[4096];
	time_t now = time(NULL);
	struct tm tm;
	struct stat sb;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(base, sizeof(base), "%s.corrupt-%s", path, stamp);
	for (int i = 1; stat(base, &sb) == 0; i++)
		snprintf(base, sizeof(base), "%s.corrupt-%s-%d", path, stamp, i);
	for (size_t i = 0; i < sizeof(companions) / sizeof(companions[0]); i++) {
		char from[4200], to[4200];
		snprintf(from, sizeof(from), "%s%s", path, companions[i]);
		snprintf(to, sizeof(to), "%s%s", base, companions[i]);
		if (stat(from, &sb) != 0)
			continue;
		if (rename(from, to) != 0) {
			ins_error_msg(err, "%s: cannot move the damaged file aside to %s: %s", from, to,
				 strerror(errno));
			return -1;
		}
	}
	snprintf(moved_to, movedlen, "%s", base);
	return 0;
}

/* What a read-only look at the existing file says. */
enum probe_result { PROBE_OK, PROBE_DAMAGED, PROBE_FAILED };

/* quick_check's verdict: "ok", or the first problem it found. */
static int quick_check(sqlite3 *db, char *problem, size_t len)
{
	sqlite3_stmt *q = NULL;
	int src = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &q, NULL);

	if (src == SQLITE_OK && (src = sqlite3_step(q)) == SQLITE_ROW) {
		snprintf(problem, len, "%s", (const char *)sqlite3_column_text(q, 0));
		src = strcmp(problem, "ok") == 0 ? SQLITE_OK : SQLITE_CORRUPT;
	}
	sqlite3_finalize(q);
	return src;
}

static enum probe_result probe(const char *path, off_t size, int *version, int *n_objects, struct ins_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	enum probe_result res = PROBE_FAILED;
	char problem[200] = "";
	int src;

	src = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (src == SQLITE_OK)
		sqlite3_busy_timeout(db, INS_STORE_READER_BUSY_MS);
	if (src == SQLITE_OK)
		src = sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM sqlite_master), "
					 "(SELECT user_version FROM pragma_user_version)", -1, &q, NULL);
	if (src == SQLITE_OK) {
		src = sqlite3_step(q);
		if (src == SQLITE_ROW) {
			*n_objects = sqlite3_column_int(q, 0);
			*version = sqlite3_column_int(q, 1);
			src = SQLITE_OK;
		}
	}
	sqlite3_finalize(q);
	if (src == SQLITE_OK && size <= QUICK_CHECK_MAX_BYTES)
		src = quick_check(db, problem, sizeof(problem));
	if (src == SQLITE_OK)
		res = PROBE_OK;
	else if ((src & 0xff) == SQLITE_NOTADB || (src & 0xff) == SQLITE_CORRUPT)
		res = PROBE_DAMAGED;
	if (res != PROBE_OK)
		ins_error_msg(err, "%s: %s (%s)", path, problem[0] ? problem : db ? sqlite3_errmsg(db) : "cannot open",
			 sqlite3_errstr(src));
	sqlite3_close(db);
	return res;
}

int store_prepare_file(const struct ins_store_config *cfg, int max_version, struct ins_error *err)
{
	struct stat sb;
	int version = -1, n_objects = 0;
	char moved[4200];

	if (stat(cfg->db_path, &sb) != 0) {
		if (errno == ENOENT)
			return 0; /* a new database */
		ins_error_msg(err, "%s: %s", cfg->db_path, strerror(errno));
		return INS_EIO;
	}
	if (!S_ISREG(sb.st_mode)) {
		ins_error_msg(err, "%s: not a regular file", cfg->db_path);
		return INS_EINVAL;
	}
	switch (probe(cfg->db_path, sb.st_size, &version, &n_objects, err)) {
	case PROBE_OK:
		break;
	case PROBE_FAILED:
		return INS_EIO;
	case PROBE_DAMAGED:
		if (version > max_version)
			break; /* a newer insoled's file: refused below, never moved */
		if (cfg->refuse_corrupt) {
			size_t l = strlen(err->msg);
			snprintf(err->msg + l, sizeof(err->msg) - l, "; not a usable database, refusing to start "
				 "(the file was left as it is)");
			return INS_EIO;
		}
		ins_err("%s", err->msg);
		if (move_aside(cfg->db_path, moved, sizeof(moved), err) < 0)
			return INS_EIO;
		ins_err("DATABASE DAMAGED: %s is not a usable SQLite database; it was moved "
			"aside, unchanged, to %s and a new empty database is started", cfg->db_path, moved);
		return 0;
	}
	if (version > max_version) {
		ins_error_msg(err, "%s: database schema version %d is newer than this insoled %s "
			 "understands (up to %d); refusing to open it, the file was not modified",
			 cfg->db_path, version, PACKAGE_VERSION, max_version);
		return INS_EINVAL;
	}
	if (version == 0 && n_objects > 0) {
		ins_error_msg(err, "%s: an SQLite database that insoled did not create (user_version 0 "
			 "with %d schema objects); refusing to change it", cfg->db_path, n_objects);
		return INS_EINVAL;
	}
	return 0;
}

int store_schema_max_version(const char *sql_dir, struct ins_error *err)
{
	return scan_migrations(sql_dir, NULL, err);
}

static int current_version(sqlite3 *db, int *version)
{
	sqlite3_stmt *q = NULL;
	int src = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL);

	if (src == SQLITE_OK && (src = sqlite3_step(q)) == SQLITE_ROW) {
		*version = sqlite3_column_int(q, 0);
		src = SQLITE_OK;
	}
	sqlite3_finalize(q);
	return src;
}

int store_migrate(struct ins_store *st, struct ins_error *err)
{
	char **paths = NULL;
	int max, version = 0, src, rc = INS_EIO;
	char pragma[64];

	max = scan_migrations(st->sql_dir, &paths, err);
	if (max < 0)
		return INS_EIO;
	sqlite3_busy_timeout(st->wdb, INS_STORE_CMD_BUSY_MS);
	src = sqlite3_exec(st->wdb, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (src != SQLITE_OK) {
		ins_error_msg(err, "%s: cannot start the schema transaction: %s", st->db_path,
			 sqlite3_errmsg(st->wdb));
		rc = store_rc_from_sqlite(src);
		goto out;
	}
	/* Read again under the write lock: another process may have upgraded it. */
	src = current_version(st->wdb, &version);
	if (src != SQLITE_OK) {
		ins_error_msg(err, "%s: %s", st->db_path, sqlite3_errmsg(st->wdb));
		goto rollback;
	}
	if (version > max) {
		ins_error_msg(err, "%s: database schema version %d is newer than this insoled %s "
			 "understands (up to %d); refusing to open it", st->db_path, version, PACKAGE_VERSION, max);
		rc = INS_EINVAL;
		goto rollback;
	}
	for (int v = version + 1; v <= max; v++) {
		char *sql = read_text_file(paths[v], err);
		if (!sql)
			goto rollback;
		src = sqlite3_exec(st->wdb, sql, NULL, NULL, NULL);
		free(sql);
		if (src != SQLITE_OK) {
			ins_error_msg(err, "%s: %s", paths[v], sqlite3_errmsg(st->wdb));
			goto rollback;
		}
		ins_info("%s: applied schema migration %s", st->db_path, paths[v]);
	}
	/* PRAGMA takes no bound parameters; max is our own integer. */
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", max);
	if (sqlite3_exec(st->wdb, pragma, NULL, NULL, NULL) != SQLITE_OK ||
	    (src = sqlite3_exec(st->wdb, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
		ins_error_msg(err, "%s: cannot commit the schema: %s", st->db_path, sqlite3_errmsg(st->wdb));
		rc = store_rc_from_sqlite(src);
		goto rollback;
	}
	st->schema_version = max;
	rc = 0;
	goto out;
rollback:
	if (!sqlite3_get_autocommit(st->wdb))
		sqlite3_exec(st->wdb, "ROLLBACK", NULL, NULL, NULL);
out:
	free_paths(paths);
	return rc;
}
