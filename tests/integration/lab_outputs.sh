#!/usr/bin/env bash
# Output formats on real lab scans: a scan written with -oB and converted by
# --readscan to NDJSON has the results of a scan written as NDJSON directly
# (and its banners); a second scan appended with --append-output reads back
# too. -oX validates against nmap's DTD, renders through nmap.xsl, has one
# <host> per address, and ndiff compares two scans: none between equal
# scans, the missing port between different ones. -oJ/-oL/-oG parse.
source "$(dirname "$0")/lib.sh"
lab_up
PORTS=1-1000,2222,6379,8080
scan() { # OUT_ARGS...
	lab_scan $TS_SERVICES $TS_RST $TS_UNREACHABLE --rate 20000 --wait 3 --seed 11 \
		--max-connections 4096 --banner-buffers 512 "$@" 2>>"$WORK/err" ||
		{ cat "$WORK/err" >&2; fail "scan $* exited $?"; }
}
# ip port status has-banner, sorted, from an NDJSON file
results() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["ip"], r["port"], r["status"], "banner" if "banner" in r else "-")
' "$1" | sort
}

# -oB, then --readscan → NDJSON, equals a direct NDJSON scan
scan -p $PORTS --report-closed --banners -oB "$WORK/a.bin"
scan -p $PORTS --report-closed --banners -o "$WORK/direct.ndjson"
"$TIDESCAN" --readscan "$WORK/a.bin" -oD "$WORK/from_bin.ndjson" 2>"$WORK/rs.err" ||
	{ cat "$WORK/rs.err" >&2; fail "--readscan exited $?"; }
[ ! -s "$WORK/rs.err" ] || { cat "$WORK/rs.err" >&2; fail "--readscan warned"; }
results "$WORK/direct.ndjson" >"$WORK/direct.res"
results "$WORK/from_bin.ndjson" >"$WORK/from_bin.res"
expect_same "binary → ndjson results" "$WORK/direct.res" "$WORK/from_bin.res"
[ "$(grep -c ' open banner$' "$WORK/from_bin.res")" -ge 5 ] || fail "banners missing from the binary file"
grep -q '"banner":"SSH-2.0-OpenSSH' "$WORK/from_bin.ndjson" || fail "no SSH banner from the binary file"
n=$(wc -l <"$WORK/from_bin.res")
pass "-oB + --readscan equals a direct NDJSON scan ($n results)"

# appended: a second run goes on in the same file, the header once
scan -p 22,80 --report-closed --append-output -oB "$WORK/a.bin"
"$TIDESCAN" --readscan "$WORK/a.bin" -oD "$WORK/appended.ndjson"
m=$(wc -l <"$WORK/appended.ndjson")
[ "$m" -eq $((n + 10)) ] || fail "appended binary file: $m records, want $n + 10 (2 ports × 5 addresses)"
[ "$(grep -c TIDESCAN "$WORK/a.bin")" -eq 1 ] || fail "header repeated"
pass "--append-output -oB continues the binary file ($m records)"

# -oX: DTD-valid, rendered, grouped; ndiff between scans
xml_checks() { # FILE
	xmllint --noout --dtdvalid /usr/share/nmap/nmap.dtd "$1" || fail "$1 does not validate"
	xsltproc /usr/share/nmap/nmap.xsl "$1" >"$1.html" || fail "nmap.xsl cannot render $1"
	grep -q "${TS_SERVICES%% *}" "$1.html" || fail "rendered $1 lacks the hosts"
	dup=$(grep -o '<address addr="[0-9.]*"' "$1" | sort | uniq -d)
	[ -z "$dup" ] || fail "hosts in more than one <host>: $dup"
}
scan -p $PORTS --report-closed -oX "$WORK/x1.xml"
scan -p $PORTS --report-closed -oX "$WORK/x2.xml"
scan -p 1-21,23-1000,2222,6379,8080 --report-closed -oX "$WORK/x3.xml"
for f in x1 x2 x3; do xml_checks "$WORK/$f.xml"; done
hosts=$(grep -c '<host ' "$WORK/x1.xml")
[ "$hosts" -eq 5 ] || fail "x1.xml: $hosts hosts, want 5 (3 services, RST, unreachable)"
ndiff "$WORK/x1.xml" "$WORK/x2.xml" >"$WORK/ndiff.same" && rc=0 || rc=$?
[ "$rc" -eq 0 ] || { cat "$WORK/ndiff.same" >&2; fail "ndiff of equal scans: exit $rc"; }
ndiff "$WORK/x1.xml" "$WORK/x3.xml" >"$WORK/ndiff.diff" && rc=0 || rc=$?
[ "$rc" -eq 1 ] || { cat "$WORK/ndiff.diff" >&2; fail "ndiff of different scans: exit $rc"; }
grep -qE '^-22/tcp +open' "$WORK/ndiff.diff" || { cat "$WORK/ndiff.diff" >&2; fail "ndiff does not show port 22 gone"; }
[ "$(grep -cE '^[-+][0-9]+/tcp' "$WORK/ndiff.diff")" -eq 5 ] ||
	{ cat "$WORK/ndiff.diff" >&2; fail "ndiff shows other changes than port 22 of the 5 hosts"; }
scan -p $PORTS --banners -oX "$WORK/banners.xml"
xml_checks "$WORK/banners.xml"
grep -q '<script id="banner" output="SSH-2.0-OpenSSH' "$WORK/banners.xml" || fail "no SSH banner script in XML"
pass "-oX validates, renders, one <host> per address; ndiff: equal scans none, port 22 gone"

# -oJ, -oL, -oG: masscan's shapes, the same open ports
scan -p $PORTS --banners -oJ "$WORK/o.json"
scan -p $PORTS --banners -oL "$WORK/o.list"
scan -p $PORTS --banners -oG "$WORK/o.grep"
"$TESTBED" truth open | awk -v s=" $TS_SERVICES " 'index(s, " " $1 " ")' | sort >"$WORK/truth"
python3 -c '
import json, sys
for r in json.load(open(sys.argv[1])):
    p = r["ports"][0]
    if p["status"] == "open":
        print(r["ip"], p["port"])
' "$WORK/o.json" | sort >"$WORK/json.open"
awk '$1 == "open" { print $4, $3 }' "$WORK/o.list" | sort >"$WORK/list.open"
sed -n 's/^Timestamp: [0-9]*\tHost: \([0-9.]*\) ()\tPorts: \([0-9]*\)\/open\/.*/\1 \2/p' "$WORK/o.grep" | sort >"$WORK/grep.open"
expect_same "-oJ open ports" "$WORK/truth" "$WORK/json.open"
expect_same "-oL open ports" "$WORK/truth" "$WORK/list.open"
expect_same "-oG open ports" "$WORK/truth" "$WORK/grep.open"
[ "$(head -1 "$WORK/o.list")" = "#masscan" ] && [ "$(tail -1 "$WORK/o.list")" = "# end" ] || fail "-oL header/end"
grep -q '^banner tcp 22 .* SSH-2.0-OpenSSH' "$WORK/o.list" || fail "-oL banner line"
grep -qP '^Host: [0-9.]+ \(\)\tPort: 22\tService: ssh\tBanner: SSH-2.0-OpenSSH' "$WORK/o.grep" || fail "-oG banner line"
pass "-oJ, -oL, -oG give the lab's open ports ($(wc -l <"$WORK/truth")) and banners"
