/* The data directory, found the same way by every program (datadir.h). */
#include <config.h>

#include <stdio.h>
#include <sys/stat.h>

#include "insoled/datadir.h"

static int dir_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *ins_data_dir_find(const char *configured)
{
	if (configured && configured[0])
		return configured;
	/* layouts/ and not the bare directory: $(pkgdatadir) of another build
	 * may exist without our files in it. */
	if (dir_exists(INS_PKGDATADIR "/layouts"))
		return INS_PKGDATADIR;
	return INS_SRCDIR;
}

int ins_data_path(const char *dir, const char *sub, char *out, size_t size, char *err, size_t errlen)
{
	if ((size_t)snprintf(out, size, "%s/%s", dir, sub) < size)
		return 0;
	snprintf(err, errlen, "data path %.200s/%.100s is too long (at most %zu bytes)", dir, sub, size - 1);
	return -1;
}
