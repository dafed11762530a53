/* A daemon started as root outside systemd (an init script, a clinic's
 * own supervisor) opens what needs root, then runs as the configured user:
 * whatever the HTTP server or a device parser gets wrong, it then happens
 * without root.  Under systemd the unit's User= does this before exec and
 * this code finds nothing to do. */
#include <config.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon_priv.h"

#define LOG_PREFIX "daemon"

#define DEFAULT_DB_DIR INS_LOCALSTATEDIR "/lib/insoled"
/* The device threads open their ports as soon as they start; root waits
 * this long for every first attempt, so devices only root may open are
 * open before it gives way (a reopen after an unplug then needs the user's
 * groups, dialout). */
#define FIRST_OPEN_WAIT_MS 2000
#define FIRST_OPEN_POLL_MS 20

/* The database, its WAL files and its lock were made by root; the user
 * keeps writing them.  Their directory too when it is the default one (a
 * directory the administrator chose, /srv or /tmp, is left as it is). */
static int give_database(const char *db_path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	static const char *const suffix[] = { "", "-wal", "-shm", ".lock" };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", db_path, suffix[i]);
		if (chown(path, uid, gid) < 0 && errno != ENOENT) {
			snprintf(err, errlen, "cannot give %s to the daemon's user: %s", path, strerror(errno));
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s", db_path);
	if (strrchr(path, '/'))
		*strrchr(path, '/') = '\0';
	if (strcmp(path, DEFAULT_DB_DIR) == 0 && chown(path, uid, gid) < 0) {
		snprintf(err, errlen, "cannot give %s to the daemon's user: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int lookup_group(const char *name, gid_t *gid, char *err, size_t errlen)
{
	struct group *gr = getgrnam(name);

	if (!gr) {
		snprintf(err, errlen, "group '%s' (group = in [daemon]) does not exist", name);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

/* Every lane's devices, within one FIRST_OPEN_WAIT_MS for them all. */
static void wait_for_first_opens(const struct daemon *d)
{
	const struct timespec poll = { 0, FIRST_OPEN_POLL_MS * 1000000L };
	int waited = 0;

	for (unsigned i = 0; i < d->n_lanes; i++)
		for (; ins_acq_tried(d->lane[i].acq) < lane_config(&d->lane[i])->n_devices && waited < FIRST_OPEN_WAIT_MS;
		     waited += FIRST_OPEN_POLL_MS)
			nanosleep(&poll, NULL);
}

int daemon_drop_privileges(struct daemon *d, char *err, size_t errlen)
{
	const struct daemon_config *cfg = d->cfg;
	const char *user = cfg->user[0] ? cfg->user : INS_DEFAULT_USER;
	struct passwd *pw;
	gid_t gid;

	if (geteuid() != 0 || (cfg->demo && !cfg->user[0]))
		return 0; /* a demo run as root stays a quick look, not a service */
	pw = getpwnam(user);
	if (!pw && !cfg->user[0]) {
		ins_warn("started as root and there is no user '%s' to run as: staying root (create it with "
			 "systemd-sysusers or adduser --system %s, or set user = in [daemon])", user, user);
		return 0;
	}
	if (!pw) {
		snprintf(err, errlen, "user = %s: no such user to run as", user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		ins_warn("user = %s: running as root, as configured", user);
		return 0;
	}
	gid = pw->pw_gid;
	if (cfg->group[0] && lookup_group(cfg->group, &gid, err, errlen) < 0)
		return -1;
	wait_for_first_opens(d);
	if (give_database(cfg->db_path, pw->pw_uid, gid, err, errlen) < 0)
		return -1;
	/* Supplementary groups first (dialout, for serial ports that come
	 * back after an unplug), then the group, then the user: once the user
	 * is set nothing else may be changed.  glibc applies each call to
	 * every thread. */
	if (initgroups(user, gid) < 0 || setgid(gid) < 0 || setuid(pw->pw_uid) < 0) {
		snprintf(err, errlen, "cannot switch to user '%s': %s", user, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		snprintf(err, errlen, "switched to user '%s' but could become root again", user);
		return -1;
	}
	ins_info("running as user %s (uid %u, gid %u)", user, (unsigned)pw->pw_uid, (unsigned)gid);
	return 0;
}
