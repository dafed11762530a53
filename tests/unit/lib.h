/* Helpers shared by the unit-test suites (lib.c): where the test data is,
 * and the few steps every suite repeats, each failing the test with the
 * library's own message. */
#ifndef INSOLED_TEST_LIB_H
#define INSOLED_TEST_LIB_H

#include <stddef.h>
#include <stdint.h>

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

/* A new scratch directory /tmp/PREFIX.XXXXXX into dir (len bytes), and
 * the removal of one with all it holds. */
void test_tmpdir_make(char *dir, size_t len, const char *prefix);
void test_tmpdir_remove(const char *dir);

/* 12-bit samples packed as WFDB format 212 into out (3 bytes a pair);
 * returns the bytes written. */
size_t test_pack212(const int *s, size_t n, unsigned char *out);

/* A gaitndd-like footswitch walk at 300 Hz, 20 s: strides of 1.1 s, each
 * foot loaded for 0.66 s of it, the right half a stride after the left;
 * foot 0 left, 1 right.  Packed as format 212 into out
 * (TEST_NDD_BYTES); returns the bytes written. */
#define TEST_NDD_SAMPLES 6000
#define TEST_NDD_BYTES (TEST_NDD_SAMPLES / 2 * 3)
#define TEST_NDD_STRIDE 330
#define TEST_NDD_STANCE 198
#define TEST_NDD_RAMP 12
#define TEST_NDD_UNLOADED 120
#define TEST_NDD_LOADED 1700
size_t test_ndd_walk(unsigned foot, unsigned char *out);

/* A Moticon OpenGo export (docs/import.md) of the synthetic walker on
 * moticon16 at 100 Hz, from t = 0 (no standing: the right foot is in the
 * middle of a stance at the first frame) to before end_us, its pressures
 * and its step columns: the model's own contacts and toe-offs, each marked
 * at the frame nearest to it shift_us later, as a vendor marks them (no
 * force or centre of pressure columns).  Written to path. */
void test_write_moticon_walk(const char *path, int64_t end_us, int64_t shift_us);

#endif
