/* LD_PRELOAD interposer for the libserialport-path test: a pty bind-mounted
 * over /dev/ttyS* has the sysfs entry libserialport looks for, but the
 * kernel rejects the modem-line ioctls (TIOCMGET, TIOCMSET, TIOCMBIS,
 * TIOCMBIC) that sp_open() and its configuration calls make.  This answers
 * them from a per-process copy of the modem lines when the real ioctl
 * fails with ENOTTY or EINVAL; every other request goes to libc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <termios.h>

static int modem_lines = TIOCM_DTR | TIOCM_RTS | TIOCM_CTS | TIOCM_DSR | TIOCM_CD;

static int emulate(unsigned long request, int *arg)
{
	switch (request) {
	case TIOCMGET: *arg = modem_lines; return 0;
	case TIOCMSET: modem_lines = *arg; return 0;
	case TIOCMBIS: modem_lines |= *arg; return 0;
	case TIOCMBIC: modem_lines &= ~*arg; return 0;
	}
	return -1;
}

int ioctl(int fd, unsigned long request, ...);
int ioctl(int fd, unsigned long request, ...)
{
	static int (*real_ioctl)(int, unsigned long, ...);
	va_list ap;
	void *arg;
	int rc;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real_ioctl)
		real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	rc = real_ioctl(fd, request, arg);
	if (rc < 0 && (errno == ENOTTY || errno == EINVAL) &&
	    (request == TIOCMGET || request == TIOCMSET || request == TIOCMBIS || request == TIOCMBIC) && arg)
		return emulate(request, arg);
	return rc;
}
