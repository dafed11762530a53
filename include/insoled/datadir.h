/* Where the data files live: layouts/, sql/ and web/ (architecture.md).
 * One rule for the daemon, `insoled --analyze` and the emulator. */
#ifndef INSOLED_DATADIR_H
#define INSOLED_DATADIR_H

#pragma GCC visibility push(default)

#include <stddef.h>

/* configured when it is given (not NULL, not ""), else the source tree for
 * a program running from its build tree, else the installed $(pkgdatadir).
 * The result is configured itself or a static string. */
const char *ins_data_dir_find(const char *configured);

/* out = "dir/sub".  0, or -1 with err naming the path when it does not fit
 * in size (out then holds the truncated path). */
int ins_data_path(const char *dir, const char *sub, char *out, size_t size, char *err, size_t errlen);

#pragma GCC visibility pop

#endif
