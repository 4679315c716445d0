# lib.sh: what the bench scripts share — the binary, bounded runs, the
# summary line, a note on how busy the machine was, DPDK telemetry reads and
# kernel interface counters. Sourced; sets -euo pipefail.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
TIDESCAN=${TIDESCAN:-$ROOT/build/tidescan}
PY=/usr/bin/python3 # Debian's, with scapy; not a pyenv shim

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
	echo "machine: $(nproc) CPUs, ${busy}% busy over the last second${others:+; busy processes not ours: $others}"
	if [ "$busy" -gt 15 ]; then
		echo "WARNING: the machine is not idle; figures below are lower than it can do"
	fi
}

# telemetry PREFIX QUERY: one DPDK telemetry answer (JSON) from the process
# whose EAL runs with --file-prefix PREFIX, or nothing.
telemetry() {
	"$PY" - "$1" "$2" <<'PY' 2>/dev/null || true
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(2)
s.connect("/var/run/dpdk/%s/dpdk_telemetry.v2" % sys.argv[1])
s.recv(4096)
s.send(sys.argv[2].encode())
print(json.dumps(json.loads(s.recv(1 << 16))))
PY
}

# link_packets NS IF rx|tx: a kernel interface's packet counter.
link_packets() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3_packets"; }

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# sample_counter PID NS IF rx|tx FILE [INTERVAL]: every INTERVAL (0.5) s
# while PID lives, append "TIME PACKETS" of the interface counter to FILE
# (and once after).
sample_counter() {
	local pid=$1 ns=$2 dev=$3 dir=$4 file=$5 every=${6:-0.5}
	while kill -0 "$pid" 2>/dev/null; do
		echo "$(now) $(link_packets "$ns" "$dev" "$dir")" >>"$file"
		sleep "$every"
	done
	echo "$(now) $(link_packets "$ns" "$dev" "$dir")" >>"$file"
}

# counter_rates FILE: from sample_counter's file, "PACKETS SECONDS STEADY_PPS":
# packets counted, seconds from the first to the last change, and the
# median rate over the sampling intervals in between (the first and last
# moving intervals, partly idle, left out).
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
rates = sorted((s[i][1] - s[i - 1][1]) / (s[i][0] - s[i - 1][0])
               for i in moving[1:-1]) or [total / (t1 - t0)]
print("%d %.2f %.0f" % (total, t1 - t0, rates[len(rates) // 2]))
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
