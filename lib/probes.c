/* probes: config/probes.yaml read with libyaml into entries whose payload
 * templates are split into pieces once, the 65536-entry port index, and the
 * per-target rendering of {host} and {user_agent}. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "probes.h"
#include "errmsg.h"
#include "yaml_doc.h"

#define PORT_COUNT 65536
#define HOST_MAX 15 /* "255.255.255.255" */

/* ---- rendering ---- */

/* Dotted quad of a host-order address into buf (HOST_MAX bytes); its
 * length. */
static size_t
format_host(char *buf, uint32_t ip)
{
	size_t n = 0;

	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned b = (ip >> shift) & 0xff;

		if (b >= 100)
			buf[n++] = '0' + b / 100;
		if (b >= 10)
			buf[n++] = '0' + b / 10 % 10;
		buf[n++] = '0' + b % 10;
		if (shift)
			buf[n++] = '.';
	}
	return n;
}

size_t
probe_payload_render(const struct probe_entry *e, uint32_t target_ip,
		     const char *user_agent, uint8_t *out, size_t cap)
{
	char host[HOST_MAX];
	size_t host_len = 0, pos = 0;

	for (unsigned i = 0; i < e->piece_count; i++) {
		const struct probe_piece *p = &e->pieces[i];
		const void *src;
		size_t n;

		switch (p->kind) {
		case PROBE_PIECE_HOST:
			if (!host_len)
				host_len = format_host(host, target_ip);
			src = host;
			n = host_len;
			break;
		case PROBE_PIECE_USER_AGENT:
			src = user_agent;
			n = user_agent ? strlen(user_agent) : 0;
			break;
		default:
			src = e->text + p->off;
			n = p->len;
			break;
		}
		if (pos < cap && n)
			memcpy(out + pos, src, n < cap - pos ? n : cap - pos);
		pos += n;
	}
	return pos;
}

/* The longest rendering of e with this user agent. */
static size_t
payload_max(const struct probe_entry *e, size_t user_agent_len)
{
	size_t n = 0;

	for (unsigned i = 0; i < e->piece_count; i++) {
		switch (e->pieces[i].kind) {
		case PROBE_PIECE_HOST:
			n += HOST_MAX;
			break;
		case PROBE_PIECE_USER_AGENT:
			n += user_agent_len;
			break;
		default:
			n += e->pieces[i].len;
			break;
		}
	}
	return n;
}

/* ---- checks of values, messages without a position ---- */

static int
check_user_agent(const char *ua, size_t len, char *msg, size_t msglen)
{
	if (len > PROBE_USER_AGENT_MAX) {
		errf(msg, msglen, "%zu bytes, more than %d", len,
		     PROBE_USER_AGENT_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = ua[i];

		if (c < 0x20 || c > 0x7e) {
			errf(msg, msglen,
			     "byte 0x%02x at offset %zu is not printable ASCII "
			     "(it would break the request)",
			     c, i);
			return -1;
		}
	}
	return 0;
}

static int
check_name(const char *s, size_t len, char *msg, size_t msglen)
{
	if (!len || len > PROBE_NAME_MAX) {
		errf(msg, msglen, "'%.*s' is not a name of 1..%d characters",
		     (int)(len < 64 ? len : 64), s, PROBE_NAME_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '_' &&
		    c != '.') {
			errf(msg, msglen,
			     "'%.*s' is not a name (letters, digits, - _ .)",
			     (int)len, s);
			return -1;
		}
	}
	return 0;
}

/* Decimal digits only, at most max. */
static int
parse_uint(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!len || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_wait_ms(const char *s, uint32_t *out, char *msg, size_t msglen)
{
	if (parse_uint(s, strlen(s), PROBE_WAIT_MS_MAX, out)) {
		errf(msg, msglen, "'%s' is not an integer in 0..%d (ms)", s,
		     PROBE_WAIT_MS_MAX);
		return -1;
	}
	return 0;
}

/* "22" or "8000-8010" (surrounding blanks allowed). */
static int
parse_port_range(const char *s, size_t len, uint16_t *first, uint16_t *last,
		 char *msg, size_t msglen)
{
	const char *dash;
	uint32_t a, b;

	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	dash = memchr(s, '-', len);
	if (!dash) {
		if (parse_uint(s, len, 65535, &a) || !a)
			goto bad;
		b = a;
	} else if (parse_uint(s, dash - s, 65535, &a) || !a ||
		   parse_uint(dash + 1, len - (dash + 1 - s), 65535, &b) ||
		   !b) {
		goto bad;
	}
	if (a > b) {
		errf(msg, msglen, "'%.*s' is a reversed port range", (int)len,
		     s);
		return -1;
	}
	*first = a;
	*last = b;
	return 0;
bad:
	errf(msg, msglen, "'%.*s' is not a port 1..65535 or a range a-b",
	     (int)(len < 64 ? len : 64), s);
	return -1;
}

/* The kind of the placeholder s[0, n) spells ("{host}"...), or -1. */
static int
placeholder_kind(const unsigned char *s, size_t n)
{
	static const struct {
		const char *name;
		enum probe_piece_kind kind;
	} placeholders[] = {
	    {"{host}", PROBE_PIECE_HOST},
	    {"{user_agent}", PROBE_PIECE_USER_AGENT},
	};

	for (size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]);
	     i++)
		if (n == strlen(placeholders[i].name) &&
		    !memcmp(s, placeholders[i].name, n))
			return placeholders[i].kind;
	return -1;
}

/* Split a template into pieces: "{host}" and "{user_agent}" are
 * placeholders, "{{" is a literal '{', anything else is literal. Bytes are
 * ASCII (NUL included). e->text and e->pieces are allocated here. */
static int
split_template(const unsigned char *s, size_t len, struct probe_entry *e,
	       char *msg, size_t msglen)
{
	size_t text_len = 0;

	/* Longer than twice the cap cannot render within it ("{{" is 1). */
	if (len > 2 * PROBE_PAYLOAD_MAX) {
		errf(msg, msglen, "%zu bytes, more than %d once rendered", len,
		     PROBE_PAYLOAD_MAX);
		return -1;
	}
	e->text = malloc(len ? len : 1);
	e->pieces = malloc((len + 1) * sizeof(*e->pieces));
	if (!e->text || !e->pieces) {
		errf(msg, msglen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < len;) {
		enum probe_piece_kind kind = PROBE_PIECE_TEXT;
		struct probe_piece *last;
		unsigned char c = s[i];

		if (c >= 0x80) {
			errf(msg, msglen,
			     "byte 0x%02x at offset %zu is not ASCII (YAML "
			     "writes \\x80 and above as UTF-8; binary payloads "
			     "are not supported yet)",
			     c, i);
			return -1;
		}
		if (c == '{' && i + 1 < len && s[i + 1] == '{') {
			i += 2;
		} else if (c == '{') {
			const unsigned char *end = memchr(s + i, '}', len - i);
			size_t n = end ? (size_t)(end - (s + i)) + 1 : 0;
			int found = end ? placeholder_kind(s + i, n) : -1;

			if (!end) {
				errf(msg, msglen,
				     "'{' at offset %zu opens no placeholder "
				     "(known: {host}, {user_agent}; {{ is a "
				     "literal {)",
				     i);
				return -1;
			}
			if (found < 0) {
				errf(msg, msglen,
				     "unknown placeholder '%.*s' at offset %zu "
				     "(known: {host}, {user_agent}; {{ is a "
				     "literal {)",
				     (int)(n <= 40 ? n : 40), s + i, i);
				return -1;
			}
			kind = found;
			i += n;
		} else {
			i++;
		}
		last = e->piece_count ? &e->pieces[e->piece_count - 1] : NULL;
		if (kind != PROBE_PIECE_TEXT) {
			e->pieces[e->piece_count++] =
			    (struct probe_piece){.kind = kind};
			continue;
		}
		if (!last || last->kind != PROBE_PIECE_TEXT) {
			last = &e->pieces[e->piece_count++];
			*last = (struct probe_piece){.kind = PROBE_PIECE_TEXT,
						     .off = text_len};
		}
		e->text[text_len++] = c;
		last->len++;
	}
	return 0;
}

/* ---- YAML in ---- */

struct probes_load {
	struct probe_registry *reg;
	struct yaml_source src;
	/* where each entry starts, for messages about later ones */
	const yaml_node_t *entry_node[PROBE_ENTRIES_MAX + 1];
};

static const char *
scalar(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

/* Every key of map is a scalar, named in known (NULL-terminated), once. */
static int
check_keys(struct probes_load *ld, const yaml_node_t *map,
	   const char *const *known, const char *what)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(ld->src.doc, p->key);
		char list[128];
		size_t n = 0;
		unsigned i;

		if (kn->type != YAML_SCALAR_NODE)
			return yaml_source_fail(
			    &ld->src, kn, "%s%sa key must be a scalar, got %s",
			    what, *what ? ": " : "", yaml_node_kind(kn));
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p;
		     q++) {
			yaml_node_t *prev =
			    yaml_document_get_node(ld->src.doc, q->key);

			if (!strcmp(scalar(prev), scalar(kn)))
				return yaml_source_fail(
				    &ld->src, kn,
				    "%s%sduplicate key '%s' (first at line "
				    "%zu)",
				    what, *what ? ": " : "", scalar(kn),
				    prev->start_mark.line + 1);
		}
		for (i = 0; known[i]; i++)
			if (!strcmp(known[i], scalar(kn)))
				break;
		if (known[i])
			continue;
		list[0] = 0;
		for (i = 0; known[i] && n < sizeof(list); i++)
			n += snprintf(list + n, sizeof(list) - n, "%s%s",
				      i ? ", " : "", known[i]);
		return yaml_source_fail(
		    &ld->src, kn, "%s%sunknown key '%.40s' (known: %s)", what,
		    *what ? ": " : "", scalar(kn), list);
	}
	return 0;
}

/* The value of key in map (keys checked already), or NULL. */
static yaml_node_t *
map_get(struct probes_load *ld, const yaml_node_t *map, const char *key)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(ld->src.doc, p->key);

		if (kn->type == YAML_SCALAR_NODE && !strcmp(scalar(kn), key))
			return yaml_document_get_node(ld->src.doc, p->value);
	}
	return NULL;
}

/* A scalar value of key, without NUL bytes unless allowed. */
static int
want_scalar(struct probes_load *ld, const yaml_node_t *node, const char *what,
	    const char *key, const char *expects, int nul_ok)
{
	if (node->type != YAML_SCALAR_NODE)
		return yaml_source_fail(
		    &ld->src, node, "%s%s%s expects %s, got %s", what,
		    *what ? ": " : "", key, expects, yaml_node_kind(node));
	if (yaml_node_is_null(node))
		return yaml_source_fail(&ld->src, node,
					"%s%s%s has no value (expects %s)",
					what, *what ? ": " : "", key, expects);
	if (!nul_ok && strlen(scalar(node)) != node->data.scalar.length)
		return yaml_source_fail(&ld->src, node,
					"%s%s%s: value holds a NUL byte", what,
					*what ? ": " : "", key);
	return 0;
}

/* One item of ports: "22", "8000-8010" or "22, 80" claims its ports for
 * entry num in the index. */
static int
claim_ports(struct probes_load *ld, const yaml_node_t *node, unsigned num,
	    const char *what)
{
	struct probe_registry *reg = ld->reg;
	char msg[PROBES_ERR_LEN / 2];
	const char *s;

	if (want_scalar(ld, node, what, "ports",
			"a port, a range a-b or a list of them", 0))
		return -1;
	for (s = scalar(node);;) {
		size_t len = strcspn(s, ",");
		uint16_t first, last;

		if (parse_port_range(s, len, &first, &last, msg, sizeof(msg)))
			return yaml_source_fail(&ld->src, node, "%s: ports: %s",
						what, msg);
		for (uint32_t port = first; port <= last; port++) {
			unsigned owner = reg->index[port];
			const yaml_node_t *at = ld->entry_node[owner];

			if (owner == num)
				return yaml_source_fail(
				    &ld->src, node,
				    "%s: ports: port %u is listed twice", what,
				    (unsigned)port);
			if (owner)
				return yaml_source_fail(
				    &ld->src, node,
				    "%s: ports: port %u is already in probe "
				    "'%s' (%s:%zu:%zu)",
				    what, (unsigned)port,
				    reg->entries[owner].name, ld->src.name,
				    at->start_mark.line + 1,
				    at->start_mark.column + 1);
			reg->index[port] = num;
		}
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

static int
load_ports(struct probes_load *ld, const yaml_node_t *node, unsigned num,
	   const char *what)
{
	if (node->type != YAML_SEQUENCE_NODE)
		return claim_ports(ld, node, num, what);
	if (node->data.sequence.items.start == node->data.sequence.items.top)
		return yaml_source_fail(&ld->src, node, "%s: ports: empty list",
					what);
	for (yaml_node_item_t *it = node->data.sequence.items.start;
	     it < node->data.sequence.items.top; it++)
		if (claim_ports(ld, yaml_document_get_node(ld->src.doc, *it),
				num, what))
			return -1;
	return 0;
}

/* Entry num of the registry from its mapping: the fallback (num 0, no
 * ports) or the item num - 1 of probes:. */
static int
load_entry(struct probes_load *ld, const yaml_node_t *node, unsigned num)
{
	static const char *const keys[] = {
	    "name",    "ports",	   "payload", "client_first",
	    "wait_ms", "complete", NULL};
	struct probe_registry *reg = ld->reg;
	struct probe_entry *e = &reg->entries[num];
	yaml_node_t *name, *ports, *payload, *client_first, *wait, *complete;
	char what[64], msg[PROBES_ERR_LEN / 2];

	if (num)
		snprintf(what, sizeof(what), "probes[%u]", num - 1);
	else
		snprintf(what, sizeof(what), "fallback");
	ld->entry_node[num] = node;
	if (node->type != YAML_MAPPING_NODE)
		return yaml_source_fail(
		    &ld->src, node,
		    "%s expects a mapping (name, %spayload, "
		    "client_first, wait_ms, complete), got %s",
		    what, num ? "ports, " : "", yaml_node_kind(node));
	if (check_keys(ld, node, keys, what))
		return -1;

	name = map_get(ld, node, "name");
	if (!name)
		return yaml_source_fail(&ld->src, node,
					"%s: missing key 'name'", what);
	if (want_scalar(ld, name, what, "name", "a name", 0))
		return -1;
	if (check_name(scalar(name), name->data.scalar.length, msg,
		       sizeof(msg)))
		return yaml_source_fail(&ld->src, name, "%s: name: %s", what,
					msg);
	for (unsigned i = 0; i < num; i++)
		if (!strcmp(reg->entries[i].name, scalar(name)))
			return yaml_source_fail(
			    &ld->src, name,
			    "%s: name '%s' is taken by the entry "
			    "at %s:%zu:%zu",
			    what, scalar(name), ld->src.name,
			    ld->entry_node[i]->start_mark.line + 1,
			    ld->entry_node[i]->start_mark.column + 1);
	e->name = strdup(scalar(name));
	if (!e->name)
		return yaml_source_fail(&ld->src, node, "out of memory");
	snprintf(what, sizeof(what), "%s '%s'", num ? "probe" : "fallback",
		 e->name);

	client_first = map_get(ld, node, "client_first");
	if (client_first) {
		if (want_scalar(ld, client_first, what, "client_first",
				"true or false", 0))
			return -1;
		if (yaml_parse_bool(scalar(client_first), &e->client_first, msg,
			       sizeof(msg)))
			return yaml_source_fail(&ld->src, client_first,
						"%s: client_first: %s", what,
						msg);
	}

	wait = map_get(ld, node, "wait_ms");
	e->wait_ms = e->client_first ? 0 : reg->wait_ms;
	if (wait) {
		if (e->client_first)
			return yaml_source_fail(
			    &ld->src, wait,
			    "%s: wait_ms is the server-first wait: "
			    "it needs client_first: false",
			    what);
		if (want_scalar(ld, wait, what, "wait_ms", "an integer", 0))
			return -1;
		if (parse_wait_ms(scalar(wait), &e->wait_ms, msg, sizeof(msg)))
			return yaml_source_fail(&ld->src, wait,
						"%s: wait_ms: %s", what, msg);
	}

	complete = map_get(ld, node, "complete");
	if (complete) {
		if (want_scalar(ld, complete, what, "complete", "line or idle",
				0))
			return -1;
		if (strcmp(scalar(complete), "line") &&
		    strcmp(scalar(complete), "idle"))
			return yaml_source_fail(
			    &ld->src, complete,
			    "%s: complete: '%s' is not line or "
			    "idle",
			    what, scalar(complete));
		e->complete_line = !strcmp(scalar(complete), "line");
	}

	payload = map_get(ld, node, "payload");
	if (payload && !yaml_node_is_null(payload)) {
		if (want_scalar(ld, payload, what, "payload", "a string", 1))
			return -1;
		if (split_template(payload->data.scalar.value,
				   payload->data.scalar.length, e, msg,
				   sizeof(msg)))
			return yaml_source_fail(&ld->src, payload,
						"%s: payload: %s", what, msg);
		e->payload_max = payload_max(e, strlen(reg->user_agent));
		if (e->payload_max > PROBE_PAYLOAD_MAX)
			return yaml_source_fail(
			    &ld->src, payload,
			    "%s: payload: up to %zu bytes once rendered "
			    "(user_agent %zu bytes, {host} up to %d), more "
			    "than %d",
			    what, e->payload_max, strlen(reg->user_agent),
			    HOST_MAX, PROBE_PAYLOAD_MAX);
	}
	if (e->client_first && !e->piece_count)
		return yaml_source_fail(
		    &ld->src, payload ? payload : node,
		    "%s: client_first: true needs a payload", what);

	ports = map_get(ld, node, "ports");
	if (!num && ports)
		return yaml_source_fail(
		    &ld->src, ports,
		    "fallback takes no ports: it is the probe of "
		    "every port no entry of probes lists");
	if (num && !ports)
		return yaml_source_fail(&ld->src, node,
					"%s: missing key 'ports'", what);
	return num ? load_ports(ld, ports, num, what) : 0;
}

static int
load_root(struct probes_load *ld, const yaml_node_t *root)
{
	static const char *const keys[] = {"user_agent", "wait_ms", "probes",
					   "fallback", NULL};
	struct probe_registry *reg = ld->reg;
	yaml_node_t *ua, *wait, *list, *fallback;
	char msg[PROBES_ERR_LEN / 2];
	size_t count = 0;

	if (root->type != YAML_MAPPING_NODE)
		return yaml_source_fail(
		    &ld->src, root,
		    "a probe registry is a mapping (user_agent, "
		    "wait_ms, probes, fallback), got %s",
		    yaml_node_kind(root));
	if (check_keys(ld, root, keys, ""))
		return -1;
	ua = map_get(ld, root, "user_agent");
	wait = map_get(ld, root, "wait_ms");
	list = map_get(ld, root, "probes");
	fallback = map_get(ld, root, "fallback");

	reg->wait_ms = PROBE_WAIT_MS_DEFAULT;
	if (wait) {
		if (want_scalar(ld, wait, "", "wait_ms", "an integer", 0))
			return -1;
		if (parse_wait_ms(scalar(wait), &reg->wait_ms, msg,
				  sizeof(msg)))
			return yaml_source_fail(&ld->src, wait, "wait_ms: %s",
						msg);
	}
	if (ua) {
		if (ua->type != YAML_SCALAR_NODE)
			return yaml_source_fail(
			    &ld->src, ua, "user_agent expects a string, got %s",
			    yaml_node_kind(ua));
		if (check_user_agent(scalar(ua), ua->data.scalar.length, msg,
				     sizeof(msg)))
			return yaml_source_fail(&ld->src, ua, "user_agent: %s",
						msg);
	}
	reg->user_agent = strdup(
	    ua && !yaml_node_is_null(ua) ? scalar(ua) : PROBE_USER_AGENT_DEFAULT);

	if (!fallback)
		return yaml_source_fail(
		    &ld->src, root,
		    "missing key 'fallback' (the probe of every "
		    "port no entry of probes lists)");
	if (list && !yaml_node_is_null(list)) {
		if (list->type != YAML_SEQUENCE_NODE)
			return yaml_source_fail(
			    &ld->src, list,
			    "probes expects a list of entries, "
			    "got %s",
			    yaml_node_kind(list));
		count = list->data.sequence.items.top -
			list->data.sequence.items.start;
		if (count > PROBE_ENTRIES_MAX)
			return yaml_source_fail(
			    &ld->src, list, "probes: %zu entries, more than %d",
			    count, PROBE_ENTRIES_MAX);
	}
	reg->entries = calloc(count + 1, sizeof(*reg->entries));
	reg->index = calloc(PORT_COUNT, sizeof(*reg->index));
	if (!reg->user_agent || !reg->entries || !reg->index)
		return yaml_source_fail(&ld->src, root, "out of memory");
	reg->entry_count = 1;
	if (load_entry(ld, fallback, 0))
		return -1;
	for (size_t i = 0; i < count; i++) {
		reg->entry_count++;
		if (load_entry(
			ld,
			yaml_document_get_node(
			    ld->src.doc, list->data.sequence.items.start[i]),
			i + 1))
			return -1;
	}
	return 0;
}

/* The registry's document, read into reg; the document is deleted. */
static int
probes_load(struct probe_registry *reg, yaml_document_t *doc,
	    const char *name, char *err, size_t errlen)
{
	struct probes_load ld = {.reg = reg, .src = {doc, name, err, errlen}};
	yaml_node_t *root = yaml_document_get_root_node(doc);
	int rc;

	if (!root || yaml_node_is_null(root)) {
		errf(err, errlen,
		     "%s: empty probe registry (it needs at least "
		     "a fallback)",
		     name);
		rc = -1;
	} else {
		rc = load_root(&ld, root);
	}
	yaml_document_delete(doc);
	if (rc)
		probes_free(reg);
	return rc;
}

int
probes_load_string(struct probe_registry *reg, const char *yaml,
		   const char *name, char *err, size_t errlen)
{
	yaml_document_t doc;

	memset(reg, 0, sizeof(*reg));
	if (yaml_doc_load_string(&doc, yaml, name, "probe registry", err,
				 errlen))
		return -1;
	return probes_load(reg, &doc, name, err, errlen);
}

int
probes_load_file(struct probe_registry *reg, const char *path, char *err,
		 size_t errlen)
{
	yaml_document_t doc;

	memset(reg, 0, sizeof(*reg));
	if (yaml_doc_load_file(&doc, path, "probe registry", err, errlen))
		return -1;
	return probes_load(reg, &doc, path, err, errlen);
}

int
probes_set_user_agent(struct probe_registry *reg, const char *user_agent,
		      char *err, size_t errlen)
{
	size_t len = strlen(user_agent);
	char msg[PROBES_ERR_LEN / 2], *copy;

	if (check_user_agent(user_agent, len, msg, sizeof(msg))) {
		errf(err, errlen, "user agent: %s", msg);
		return -1;
	}
	for (unsigned i = 0; i < reg->entry_count; i++) {
		size_t n = payload_max(&reg->entries[i], len);

		if (n > PROBE_PAYLOAD_MAX) {
			errf(err, errlen,
			     "user agent: probe '%s' would render up to %zu "
			     "bytes, more than %d",
			     reg->entries[i].name, n, PROBE_PAYLOAD_MAX);
			return -1;
		}
	}
	copy = strdup(user_agent);
	if (!copy) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	free(reg->user_agent);
	reg->user_agent = copy;
	for (unsigned i = 0; i < reg->entry_count; i++)
		reg->entries[i].payload_max =
		    payload_max(&reg->entries[i], len);
	return 0;
}

void
probes_free(struct probe_registry *reg)
{
	for (unsigned i = 0; i < reg->entry_count; i++) {
		free(reg->entries[i].name);
		free(reg->entries[i].text);
		free(reg->entries[i].pieces);
	}
	free(reg->entries);
	free(reg->index);
	free(reg->user_agent);
	memset(reg, 0, sizeof(*reg));
}
