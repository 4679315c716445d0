#!/usr/bin/env python3
"""check_hostile: hostile banners for every writer, and their check.

  check_hostile.py hex                 the banners, one hex line each
  check_hostile.py check FORMAT FILE   parse FILE (written by tidescan
      --readscan --output-format FORMAT from those banners) with a real
      parser and demand every banner and service string back, byte-exact,
      in order, on its own address and port; exit 1 naming what differs.
"""
import json
import re
import sys
import xml.etree.ElementTree as ET

BANNERS = [
    b'say "hi" it\'s',
    b"\x00NUL\x00in the middle",
    b"\xff\xfe invalid \xc3\x28 utf8 \xed\xa0\x80 \xc0\xaf \xf5\x80",
    b"]]> and <![CDATA[x]]> and -->",
    b"line1\nline2\r\nline3\r",
    b"<&> &amp; &#0; <script>",
    b"\ttab\tseparated\t",
    b"a/b\\c//d\\x41",
    b"a,b,,c, d",
    b"",
    b"\x7f\x1b[31mred\x1b[0m\x08",
    b"\xef\xbf\xbe\xef\xbf\xbf noncharacters",
    b"\xc2\x85 C1 \xc2\x9f",
    "héllo ✓ 😀 ünïcödé".encode(),
    bytes(range(256)),
    b"Timestamp: 1\tHost: 6.6.6.6 ()\tPorts: 1/open/tcp////\n",
    b"# end\n#masscan\nopen tcp 1 6.6.6.6 1\n",
    b'"}] },\n{"ip": "6.6.6.6"',
    b"\\u0000 \\udcff \\\\ \\",
    b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n",
]


def ip_of(i):
    return "198.18.2.%d" % i


def service_text(b):
    return b.replace(b"\x00", b"")


def unescape_hex(s):
    """\\xNN escapes (list, grepable, XML's forbidden bytes) back to bytes."""
    return re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m[1], 16)]),
                  s.encode("utf-8"))


def from_json(s):
    return s.encode("utf-8", "surrogateescape")


def expect(got, want, what):
    if got != want:
        sys.exit("FAIL %s: got %r, want %r" % (what, got, want))


def check_records(found):
    """found: [(ip, port, banner bytes, product bytes or None)]"""
    expect(len(found), len(BANNERS), "record count")
    for i, (ip, port, banner, product) in enumerate(found):
        expect((ip, port), (ip_of(i), 1000 + i), "address of record %d" % i)
        expect(banner, BANNERS[i], "banner %d" % i)
        if product is not None:
            expect(product, service_text(BANNERS[i]), "product %d" % i)


def check_ndjson(text):
    found = []
    for line in text.splitlines():
        r = json.loads(line)
        found.append((r["ip"], r["port"], from_json(r["banner"]),
                      from_json(r["service"]["product"])))
        expect(r["banner_bytes"], len(found[-1][2]), "banner_bytes")
        expect(from_json(r["service"]["cpe"][0]), found[-1][3], "cpe")
    check_records(found)


def check_json(text):
    found = []
    for r in json.loads(text):
        p = r["ports"][0]
        s = p["service"]
        found.append((r["ip"], p["port"], from_json(s["banner"]),
                      from_json(s["product"])))
    check_records(found)


def check_list(text):
    lines = text.split("\n")
    expect(lines[0], "#masscan", "list header")
    expect(lines[-2:], ["# end", ""], "list end")
    found = []
    for line in lines[1:-2]:
        if not re.fullmatch(r"[\x20-\x7e]*", line):
            sys.exit("FAIL list: raw control byte in %r" % line)
        if line.startswith("open "):
            expect(len(line.split(" ")), 5, "fields of %r" % line)
            continue
        kind, proto, port, ip, ts, svc, banner = line.split(" ", 6)
        expect((kind, proto, svc), ("banner", "tcp", "svc"), "banner line")
        found.append((ip, int(port), unescape_hex(banner), None))
    check_records(found)


def check_grepable(text):
    lines = text.split("\n")
    found, versions = [], []
    for line in lines:
        if line.startswith("#") or not line:
            continue
        if not re.fullmatch(r"[\x20-\x7e\t]*", line):
            sys.exit("FAIL grepable: raw control byte in %r" % line)
        fields = line.split("\t")
        if fields[0].startswith("Timestamp: "):
            expect(len(fields), 3, "fields of %r" % line)
            sub = fields[2][len("Ports: "):].split("/")
            expect(len(sub), 8, "subfields of %r" % line)
            versions.append(unescape_hex(sub[6]))
            continue
        expect(len(fields), 4, "fields of %r" % line)
        ip = fields[0][len("Host: "):-len(" ()")]
        port = int(fields[1][len("Port: "):])
        found.append((ip, port, unescape_hex(fields[3][len("Banner: "):]),
                      None))
    check_records(found)
    for i, v in enumerate(versions):
        p = service_text(BANNERS[i])
        expect(v, b"%s %s (%s)" % (p, p, p), "version field %d" % i)


def check_xml(text):
    root = ET.fromstring(text.encode("utf-8"))
    found = []
    for host in root.iter("host"):
        ip = host.find("address").get("addr")
        for port in host.iter("port"):
            banner = port.find("script[@id='banner']").get("output")
            svc = port.find("service")
            expect(unescape_hex(svc.find("cpe").text or ""),
                   service_text(BANNERS[len(found)]), "cpe")
            found.append((ip, int(port.get("portid")),
                          unescape_hex(banner),
                          unescape_hex(svc.get("product"))))
    check_records(found)


def main():
    if sys.argv[1] == "hex":
        for b in BANNERS:
            print(b.hex())
        return
    fmt, path = sys.argv[2], sys.argv[3]
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    globals()["check_" + fmt](text)
    print("ok: %s gives back %d hostile banners exactly" % (fmt, len(BANNERS)))


main()
