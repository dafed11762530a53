/* `insoled --udev-rules`: udev rules naming each configured insole.  A
 * [device NAME] whose port is usb:VID:PID[:SERIAL] gets /dev/insoled/NAME,
 * whichever ttyUSBn or ttyACMn the adapter lands on, so the configuration
 * and the clinic's notes can say "left" and mean the same insole after
 * every replug and reboot. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "insoled/acquire.h"
#include "daemon_config.h"
#include "pipeline.h"

/* udev matches with shell globs and quotes with ": a serial number or a
 * name that would need escaping is refused rather than half matched. */
static int plain(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr(extra, *s)))
			return 0;
	return 1;
}

static int print_rule(FILE *out, const struct daemon_config_device *dev, char *err, size_t errlen)
{
	char serial[128];
	int vid, pid, rc = ins_dev_parse_usb_spec(dev->port, &vid, &pid, serial, sizeof(serial), err, errlen);

	if (rc <= 0) {
		if (rc == 0)
			fprintf(out, "# [device %s]: port %s is not usb:VID:PID[:SERIAL]: no rule\n", dev->name,
				dev->port);
		return rc;
	}
	if (!plain(dev->name, "._-")) {
		snprintf(err, errlen, "[device %s]: a /dev/insoled/ name needs letters, digits, '.', '_' or '-'",
			 dev->name);
		return -1;
	}
	if (!plain(serial, "._-:/+")) {
		snprintf(err, errlen, "[device %s]: serial '%s' has characters udev would read as a pattern",
			 dev->name, serial);
		return -1;
	}
	if (!serial[0])
		fprintf(out, "# [device %s] has no serial: any %04x:%04x adapter gets this name\n", dev->name,
			vid, pid);
	fprintf(out, "SUBSYSTEM==\"tty\", ATTRS{idVendor}==\"%04x\", ATTRS{idProduct}==\"%04x\", ", vid, pid);
	if (serial[0])
		fprintf(out, "ATTRS{serial}==\"%s\", ", serial);
	fprintf(out, "GROUP=\"dialout\", MODE=\"0660\", SYMLINK+=\"insoled/%s\"\n", dev->name);
	return 1;
}

int daemon_print_udev_rules(const struct daemon_config *cfg, FILE *out)
{
	char err[512];
	int rules = 0;

	fprintf(out, "# Stable names for the insoles configured%s%s (insoled --udev-rules).\n"
		"# Install as /etc/udev/rules.d/71-insoled-local.rules, then\n"
		"#   udevadm control --reload && udevadm trigger --subsystem-match=tty\n",
		cfg->config_file[0] ? " in " : "", cfg->config_file);
	for (unsigned i = 0; i < cfg->n_devices; i++) {
		int rc = print_rule(out, &cfg->device[i], err, sizeof(err));

		if (rc < 0) {
			fprintf(stderr, "insoled --udev-rules: %s\n", err);
			return 1;
		}
		rules += rc;
	}
	if (rules == 0) {
		fprintf(stderr, "insoled --udev-rules: no [device] has a port usb:VID:PID[:SERIAL] to name\n");
		return 1;
	}
	return 0;
}
