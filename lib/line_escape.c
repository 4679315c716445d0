/* line_escape: printable ASCII as is, every other byte as \xNN. */
#include <string.h>

#include "line_escape.h"

void
line_write_bytes(FILE *out, const uint8_t *data, size_t len, const char *also)
{
	size_t run = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = data[i];

		if (c >= 0x20 && c < 0x7f && c != '\\' && !strchr(also, c))
			continue;
		/* the plain bytes before it in one fwrite */
		fwrite(data + run, 1, i - run, out);
		fprintf(out, "\\x%02x", c);
		run = i + 1;
	}
	fwrite(data + run, 1, len - run, out);
}

void
line_write_string(FILE *out, const char *s, const char *also)
{
	line_write_bytes(out, (const uint8_t *)s, strlen(s), also);
}
