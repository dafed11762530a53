/* insoled-emulator: the stream a protocol parser sees, with every injected
 * fault counted exactly, unplug and replug, readers that come late or
 * stall, signals and bad options. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "insoled/clock.h"
#include "insoled/protocol.h"
#include "insoled/synth.h"
#include "lib.h"

#define EMULATOR INS_TEST_BUILDDIR "/insoled-emulator"
/* Only a hang guard: far above any pause of a healthy emulator even on a
 * loaded 2-core CI machine, and below the test case's timeout so a hang
 * fails with a message. */
#define EMU_READ_TIMEOUT_MS 20000
#define EMU_TCASE_TIMEOUT_S 60
/* Binary frame of the 16-sensor fsr16 layout. */
#define FSR16_FRAME_BYTES 48

extern char **environ;

/* Starts the emulator on the shipped layouts with stdout and stderr on pipes. */
static pid_t spawn_emulator(const char *const *args, int *out_fd, int *err_fd)
{
	const char *fixed[] = { EMULATOR, "--layout-dir", LAYOUT_DIR };
	char *argv[64];
	int out[2], err[2];
	size_t n = 0;
	posix_spawn_file_actions_t fa;
	pid_t pid;

	/* posix_spawn wants writable strings. */
	for (size_t i = 0; i < 3; i++)
		argv[n++] = strdup(fixed[i]);
	while (*args && n < 63)
		argv[n++] = strdup(*args++);
	argv[n] = NULL;
	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(err), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	posix_spawn_file_actions_addclose(&fa, err[0]);
	ck_assert_int_eq(posix_spawn(&pid, EMULATOR, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	for (size_t i = 0; i < n; i++)
		free(argv[i]);
	close(out[1]);
	close(err[1]);
	*out_fd = out[0];
	*err_fd = err[0];
	return pid;
}

static uint8_t *read_all(int fd, size_t *len)
{
	size_t cap = 1 << 16;
	uint8_t *buf = malloc(cap);
	ssize_t r;

	ck_assert_ptr_nonnull(buf);
	*len = 0;
	while ((r = read(fd, buf + *len, cap - *len)) > 0 || (r < 0 && errno == EINTR)) {
		if (r < 0)
			continue;
		*len += (size_t)r;
		if (*len == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
	}
	buf[*len < cap ? *len : cap - 1] = 0;
	close(fd);
	return buf;
}

struct emu_run {
	uint8_t *out, *err;
	size_t out_len, err_len;
	int status;
};

/* Runs the emulator to its end; stdout and stderr are drained in turns so
 * neither pipe can fill up. */
static void run_emulator(const char *const *args, struct emu_run *r)
{
	int out, err;
	pid_t pid = spawn_emulator(args, &out, &err);

	r->out = read_all(out, &r->out_len);
	r->err = read_all(err, &r->err_len);
	ck_assert_int_eq(waitpid(pid, &r->status, 0), pid);
}

static void emu_run_free(struct emu_run *r)
{
	free(r->out);
	free(r->err);
}

static void stats_path(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, INS_TEST_BUILDDIR "/tests/unit/synth-emu-%s-%ld.json", what, (long)getpid());
	unlink(buf);
}

static json_t *load_stats(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);

	ck_assert_msg(j != NULL, "%s: %s", path, je.text);
	unlink(path);
	return j;
}

static uint64_t json_u64(const json_t *o, const char *path1, const char *path2)
{
	const json_t *v = json_object_get(o, path1);

	if (path2)
		v = json_object_get(v, path2);
	ck_assert_msg(json_is_integer(v), "stats: %s%s%s is not an integer", path1, path2 ? "." : "",
		      path2 ? path2 : "");
	return (uint64_t)json_integer_value(v);
}

struct parsed {
	struct ins_proto *p;
	unsigned frames[INS_FOOT_COUNT];
	uint32_t last_seq[INS_FOOT_COUNT];
};

static void parsed_init_foot(struct parsed *ps, unsigned n, int bare_foot)
{
	struct ins_proto_config cfg = { .max_n = n, .expected_n = n, .bare_foot = bare_foot };
	char err[200];

	memset(ps, 0, sizeof(*ps));
	ps->p = ins_proto_new(&cfg, err, sizeof(err));
	ck_assert_msg(ps->p != NULL, "%s", err);
}

static void parsed_init(struct parsed *ps, unsigned n)
{
	parsed_init_foot(ps, n, -1);
}

static void parsed_feed(struct parsed *ps, const uint8_t *buf, size_t len)
{
	struct ins_frame f;
	enum ins_proto_result r;

	while ((r = ins_proto_parse(ps->p, &buf, &len, &f)) != INS_PROTO_NEED_MORE) {
		if (r != INS_PROTO_FRAME)
			continue;
		ps->frames[f.foot]++;
		ps->last_seq[f.foot] = f.seq;
	}
}

/* Every parser counter equals the emulator's expectation; counters it does
 * not name must stay 0, and the parser saw every byte written. */
/* emu_err: what the emulator wrote to stderr, quoted when bytes went
 * missing (a pty closed early says why there, and only there). */
static void check_expectations(const json_t *stats, struct parsed *ps, const char *emu_err)
{
	const json_t *expect = json_object_get(stats, "expect");
	struct ins_proto_stats st;
	uint64_t written = json_u64(stats, "bytes_written", NULL);

	ck_assert_ptr_nonnull(expect);
	ins_proto_get_stats(ps->p, &st);
	ck_assert_msg(st.bytes == written, "parser got %llu bytes of the %llu written; emulator stderr:\n%s",
		      (unsigned long long)st.bytes, (unsigned long long)written, emu_err);
	ck_assert_uint_eq(ins_proto_pending(ps->p), 0);
#define CHECK_COUNTER(name, what)                                                                        \
	if (strcmp(#name, "bytes") != 0 && strcmp(#name, "frames_binary") != 0 &&                        \
	    strcmp(#name, "frames_ascii") != 0) {                                                        \
		const json_t *v = json_object_get(expect, #name);                                        \
		uint64_t want = v ? (uint64_t)json_integer_value(v) : 0;                                 \
		ck_assert_msg(st.name == want, "parser counted %s = %llu, emulator expects %llu", #name, \
			      (unsigned long long)st.name, (unsigned long long)want);                    \
	}
	INS_PROTO_STATS(CHECK_COUNTER)
#undef CHECK_COUNTER
	ck_assert_uint_eq(ps->frames[0] + ps->frames[1], json_u64(stats, "expect", "frames"));
}

static void check_stream(const char *format, const char *extra1, const char *extra2)
{
	char sp[512];
	const char *args[32] = { "--stdout", "--speed", "0", "--frames", "3000", "--format", format, "--seed", "11",
				 "--garbage", "7", "--bad-crc", "6", "--drop", "5", "--duplicate", "4", "--split" };
	size_t n = 18;
	struct emu_run r;
	struct parsed ps;

	stats_path(sp, sizeof(sp), format);
	args[n++] = "--stats";
	args[n++] = sp;
	if (extra1)
		args[n++] = extra1;
	if (extra2)
		args[n++] = extra2;
	args[n] = NULL;
	run_emulator(args, &r);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "emulator failed: %s", r.err);
	json_t *stats = load_stats(sp);
	parsed_init(&ps, 16);
	/* Reads end anywhere: feed the bytes in chunks of 1 to 61 bytes. */
	for (size_t at = 0, k = 0; at < r.out_len; k++) {
		size_t chunk = 1 + (k * 37) % 61;
		if (chunk > r.out_len - at)
			chunk = r.out_len - at;
		parsed_feed(&ps, r.out + at, chunk);
		at += chunk;
	}
	check_expectations(stats, &ps, (const char *)r.err);
	/* Each fault happened as often as asked. */
	ck_assert_uint_eq(json_u64(stats, "faults", "garbage"), 7);
	ck_assert_uint_eq(json_u64(stats, "faults", "bad_crc"), 6);
	ck_assert_uint_eq(json_u64(stats, "faults", "drop"), 5);
	ck_assert_uint_eq(json_u64(stats, "faults", "duplicate"), 4);
	ck_assert_uint_eq(json_u64(stats, "expect", "resyncs"), 7);
	ck_assert_uint_eq(json_u64(stats, "expect", "seq_gaps"), 11);
	ck_assert_uint_eq(json_u64(stats, "expect", "frames_lost"), 11);
	ck_assert_uint_eq(json_u64(stats, "expect", "duplicates"), 4);
	ck_assert_uint_eq(json_u64(stats, "expect", "frames"), 2 * 3000 - 11);
	ck_assert_uint_eq(json_u64(stats, "faults", "split_frames"), 2 * 3000 - 5 + 4);
	/* The last frame of each foot carries seq 2999. */
	ck_assert_uint_eq(ps.last_seq[0], 2999);
	ck_assert_uint_eq(ps.last_seq[1], 2999);
	ins_proto_free(ps.p);
	json_decref(stats);
	emu_run_free(&r);
}

START_TEST(emulator_binary_faults_are_counted_exactly)
{
	check_stream("binary", NULL, NULL);
}
END_TEST

START_TEST(emulator_ascii_faults_are_counted_exactly)
{
	check_stream("ascii", "--overlong", "3");
}
END_TEST

START_TEST(emulator_ascii_crlf_faults_are_counted_exactly)
{
	check_stream("ascii", "--crlf", NULL);
}
END_TEST

/* Bare lines "<t_ms>,<v1>,..." of a one-foot DIY board carry no seq: lost
 * frames are invisible, a repeated line is another frame, a corrupted line
 * is one bad line.  The ASCII clock (ms) wraps too. */
START_TEST(emulator_bare_lines_are_counted_exactly)
{
	char sp[512];
	const char *args[] = { "--stdout", "--speed", "0", "--frames", "2000", "--format", "ascii", "--bare", "--feet",
			       "right", "--garbage", "4", "--bad-crc", "5", "--drop", "6", "--duplicate", "7", "--split",
			       "--clock-start-us", "4294967000000", "--stats", sp, NULL };
	struct emu_run r;
	struct parsed ps;

	stats_path(sp, sizeof(sp), "bare");
	run_emulator(args, &r);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "emulator failed: %s", r.err);
	json_t *stats = load_stats(sp);
	parsed_init_foot(&ps, 16, INS_FOOT_RIGHT);
	parsed_feed(&ps, r.out, r.out_len);
	check_expectations(stats, &ps, (const char *)r.err);
	ck_assert_uint_eq(ps.frames[INS_FOOT_RIGHT], 2000 - 6 - 5 + 7);
	ck_assert_uint_eq(json_u64(stats, "expect", "bad_lines"), 5);
	ck_assert_uint_eq(json_u64(stats, "expect", "clock_wraps"), 1);
	ck_assert_uint_eq(json_u64(stats, "expect", "seq_gaps"), 0);
	ck_assert_uint_eq(json_u64(stats, "expect", "duplicates"), 0);
	ins_proto_free(ps.p);
	json_decref(stats);
	emu_run_free(&r);
}
END_TEST

/* The stream carries the model: decoded frames equal ins_synth_next's. */
START_TEST(emulator_streams_the_model)
{
	const char *args[] = { "--stdout", "--speed", "0", "--frames", "600", "--layout", "fsr16", "--synth",
			       "running=1,arch_collapse=0.4,noise=0.01", "--seed", "3", "--clock-start-us", "4290000000",
			       NULL };
	char err[512];
	struct emu_run r;
	struct ins_synth_params p;
	struct ins_proto_config cfg = { .max_n = 16, .expected_n = 16, .bare_foot = -1 };
	struct ins_layout *l = ins_layout_load_named(LAYOUT_DIR, "fsr16", err, sizeof(err));
	struct ins_proto *pr = ins_proto_new(&cfg, err, sizeof(err));
	const uint8_t *buf;
	size_t len;
	struct ins_frame f;
	enum ins_proto_result res;
	unsigned frames = 0;

	ck_assert_msg(l && pr, "%s", err);
	run_emulator(args, &r);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "emulator failed: %s", r.err);
	ins_synth_defaults(&p);
	ck_assert_int_eq(ins_synth_parse(&p, "running=1,arch_collapse=0.4,noise=0.01,seed=3", NULL, 0), 0);
	struct ins_synth *s = test_synth_new(&p, l);
	buf = r.out;
	len = r.out_len;
	while ((res = ins_proto_parse(pr, &buf, &len, &f)) != INS_PROTO_NEED_MORE) {
		uint16_t want[16];
		int64_t t;
		ck_assert_int_eq(res, INS_PROTO_FRAME);
		ck_assert_uint_eq(f.foot, frames % 2);
		ck_assert_uint_eq(f.seq, frames / 2);
		ins_synth_next(s, f.foot, want, &t);
		ck_assert_uint_eq(f.t_dev, (uint32_t)(4290000000u + (uint64_t)t));
		ck_assert_int_eq(memcmp(f.values, want, sizeof(want)), 0);
		frames++;
	}
	ck_assert_uint_eq(frames, 1200);
	/* The device clock wrapped 4.97 s in, once per foot. */
	struct ins_proto_stats st;
	ins_proto_get_stats(pr, &st);
	ck_assert_uint_eq(st.clock_wraps, 2);
	ins_synth_free(s);
	ins_layout_free(l);
	ins_proto_free(pr);
	emu_run_free(&r);
}
END_TEST

START_TEST(emulator_same_seed_same_bytes)
{
	const char *a[] = { "--stdout", "--speed", "0", "--frames", "500", "--seed", "5", "--garbage", "3", "--drop",
			    "2", "--synth", "noise=0.02,variability=0.03", NULL };
	const char *b[] = { "--stdout", "--speed", "0", "--frames", "500", "--seed", "6", "--garbage", "3", "--drop",
			    "2", "--synth", "noise=0.02,variability=0.03", NULL };
	struct emu_run r1, r2, r3;

	run_emulator(a, &r1);
	run_emulator(a, &r2);
	run_emulator(b, &r3);
	ck_assert_uint_gt(r1.out_len, 40000);
	ck_assert_uint_eq(r1.out_len, r2.out_len);
	ck_assert_int_eq(memcmp(r1.out, r2.out, r1.out_len), 0);
	ck_assert(r3.out_len != r1.out_len || memcmp(r1.out, r3.out, r1.out_len) != 0);
	emu_run_free(&r1);
	emu_run_free(&r2);
	emu_run_free(&r3);
}
END_TEST

static const struct {
	const char *args[6];
	int exit_code;
	const char *must_contain;
} emulator_bad_args[] = {
	{ { "--feet", "middle" }, 2, "--feet middle: must be both, left or right" },
	{ { "--rate", "0" }, 2, "--rate 0: must be a number from 1 to 10000" },
	{ { "--format", "hex" }, 2, "--format hex: must be binary or ascii" },
	{ { "--frames", "10", "--duration", "1" }, 2, "--duration and --frames both given" },
	{ { "--unplug-after", "1" }, 2, "--unplug-after and --unplug-for go together" },
	{ { "--no-reader-wait", "-1" }, 2, "--no-reader-wait -1: must be a number from 0 to 3600" },
	{ { "--overlong", "1" }, 2, "--overlong injects ASCII lines: it needs --format ascii" },
	{ { "--format", "ascii", "--bare" }, 2, "--bare lines carry no foot: it needs --format ascii and --feet left or right" },
	{ { "--synth", "cadence_spm=abc" }, 1, "--synth: synth option cadence_spm=abc: not a number" },
	{ { "--layout", "nosuch" }, 1, "--layout nosuch:" },
	{ { "--stdout", "--frames", "20", "--drop", "10" }, 1, "10 faults do not fit in 20 frames" },
};

START_TEST(emulator_rejects_bad_options)
{
	const char *args[8] = { 0 };
	struct emu_run r;

	for (int i = 0; i < 6 && emulator_bad_args[_i].args[i]; i++)
		args[i] = emulator_bad_args[_i].args[i];
	run_emulator(args, &r);
	ck_assert(WIFEXITED(r.status));
	ck_assert_int_eq(WEXITSTATUS(r.status), emulator_bad_args[_i].exit_code);
	ck_assert_msg(strstr((char *)r.err, emulator_bad_args[_i].must_contain) != NULL, "stderr: %s", r.err);
	ck_assert_uint_eq(r.out_len, 0);
	emu_run_free(&r);
}
END_TEST

/* A line from the emulator's stdout (the pty paths). */
static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (n + 1 < len) {
		if (poll(&pfd, 1, EMU_READ_TIMEOUT_MS) <= 0 || read(fd, buf + n, 1) != 1)
			return -1;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return 0;
}

static int open_link(const char *link)
{
	for (int i = 0; i < EMU_READ_TIMEOUT_MS / 10; i++) {
		int fd = open(link, O_RDONLY | O_NOCTTY | O_NONBLOCK);
		if (fd >= 0)
			return fd;
		usleep(10000);
	}
	return -1;
}

/* Reads a pty until the emulator closes it (EIO), feeding the parser. */
static void read_pty_until_closed(int fd, struct parsed *ps)
{
	uint8_t buf[4096];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		ck_assert_msg(poll(&pfd, 1, EMU_READ_TIMEOUT_MS) > 0, "pty silent for %d ms", EMU_READ_TIMEOUT_MS);
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r > 0) {
			parsed_feed(ps, buf, (size_t)r);
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		break; /* EIO or 0: the master is gone */
	}
	close(fd);
}

START_TEST(emulator_unplug_replug_keeps_every_sent_frame)
{
	char sp[512], link[512], path1[128], path2[128], target[128];
	/* The wait for a reader (--no-reader-wait) is long so that a test process
	 * the scheduler leaves aside for seconds still finds its bytes. */
	const char *args[] = { "--speed", "1", "--frames", "150", "--unplug-after", "0.5", "--unplug-for", "0.3",
			       "--link", link, "--stats", sp, "--seed", "2", "--no-reader-wait", "20", NULL };
	int out, err, status;
	struct parsed ps;
	ssize_t n;

	stats_path(sp, sizeof(sp), "unplug");
	snprintf(link, sizeof(link), INS_TEST_BUILDDIR "/tests/unit/synth-emu-link-%ld", (long)getpid());
	pid_t pid = spawn_emulator(args, &out, &err);
	ck_assert_int_eq(read_line(out, path1, sizeof(path1)), 0);
	n = readlink(link, target, sizeof(target) - 1);
	ck_assert_int_gt(n, 0);
	target[n] = '\0';
	ck_assert_str_eq(target, path1);
	parsed_init(&ps, 16);
	int fd = open_link(link);
	ck_assert_int_ge(fd, 0);
	read_pty_until_closed(fd, &ps);
	/* Replugged: a new pty (the kernel may reuse the number), announced on
	 * stdout, the link moved to it. */
	ck_assert_int_eq(read_line(out, path2, sizeof(path2)), 0);
	ins_proto_reset_stream(ps.p, 0);
	fd = open_link(link);
	ck_assert_int_ge(fd, 0);
	read_pty_until_closed(fd, &ps);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	size_t err_len;
	char *emu_err = (char *)read_all(err, &err_len);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(access(link, F_OK), -1); /* removed at exit */
	json_t *stats = load_stats(sp);
	check_expectations(stats, &ps, emu_err);
	/* 0.3 s at 100 Hz lost per foot while unplugged. */
	ck_assert_uint_eq(json_u64(json_object_get(stats, "feet"), "left", "lost_unplugged"), 30);
	ck_assert_uint_eq(json_u64(json_object_get(stats, "feet"), "right", "lost_unplugged"), 30);
	ck_assert_uint_eq(ps.frames[0], 120);
	ck_assert_uint_eq(ps.frames[1], 120);
	ck_assert_uint_eq(json_u64(stats, "faults", "unplugs"), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(stats, "ptys")), 2);
	json_decref(stats);
	ins_proto_free(ps.p);
	close(out);
	free(emu_err);
}
END_TEST

/* Nobody reads for a while: the emulator neither dies nor spins nor loses
 * frames; a late reader gets the stream from its first frame. */
START_TEST(emulator_waits_for_a_late_reader)
{
	char sp[512], link[512], path[128];
	const char *args[] = { "--speed", "0", "--frames", "2000", "--link", link, "--stats", sp, NULL };
	int out, err, status;
	struct parsed ps;
	struct rusage ru;

	stats_path(sp, sizeof(sp), "late");
	snprintf(link, sizeof(link), INS_TEST_BUILDDIR "/tests/unit/synth-emu-late-%ld", (long)getpid());
	pid_t pid = spawn_emulator(args, &out, &err);
	ck_assert_int_eq(read_line(out, path, sizeof(path)), 0);
	usleep(500000);
	ck_assert_int_eq(waitpid(pid, &status, WNOHANG), 0); /* still there, blocked on the full pty */
	parsed_init(&ps, 16);
	int fd = open_link(link);
	ck_assert_int_ge(fd, 0);
	read_pty_until_closed(fd, &ps);
	ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
	size_t err_len;
	char *emu_err = (char *)read_all(err, &err_len);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Blocked, not spinning: well under the 0.5 s it waited. */
	ck_assert_int_lt(ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000 +
				 ru.ru_stime.tv_usec,
			 400000);
	json_t *stats = load_stats(sp);
	check_expectations(stats, &ps, emu_err);
	ck_assert_uint_eq(ps.frames[0], 2000);
	ck_assert_uint_eq(ps.frames[1], 2000);
	json_decref(stats);
	ins_proto_free(ps.p);
	close(out);
	free(emu_err);
}
END_TEST

/* A reader that holds the pty open but stops reading for longer than the
 * wait for an absent reader still gets every byte: the emulator does not
 * close a pty with bytes in flight to a reader that is attached.  The pty
 * cannot hold the run (96 kB), so the emulator reaches its final drain only
 * while this reader is attached.  In the second run another program opens
 * and closes the pty while the reader holds it (a port probe, `stty -F`):
 * the reader is still attached.  The emulator reads its watch of the pty
 * only at the drain, so both opens are queued by then. */
START_TEST(emulator_waits_for_an_attached_reader_that_stalls)
{
	char sp[512], link[512], path[128];
	const char *args[] = { "--speed", "0", "--frames", "1000", "--link", link, "--stats", sp, "--no-reader-wait", "0.3",
			       NULL };
	const size_t total = 2 * 1000 * FSR16_FRAME_BYTES, before_stall = total - 4000;
	uint8_t buf[4096];
	size_t got = 0;
	int out, err, status;
	struct parsed ps;

	stats_path(sp, sizeof(sp), "stall");
	snprintf(link, sizeof(link), INS_TEST_BUILDDIR "/tests/unit/synth-emu-stall-%ld", (long)getpid());
	pid_t pid = spawn_emulator(args, &out, &err);
	ck_assert_int_eq(read_line(out, path, sizeof(path)), 0);
	parsed_init(&ps, 16);
	int fd = open_link(link);
	ck_assert_int_ge(fd, 0);
	if (_i == 1) {
		int probe = open_link(link);
		ck_assert_int_ge(probe, 0);
		close(probe);
	}
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	while (got < before_stall) {
		ck_assert_msg(poll(&pfd, 1, EMU_READ_TIMEOUT_MS) > 0, "pty silent for %d ms", EMU_READ_TIMEOUT_MS);
		ssize_t r = read(fd, buf, before_stall - got < sizeof(buf) ? before_stall - got : sizeof(buf));
		ck_assert_msg(r > 0 || (r < 0 && (errno == EAGAIN || errno == EINTR)), "pty closed after %zu bytes", got);
		if (r > 0) {
			parsed_feed(&ps, buf, (size_t)r);
			got += (size_t)r;
		}
	}
	usleep(1000000); /* attached, not reading: more than three times --no-reader-wait */
	read_pty_until_closed(fd, &ps);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	size_t err_len;
	char *emu_err = (char *)read_all(err, &err_len);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	json_t *stats = load_stats(sp);
	ck_assert_uint_eq(json_u64(stats, "bytes_written", NULL), total);
	check_expectations(stats, &ps, emu_err);
	ck_assert_uint_eq(ps.frames[0], 1000);
	ck_assert_uint_eq(ps.frames[1], 1000);
	json_decref(stats);
	ins_proto_free(ps.p);
	close(out);
	free(emu_err);
}
END_TEST

/* Nobody ever opens the pty: the emulator waits --no-reader-wait at the
 * unplug and at the end, says how much nobody read, and finishes. */
START_TEST(emulator_closes_a_pty_nobody_opens_after_the_wait)
{
	char sp[512], want[256];
	const char *args[] = { "--speed", "0", "--frames", "100", "--unplug-after", "0.5", "--unplug-for", "0.1",
			       "--no-reader-wait", "0.3", "--stats", sp, NULL };
	char path1[128], path2[128];
	struct emu_run r;
	int64_t start = ins_mono_us();

	stats_path(sp, sizeof(sp), "noreader");
	run_emulator(args, &r);
	int64_t elapsed_us = ins_mono_us() - start;
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "emulator failed: %s", r.err);
	/* Two waits of 0.3 s and the 0.1 s outage: a lower bound, whatever the load. */
	ck_assert_int_ge(elapsed_us, 700000);
	ck_assert_int_eq(sscanf((char *)r.out, "%127s %127s", path1, path2), 2);
	snprintf(want, sizeof(want), "closing %s with at least ", path1);
	ck_assert_msg(strstr((char *)r.err, want) != NULL, "stderr: %s", r.err);
	const char *second = strstr((char *)r.err, want) + strlen(want);
	snprintf(want, sizeof(want), "closing %s with at least ", path2);
	ck_assert_msg(strstr(second, want) != NULL, "stderr: %s", r.err);
	json_t *stats = load_stats(sp);
	ck_assert(json_is_true(json_object_get(stats, "complete")));
	ck_assert_uint_eq(json_u64(stats, "faults", "unplugs"), 1);
	ck_assert_uint_eq(json_u64(json_object_get(stats, "feet"), "left", "frames_sent"), 90);
	ck_assert_uint_eq(json_u64(json_object_get(stats, "feet"), "left", "lost_unplugged"), 10);
	ck_assert_uint_eq(json_u64(stats, "bytes_written", NULL), 2 * 90 * FSR16_FRAME_BYTES);
	json_decref(stats);
	emu_run_free(&r);
}
END_TEST

START_TEST(emulator_sigterm_writes_stats)
{
	char sp[512], link[512], path[128];
	const char *args[] = { "--link", link, "--stats", sp, "--drop", "3", NULL };
	int out, err, status;

	stats_path(sp, sizeof(sp), "term");
	snprintf(link, sizeof(link), INS_TEST_BUILDDIR "/tests/unit/synth-emu-term-%ld", (long)getpid());
	pid_t pid = spawn_emulator(args, &out, &err);
	ck_assert_int_eq(read_line(out, path, sizeof(path)), 0);
	/* Take ten frames (five per foot) before stopping it. */
	int fd = open_link(link);
	uint8_t buf[10 * FSR16_FRAME_BYTES];
	size_t got = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ck_assert_int_ge(fd, 0);
	while (got < sizeof(buf)) {
		ck_assert_int_gt(poll(&pfd, 1, EMU_READ_TIMEOUT_MS), 0);
		ssize_t r = read(fd, buf + got, sizeof(buf) - got);
		if (r > 0)
			got += (size_t)r;
	}
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(access(link, F_OK), -1);
	json_t *stats = load_stats(sp);
	ck_assert(json_is_false(json_object_get(stats, "complete")));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(stats, "ptys"), 0)), path);
	ck_assert_uint_ge(json_u64(stats, "frames_per_foot", NULL), 5);
	json_decref(stats);
	close(fd);
	close(out);
	close(err);
}
END_TEST

/* `insoled-emulator --stdout | head`: the reader leaving ends the run cleanly. */
START_TEST(emulator_stdout_reader_leaving_ends_the_run)
{
	char sp[512];
	const char *args[] = { "--stdout", "--speed", "0", "--stats", sp, NULL };
	uint8_t buf[1000];
	size_t got = 0;
	int out, err, status;

	stats_path(sp, sizeof(sp), "epipe");
	pid_t pid = spawn_emulator(args, &out, &err);
	while (got < sizeof(buf)) {
		ssize_t r = read(out, buf + got, sizeof(buf) - got);
		ck_assert_int_gt(r, 0);
		got += (size_t)r;
	}
	ck_assert_uint_eq(buf[0], INS_PROTO_SYNC0);
	close(out);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	json_t *stats = load_stats(sp);
	ck_assert(json_is_false(json_object_get(stats, "complete")));
	json_decref(stats);
	close(err);
}
END_TEST

Suite *ins_suite_emulator(void);
Suite *ins_suite_emulator(void)
{
	Suite *s = suite_create("emulator");
	TCase *tc = tcase_create("faults");

	tcase_set_timeout(tc, EMU_TCASE_TIMEOUT_S);
	tcase_add_test(tc, emulator_binary_faults_are_counted_exactly);
	tcase_add_test(tc, emulator_ascii_faults_are_counted_exactly);
	tcase_add_test(tc, emulator_ascii_crlf_faults_are_counted_exactly);
	tcase_add_test(tc, emulator_bare_lines_are_counted_exactly);
	tcase_add_test(tc, emulator_streams_the_model);
	tcase_add_test(tc, emulator_same_seed_same_bytes);
	tcase_add_loop_test(tc, emulator_rejects_bad_options, 0,
			    (int)(sizeof(emulator_bad_args) / sizeof(emulator_bad_args[0])));
	tcase_add_test(tc, emulator_unplug_replug_keeps_every_sent_frame);
	tcase_add_test(tc, emulator_waits_for_a_late_reader);
	tcase_add_loop_test(tc, emulator_waits_for_an_attached_reader_that_stalls, 0, 2);
	tcase_add_test(tc, emulator_closes_a_pty_nobody_opens_after_the_wait);
	tcase_add_test(tc, emulator_sigterm_writes_stats);
	tcase_add_test(tc, emulator_stdout_reader_leaving_ends_the_run);
	suite_add_tcase(s, tc);
	return s;
}
