/* Small, seedable, reproducible random numbers for the synthetic insole and
 * the emulator's fault plan: the same seed gives the same numbers on every
 * machine.  Not for anything secret. */
#ifndef INSOLED_RANDOM_H
#define INSOLED_RANDOM_H

#pragma GCC visibility push(default)

#include <stdint.h>

/* splitmix64 (Steele, Lea, Flood 2014) as a hash: the output for state x.
 * A counter-based generator: hash (seed, index) to draw number `index`
 * without drawing the ones before it. */
uint64_t ins_splitmix64(uint64_t x);
/* The sequence: the next number of *state, which it advances. */
uint64_t ins_splitmix64_next(uint64_t *state);

/* Uniform in (0, 1]: never 0, so log() of it is finite. */
double ins_unit_from_bits(uint64_t bits);
/* A standard normal number from two uniform 64-bit draws (Box-Muller). */
double ins_gauss_from_bits(uint64_t a, uint64_t b);

/* xoshiro256** (Blackman, Vigna 2018): a fast stream, seeded through
 * splitmix64 as its authors recommend. */
struct ins_xoshiro {
	uint64_t s[4];
};
void ins_xoshiro_seed(struct ins_xoshiro *x, uint64_t seed);
uint64_t ins_xoshiro_next(struct ins_xoshiro *x);
double ins_xoshiro_gauss(struct ins_xoshiro *x);

#pragma GCC visibility pop

#endif
