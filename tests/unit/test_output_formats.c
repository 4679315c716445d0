/* test_output_formats: each text writer — json (masscan -oJ), list (-oL),
 * grepable (-oG), xml (nmap -oX) — prints exactly the documented lines for
 * known records, escapes what would break its syntax, and continues a file
 * in APPEND mode (header once, trailer moved). */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "output.h"

#define IP(d) ((198u << 24) | (18u << 16) | (1u << 8) | (d))

static const struct scan_result ssh = {.ts = 1795630340.5,
				       .ip = IP(10),
				       .port = 22,
				       .proto = 6,
				       .status = RESULT_OPEN,
				       .ttl = 64};
static const struct scan_result closed = {.ts = 1795630341.0,
					  .ip = IP(20),
					  .port = 80,
					  .proto = 6,
					  .status = RESULT_CLOSED,
					  .ttl = 63};
static const struct scan_result unreach = {.ts = 1795630342.0,
					   .ip = IP(22),
					   .port = 81,
					   .proto = 6,
					   .status = RESULT_UNREACHABLE,
					   .ttl = 64,
					   .icmp_code = 3};
static const struct scan_result http = {.ts = 1795630343.0,
					.ip = IP(10),
					.port = 80,
					.proto = 6,
					.status = RESULT_OPEN,
					.ttl = 64};
static const struct service_id openssh = {
    .match = SERVICE_HARD,
    .name = "ssh",
    .product = "OpenSSH",
    .version = "9.2p1 Debian 2+deb12u3",
    .info = "protocol 2.0, a/b",
    .os = "Linux",
    .cpe_count = 1,
    .cpe = {"cpe:/a:openbsd:openssh:9.2p1"},
};
static const uint8_t ssh_banner[] = "SSH-2.0-x\r\n\t\\\x01";

/* The four records, in arrival order: an interleaved host (10) first and
 * last. */
static char *
render(const char *format, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");
	struct output_writer w;
	const struct output_record recs[] = {
	    {.result = &ssh,
	     .banner = ssh_banner,
	     .banner_len = sizeof(ssh_banner) - 1,
	     .service = &openssh},
	    {.result = &closed},
	    {.result = &unreach},
	    {.result = &http},
	};

	output_open(&w, output_format_find(format), f);
	for (size_t i = 0; i < 4; i++)
		output_write_record(&w, &recs[i]);
	CHECK(output_close(&w) == 0);
	fclose(f);
	return buf;
}

static void
test_json(void)
{
	static char buf[4096];

	CHECK_STR(
	    render("json", buf, sizeof(buf)),
	    "[\n"
	    "{   \"ip\": \"198.18.1.10\",   \"timestamp\": \"1795630340\", "
	    "\"ports\": [ {\"port\": 22, \"proto\": \"tcp\", \"status\": "
	    "\"open\", \"reason\": \"syn-ack\", \"ttl\": 64, \"service\": "
	    "{\"name\": \"ssh\", \"product\": \"OpenSSH\", \"version\": "
	    "\"9.2p1 Debian 2+deb12u3\", \"extrainfo\": \"protocol 2.0, "
	    "a/b\", \"ostype\": \"Linux\", \"cpe\": "
	    "[\"cpe:/a:openbsd:openssh:9.2p1\"], \"match\": \"hard\", "
	    "\"banner\": \"SSH-2.0-x\\r\\n\\t\\\\\\u0001\"}} ] }\n"
	    ",\n"
	    "{   \"ip\": \"198.18.1.20\",   \"timestamp\": \"1795630341\", "
	    "\"ports\": [ {\"port\": 80, \"proto\": \"tcp\", \"status\": "
	    "\"closed\", \"reason\": \"reset\", \"ttl\": 63} ] }\n"
	    ",\n"
	    "{   \"ip\": \"198.18.1.22\",   \"timestamp\": \"1795630342\", "
	    "\"ports\": [ {\"port\": 81, \"proto\": \"tcp\", \"status\": "
	    "\"unreachable\", \"reason\": \"port-unreach\", \"ttl\": 64, "
	    "\"icmp_code\": 3} ] }\n"
	    ",\n"
	    "{   \"ip\": \"198.18.1.10\",   \"timestamp\": \"1795630343\", "
	    "\"ports\": [ {\"port\": 80, \"proto\": \"tcp\", \"status\": "
	    "\"open\", \"reason\": \"syn-ack\", \"ttl\": 64} ] }\n"
	    "]\n");
}

static void
test_list(void)
{
	static char buf[4096];

	CHECK_STR(render("list", buf, sizeof(buf)),
		  "#masscan\n"
		  "open tcp 22 198.18.1.10 1795630340\n"
		  "banner tcp 22 198.18.1.10 1795630340 ssh "
		  "SSH-2.0-x\\x0d\\x0a\\x09\\x5c\\x01\n"
		  "closed tcp 80 198.18.1.20 1795630341\n"
		  "unreachable tcp 81 198.18.1.22 1795630342\n"
		  "open tcp 80 198.18.1.10 1795630343\n"
		  "# end\n");
}

static void
test_grepable(void)
{
	static char buf[4096];
	char *body;

	render("grepable", buf, sizeof(buf));
	CHECK(!strncmp(buf, "# tidescan ", 11));
	CHECK(strstr(buf, " scan initiated ") != NULL);
	body = strchr(buf, '\n') + 1;
	CHECK(!strncmp(
	    body,
	    "Timestamp: 1795630340\tHost: 198.18.1.10 ()\tPorts: "
	    "22/open/tcp//ssh//OpenSSH 9.2p1 Debian 2+deb12u3 (protocol "
	    "2.0\\x2c a\\x2fb)/\n"
	    "Host: 198.18.1.10 ()\tPort: 22\tService: ssh\tBanner: "
	    "SSH-2.0-x\\x0d\\x0a\\x09\\x5c\\x01\n"
	    "Timestamp: 1795630341\tHost: 198.18.1.20 ()\tPorts: "
	    "80/closed/tcp/////\n"
	    "Timestamp: 1795630342\tHost: 198.18.1.22 ()\tPorts: "
	    "81/filtered/tcp/////\n"
	    "Timestamp: 1795630343\tHost: 198.18.1.10 ()\tPorts: "
	    "80/open/tcp/////\n"
	    "# tidescan done at ",
	    strlen("Timestamp: 1795630340\tHost: 198.18.1.10 ()\tPorts: "
		   "22/open/tcp//ssh//OpenSSH 9.2p1 Debian 2+deb12u3 (protocol "
		   "2.0\\x2c a\\x2fb)/\n"
		   "Host: 198.18.1.10 ()\tPort: 22\tService: ssh\tBanner: "
		   "SSH-2.0-x\\x0d\\x0a\\x09\\x5c\\x01\n"
		   "Timestamp: 1795630341\tHost: 198.18.1.20 ()\tPorts: "
		   "80/closed/tcp/////\n"
		   "Timestamp: 1795630342\tHost: 198.18.1.22 ()\tPorts: "
		   "81/filtered/tcp/////\n"
		   "Timestamp: 1795630343\tHost: 198.18.1.10 ()\tPorts: "
		   "80/open/tcp/////\n"
		   "# tidescan done at ")));
}

/* One <host> per address, its ports sorted, hosts sorted by address. */
static void
test_xml(void)
{
	static char buf[8192];
	const char *host10, *host20, *host22;

	render("xml", buf, sizeof(buf));
	CHECK(
	    !strncmp(buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39));
	CHECK(strstr(buf, "<nmaprun scanner=\"nmap\" args=\"tidescan\"") !=
	      NULL);
	host10 = strstr(buf, "<address addr=\"198.18.1.10\"");
	host20 = strstr(buf, "<address addr=\"198.18.1.20\"");
	host22 = strstr(buf, "<address addr=\"198.18.1.22\"");
	CHECK(host10 && host20 && host22 && host10 < host20 && host20 < host22);
	CHECK(strstr(host10 + 1, "<address addr=\"198.18.1.10\"") == NULL);
	CHECK(
	    strstr(
		buf,
		"<host starttime=\"1795630340\" endtime=\"1795630343\">"
		"<status state=\"up\" reason=\"syn-ack\" reason_ttl=\"64\"/>\n"
		"<address addr=\"198.18.1.10\" addrtype=\"ipv4\"/>\n"
		"<hostnames>\n</hostnames>\n<ports>"
		"<port protocol=\"tcp\" portid=\"22\"><state state=\"open\" "
		"reason=\"syn-ack\" reason_ttl=\"64\"/><service name=\"ssh\" "
		"product=\"OpenSSH\" version=\"9.2p1 Debian 2+deb12u3\" "
		"extrainfo=\"protocol 2.0, a/b\" ostype=\"Linux\" "
		"method=\"probed\" conf=\"10\"><cpe>cpe:/a:openbsd:openssh:"
		"9.2p1</cpe></service><script id=\"banner\" "
		"output=\"SSH-2.0-x&#13;&#10;&#9;\\x5c\\x01\"/></port>\n"
		"<port protocol=\"tcp\" portid=\"80\"><state state=\"open\" "
		"reason=\"syn-ack\" reason_ttl=\"64\"/></port>\n"
		"</ports>\n</host>\n") != NULL);
	CHECK(strstr(buf, "<state state=\"filtered\" reason=\"port-unreach\" "
			  "reason_ttl=\"64\"/>") != NULL);
	CHECK(strstr(buf, "<hosts up=\"3\" down=\"0\" total=\"3\"/>\n"
			  "</runstats>\n</nmaprun>\n") != NULL);
}

/* XML's forbidden characters and its markup in a banner. */
static void
test_xml_escape(void)
{
	static char buf[4096];
	static const uint8_t hostile[] =
	    "a]]>b<&>\"'\0\x1b\xff\xef\xbf\xbe\xc3\xa9";
	const struct output_record rec = {.result = &ssh,
					  .banner = hostile,
					  .banner_len = sizeof(hostile) - 1};
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct output_writer w;

	output_open(&w, output_format_find("xml"), f);
	output_write_record(&w, &rec);
	output_close(&w);
	fclose(f);
	CHECK(strstr(buf, "output=\"a]]&gt;b&lt;&amp;&gt;&quot;'\\x00\\x1b"
			  "\\xff\\xef\\xbf\\xbe\xc3\xa9\"/>") != NULL);
}

static char *
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = fread(buf, 1, len - 1, f);

	fclose(f);
	buf[n] = 0;
	return buf;
}

static void
write_one(const char *format, const char *path, enum output_mode mode,
	  const struct scan_result *r)
{
	struct output_writer w;
	char err[256];

	CHECK(output_open_file(&w, output_format_find(format), path, mode, err,
			       sizeof(err)) == 0);
	if (r)
		output_write(&w, r);
	CHECK(output_close(&w) == 0);
}

/* APPEND continues: JSON stays one array, XML one <nmaprun> with the
 * hosts of both runs counted; line formats simply go on. */
static void
test_append(const char *path)
{
	static char buf[8192];
	struct output_writer w;
	char err[256];

	write_one("json", path, OUTPUT_CREATE, NULL);
	write_one("json", path, OUTPUT_APPEND, &ssh);
	write_one("json", path, OUTPUT_APPEND, &closed);
	slurp(path, buf, sizeof(buf));
	CHECK(!strncmp(buf, "[\n{   \"ip\": \"198.18.1.10\"", 25));
	CHECK(strstr(buf, "} ] }\n,\n{   \"ip\": \"198.18.1.20\"") != NULL);
	CHECK_STR(buf + strlen(buf) - 8, "} ] }\n]\n");
	CHECK(!strstr(buf + 1, "[\n")); /* one array */

	unlink(path);
	write_one("xml", path, OUTPUT_APPEND, &ssh);
	write_one("xml", path, OUTPUT_APPEND, &closed);
	slurp(path, buf, sizeof(buf));
	CHECK(strstr(buf, "<nmaprun") &&
	      !strstr(strstr(buf, "<nmaprun") + 1, "<nmaprun"));
	CHECK(strstr(buf, "<runstats>") &&
	      !strstr(strstr(buf, "<runstats>") + 1, "<runstats>"));
	CHECK(strstr(buf, "198.18.1.10") && strstr(buf, "198.18.1.20"));
	CHECK(strstr(buf, "<hosts up=\"2\" down=\"0\" total=\"2\"/>") != NULL);

	write_one("list", path, OUTPUT_CREATE, &ssh);
	write_one("list", path, OUTPUT_APPEND, &closed);
	CHECK_STR(slurp(path, buf, sizeof(buf)),
		  "#masscan\nopen tcp 22 198.18.1.10 1795630340\n# end\n"
		  "#masscan\nclosed tcp 80 198.18.1.20 1795630341\n# end\n");

	/* a line cut short by a crash is dropped, the next run starts clean */
	write_one("ndjson", path, OUTPUT_CREATE, &ssh);
	{
		FILE *f = fopen(path, "a");

		fputs("{\"ts\":1795630341.000,\"ip\":\"198.1", f);
		fclose(f);
	}
	write_one("ndjson", path, OUTPUT_APPEND, &closed);
	slurp(path, buf, sizeof(buf));
	CHECK(
	    !strncmp(buf, "{\"ts\":1795630340.500,\"ip\":\"198.18.1.10\"", 38));
	CHECK(strstr(buf, "}\n{\"ts\":1795630341.000,\"ip\":\"198.18.1.20\"") !=
	      NULL);
	CHECK_EQ_U64(strchr(strchr(buf, '\n') + 1, '\n') - buf + 1,
		     strlen(buf));
	/* a file without a single whole line starts over */
	write_one("ndjson", path, OUTPUT_CREATE, NULL);
	{
		FILE *f = fopen(path, "a");

		fputs("{\"ts\":17", f);
		fclose(f);
	}
	write_one("ndjson", path, OUTPUT_APPEND, &ssh);
	CHECK(!strncmp(slurp(path, buf, sizeof(buf)),
		       "{\"ts\":1795630340.500,\"ip\"", 25));
	write_one("list", path, OUTPUT_CREATE, &ssh);

	/* what a format cannot continue is refused, the file untouched */
	CHECK(output_open_file(&w, output_format_find("json"), path,
			       OUTPUT_APPEND, err, sizeof(err)) == -1);
	CHECK(strstr(err, "cannot append") != NULL);
	CHECK(output_open_file(&w, output_format_find("xml"), path,
			       OUTPUT_APPEND, err, sizeof(err)) == -1);
	CHECK(strstr(err, "cannot append") != NULL);
	CHECK(!strncmp(slurp(path, buf, sizeof(buf)), "#masscan\n", 9));
}

int
main(void)
{
	char path[] = "/tmp/test_output_formats.XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	for (const char *const *f =
		 (const char *const[]){"ndjson", "json", "list", "grepable",
				       "xml", "binary", NULL};
	     *f; f++)
		CHECK(output_format_find(*f) != NULL);
	test_json();
	test_list();
	test_grepable();
	test_xml();
	test_xml_escape();
	test_append(path);
	unlink(path);
	return check_report("output_formats");
}
