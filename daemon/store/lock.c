/* One owner per database: DB.lock beside it, held with flock() for as long
 * as the store is open and holding the owner's pid.  A second daemon on
 * the same database would otherwise mark the first one's live session
 * interrupted while the first kept writing into it.  The kernel drops the
 * lock when its owner dies, however it dies, so a crash never leaves a
 * stale lock; the file itself stays (removing it would race with a
 * starting daemon that has it open). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_priv.h"

#define LOG_PREFIX "store"

/* The database's directory is made when missing (one level, 0750): the
 * default /var/lib/insoled may not exist on a machine never installed to. */
static int make_parent_dir(const char *db_path, struct ins_error *err)
{
	char dir[PATH_MAX];
	char *slash;

	if ((size_t)snprintf(dir, sizeof(dir), "%s", db_path) >= sizeof(dir)) {
		ins_error_msg(err, "store: %s: path too long", db_path);
		return -1;
	}
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0750) == 0)
		ins_info("%s: created the database directory", dir);
	else if (errno != EEXIST) {
		ins_error_msg(err, "store: cannot create the database directory %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* "pid N" of the owner, from the lock file, or "another process". */
static void describe_owner(int fd, char *out, size_t size)
{
	char buf[32] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid = n > 0 ? strtol(buf, NULL, 10) : 0;

	if (pid > 0)
		snprintf(out, size, "insoled pid %ld", pid);
	else
		snprintf(out, size, "another process");
}

int store_lock(const char *db_path, struct ins_error *err)
{
	char path[PATH_MAX], owner[64], pid[32];
	int fd, len;

	if (make_parent_dir(db_path, err) < 0)
		return -1;
	if ((size_t)snprintf(path, sizeof(path), "%s.lock", db_path) >= sizeof(path)) {
		ins_error_msg(err, "store: %s: path too long", db_path);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		ins_error_msg(err, "store: cannot open the lock file %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		describe_owner(fd, owner, sizeof(owner));
		if (e == EWOULDBLOCK)
			ins_error_msg(err, "store: %s is in use by %s (lock %s): one daemon per database",
				 db_path, owner, path);
		else
			ins_error_msg(err, "store: cannot lock %s: %s", path, strerror(e));
		close(fd);
		return -1;
	}
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)len, 0) != len)
		ins_warn("%s: cannot write the pid: %s", path, strerror(errno));
	return fd;
}

void store_unlock(int fd)
{
	if (fd < 0)
		return;
	/* Emptied first: a pid left in the file would name a process that no
	 * longer owns the database. */
	if (ftruncate(fd, 0) < 0)
		ins_dbg("lock file: truncate: %s", strerror(errno));
	close(fd);
}
