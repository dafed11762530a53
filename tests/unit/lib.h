/* Helpers shared by the unit-test suites (lib.c): where the test data is,
 * and the few steps every suite repeats, each failing the test with the
 * library's own message. */
#ifndef INSOLED_TEST_LIB_H
#define INSOLED_TEST_LIB_H

#include <stddef.h>

#include "insoled/layout.h"
#include "insoled/synth.h"

/* The shipped layouts in the source tree. */
#define LAYOUT_DIR INS_TEST_SRCDIR "/layouts"

/* A shipped layout by name (layouts/NAME.layout). */
struct ins_layout *test_load_shipped(const char *name);

/* A synthetic subject on a layout. */
struct ins_synth *test_synth_new(const struct ins_synth_params *p, const struct ins_layout *l);

/* A whole file, malloc'd and NUL-terminated (its length in *len). */
char *test_read_file(const char *path, size_t *len);

/* The real recordings (../shared/data): $INS_SHARED_DATA, which the
 * Makefile exports for every test, else the source tree's neighbour. */
const char *test_shared_data(void);
/* buf = test_shared_data() + "/" + rel; returns buf. */
const char *test_shared_path(char *buf, size_t len, const char *rel);

#endif
