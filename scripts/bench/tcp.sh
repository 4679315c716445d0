#!/usr/bin/env bash
# tcp: lib/tcp on one core, driven by synthetic segments (bench_tcp) —
# ops/s (segments in + timers fired) and memory, at 1M connections with a
# realistic and a copy-bound mix (1M x 1 KiB banner buffers), and at 10M
# connections (90% silent, 1M x 1 KiB buffers). Goals: >= 20 M ops/s at
# 1M; <= 128 B per TCB; <= 1.5 GiB at 1M with 1 KiB banners; 10M in
# <= 2 GiB with a 1M-buffer pool. OPS (default 50M) sets the length.
source "$(dirname "$0")/lib.sh"
[ -n "${TIDESCAN_NO_BUILD:-}" ] || scripts/build.sh release
bin=${BENCH_TCP:-build/scripts/bench/bench_tcp}
ops=${OPS:-50000000}
echo "== tcp: one core ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $ops ops per 1M case"
others_note
run() {
	echo "-- bench_tcp $*"
	boosted taskset -c 1 "$bin" "$@"
}
#   CONNECTIONS BUFFERS MAX_BYTES SILENT% OPS MIX
run 1000000 1000000 1024 10 "$ops" realistic
run 1000000 1000000 1024 10 "$ops" heavy
run 10000000 1000000 1024 90 $((ops * 2)) realistic
