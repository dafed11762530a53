/* Tests that compare against the real recordings in ../shared/data (kept
 * outside the repository; README says how to get them).  They live in test
 * cases tagged INS_SHARED_DATA_TAG: `check_insoled` leaves them out and
 * `check_insoled --shared-data` (tests/unit/shared_data.sh) runs only them,
 * or exits 77 (SKIP) naming the directory when it is absent.  So a missing
 * recording is a visible skip, never a pass. */
#ifndef INSOLED_TEST_SHARED_DATA_H
#define INSOLED_TEST_SHARED_DATA_H

#include <check.h>
#include <unistd.h>

#include "lib.h"

/* Where the recordings are: test_shared_data() (lib.h). */
#define INS_SHARED_DATA_TAG "shared_data"

/* Inside a tagged test: the recordings must be there (the runner checked). */
#define INS_REQUIRE_SHARED_FILE(path) \
	ck_assert_msg(access((path), R_OK) == 0, "%s is not readable", (path))

/* A test case for tests that read ../shared/data. */
static inline TCase *ins_shared_data_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_set_tags(tc, INS_SHARED_DATA_TAG);
	return tc;
}

#endif
