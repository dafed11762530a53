/* Free space checks before large writes (imports, uploads). */
#include <config.h>

#include <sys/statvfs.h>

#include "insoled/disk.h"

int ins_disk_available(const char *path, uint64_t *bytes)
{
	struct statvfs fs;

	if (statvfs(path, &fs) < 0)
		return -1;
	*bytes = (uint64_t)fs.f_bavail * fs.f_frsize;
	return 0;
}

static double mib(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

int ins_disk_check_room(const char *path, const char *what, uint64_t need, uint64_t keep_free,
			struct ins_error *err)
{
	uint64_t avail;

	if (ins_disk_available(path, &avail) < 0 || (avail >= keep_free && avail - keep_free >= need))
		return INS_OK;
	ins_error_msg(err, "not enough free disk space for %s in %s: %.1f MiB free, %s needs %.1f MiB and %.0f MiB "
		      "stay free for live recording; free some space and try again", what, path, mib(avail), what,
		      mib(need), mib(keep_free));
	return INS_ENOSPACE;
}
