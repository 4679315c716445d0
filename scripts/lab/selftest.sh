#!/usr/bin/env bash
# selftest: check the running lab against `testbed.sh truth` with a scanner
# that is not ours: masscan from ts-scan, with the excluded address excluded.
# Checks open ports, RSTs, ICMP port-unreachables, a silent filtered address
# and zero packets to the excluded one. Bounded in packets and time.
#   TS_SELFTEST_PORTS   default 1-1024 plus the daemons' ports
#   TS_SELFTEST_TARGETS a CIDR block, default the lab's targets block
#   TS_SELFTEST_RATE    packets per second, default 20000
set -euo pipefail

TB=$(cd "$(dirname "$0")/.." && pwd)/testbed.sh
die() { echo "selftest: $*" >&2; exit 1; }
eval "$("$TB" env)"
"$TB" status >/dev/null || die "the lab is not up: scripts/testbed.sh up"
command -v masscan >/dev/null || die "no masscan: run scripts/install-deps.sh"

daemon_ports=$("$TB" truth open | awk '{ print $2 }' | sort -un | paste -sd, -)
PORTS=${TS_SELFTEST_PORTS:-1-1024,$daemon_ports}
TARGETS=${TS_SELFTEST_TARGETS:-$TS_TARGETS}
RATE=${TS_SELFTEST_RATE:-20000}
WAIT=3
nports=$(echo "$PORTS" | tr , '\n' | awk -F- '{ for (p = $1; p <= (NF == 2 ? $2 : $1); p++) seen[p] = 1 }
	END { print length(seen) }')
[[ $TARGETS =~ ^[0-9.]+/[0-9]+$ ]] || die "TS_SELFTEST_TARGETS: want a CIDR block, not '$TARGETS'"
naddrs=$((1 << (32 - ${TARGETS#*/})))
# masscan 1.3.2 on a quiet pcap link may count its wait down forever: it is
# always stopped by timeout, after the time the scan needs plus a margin.
limit=$((naddrs * nports / RATE + WAIT + 5))

tmp=$(mktemp -d)
dump_pid=
cleanup() {
	[ -z "$dump_pid" ] || kill -INT "$dump_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# Capture every answer the targets send to the scanner's address.
"$TB" counters zero
ip netns exec "$TS_LAB_NS" timeout $((limit + 10)) \
	tcpdump -n -U -i "$TS_LAB_IF" -w "$tmp/answers.pcap" "src net 198.18.0.0/15 and dst host $TS_SCANNER" \
	2>"$tmp/tcpdump.err" &
dump_pid=$!
for ((i = 0; i < 50; i++)); do grep -q "listening on" "$tmp/tcpdump.err" && break; sleep 0.1; done
grep -q "listening on" "$tmp/tcpdump.err" || die "tcpdump did not start: $(cat "$tmp/tcpdump.err")"

echo "selftest: masscan $TARGETS ports $PORTS ($((naddrs * nports)) probes at $RATE/s, at most ${limit}s)"
(ip netns exec "$TS_SCAN_NS" timeout -s INT -k 2 "$limit" stdbuf -oL \
	masscan --interface "$TS_SCAN_IF" --adapter-ip "$TS_SCANNER" --adapter-mac "$TS_SCAN_MAC" \
	--router-mac "$TS_LAB_MAC" -p"$PORTS" "$TARGETS" --exclude "$TS_EXCLUDED" \
	--rate "$RATE" --wait "$WAIT" >"$tmp/masscan.out" 2>"$tmp/masscan.err" || true) 2>/dev/null
kill -INT "$dump_pid" 2>/dev/null || true
wait "$dump_pid" 2>/dev/null || true
dump_pid=

fail=0
check() { # NAME EXPECTED GOT
	if [ "$2" = "$3" ]; then
		echo "ok    $1: $3"
	else
		echo "FAIL  $1: expected $2, got $3"
		fail=1
	fi
}
answers() { tcpdump -n -r "$tmp/answers.pcap" "$@" 2>/dev/null; }

# Open ports: masscan's finds against the truth less the excluded address.
sed -n 's/^Discovered open port \([0-9]*\)\/tcp on \([0-9.]*\).*/\2 \1/p' "$tmp/masscan.out" |
	sort -t ' ' -k1,1V -k2,2n >"$tmp/found"
"$TB" truth open "$PORTS" | awk -v x="$TS_EXCLUDED" '$1 != x' >"$tmp/truth"
if diff -u "$tmp/truth" "$tmp/found" >"$tmp/diff"; then
	echo "ok    open ports: $(wc -l <"$tmp/found") found, equal to truth"
else
	echo "FAIL  open ports differ from truth (- truth, + masscan):"
	sed -n '3,$p' "$tmp/diff"
	fail=1
fi

# Closed: the RST address resets every port probed, once.
check "RSTs from $TS_RST (distinct ports)" "$nports" \
	"$(answers "src host $TS_RST and tcp[tcpflags] & tcp-rst != 0" | awk '{ sub(/.*\./, "", $3); print $3 }' | sort -u | wc -l)"
# Unreachable: one ICMP port-unreachable per port probed (no rate limit).
check "ICMP port-unreachables from $TS_UNREACHABLE" "$nports" \
	"$(answers "src host $TS_UNREACHABLE and icmp[icmptype] == icmp-unreach and icmp[icmpcode] == 3" | wc -l)"
check "packets from filtered $TS_FILTERED" 0 "$(answers "src host $TS_FILTERED" | wc -l)"
check "packets to excluded $TS_EXCLUDED" 0 "$("$TB" counters | awk -v x="$TS_EXCLUDED" '$1 == x { print $2 }')"
check "probes to filtered $TS_FILTERED" "$nports" "$("$TB" counters | awk -v x="$TS_FILTERED" '$1 == x { print $2 }')"
# The scanner's side: its kernel owns no address, so it must never answer
# (no RSTs to SYN-ACKs meant for the scanner, no ICMP).
check "IP packets sent by the $TS_SCAN_NS kernel" 0 \
	"$(ip netns exec "$TS_SCAN_NS" nstat -az IpOutRequests | awk '$1 == "IpOutRequests" { print $2 }')"

if [ $fail -ne 0 ]; then
	echo "selftest: FAILED (masscan's stderr: $(tr '\r' '\n' <"$tmp/masscan.err" | grep -v '^rate:' | tail -n 3 | xargs))"
	exit 1
fi
echo "selftest: passed"
