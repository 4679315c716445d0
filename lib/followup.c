/* followup: linear probing over a power-of-two slot array at most 3/4 full;
 * removal shifts the entries after a freed slot back towards their home, so
 * no tombstones build up over a long scan. */
#include <stdlib.h>
#include <string.h>

#include "followup.h"

static uint32_t
home(const struct followup_table *t, uint32_t ip, uint16_t port)
{
	uint64_t x = ((uint64_t)ip << 16 | port) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(x >> 32) & t->mask;
}

int
followup_table_init(struct followup_table *t, uint32_t capacity)
{
	uint32_t slots = 4;

	memset(t, 0, sizeof(*t));
	if (capacity == 0 || capacity > (1u << 28))
		return -1;
	while ((uint64_t)slots * 3 / 4 < capacity)
		slots <<= 1;
	t->slots = calloc(slots, sizeof(*t->slots));
	if (!t->slots)
		return -1;
	t->mask = slots - 1;
	t->capacity = capacity;
	return 0;
}

static void
entry_clear(struct followup *e)
{
	free(e->banner);
	free(e->soft_text);
	memset(e, 0, sizeof(*e));
}

void
followup_table_free(struct followup_table *t)
{
	if (t->slots)
		for (uint32_t i = 0; i <= t->mask; i++)
			if (t->slots[i].used)
				entry_clear(&t->slots[i]);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

struct followup *
followup_find(struct followup_table *t, uint32_t ip, uint16_t port)
{
	for (uint32_t i = home(t, ip, port);; i = (i + 1) & t->mask) {
		struct followup *e = &t->slots[i];

		if (!e->used)
			return NULL;
		if (e->ip == ip && e->port == port)
			return e;
	}
}

struct followup *
followup_add(struct followup_table *t, const struct scan_result *result)
{
	uint32_t i = home(t, result->ip, result->port);

	if (t->count >= t->capacity)
		return NULL;
	while (t->slots[i].used)
		i = (i + 1) & t->mask;
	t->slots[i] = (struct followup){
	    .ip = result->ip,
	    .port = result->port,
	    .used = 1,
	    .result = *result,
	};
	t->count++;
	return &t->slots[i];
}

void
followup_remove(struct followup_table *t, struct followup *e)
{
	uint32_t hole = (uint32_t)(e - t->slots);

	entry_clear(e);
	t->count--;
	for (uint32_t j = (hole + 1) & t->mask; t->slots[j].used;
	     j = (j + 1) & t->mask) {
		uint32_t h = home(t, t->slots[j].ip, t->slots[j].port);

		/* j's entry may fill the hole if its home is not after the
		 * hole on the way to j (cyclically) */
		if (((j - h) & t->mask) >= ((j - hole) & t->mask)) {
			t->slots[hole] = t->slots[j];
			memset(&t->slots[j], 0, sizeof(t->slots[j]));
			hole = j;
		}
	}
}

/* The strings of id, one after the other, into one block that soft's
 * fields point into. */
static int
soft_keep(struct followup *e, const struct service_id *id)
{
	const char *const *from[] = {
	    &id->name,	   &id->product, &id->version,	 &id->info,
	    &id->hostname, &id->os,	 &id->devicetype};
	const char **to[] = {&e->soft.name,	 &e->soft.product,
			     &e->soft.version,	 &e->soft.info,
			     &e->soft.hostname,	 &e->soft.os,
			     &e->soft.devicetype};
	size_t bytes = 0, used = 0;
	unsigned n = sizeof(from) / sizeof(from[0]);
	char *text;

	for (unsigned k = 0; k < n; k++)
		bytes += *from[k] ? strlen(*from[k]) + 1 : 0;
	for (unsigned k = 0; k < id->cpe_count; k++)
		bytes += strlen(id->cpe[k]) + 1;
	text = malloc(bytes ? bytes : 1);
	if (!text)
		return -1;
	e->soft =
	    (struct service_id){.match = id->match, .cpe_count = id->cpe_count};
	for (unsigned k = 0; k < n + id->cpe_count; k++) {
		const char *s = k < n ? *from[k] : id->cpe[k - n];
		size_t len;

		if (!s)
			continue;
		len = strlen(s) + 1;
		memcpy(text + used, s, len);
		if (k < n)
			*to[k] = text + used;
		else
			e->soft.cpe[k - n] = text + used;
		used += len;
	}
	e->soft_text = text;
	return 0;
}

static int
banner_keep(struct followup *e, const uint8_t *data, uint32_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		return -1;
	memcpy(copy, data, len);
	free(e->banner);
	e->banner = copy;
	e->banner_len = len;
	return 0;
}

int
followup_take(struct followup *e, const uint8_t *data, uint32_t len,
	      const struct service_id *id)
{
	if (id && id->match == SERVICE_SOFT && e->soft.match == SERVICE_NONE) {
		/* no softmatch kept yet: soft_text is NULL */
		if (soft_keep(e, id))
			return -1;
		if (banner_keep(e, data, len)) {
			free(e->soft_text);
			e->soft_text = NULL;
			e->soft = (struct service_id){.match = SERVICE_NONE};
			return -1;
		}
		return 0;
	}
	if (len && !e->banner)
		return banner_keep(e, data, len);
	return 0;
}

struct output_record
followup_record(const struct followup *e, const struct service_id *none)
{
	return (struct output_record){
	    .result = &e->result,
	    .banner = e->banner ? e->banner : (const uint8_t *)"",
	    .banner_len = e->banner_len,
	    .service = e->soft.match != SERVICE_NONE ? &e->soft : none,
	};
}
