/* replay: feed every file of the given corpus directories (or single files) to
 * LLVMFuzzerTestOneInput, so a fuzz corpus runs as a regression test with any
 * compiler. Each input is its own exact-size allocation, for ASan. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Present when built with ASan/UBSan: called before they end the process. */
void __asan_set_death_callback(void (*callback)(void)) __attribute__((weak));

static const char *current_input;

/* Name the input that brought the process down (async-signal-safe). */
static void
report_current_input(void)
{
	static const char what[] = "replay: died on input ";

	if (!current_input)
		return;
	if (write(STDERR_FILENO, what, sizeof(what) - 1) < 0 ||
	    write(STDERR_FILENO, current_input, strlen(current_input)) < 0 ||
	    write(STDERR_FILENO, "\n", 1) < 0)
		return;
}

static void
on_fatal_signal(int sig)
{
	report_current_input();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Run one file; return 0, or -1 if it cannot be read. */
static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;
	size_t size;

	if (!f || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	size = (size_t)st.st_size;
	buf = malloc(size ? size : 1);
	if (!buf || fread(buf, 1, size, f) != size) {
		fprintf(stderr, "replay: %s: short read\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	current_input = path;
	LLVMFuzzerTestOneInput(buf, size);
	current_input = NULL;
	free(buf);
	return 0;
}

static int
skip_dotfiles(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Run every regular file of dir in name order; return how many, or -1. */
static int
replay_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, skip_dotfiles, alphasort);
	int count = 0, err = 0;

	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(path) < 0)
				err = 1;
			else
				count++;
		}
		free(names[i]);
	}
	free(names);
	return err ? -1 : count;
}

int
main(int argc, char **argv)
{
	int total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
		return 2;
	}
	signal(SIGABRT, on_fatal_signal);
	signal(SIGSEGV, on_fatal_signal);
	signal(SIGBUS, on_fatal_signal);
	if (__asan_set_death_callback)
		__asan_set_death_callback(report_current_input);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int n;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
				strerror(errno));
			return 1;
		}
		n = S_ISDIR(st.st_mode) ? replay_dir(argv[i])
					: (replay_file(argv[i]) < 0 ? -1 : 1);
		if (n < 0)
			return 1;
		total += n;
	}
	if (total == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	printf("replay: %d inputs, no crash\n", total);
	return 0;
}
