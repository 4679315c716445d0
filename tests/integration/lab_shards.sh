#!/usr/bin/env bash
# Shards 1/2 and 2/2 with the same seed: their probe sets are disjoint and
# together equal the whole scan (checked with --list), and their results
# together equal the unsharded scan's.
source "$(dirname "$0")/lib.sh"
lab_up
args=("$TS_TARGETS" -p 1-3000,6379,8080 --seed 99 --no-default-excludes)
"$TIDESCAN" --list "${args[@]}" | sort >"$WORK/all"
"$TIDESCAN" --list "${args[@]}" --shard 1/2 | sort >"$WORK/s1"
"$TIDESCAN" --list "${args[@]}" --shard 2/2 | sort >"$WORK/s2"
[ -s "$WORK/s1" ] && [ -s "$WORK/s2" ] || fail "empty shard"
[ -z "$(comm -12 "$WORK/s1" "$WORK/s2")" ] || fail "shards overlap"
sort -m "$WORK/s1" "$WORK/s2" | diff -q - "$WORK/all" >/dev/null || fail "shards' union is not the scan"

for s in 1 2; do
	lab_scan "${args[@]}" --rate 100000 --wait 1 --shard $s/2 \
		-o "$WORK/r$s.ndjson" 2>"$WORK/err$s" || fail "shard $s failed"
done
lab_scan "${args[@]}" --rate 100000 --wait 1 -o "$WORK/full.ndjson" 2>/dev/null || fail "full scan failed"
pairs_with_status open "$WORK/r1.ndjson" >"$WORK/o1"
pairs_with_status open "$WORK/r2.ndjson" >"$WORK/o2"
pairs_with_status open "$WORK/full.ndjson" >"$WORK/ofull"
[ -z "$(comm -12 "$WORK/o1" "$WORK/o2")" ] || fail "shard results overlap"
sort -m "$WORK/o1" "$WORK/o2" >"$WORK/union"
expect_same "shard union" "$WORK/ofull" "$WORK/union"
"$TESTBED" truth open 1-3000,6379,8080 >"$WORK/truth"
expect_same "full scan" "$WORK/truth" "$WORK/ofull"
pass "shards disjoint, union = full ($(wc -l <"$WORK/union") open)"
