#!/usr/bin/env bash
# core: per-probe cost of permute → (ip, port) → cookie → stamp on one core,
# 10^8 probes each, for a /8 × 1 port, a /15 × 1000 ports and a /8 × 1 port
# with 10,000 exclude ranges. Goal: <= 25 ns/probe, flat across the three.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/build.sh release
probes=${PROBES:-100000000}
bin=build/scripts/bench/bench_core
echo "== core: $probes probes per case, one core ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
taskset -c 1 "$bin" "$probes" 10.0.0.0/8 80
taskset -c 1 "$bin" "$probes" 198.18.0.0/15 1-1000
taskset -c 1 "$bin" "$probes" 10.0.0.0/8 80 10000
