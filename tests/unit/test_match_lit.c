/* test_match_lit: the literal set finds exactly the literals that occur in a
 * subject (at its start, its end, overlapping, sharing windows or keys,
 * caseless or not), once each; checked on fixed cases and against a plain
 * search over random subjects from a small alphabet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "match_lit.h"
#include "match_prefix.h"

/* Whether lit occurs in data (ASCII case ignored when caseless). */
static int
occurs(const struct match_lit *lit, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i + lit->len <= len; i++) {
		size_t k = 0;

		while (k < lit->len &&
		       (lit->caseless ? match_prefix_fold(data[i + k])
				      : data[i + k]) == lit->bytes[k])
			k++;
		if (k == lit->len)
			return 1;
	}
	return 0;
}

/* The ids found in data as a bit mask (a repeated id sets bit 63). */
static unsigned long long
scan_mask(const struct lit_set *ls, const char *data, size_t len)
{
	unsigned out[64], n = lit_set_scan(ls, (const uint8_t *)data, len, out);
	unsigned long long mask = 0;

	for (unsigned i = 0; i < n; i++) {
		if (mask >> out[i] & 1)
			mask |= 1ull << 63;
		mask |= 1ull << out[i];
	}
	return mask;
}

static void
test_fixed(void)
{
	static const struct {
		const char *bytes;
		int caseless;
	} def[] = {
	    {"Server: nginx", 0}, {"server: apache", 1},
	    {"nginx", 0},	  {"\r\n\r\n", 0},
	    {"abcd", 0},	  {"bcde", 0},
	    {"xxxxxxxx", 0},	  {"\x00\x01\xff\xfe", 0},
	};
	struct match_lit lits[8];
	struct lit_set *ls;

	for (unsigned i = 0; i < 8; i++) {
		lits[i].bytes = (const uint8_t *)def[i].bytes;
		lits[i].len = (uint8_t)(i == 7 ? 4 : strlen(def[i].bytes));
		lits[i].caseless = (uint8_t)def[i].caseless;
		lits[i].id = i;
	}
	ls = lit_set_build(lits, 8);
	CHECK(ls != NULL);
	if (!ls)
		return;
	CHECK_EQ_U64(scan_mask(ls, "Server: nginx", 13), 0x5);
	CHECK_EQ_U64(scan_mask(ls, "SERVER: NGINX", 13), 0x0);
	CHECK_EQ_U64(
	    scan_mask(ls, "HTTP/1.1 200\r\nSERVER: Apache\r\n\r\n", 32), 0xa);
	CHECK_EQ_U64(scan_mask(ls, "abcde", 5), 0x30);
	CHECK_EQ_U64(scan_mask(ls, "abc", 3), 0x0);
	CHECK_EQ_U64(scan_mask(ls, "", 0), 0x0);
	CHECK_EQ_U64(scan_mask(ls, "xxxxxxxxxxx abcd abcd", 21), 0x50);
	CHECK_EQ_U64(scan_mask(ls, "xxxxxxx", 7), 0x0);
	CHECK_EQ_U64(scan_mask(ls, "ABCD nginx", 10), 0x4);
	CHECK_EQ_U64(scan_mask(ls, "-\x00\x01\xff\xfe", 5), 0x80);
	lit_set_free(ls);
	/* shorter than 4 bytes: refused */
	lits[0].len = 3;
	CHECK(lit_set_build(lits, 1) == NULL);
}

/* Literals that share their key (the same bytes ASCII case aside), among
 * others that crowd the table: each is still found, whichever of them
 * comes first in the table. */
static void
test_shared_key(void)
{
	static const struct {
		const char *bytes;
		int caseless;
	} def[] = {
	    {"abcd", 0}, {"ABCD", 0}, {"abcd", 1}, {"aBcD", 0}, {"abcd", 0},
	};
	struct match_lit lits[45];
	char filler[40][8];
	struct lit_set *ls;

	for (unsigned i = 0; i < 5; i++) {
		lits[i].bytes = (const uint8_t *)def[i].bytes;
		lits[i].len = 4;
		lits[i].caseless = (uint8_t)def[i].caseless;
		lits[i].id = i;
	}
	for (unsigned i = 0; i < 40; i++) {
		snprintf(filler[i], sizeof(filler[i]), "f%02u-", i);
		lits[5 + i].bytes = (const uint8_t *)filler[i];
		lits[5 + i].len = 4;
		lits[5 + i].caseless = 0;
		lits[5 + i].id = 5 + i;
	}
	ls = lit_set_build(lits, 45);
	CHECK(ls != NULL);
	if (!ls)
		return;
	CHECK_EQ_U64(scan_mask(ls, "xxABCDxx", 8), 0x6);
	CHECK_EQ_U64(scan_mask(ls, "abcd", 4), 0x15);
	CHECK_EQ_U64(scan_mask(ls, "aBcD", 4), 0xc);
	CHECK_EQ_U64(scan_mask(ls, "f07-abcd", 8), 0x15 | 1ull << 12);
	lit_set_free(ls);
}

static void
test_random(void)
{
	static const char alpha[] = "aAbB: \r\n";
	uint8_t bytes[40][12], data[200];
	struct match_lit lits[40];
	unsigned seed = 12345, hits = 0;

	for (int round = 0; round < 200; round++) {
		unsigned n = 1 + (unsigned)round % 40;
		struct lit_set *ls;

		for (unsigned i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			lits[i].len = (uint8_t)(4 + (seed >> 16) % 8);
			lits[i].caseless = (uint8_t)((seed >> 8) & 1);
			lits[i].id = i;
			lits[i].bytes = bytes[i];
			for (unsigned k = 0; k < lits[i].len; k++) {
				seed = seed * 1103515245u + 12345u;
				bytes[i][k] = (uint8_t)alpha[(seed >> 16) % 8];
				if (lits[i].caseless)
					bytes[i][k] =
					    match_prefix_fold(bytes[i][k]);
			}
		}
		ls = lit_set_build(lits, n);
		CHECK(ls != NULL);
		if (!ls)
			return;
		for (int t = 0; t < 50; t++) {
			size_t len;
			unsigned long long want = 0;

			seed = seed * 1103515245u + 12345u;
			len = (seed >> 16) % sizeof(data);
			for (size_t k = 0; k < len; k++) {
				seed = seed * 1103515245u + 12345u;
				data[k] = (uint8_t)alpha[(seed >> 16) % 6];
			}
			for (unsigned i = 0; i < n; i++)
				if (occurs(&lits[i], data, len))
					want |= 1ull << i, hits++;
			CHECK_EQ_U64(scan_mask(ls, (const char *)data, len),
				     want);
		}
		lit_set_free(ls);
	}
	CHECK(hits > 1000); /* the comparison is not vacuous */
}

int
main(void)
{
	test_fixed();
	test_shared_key();
	test_random();
	return check_report("match_lit");
}
