#!/usr/bin/env bash
# rx: how many answers one RX lcore recognises per second. net_pcap replays
# (infinite_rx=1) a pcap of answers to a seed's probes that make_answers.py
# writes: SYN-ACKs, RSTs, ICMP port-unreachables quoting the probe, forged
# cookies, ARP and junk. tidescan scans one pair with --wait W; the RX lcore
# spends the wait on the replayed answers. Rates: the PMD's counters read
# twice through DPDK telemetry mid-run (Δ/Δt, no start-up in it), and the
# summary's received / elapsed. RSTs for SYN-ACKs and ARP replies go through
# the reply ring (1024) to the TX lcore and out to tx_pcap=/dev/null; their
# rate is the PMD's opackets. Three mixes: realistic, no answer that needs a
# reply, SYN-ACKs only. Prints figures only; about 90 s; root.
#
# Reading the figures: the PMD's own cost is in them (infinite_rx allocates
# an mbuf and copies each frame from its ring). The summary's open/closed/
# unreachable exceed the distinct answers in the pcap: results are deduped
# by a direct-mapped table, and the few answers whose slots collide evict
# each other on every replay pass and are reported again.
#
# Knobs: SEED (7), FRAMES (8192 distinct answers in the pcap), WAIT (6),
# REPEAT (3 runs a mix: where the host puts the two vCPUs moves figures),
# LCORES (0@0,1@1,2@0: the RX lcore has core 1 alone; main and TX share 0),
# MIXES (names below, space-separated), BOOST (1, see lib.sh), TIDESCAN,
# TIDESCAN_NO_BUILD=1.
source "$(dirname "$0")/lib.sh"

SEED=${SEED:-7}
FRAMES=${FRAMES:-8192}
WAIT=${WAIT:-6}
REPEAT=${REPEAT:-3}
LCORES=${LCORES:-0@0,1@1,2@0}
MIXES=${MIXES:-realistic no-replies synack-only}
PREFIX=tsb-rx-$$
OUR_MAC=02:74:62:00:00:02 ROUTER_MAC=02:74:62:00:00:01
WORK=$(mktemp -d /tmp/tidescan-bench-rx.XXXXXX)
sampler=
cleanup() {
	[ -z "$sampler" ] || kill "$sampler" 2>/dev/null || true
	rm -rf "$WORK" "/var/run/dpdk/$PREFIX"
}
trap cleanup EXIT

mix_of() {
	case "$1" in
	realistic) echo "open=45,closed=30,icmp=8,forged=7,arp=2,arp_other=2,junk=6" ;;
	no-replies) echo "closed=55,icmp=20,forged=15,arp_other=3,junk=7" ;;
	synack-only) echo "open=100" ;;
	*) echo "rx: unknown mix $1" >&2; exit 2 ;;
	esac
}

bench_build
echo "== rx: one RX lcore on net_pcap (infinite_rx=1), $FRAMES distinct answers to seed $SEED's first probes, --wait $WAIT"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs; EAL --lcores=$LCORES (RX lcore = lcore 1)"
tree_note
others_note

for mix in $MIXES; do
	pcap=$WORK/$mix.pcap
	# (--list stops on SIGPIPE once head has its lines.)
	{ "$TIDESCAN" --list --seed "$SEED" --no-default-excludes 198.18.0.0/15 -p 1-500 2>/dev/null || true; } |
		head -n "$FRAMES" |
		"$PY" scripts/bench/make_answers.py --seed "$SEED" --out "$pcap" --frames "$FRAMES" \
			--our-mac "$OUR_MAC" --router-mac "$ROUTER_MAC" --mix "$(mix_of "$mix")" 2>"$WORK/gen.err"
	echo
	echo "-- mix $mix: $(sed 's/^make_answers: //' "$WORK/gen.err")"
	reply_share=$({ grep -oE '(open|arp)=[0-9]+' "$WORK/gen.err" || true; } | awk -F= -v n="$FRAMES" '{ s += $2 } END { printf "%.4f", s / n }')
	eal="--in-memory --no-pci --file-prefix $PREFIX --lcores=$LCORES --vdev=net_pcap0,rx_pcap=$pcap,infinite_rx=1,tx_pcap=/dev/null"
	# --mempool-size: infinite_rx keeps every frame of the pcap in an mbuf.
	args=(--source-ip 198.18.0.2 --source-mac "$OUR_MAC" --router-mac "$ROUTER_MAC"
		--no-default-excludes --quiet --rate 0 --wait "$WAIT" --seed "$SEED"
		--mempool-size 32767 198.18.0.1 -p 1 -o /dev/null)
	echo "command: $TIDESCAN --dpdk \"$eal\" ${args[*]}"
	rxs=()
	for ((r = 1; r <= REPEAT; r++)); do
		# Telemetry reads 1.5 s after the EAL is up, and WAIT - 3 s later.
		rm -rf "/var/run/dpdk/$PREFIX"
		span=$(awk -v w="$WAIT" 'BEGIN { print (w > 4 ? w - 3 : 1) }')
		telemetry_sampler "$PREFIX" 1.5 "$span" >"$WORK/telemetry" &
		sampler=$!
		boosted timeout -s INT -k 10 $((WAIT + 60)) "$TIDESCAN" --dpdk "$eal" "${args[@]}" 2>"$WORK/run.err" ||
			{ cat "$WORK/run.err" >&2; echo "rx: run failed" >&2; exit 1; }
		wait "$sampler" || true
		sampler=
		received=$(summary_field received "$WORK/run.err")
		elapsed=$(summary_field elapsed "$WORK/run.err")
		bad=$(summary_field bad_cookie "$WORK/run.err")
		line="run $r: $(grep -E '^sent [0-9]+' "$WORK/run.err" | tail -1)"
		line+=$'\n'"       $(mpps "$(ratio "$elapsed" "$received")") Mpps received/elapsed, bad_cookie $(awk -v b="$bad" -v r="$received" 'BEGIN { printf "%.1f", r ? 100 * b / r : 0 }')% of frames"
		if [ -s "$WORK/telemetry" ]; then
			read -r t1 i1 o1 t2 i2 o2 <"$WORK/telemetry"
			line+=$(awk -v t1="$t1" -v t2="$t2" -v i1="$i1" -v i2="$i2" -v o1="$o1" -v o2="$o2" -v share="$reply_share" 'BEGIN {
				dt = t2 - t1; rx = (i2 - i1) / dt; tx = (o2 - o1) / dt; want = rx * share
				printf "; telemetry over %.1f s: RX %.2f Mpps, replies out %.2f of %.2f Mpps wanted (%.0f%%)",
					dt, rx / 1e6, tx / 1e6, want / 1e6, (want > 0 ? 100 * tx / want : 100)
			}')
			rxs+=("$(awk -v t1="$t1" -v t2="$t2" -v i1="$i1" -v i2="$i2" 'BEGIN { printf "%.0f", (i2 - i1) / (t2 - t1) }')")
		else
			line+="; telemetry: no answer from /var/run/dpdk/$PREFIX"
			rxs+=("$(ratio "$elapsed" "$received")")
		fi
		echo "$line"
	done
	printf '%s\n' "${rxs[@]}" | sort -n | awk -v mix="$mix" '{ a[NR] = $1 } END {
		printf "mix %s: RX lcore %.2f Mpps median of %d (%.2f .. %.2f); goal >= 10 Mpps\n", mix, a[int((NR + 1) / 2)] / 1e6, NR, a[1] / 1e6, a[NR] / 1e6 }'
done
