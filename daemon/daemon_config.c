#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon_config.h"
#include "insoled/acquire.h"
#include "insoled/log.h"
#include "insoled/analysis.h"
#include "insoled/parse.h"

#define LOG_PREFIX "config"

#define DEFAULT_PORT 8080
#define DEFAULT_DISPLAY_HZ 30.0
/* Two seconds of a 1,260-cell pair at 200 Hz: room for the analysis thread
 * to be descheduled without dropping frames, bounded so memory stays small. */
#define DEFAULT_QUEUE_FRAMES 800

void daemon_config_defaults(struct daemon_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->listen_addr, sizeof(cfg->listen_addr), "127.0.0.1");
	cfg->port = DEFAULT_PORT;
	snprintf(cfg->db_path, sizeof(cfg->db_path), "%s/lib/insoled/insoled.db", INS_LOCALSTATEDIR);
	cfg->log_level = INS_LOG_INFO;
	cfg->display_hz = DEFAULT_DISPLAY_HZ;
	cfg->queue_frames = DEFAULT_QUEUE_FRAMES;
}

static int copy_str(char *dst, size_t size, const char *key, const char *value, char *err, size_t errlen)
{
	if (strlen(value) >= size) {
		snprintf(err, errlen, "%s: value longer than %zu characters", key, size - 1);
		return -1;
	}
	memcpy(dst, value, strlen(value) + 1);
	return 0;
}

/* 0 (the default) leaves the weight unknown. */
static int parse_body_weight(const char *key, const char *value, double *kg, char *err, size_t errlen)
{
	if (ins_parse_double_in(key, value, 0, INS_BODY_WEIGHT_MAX_KG, kg, err, errlen))
		return -1;
	return *kg == 0 ? 0 : ins_body_weight_check_kg(key, *kg, err, errlen);
}

static int parse_bool(const char *key, const char *value, int *out, char *err, size_t errlen)
{
	if (!strcasecmp(value, "yes") || !strcasecmp(value, "true") || !strcmp(value, "1"))
		*out = 1;
	else if (!strcasecmp(value, "no") || !strcasecmp(value, "false") || !strcmp(value, "0"))
		*out = 0;
	else {
		snprintf(err, errlen, "%s: '%s' is not yes or no", key, value);
		return -1;
	}
	return 0;
}

/* A file holding the access token must not be readable by other users:
 * refused when anyone may read or write it, a warning when its group may
 * read it (a group of clinic staff may be intended). */
static int check_secret_mode(int fd, const char *path, const char *what, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, errlen, "%s: %s, but every user may read or change it (mode %04o): chmod 600 %s", path,
			 what, (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	if (st.st_mode & (S_IRGRP | S_IWGRP))
		ins_warn("%s: %s and its group may read it (mode %04o): chmod 600 unless meant", path, what,
			 (unsigned)(st.st_mode & 07777));
	return 0;
}

/* token_file: the token is its first line (trailing spaces and the
 * newline dropped), so it never shows in `ps` or in the configuration. */
static int read_token_file(struct daemon_config *cfg, const char *path, char *err, size_t errlen)
{
	char buf[sizeof(cfg->token) + 2];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	size_t len;

	if (fd < 0) {
		snprintf(err, errlen, "token_file: %s: %s", path, strerror(errno));
		return -1;
	}
	if (check_secret_mode(fd, path, "holds the access token", err, errlen) < 0) {
		close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "token_file: %s: %s", path, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	len = strcspn(buf, "\r\n");
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	buf[len] = '\0';
	if (!len || len >= sizeof(cfg->token)) {
		snprintf(err, errlen, "token_file: %s: %s", path,
			 len ? "token longer than 255 characters" : "the first line holds no token");
		return -1;
	}
	memcpy(cfg->token, buf, len + 1);
	return 0;
}

/* "ADDR:PORT", "ADDR" or ":PORT"; IPv6 as "[::1]:8080". */
static int parse_listen(struct daemon_config *cfg, const char *value, char *err, size_t errlen)
{
	const char *colon = strrchr(value, ':');
	const char *addr = value;
	size_t addr_len;
	unsigned long port = cfg->port;

	if (value[0] == '[') {
		const char *close = strchr(value, ']');
		if (!close) {
			snprintf(err, errlen, "listen: '%s' has '[' without ']'", value);
			return -1;
		}
		addr = value + 1;
		addr_len = (size_t)(close - addr);
		colon = close[1] == ':' ? close + 1 : NULL;
	} else if (colon && strchr(value, ':') != colon) {
		colon = NULL; /* bare IPv6 address without a port */
		addr_len = strlen(value);
	} else {
		addr_len = colon ? (size_t)(colon - value) : strlen(value);
	}
	if (colon && ins_parse_ulong_in("listen port", colon + 1, 0, 65535, &port, err, errlen))
		return -1;
	if (addr_len >= sizeof(cfg->listen_addr)) {
		snprintf(err, errlen, "listen: address too long");
		return -1;
	}
	if (addr_len > 0) {
		memcpy(cfg->listen_addr, addr, addr_len);
		cfg->listen_addr[addr_len] = '\0';
	}
	cfg->port = (uint16_t)port;
	return 0;
}

static int parse_log_level(struct daemon_config *cfg, const char *value, char *err, size_t errlen)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(value, names[i])) {
			cfg->log_level = (enum ins_log_level)i;
			return 0;
		}
	}
	snprintf(err, errlen, "log_level: '%s' is not error, warning, info or debug", value);
	return -1;
}

static int set_daemon_key(struct daemon_config *cfg, const char *key, const char *value, char *err, size_t errlen)
{
	unsigned long u;

	if (!strcmp(key, "listen"))
		return parse_listen(cfg, value, err, errlen);
	if (!strcmp(key, "db")) {
		/* SQLite takes "" for a private temporary database: every
		 * recording would be gone when the daemon stops. */
		if (!*value) {
			snprintf(err, errlen, "db: empty (give the session database's path)");
			return -1;
		}
		return copy_str(cfg->db_path, sizeof(cfg->db_path), key, value, err, errlen);
	}
	if (!strcmp(key, "data_dir"))
		return copy_str(cfg->data_dir, sizeof(cfg->data_dir), key, value, err, errlen);
	if (!strcmp(key, "token"))
		return copy_str(cfg->token, sizeof(cfg->token), key, value, err, errlen);
	if (!strcmp(key, "token_file"))
		return read_token_file(cfg, value, err, errlen);
	if (!strcmp(key, "max_connections")) {
		if (ins_parse_ulong_in(key, value, 16, 1000000, &u, err, errlen))
			return -1;
		cfg->max_connections = (unsigned)u;
		return 0;
	}
	if (!strcmp(key, "tls_cert"))
		return copy_str(cfg->tls_cert, sizeof(cfg->tls_cert), key, value, err, errlen);
	if (!strcmp(key, "tls_key"))
		return copy_str(cfg->tls_key, sizeof(cfg->tls_key), key, value, err, errlen);
	if (!strcmp(key, "log_level"))
		return parse_log_level(cfg, value, err, errlen);
	if (!strcmp(key, "user"))
		return copy_str(cfg->user, sizeof(cfg->user), key, value, err, errlen);
	if (!strcmp(key, "group"))
		return copy_str(cfg->group, sizeof(cfg->group), key, value, err, errlen);
	if (!strcmp(key, "refuse_corrupt_db"))
		return parse_bool(key, value, &cfg->refuse_corrupt_db, err, errlen);
	if (!strcmp(key, "body_weight_kg"))
		return parse_body_weight(key, value, &cfg->body_weight_kg, err, errlen);
	if (!strcmp(key, "display_hz"))
		return ins_parse_double_in(key, value, 1, 120, &cfg->display_hz, err, errlen);
	if (!strcmp(key, "queue_frames")) {
		if (ins_parse_ulong_in(key, value, 16, 1000000, &u, err, errlen))
			return -1;
		cfg->queue_frames = u;
		return 0;
	}
	snprintf(err, errlen, "unknown key '%s' in [daemon]", key);
	return -1;
}

static struct daemon_config_device *device_named(struct daemon_config *cfg, const char *name, char *err, size_t errlen)
{
	struct daemon_config_device *dev;

	for (unsigned i = 0; i < cfg->n_devices; i++)
		if (!strcmp(cfg->device[i].name, name))
			return &cfg->device[i];
	if (cfg->n_devices == INS_CONFIG_MAX_DEVICES) {
		snprintf(err, errlen, "too many devices (at most %d)", INS_CONFIG_MAX_DEVICES);
		return NULL;
	}
	if (strlen(name) >= sizeof(dev->name)) {
		snprintf(err, errlen, "device name '%.20s...' too long", name);
		return NULL;
	}
	dev = &cfg->device[cfg->n_devices++];
	memset(dev, 0, sizeof(*dev));
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->foot = INS_DEV_FOOT_AUTO;
	snprintf(dev->layout, sizeof(dev->layout), "fsr16");
	return dev;
}

static int set_device_key(struct daemon_config_device *dev, const char *key, const char *value, char *err,
			  size_t errlen)
{
	unsigned long u;

	if (!strcmp(key, "port"))
		return copy_str(dev->port, sizeof(dev->port), key, value, err, errlen);
	if (!strcmp(key, "layout")) {
		dev->layout_given = 1;
		return copy_str(dev->layout, sizeof(dev->layout), key, value, err, errlen);
	}
	if (!strcmp(key, "synth"))
		return copy_str(dev->synth, sizeof(dev->synth), key, value, err, errlen);
	if (!strcmp(key, "format")) {
		if (strcmp(value, "binary") && strcmp(value, "ascii")) {
			snprintf(err, errlen, "format: '%s' is not binary or ascii", value);
			return -1;
		}
		return copy_str(dev->format, sizeof(dev->format), key, value, err, errlen);
	}
	if (!strcmp(key, "baud")) {
		if (ins_parse_ulong_in(key, value, 300, 4000000, &u, err, errlen))
			return -1;
		dev->baud = (unsigned)u;
		return 0;
	}
	if (!strcmp(key, "foot")) {
		if (!strcmp(value, "left"))
			dev->foot = INS_FOOT_LEFT;
		else if (!strcmp(value, "right"))
			dev->foot = INS_FOOT_RIGHT;
		else if (!strcmp(value, "auto") || !strcmp(value, "both"))
			dev->foot = INS_DEV_FOOT_AUTO;
		else {
			snprintf(err, errlen, "foot: '%s' is not left, right or auto", value);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "unknown key '%s' in [device %s]", key, dev->name);
	return -1;
}

int daemon_config_set(struct daemon_config *cfg, const char *section, const char *key, const char *value,
		   char *err, size_t errlen)
{
	if (!strcmp(section, "daemon"))
		return set_daemon_key(cfg, key, value, err, errlen);
	if (!strncmp(section, "device", 6) && (section[6] == ' ' || section[6] == '\0')) {
		const char *name = section[6] ? section + 7 : "device";
		struct daemon_config_device *dev = device_named(cfg, name, err, errlen);

		return dev ? set_device_key(dev, key, value, err, errlen) : -1;
	}
	if (!strncmp(section, "lane ", 5))
		return daemon_config_set_lane(cfg, section + 5, key, value, err, errlen);
	snprintf(err, errlen, "unknown section [%s] (expected [daemon], [device NAME] or [lane NAME])", section);
	return -1;
}

struct load_ctx {
	struct daemon_config *cfg;
	FILE *file;
	int line;       /* lines handed to inih so far */
	int error_line; /* line of the first key we rejected */
	int has_token;  /* the file itself holds the access token */
	int nul_line;   /* first line with a NUL byte, which would cut it short */
	char msg[256];
};

/* inih reads through this so we know which line a rejected key is on, and
 * which line holds a NUL byte (inih would read the line as ending there:
 * `db = <NUL>...` as an empty path). */
static char *read_line(char *buf, int size, void *stream)
{
	struct load_ctx *ctx = stream;
	int c = 0, n = 0;

	while (n < size - 1 && c != '\n' && (c = getc(ctx->file)) != EOF) {
		if (c == '\0' && !ctx->nul_line)
			ctx->nul_line = ctx->line + 1;
		buf[n++] = (char)c;
	}
	if (n == 0)
		return NULL;
	buf[n] = '\0';
	ctx->cfg->line = ++ctx->line;
	return buf;
}

static int on_ini_entry(void *user, const char *section, const char *key, const char *value)
{
	struct load_ctx *ctx = user;

	if (ctx->error_line)
		return 0; /* keep the first error */
	ctx->has_token |= !strcmp(section, "daemon") && !strcmp(key, "token");
	if (daemon_config_set(ctx->cfg, section, key, value, ctx->msg, sizeof(ctx->msg)) == 0)
		return 1;
	ctx->error_line = ctx->line;
	return 0;
}

int daemon_config_load(struct daemon_config *cfg, const char *path, char *err, size_t errlen)
{
	struct load_ctx ctx = { .cfg = cfg };
	struct stat st;
	int line;

	ctx.file = fopen(path, "r");
	if (!ctx.file) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	/* A directory opens but reads as nothing: an empty configuration
	 * would start a daemon nobody configured. */
	if (fstat(fileno(ctx.file), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a configuration file", path);
		fclose(ctx.file);
		return -1;
	}
	line = ini_parse_stream(read_line, &ctx, on_ini_entry, &ctx);
	cfg->line = 0;
	if (ctx.nul_line && (line == 0 || ctx.nul_line <= line)) {
		snprintf(err, errlen, "%s:%d: contains a NUL byte (not a text file?)", path, ctx.nul_line);
		fclose(ctx.file);
		return -1;
	}
	if (line == 0 && ctx.has_token &&
	    check_secret_mode(fileno(ctx.file), path, "holds the access token (token =)", err, errlen) < 0) {
		fclose(ctx.file);
		return -1;
	}
	fclose(ctx.file);
	if (line == 0)
		return daemon_config_resolve_lanes(cfg, path, err, errlen);
	if (line == ctx.error_line)
		snprintf(err, errlen, "%s:%d: %s", path, line, ctx.msg);
	else
		snprintf(err, errlen, "%s:%d: syntax error", path, line);
	return -1;
}

int daemon_config_finish(struct daemon_config *cfg, char *err, size_t errlen)
{
	/* Demo mode simulates whatever device was described without a port
	 * (`--demo --layout grid60x21`), or a pair of fsr16 insoles. */
	if (cfg->demo && cfg->n_devices == 0 && !device_named(cfg, "demo", err, errlen))
		return -1;
	for (unsigned i = 0; cfg->demo && i < cfg->n_devices; i++)
		if (!cfg->device[i].port[0])
			snprintf(cfg->device[i].port, sizeof(cfg->device[i].port), "synthetic");
	if (cfg->n_devices == 0) {
		snprintf(err, errlen, "no device configured: give --device PORT, a [device NAME] section, or --demo");
		return -1;
	}
	for (unsigned i = 0; i < cfg->n_devices; i++) {
		if (!cfg->device[i].port[0]) {
			snprintf(err, errlen, "[device %s]: port is missing", cfg->device[i].name);
			return -1;
		}
	}
	return daemon_config_resolve_lanes(cfg, cfg->config_file[0] ? cfg->config_file : NULL, err, errlen);
}
