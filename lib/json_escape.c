/* json_escape: bytes → JSON string; valid UTF-8 kept, controls escaped,
 * stray bytes as \udcXX (surrogateescape), so the encoding is reversible. */
#include "json_escape.h"

size_t
utf8_sequence_length(const uint8_t *p, size_t len)
{
	uint8_t c = p[0];
	size_t n;
	uint32_t cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, cp = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void
json_write_bytes(FILE *out, const uint8_t *data, size_t len)
{
	size_t i = 0;

	fputc('"', out);
	while (i < len) {
		uint8_t c = data[i];
		size_t n, run = i;

		/* printable ASCII that needs no escape: one fwrite per run */
		while (run < len && data[run] >= 0x20 && data[run] < 0x7f &&
		       data[run] != '"' && data[run] != '\\')
			run++;
		if (run > i) {
			fwrite(data + i, 1, run - i, out);
			i = run;
			continue;
		}
		n = utf8_sequence_length(data + i, len - i);

		if (n == 0) {
			fprintf(out, "\\udc%02x", c);
			i++;
			continue;
		}
		if (n > 1) {
			/* C1 controls (U+0080..U+009F) are controls too. */
			if (c == 0xc2 && data[i + 1] < 0xa0)
				fprintf(out, "\\u%04x", data[i + 1]);
			else
				fwrite(data + i, 1, n, out);
			i += n;
			continue;
		}
		switch (c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
		}
		i++;
	}
	fputc('"', out);
}
