/* readscan: read each binary file record by record into one writer; a torn
 * or damaged record ends that file with a warning, the records before it
 * kept. */
#include <errno.h>
#include <string.h>

#include "output_binary.h"
#include "readscan.h"

/* Records of one file into w; -1 if the file cannot be read at all. */
static int
readscan_file(struct output_writer *w, const char *path)
{
	struct binary_reader r;
	const struct output_record *rec;
	char err[CONFIG_ERR_LEN];
	FILE *in = fopen(path, "rb");
	int rc;

	if (!in) {
		fprintf(stderr, "tidescan: cannot open %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	if (binary_reader_open(&r, in, err, sizeof(err))) {
		fprintf(stderr, "tidescan: %s: %s\n", path, err);
		fclose(in);
		return -1;
	}
	while ((rc = binary_reader_next(&r, &rec, err, sizeof(err))) == 1)
		output_write_record(w, rec);
	if (rc < 0)
		fprintf(stderr, "tidescan: warning: %s: %s\n", path, err);
	binary_reader_close(&r);
	fclose(in);
	return 0;
}

int
readscan_run(const struct config *cfg)
{
	const struct output_format_ops *ops =
	    output_format_find(config_output_format_name(cfg->output_format));
	struct output_writer w;
	char err[CONFIG_ERR_LEN];
	int status = 0;

	if (output_open_file(&w, ops, cfg->output_file,
			     cfg->output_append ? OUTPUT_APPEND : OUTPUT_CREATE,
			     err, sizeof(err))) {
		fprintf(stderr, "tidescan: %s\n", err);
		return 1;
	}
	for (unsigned i = 0; i < cfg->readscan_file_count; i++)
		if (readscan_file(&w, cfg->readscan_files[i]))
			status = 1;
	if (output_close(&w)) {
		fprintf(stderr, "tidescan: writing %s failed\n",
			cfg->output_file ? cfg->output_file : "stdout");
		status = 1;
	}
	return status;
}
