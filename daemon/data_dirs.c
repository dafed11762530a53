/* Where the daemon's data directories are: layouts/, sql/, web/ and the
 * browser's third-party code. */
#include <config.h>

#include <stdio.h>
#include <sys/stat.h>

#include "daemon_priv.h"
#include "pipeline.h"
#include "insoled/datadir.h"
#include "insoled/log.h"

#define LOG_PREFIX "daemon"

static int dir_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *daemon_data_dir(const struct daemon_config *cfg)
{
	return ins_data_dir_find(cfg->data_dir);
}

void daemon_data_path(const struct daemon_config *cfg, const char *sub, char *out, size_t size)
{
	char err[512];

	if (ins_data_path(daemon_data_dir(cfg), sub, out, size, err, sizeof(err)) < 0)
		ins_warn("%s", err);
}

/* Third-party browser code (uPlot) keeps its npm layout: web/node_modules in
 * a source tree after `npm ci`, web/vendor once `make install` copied it.
 * Without either the dashboard still shows maps and numbers, so a missing
 * chart library is a warning, not a reason to refuse to start. */
const char *daemon_vendor_dir(const struct daemon_config *cfg, char *out, size_t size)
{
	daemon_data_path(cfg, "web/vendor", out, size);
	if (dir_exists(out))
		return out;
	daemon_data_path(cfg, "web/node_modules", out, size);
	if (dir_exists(out))
		return out;
	ins_warn("no chart library in %s/web (run 'npm ci' in web/ or 'make install'): "
		 "the dashboard will show no charts", daemon_data_dir(cfg));
	return NULL;
}
