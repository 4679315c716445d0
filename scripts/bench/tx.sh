#!/usr/bin/env bash
# tx: how fast one TX lcore makes and sends probes — the whole pipeline
# (permute → pair → cookie → stamp → rte_eth_tx_burst) into net_null, --rate 0,
# a /15 × 500 ports. Mpps = Δsent / Δelapsed between a /15 × 50 and a
# /15 × 500 scan, which cancels start-up and the end of the walk. Beside it,
# masscan and ZMap (Debian packages) sending the same kind of scan through the
# kernel into a veth whose peer sits in an empty namespace (tsb-m ↔ tsb-sink,
# made and removed here), their rate counted on the peer and as they report
# it. Prints figures only. Runs in under a minute; root.
#
# Knobs (environment): REPEAT (3) pairs of tidescan runs; LCORES
# (0@0,1@0,2@1: main and the idle RX lcore share core 0, the TX lcore has
# core 1 alone); OTHERS_SECONDS (15) per masscan/ZMap run; ZMAP_P (20)
# probes per target for ZMap; SKIP_OTHERS=1; BOOST (1: runs get the CPU
# first, see lib.sh); TIDESCAN (build/tidescan), TIDESCAN_NO_BUILD=1;
# KEEP_WORK=1 keeps the work directory.
source "$(dirname "$0")/lib.sh"

REPEAT=${REPEAT:-3}
LCORES=${LCORES:-0@0,1@0,2@1}
OTHERS_SECONDS=${OTHERS_SECONDS:-15}
SMALL=1-50 LARGE=1-500 TARGETS=198.18.0.0/15
PREFIX=tsb-tx-$$
M_NS=tsb-m M_IF=tsb-m0 M_MAC=02:74:62:00:00:02
S_NS=tsb-sink S_IF=tsb-s0 S_MAC=02:74:62:00:00:01

cleanup() {
	ip netns del "$M_NS" 2>/dev/null || true
	ip netns del "$S_NS" 2>/dev/null || true
	[ -n "${KEEP_WORK:-}" ] || rm -rf "${WORK:-}"
	rm -rf "/var/run/dpdk/$PREFIX"
}
trap cleanup EXIT
cleanup # a namespace of ours left by a killed run
WORK=$(mktemp -d /tmp/tidescan-bench-tx.XXXXXX)
[ -z "${KEEP_WORK:-}" ] || echo "work directory: $WORK"

bench_build
echo "== tx: one TX lcore, full pipeline into net_null, --rate 0, $TARGETS × $LARGE"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs; EAL --lcores=$LCORES (TX lcore = lcore 2)"
tree_note
others_note

# tidescan_tx PORTS: one bounded scan into net_null; prints "SENT ELAPSED
# RATE" (RATE: the summary's, over the sending phase).
tidescan_tx() {
	local err=$WORK/tx.err
	boosted timeout -s INT -k 10 120 "$TIDESCAN" \
		--dpdk "--in-memory --no-pci --file-prefix $PREFIX --lcores=$LCORES --vdev=net_null0,no-rx=1" \
		--source-ip 198.18.0.2 --router-mac 02:00:00:00:00:01 \
		--no-default-excludes --quiet --rate 0 --wait 0 --seed 1 \
		"$TARGETS" -p "$1" -o /dev/null 2>"$err" || { cat "$err" >&2; exit 1; }
	echo "$(summary_field sent "$err") $(summary_field elapsed "$err") $(summary_field rate "$err")"
}

CMD="$TIDESCAN --dpdk \"--in-memory --no-pci --file-prefix $PREFIX --lcores=$LCORES --vdev=net_null0,no-rx=1\" --source-ip 198.18.0.2 --router-mac 02:00:00:00:00:01 --no-default-excludes --quiet --rate 0 --wait 0 --seed 1 $TARGETS -p PORTS -o /dev/null"
echo "command: $CMD   (PORTS = $SMALL, then $LARGE)"
rates=()
for ((i = 1; i <= REPEAT; i++)); do
	read -r s1 e1 _ <<<"$(tidescan_tx "$SMALL")"
	read -r s2 e2 r2 <<<"$(tidescan_tx "$LARGE")"
	d=$(awk -v s1="$s1" -v e1="$e1" -v s2="$s2" -v e2="$e2" 'BEGIN { printf "%.0f", (s2 - s1) / (e2 - e1) }')
	rates+=("$d")
	printf 'run %d: %s sent in %s s, %s sent in %s s -> %s Mpps (summary rate of the large run: %s Mpps)\n' \
		"$i" "$s1" "$e1" "$s2" "$e2" "$(mpps "$d")" "$(mpps "$r2")"
done
sorted=$(printf '%s\n' "${rates[@]}" | sort -n)
median=$(echo "$sorted" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
best=$(echo "$sorted" | tail -1)
echo "tidescan TX: median $(mpps "$median") Mpps, best $(mpps "$best") Mpps (goal >= 20 Mpps; $(awk -v r="$median" 'BEGIN { printf "%.1f", 1e9 / r }') ns/probe)"

[ -z "${SKIP_OTHERS:-}" ] || exit 0

# ---- masscan and ZMap: through the kernel into a veth sink ----------------
echo
echo "== the same kind of scan through the kernel: $M_NS/$M_IF -> $S_NS/$S_IF (an empty namespace), ${OTHERS_SECONDS}s each"
sink_pair_up
others_note

# run_counted NAME COMMAND...: run COMMAND (already bounded) in the
# background, sample the sink's RX counter, print the figures.
run_counted() {
	local name=$1 pid
	shift
	: >"$WORK/$name.samples"
	# In a subshell whose stderr is quiet: bash's "Killed" when timeout
	# has to KILL a tool that ignored SIGINT (masscan does) is no news.
	( rc=0; "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?; echo $rc >"$WORK/$name.rc" ) 2>/dev/null &
	pid=$!
	boosted netns_rx_sampler "$S_NS" "$S_IF" "$pid" "$WORK/$name.samples"
	wait "$pid" || true
	read -r total secs steady <<<"$(counter_rates "$WORK/$name.samples")"
	printf '%s: %s packets reached the sink in %s s -> %s Mpps average, %s Mpps steady (middle 80%% of that time)\n' \
		"$name" "$total" "$secs" "$(mpps "$(ratio "$secs" "$total")")" "$(mpps "$steady")"
}

MASSCAN_CMD=(masscan "$TARGETS" -p"$LARGE" --rate 100000000 --adapter "$M_IF"
	--adapter-ip 198.18.0.2 --adapter-mac "$M_MAC" --router-mac "$S_MAC"
	--wait 0 --seed 1 -oL /dev/null)
echo "command: ip netns exec $M_NS timeout -s INT -k 5 $OTHERS_SECONDS ${MASSCAN_CMD[*]}"
# masscan writes paused.conf where it runs: in $WORK.
(cd "$WORK" && run_counted masscan boosted ip netns exec "$M_NS" timeout -s INT -k 5 "$OTHERS_SECONDS" "${MASSCAN_CMD[@]}")
own=$(tr '\r' '\n' <"$WORK/masscan.err" | grep -oE 'rate: *[0-9.]+-kpps' | grep -oE '[0-9.]+' | sort -n | tail -1)
echo "masscan's own status line: at most ${own:-?} kpps"

# ZMap 2.1.1 scans one port; the /15 is 131072 targets, so -P sends each
# target P probes (each its own source port and cookie) to last long enough
# to be timed. Its default blocklist excludes 198.18.0.0/15: an empty one.
: >"$WORK/empty.blocklist"
# ZMap may drop root for nobody before it opens its status file: a
# directory nobody can reach and write.
chmod 755 "$WORK"
mkdir -m 1777 "$WORK/zmap"
ZMAP_P=${ZMAP_P:-20}
ZMAP_CMD=(zmap -p 80 "$TARGETS" -P "$ZMAP_P" -i "$M_IF" -S 198.18.0.2
	-G "$S_MAC" --source-mac "$M_MAC" -b "$WORK/empty.blocklist"
	-r 100000000 -c 0 -T 1 -o /dev/null -u "$WORK/zmap/status.csv" -q --disable-syslog)
echo "command: ip netns exec $M_NS timeout -s INT -k 5 $OTHERS_SECONDS ${ZMAP_CMD[*]}"
run_counted zmap boosted ip netns exec "$M_NS" timeout -s INT -k 5 "$OTHERS_SECONDS" "${ZMAP_CMD[@]}"
own=$(awk -F, -v p="$ZMAP_P" 'NR > 1 && $7 > max { max = $7 } END { printf "%.0f", max * p }' "$WORK/zmap/status.csv" 2>/dev/null || echo 0)
echo "zmap's own status: at most $(mpps "${own:-0}") Mpps (targets/s × $ZMAP_P probes)"
