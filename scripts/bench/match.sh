#!/usr/bin/env bash
# match: service identification on one core (bench_match) — banners/s of the
# Hyperscan path and of sequential matching in nmap's order with PCRE2 JIT
# and PCRE2's interpreter, same corpus, same run, per probe (NULL and
# GetRequest by default; PROBES="A B" to choose); the cached database load
# (a warm `tidescan --check-signatures` start too) and per-lcore scratch.
# The corpus is scripts/make_banners.py's (COUNT, default 24000): "all" is
# all of it, "real" the real-daemon-banner part and its variants.
# Goals: NULL >= 450,000 banners/s, >= 150x PCRE2-JIT, >= 50x the fastest
# sequential mode; GetRequest >= 150x the fastest sequential; databases from
# the cache <= 20 ms; warm start-up <= 100 ms.
source "$(dirname "$0")/lib.sh"
[ -n "${TIDESCAN_NO_BUILD:-}" ] || scripts/build.sh release
bin=${BENCH_MATCH:-build/scripts/bench/bench_match}
cache=${CACHE:-build/match-cache}
count=${COUNT:-24000}
seconds=${SECONDS_PER_RUN:-2}
probes=${PROBES:-NULL GetRequest}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== match: one core ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), nmap $(nmap --version 2>/dev/null | awk 'NR==1{print $3}'), Hyperscan $(pkg-config --modversion libhs), PCRE2 $(pkg-config --modversion libpcre2-8)"
others_note
run() {
	echo "-- $*"
	boosted taskset -c 1 "$@"
}
run python3 scripts/make_banners.py --count "$count" "$tmp/all.txt"
echo "-- head -n $(python3 -c 'import sys; sys.path.insert(0, "scripts"); import make_banners as m; print(len(m.REAL) * 8 * 7)') $tmp/all.txt > $tmp/real.txt"
head -n "$(python3 -c 'import sys; sys.path.insert(0, "scripts"); import make_banners as m; print(len(m.REAL) * 8 * 7)')" "$tmp/all.txt" >"$tmp/real.txt"
probe_args=()
for p in $probes; do probe_args+=(--probe "$p"); done
# the first run may compile the cache; the runs after it load it
run "$bin" --cache "$cache" --signatures config/signatures --compare "$tmp/all.txt" | grep -E "^(signatures|compared)"
for corpus in all real; do
	echo "== corpus: $corpus"
	run "$bin" --cache "$cache" --signatures config/signatures --seconds "$seconds" "${probe_args[@]}" "$tmp/$corpus.txt"
done
echo "== warm start-up: tidescan --check-signatures (5 runs)"
for i in 1 2 3 4 5; do
	/usr/bin/time -f "%e s wall, %M KiB max RSS" "$TIDESCAN" --check-signatures --signature-cache "$cache" 2>&1 | grep -E "databases|wall"
done
echo "-- $TIDESCAN --check-signatures --signature-cache $cache"
