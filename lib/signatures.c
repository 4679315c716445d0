/* signatures: the YAML signature files read with libyaml. A file is
 *   signatures:
 *     - {probe: NULL, service: redis, pattern: '^-ERR ', flags: i,
 *        soft: false, product: Redis, cpe: ["a:redis:redis"]}
 * with every key but service and pattern optional (probe: NULL). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "signatures.h"
#include "yaml_doc.h"

struct sig_load {
	struct sp_set *set;
	struct yaml_source src;
};

static const char *
scalar_of(struct sig_load *ld, const yaml_node_t *v, const char *key)
{
	if (v->type != YAML_SCALAR_NODE || yaml_node_is_null(v)) {
		yaml_source_fail(&ld->src, v, "%s expects a string, got %s",
				 key, yaml_node_kind(v));
		return NULL;
	}
	if (strlen((const char *)v->data.scalar.value) !=
	    v->data.scalar.length) {
		yaml_source_fail(&ld->src, v, "%s holds a NUL byte", key);
		return NULL;
	}
	return (const char *)v->data.scalar.value;
}

static const char *const field_keys[SP_FIELDS] = {
    "product", "version", "info", "hostname", "os", "devicetype",
};

static int
dupe(char **dst, const char *s)
{
	*dst = strdup(s);
	return *dst ? 0 : -1;
}

static int
sig_cpe(struct sig_load *ld, struct sp_match *m, yaml_node_t *v)
{
	yaml_node_item_t *it;
	const char *s;

	if (v->type == YAML_SCALAR_NODE) {
		if (!(s = scalar_of(ld, v, "cpe")) || dupe(&m->cpe[0], s))
			return -1;
		m->cpe_count = 1;
		return 0;
	}
	if (v->type != YAML_SEQUENCE_NODE)
		return yaml_source_fail(&ld->src, v,
					"cpe expects a string or a list");
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++) {
		yaml_node_t *n = yaml_document_get_node(ld->src.doc, *it);

		if (m->cpe_count == SERVICE_MAX_CPE)
			return yaml_source_fail(&ld->src, n, "more than %d cpe",
						SERVICE_MAX_CPE);
		if (!(s = scalar_of(ld, n, "cpe")) ||
		    dupe(&m->cpe[m->cpe_count], s))
			return -1;
		m->cpe_count++;
	}
	return 0;
}

static int
sig_key(struct sig_load *ld, struct sp_match *m, const char *key,
	yaml_node_t *v, const char **probe)
{
	const char *s;
	int b;

	if (!strcmp(key, "cpe"))
		return sig_cpe(ld, m, v);
	if (!(s = scalar_of(ld, v, key)))
		return -1;
	if (!strcmp(key, "probe")) {
		*probe = s;
		return 0;
	}
	if (!strcmp(key, "service"))
		return dupe(&m->service, s);
	if (!strcmp(key, "pattern"))
		return dupe(&m->pattern, s);
	if (!strcmp(key, "soft")) {
		if (yaml_parse_bool(s, &b, ld->src.err, ld->src.errlen))
			return yaml_source_fail(&ld->src, v,
						"soft: expects true or false");
		m->soft = (uint8_t)b;
		return 0;
	}
	if (!strcmp(key, "flags")) {
		for (; *s; s++)
			if (*s == 'i')
				m->flags |= SP_CASELESS;
			else if (*s == 's')
				m->flags |= SP_DOTALL;
			else
				return yaml_source_fail(
				    &ld->src, v, "flags: 'i' and 's' only");
		return 0;
	}
	for (int f = 0; f < SP_FIELDS; f++)
		if (!strcmp(key, field_keys[f])) {
			if (m->tmpl[f])
				return yaml_source_fail(&ld->src, v,
							"%s given twice", key);
			return dupe(&m->tmpl[f], s);
		}
	return yaml_source_fail(
	    &ld->src, v,
	    "unknown key '%s' (known: probe, service, pattern, "
	    "flags, soft, product, version, info, hostname, os, "
	    "devicetype, cpe)",
	    key);
}

static int
sig_entry(struct sig_load *ld, yaml_node_t *node)
{
	struct sp_match m = {0};
	const char *probe = "NULL";
	int p, rc = 0;

	if (node->type != YAML_MAPPING_NODE)
		return yaml_source_fail(&ld->src, node,
					"a signature is a mapping, got %s",
					yaml_node_kind(node));
	m.file = sp_file_name(ld->set, ld->src.name);
	m.line = (unsigned)node->start_mark.line + 1;
	for (yaml_node_pair_t *pr = node->data.mapping.pairs.start;
	     pr < node->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(ld->src.doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(ld->src.doc, pr->value);

		if (k->type != YAML_SCALAR_NODE)
			goto bad_key;
		if (sig_key(ld, &m, (const char *)k->data.scalar.value, v,
			    &probe))
			goto fail;
	}
	if (!m.service || !m.pattern) {
		yaml_source_fail(&ld->src, node,
				 "a signature needs service and pattern");
		goto fail;
	}
	p = sp_probe_find(ld->set, probe, 6);
	if (p < 0) {
		/* another probes file (--service-probes) may lack it: the
		 * signature is unusable, not the whole set */
		char why[96];

		snprintf(why, sizeof(why), "no TCP probe named %s", probe);
		sp_problem_add(ld->set, m.file, m.line, m.service, why);
		goto drop;
	}
	for (int f = 0; f < SP_FIELDS; f++)
		if (m.tmpl[f] && strchr(m.tmpl[f], '$'))
			m.uses_captures = 1;
	for (unsigned c = 0; c < m.cpe_count; c++)
		if (strchr(m.cpe[c], '$'))
			m.uses_captures = 1;
	sp_match_append(&ld->set->probes[p], &m);
	return 0;
bad_key:
	yaml_source_fail(&ld->src, node, "a key must be a scalar");
fail:
	rc = -1;
drop:
	free(m.service);
	free(m.pattern);
	for (int f = 0; f < SP_FIELDS; f++)
		free(m.tmpl[f]);
	for (unsigned c = 0; c < m.cpe_count; c++)
		free(m.cpe[c]);
	return rc;
}

static int
sig_doc(struct sig_load *ld)
{
	yaml_node_t *root = yaml_document_get_root_node(ld->src.doc);
	yaml_node_t *list = NULL;

	if (!root || root->type != YAML_MAPPING_NODE)
		return yaml_source_fail(&ld->src, root,
					"expects a mapping with signatures:");
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(ld->src.doc, pr->key);

		if (k->type != YAML_SCALAR_NODE ||
		    strcmp((const char *)k->data.scalar.value, "signatures"))
			return yaml_source_fail(
			    &ld->src, k, "unknown key (known: signatures)");
		list = yaml_document_get_node(ld->src.doc, pr->value);
	}
	if (!list || list->type != YAML_SEQUENCE_NODE)
		return yaml_source_fail(&ld->src, list ? list : root,
					"signatures: expects a list");
	for (yaml_node_item_t *it = list->data.sequence.items.start;
	     it < list->data.sequence.items.top; it++)
		if (sig_entry(ld, yaml_document_get_node(ld->src.doc, *it)))
			return -1;
	return 0;
}

int
signatures_load_text(struct sp_set *set, const char *text, const char *name,
		     char *err, size_t errlen)
{
	yaml_document_t doc;
	struct sig_load ld = {set, {&doc, name, err, errlen}};
	int rc;

	if (yaml_doc_load_string(&doc, text, name, "signature file", err,
				 errlen))
		return -1;
	rc = sig_doc(&ld);
	yaml_document_delete(&doc);
	return rc;
}

static int
yaml_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && !strcmp(d->d_name + n - 5, ".yaml");
}

int
signatures_load_dir(struct sp_set *set, const char *dir, struct match_key *key,
		    char *err, size_t errlen)
{
	struct dirent **names;
	int n = scandir(dir, &names, yaml_name, alphasort), rc = 0;

	if (n < 0)
		return errno == ENOENT
			   ? 0
			   : (errf(err, errlen, "%s: %s", dir, strerror(errno)),
			      -1);
	for (int i = 0; i < n; i++) {
		char path[1024];
		size_t len;
		char *text;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		text = rc ? NULL : match_read_file(path, &len, err, errlen);
		if (!rc && !text)
			rc = -1;
		if (text) {
			match_key_add(key, text, len);
			rc = signatures_load_text(set, text, path, err, errlen);
		}
		free(text);
		free(names[i]);
	}
	free(names);
	return rc;
}
