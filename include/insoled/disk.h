/* Free space on the file system that holds a path: what an import or an
 * upload checks before it writes, so that it cannot take the room a live
 * recording needs. */
#ifndef INSOLED_DISK_H
#define INSOLED_DISK_H

#include <stdint.h>

#include "insoled/result.h"

/* Room kept free on the database's (and the uploads') file system for
 * live recording: 256 MiB holds about fifteen hours of a two-foot 16-sensor
 * insole at 100 Hz and an hour of two 1,260-cell grids (docs/storage.md,
 * "Measured size"): time enough to free space before a recording runs out. */
#define INS_DISK_KEEP_FREE_BYTES (256ull << 20)

/* Bytes an unprivileged writer may still write on the file system of path
 * (a file or a directory); -1 with errno when statvfs cannot tell. */
int ins_disk_available(const char *path, uint64_t *bytes);

/* INS_OK when need bytes fit on path's file system with keep_free bytes
 * left over, or when the free space cannot be told (a check that cannot be
 * made must not refuse the work); else INS_ENOSPACE, the message naming
 * what (a sentence subject: "the upload"), where, what is free and what is
 * needed. */
int ins_disk_check_room(const char *path, const char *what, uint64_t need, uint64_t keep_free,
			struct ins_error *err);

#endif
