#!/usr/bin/env bash
# An excluded address receives zero packets (counted by the lab's own
# iptables counters on the target side), while its neighbours are scanned.
source "$(dirname "$0")/lib.sh"
lab_up
"$TESTBED" counters zero
lab_scan "$TS_TARGETS" -p 1-2000,6379,8080 --rate 100000 --wait 1 \
	--exclude "$TS_EXCLUDED" -o "$WORK/out.ndjson" 2>"$WORK/err" ||
	{ cat "$WORK/err" >&2; fail "scan failed"; }
"$TESTBED" counters >"$WORK/counters"
cat "$WORK/counters"
got=$(awk -v a="$TS_EXCLUDED" '$1 == a { print $2 }' "$WORK/counters")
[ -n "$got" ] || fail "no counter for $TS_EXCLUDED"
[ "$got" -eq 0 ] || fail "excluded $TS_EXCLUDED received $got packets"
for a in $TS_SERVICES; do
	n=$(awk -v a="$a" '$1 == a { print $2 }' "$WORK/counters")
	[ "${n:-0}" -gt 0 ] || fail "$a received nothing: the scan did not run"
done
if grep -q "\"ip\":\"$TS_EXCLUDED\"" "$WORK/out.ndjson"; then
	fail "excluded address reported"
fi
pass "excluded address got 0 packets"
