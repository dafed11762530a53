#include <check.h>

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

Suite *ins_suite_util(void);
Suite *ins_suite_util(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("ratelimit");

	tcase_add_test(tc, ratelimit_allows_burst_then_counts_suppressed);
	suite_add_tcase(s, tc);
	return s;
}
