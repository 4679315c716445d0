/* line_escape: bytes as one field of a text line (masscan's -oL and -oG):
 * printable ASCII stays, everything else — controls, tabs, newlines, bytes
 * >= 0x7f, the backslash itself and the field separators the caller names —
 * becomes \xNN, so a field never breaks its line and reads back exactly. */
#ifndef TIDESCAN_LINE_ESCAPE_H
#define TIDESCAN_LINE_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Write data[0..len) escaped; `also` lists further characters to escape
 * ("" for none). */
void line_write_bytes(FILE *out, const uint8_t *data, size_t len,
		      const char *also);
/* The same for a C string. */
void line_write_string(FILE *out, const char *s, const char *also);

#endif
