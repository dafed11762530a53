/* Reference firmware for a DIY force-sensing-resistor insole on an
 * ATmega328P (Arduino Uno/Nano class): up to 16 FSRs through a CD74HC4067
 * multiplexer (or 8 on the ADC pins), sampled on a hardware-timer clock and
 * sent to insoled as protocol v1 frames (docs/protocol.md) over the board's
 * USB serial port.  Settings: config.h; wiring and use: README.md.
 *
 * Timer 1 ticks once per frame; its interrupt advances the device clock by
 * exactly one frame interval, so t_us is the timer's count of time, never
 * the loop's.  The main loop sleeps until a tick, scans the sensors, encodes
 * the frame with the encoder insoled itself uses (proto_encode.c) and hands
 * it to an interrupt-driven transmit ring.  A frame that finds the ring
 * still full, or a tick that passes while the loop is busy, is not sent but
 * still counted in seq, so insoled reports it as lost instead of the stream
 * silently slowing down. */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/pgmspace.h>
#include <avr/sleep.h>
#include <avr/wdt.h>
#include <util/delay.h>

#include "config.h"
#include "insoled/proto_encode.h"

#define FW_VERSION "1.0"
#if FW_MUX
#define FW_MUX_NAME "CD74HC4067"
#else
#define FW_MUX_NAME "ADC pins"
#endif

/* ---- build-time checks ---------------------------------------------------- */

#if FW_MUX
#if FW_SENSORS < 1 || FW_SENSORS > 16
#error "FW_SENSORS: a CD74HC4067 has 16 channels (1..16)"
#endif
#else
#if FW_SENSORS < 1 || FW_SENSORS > 8
#error "FW_SENSORS: without a multiplexer the ATmega328P has 8 ADC pins (1..8)"
#endif
#endif

#define PERIOD_US (1000000UL / FW_RATE_HZ)
#if FW_RATE_HZ < 1 || 1000000UL % FW_RATE_HZ != 0
#error "FW_RATE_HZ must divide 1,000,000 so every frame advances the clock by a whole number of us"
#endif

/* Timer 1 counts CPU cycles / prescaler; the smallest prescaler whose
 * period fits 16 bits keeps the tick exact. */
#define CYCLES_PER_US (F_CPU / 1000000UL)
#if PERIOD_US * CYCLES_PER_US / 8 <= 65536UL
#define TIMER_PRESCALE 8
#define TIMER_CLOCK_SELECT (1 << CS11)
#elif PERIOD_US * CYCLES_PER_US / 64 <= 65536UL
#define TIMER_PRESCALE 64
#define TIMER_CLOCK_SELECT ((1 << CS11) | (1 << CS10))
#else
#define TIMER_PRESCALE 256
#define TIMER_CLOCK_SELECT (1 << CS12)
#endif
#define TIMER_TICKS (PERIOD_US * CYCLES_PER_US / TIMER_PRESCALE)
#if F_CPU % 1000000UL != 0 || (PERIOD_US * CYCLES_PER_US) % TIMER_PRESCALE != 0 || TIMER_TICKS > 65536UL
#error "the frame interval is not a whole number of timer ticks at this F_CPU and FW_RATE_HZ"
#endif

/* A binary frame takes 10 bits per byte on the wire (8N1); keep 10 % of
 * the line free so a frame never waits for the previous one. */
#if INS_PROTO_BINARY_SIZE(FW_SENSORS) * 10UL * FW_RATE_HZ > FW_BAUD * 9UL / 10UL
#error "FW_RATE_HZ x frame size does not fit FW_BAUD: lower the rate or raise the baud rate"
#endif
/* One conversion is 13 ADC clocks of F_CPU / 128 (104 us at 16 MHz). */
#define CONVERSION_US (13UL * 128UL / CYCLES_PER_US)
#if FW_SENSORS * (FW_SETTLE_US + CONVERSION_US) >= PERIOD_US
#error "scanning FW_SENSORS with FW_SETTLE_US takes longer than one frame interval"
#endif

/* ---- pins ------------------------------------------------------------------ */

#define FOOT_JUMPER PD2   /* D2 to GND: right foot; open: left */
#define FORMAT_JUMPER PD3 /* D3 to GND: ASCII lines; open: binary frames */
#define LED PB5           /* D13: blinks once a second while sending */
#define MUX_SELECT_MASK 0x0F /* S0..S3 on PB0..PB3 (D8..D11) */

/* ---- the device clock ------------------------------------------------------ */

static volatile uint32_t clock_us;
static volatile uint32_t clock_ms;
static volatile uint16_t clock_ms_rem_us;
static volatile uint8_t ticks_pending;

ISR(TIMER1_COMPA_vect)
{
	clock_us += PERIOD_US;
	clock_ms += PERIOD_US / 1000UL;
	clock_ms_rem_us += PERIOD_US % 1000UL;
	if (clock_ms_rem_us >= 1000) {
		clock_ms_rem_us -= 1000;
		clock_ms++;
	}
	if (ticks_pending < 255)
		ticks_pending++;
}

static void timer_init(void)
{
	TCCR1A = 0;
	TCCR1B = (1 << WGM12) | TIMER_CLOCK_SELECT; /* CTC: clear at OCR1A */
	OCR1A = (uint16_t)(TIMER_TICKS - 1);
	TIMSK1 = 1 << OCIE1A;
}

struct tick {
	uint32_t t_us, t_ms;
	uint8_t count; /* ticks since the last one taken: > 1 means frames were skipped */
};

/* Takes the pending ticks and the clock at the latest one, atomically. */
static uint8_t take_tick(struct tick *tk)
{
	cli();
	tk->count = ticks_pending;
	ticks_pending = 0;
	tk->t_us = clock_us;
	tk->t_ms = clock_ms;
	sei();
	return tk->count;
}

/* Sleeps until an interrupt; the timer and the UART keep running. */
static void idle_until_tick(void)
{
	cli();
	if (!ticks_pending) {
		sleep_enable();
		sei();
		sleep_cpu();
		sleep_disable();
	}
	sei();
}

/* ---- serial output: a ring drained by the data-register-empty interrupt ---- */

static uint8_t tx_ring[256];
static volatile uint8_t tx_head, tx_tail; /* uint8_t indices wrap with the ring */

ISR(USART_UDRE_vect)
{
	if (tx_head != tx_tail)
		UDR0 = tx_ring[tx_tail++];
	else
		UCSR0B &= (uint8_t)~(1 << UDRIE0);
}

static void uart_init(void)
{
	const uint16_t ubrr = (uint16_t)((F_CPU + 4UL * FW_BAUD) / (8UL * FW_BAUD) - 1UL);

	UBRR0H = (uint8_t)(ubrr >> 8);
	UBRR0L = (uint8_t)ubrr;
	UCSR0A = 1 << U2X0;
	UCSR0B = 1 << TXEN0;
	UCSR0C = (1 << UCSZ01) | (1 << UCSZ00); /* 8N1 */
}

static uint8_t tx_free(void)
{
	return (uint8_t)(255u - (uint8_t)(tx_head - tx_tail));
}

static void tx_start(void)
{
	UCSR0B |= 1 << UDRIE0;
}

/* Queues len bytes, all or nothing; returns 0 when they do not fit. */
static uint8_t tx_put(const uint8_t *b, size_t len)
{
	if (len > tx_free())
		return 0;
	while (len--)
		tx_ring[tx_head++] = *b++;
	tx_start();
	return 1;
}

/* Queues a string from flash, waiting for room (only at boot). */
static void tx_put_flash(const char *s)
{
	char c;

	while ((c = (char)pgm_read_byte(s++)) != 0) {
		while (!tx_free())
			;
		tx_ring[tx_head++] = (uint8_t)c;
		tx_start();
	}
}

/* ---- sensors ------------------------------------------------------------ */

static void adc_init(void)
{
	ADMUX = 1 << REFS0;                                    /* AVcc reference, ADC0 */
	ADCSRA = (1 << ADEN) | (1 << ADPS2) | (1 << ADPS1) | (1 << ADPS0); /* F_CPU / 128 */
#if FW_MUX
	DDRB |= MUX_SELECT_MASK;
	DIDR0 = 1 << ADC0D;
#else
	DIDR0 = (uint8_t)((1u << (FW_SENSORS < 6 ? FW_SENSORS : 6)) - 1u); /* ADC6, ADC7 have no digital input */
#endif
}

static uint16_t adc_convert(void)
{
	ADCSRA |= 1 << ADSC;
	while (ADCSRA & (1 << ADSC))
		;
	return ADC;
}

/* Selects sensor i and waits for its voltage to settle on the ADC input. */
static void select_sensor(uint8_t i)
{
#if FW_MUX
	PORTB = (uint8_t)((PORTB & (uint8_t)~MUX_SELECT_MASK) | i);
#else
	ADMUX = (uint8_t)((1 << REFS0) | i);
#endif
	_delay_us(FW_SETTLE_US);
}

static void read_sensors(uint16_t *values)
{
	for (uint8_t i = 0; i < FW_SENSORS; i++) {
		select_sensor(i);
		values[i] = adc_convert();
	}
}

/* ---- frames ----------------------------------------------------------------- */

struct insole {
	uint8_t foot;  /* 0 left, 1 right: the foot jumper at power-up */
	uint8_t ascii; /* the format jumper at power-up */
	uint32_t seq;
	uint16_t blink;
	uint16_t values[FW_SENSORS];
	uint8_t frame[INS_PROTO_ASCII_SIZE(FW_SENSORS) > INS_PROTO_BINARY_SIZE(FW_SENSORS)
			      ? INS_PROTO_ASCII_SIZE(FW_SENSORS)
			      : INS_PROTO_BINARY_SIZE(FW_SENSORS)];
};

static void send_frame(struct insole *s, const struct tick *tk)
{
	size_t len;

	if (s->ascii)
		len = ins_proto_put_ascii((char *)s->frame, sizeof(s->frame), 0, s->foot, s->seq, tk->t_ms, s->values,
					  FW_SENSORS);
	else
		len = ins_proto_put_binary(s->frame, sizeof(s->frame), s->foot, s->seq, tk->t_us, s->values,
					   FW_SENSORS);
	tx_put(s->frame, len); /* no room: lost, and insoled sees the gap in seq */
	if (++s->blink >= FW_RATE_HZ / 2 + (FW_RATE_HZ < 2)) {
		s->blink = 0;
		PINB = 1 << LED; /* writing PINx toggles the pin */
	}
}

static void read_jumpers(struct insole *s)
{
	const uint8_t mask = (1 << FOOT_JUMPER) | (1 << FORMAT_JUMPER);

	DDRD &= (uint8_t)~mask;
	PORTD |= mask; /* pull-ups: an open jumper reads high */
	_delay_us(100);
	s->foot = !(PIND & (1 << FOOT_JUMPER));
	s->ascii = FW_ASCII_DEFAULT || !(PIND & (1 << FORMAT_JUMPER));
}

#define STR2(x) #x
#define STR(x) STR2(x)

static void announce(const struct insole *s, uint8_t reset_cause)
{
	tx_put_flash(PSTR("# insoled reference firmware " FW_VERSION ": " STR(FW_SENSORS) " sensors"
			  " (" FW_MUX_NAME "), " STR(FW_RATE_HZ) " Hz, "));
	tx_put_flash(s->foot ? PSTR("right foot, ") : PSTR("left foot, "));
	tx_put_flash(s->ascii ? PSTR("ascii") : PSTR("binary"));
	tx_put_flash(reset_cause & (1 << WDRF) ? PSTR(", restarted by the watchdog\n") : PSTR("\n"));
}

int main(void)
{
	static struct insole s;
	const uint8_t reset_cause = MCUSR;
	struct tick tk;

	MCUSR = 0;
	wdt_disable();
	DDRB |= 1 << LED;
	read_jumpers(&s);
	uart_init();
	adc_init();
	set_sleep_mode(SLEEP_MODE_IDLE);
	sei();
	announce(&s, reset_cause);
	timer_init();
	/* A hung scan or a stuck transmit restarts the board; insoled sees
	 * the seq restart and carries on. */
	wdt_enable(WDTO_2S); /* longer than the slowest frame interval (1 Hz) */
	for (;;) {
		wdt_reset();
		if (!take_tick(&tk)) {
			idle_until_tick();
			continue;
		}
		s.seq += tk.count - 1u; /* ticks that passed while busy: never sampled */
		read_sensors(s.values);
		send_frame(&s, &tk);
		s.seq++;
	}
}
