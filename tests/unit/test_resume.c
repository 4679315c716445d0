/* test_resume: a paused scan written and read back names the same walk
 * positions; resume points that do not fit the scan (lcore count, space,
 * slice) are refused; only keys that move no pair may change on resume; the
 * space fingerprint tells spaces apart. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "resume.h"

static char err[CONFIG_ERR_LEN];

static int
parse(struct config *cfg, const char *first, ...)
{
	char *argv[32] = {"tidescan"};
	int argc = 1;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a && argc < 31;
	     a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	err[0] = 0;
	return config_parse_args(cfg, argc, argv, err, sizeof(err));
}

static void
space_of(struct config *cfg, struct target_space *space)
{
	CHECK(config_build_space(cfg, space, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
}

static void
test_fingerprint(void)
{
	struct config a, b;
	struct target_space sa, sa2, sb;

	config_init(&a);
	CHECK(parse(&a, "198.18.0.0/22", "-p", "22,80", "--no-default-excludes",
		    NULL) == 0);
	space_of(&a, &sa);
	space_of(&a, &sa2);
	CHECK(resume_space_fingerprint(&sa) != 0);
	CHECK_EQ_U64(resume_space_fingerprint(&sa),
		     resume_space_fingerprint(&sa2));
	/* One more port, or one address excluded: another space. */
	config_init(&b);
	CHECK(parse(&b, "198.18.0.0/22", "-p", "22,80,81",
		    "--no-default-excludes", NULL) == 0);
	space_of(&b, &sb);
	CHECK(resume_space_fingerprint(&sa) != resume_space_fingerprint(&sb));
	target_space_free(&sb);
	config_free(&b);
	config_init(&b);
	CHECK(parse(&b, "198.18.0.0/22", "-p", "22,80", "--exclude",
		    "198.18.2.7", "--no-default-excludes", NULL) == 0);
	space_of(&b, &sb);
	CHECK(resume_space_fingerprint(&sa) != resume_space_fingerprint(&sb));
	target_space_free(&sb);
	config_free(&b);
	target_space_free(&sa);
	target_space_free(&sa2);
	config_free(&a);
}

/* Write a pause, read it back as --resume does: same positions, seed fixed,
 * no pause_after; nothing left behind but the file. */
static void
test_write_read_back(void)
{
	struct config cfg, back;
	struct target_space space;
	struct walk_slice slices[2];
	uint64_t n, pos[2], got[2];
	char path[] = "/tmp/test_resume_XXXXXX";
	char tmp[64];
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	config_init(&cfg);
	CHECK(parse(&cfg, "198.18.0.0/22", "-p", "22,80,443", "--retries", "1",
		    "--queues", "2", "--pause-after", "3", "--rate", "5k",
		    "--no-default-excludes", NULL) == 0);
	space_of(&cfg, &space);
	n = space.pair_count;
	for (unsigned q = 0; q < 2; q++)
		slices[q] = walk_slice_make(n * 2, 1, 1, q, 2);
	pos[0] = 1000;	  /* pass 0 */
	pos[1] = n + 101; /* pass 1 */
	CHECK(resume_write(path, &cfg, 0x1234, &space, pos, 2, err,
			   sizeof(err)) == 0);
	CHECK_STR(err, "");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CHECK(access(tmp, F_OK) != 0);

	config_init(&back);
	CHECK(parse(&back, "--resume", path, NULL) == 0);
	CHECK_STR(back.resume_file, path);
	CHECK_EQ_U64(back.have_seed, 1);
	CHECK_EQ_U64(back.seed, 0x1234);
	CHECK(back.pause_after == 0);
	CHECK_EQ_U64(back.rate, 5000);
	CHECK_EQ_U64(back.resume_point_count, 2);
	CHECK_EQ_U64(back.resume_points[1].pass, 1);
	CHECK_EQ_U64(back.resume_points[1].index, 101);
	CHECK(resume_positions(&back, &space, slices, 2, got, err,
			       sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK_EQ_U64(got[0], pos[0]);
	CHECK_EQ_U64(got[1], pos[1]);
	CHECK(!resume_walk_done(slices, got, 2));

	/* Refused: another lcore count, a position of the other lcore's
	 * slice, an index past the space. */
	CHECK(resume_positions(&back, &space, slices, 1, got, err,
			       sizeof(err)) == -1);
	CHECK(strstr(err, "had 2 TX lcores, this one would have 1") != NULL);
	back.resume_points[0].index = 1001;
	CHECK(resume_positions(&back, &space, slices, 2, got, err,
			       sizeof(err)) == -1);
	CHECK(strstr(err, "resume point 0 (\"0:1001\")") != NULL);
	back.resume_points[0].index = n;
	CHECK(resume_positions(&back, &space, slices, 2, got, err,
			       sizeof(err)) == -1);
	back.resume_points[0].index = 1000;
	back.resume_space ^= 1;
	CHECK(resume_positions(&back, &space, slices, 2, got, err,
			       sizeof(err)) == -1);
	CHECK(strstr(err, "target space is not the paused scan's") != NULL);

	/* A complete walk is written with each lcore at its slice's end, and
	 * reads back as done. */
	got[0] = slices[0].end;
	got[1] = slices[1].end;
	config_free(&back);
	CHECK(resume_write(path, &cfg, 0x1234, &space, got, 2, err,
			   sizeof(err)) == 0);
	config_init(&back);
	CHECK(parse(&back, "--resume", path, NULL) == 0);
	CHECK(resume_positions(&back, &space, slices, 2, got, err,
			       sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK(resume_walk_done(slices, got, 2));

	/* Past the end of both slices: done. */
	got[0] = slices[0].end;
	got[1] = slices[1].end + 1;
	CHECK(resume_walk_done(slices, got, 2));
	got[1] = slices[1].end - 1;
	CHECK(!resume_walk_done(slices, got, 2));

	config_free(&back);
	config_free(&cfg);
	target_space_free(&space);
	unlink(path);
}

/* The command line beside --resume against the file alone. */
static void
test_overrides(void)
{
	static const struct {
		const char *flag, *value, *refused_key; /* NULL: allowed */
	} cases[] = {
	    {"--rate", "1M", NULL},
	    {"--wait", "3", NULL},
	    {"-o", "other.ndjson", NULL},
	    {"--dpdk", "--no-huge --vdev=net_null0", NULL},
	    {"--pause-after", "7", NULL},
	    {"--stats-format", "json", NULL},
	    {"--router-mac", "02:00:00:00:00:09", NULL},
	    {"--seed", "43", "scan.seed"},
	    {"--shard", "1/2", "scan.shard"},
	    {"--retries", "2", "scan.retries"},
	    {"-p", "22", "ports"},
	    {"--exclude", "198.18.0.9", "excludes"},
	    {"--queues", "2", "dpdk.rx_queues"},
	    {"--source-ip", "198.18.0.3", "source.ip"},
	    {"--report-closed", NULL, "output.report_closed"},
	    {"--output-format", "json", "output.format"},
	};
	char path[] = "/tmp/test_resume_XXXXXX";
	struct config cfg, saved;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	config_init(&cfg);
	CHECK(parse(&cfg, "198.18.0.0/22", "-p", "22,80", "--seed", "42",
		    "--source-ip", "198.18.0.2", "-o", "out.ndjson",
		    "--no-default-excludes", NULL) == 0);
	CHECK(config_write_yaml(&cfg, f) == 0);
	fclose(f);
	config_init(&saved);
	CHECK(config_load_file(&saved, path, err, sizeof(err)) == 0);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config given;
		int rc;

		config_init(&given);
		CHECK(parse(&given, "--resume", path, cases[i].flag,
			    cases[i].value, NULL) == 0);
		err[0] = 0;
		rc = resume_check_overrides(&saved, &given, err, sizeof(err));
		if (!cases[i].refused_key) {
			CHECK(rc == 0);
			CHECK_STR(err, "");
		} else {
			char want[64];

			snprintf(want, sizeof(want),
				 "--resume: %s cannot change",
				 cases[i].refused_key);
			CHECK(rc == -1);
			if (!strstr(err, want))
				fprintf(stderr, "%s: got \"%s\"\n",
					cases[i].flag, err);
			CHECK(strstr(err, want) != NULL);
		}
		config_free(&given);
	}
	/* The same targets again change nothing. */
	{
		struct config given;

		config_init(&given);
		CHECK(parse(&given, "--resume", path, "198.18.0.0/22", NULL) ==
		      0);
		CHECK(resume_check_overrides(&saved, &given, err,
					     sizeof(err)) == 0);
		config_free(&given);
	}
	config_free(&saved);
	config_free(&cfg);
	unlink(path);
}

int
main(void)
{
	test_fingerprint();
	test_write_read_back();
	test_overrides();
	return check_report("test_resume");
}
