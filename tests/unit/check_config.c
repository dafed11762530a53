#include <config.h> /* _GNU_SOURCE: mkstemp */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../daemon/daemon_config.h"
#include "insoled/acquire.h"

static char err[512];

static const char *write_temp(const char *text)
{
	static char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/insoled-config-XXXXXX");
	close(mkstemp(path));
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

START_TEST(file_with_daemon_and_devices)
{
	struct daemon_config cfg;
	const char *path = write_temp("[daemon]\nlisten = 0.0.0.0:9090\ndb = /tmp/x.db\ntoken = s3cret\n"
				      "body_weight_kg = 72.5\n\n[device left]\nport = /dev/ttyUSB0\n"
				      "layout = grid60x21\nfoot = left\nbaud = 230400\n"
				      "[device right]\nport = usb:1a86:7523\nfoot = right\n");

	daemon_config_defaults(&cfg);
	ck_assert_int_eq(daemon_config_load(&cfg, path, err, sizeof(err)), 0);
	ck_assert_int_eq(daemon_config_finish(&cfg, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.listen_addr, "0.0.0.0");
	ck_assert_uint_eq(cfg.port, 9090);
	ck_assert_str_eq(cfg.db_path, "/tmp/x.db");
	ck_assert_str_eq(cfg.token, "s3cret");
	ck_assert_double_eq(cfg.body_weight_kg, 72.5);
	ck_assert_uint_eq(cfg.n_devices, 2);
	ck_assert_str_eq(cfg.device[0].name, "left");
	ck_assert_str_eq(cfg.device[0].layout, "grid60x21");
	ck_assert_int_eq(cfg.device[0].foot, INS_FOOT_LEFT);
	ck_assert_uint_eq(cfg.device[0].baud, 230400);
	ck_assert_str_eq(cfg.device[1].port, "usb:1a86:7523");
	ck_assert_str_eq(cfg.device[1].layout, "fsr16");
	ck_assert_int_eq(cfg.device[1].foot, INS_FOOT_RIGHT);
	unlink(path);
}
END_TEST

struct bad_case {
	const char *text;
	const char *expect; /* substring of the error */
};

static const struct bad_case bad_cases[] = {
	{ "[daemon]\nlisten = 127.0.0.1:99999\n", ":2: listen port: '99999' is not a whole number between 0 and 65535" },
	{ "[daemon]\nbody_weight_kg = heavy\n", ":2: body_weight_kg: 'heavy' is not a number" },
	{ "[daemon]\ncolour = blue\n", ":2: unknown key 'colour' in [daemon]" },
	{ "[printer]\nport = x\n", ":2: unknown section [printer]" },
	{ "[device a]\nfoot = middle\n", ":2: foot: 'middle' is not left, right or auto" },
	{ "[device a]\nport = /dev/ttyS0\nbaud = -5\n", ":3: baud: '-5' is not a whole number" },
	{ "[daemon]\nlog_level = loud\n", ":2: log_level: 'loud' is not error, warning, info or debug" },
	{ "[daemon\nlisten = x\n", ":1: syntax error" },
	{ "[daemon]\ndb =\n", ":2: db: empty (give the session database's path)" },
};

START_TEST(bad_file_names_line_and_key)
{
	struct daemon_config cfg;
	const char *path = write_temp(bad_cases[_i].text);

	daemon_config_defaults(&cfg);
	ck_assert_int_eq(daemon_config_load(&cfg, path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, path) == err, "error should start with the file name: %s", err);
	ck_assert_msg(strstr(err, bad_cases[_i].expect) != NULL, "got '%s', expected '%s'", err, bad_cases[_i].expect);
	unlink(path);
}
END_TEST

/* A NUL byte would end its line early for the INI parser: `db = <NUL>x`
 * read as an empty path, a temporary database (found by fuzz_config). */
START_TEST(nul_byte_is_refused_with_its_line)
{
	static const char text[] = "[daemon]\nlog_level = info\ndb = \0\0/var/lib/insoled/insoled.db\n";
	struct daemon_config cfg;
	char path[] = "/tmp/insoled-check-config-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	daemon_config_defaults(&cfg);
	ck_assert_int_eq(daemon_config_load(&cfg, path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, path) == err && strstr(err, ":3: contains a NUL byte"), "%s", err);
	unlink(path);
}
END_TEST

START_TEST(missing_file_and_missing_device)
{
	struct daemon_config cfg;

	daemon_config_defaults(&cfg);
	ck_assert_int_eq(daemon_config_load(&cfg, "/nonexistent/insoled.conf", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/nonexistent/insoled.conf: cannot open: No such file or directory");
	ck_assert_int_eq(daemon_config_finish(&cfg, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no device configured"));
	ck_assert_int_eq(daemon_config_set(&cfg, "device x", "layout", "fsr16", err, sizeof(err)), 0);
	ck_assert_int_eq(daemon_config_finish(&cfg, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "[device x]: port is missing");
}
END_TEST

START_TEST(demo_adds_the_synthetic_pair)
{
	struct daemon_config cfg;

	daemon_config_defaults(&cfg);
	cfg.demo = 1;
	ck_assert_int_eq(daemon_config_finish(&cfg, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.n_devices, 1);
	ck_assert_str_eq(cfg.device[0].port, "synthetic");
	ck_assert_int_eq(cfg.device[0].foot, INS_DEV_FOOT_AUTO);
}
END_TEST

START_TEST(no_lanes_is_one_default_lane)
{
	struct daemon_config cfg;
	const char *path = write_temp("[device l]\nport = synthetic\nfoot = left\n[device r]\nport = synthetic\nfoot = right\n");

	daemon_config_defaults(&cfg);
	ck_assert_int_eq(daemon_config_load(&cfg, path, err, sizeof(err)), 0);
	ck_assert_int_eq(daemon_config_finish(&cfg, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.n_lanes, 1);
	ck_assert_str_eq(cfg.lane[0].name, "default");
	ck_assert_uint_eq(cfg.lane[0].n_devices, 2);
	ck_assert_uint_eq(cfg.lane[0].device[0], 0);
	ck_assert_uint_eq(cfg.lane[0].device[1], 1);
	unlink(path);
}
END_TEST

START_TEST(lanes_name_their_devices)
{
	struct daemon_config cfg;
	const char *path = write_temp("[lane t1]\ndevices = t1l, t1r\nbody_weight_kg = 70\n"
				      "[lane t2]\ndevices = t2\nlayout = grid60x21\n"
				      "[device t1l]\nport = synthetic\nfoot = left\n"
				      "[device t1r]\nport = synthetic\nfoot = right\n"
				      "[device t2]\nport = synthetic\n");

	daemon_config_defaults(&cfg);
	ck_assert_int_eq(daemon_config_load(&cfg, path, err, sizeof(err)), 0);
	ck_assert_int_eq(daemon_config_finish(&cfg, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.n_lanes, 2);
	ck_assert_str_eq(cfg.lane[0].name, "t1");
	ck_assert_uint_eq(cfg.lane[0].n_devices, 2);
	ck_assert_double_eq(cfg.lane[0].body_weight_kg, 70);
	ck_assert_str_eq(cfg.lane[1].name, "t2");
	ck_assert_uint_eq(cfg.lane[1].n_devices, 1);
	ck_assert_uint_eq(cfg.lane[1].device[0], 2);
	ck_assert_str_eq(cfg.device[2].layout, "grid60x21");
	ck_assert_str_eq(cfg.device[0].layout, "fsr16");
	unlink(path);
}
END_TEST

static const struct bad_case bad_lanes[] = {
	{ "[device a]\nport = x\n[lane one]\ndevices = a, b\n", ":4: devices: unknown device 'b'" },
	{ "[device a]\nport = x\n[lane one]\ndevices = a\n[lane two]\ndevices = a\n",
	  ":6: devices: device 'a' is already in [lane one]" },
	{ "[device a]\nport = x\nfoot = left\n[device b]\nport = y\nfoot = left\n[lane one]\ndevices = a b\n",
	  ":8: devices: 'a' and 'b' both read the left foot in [lane one]" },
	{ "[device a]\nport = x\n[device b]\nport = y\nfoot = right\n[lane one]\ndevices = a,b\n",
	  ":7: devices: 'a' and 'b' both read the right foot in [lane one]" },
	{ "[lane one]\ncolour = red\n", ":2: unknown key 'colour' in [lane one]" },
	{ "[lane o/ne]\ndevices = a\n", ":2: lane name 'o/ne' must be" },
	{ "[lane one]\nbody_weight_kg = 2\n", ":2: body_weight_kg" },
	{ "[device a]\nport = x\n[lane one]\ndevices = ,\n", ":4: devices: names no device" },
	{ "[device a]\nport = x\n[lane one]\nbody_weight_kg = 70\n", ": [lane one]: devices: missing: a lane names its devices" },
};

START_TEST(bad_lanes_name_line_and_key)
{
	struct daemon_config cfg;
	const char *path = write_temp(bad_lanes[_i].text);

	daemon_config_defaults(&cfg);
	ck_assert_int_eq(daemon_config_load(&cfg, path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, path) == err, "error should start with the file name: %s", err);
	ck_assert_msg(strstr(err, bad_lanes[_i].expect) != NULL, "got '%s', expected '%s'", err, bad_lanes[_i].expect);
	unlink(path);
}
END_TEST

START_TEST(device_in_no_lane_is_refused)
{
	struct daemon_config cfg;
	const char *path = write_temp("[device a]\nport = x\n[device b]\nport = y\n[lane one]\ndevices = a\n");

	daemon_config_defaults(&cfg);
	ck_assert_int_eq(daemon_config_load(&cfg, path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, path) == err, "error should start with the file name: %s", err);
	ck_assert_ptr_nonnull(strstr(err, ": [device b]: in no lane: name it in one [lane]'s devices"));
	unlink(path);
}
END_TEST

START_TEST(listen_forms)
{
	struct daemon_config cfg;

	daemon_config_defaults(&cfg);
	ck_assert_int_eq(daemon_config_set(&cfg, "daemon", "listen", ":8181", err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.listen_addr, "127.0.0.1");
	ck_assert_uint_eq(cfg.port, 8181);
	ck_assert_int_eq(daemon_config_set(&cfg, "daemon", "listen", "[::1]:8282", err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.listen_addr, "::1");
	ck_assert_uint_eq(cfg.port, 8282);
	ck_assert_int_eq(daemon_config_set(&cfg, "daemon", "listen", "192.168.1.5", err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.listen_addr, "192.168.1.5");
	ck_assert_uint_eq(cfg.port, 8282);
	ck_assert_int_eq(daemon_config_set(&cfg, "daemon", "listen", "[::1", err, sizeof(err)), -1);
}
END_TEST

Suite *ins_suite_config(void);
Suite *ins_suite_config(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, file_with_daemon_and_devices);
	tcase_add_loop_test(tc, bad_file_names_line_and_key, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, nul_byte_is_refused_with_its_line);
	tcase_add_test(tc, missing_file_and_missing_device);
	tcase_add_test(tc, demo_adds_the_synthetic_pair);
	tcase_add_test(tc, listen_forms);
	tcase_add_test(tc, no_lanes_is_one_default_lane);
	tcase_add_test(tc, lanes_name_their_devices);
	tcase_add_loop_test(tc, bad_lanes_name_line_and_key, 0, sizeof(bad_lanes) / sizeof(bad_lanes[0]));
	tcase_add_test(tc, device_in_no_lane_is_refused);
	suite_add_tcase(s, tc);
	return s;
}
