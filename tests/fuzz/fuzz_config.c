/* libFuzzer target for the daemon's configuration file (users edit it by
 * hand, and SIGHUP re-reads it while the daemon runs).  Any bytes must
 * either load or fail with a message naming the file, and a file that
 * loads must either pass the consistency checks or fail them with a
 * message:
 *  - daemon_config_load returns 0, or -1 with "FILE:LINE: ..." or "FILE: ...";
 *  - daemon_config_finish returns 0 with at least one device or demo mode and
 *    a port and database path set, or -1 with a non-empty message.
 * Build: ./configure CC=clang --enable-fuzzing && make fuzz.  Seeds:
 * tests/fuzz/corpus/config. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../daemon/daemon_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static char scratch[64];

static void remove_scratch(void)
{
	unlink(scratch);
}

/* The loader reads a file; one scratch file per fuzzing process, removed
 * at exit. */
static const char *scratch_path(void)
{
	if (!scratch[0]) {
		snprintf(scratch, sizeof(scratch), "/tmp/fuzz_config.%d.conf", (int)getpid());
		atexit(remove_scratch);
	}
	return scratch;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = scratch_path();
	struct daemon_config *cfg = malloc(sizeof(*cfg));
	char err[512];
	FILE *f = fopen(path, "w");

	check(cfg != NULL && f != NULL);
	check(fwrite(data, 1, size, f) == size);
	fclose(f);
	daemon_config_defaults(cfg);
	err[0] = '\0';
	if (daemon_config_load(cfg, path, err, sizeof(err)) != 0) {
		check(strncmp(err, path, strlen(path)) == 0);
	} else {
		err[0] = '\0';
		if (daemon_config_finish(cfg, err, sizeof(err)) != 0)
			check(err[0] != '\0');
		else
			check((cfg->n_devices >= 1 || cfg->demo) && cfg->n_devices <= INS_CONFIG_MAX_DEVICES &&
			      cfg->db_path[0] != '\0');
	}
	free(cfg);
	return 0;
}
