/* yaml_doc: one YAML document from a file or a string, and error messages
 * that point at the node they are about. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "errmsg.h"
#include "yaml_doc.h"

static int
syntax_error(const yaml_parser_t *parser, const char *name, char *err,
	     size_t errlen)
{
	snprintf(err, errlen, "%s:%zu:%zu: YAML syntax error: %s%s%s", name,
		 parser->problem_mark.line + 1, parser->problem_mark.column + 1,
		 parser->problem ? parser->problem : "unknown",
		 parser->context ? " " : "",
		 parser->context ? parser->context : "");
	return -1;
}

/* The first document into doc, then make sure no second one follows. */
static int
load(yaml_parser_t *parser, yaml_document_t *doc, const char *name,
     const char *what, char *err, size_t errlen)
{
	yaml_document_t extra;
	yaml_node_t *root;
	int rc = 0;

	if (!yaml_parser_load(parser, doc))
		return syntax_error(parser, name, err, errlen);
	if (!yaml_document_get_root_node(doc))
		return 0; /* empty input: the stream has ended */
	if (!yaml_parser_load(parser, &extra)) {
		yaml_document_delete(doc);
		return syntax_error(parser, name, err, errlen);
	}
	root = yaml_document_get_root_node(&extra);
	if (root && !yaml_node_is_null(root)) {
		snprintf(err, errlen, "%s:%zu:%zu: a %s holds one YAML document",
			 name, root->start_mark.line + 1,
			 root->start_mark.column + 1, what);
		yaml_document_delete(doc);
		rc = -1;
	}
	yaml_document_delete(&extra);
	return rc;
}

int
yaml_doc_load_string(yaml_document_t *doc, const char *text,
		     const char *name, const char *what, char *err,
		     size_t errlen)
{
	yaml_parser_t parser;
	int rc;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     strlen(text));
	rc = load(&parser, doc, name, what, err, errlen);
	yaml_parser_delete(&parser);
	return rc;
}

int
yaml_doc_load_file(yaml_document_t *doc, const char *path, const char *what,
		   char *err, size_t errlen)
{
	yaml_parser_t parser;
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: cannot open %s: %s", path, what,
			 strerror(errno));
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	yaml_parser_set_input_file(&parser, f);
	rc = load(&parser, doc, path, what, err, errlen);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

int
yaml_source_fail(const struct yaml_source *src, const yaml_node_t *node,
		 const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!src->err || !src->errlen)
		return -1;
	n = snprintf(src->err, src->errlen, "%s:%zu:%zu: ", src->name,
		     node->start_mark.line + 1, node->start_mark.column + 1);
	if (n >= 0 && (size_t)n < src->errlen) {
		va_start(ap, fmt);
		vsnprintf(src->err + n, src->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
yaml_parse_bool(const char *s, int *out, char *err, size_t errlen)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	errf(err, errlen, "'%s' is not a boolean (true or false)", s);
	return -1;
}

const char *
yaml_node_kind(const yaml_node_t *node)
{
	return node->type == YAML_MAPPING_NODE	  ? "a mapping"
	       : node->type == YAML_SEQUENCE_NODE ? "a list"
						  : "a scalar";
}

int
yaml_node_is_null(const yaml_node_t *node)
{
	const char *v = (const char *)node->data.scalar.value;

	if (node->type != YAML_SCALAR_NODE ||
	    node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}
