/* resume: the state of a paused scan in and out of its profile, and the
 * rules that keep "every pair exactly once" across pauses: same space, same
 * walk, same slices; only what moves no pair may change. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errmsg.h"
#include "resume.h"
#include "splitmix64.h"

/* Keys a resumed scan may change: how fast, how long to wait, where results
 * and the next pause go, and the machine it runs on. */
static const char *const may_change[] = {
    "scan.rate",
    "scan.wait",
    "scan.pause_after",
    "scan.pause_file",
    "output.file",
    "output.quiet",
    "output.stats_interval",
    "output.stats_format",
    "output.redis_queue",
    "source.mac",
    "router.mac",
    "router.gateway",
    "banners.max_connections",
    "banners.buffers",
    "service.max_probes",
    "dpdk.eal_args",
    "dpdk.port_id",
    "dpdk.mempool_size",
    "dpdk.ring_size",
    NULL,
};

static int
key_may_change(const char *key)
{
	for (unsigned i = 0; may_change[i]; i++)
		if (!strcmp(may_change[i], key))
			return 1;
	return 0;
}

/* A key's text on one line: list items "\n  - x" become " x". */
static void
one_line(char *text)
{
	char *out = text;

	for (const char *in = text; *in; in++) {
		if (*in == '\n') {
			in += strspn(in + 1, " -");
			*out++ = ' ';
			continue;
		}
		*out++ = *in;
	}
	*out = 0;
}

static uint64_t
mix(uint64_t h, uint64_t v)
{
	uint64_t state = h ^ v;

	return splitmix64_next(&state);
}

uint64_t
resume_space_fingerprint(const struct target_space *space)
{
	uint64_t h = mix(0x7469646573636e31ULL, space->pair_count);

	h = mix(h, space->range_count);
	for (size_t i = 0; i < space->range_count; i++)
		h = mix(h, (uint64_t)space->ranges[i].first << 32 |
			       space->ranges[i].last);
	h = mix(h, space->port_count);
	for (uint32_t i = 0; i < space->port_count; i++)
		h = mix(h, space->ports[i]);
	return h ? h : 1;
}

int
resume_check_overrides(const struct config *saved, const struct config *given,
		       char *err, size_t errlen)
{
	const char *key;

	for (size_t i = 0; (key = config_key_name(i)); i++) {
		char *a = config_key_text(saved, key);
		char *b = config_key_text(given, key);
		int same = a && b && !strcmp(a, b);

		if (a)
			one_line(a);
		if (b)
			one_line(b);
		if (!same && !key_may_change(key))
			errf(err, errlen,
			     "--resume: %s cannot change on resume (paused "
			     "scan:%s, now:%s): the pairs already sent would "
			     "no longer be the ones skipped; only rate, wait, "
			     "output file, pause and stats settings, EAL "
			     "arguments, port and next hop may",
			     key, a ? a : " ?", b ? b : " ?");
		free(a);
		free(b);
		if (!same && !key_may_change(key))
			return -1;
	}
	return 0;
}

int
resume_positions(const struct config *cfg, const struct target_space *space,
		 const struct walk_slice *slices, unsigned m,
		 uint64_t *positions, char *err, size_t errlen)
{
	uint64_t n = space->pair_count;

	if (cfg->resume_point_count == 0) {
		errf(err, errlen,
		     "--resume %s: no resume points (resume.tx_next is "
		     "empty): not a paused scan",
		     cfg->resume_file ? cfg->resume_file : "");
		return -1;
	}
	if (cfg->resume_point_count != m) {
		errf(err, errlen,
		     "--resume: the paused scan had %u TX lcores, this one "
		     "would have %u: resume with as many queues",
		     cfg->resume_point_count, m);
		return -1;
	}
	if (cfg->resume_space != resume_space_fingerprint(space)) {
		errf(err, errlen,
		     "--resume: the target space is not the paused scan's "
		     "(an include, exclude or exclude.conf file changed?): "
		     "its positions would name other pairs");
		return -1;
	}
	for (unsigned q = 0; q < m; q++) {
		const struct resume_point *pt = &cfg->resume_points[q];
		const struct walk_slice *s = &slices[q];
		uint64_t pos = pt->pass * n + pt->index;

		if (pt->index >= n || pt->pass > cfg->retries + 1 ||
		    pos < s->first ||
		    (pos < s->end && (pos - s->first) % s->stride)) {
			errf(err, errlen,
			     "--resume: resume point %u (\"%llu:%llu\") is "
			     "not a position of TX lcore %u's slice",
			     q, (unsigned long long)pt->pass,
			     (unsigned long long)pt->index, q);
			return -1;
		}
		positions[q] = pos;
	}
	return 0;
}

int
resume_walk_done(const struct walk_slice *slices, const uint64_t *positions,
		 unsigned m)
{
	for (unsigned q = 0; q < m; q++)
		if (positions[q] < slices[q].end)
			return 0;
	return 1;
}

int
resume_write(const char *path, const struct config *cfg, uint64_t seed,
	     const struct target_space *space, const uint64_t *positions,
	     unsigned m, char *err, size_t errlen)
{
	struct config paused = *cfg; /* shallow: only written */
	struct resume_point *points = calloc(m ? m : 1, sizeof(*points));
	char *tmp = NULL;
	FILE *out = NULL;
	int rc = -1;

	if (!points || asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		errf(err, errlen, "out of memory");
		goto done;
	}
	for (unsigned q = 0; q < m; q++) {
		points[q].pass = positions[q] / space->pair_count;
		points[q].index = positions[q] % space->pair_count;
	}
	paused.seed = seed;
	paused.have_seed = 1;
	paused.pause_after = 0;
	paused.resume_points = points;
	paused.resume_point_count = m;
	paused.resume_space = resume_space_fingerprint(space);
	out = fopen(tmp, "w");
	if (!out || config_write_yaml(&paused, out) || fflush(out) ||
	    fsync(fileno(out))) {
		errf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto done;
	}
	if (fclose(out)) {
		out = NULL;
		errf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto done;
	}
	out = NULL;
	if (rename(tmp, path)) {
		errf(err, errlen, "cannot rename %s to %s: %s", tmp, path,
		     strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (out)
		fclose(out);
	if (rc && tmp)
		unlink(tmp);
	free(tmp);
	free(points);
	return rc;
}
