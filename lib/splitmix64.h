/* splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): expands one seed into independent 64-bit keys —
 * the permutation's round keys and the cookie key. */
#ifndef TIDESCAN_SPLITMIX64_H
#define TIDESCAN_SPLITMIX64_H

#include <stdint.h>

static inline uint64_t
splitmix64_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif
