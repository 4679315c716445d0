# lib.sh: what the bench scripts share — the binary, bounded runs, the
# summary line, a note on how busy the machine was, DPDK telemetry reads and
# kernel interface counters sampled from inside a namespace. Sourced; sets
# -euo pipefail and cds to the repository.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
TIDESCAN=${TIDESCAN:-$ROOT/build/tidescan}
PY=/usr/bin/python3 # Debian's, with scapy; not a pyenv shim

# boosted COMMAND...: run COMMAND (or an exported function) in a session of
# its own whose autogroup has nice -19 (BOOST=1, the default). With autogroup
# scheduling a process's nice counts only inside its session, so on a 2-core
# machine any busy process of another session takes half a core from an
# lcore whatever its nice; this gives our run (and only it) the CPU first.
# BOOST=0: as is.
BOOST=${BOOST:-1}
boosted() {
	if [ "$BOOST" = 1 ]; then
		setsid -w bash -c 'echo -19 >/proc/$$/autogroup 2>/dev/null || true
			if declare -F "$1" >/dev/null; then "$@"; else exec "$@"; fi' _ "$@"
	else
		"$@"
	fi
}

bench_build() {
	if [ -z "${TIDESCAN_NO_BUILD:-}" ]; then scripts/build.sh release; fi
	[ -x "$TIDESCAN" ] || { echo "bench: no $TIDESCAN (scripts/build.sh release)" >&2; exit 1; }
	scripts/hugepages.sh 512
}

# summary_field NAME FILE: a number from tidescan's last summary line.
summary_field() {
	grep -E '^sent [0-9]+, received' "$2" | tail -1 |
		tr ',' '\n' | awk -v k="$1" '$1 == k { print $2 }'
}

# cpu_busy SECONDS: percent of all CPUs busy over SECONDS (from /proc/stat),
# to say how quiet the machine was before a measurement.
cpu_busy() {
	local a b
	a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
	sleep "$1"
	b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
	echo "$a $b" | awk '{ busy = $3 - $1; idle = $4 - $2; printf "%.0f", (busy + idle) ? 100 * busy / (busy + idle) : 0 }'
}

# others_note: a line naming CPU-heavy processes we did not start, since on
# a 2-core machine any of them halves a figure.
others_note() {
	local busy others
	busy=$(cpu_busy 1)
	others=$(ps -eo pid=,pcpu=,comm= --sort=-pcpu | awk -v me=$$ '$2 > 20 && $1 != me { printf "%s(%s, %s%%) ", $3, $1, $2 }')
	echo "machine: $(nproc) CPUs, ${busy}% busy over the last second${others:+; busy processes not ours: $others}; BOOST=$BOOST"
	if [ "$busy" -gt 15 ]; then
		echo "WARNING: the machine is not idle; figures below may be lower than it can do$([ "$BOOST" = 1 ] && echo " (BOOST=1 gives our runs the CPU first)")"
	fi
}

# telemetry_sampler PREFIX FIRST SPAN: started before the DPDK process whose
# EAL has --file-prefix PREFIX; waits (up to 30 s) for its telemetry socket,
# then reads /ethdev/stats,0 after FIRST seconds and again SPAN seconds
# later and prints "T1 IPACKETS1 OPACKETS1 T2 IPACKETS2 OPACKETS2" (or
# nothing). One Python process, started early: on a busy machine a client
# started mid-run would wait for CPU and miss its moment.
telemetry_sampler() {
	"$PY" - "$@" <<'PY' 2>/dev/null || true
import json, os, socket, sys, time
path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % sys.argv[1]
first, span = float(sys.argv[2]), float(sys.argv[3])
deadline = time.time() + 30
s = None
while time.time() < deadline:
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(path)
        break
    except OSError:
        s = None
        time.sleep(0.05)
if s is None:
    sys.exit()
s.settimeout(5)
s.recv(4096)
def stats():
    s.send(b"/ethdev/stats,0")
    d = json.loads(s.recv(1 << 16))["/ethdev/stats"]
    return "%.6f %d %d" % (time.time(), d["ipackets"], d["opackets"])
time.sleep(first)
a = stats()
time.sleep(span)
print(a, stats())
PY
}

# sink_pair_up: the kernel-path sink of tx.sh and rate.sh — namespaces
# $M_NS (the sender, $M_IF, $M_MAC) and $S_NS (an empty sink, $S_IF,
# $S_MAC) joined by a veth, offloads off, IPv6 off. ZMap's sender asks the
# kernel for its interface's address (SIOCGIFADDR) and gives up without one:
# $M_IF gets a /32 no probe goes to.
sink_pair_up() {
	ip netns add "$M_NS"
	ip netns add "$S_NS"
	for ns in "$M_NS" "$S_NS"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		ip -n "$ns" link set lo up
	done
	ip link add "$M_IF" netns "$M_NS" address "$M_MAC" type veth peer name "$S_IF" netns "$S_NS" address "$S_MAC"
	ip netns exec "$M_NS" ethtool -K "$M_IF" tx off tso off gso off gro off >/dev/null 2>&1 || true
	ip netns exec "$S_NS" ethtool -K "$S_IF" tx off tso off gso off gro off >/dev/null 2>&1 || true
	ip -n "$M_NS" addr add 198.18.255.254/32 dev "$M_IF"
	ip -n "$M_NS" link set "$M_IF" up
	ip -n "$S_NS" link set "$S_IF" up
}

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# netns_rx_sampler NS IF PID FILE: from inside NS, every 20 ms until PID has
# ended, append "TIME RX_PACKETS" of IF (from /proc/self/net/dev: no fork per
# sample) to FILE.
netns_rx_sampler() {
	ip netns exec "$1" "$PY" - "$2" "$3" >>"$4" <<'PY'
import sys, time
dev, pid = sys.argv[1], sys.argv[2]
def rx():
    for line in open("/proc/self/net/dev"):
        name, _, rest = line.partition(":")
        if name.strip() == dev:
            return int(rest.split()[1])
    return 0
def alive():
    try:
        return open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
while True:
    running = alive()
    print("%.6f %d" % (time.time(), rx()), flush=True)
    if not running:
        break
    time.sleep(0.02)
PY
}

export PY
export -f netns_rx_sampler # boosted runs it in a bash of its own

# counter_rates FILE: from netns_rx_sampler's file, "PACKETS SECONDS
# STEADY_PPS": packets counted, seconds from the last sample before the
# counter first moved to the first one after it last moved, and the rate over
# the middle 80% of that span (start-up and tail left out).
counter_rates() {
	"$PY" - "$1" <<'PY'
import sys
s = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
total = s[-1][1] - s[0][1]
moving = [i for i in range(1, len(s)) if s[i][1] > s[i - 1][1]]
if not moving:
    print(0, 0, 0)
    sys.exit()
t0, t1 = s[moving[0] - 1][0], s[moving[-1]][0]
def at(t):  # the last sample at or before t
    return max((x for x in s if x[0] <= t), key=lambda x: x[0])
a, b = at(t0 + 0.1 * (t1 - t0)), at(t1 - 0.1 * (t1 - t0))
steady = (b[1] - a[1]) / (b[0] - a[0]) if b[0] > a[0] else total / (t1 - t0)
print("%d %.2f %.0f" % (total, t1 - t0, steady))
PY
}

mpps() { awk -v x="$1" 'BEGIN { printf "%.2f", x / 1e6 }'; }

# ratio A B: B / A with 2 decimals (packets, seconds → pps), 0 if A is 0.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.2f", b / a; else printf "0" }'; }

# tree_note: which code the figures are of — the commit, uncommitted changes
# to app/ and lib/, and the binary's age.
tree_note() {
	local dirty
	dirty=$(git -C "$ROOT" status --porcelain -- app lib meson.build 2>/dev/null | awk '{ printf "%s ", $2 }')
	echo "code: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')${dirty:+ + uncommitted changes to $dirty}; binary $TIDESCAN built $(date -r "$TIDESCAN" '+%F %T')"
}
