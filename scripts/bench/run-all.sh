#!/usr/bin/env bash
# run-all: every benchmark in one go — core, tx, rate, rx, tcp, match,
# output, lab (which ends with the banner run) — side by side with masscan and ZMap where they apply, each log in
# bench-results/DATE/NAME.log, then bench-results/DATE/report.md (a table of
# figures, PNG plots, the machine) from scripts/bench/report.py. Root.
# UPDATE_README=1 also rewrites the README's numbers section from it.
# ONLY="core tx" runs a subset. A benchmark that fails is reported as such;
# the others still run.
source "$(dirname "$0")/lib.sh"

ALL="core tx rate rx tcp match output lab"
ONLY=${ONLY:-$ALL}
OUT=${OUT:-bench-results/$(date -u +%Y-%m-%dT%H%M%SZ)}
mkdir -p "$OUT"
bench_build
export TIDESCAN_NO_BUILD=1

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
	echo "cores: $(nproc)"
	echo "memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "kernel: $(uname -r)"
	echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "dpdk: $(pkg-config --modversion libdpdk)"
	echo "hyperscan: $(pkg-config --modversion libhs)"
	echo "pcre2: $(pkg-config --modversion libpcre2-8)"
	echo "masscan: $(dpkg-query -W -f='${Version}' masscan 2>/dev/null)"
	echo "zmap: $(dpkg-query -W -f='${Version}' zmap 2>/dev/null)"
	echo "nmap: $(dpkg-query -W -f='${Version}' nmap 2>/dev/null)"
	echo "tidescan: $(git -C "$ROOT" describe --always --dirty 2>/dev/null)"
} >"$OUT/machine.txt"

for name in $ONLY; do
	script=scripts/bench/$name.sh
	if [ ! -x "$script" ]; then
		echo "run-all: no $script" | tee "$OUT/$name.log"
		continue
	fi
	echo "== $name ($(date -u +%H:%M:%S))"
	rc=0
	"$script" >"$OUT/$name.log" 2>&1 || rc=$?
	echo "exit $rc" >>"$OUT/$name.log"
	tail -3 "$OUT/$name.log"
done

args=()
[ -z "${UPDATE_README:-}" ] || args+=(--readme README.md)
"$PY" scripts/bench/report.py "$OUT" "${args[@]}"
echo "report: $OUT/report.md"
