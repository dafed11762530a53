/* SQLite connections and their errors, for every file of the store: the
 * mapping of SQLite's codes to the store's, statements run for their
 * effect, and the read-only connection each query opens.  In WAL mode
 * readers see the last commit and never wait for, or hold up, the writer;
 * a connection per call keeps them thread-safe without a pool (opening
 * costs tens of microseconds next to an HTTP request). */
#include <stdio.h>

#include "store_priv.h"

int store_rc_from_sqlite(int src)
{
	switch (src & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return INS_STORE_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return INS_STORE_EBUSY;
	case SQLITE_CONSTRAINT:
		return INS_STORE_ECONFLICT;
	default:
		return INS_STORE_EIO;
	}
}

int store_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	int src = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (src != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
		return store_rc_from_sqlite(src);
	}
	return 0;
}

int store_sql_error(int src, sqlite3 *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
	return store_rc_from_sqlite(src);
}

int store_reader_open(struct ins_store *st, sqlite3 **db, char *err, size_t errlen)
{
	int src = sqlite3_open_v2(st->db_path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);

	if (src != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open for reading: %s", st->db_path,
			 *db ? sqlite3_errmsg(*db) : sqlite3_errstr(src));
		sqlite3_close(*db);
		*db = NULL;
		return store_rc_from_sqlite(src);
	}
	sqlite3_busy_timeout(*db, INS_STORE_READER_BUSY_MS);
	return 0;
}
