#include <check.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "insoled/datadir.h"
#include "insoled/disk.h"
#include "insoled/grow.h"
#include "insoled/log.h"
#include "insoled/parse.h"
#include "insoled/result.h"

/* Doubling from the first capacity, nothing moved while it fits, and a
 * size past size_t refused with the array untouched. */
START_TEST(grow_doubles_and_refuses_overflow)
{
	uint32_t *v = NULL;
	size_t cap = 0;

	ck_assert_int_eq(ins_grow((void **)&v, &cap, 0, 1, sizeof(*v), 4), 0);
	ck_assert_uint_eq(cap, 4);
	v[3] = 7;
	ck_assert_int_eq(ins_grow((void **)&v, &cap, 3, 1, sizeof(*v), 4), 0);
	ck_assert_uint_eq(cap, 4);
	ck_assert_int_eq(ins_grow((void **)&v, &cap, 4, 9, sizeof(*v), 4), 0);
	ck_assert_uint_eq(cap, 16);
	ck_assert_uint_eq(v[3], 7);
	ck_assert_int_eq(ins_grow((void **)&v, &cap, 16, SIZE_MAX - 8, sizeof(*v), 4), -1);
	ck_assert_int_eq(ins_grow((void **)&v, &cap, 16, SIZE_MAX / 2, sizeof(*v), 4), -1);
	ck_assert_uint_eq(cap, 16);
	ck_assert_uint_eq(v[3], 7);
	free(v);
}
END_TEST

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

START_TEST(data_dir_is_the_configured_one_else_the_source_tree_of_a_build_tree_program)
{
	char path[PATH_MAX], err[256] = "";
	const char *found = ins_data_dir_find(NULL);
	struct stat st;

	ck_assert_str_eq(ins_data_dir_find("/srv/insoled"), "/srv/insoled");
	ck_assert_str_eq(ins_data_dir_find(""), found);
	/* This runner is in the build tree: it reads its source tree, whatever
	 * is (or was once) installed. */
	ck_assert_str_eq(found, INS_SRCDIR);
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

START_TEST(numbers_parse_only_when_the_whole_text_is_the_number)
{
	double d = -1;
	long l = -1;
	uint64_t u = 1;
	static const char *not_doubles[] = { "", " ", "abc", "12abc", "1 2", "5 ", "nan", "inf", "1e999", "1e-400" };
	static const char *not_u64[] = { "", "-1", " -1", "+1", "1.5", "18446744073709551616", "0x", "9 " };

	ck_assert_int_eq(ins_parse_double(" -2.5e1", &d), 0);
	ck_assert_double_eq(d, -25.0);
	for (size_t i = 0; i < sizeof not_doubles / sizeof not_doubles[0]; i++)
		ck_assert_msg(ins_parse_double(not_doubles[i], &d) == -1, "'%s' taken as a number", not_doubles[i]);
	ck_assert_int_eq(ins_parse_long("-42", &l), 0);
	ck_assert_int_eq(l, -42);
	ck_assert_int_eq(ins_parse_long("4.2", &l), -1);
	ck_assert_int_eq(ins_parse_long("99999999999999999999", &l), -1);
	ck_assert_int_eq(ins_parse_u64("18446744073709551615", 10, &u), 0);
	ck_assert_uint_eq(u, UINT64_MAX);
	ck_assert_int_eq(ins_parse_u64("0x1f", 0, &u), 0);
	ck_assert_uint_eq(u, 31);
	ck_assert_int_eq(ins_parse_u64("010", 10, &u), 0);
	ck_assert_uint_eq(u, 10);
	for (size_t i = 0; i < sizeof not_u64 / sizeof not_u64[0]; i++)
		ck_assert_msg(ins_parse_u64(not_u64[i], 0, &u) == -1, "'%s' taken as a whole number", not_u64[i]);
}
END_TEST

START_TEST(ranged_numbers_name_the_key_and_the_range)
{
	char err[256] = "";
	double d = 0;
	unsigned long u = 0;

	ck_assert_int_eq(ins_parse_double_in("display_hz", "60", 1, 120, &d, err, sizeof err), 0);
	ck_assert_double_eq(d, 60.0);
	ck_assert_int_eq(ins_parse_double_in("display_hz", "121", 1, 120, &d, err, sizeof err), -1);
	ck_assert_str_eq(err, "display_hz: '121' is not a number between 1 and 120");
	ck_assert_double_eq(d, 60.0);
	ck_assert_int_eq(ins_parse_double_in("display_hz", "nan", 1, 120, &d, err, sizeof err), -1);
	ck_assert_str_eq(err, "display_hz: 'nan' is not a number between 1 and 120");
	ck_assert_int_eq(ins_parse_ulong_in("baud", "115200", 300, 4000000, &u, err, sizeof err), 0);
	ck_assert_uint_eq(u, 115200);
	ck_assert_int_eq(ins_parse_ulong_in("baud", "-5", 300, 4000000, &u, err, sizeof err), -1);
	ck_assert_str_eq(err, "baud: '-5' is not a whole number between 300 and 4000000");
	ck_assert_int_eq(ins_parse_ulong_in("baud", "299", 300, 4000000, &u, err, sizeof err), -1);
	ck_assert_str_eq(err, "baud: '299' is not a whole number between 300 and 4000000");
	ck_assert_uint_eq(u, 115200);
}
END_TEST

START_TEST(trim_cuts_white_space_at_both_ends)
{
	char text[] = " \t key = value \r\n", empty[] = " \t ";

	ck_assert_str_eq(ins_trim(text), "key = value");
	ck_assert_str_eq(ins_trim(empty), "");
}
END_TEST

/* Every code has a name of its own; a message without a member clears the
 * member a previous error named; an over-long member name is cut, never
 * overflowed. */
START_TEST(error_reports_carry_the_field_apart_from_the_message)
{
	static const int codes[] = { INS_OK, INS_ENOTFOUND, INS_EINVAL, INS_ECONFLICT,
				     INS_EBUSY, INS_EIO, INS_EFULL, INS_EUNAVAIL, INS_ENOSPACE };
	const size_t n = sizeof(codes) / sizeof(codes[0]);
	char long_field[2 * INS_ERROR_FIELD_MAX];
	struct ins_error e;

	for (size_t i = 0; i < n; i++) {
		ck_assert_str_ne(ins_strerror(codes[i]), "unknown error");
		for (size_t k = 0; k < i; k++)
			ck_assert_str_ne(ins_strerror(codes[i]), ins_strerror(codes[k]));
	}
	ck_assert_str_eq(ins_strerror(42), "unknown error");
	ins_error_field(&e, "code", "code: %s", "required");
	ck_assert_str_eq(e.msg, "code: required");
	ck_assert_str_eq(e.field, "code");
	ins_error_msg(&e, "database: %d", 5);
	ck_assert_str_eq(e.msg, "database: 5");
	ck_assert_str_eq(e.field, "");
	memset(long_field, 'x', sizeof(long_field) - 1);
	long_field[sizeof(long_field) - 1] = '\0';
	ins_error_field(&e, long_field, "too long");
	ck_assert_uint_eq(strlen(e.field), INS_ERROR_FIELD_MAX - 1);
	ins_error_about(&e, "body_weight_kg");
	ck_assert_str_eq(e.msg, "too long");
	ck_assert_str_eq(e.field, "body_weight_kg");
}
END_TEST

START_TEST(disk_room_refuses_what_would_eat_the_kept_room_and_says_where)
{
	struct ins_error e = { "", "" };
	uint64_t avail;

	ck_assert_int_eq(ins_disk_available("/", &avail), 0);
	ck_assert_int_eq(ins_disk_check_room("/", "the test", 0, 0, &e), INS_OK);
	/* within what is free, but not with the kept room on top */
	ck_assert_int_eq(ins_disk_check_room("/", "the test", avail / 2, avail / 2 + avail / 4 + 1, &e),
			 INS_ENOSPACE);
	ck_assert_ptr_nonnull(strstr(e.msg, "not enough free disk space for the test in /: "));
	ck_assert_ptr_nonnull(strstr(e.msg, "free some space and try again"));
	ck_assert_int_eq(ins_disk_check_room("/", "the test", UINT64_MAX, 0, &e), INS_ENOSPACE);
	/* a place that cannot be looked at refuses nothing */
	ck_assert_int_eq(ins_disk_check_room("/nonexistent/insoled", "the test", UINT64_MAX, 0, &e), INS_OK);
}
END_TEST

Suite *ins_suite_util(void);
Suite *ins_suite_util(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("ratelimit");

	tcase_add_test(tc, ratelimit_allows_burst_then_counts_suppressed);
	tcase_add_test(tc, grow_doubles_and_refuses_overflow);
	suite_add_tcase(s, tc);
	tc = tcase_create("data_dir");
	tcase_add_test(tc, data_dir_is_the_configured_one_else_the_source_tree_of_a_build_tree_program);
	suite_add_tcase(s, tc);
	tc = tcase_create("parse");
	tcase_add_test(tc, numbers_parse_only_when_the_whole_text_is_the_number);
	tcase_add_test(tc, ranged_numbers_name_the_key_and_the_range);
	tcase_add_test(tc, trim_cuts_white_space_at_both_ends);
	tcase_add_test(tc, error_reports_carry_the_field_apart_from_the_message);
	suite_add_tcase(s, tc);
	tc = tcase_create("disk");
	tcase_add_test(tc, disk_room_refuses_what_would_eat_the_kept_room_and_says_where);
	suite_add_tcase(s, tc);
	return s;
}
