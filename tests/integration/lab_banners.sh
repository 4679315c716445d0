#!/usr/bin/env bash
# --banners against the lab's real daemons: every open port's record carries
# the banner a kernel socket client reads from the same daemon — OpenSSH's
# line exactly, nginx's whole response (Server header and body; only the
# Date line may differ), Redis's whole INFO reply (its clock fields aside) —
# and no connection is left open on the targets afterwards.
source "$(dirname "$0")/lib.sh"
lab_up
lab_scan $TS_SERVICES -p 1-1000,2222,6379,8080 --rate 20000 --wait 4 \
	--banners --max-connections 4096 --banner-buffers 512 \
	-o "$WORK/out.ndjson" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "scan failed"; }
cat "$WORK/err"
grep -q '^connections 5, banners 5, tcb_full 0' "$WORK/err" || fail "banner summary"
grep -q 'tcb_in_use 0$' "$WORK/err" || fail "connections left open"
# ... and on the targets' side too: nothing established with the scanner.
left=$(ip netns exec "$TS_LAB_NS" ss -Htn state established "( dst $TS_SCANNER )" | wc -l)
[ "$left" -eq 0 ] || fail "$left connections still established on the targets"

# What a kernel client reads, from inside the lab namespace.
ip netns exec "$TS_LAB_NS" python3 "$(dirname "$0")/compare_banners.py" "$WORK/out.ndjson" $TS_SERVICES ||
	fail "banners differ"
pass "banners whole and exact"
