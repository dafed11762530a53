/* SQLite connections and their errors, for every file of the store: the
 * mapping of SQLite's codes to the store's, statements run for their
 * effect, and the read-only connections queries use.  In WAL mode readers
 * see the last commit and never wait for, or hold up, the writer.  A query
 * owns its connection while it runs (thread-safe without SQLite's mutexes)
 * and gives it back to a small pool: opening one and parsing the schema
 * again cost more than the query itself. */
#include <config.h>

#include <stdio.h>

#include "store_priv.h"

int store_rc_from_sqlite(int src)
{
	switch (src & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return INS_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return INS_EBUSY;
	case SQLITE_CONSTRAINT:
		return INS_ECONFLICT;
	default:
		return INS_EIO;
	}
}

int store_exec(sqlite3 *db, const char *sql, struct ins_error *err)
{
	int src = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (src != SQLITE_OK) {
		ins_error_msg(err, "%s: %s", sql, sqlite3_errmsg(db));
		return store_rc_from_sqlite(src);
	}
	return 0;
}

int store_sql_error(int src, sqlite3 *db, const char *what, struct ins_error *err)
{
	ins_error_msg(err, "%s: %s", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
	return store_rc_from_sqlite(src);
}

int store_reader_open(struct ins_store *st, sqlite3 **db, struct ins_error *err)
{
	int src;

	pthread_mutex_lock(&st->readers_lock);
	*db = st->n_readers ? st->readers[--st->n_readers] : NULL;
	pthread_mutex_unlock(&st->readers_lock);
	if (*db)
		return 0;
	src = sqlite3_open_v2(st->db_path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);

	if (src != SQLITE_OK) {
		ins_error_msg(err, "%s: cannot open for reading: %s", st->db_path,
			 *db ? sqlite3_errmsg(*db) : sqlite3_errstr(src));
		sqlite3_close(*db);
		*db = NULL;
		return store_rc_from_sqlite(src);
	}
	sqlite3_busy_timeout(*db, INS_STORE_READER_BUSY_MS);
	/* Best effort: a reader with the default cache still answers. */
	sqlite3_exec(*db, "PRAGMA cache_size = -" STORE_STR(INS_STORE_READER_CACHE_KIB), NULL, NULL, NULL);
	return 0;
}

void store_reader_close(struct ins_store *st, sqlite3 *db)
{
	if (!db)
		return;
	/* a statement left open would keep its snapshot, and a later query
	 * would not see newer commits */
	if (sqlite3_next_stmt(db, NULL) == NULL && sqlite3_get_autocommit(db)) {
		pthread_mutex_lock(&st->readers_lock);
		if (st->n_readers < INS_STORE_READER_POOL) {
			st->readers[st->n_readers++] = db;
			db = NULL;
		}
		pthread_mutex_unlock(&st->readers_lock);
	}
	sqlite3_close(db);
}

void store_readers_free(struct ins_store *st)
{
	while (st->n_readers)
		sqlite3_close(st->readers[--st->n_readers]);
}
