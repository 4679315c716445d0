/* json_escape: any bytes as a JSON string, losslessly. Valid UTF-8 stays as
 * it is; control characters use JSON's escapes; every byte that is not part
 * of valid UTF-8 becomes the lone surrogate \udcXX (XX = the byte), as
 * Python's "surrogateescape" does, so bytes.decode('utf-8',
 * 'surrogateescape') reverses it: json.loads(s).encode('utf-8',
 * 'surrogateescape') gives back the original bytes. */
#ifndef TIDESCAN_JSON_ESCAPE_H
#define TIDESCAN_JSON_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Write "..." (with the quotes) for data[0..len) to out. */
void json_write_bytes(FILE *out, const uint8_t *data, size_t len);

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if p[0] does not
 * start one within len bytes (overlongs, surrogates and > U+10FFFF are not
 * valid). */
size_t utf8_sequence_length(const uint8_t *p, size_t len);

#endif
