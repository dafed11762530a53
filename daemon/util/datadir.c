/* The data directory, found the same way by every program (datadir.h). */
#include <config.h>

#include <limits.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include "insoled/datadir.h"

/* True when the running program is the one in this build tree (or a test
 * program under it): it then reads the source tree it was built from, never
 * an installed copy that may be older, newer or a leftover of `make
 * uninstall` (which leaves empty directories behind). */
static int running_from_build_tree(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t len = strlen(INS_BUILDDIR);

	if (n <= 0)
		return 0;
	exe[n] = '\0';
	return strncmp(exe, INS_BUILDDIR, len) == 0 && exe[len] == '/';
}

const char *ins_data_dir_find(const char *configured)
{
	if (configured && configured[0])
		return configured;
	return running_from_build_tree() ? INS_SRCDIR : INS_PKGDATADIR;
}

int ins_data_path(const char *dir, const char *sub, char *out, size_t size, char *err, size_t errlen)
{
	if ((size_t)snprintf(out, size, "%s/%s", dir, sub) < size)
		return 0;
	snprintf(err, errlen, "data path %.200s/%.100s is too long (at most %zu bytes)", dir, sub, size - 1);
	return -1;
}
