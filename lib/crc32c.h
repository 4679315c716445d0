/* crc32c: CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), the
 * checksum of each record of the binary output. */
#ifndef TIDESCAN_CRC32C_H
#define TIDESCAN_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC over data[0..len): start with crc = 0. crc32c("123456789")
 * is 0xe3069283. */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

#endif
