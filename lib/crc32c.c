/* crc32c: CRC-32C a byte at a time from a 256-entry table built on first
 * use; records are short and written on the main lcore only. */
#include "crc32c.h"

static uint32_t table[256];

static void
table_build(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		table[i] = c;
	}
}

uint32_t
crc32c(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!table[1])
		table_build();
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
