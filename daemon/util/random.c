/* Reproducible random numbers (random.h). */
#include <config.h>

#include <math.h>

#include "insoled/random.h"

#define SPLITMIX64_GAMMA 0x9E3779B97F4A7C15ull

uint64_t ins_splitmix64(uint64_t x)
{
	x += SPLITMIX64_GAMMA;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

uint64_t ins_splitmix64_next(uint64_t *state)
{
	uint64_t v = ins_splitmix64(*state);

	*state += SPLITMIX64_GAMMA;
	return v;
}

double ins_unit_from_bits(uint64_t bits)
{
	return ((double)(bits >> 11) + 1.0) * 0x1.0p-53;
}

double ins_gauss_from_bits(uint64_t a, uint64_t b)
{
	return sqrt(-2.0 * log(ins_unit_from_bits(a))) * cos(2.0 * M_PI * ins_unit_from_bits(b));
}

void ins_xoshiro_seed(struct ins_xoshiro *x, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		seed = ins_splitmix64(seed);
		x->s[i] = seed;
	}
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t ins_xoshiro_next(struct ins_xoshiro *x)
{
	uint64_t *s = x->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double ins_xoshiro_gauss(struct ins_xoshiro *x)
{
	uint64_t a = ins_xoshiro_next(x);
	return ins_gauss_from_bits(a, ins_xoshiro_next(x));
}
