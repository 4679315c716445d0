/* test_json_escape: any bytes survive JSON escaping and come back exactly
 * (decoded here the way Python's json + surrogateescape does); the output
 * is valid UTF-8 with no raw control characters. */
#include <stdlib.h>

#include "check.h"
#include "json_escape.h"

static char *
escape(const uint8_t *data, size_t len, size_t *out_len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, out_len);

	json_write_bytes(f, data, len);
	fclose(f);
	return buf;
}

static size_t
put_utf8(uint8_t *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | cp >> 6);
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (uint8_t)(0xe0 | cp >> 12);
	out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (uint8_t)(0x80 | (cp & 0x3f));
	return 3;
}

/* Decode a JSON string literal back to bytes; -1 if malformed. */
static long
unescape(const char *s, size_t len, uint8_t *out)
{
	size_t o = 0;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return -1;
	for (size_t i = 1; i < len - 1; i++) {
		if (s[i] != '\\') {
			out[o++] = (uint8_t)s[i];
			continue;
		}
		switch (s[++i]) {
		case '"': out[o++] = '"'; break;
		case '\\': out[o++] = '\\'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u': {
			char hex[5] = {s[i + 1], s[i + 2], s[i + 3], s[i + 4], 0};
			uint32_t cp = (uint32_t)strtoul(hex, NULL, 16);

			i += 4;
			if (cp >= 0xdc80 && cp <= 0xdcff)
				out[o++] = (uint8_t)(cp - 0xdc00);
			else
				o += put_utf8(out + o, cp);
			break;
		}
		default:
			return -1;
		}
	}
	return (long)o;
}

static int
valid_clean_utf8(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = utf8_sequence_length((const uint8_t *)s + i, len - i);

		if (n == 0 || (n == 1 && ((uint8_t)s[i] < 0x20 || s[i] == 0x7f)))
			return 0;
		i += n;
	}
	return 1;
}

static void
check_round_trip(const uint8_t *data, size_t len)
{
	size_t out_len;
	char *s = escape(data, len, &out_len);
	uint8_t *back = malloc(len + 1);
	long n = unescape(s, out_len, back);

	CHECK(valid_clean_utf8(s, out_len));
	CHECK(n == (long)len && memcmp(back, data, len) == 0);
	free(back);
	free(s);
}

int
main(void)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{"SSH-2.0-OpenSSH_9.2\r\n", "\"SSH-2.0-OpenSSH_9.2\\r\\n\""},
		{"a\"b\\c", "\"a\\\"b\\\\c\""},
		{"\x01\x7f", "\"\\u0001\\u007f\""},
		{"caf\xc3\xa9", "\"caf\xc3\xa9\""},	/* valid UTF-8 kept */
		{"caf\xe9", "\"caf\\udce9\""},		/* a stray byte */
		{"\xc0\xaf", "\"\\udcc0\\udcaf\""},	/* overlong '/' */
		{"\xed\xa0\x80", "\"\\udced\\udca0\\udc80\""}, /* surrogate */
		{"\xc2\x85", "\"\\u0085\""},		/* C1 control NEL */
		{"\xf0\x9f\x90\xb3", "\"\xf0\x9f\x90\xb3\""}, /* 4-byte emoji */
		{"\xf0\x9f\x90", "\"\\udcf0\\udc9f\\udc90\""}, /* truncated */
	};
	uint8_t buf[512];
	uint64_t x = 88172645463325252ULL;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		char *s = escape((const uint8_t *)cases[i].in,
				 strlen(cases[i].in), &len);

		CHECK_STR(s, cases[i].out);
		free(s);
		check_round_trip((const uint8_t *)cases[i].in,
				 strlen(cases[i].in));
	}
	{
		size_t len;
		char *s = escape((const uint8_t *)"a\0b", 3, &len);

		CHECK_STR(s, "\"a\\u0000b\"");
		free(s);
	}
	/* Random bytes, and random text of valid multi-byte characters with
	 * damage here and there. */
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(round % 200);

		for (size_t i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = (uint8_t)x;
		}
		if (round & 1)
			for (size_t i = 0; i + 3 < len; i += 4)
				if ((buf[i] & 3) == 0)
					put_utf8(buf + i, 0x80 + (buf[i + 1] << 4 | buf[i + 2]) % 0xd000);
		check_round_trip(buf, len);
	}
	return check_report("json_escape");
}
