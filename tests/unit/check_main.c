/* The one Check runner.  `check_insoled [suite]` runs every suite, or just
 * the one named (handy when working on a module). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INS_SUITE(name) Suite *ins_suite_##name(void);
#include "suites.h"
#undef INS_SUITE

struct suite_entry {
	const char *name;
	Suite *(*make)(void);
};

static const struct suite_entry suites[] = {
#define INS_SUITE(name) { #name, ins_suite_##name },
#include "suites.h"
#undef INS_SUITE
};

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	SRunner *runner = NULL;
	int failed;

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
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
