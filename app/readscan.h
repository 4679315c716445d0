/* readscan: `tidescan --readscan FILE...` — binary results files (-oB)
 * written out again in any format, as masscan's --readscan. No EAL. */
#ifndef TIDESCAN_READSCAN_H
#define TIDESCAN_READSCAN_H

#include "config.h"

/* Convert cfg->readscan_files to cfg's output; warnings and errors on
 * stderr. Returns the exit status: 0 when every file was read (a torn last
 * record skipped with a warning), 1 if a file could not be read at all or
 * the output not written. */
int readscan_run(const struct config *cfg);

#endif
