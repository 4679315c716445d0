/* match_cache: the cache file — a header (magic, format, key, probe count),
 * then per probe its line count, a byte per line (kind, how it is found)
 * and two blobs (its serialized Hyperscan database, its lines' literals) — read
 * in one go and written atomically. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <fcntl.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hs/hs.h>

#include "errmsg.h"
#include "match_cache.h"

#define CACHE_MAGIC 0x314d5354u /* "TSM1" */
/* 2: a line's byte says how it is found; two databases per probe; 3: other
 * literals; 4: one database (literals are found by match_lit, built at
 * load); 5: the lines' prefixes and required runs instead of literals;
 * 6: long runs in pieces; 7: and each line's minimum length */
#define CACHE_FORMAT 8u

static const uint64_t fnv_prime = 0x100000001b3ull;

void
match_key_add(struct match_key *k, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = k->hash;

	/* the length first, so inputs cannot run into each other */
	for (size_t i = 0; i < sizeof(len); i++)
		h = (h ^ ((len >> (8 * i)) & 0xff)) * fnv_prime;
	/* FNV-1a over 8-byte words, then the tail bytes */
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		h = (h ^ w) * fnv_prime;
		h ^= h >> 29;
	}
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * fnv_prime;
	k->hash = h;
}

void
match_key_init(struct match_key *k)
{
	char pcre_version[64] = "";
	hs_platform_info_t plat;
	uint32_t format = CACHE_FORMAT;
	const char *hv = hs_version();

	k->hash = 0xcbf29ce484222325ull;
	match_key_add(k, &format, sizeof(format));
	match_key_add(k, hv, strlen(hv));
	pcre2_config(PCRE2_CONFIG_VERSION, pcre_version);
	match_key_add(k, pcre_version, strlen(pcre_version));
	memset(&plat, 0, sizeof(plat));
	if (hs_populate_platform(&plat) == HS_SUCCESS)
		match_key_add(k, &plat, sizeof(plat));
}

void
match_cache_path(const char *dir, const struct match_key *k, char *buf,
		 size_t len)
{
	snprintf(buf, len, "%s/match-%016llx.hsdb", dir,
		 (unsigned long long)k->hash);
}

char *
match_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t got = 0;

	if (fd < 0) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		errf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		errf(err, errlen, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0) {
			errf(err, errlen, "%s: %s", path,
			     n ? strerror(errno) : "file shrank while read");
			free(buf);
			close(fd);
			return NULL;
		}
		got += (size_t)n;
	}
	close(fd);
	buf[got] = 0;
	*len = got;
	return buf;
}

struct cursor {
	const char *p, *end;
};

static int
take(struct cursor *c, void *out, size_t n)
{
	if ((size_t)(c->end - c->p) < n)
		return -1;
	memcpy(out, c->p, n);
	c->p += n;
	return 0;
}

int
match_cache_load(const char *path, const struct match_key *k,
		 unsigned probe_count, match_cache_sink_fn sink, void *ctx)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *map;
	struct cursor c;
	uint32_t magic, format, count;
	uint64_t key;
	int rc = -1;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || st.st_size < 20) {
		close(fd);
		return -1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ,
		   MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	c.p = map;
	c.end = map + st.st_size;
	if (take(&c, &magic, 4) || take(&c, &format, 4) || take(&c, &key, 8) ||
	    take(&c, &count, 4) || magic != CACHE_MAGIC ||
	    format != CACHE_FORMAT || key != k->hash || count != probe_count)
		goto out;
	for (unsigned p = 0; p < probe_count; p++) {
		uint32_t lines;
		const uint8_t *kinds;
		const char *bytes[MATCH_CACHE_DBS];
		size_t len[MATCH_CACHE_DBS];

		if (take(&c, &lines, 4) || (size_t)(c.end - c.p) < lines)
			goto out;
		kinds = (const uint8_t *)c.p;
		c.p += lines;
		for (int k = 0; k < MATCH_CACHE_DBS; k++) {
			uint64_t size;

			if (take(&c, &size, 8) ||
			    (uint64_t)(c.end - c.p) < size)
				goto out;
			bytes[k] = c.p;
			len[k] = (size_t)size;
			c.p += size;
		}
		if (sink(ctx, p, kinds, lines, bytes, len, (size_t)st.st_size))
			goto out;
	}
	rc = c.p == c.end ? 0 : -1;
out:
	munmap(map, (size_t)st.st_size);
	return rc;
}

static int
make_dirs(const char *dir)
{
	char tmp[512];

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return -1;
	for (char *s = tmp + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

int
match_cache_save(const char *path, const char *dir, const struct match_key *k,
		 unsigned probe_count, match_cache_source_fn source, void *ctx,
		 char *note, size_t notelen)
{
	char tmp[600];
	FILE *f;
	uint32_t head[2] = {CACHE_MAGIC, CACHE_FORMAT};
	uint8_t *kinds;
	int ok;

	if (make_dirs(dir)) {
		errf(note, notelen, "cannot create %s: %s", dir,
		     strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	f = fopen(tmp, "wb");
	if (!f) {
		errf(note, notelen, "cannot write %s: %s", tmp,
		     strerror(errno));
		return -1;
	}
	ok = fwrite(head, sizeof(head), 1, f) == 1 &&
	     fwrite(&k->hash, 8, 1, f) == 1 &&
	     fwrite(&probe_count, 4, 1, f) == 1;
	for (unsigned p = 0; ok && p < probe_count; p++) {
		unsigned lines = 0;
		uint32_t lines32;
		char *bytes[MATCH_CACHE_DBS] = {NULL};
		size_t len[MATCH_CACHE_DBS] = {0};
		int failed;

		kinds = NULL;
		failed = source(ctx, p, &kinds, &lines, bytes, len);
		lines32 = lines;
		ok = !failed && fwrite(&lines32, 4, 1, f) == 1 &&
		     (!lines || fwrite(kinds, lines, 1, f) == 1);
		for (int k = 0; k < MATCH_CACHE_DBS; k++) {
			uint64_t size = len[k];

			ok = ok && fwrite(&size, 8, 1, f) == 1 &&
			     (!size || fwrite(bytes[k], size, 1, f) == 1);
			free(bytes[k]);
		}
		free(kinds);
		if (failed) {
			errf(note, notelen, "cannot serialize probe %u", p);
			fclose(f);
			unlink(tmp);
			return -1;
		}
	}
	if (fclose(f) || !ok || rename(tmp, path)) {
		errf(note, notelen, "cannot write %s: %s", path,
		     strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
