/* line_escape: printable ASCII as is, every other byte as \xNN. */
#include <string.h>

#include "line_escape.h"

void
line_write_bytes(FILE *out, const uint8_t *data, size_t len, const char *also)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t c = data[i];

		if (c < 0x20 || c >= 0x7f || c == '\\' ||
		    (c && strchr(also, c)))
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

void
line_write_string(FILE *out, const char *s, const char *also)
{
	line_write_bytes(out, (const uint8_t *)s, strlen(s), also);
}
