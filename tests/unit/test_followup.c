/* test_followup: the table of ports in follow-up — find/add/remove under
 * random churn against a plain model (backward-shift removal keeps every
 * entry findable), a full table, visiting slots while removing; and what an
 * entry keeps: the first softmatch with its banner, else the first banner. */
#include <stdlib.h>

#include "check.h"
#include "followup.h"

static struct scan_result
open_result(uint32_t ip, uint16_t port)
{
	return (struct scan_result){.ip = ip,
				    .port = port,
				    .proto = 6,
				    .status = RESULT_OPEN,
				    .ttl = 64};
}

#define MODEL 4096

static void
test_churn(void)
{
	static uint8_t held[MODEL];
	struct followup_table t;
	uint64_t rng = 88172645463325252ull;
	unsigned count = 0;

	CHECK(followup_table_init(&t, 1000) == 0);
	for (unsigned round = 0; round < 200000; round++) {
		unsigned k;
		uint32_t ip;
		uint16_t port;
		struct followup *e;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		k = (unsigned)(rng >> 40) % MODEL;
		/* keys that collide in the low bits too */
		ip = 0xc6120000u + (k & 63);
		port = (uint16_t)(k >> 6);
		e = followup_find(&t, ip, port);
		CHECK((e != NULL) == held[k]);
		if (e) {
			CHECK(e->result.ip == ip && e->result.port == port);
			followup_remove(&t, e);
			held[k] = 0;
			count--;
		} else {
			struct scan_result r = open_result(ip, port);

			e = followup_add(&t, &r);
			if (count == 1000) {
				CHECK(e == NULL);
				continue;
			}
			CHECK(e != NULL && e->step == 0 && !e->banner);
			held[k] = 1;
			count++;
		}
		CHECK_EQ_U64(t.count, count);
	}
	for (unsigned k = 0; k < MODEL; k++)
		if (held[k])
			CHECK(followup_find(&t, 0xc6120000u + (k & 63),
					    (uint16_t)(k >> 6)) != NULL);
	/* visit and remove everything: slot i is visited again after a
	 * removal */
	for (uint32_t i = 0; i <= t.mask;) {
		struct followup *e = followup_slot(&t, i);

		if (e)
			followup_remove(&t, e);
		else
			i++;
	}
	CHECK_EQ_U64(t.count, 0);
	followup_table_free(&t);
}

static void
test_keep(void)
{
	struct followup_table t;
	struct scan_result r = open_result(0xc6120005u, 7379);
	struct service_id none = {.match = SERVICE_NONE};
	struct service_id soft = {.match = SERVICE_SOFT,
				  .name = "http",
				  .cpe_count = 1,
				  .cpe = {"cpe:/a:x:y"}};
	struct output_record rec;
	struct followup *e;
	char name[8] = "http";

	CHECK(followup_table_init(&t, 4) == 0);
	e = followup_add(&t, &r);
	CHECK(e != NULL);
	rec = followup_record(e, &none);
	CHECK(rec.result->port == 7379 && rec.banner && rec.banner_len == 0 &&
	      rec.service == &none);
	/* nothing said: nothing kept */
	CHECK(followup_take(e, (const uint8_t *)"", 0, &none) == 0);
	CHECK(e->banner == NULL);
	/* the first banner with bytes is kept, a later one is not */
	CHECK(followup_take(e, (const uint8_t *)"one\0x", 5, &none) == 0);
	CHECK(followup_take(e, (const uint8_t *)"two", 3, &none) == 0);
	CHECK(e->banner_len == 5 && memcmp(e->banner, "one\0x", 5) == 0);
	/* a softmatch takes over, with its banner; its strings are copies */
	soft.name = name;
	CHECK(followup_take(e, (const uint8_t *)"HTTP/1.0 400", 12, &soft) ==
	      0);
	name[0] = 'X';
	rec = followup_record(e, &none);
	CHECK(rec.service == &e->soft && rec.service->match == SERVICE_SOFT &&
	      strcmp(rec.service->name, "http") == 0 &&
	      rec.service->product == NULL && rec.service->cpe_count == 1 &&
	      strcmp(rec.service->cpe[0], "cpe:/a:x:y") == 0);
	CHECK(rec.banner_len == 12 &&
	      memcmp(rec.banner, "HTTP/1.0 400", 12) == 0);
	/* the first softmatch stays */
	soft.name = "other";
	CHECK(followup_take(e, (const uint8_t *)"zzz", 3, &soft) == 0);
	CHECK(strcmp(e->soft.name, "http") == 0 && e->banner_len == 12);
	followup_table_free(&t); /* frees held copies (ASan: no leak) */
}

int
main(void)
{
	test_churn();
	test_keep();
	return check_report("followup");
}
