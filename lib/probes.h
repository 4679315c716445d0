/* probes: the banner probe registry — per TCP port, what tidescan sends once a
 * handshake completes, read from config/probes.yaml (libyaml). O(1) lookup by
 * port; payload templates are split at load and rendered per target. */
#ifndef TIDESCAN_PROBES_H
#define TIDESCAN_PROBES_H

#include <stddef.h>
#include <stdint.h>

#define PROBES_ERR_LEN 512
#define PROBE_PAYLOAD_MAX 1024 /* bytes of a payload once rendered */
#define PROBE_ENTRIES_MAX 255  /* entries of probes:, the fallback aside */
#define PROBE_NAME_MAX 32
#define PROBE_USER_AGENT_MAX 256
#define PROBE_WAIT_MS_MAX 60000
#define PROBE_WAIT_MS_DEFAULT                                                  \
	3000 /* when the file has no top-level wait_ms                         \
	      */
#define PROBE_USER_AGENT_DEFAULT "tidescan" /* when it has no user_agent */

enum probe_piece_kind {
	PROBE_PIECE_TEXT = 0,	/* bytes of probe_entry.text */
	PROBE_PIECE_HOST,	/* {host}: the target address, dotted */
	PROBE_PIECE_USER_AGENT, /* {user_agent} */
};

/* One piece of a payload template, as split at load. */
struct probe_piece {
	uint8_t kind; /* enum probe_piece_kind */
	uint16_t off; /* PROBE_PIECE_TEXT: where in text */
	uint16_t len;
};

struct probe_entry {
	char *name;
	/* 1: send the payload right after the handshake. 0 (server-first):
	 * wait wait_ms for the server's banner, and send the payload (if
	 * any) only if the server said nothing. */
	int client_first;
	uint32_t wait_ms; /* the server-first wait; 0 when client-first */
	/* 1: the banner is complete at its first line end (complete: line),
	 * 0: when the server stops (complete: idle, the default) */
	int complete_line;
	/* longest rendering with the registry's user agent; 0: no payload */
	size_t payload_max;
	uint8_t *text; /* the template's literal bytes */
	struct probe_piece *pieces;
	unsigned piece_count; /* 0: no payload */
};

struct probe_registry {
	/* entries[0] is the fallback (every port no entry lists), then the
	 * entries of probes: in file order */
	struct probe_entry *entries;
	unsigned entry_count;
	uint8_t *index;	  /* 65536 entry numbers, one per port */
	char *user_agent; /* what {user_agent} normally renders as */
	uint32_t wait_ms; /* server-first wait of entries with none */
};

/* Load a registry (reg need not be initialized; what it held is not freed).
 * Unknown keys, wrong types, bad or overlapping ports, unknown placeholders,
 * payloads over PROBE_PAYLOAD_MAX: -1 with "FILE:LINE:COL: message naming
 * the entry and key", and reg left empty (probes_free() is still safe). */
int probes_load_file(struct probe_registry *reg, const char *path, char *err,
		     size_t errlen);
/* Same from a string (name used in messages). */
int probes_load_string(struct probe_registry *reg, const char *yaml,
		       const char *name, char *err, size_t errlen);

/* Replace the user agent (the caller's override of the file's): printable
 * ASCII, at most PROBE_USER_AGENT_MAX bytes, and every payload must still
 * fit PROBE_PAYLOAD_MAX. -1 with a message and reg unchanged otherwise. */
int probes_set_user_agent(struct probe_registry *reg, const char *user_agent,
			  char *err, size_t errlen);

void probes_free(struct probe_registry *reg);

/* The entry for a port of a loaded registry: never NULL, the fallback when no
 * entry lists the port. */
static inline const struct probe_entry *
probes_for_port(const struct probe_registry *reg, uint16_t port)
{
	return &reg->entries[reg->index[port]];
}

/* Render e's payload for a target (host order) into out: at most cap bytes
 * written, no NUL added. user_agent is normally reg->user_agent; NULL renders
 * as nothing. Returns the payload's whole length, as snprintf does: more than
 * cap means out holds only its first cap bytes. 0: nothing to send. */
size_t probe_payload_render(const struct probe_entry *e, uint32_t target_ip,
			    const char *user_agent, uint8_t *out, size_t cap);

#endif
