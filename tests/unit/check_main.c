/* The one Check runner.  `check_insoled [suite]` runs every suite, or just
 * the one named (handy when working on a module), leaving out the test cases
 * that need the real recordings in ../shared/data (shared_data.h).
 * `check_insoled --shared-data [suite]` runs only those, and exits 77 (the
 * automake SKIP status) naming the directory when it is absent. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shared_data.h"

#define INS_SUITE(name) Suite *ins_suite_##name(void);
#include "suites.h"
#undef INS_SUITE

#define EXIT_SKIP 77

struct suite_entry {
	const char *name;
	Suite *(*make)(void);
};

static const struct suite_entry suites[] = {
#define INS_SUITE(name) { #name, ins_suite_##name },
#include "suites.h"
#undef INS_SUITE
};

static int shared_data_present(void)
{
	struct stat st;

	return stat(test_shared_data(), &st) == 0 && S_ISDIR(st.st_mode);
}

int main(int argc, char **argv)
{
	int shared = argc > 1 && !strcmp(argv[1], "--shared-data");
	const char *only = argc > 1 + shared ? argv[1 + shared] : NULL;
	SRunner *runner = NULL;
	int failed;

	if (shared && !shared_data_present()) {
		printf("SKIP: the tests against real recordings need %s (see README, \"Test data\")\n",
		       test_shared_data());
		return EXIT_SKIP;
	}
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		if (only && strcmp(only, suites[i].name) != 0)
			continue;
		if (!runner)
			runner = srunner_create(suites[i].make());
		else
			srunner_add_suite(runner, suites[i].make());
	}
	if (!runner) {
		fprintf(stderr, "check_insoled: no suite named '%s'\n", only);
		return EXIT_FAILURE;
	}
	if (shared)
		srunner_run_tagged(runner, NULL, NULL, INS_SHARED_DATA_TAG, NULL, CK_NORMAL);
	else
		srunner_run_tagged(runner, NULL, NULL, NULL, INS_SHARED_DATA_TAG, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
