/* version_tmpl: nmap's version templates (p/ v/ i/ h/ o/ d/ cpe:/) filled from
 * a match's capture groups: $1..$9, $P(n) (printable bytes only),
 * $SUBST(n,"from","to") and $I(n,">") (a group read as an integer). */
#ifndef TIDESCAN_VERSION_TMPL_H
#define TIDESCAN_VERSION_TMPL_H

#include <stddef.h>
#include <stdint.h>

/* A group that did not take part in the match. */
#define VT_UNSET ((size_t)-1)

/* Render template t into out (cap bytes, always NUL-terminated when cap is
 * not 0): ovec holds pairs (start, end) into subject for groups 0..pairs-1,
 * VT_UNSET for a group that did not match. A group beyond pairs, or unset,
 * renders as nothing; a NUL byte ends the text. Returns the length written. */
size_t vt_render(const char *t, const uint8_t *subject, const size_t *ovec,
		 unsigned pairs, char *out, size_t cap);

#endif
