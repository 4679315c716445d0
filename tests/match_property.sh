#!/usr/bin/env bash
# match_property: for >= 20,000 banners (scripts/make_banners.py: real daemon
# banners and their variants, and responses drawn from nmap's own patterns),
# lib/match's Hyperscan path and nmap-order PCRE2 (JIT; the interpreter on
# every 10th) must give identical identifications, line for line.
# usage: match_property.sh BENCH_MATCH CACHE_DIR [COUNT]
set -euo pipefail
bench=$1 cache=$2 count=${3:-24000}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 scripts/make_banners.py --count "$count" "$tmp/corpus.txt"
lines=$(wc -l <"$tmp/corpus.txt")
[ "$lines" -ge 20000 ] || { echo "corpus of $lines banners, want >= 20000" >&2; exit 1; }
"$bench" --compare --cache "$cache" --signatures config/signatures "$tmp/corpus.txt"
