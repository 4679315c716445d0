#!/usr/bin/env bash
# lab: a full-port (0-65535) scan of the lab's target addresses (testbed.sh:
# services, excluded, rst, filtered, unreachable) from ts-scan over the veth,
# tidescan through net_af_packet beside masscan (libpcap on the same veth),
# and ZMap on one port (Debian's 2.1.1 scans one port a run). For each: wall
# time, probes/s and how many of truth's open ports were found. tidescan's
# rate is searched for the highest one at which the lab loses nothing: every
# open, closed and unreachable answer of `testbed.sh truth` reported, no bad
# cookie. The lab is brought up if it is down and put back as it was found.
# Then the banner run, scripts/bench/banners.sh: tidescan --banners beside
# masscan --banners on the same lab, banners/s and how many each got right.
# Prints figures only; about 3-4 minutes; root.
#
# Knobs: RATES (descending, tried until one is lossless; 0 = unlimited),
# BISECT (2 halvings between the lossless rate and the lossy one above it),
# WAIT (2 s for late answers), LCORES (0@0,1@1,2@0), AFP (extra
# net_af_packet arguments, e.g. ",framecnt=4096"; empty: the default ring, and
# a few rates again with framecnt=BIG_RING, 16384), BOOST (1, see lib.sh),
# BANNERS (1; 0: skip the banner run), TIDESCAN, TIDESCAN_NO_BUILD=1.
source "$(dirname "$0")/lib.sh"

RATES=${RATES:-0 1000000 500000 300000 200000 150000 100000 50000}
BISECT=${BISECT:-2}
WAIT=${WAIT:-2}
LCORES=${LCORES:-0@0,1@1,2@0}
AFP=${AFP:-}
BIG_RING=${BIG_RING:-16384}
SEED=7
TESTBED=scripts/testbed.sh
PREFIX=tsb-lab-$$
# ZMap's own interface: a macvlan on ts-scan0 (its MAC, and a /32 that only
# satisfies ZMap's SIOCGIFADDR), and a source address no kernel owns that
# the lab reaches through a static neighbour entry, as tidescan's source is
# reached by tidescan's ARP answers: so the ts-scan kernel sends nothing.
ZM_IF=tsb-zm0 ZM_MAC=02:74:62:00:00:03 ZM_IFADDR=198.18.255.253 ZM_SRC=198.18.0.4
ZM_PORT=80

eval "$("$TESTBED" env)"
TARGET_ADDRS="$TS_SERVICES $TS_EXCLUDED $TS_RST $TS_FILTERED $TS_UNREACHABLE"
naddrs=$(echo $TARGET_ADDRS | wc -w)
PROBES=$((naddrs * 65536))
WORK=$(mktemp -d /tmp/tidescan-bench-lab.XXXXXX)
lab_was_up=0
"$TESTBED" status >/dev/null 2>&1 && lab_was_up=1

cleanup() {
	ip -n "$TS_SCAN_NS" link del "$ZM_IF" 2>/dev/null || true
	ip -n "$TS_LAB_NS" neigh del "$ZM_SRC" dev "$TS_LAB_IF" 2>/dev/null || true
	if [ "$lab_was_up" = 0 ] && [ -n "${LAB_UP_BY_US:-}" ]; then
		# Someone else's scan in ts-scan now (a test that found the lab
		# up): leave the lab to them.
		others=$(ip netns pids "$TS_SCAN_NS" 2>/dev/null | tr '\n' ' ')
		if [ -n "$others" ]; then
			echo "lab: it was down when we began, but processes we did not start now run in $TS_SCAN_NS ($others): left up"
		else
			"$TESTBED" down >/dev/null 2>&1 || true
			echo "lab: it was down when we began; taken down again"
		fi
	fi
	rm -rf "$WORK" "/var/run/dpdk/$PREFIX"
}
trap cleanup EXIT

bench_build
echo "== lab: full-port scan of $naddrs lab addresses ($PROBES probes) over $TS_SCAN_IF, answers from $TS_LAB_NS"
tree_note
if [ "$lab_was_up" = 1 ]; then
	echo "lab: already up (left up at the end)"
else
	echo "lab: down; bringing it up (taken down at the end)"
	LAB_UP_BY_US=1
	"$TESTBED" up >/dev/null
fi
others_note
busy=$(ip netns pids "$TS_SCAN_NS" 2>/dev/null | tr '\n' ' ')
[ -z "$busy" ] || echo "WARNING: processes not ours run in $TS_SCAN_NS ($busy): someone else is scanning the lab; counters below include their traffic"

# Truth for these addresses and all ports.
"$TESTBED" truth open >"$WORK/truth.open"
want_open=$(wc -l <"$WORK/truth.open")
want_closed=$("$TESTBED" truth closed 0-65535 | wc -l)
want_unreach=$("$TESTBED" truth unreachable 0-65535 | wc -l)
echo "truth: $want_open open, $want_closed closed, $want_unreach unreachable, the rest filtered"

# Kernel counters on the wire: probes the veth dropped on the way to the lab
# (ts-scan0 TX dropped), answers dropped on the way back (ts-lab0 TX
# dropped), and answers the lab sent (ts-lab0 TX packets).
wire() {
	echo "$(ip netns exec "$TS_SCAN_NS" cat /sys/class/net/"$TS_SCAN_IF"/statistics/tx_dropped)" \
		"$(ip netns exec "$TS_LAB_NS" cat /sys/class/net/"$TS_LAB_IF"/statistics/tx_dropped)" \
		"$(ip netns exec "$TS_LAB_NS" cat /sys/class/net/"$TS_LAB_IF"/statistics/tx_packets)" \
		"$(ip netns exec "$TS_LAB_NS" cat /sys/class/net/"$TS_LAB_IF"/statistics/rx_packets)"
}

# found_counts NDJSON: "OPEN_FOUND_OF_TRUTH OPEN CLOSED UNREACHABLE" over
# distinct (ip, port).
found_counts() {
	"$PY" - "$1" "$WORK/truth.open" <<'PY'
import json, sys
seen = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    seen.setdefault(r["status"], set()).add((r["ip"], r["port"]))
truth = {tuple(l.split()) for l in open(sys.argv[2]) if l.strip()}
opened = {(ip, str(p)) for ip, p in seen.get("open", ())}
print(len(truth & opened), len(opened), len(seen.get("closed", ())), len(seen.get("unreachable", ())))
PY
}

# run_sampled NAME OUT ERR COMMAND...: run COMMAND (bounded) in the
# background, its stdout to OUT and stderr to ERR, while
# the frames arriving at ts-lab0 are counted every 20 ms; afterwards
# $WORK/NAME.rc, $WORK/NAME.wall (the command's wall time) and
# $WORK/NAME.window ("PACKETS SECONDS": probes that reached the lab, first
# to last arrival).
run_sampled() {
	local name=$1 out=$2 err=$3 pid t0 t1
	shift 3
	: >"$WORK/$name.samples"
	t0=$(now)
	# The subshell's own stderr is quiet: bash's "Killed" when timeout has
	# to KILL a tool that ignored SIGINT (masscan does) is no news.
	( rc=0; "$@" >"$out" 2>"$err" || rc=$?; echo $rc >"$WORK/$name.rc" ) 2>/dev/null &
	pid=$!
	boosted netns_rx_sampler "$TS_LAB_NS" "$TS_LAB_IF" "$pid" "$WORK/$name.samples"
	wait "$pid" || true
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }' >"$WORK/$name.wall"
	counter_rates "$WORK/$name.samples" | awk '{ print $1, $2 }' >"$WORK/$name.window"
}

EAL="--in-memory --no-pci --file-prefix $PREFIX --lcores=$LCORES --vdev=net_af_packet0,iface=$TS_SCAN_IF"
echo
echo "command: ip netns exec $TS_SCAN_NS timeout -s INT -k 10 LIMIT $TIDESCAN --dpdk \"$EAL$AFP\" --source-ip $TS_SCANNER --router-mac $TS_LAB_MAC --no-default-excludes --quiet --rate RATE --wait $WAIT --seed $SEED --report-closed -o OUT $TARGET_ADDRS -p 0-65535"
echo "wall: the whole command (EAL start, sending, --wait $WAIT); sending and probes/s: tidescan's own (sent / rate of its summary);"
echo "arrivals: first to last frame arriving at $TS_LAB_IF; lost on veth: probes dropped by $TS_SCAN_IF, answers by $TS_LAB_IF"
echo "(kernel TX drops); unread: answers the lab sent that tidescan did not receive (its AF_PACKET RX ring overflowed)"
header() {
	printf '%-9s %-6s %-7s %-9s %-8s %-7s %-14s %-13s %-3s %-12s %-13s %s\n' \
		rate wall sending probes/s arrivals open closed unreachable bad "probes lost" "answers lost" unread
}
header

# tidescan_lab RATE [AF_PACKET_ARGS]: one scan; prints its line; returns 0
# if lossless.
tidescan_lab() {
	local rate=$1 afp=${2:-$AFP} limit w0 w1 sent received bad srate found opened closed unreach arrived secs
	limit=$((rate > 0 ? PROBES / rate + WAIT + 30 : WAIT + 60))
	w0=$(wire)
	run_sampled tidescan /dev/null "$WORK/err" boosted ip netns exec "$TS_SCAN_NS" timeout -s INT -k 10 "$limit" "$TIDESCAN" --dpdk "$EAL$afp" \
		--source-ip "$TS_SCANNER" --router-mac "$TS_LAB_MAC" --no-default-excludes --quiet \
		--rate "$rate" --wait "$WAIT" --seed "$SEED" --report-closed -o "$WORK/out.ndjson" \
		$TARGET_ADDRS -p 0-65535
	[ "$(cat "$WORK/tidescan.rc")" = 0 ] || { cat "$WORK/err" >&2; echo "lab: tidescan failed" >&2; exit 1; }
	sleep 0.3 # stragglers into the counters
	w1=$(wire)
	sent=$(summary_field sent "$WORK/err")
	received=$(summary_field received "$WORK/err")
	bad=$(summary_field bad_cookie "$WORK/err")
	srate=$(summary_field rate "$WORK/err")
	read -r found opened closed unreach <<<"$(found_counts "$WORK/out.ndjson")"
	read -r arrived secs <<<"$(cat "$WORK/tidescan.window")"
	read -r a0 b0 c0 _ <<<"$w0"
	read -r a1 b1 c1 _ <<<"$w1"
	printf '%-9s %-6s %-7s %-9s %-8s %-7s %-14s %-13s %-3s %-12s %-13s %s\n' \
		"$([ "$rate" = 0 ] && echo max || echo "$rate")" "$(cat "$WORK/tidescan.wall")" \
		"$(awk -v n="$sent" -v r="$srate" 'BEGIN { printf "%.2f", (r > 0 ? n / r : 0) }')" "$srate" "$secs" \
		"$found/$want_open" "$closed/$want_closed" "$unreach/$want_unreach" "$bad" \
		"$((a1 - a0))" "$((b1 - b0))" "$((c1 - c0 - received))"
	[ "$found" = "$want_open" ] && [ "$opened" = "$want_open" ] && [ "$closed" = "$want_closed" ] &&
		[ "$unreach" = "$want_unreach" ] && [ "$bad" = 0 ] && [ "$sent" = "$PROBES" ]
}

# Down the list to the first lossless rate, halve the gap to the lossy one
# above it BISECT times, then run the best again; if it loses this time,
# fall back to the next lower rate that was lossless.
oks=() lossy=
for rate in $RATES; do
	if tidescan_lab "$rate"; then
		oks+=("$rate")
		break
	fi
	lossy=$rate
done
if [ ${#oks[@]} -gt 0 ] && [ -n "$lossy" ] && [ "$lossy" != 0 ]; then
	for ((i = 0; i < BISECT; i++)); do
		mid=$(((oks[-1] + lossy) / 2))
		if tidescan_lab "$mid"; then oks+=("$mid"); else lossy=$mid; fi
	done
fi
best=
while [ ${#oks[@]} -gt 0 ]; do
	echo "again at ${oks[-1]}:"
	if tidescan_lab "${oks[-1]}"; then
		best=${oks[-1]}
		break
	fi
	lossy=${oks[-1]}
	unset 'oks[-1]'
done
if [ -n "$best" ]; then
	echo "tidescan: highest lossless rate found (twice): $([ "$best" = 0 ] && echo "unlimited" || echo "$best pps")${lossy:+ (lossy at $([ "$lossy" = 0 ] && echo max || echo "$lossy"))}"
else
	echo "tidescan: no rate in '$RATES' was lossless twice"
	best=50000
fi

# Where the loss is: tidescan's AF_PACKET RX ring (net_af_packet's default
# framecnt is 512) overflows while the kernel delivers a burst of answers
# and the RX lcore is off its core. A bigger ring, above the best rate:
if [ -z "$AFP" ] && [ "$best" != 0 ]; then
	echo
	echo "the same with --vdev=...,framecnt=$BIG_RING (a bigger AF_PACKET ring):"
	header
	for rate in $((best * 3 / 2)) $((best * 2)) $((best * 4)); do
		tidescan_lab "$rate" ",framecnt=$BIG_RING" || true
	done
fi

# ---- masscan: libpcap on the same veth, all ports, at max and at tidescan's
# masscan_lab RATE: one bounded scan; prints its line.
masscan_lab() {
	local rate=$1 limit found kpps arrived secs
	# Bounded: the time the scan needs at 80 kpps or its rate, whichever is
	# slower, its wait and 3 s; SIGINT then, KILL 3 s later.
	limit=$((PROBES / (rate < 80000 ? rate : 80000) + WAIT + 3))
	# In $WORK: it leaves paused.conf where it runs. stdbuf: its
	# "Discovered" lines survive the KILL after a wait that never ends.
	run_sampled masscan "$WORK/masscan.out" "$WORK/masscan.err" boosted bash -c 'cd "$1" && shift && exec "$@"' _ "$WORK" \
		ip netns exec "$TS_SCAN_NS" timeout -s INT -k 3 "$limit" stdbuf -oL \
		masscan --adapter "$TS_SCAN_IF" --adapter-ip "$TS_SCANNER" --adapter-mac "$TS_SCAN_MAC" \
		--router-mac "$TS_LAB_MAC" -p0-65535 $TARGET_ADDRS --rate "$rate" --wait "$WAIT" --seed "$SEED"
	sed -n 's/^Discovered open port \([0-9]*\)\/tcp on \([0-9.]*\).*/\2 \1/p' "$WORK/masscan.out" | sort -u >"$WORK/masscan.found"
	found=$(sort "$WORK/truth.open" | comm -12 - "$WORK/masscan.found" | wc -l)
	kpps=$(tr '\r' '\n' <"$WORK/masscan.err" | grep -oE 'rate: *[0-9.]+-kpps' | grep -oE '[0-9.]+' | sort -n | tail -1 || true)
	read -r arrived secs <<<"$(cat "$WORK/masscan.window")"
	printf 'masscan --rate %s: wall %s s (exit %s); arrivals at %s: %s frames in %s s (%s probes and its RST to each RST or SYN-ACK answer) -> %s probes/s; its status line: at most %s kpps; open %s/%s of truth (%s reported)\n' \
		"$rate" "$(cat "$WORK/masscan.wall")" "$(cat "$WORK/masscan.rc")" "$TS_LAB_IF" "$arrived" "$secs" "$PROBES" \
		"$(awk -v n="$PROBES" -v t="$secs" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')" \
		"${kpps:-?}" "$found" "$want_open" "$(wc -l <"$WORK/masscan.found")"
}
echo
echo "command: ip netns exec $TS_SCAN_NS timeout -s INT -k 3 LIMIT stdbuf -oL masscan --adapter $TS_SCAN_IF --adapter-ip $TS_SCANNER --adapter-mac $TS_SCAN_MAC --router-mac $TS_LAB_MAC -p0-65535 $TARGET_ADDRS --rate RATE --wait $WAIT --seed $SEED"
echo "(exit 124/137: stopped by timeout, INT or KILL — its wait on a quiet link does not end by itself)"
masscan_lab 100000000
[ "$best" = 0 ] || masscan_lab "$best"

# ---- ZMap: one port of the lab ------------------------------------------
echo
ip -n "$TS_SCAN_NS" link add "$ZM_IF" link "$TS_SCAN_IF" address "$ZM_MAC" type macvlan mode bridge
ip -n "$TS_SCAN_NS" addr add "$ZM_IFADDR/32" dev "$ZM_IF"
ip -n "$TS_SCAN_NS" link set "$ZM_IF" up
ip -n "$TS_LAB_NS" neigh replace "$ZM_SRC" lladdr "$ZM_MAC" dev "$TS_LAB_IF" nud permanent
chmod 755 "$WORK" # ZMap may drop root for nobody before it opens its files
mkdir -m 1777 "$WORK/zmap"
: >"$WORK/zmap/blocklist"   # its default one excludes 198.18.0.0/15
ZMAP_CMD=(zmap -p "$ZM_PORT" $TARGET_ADDRS -i "$ZM_IF" -S "$ZM_SRC" --source-mac "$ZM_MAC"
	-G "$TS_LAB_MAC" -b "$WORK/zmap/blocklist" -r 100000000 -c "$WAIT" -T 1
	-o "$WORK/zmap/out.csv" -m "$WORK/zmap/meta.json" -q --disable-syslog)
echo "command: ip netns exec $TS_SCAN_NS timeout -s INT -k 5 30 ${ZMAP_CMD[*]}"
t0=$(now)
boosted ip netns exec "$TS_SCAN_NS" timeout -s INT -k 5 30 "${ZMAP_CMD[@]}" >"$WORK/zmap.out" 2>"$WORK/zmap.err" || true
t1=$(now)
"$TESTBED" truth open "$ZM_PORT" >"$WORK/truth.zmap"
found=$(awk '{ print $1 }' "$WORK/truth.zmap" | sort | comm -12 - <(sort -u "$WORK/zmap/out.csv" 2>/dev/null) | wc -l)
"$PY" - "$WORK/zmap/meta.json" "$t0" "$t1" "$found" "$(wc -l <"$WORK/truth.zmap")" "$ZM_PORT" "$WAIT" <<'PY' || echo "zmap: no metadata ($(tail -2 "$WORK/zmap.err" | xargs))"
import json, sys
from datetime import datetime
m = json.load(open(sys.argv[1]))
t0, t1 = float(sys.argv[2]), float(sys.argv[3])
def ts(s):
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%a %b %d %H:%M:%S %Y"):
        try:
            return datetime.strptime(s, fmt).timestamp()
        except (TypeError, ValueError):
            pass
    return None
a, b = ts(m.get("send_start_time")), ts(m.get("send_end_time"))
send = " (sending: %.0f s by its metadata)" % (b - a) if a is not None and b is not None else ""
print("zmap -p %s: wall %.2f s, of it --cooldown-time %s s, for %d probes%s; open %s/%s of truth on port %s;"
      " a full-port scan is 65536 such runs, about %.1f h at this wall time"
      % (sys.argv[6], t1 - t0, sys.argv[7], m.get("total_sent", 0), send, sys.argv[4], sys.argv[5],
         sys.argv[6], 65536 * (t1 - t0) / 3600))
PY

# ---- banners: tidescan --banners beside masscan --banners -----------------
if [ "${BANNERS:-1}" = 1 ]; then
	echo
	echo "== banners (scripts/bench/banners.sh)"
	TIDESCAN_NO_BUILD=1 TIDESCAN="$TIDESCAN" "$ROOT/scripts/bench/banners.sh"
fi
