#!/usr/bin/env bash
# Service identification against the lab's real daemons (sshd, nginx, redis)
# beside nmap -sV run in the same test: every port nmap identifies, tidescan
# names with the same service and product — both in the scan's own records
# and after `tidescan --identify` of the saved banners.
source "$(dirname "$0")/lib.sh"
CACHE=${TS_MATCH_CACHE:-$ROOT/build/match-cache}
PORTS=22,2222,80,8080,6379
lab_up
lab_scan $TS_SERVICES -p $PORTS --rate 20000 --wait 4 --banners \
	--max-connections 4096 --banner-buffers 512 --signature-cache "$CACHE" \
	-o "$WORK/scan.ndjson" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "scan failed"; }
"$TIDESCAN" --identify "$WORK/scan.ndjson" --signature-cache "$CACHE" \
	-o "$WORK/identified.ndjson" || fail "--identify failed"

# nmap -sV from the scanner namespace, through an address of its own that is
# not tidescan's (the kernel must not own that one), removed afterwards.
NMAP_IP=${TS_SCANNER%.*}.$((${TS_SCANNER##*.} + 1))
ip netns exec "$TS_SCAN_NS" ip addr add "$NMAP_IP/15" dev "$TS_SCAN_IF"
trap 'ip netns exec "$TS_SCAN_NS" ip addr del "$NMAP_IP/15" dev "$TS_SCAN_IF" 2>/dev/null || true; rm -rf "$WORK"' EXIT
ip netns exec "$TS_SCAN_NS" timeout -k 5 180 nmap -sV -sT -Pn -n --version-intensity 7 \
	--host-timeout 150s -p "$PORTS" $TS_SERVICES -oX "$WORK/nmap.xml" >/dev/null ||
	fail "nmap -sV failed"
ip netns exec "$TS_SCAN_NS" ip addr del "$NMAP_IP/15" dev "$TS_SCAN_IF"

python3 "$(dirname "$0")/compare_services.py" "$WORK/nmap.xml" "$WORK/scan.ndjson" \
	"$WORK/identified.ndjson" || fail "tidescan and nmap -sV disagree"
pass "every service nmap -sV identifies, tidescan names the same (scan and --identify)"
