/* yaml_doc: read the one YAML document of a file or a string with libyaml,
 * and word problems as FILE:LINE:COLUMN: ... — what the profile and the
 * probe-registry loaders share. */
#ifndef TIDESCAN_YAML_DOC_H
#define TIDESCAN_YAML_DOC_H

#include <stddef.h>
#include <yaml.h>

/* Load the document of path (or of text, called name in messages) into
 * doc, which the caller deletes with yaml_document_delete. A second
 * document is an error: "NAME:L:C: a WHAT holds one YAML document". 0, or
 * -1 with a message in err (doc then needs no delete). */
int yaml_doc_load_file(yaml_document_t *doc, const char *path,
		       const char *what, char *err, size_t errlen);
int yaml_doc_load_string(yaml_document_t *doc, const char *text,
			 const char *name, const char *what, char *err,
			 size_t errlen);

/* What a loader reads and where it reports: the document, the name its
 * messages start with, the caller's message buffer. */
struct yaml_source {
	yaml_document_t *doc;
	const char *name;
	char *err;
	size_t errlen;
};

/* "NAME:LINE:COLUMN: " and the formatted message, at node, into src's
 * buffer. Returns -1. */
int yaml_source_fail(const struct yaml_source *src, const yaml_node_t *node,
		     const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A YAML boolean: true/yes/on or false/no/off, any case. 0, or -1 with a
 * message quoting s. */
int yaml_parse_bool(const char *s, int *out, char *err, size_t errlen);

/* "a mapping", "a list" or "a scalar". */
const char *yaml_node_kind(const yaml_node_t *node);
/* A plain scalar that YAML reads as null: "", "~", "null"... */
int yaml_node_is_null(const yaml_node_t *node);

#endif
