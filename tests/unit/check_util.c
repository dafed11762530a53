#include <check.h>

#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "insoled/datadir.h"
#include "insoled/log.h"

START_TEST(ratelimit_allows_burst_then_counts_suppressed)
{
	struct ins_ratelimit rl = { 0 };
	unsigned suppressed = 99;

	for (int i = 0; i < INS_RATELIMIT_BURST; i++)
		ck_assert_int_eq(ins_ratelimit_ok(&rl, &suppressed), 1);
	ck_assert_uint_eq(suppressed, 0);
	ck_assert_int_eq(ins_ratelimit_ok(&rl, &suppressed), 0);
	ck_assert_int_eq(ins_ratelimit_ok(&rl, &suppressed), 0);
	ck_assert_uint_eq(rl.suppressed, 2);
	/* A new window prints again and reports what it swallowed. */
	rl.window_start_us -= INS_RATELIMIT_WINDOW_US;
	ck_assert_int_eq(ins_ratelimit_ok(&rl, &suppressed), 1);
	ck_assert_uint_eq(suppressed, 2);
}
END_TEST

START_TEST(data_dir_is_the_configured_one_else_one_holding_layouts)
{
	char path[PATH_MAX], err[256] = "";
	const char *found = ins_data_dir_find(NULL);
	struct stat st;

	ck_assert_str_eq(ins_data_dir_find("/srv/insoled"), "/srv/insoled");
	ck_assert_str_eq(ins_data_dir_find(""), found);
	ck_assert(strcmp(found, INS_PKGDATADIR) == 0 || strcmp(found, INS_SRCDIR) == 0);
	ck_assert_int_eq(ins_data_path(found, "layouts", path, sizeof path, err, sizeof err), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(ins_data_path("/srv/insoled", "layouts", path, sizeof path, err, sizeof err), 0);
	ck_assert_str_eq(path, "/srv/insoled/layouts");
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(ins_data_path("/srv/insoled", "layouts", path, 16, err, sizeof err), -1);
	ck_assert_str_eq(err, "data path /srv/insoled/layouts is too long (at most 15 bytes)");
}
END_TEST

Suite *ins_suite_util(void);
Suite *ins_suite_util(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("ratelimit");

	tcase_add_test(tc, ratelimit_allows_burst_then_counts_suppressed);
	suite_add_tcase(s, tc);
	tc = tcase_create("data_dir");
	tcase_add_test(tc, data_dir_is_the_configured_one_else_one_holding_layouts);
	suite_add_tcase(s, tc);
	return s;
}
