/* Build-time settings of the reference firmware.  Each can be set on the
 * make command line (make SENSORS=8 RATE_HZ=200 ...), which passes -D flags;
 * README.md explains each one. */
#ifndef INSOLE_FW_CONFIG_H
#define INSOLE_FW_CONFIG_H

/* CPU clock of an Arduino Uno/Nano. */
#ifndef F_CPU
#define F_CPU 16000000UL
#endif

/* Sensors sent in every frame, in the order of the insole's layout file:
 * multiplexer channel i (or ADC pin Ai) is sensor i + 1. */
#ifndef FW_SENSORS
#define FW_SENSORS 16
#endif

/* 1: sensors on a CD74HC4067 (S0..S3 on D8..D11, SIG on A0), up to 16.
 * 0: sensors straight on the ADC pins A0..A7, up to 8 (A6, A7: Nano only). */
#ifndef FW_MUX
#define FW_MUX 1
#endif

/* Frames per second.  The device clock advances by exactly 1e6 / FW_RATE_HZ
 * us per frame, so the rate must divide 1,000,000 (50, 100, 125, 200...). */
#ifndef FW_RATE_HZ
#define FW_RATE_HZ 100
#endif

/* Serial speed, 8N1. */
#ifndef FW_BAUD
#define FW_BAUD 115200UL
#endif

/* Microseconds to wait after switching the multiplexer before converting:
 * the new sensor's voltage has to charge the mux, cable and ADC input
 * capacitance through the divider (docs in README.md, "Settle time"). */
#ifndef FW_SETTLE_US
#define FW_SETTLE_US 20
#endif

/* 1: ASCII lines even without the format jumper (for a serial monitor). */
#ifndef FW_ASCII_DEFAULT
#define FW_ASCII_DEFAULT 0
#endif

#endif
