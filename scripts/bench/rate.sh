#!/usr/bin/env bash
# rate: does each scanner send at the rate it is told? For each configured
# rate, tidescan (one TX lcore into net_null, about SECONDS of probes) and
# masscan and ZMap (through the kernel into a veth whose peer sits in an
# empty namespace, tsr-m ↔ tsr-sink, made and removed here; counted on the
# peer) run once; each prints "rate: TOOL configured C achieved A pps".
# Figures only, no goal. Root.
#
# Knobs: RATES ("10000 100000 1000000 5000000 20000000"), RUN_SECONDS (3),
# LCORES (0@0,1@0,2@1), SKIP_OTHERS=1, BOOST, TIDESCAN, TIDESCAN_NO_BUILD.
source "$(dirname "$0")/lib.sh"

RATES=${RATES:-10000 100000 1000000 5000000 20000000}
SECONDS_EACH=${RUN_SECONDS:-3}
LCORES=${LCORES:-0@0,1@0,2@1}
PREFIX=tsb-rate-$$
M_NS=tsr-m M_IF=tsr-m0 M_MAC=02:74:72:00:00:02
S_NS=tsr-sink S_IF=tsr-s0 S_MAC=02:74:72:00:00:01

cleanup() {
	ip netns del "$M_NS" 2>/dev/null || true
	ip netns del "$S_NS" 2>/dev/null || true
	rm -rf "${WORK:-}" "/var/run/dpdk/$PREFIX"
}
trap cleanup EXIT
cleanup
WORK=$(mktemp -d /tmp/tidescan-bench-rate.XXXXXX)
bench_build
echo "== rate: configured vs achieved, about ${SECONDS_EACH}s per run"
others_note

# ports_for N: a port range that, over a /15, makes at least N pairs.
ports_for() { echo "1-$(($1 / 131072 + 1))"; }

tidescan_at() {
	local rate=$1 err=$WORK/ts.err
	boosted timeout -s INT -k 10 $((SECONDS_EACH * 4 + 20)) "$TIDESCAN" \
		--dpdk "--in-memory --no-pci --file-prefix $PREFIX --lcores=$LCORES --vdev=net_null0,no-rx=1" \
		--source-ip 198.18.0.2 --router-mac 02:00:00:00:00:01 \
		--no-default-excludes --quiet --rate "$rate" --wait 0 --seed 1 \
		198.18.0.0/15 -p "$(ports_for $((rate * SECONDS_EACH)))" -o /dev/null 2>"$err" &
	local pid=$!
	# Stop it after SECONDS of sending: the summary rate is over the
	# sending phase.
	sleep "$SECONDS_EACH"
	kill -INT "$pid" 2>/dev/null || true
	wait "$pid" || true
	echo "rate: tidescan configured $rate achieved $(summary_field rate "$err") pps"
}
echo "command: $TIDESCAN --dpdk \"--in-memory --no-pci --lcores=$LCORES --vdev=net_null0,no-rx=1\" --source-ip 198.18.0.2 --router-mac 02:00:00:00:00:01 --no-default-excludes --quiet --rate RATE --wait 0 --seed 1 198.18.0.0/15 -p PORTS -o /dev/null (SIGINT after ${SECONDS_EACH}s)"
for rate in $RATES; do
	tidescan_at "$rate"
done

[ -z "${SKIP_OTHERS:-}" ] || exit 0

sink_pair_up
: >"$WORK/empty.blocklist"
chmod 755 "$WORK"
mkdir -m 1777 "$WORK/zmap"

# counted TOOL RATE COMMAND...: run COMMAND for SECONDS, count on the sink.
counted() {
	local tool=$1 rate=$2 pid
	shift 2
	: >"$WORK/samples"
	( cd "$WORK" && "$@" >/dev/null 2>&1 || true ) &
	pid=$!
	boosted netns_rx_sampler "$S_NS" "$S_IF" "$pid" "$WORK/samples"
	wait "$pid" || true
	read -r _ _ steady <<<"$(counter_rates "$WORK/samples")"
	echo "rate: $tool configured $rate achieved ${steady:-0} pps"
}
echo "command: ip netns exec $M_NS timeout -s INT -k 3 $SECONDS_EACH masscan 198.18.0.0/15 -p1-500 --rate RATE --adapter $M_IF --adapter-ip 198.18.0.2 --adapter-mac $M_MAC --router-mac $S_MAC --wait 0 --seed 1 -oL /dev/null"
for rate in $RATES; do
	counted masscan "$rate" boosted ip netns exec "$M_NS" timeout -s INT -k 3 "$SECONDS_EACH" \
		masscan 198.18.0.0/15 -p1-500 --rate "$rate" --adapter "$M_IF" --adapter-ip 198.18.0.2 \
		--adapter-mac "$M_MAC" --router-mac "$S_MAC" --wait 0 --seed 1 -oL /dev/null
done
# ZMap's -r counts targets: with -P 20 probes each, -r RATE/20.
echo "command: ip netns exec $M_NS timeout -s INT -k 3 $SECONDS_EACH zmap -p 80 198.18.0.0/15 -P 20 -i $M_IF -S 198.18.0.2 -G $S_MAC --source-mac $M_MAC -b EMPTY -r RATE/20 -c 0 -T 1 -o /dev/null -q --disable-syslog"
for rate in $RATES; do
	counted zmap "$rate" boosted ip netns exec "$M_NS" timeout -s INT -k 3 "$SECONDS_EACH" \
		zmap -p 80 198.18.0.0/15 -P 20 -i "$M_IF" -S 198.18.0.2 -G "$S_MAC" --source-mac "$M_MAC" \
		-b "$WORK/empty.blocklist" -r $((rate / 20)) -c 0 -T 1 -o /dev/null -q --disable-syslog
done
