/* simboard: the reference insole firmware (contrib/firmware) on a simulated
 * ATmega328P (simavr), wired to a simulated insole, its serial port on a
 * pseudo-terminal that insoled opens as a device.
 *
 * The insole: 8 sensors whose forces come from a recording (a gaitpdb walk,
 * newtons per sensor, 100 rows a second) or, without one, from a built-in
 * synthetic walk that is also written out so insoled --analyze can read the
 * same signal.  A sensor's force becomes a voltage through an ideal linear
 * front end (--full-scale-n newtons = AVcc = 5 V), so each sample's ADC
 * count is known exactly and written to --expect.  With --mux the sensors
 * sit on a CD74HC4067: the voltage on ADC0 is the sensor the firmware has
 * selected on PB0..PB3 at the moment a conversion starts; without, sensor i
 * is on ADCi.  The recording row fed is the one in progress at that
 * simulated time (sample and hold), so a frame sampled on the firmware's
 * tick k carries row k when firmware and recording share a rate.
 *
 * Simulation runs as fast as the host allows (the simulated CPU's sleep is
 * not turned into real sleep), throttled only by the reader of the pty.
 * With --start-file it runs the first 50 ms (a few frames, so the reader
 * sees a streaming device), then waits for that file to exist and for a
 * reader on the pty.  At the end it waits for the reader to have taken
 * every byte, then writes --stats ("drained" says whether it did).
 * Usage: see usage() below.  Exit 0 after SIGTERM/SIGINT once done, 1 on
 * error (the message names what was wrong). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <avr_adc.h>
#include <avr_ioport.h>
#include <avr_uart.h>
#include <sim_avr.h>
#include <sim_elf.h>

#define SENSORS 8
#define ROW_US 10000            /* recordings are 100 rows a second */
#define AVCC_MV 5000
#define PORTB_ADDR 0x25          /* data-space address of PORTB on the ATmega328P */
#define MAX_ROWS (3600 * 100)
#define OUT_CAP 65536
/* Simulated time run before waiting for --start-file: a few frames. */
#define PREROLL_US 50000
/* How long the reader may take to read the last bytes: generous, for a
 * loaded machine; the stats say whether it did. */
#define DRAIN_TIMEOUT_MS 30000

struct options {
	const char *firmware, *recording, *write_recording, *link, *start_file, *expect, *stats;
	int foot, ascii, mux;
	double seconds, full_scale_n;
	double speed; /* at most this many simulated seconds per wall second; 0: flat out */
};

struct board {
	struct options opt;
	avr_t *avr;
	uint16_t (*counts)[SENSORS]; /* per row, the ADC count of each sensor */
	size_t rows;
	int master;
	char slave[64];
	int drained; /* the reader took every byte before the stats were written */
	uint8_t out[OUT_CAP];
	size_t out_len;
	uint64_t bytes, conversions, scans;
	uint64_t first_scan_us, last_scan_us;
	int64_t fed_row;
	FILE *expect;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "simboard: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(void)
{
	fputs("usage: simboard --firmware ELF (--recording GAITPDB.txt | --synthetic FILE) [--foot left|right]\n"
	      "         [--ascii] [--mux] [--seconds S] [--speed X] [--full-scale-n N] [--link PATH]\n"
	      "         [--start-file PATH] [--expect FILE] [--stats FILE]\n", stderr);
	exit(2);
}

static double parse_positive(const char *name, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*end || !(v > 0))
		die("%s: must be a positive number", name);
	return v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	*o = (struct options){ .seconds = 30, .full_scale_n = 512 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = 1;

		if (!strcmp(a, "--ascii"))
			o->ascii = 1, takes = 0;
		else if (!strcmp(a, "--mux"))
			o->mux = 1, takes = 0;
		else if (!v)
			usage();
		else if (!strcmp(a, "--firmware"))
			o->firmware = v;
		else if (!strcmp(a, "--recording"))
			o->recording = v;
		else if (!strcmp(a, "--synthetic"))
			o->write_recording = v;
		else if (!strcmp(a, "--foot") && (!strcmp(v, "left") || !strcmp(v, "right")))
			o->foot = !strcmp(v, "right");
		else if (!strcmp(a, "--seconds"))
			o->seconds = parse_positive(a, v);
		else if (!strcmp(a, "--speed"))
			o->speed = parse_positive(a, v);
		else if (!strcmp(a, "--full-scale-n"))
			o->full_scale_n = parse_positive(a, v);
		else if (!strcmp(a, "--link"))
			o->link = v;
		else if (!strcmp(a, "--start-file"))
			o->start_file = v;
		else if (!strcmp(a, "--expect"))
			o->expect = v;
		else if (!strcmp(a, "--stats"))
			o->stats = v;
		else
			usage();
		i += takes;
	}
	if (!o->firmware || !o->recording == !o->write_recording)
		usage();
}

/* ---- the insole's signal ---------------------------------------------------- */

static uint16_t newtons_to_counts(const struct board *b, double n)
{
	double c = n / b->opt.full_scale_n * 1024.0;

	return (uint16_t)(c <= 0 ? 0 : c >= 1023 ? 1023 : lround(c));
}

/* Reads a gaitpdb file: time, L1..L8, R1..R8, two totals, newtons. */
static void load_recording(struct board *b, size_t max_rows)
{
	FILE *f = fopen(b->opt.recording, "r");
	char line[1024];

	if (!f)
		die("cannot open the recording %s", b->opt.recording);
	while (b->rows < max_rows && fgets(line, sizeof(line), f)) {
		double v[19];
		int n = sscanf(line, "%lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf", &v[0],
			       &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12],
			       &v[13], &v[14], &v[15], &v[16], &v[17], &v[18]);

		if (n != 19)
			die("%s: a row without the 19 gaitpdb columns", b->opt.recording);
		/* gaitpdb's stamps wander up to ~2 ms around the 100 Hz grid;
		 * the board plays row i at i x 10 ms */
		if (fabs(v[0] - (double)b->rows * ROW_US / 1e6) >= ROW_US / 2e6)
			die("%s: row %zu at %.4f s: rows are not 100 a second from 0 s", b->opt.recording,
			    b->rows + 1, v[0]);
		for (int s = 0; s < SENSORS; s++)
			b->counts[b->rows][s] = newtons_to_counts(b, v[1 + SENSORS * b->opt.foot + s]);
		b->rows++;
	}
	fclose(f);
	if (b->rows < max_rows)
		die("%s: shorter than --seconds", b->opt.recording);
}

/* One foot's sensor forces at time t of a steady synthetic walk: a
 * double-humped stance force rolling from the heel sensor to the toe. */
static void synthetic_forces(double t, int foot, double *n)
{
	const double stride_s = 1.1, stance = 0.62, body_n = 700;
	const double y_mm[SENSORS] = { 30, 80, 80, 130, 130, 180, 180, 230 };
	double phase = fmod(t / stride_s + (foot ? 0.5 : 0.0), 1.0), s = phase / stance, total, sum = 0;

	for (int i = 0; i < SENSORS; i++)
		n[i] = 0;
	if (s >= 1)
		return;
	total = body_n * (0.95 * sin(M_PI * s) + 0.22 * sin(3 * M_PI * s));
	for (int i = 0; i < SENSORS; i++) {
		double d = (y_mm[i] - (30 + 200 * s)) / 45;

		n[i] = exp(-d * d);
		sum += n[i];
	}
	for (int i = 0; i < SENSORS; i++)
		n[i] = total > 0 ? total * n[i] / sum : 0;
}

/* Makes the synthetic walk and writes it as gaitpdb text for --analyze. */
static void make_synthetic(struct board *b, size_t rows)
{
	FILE *f = fopen(b->opt.write_recording, "w");

	if (!f)
		die("cannot write %s", b->opt.write_recording);
	for (b->rows = 0; b->rows < rows; b->rows++) {
		double t = (double)b->rows * ROW_US / 1e6, n[2][SENSORS], total[2] = { 0, 0 };

		fprintf(f, "%.4f", t);
		for (int foot = 0; foot < 2; foot++) {
			synthetic_forces(t, foot, n[foot]);
			for (int s = 0; s < SENSORS; s++) {
				fprintf(f, "\t%.2f", n[foot][s]);
				total[foot] += n[foot][s];
			}
		}
		fprintf(f, "\t%.2f\t%.2f\n", total[0], total[1]);
		for (int s = 0; s < SENSORS; s++)
			b->counts[b->rows][s] = newtons_to_counts(b, n[b->opt.foot][s]);
	}
	if (fclose(f) != 0)
		die("cannot write %s", b->opt.write_recording);
}

/* ---- the simulated board ------------------------------------------------------ */

static uint64_t sim_us(const struct board *b)
{
	return b->avr->cycle * 1000000ull / b->avr->frequency;
}

/* A conversion starts: put the selected sensor's voltage on the ADC input
 * the firmware is converting.  The count c needs ceil(c * 5000 / 1023) mV
 * (simavr scales mV * 1023 / AVcc). */
static void on_conversion(struct avr_irq_t *irq, uint32_t value, void *param)
{
	struct board *b = param;
	union { avr_adc_mux_t mux; uint32_t v; } e = { .v = value };
	unsigned sensor = b->opt.mux ? b->avr->data[PORTB_ADDR] & 0x0F : e.mux.src;
	unsigned input = b->opt.mux ? 0 : e.mux.src;
	uint64_t now = sim_us(b);
	int64_t row = (int64_t)(now / ROW_US);
	uint32_t mv = 0;

	(void)irq;
	if (sensor == 0) {
		b->scans++;
		if (b->scans == 1)
			b->first_scan_us = now;
		b->last_scan_us = now;
	}
	if ((size_t)row >= b->rows)
		row = (int64_t)b->rows - 1;
	if (sensor < SENSORS)
		mv = (uint32_t)((b->counts[row][sensor] * (uint32_t)AVCC_MV + 1022) / 1023);
	if (row != b->fed_row && b->expect) {
		fprintf(b->expect, "%lld", (long long)row * ROW_US);
		for (int s = 0; s < SENSORS; s++)
			fprintf(b->expect, " %u", b->counts[row][s]);
		fputc('\n', b->expect);
	}
	b->fed_row = row;
	b->conversions++;
	avr_raise_irq(avr_io_getirq(b->avr, AVR_IOCTL_ADC_GETIRQ, (int)(ADC_IRQ_ADC0 + input)), mv);
}

static void on_uart_byte(struct avr_irq_t *irq, uint32_t value, void *param)
{
	struct board *b = param;

	(void)irq;
	if (b->out_len < OUT_CAP) /* flushed every ~1 ms: 12 bytes at 115200 baud */
		b->out[b->out_len++] = (uint8_t)value;
	b->bytes++;
}

/* The simulated CPU sleeps until its next interrupt; simavr would sleep the
 * host for as long.  Skipping that runs the simulation flat out. */
static void sleep_not(avr_t *avr, avr_cycle_count_t how_long)
{
	(void)avr;
	(void)how_long;
}

static void board_init(struct board *b)
{
	elf_firmware_t fw;
	uint32_t flags = 0;

	memset(&fw, 0, sizeof(fw));
	if (elf_read_firmware(b->opt.firmware, &fw) != 0)
		die("cannot read the firmware %s", b->opt.firmware);
	b->avr = avr_make_mcu_by_name("atmega328p");
	if (!b->avr)
		die("%s", "simavr has no atmega328p");
	avr_init(b->avr);
	b->avr->log = LOG_WARNING;
	fw.frequency = 16000000;
	avr_load_firmware(b->avr, &fw);
	b->avr->vcc = b->avr->avcc = AVCC_MV;
	b->avr->sleep = sleep_not;
	/* no console echo, no host sleep while polling */
	avr_ioctl(b->avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
	avr_irq_register_notify(avr_io_getirq(b->avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), on_uart_byte, b);
	avr_irq_register_notify(avr_io_getirq(b->avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_OUT_TRIGGER), on_conversion, b);
	/* jumpers: D2 to GND = right foot, D3 to GND = ASCII; open = pulled high */
	avr_raise_irq(avr_io_getirq(b->avr, AVR_IOCTL_IOPORT_GETIRQ('D'), IOPORT_IRQ_PIN2), b->opt.foot ? 0 : 1);
	avr_raise_irq(avr_io_getirq(b->avr, AVR_IOCTL_IOPORT_GETIRQ('D'), IOPORT_IRQ_PIN3), b->opt.ascii ? 0 : 1);
}

/* ---- the serial port ----------------------------------------------------------- */

static void pty_open(struct board *b)
{
	struct termios tio;
	const char *slave;
	int fd;

	b->master = posix_openpt(O_RDWR | O_NOCTTY);
	if (b->master < 0 || grantpt(b->master) != 0 || unlockpt(b->master) != 0 || !(slave = ptsname(b->master)))
		die("cannot make a pseudo-terminal: %s", strerror(errno));
	fd = open(slave, O_RDWR | O_NOCTTY);
	if (fd < 0 || tcgetattr(fd, &tio) != 0)
		die("cannot set up %s", slave);
	cfmakeraw(&tio);
	tcsetattr(fd, TCSANOW, &tio);
	close(fd);
	if (b->opt.link) {
		unlink(b->opt.link);
		if (symlink(slave, b->opt.link) != 0)
			die("cannot link %s", b->opt.link);
	}
	snprintf(b->slave, sizeof(b->slave), "%s", slave);
	printf("%s\n", slave);
	fflush(stdout);
}

/* Hands the bytes sent so far to the pty, waiting while its reader is behind. */
static void pty_flush(struct board *b)
{
	size_t done = 0;

	while (done < b->out_len && !stop) {
		ssize_t w = write(b->master, b->out + done, b->out_len - done);

		if (w > 0) {
			done += (size_t)w;
		} else if (w < 0 && errno != EINTR && errno != EAGAIN) {
			die("writing the pty: %s", strerror(errno));
		} else {
			struct pollfd p = { .fd = b->master, .events = POLLOUT };

			poll(&p, 1, 100);
		}
	}
	b->out_len = 0;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* Until --start-file exists and a reader has the pty open (the master
 * reports a hang-up while no one has the slave open, once it was opened),
 * so no byte waits in the pty for a reader that may flush it. */
static void wait_for_start(const struct board *b)
{
	struct pollfd p = { .fd = b->master, .events = POLLOUT };

	while (b->opt.start_file && !stop) {
		p.revents = 0;
		poll(&p, 1, 0);
		if (access(b->opt.start_file, F_OK) == 0 && !(p.revents & POLLHUP))
			return;
		nap_ms(20);
	}
}

/* Waits (at most DRAIN_TIMEOUT_MS) until the reader has taken every byte
 * from the pty, so that whoever reads the stats knows the reader has all. */
static int wait_drained(const struct board *b)
{
	int fd = open(b->slave, O_RDONLY | O_NOCTTY | O_NONBLOCK), queued = -1;

	for (int waited = 0; fd >= 0 && waited < DRAIN_TIMEOUT_MS && !stop; waited += 20) {
		if (ioctl(fd, FIONREAD, &queued) != 0 || queued == 0)
			break;
		nap_ms(20);
	}
	if (fd >= 0)
		close(fd);
	return queued == 0;
}

static void write_stats(const struct board *b, double wall_s)
{
	FILE *f = fopen(b->opt.stats, "w");

	if (!f)
		die("cannot write %s", b->opt.stats);
	fprintf(f,
		"{\"sim_us\":%llu,\"wall_s\":%.3f,\"bytes\":%llu,\"conversions\":%llu,\"scans\":%llu,"
		"\"first_scan_us\":%llu,\"last_scan_us\":%llu,\"state\":%d,\"drained\":%s}\n",
		(unsigned long long)sim_us(b), wall_s, (unsigned long long)b->bytes,
		(unsigned long long)b->conversions, (unsigned long long)b->scans,
		(unsigned long long)b->first_scan_us, (unsigned long long)b->last_scan_us, b->avr->state,
		b->drained ? "true" : "false");
	if (fclose(f) != 0)
		die("cannot write %s", b->opt.stats);
}

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* With --speed, waits while the simulation is ahead of the wall clock
 * times the speed: a reader built for a real board's pace (insoled's frame
 * queue) then sees a bounded rate, not the host's full speed. */
static void throttle(const struct board *b, uint64_t start_sim_us, double start_wall)
{
	double ahead;

	if (b->opt.speed <= 0)
		return;
	ahead = (double)(sim_us(b) - start_sim_us) / 1e6 / b->opt.speed - (wall_seconds() - start_wall);
	if (ahead > 0.001) {
		struct timespec ts = { (time_t)ahead, (long)((ahead - (double)(time_t)ahead) * 1e9) };

		nanosleep(&ts, NULL);
	}
}

/* Runs the board until end_us of simulated time. */
static void simulate(struct board *b, uint64_t end_us)
{
	const uint64_t start_sim_us = sim_us(b);
	const double start_wall = wall_seconds();

	while (sim_us(b) < end_us && !stop) {
		for (int i = 0; i < 20000; i++) { /* about 1 ms of simulated time */
			int state = avr_run(b->avr);

			if (state == cpu_Done || state == cpu_Crashed)
				die("the firmware stopped (%s)", state == cpu_Done ? "done" : "crashed");
		}
		pty_flush(b);
		throttle(b, start_sim_us, start_wall);
	}
}

int main(int argc, char **argv)
{
	static struct board b;
	double t0, busy_s; /* wall-clock seconds spent simulating */

	parse_options(argc, argv, &b.opt);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	b.counts = calloc(MAX_ROWS, sizeof(*b.counts));
	if (!b.counts)
		die("%s", "out of memory");
	if (b.opt.seconds > MAX_ROWS / 100 - 1)
		die("%s", "--seconds: at most an hour");
	if (b.opt.recording)
		load_recording(&b, (size_t)(b.opt.seconds * 100) + 2);
	else
		make_synthetic(&b, (size_t)(b.opt.seconds * 100) + 2);
	b.fed_row = -1;
	if (b.opt.expect && !(b.expect = fopen(b.opt.expect, "w")))
		die("cannot write %s", b.opt.expect);
	board_init(&b);
	pty_open(&b);
	/* The first frames tell a reader the device is streaming; the rest
	 * waits for --start-file, so a recording can start before it. */
	t0 = wall_seconds();
	simulate(&b, PREROLL_US);
	busy_s = wall_seconds() - t0;
	wait_for_start(&b);
	t0 = wall_seconds();
	simulate(&b, (uint64_t)(b.opt.seconds * 1e6));
	busy_s += wall_seconds() - t0;
	b.drained = wait_drained(&b);
	if (b.expect && fclose(b.expect) != 0)
		die("cannot write %s", b.opt.expect);
	if (b.opt.stats)
		write_stats(&b, busy_s);
	while (!stop)
		pause(); /* keep the pty open until told: the reader may still be reading */
	return 0;
}
