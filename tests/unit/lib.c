/* Helpers shared by the unit-test suites (lib.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib.h"

struct ins_layout *test_load_shipped(const char *name)
{
	char err[512] = "";
	struct ins_layout *lay = ins_layout_load_named(LAYOUT_DIR, name, err, sizeof(err));

	ck_assert_msg(lay != NULL, "%s: %s", name, err);
	return lay;
}

struct ins_synth *test_synth_new(const struct ins_synth_params *p, const struct ins_layout *l)
{
	char err[256] = "";
	struct ins_synth *s = ins_synth_new(p, l, err, sizeof(err));

	ck_assert_msg(s != NULL, "ins_synth_new: %s", err);
	return s;
}

const char *test_shared_data(void)
{
	const char *dir = getenv("INS_SHARED_DATA");

	return dir && dir[0] ? dir : INS_TEST_SRCDIR "/../shared/data";
}

const char *test_shared_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", test_shared_data(), rel);
	return buf;
}

char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s: cannot open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}
