/* errmsg: how lib/ pieces hand an error message to their caller — a
 * printf into the caller's buffer, which may be NULL. */
#ifndef TIDESCAN_ERRMSG_H
#define TIDESCAN_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline void __attribute__((format(printf, 3, 4)))
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

#endif
