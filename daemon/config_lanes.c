/* [lane NAME] sections: which devices one subject wears.  Each lane is
 * analysed, streamed and recorded on its own (docs/configuration.md); a
 * configuration without lanes is one lane named "default". */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "daemon_config.h"
#include "insoled/acquire.h"
#include "insoled/analysis.h"
#include "insoled/parse.h"

#define DEFAULT_LANE "default"
#define DEVICE_SEPARATORS ", \t"

/* Lane names appear in URLs (/api/lanes/NAME/...): letters, digits, '-' and '_'. */
static int check_lane_name(const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name);

	if (len == 0 || len >= sizeof(((struct daemon_config_lane *)0)->name) ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != len) {
		snprintf(err, errlen, "lane name '%.40s' must be 1 to 63 letters, digits, '-' or '_'", name);
		return -1;
	}
	return 0;
}

static struct daemon_config_lane *lane_named(struct daemon_config *cfg, const char *name, char *err, size_t errlen)
{
	struct daemon_config_lane *lane;

	for (unsigned i = 0; i < cfg->n_lanes; i++)
		if (!strcmp(cfg->lane[i].name, name))
			return &cfg->lane[i];
	if (check_lane_name(name, err, errlen) < 0)
		return NULL;
	if (cfg->n_lanes == INS_CONFIG_MAX_LANES) {
		snprintf(err, errlen, "too many lanes (at most %d)", INS_CONFIG_MAX_LANES);
		return NULL;
	}
	lane = &cfg->lane[cfg->n_lanes++];
	memset(lane, 0, sizeof(*lane));
	snprintf(lane->name, sizeof(lane->name), "%s", name);
	return lane;
}

int daemon_config_set_lane(struct daemon_config *cfg, const char *name, const char *key, const char *value,
			char *err, size_t errlen)
{
	struct daemon_config_lane *lane = lane_named(cfg, name, err, errlen);
	double kg;

	if (!lane)
		return -1;
	cfg->lanes_given = 1;
	if (!strcmp(key, "devices")) {
		if (strlen(value) >= sizeof(lane->devices)) {
			snprintf(err, errlen, "devices: longer than %zu characters", sizeof(lane->devices) - 1);
			return -1;
		}
		snprintf(lane->devices, sizeof(lane->devices), "%s", value);
		lane->devices_line = cfg->line;
		return 0;
	}
	if (!strcmp(key, "layout")) {
		if (strlen(value) >= sizeof(lane->layout)) {
			snprintf(err, errlen, "layout: longer than %zu characters", sizeof(lane->layout) - 1);
			return -1;
		}
		snprintf(lane->layout, sizeof(lane->layout), "%s", value);
		return 0;
	}
	if (!strcmp(key, "body_weight_kg")) {
		if (ins_parse_double_in(key, value, 0, INS_BODY_WEIGHT_MAX_KG, &kg, err, errlen) ||
		    (kg != 0 && ins_body_weight_check_kg(key, kg, err, errlen)))
			return -1;
		lane->body_weight_kg = kg;
		return 0;
	}
	snprintf(err, errlen, "unknown key '%s' in [lane %s] (devices, layout or body_weight_kg)", key, name);
	return -1;
}

/* "FILE:LINE: devices: " or "[lane NAME]: devices: " before a message. */
static int where(const struct daemon_config_lane *lane, const char *file, char *err, size_t errlen)
{
	int n = file && lane->devices_line ? snprintf(err, errlen, "%s:%d: devices: ", file, lane->devices_line)
		: file ? snprintf(err, errlen, "%s: [lane %s]: devices: ", file, lane->name)
		       : snprintf(err, errlen, "[lane %s]: devices: ", lane->name);

	return n < 0 || (size_t)n >= errlen ? (int)errlen - 1 : n;
}

static int device_index(const struct daemon_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->n_devices; i++)
		if (!strcmp(cfg->device[i].name, name))
			return (int)i;
	return -1;
}

/* Each foot read by one device of the lane: a device with foot = auto
 * claims both (as daemon_load_layouts does). */
static int claim_feet(const struct daemon_config *cfg, const struct daemon_config_lane *lane, unsigned dev,
		      const char *file, char *err, size_t errlen)
{
	for (unsigned k = 0; k < lane->n_devices; k++) {
		const struct daemon_config_device *other = &cfg->device[lane->device[k]];
		int a = cfg->device[dev].foot, b = other->foot;

		if (a == INS_DEV_FOOT_AUTO || b == INS_DEV_FOOT_AUTO || a == b) {
			int n = where(lane, file, err, errlen);
			unsigned foot = a != INS_DEV_FOOT_AUTO ? (unsigned)a : b != INS_DEV_FOOT_AUTO ? (unsigned)b : 0;

			snprintf(err + n, errlen - (size_t)n, "'%s' and '%s' both read the %s foot in [lane %s]",
				 other->name, cfg->device[dev].name, ins_foot_name(foot), lane->name);
			return -1;
		}
	}
	return 0;
}

static int add_to_lane(struct daemon_config *cfg, struct daemon_config_lane *lane, const char *name, int owner[],
		       const char *file, char *err, size_t errlen)
{
	int i = device_index(cfg, name), n;

	if (i < 0 || owner[i] >= 0) {
		n = where(lane, file, err, errlen);
		if (i < 0)
			snprintf(err + n, errlen - (size_t)n, "unknown device '%s' (no [device %s] section)", name, name);
		else
			snprintf(err + n, errlen - (size_t)n, "device '%s' is already in [lane %s]", name,
				 cfg->lane[owner[i]].name);
		return -1;
	}
	if (claim_feet(cfg, lane, (unsigned)i, file, err, errlen) < 0)
		return -1;
	owner[i] = (int)(lane - cfg->lane);
	lane->device[lane->n_devices++] = (unsigned)i;
	if (lane->layout[0] && !cfg->device[i].layout_given)
		memcpy(cfg->device[i].layout, lane->layout, sizeof(lane->layout));
	return 0;
}

static int resolve_lane(struct daemon_config *cfg, struct daemon_config_lane *lane, int owner[], const char *file,
			char *err, size_t errlen)
{
	char list[sizeof(lane->devices)], *save = NULL;

	snprintf(list, sizeof(list), "%s", lane->devices);
	lane->n_devices = 0;
	for (char *name = strtok_r(list, DEVICE_SEPARATORS, &save); name; name = strtok_r(NULL, DEVICE_SEPARATORS, &save))
		if (add_to_lane(cfg, lane, name, owner, file, err, errlen) < 0)
			return -1;
	if (lane->n_devices == 0) {
		int n = where(lane, file, err, errlen);

		snprintf(err + n, errlen - (size_t)n, "%s", lane->devices_line ? "names no device"
			 : "missing: a lane names its devices (devices = NAME, NAME)");
		return -1;
	}
	return 0;
}

static void default_lane(struct daemon_config *cfg)
{
	struct daemon_config_lane *lane = &cfg->lane[0];

	memset(lane, 0, sizeof(*lane));
	snprintf(lane->name, sizeof(lane->name), DEFAULT_LANE);
	for (unsigned i = 0; i < cfg->n_devices; i++)
		lane->device[lane->n_devices++] = i;
	cfg->n_lanes = 1;
}

int daemon_config_resolve_lanes(struct daemon_config *cfg, const char *file, char *err, size_t errlen)
{
	int owner[INS_CONFIG_MAX_DEVICES];

	if (!cfg->lanes_given) {
		default_lane(cfg);
		return 0;
	}
	for (unsigned i = 0; i < INS_CONFIG_MAX_DEVICES; i++)
		owner[i] = -1;
	for (unsigned l = 0; l < cfg->n_lanes; l++)
		if (resolve_lane(cfg, &cfg->lane[l], owner, file, err, errlen) < 0)
			return -1;
	for (unsigned i = 0; i < cfg->n_devices; i++) {
		if (owner[i] < 0) {
			snprintf(err, errlen, "%s%s[device %s]: in no lane: name it in one [lane]'s devices", file ? file : "",
				 file ? ": " : "", cfg->device[i].name);
			return -1;
		}
	}
	return 0;
}
