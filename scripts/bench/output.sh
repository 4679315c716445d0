#!/usr/bin/env bash
# output: how many records per second each writer formats, the main lcore's
# cost per result: N records (RECORDS, default 1,000,000) in a binary file,
# converted by --readscan to every format (read, checksum, decode and
# format included). Two mixes: plain open ports, and
# open ports with a 41-byte SSH banner and an identified service. Timed
# into /dev/null (the writer's CPU, not the disk's); one core; the median
# of 3 runs, the size a file of it takes, and the commands.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/build.sh release
records=${RECORDS:-1000000}
WORK=$(mktemp -d /tmp/tidescan-bench-output.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ssh_hex=$(printf 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n' | od -An -tx1 | tr -d ' \n')
lines() { awk -v n="$records" -v l="$1" 'BEGIN { for (i = 0; i < n; i++) print l }'; }
lines - | build/tests/write_records "$WORK/plain.bin"
lines "$ssh_hex" | build/tests/write_records "$WORK/banner.bin"
echo "== output: $records records per run, median of 3, one core ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
for mix in plain banner; do
	for fmt in ndjson json list grepable xml binary; do
		times=()
		for run in 1 2 3; do
			start=$(date +%s.%N)
			taskset -c 1 build/tidescan --readscan "$WORK/$mix.bin" --output-format "$fmt" -o /dev/null
			end=$(date +%s.%N)
			times+=("$(echo "$end - $start" | bc)")
		done
		build/tidescan --readscan "$WORK/$mix.bin" --output-format "$fmt" -o "$WORK/out"
		median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
		printf '%-7s %-9s %8.3f s  %6.2f M records/s  %s bytes\n' "$mix" "$fmt" "$median" \
			"$(echo "$records / $median / 1000000" | bc -l)" "$(stat -c %s "$WORK/out")"
	done
done
echo "command: taskset -c 1 build/tidescan --readscan FILE.bin --output-format FORMAT -o /dev/null"
