/* insoled-emulator: the output, a pseudo-terminal (or stdout) with its
 * readers watched, and unplugging and replugging it. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "insoled/clock.h"

#include "emulator_priv.h"

#define LOG_PREFIX "emulator"

/* ---- output: pty or stdout ------------------------------------------------ */

static int set_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* The link is replaced atomically so a reader never sees it missing or half
 * written while a pty exists. */
static int point_link(const struct emulator *e)
{
	char tmp[4096];

	if (!e->opt.link)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.new.%ld", e->opt.link, (long)getpid());
	unlink(tmp);
	if (symlink(e->pty_path, tmp) < 0 || rename(tmp, e->opt.link) < 0) {
		ins_err("cannot point %s at %s: %s", e->opt.link, e->pty_path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Removes the link if it still names our pty (another emulator may have
 * taken it over). */
static void remove_link(const struct emulator *e)
{
	char target[sizeof(e->pty_path)];
	ssize_t n;

	if (!e->opt.link)
		return;
	n = readlink(e->opt.link, target, sizeof(target) - 1);
	if (n < 0)
		return;
	target[n] = '\0';
	if (strcmp(target, e->pty_path) == 0)
		unlink(e->opt.link);
}

/* Who holds the slave is asked in two ways.  The kernel's record of opens
 * and final closes of the slave node (inotify IN_OPEN / IN_CLOSE: one pair
 * per open file description, whoever holds it) says when something changed,
 * and keeps a count; but inotify merges an event with an identical one
 * still unread, so two opens before we look count as one, and a probe that
 * opens and closes the pty beside the reader (`stty -F`, a port scan) would
 * leave the reader uncounted.  So on every change the processes' open
 * descriptors are looked at (/proc/PID/fd, as fuser does), which is exact
 * for every process we may inspect; the count decides only when a process
 * we may not inspect could be the holder.  Our own slave descriptor is
 * opened before the watch exists and is neither counted nor looked at. */
static void watch_readers(struct emulator *e)
{
	e->readers = 0;
	e->readers_known = 0;
	e->attached = 0;
	e->watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (e->watch_fd >= 0 && inotify_add_watch(e->watch_fd, e->pty_path, IN_OPEN | IN_CLOSE) >= 0) {
		e->readers_known = 1;
		return;
	}
	ins_warn("cannot watch %s for readers (%s): its holders are looked for every %d ms", e->pty_path,
		 strerror(errno), DRAIN_POLL_US / 1000);
	if (e->watch_fd >= 0)
		close(e->watch_fd);
	e->watch_fd = -1;
}

/* Takes the opens and closes seen since the last call; returns whether
 * there were any. */
static int take_watch_events(struct emulator *e)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int changed = 0;
	ssize_t n;

	while ((n = read(e->watch_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->mask & IN_Q_OVERFLOW)
				e->readers_known = 0; /* the count is lost */
			if (ev->mask & IN_OPEN)
				e->readers++;
			if ((ev->mask & IN_CLOSE) && e->readers > 0)
				e->readers--;
			p += sizeof(*ev) + ev->len;
			changed = 1;
		}
	}
	return changed;
}

/* 1: process pid holds the character device rdev open (other than on
 * descriptor skip_fd); 0: it does not, or it has gone; -1: not known (its
 * descriptors may not be inspected). */
static int process_holds(const char *pid, dev_t rdev, int skip_fd)
{
	char path[sizeof("/proc//fd") + NAME_MAX];
	struct dirent *d;
	struct stat st;
	int found = 0;
	DIR *fds;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	if (!(fds = opendir(path)))
		return errno == ENOENT ? 0 : -1;
	while (!found && (d = readdir(fds))) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9' || atoi(d->d_name) == skip_fd)
			continue;
		found = fstatat(dirfd(fds), d->d_name, &st, 0) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == rdev;
	}
	closedir(fds);
	return found;
}

/* 1: a process other than us holds the slave open; 0: none does; -1: not
 * known (no /proc, or a process that may not be inspected). */
static int slave_held_elsewhere(const struct emulator *e)
{
	char self[24];
	struct dirent *d;
	struct stat pty;
	int unknown = 0, held = 0;
	DIR *proc;

	if (fstat(e->slave_fd, &pty) < 0 || !(proc = opendir("/proc")))
		return -1;
	snprintf(self, sizeof(self), "%ld", (long)getpid());
	while (!held && (d = readdir(proc))) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		int r = process_holds(d->d_name, pty.st_rdev, strcmp(d->d_name, self) == 0 ? e->slave_fd : -1);
		held = r > 0;
		unknown |= r < 0;
	}
	closedir(proc);
	return held ? 1 : unknown ? -1 : 0;
}

/* Brings e->attached up to date: whether a reader holds the pty.  A
 * reader found stays found until the pty is opened or closed again.  No
 * reader found is looked for again every READER_RELOOK_US even without
 * an open or close: a look that missed a holder (one of its processes
 * not to be inspected just then) must not close the pty on a reader with
 * bytes still to read. */
static void update_readers(struct emulator *e)
{
	int64_t now = ins_mono_us();
	int changed = e->watch_fd >= 0 && take_watch_events(e);
	int held;

	if (e->watch_fd >= 0 && !changed && e->attached_checked &&
	    (e->attached || now - e->looked_us < READER_RELOOK_US))
		return;
	e->looked_us = now;
	held = slave_held_elsewhere(e);
	e->attached = held >= 0 ? held : e->readers_known && e->readers > 0;
	e->attached_checked = 1;
}

/* Opens a new pty in raw mode.  We keep a slave descriptor open ourselves:
 * without it, bytes written while no reader is attached vanish and the
 * master reports hang-ups; with it they wait in the pty (up to its buffer,
 * then writes block) until a reader comes. */
int emu_open_pty(struct emulator *e)
{
	struct termios tio;
	const char *name;

	e->fd = posix_openpt(O_RDWR | O_NOCTTY);
	if (e->fd < 0 || grantpt(e->fd) < 0 || unlockpt(e->fd) < 0 || !(name = ptsname(e->fd))) {
		ins_err("cannot create a pseudo-terminal: %s", strerror(errno));
		return -1;
	}
	snprintf(e->pty_path, sizeof(e->pty_path), "%s", name);
	e->slave_fd = open(e->pty_path, O_RDWR | O_NOCTTY);
	if (e->slave_fd < 0 || tcgetattr(e->slave_fd, &tio) < 0) {
		ins_err("cannot open %s: %s", e->pty_path, strerror(errno));
		return -1;
	}
	cfmakeraw(&tio);
	cfsetispeed(&tio, B115200);
	cfsetospeed(&tio, B115200);
	if (tcsetattr(e->slave_fd, TCSANOW, &tio) < 0 || set_nonblocking(e->fd) < 0) {
		ins_err("cannot set %s raw: %s", e->pty_path, strerror(errno));
		return -1;
	}
	watch_readers(e); /* before the path is published: every reader's open is seen */
	json_array_append_new(e->ptys, json_string(e->pty_path));
	if (point_link(e) < 0)
		return -1;
	printf("%s\n", e->pty_path);
	fflush(stdout);
	ins_info("streaming on %s%s%s", e->pty_path, e->opt.link ? " via " : "",
		 e->opt.link ? e->opt.link : "");
	return 0;
}

void emu_close_pty(struct emulator *e)
{
	remove_link(e);
	if (e->watch_fd >= 0)
		close(e->watch_fd);
	if (e->fd >= 0)
		close(e->fd);
	if (e->slave_fd >= 0)
		close(e->slave_fd);
	e->fd = e->slave_fd = e->watch_fd = -1;
}

/* Discards whatever a reader wrote to its end (nobody listens to it). */
static void drain_input(int fd)
{
	uint8_t junk[512];

	while (read(fd, junk, sizeof(junk)) > 0)
		;
}

/* Waits until fd can take more bytes (or a stop was asked). */
static void wait_writable(const struct emulator *e)
{
	struct pollfd pfd = { .fd = e->fd, .events = POLLOUT | (e->slave_fd >= 0 ? POLLIN : 0) };

	if (poll(&pfd, 1, WRITE_POLL_MS) > 0 && (pfd.revents & POLLIN))
		drain_input(e->fd);
	if (pfd.revents & (POLLHUP | POLLERR))
		usleep(WRITE_POLL_MS * 1000); /* never spin on a hung-up descriptor */
}

int emu_write_all(struct emulator *e, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 0) {
		ssize_t w = write(e->fd, p, len);

		if (w > 0) {
			p += w;
			len -= (size_t)w;
			e->bytes_written += (uint64_t)w;
			continue;
		}
		if (emu_stop_requested)
			return -1;
		if (w < 0 && errno == EPIPE) {
			/* The reader of --stdout went away (| head): the end of the run. */
			ins_info("stdout closed by its reader");
			emu_stop_requested = 1;
			return -1;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR && errno != EIO) {
			ins_err("write to %s: %s", e->opt.to_stdout ? "stdout" : e->pty_path, strerror(errno));
			return -1;
		}
		wait_writable(e);
	}
	return 0;
}

void emu_pause_us(int64_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* Writes one item; --split cuts frames into 2 or 3 pieces at random
 * boundaries with a short pause between them in real-time mode. */
int emu_emit(struct emulator *e, const uint8_t *data, size_t len, int splittable)
{
	size_t cuts[2], n_cuts, at = 0;

	if (!e->opt.split || !splittable || len < 3)
		return emu_write_all(e, data, len);
	n_cuts = 1 + (size_t)emu_random_below(e, 2);
	cuts[0] = 1 + (size_t)emu_random_below(e, len - 1);
	cuts[1] = 1 + (size_t)emu_random_below(e, len - 1);
	if (n_cuts == 2 && cuts[1] < cuts[0]) {
		size_t t = cuts[0];
		cuts[0] = cuts[1];
		cuts[1] = t;
	}
	if (n_cuts == 2 && cuts[0] == cuts[1])
		n_cuts = 1;
	e->split_frames++;
	for (size_t i = 0; i <= n_cuts; i++) {
		size_t end = i < n_cuts ? cuts[i] : len;
		if (emu_write_all(e, data + at, end - at) < 0)
			return -1;
		e->split_writes++;
		at = end;
		if (i < n_cuts && e->opt.speed > 0)
			emu_pause_us(SPLIT_PAUSE_US);
	}
	return 0;
}

/* ---- unplug / replug ------------------------------------------------------- */

/* Bytes written to the pty that no reader has taken yet (0: all taken).
 * FIONREAD alone is not enough: it counts only the line discipline's
 * 4 KiB buffer, and a write lands first in the tty's flip buffer, which a
 * kernel worker moves over when it gets to run (on a loaded machine later
 * than any quiet period we could pick), and which stays put while the line
 * discipline is full until a reader's read() re-queues that worker.  So:
 * FIONREAD takes the tty's termios lock for writing and thereby waits for
 * a read() in progress, which re-queues the worker before it lets go
 * (n_tty_read -> n_tty_kick_worker); then poll(), finding nothing in the
 * line discipline, waits for the queued worker (n_tty_poll ->
 * tty_buffer_flush_work) and looks again.  A worker that re-queued itself
 * meanwhile is caught by the second round. */
static int pending_bytes(const struct emulator *e)
{
	for (int empty_rounds = 0; empty_rounds < DRAIN_EMPTY_ROUNDS;) {
		struct pollfd pfd = { .fd = e->slave_fd, .events = POLLIN };
		int n = 0;

		if (ioctl(e->slave_fd, FIONREAD, &n) < 0)
			return -1;
		if (n > 0)
			return n;
		if (poll(&pfd, 1, 0) < 0)
			return -1;
		if (!(pfd.revents & POLLIN))
			empty_rounds++;
	}
	return 0;
}

/* pending_bytes(), and when that finds nothing, once more after a pause:
 * a kernel worker that has not yet moved the last write into the line
 * discipline shows nothing for as long as a loaded machine keeps it
 * waiting, and the master closed then loses that write. */
static int pending_still(const struct emulator *e)
{
	int pending = pending_bytes(e);

	if (pending != 0)
		return pending;
	emu_pause_us(DRAIN_POLL_US);
	return pending_bytes(e);
}

/* Waits until readers have taken what was written: bytes still queued
 * when the master closes are lost (the slave is hung up).  While a reader
 * holds the pty the wait has no limit, however slowly it reads; with no
 * reader it is bounded, as nothing may ever come. */
void emu_wait_drained(struct emulator *e)
{
	int64_t now = ins_mono_us(), alone_since = now, next_note = now + DRAIN_NOTE_US;
	int64_t no_reader_wait_us = llround(e->opt.no_reader_wait_s * 1e6);
	int pending;

	e->attached_checked = 0;
	while (!emu_stop_requested && (pending = pending_still(e)) > 0) {
		update_readers(e);
		if (e->attached) {
			alone_since = now;
		} else if (now - alone_since >= no_reader_wait_us) {
			/* FIONREAD stops at the line discipline's 4 KiB: "at least". */
			ins_warn("closing %s with at least %d bytes nobody read", e->pty_path, pending);
			return;
		}
		if (now >= next_note) {
			ins_info("waiting for the reader of %s to take at least %d more bytes", e->pty_path, pending);
			next_note = now + DRAIN_NOTE_US;
		}
		emu_pause_us(DRAIN_POLL_US);
		now = ins_mono_us();
	}
}

void emu_unplug(struct emulator *e)
{
	emu_wait_drained(e);
	ins_info("unplugging %s for %.3f s", e->pty_path, e->opt.unplug_for_s);
	emu_close_pty(e);
	e->unplugs++;
}

int emu_replug(struct emulator *e)
{
	if (e->opt.speed == 0)
		emu_pause_us(llround(e->opt.unplug_for_s * 1e6)); /* nothing else paces the outage */
	/* A new stream: the parser forgets sequence and clock state. */
	for (unsigned f = 0; f < INS_FOOT_COUNT; f++) {
		e->foot[f].pending_lost = 0;
		e->foot[f].have_last = 0;
	}
	return emu_open_pty(e);
}
