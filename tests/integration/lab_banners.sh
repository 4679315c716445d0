#!/usr/bin/env bash
# --banners against the lab's real daemons: every open port's record carries
# the banner a kernel socket client reads from the same daemon — OpenSSH's
# line exactly, nginx's whole response (Server header and body; only the
# Date line may differ), Redis's whole INFO reply (its clock fields aside) —
# and no connection is left open on the targets afterwards; TTLs are the
# SYN-ACKs'. SSH on 22
# (complete: line) is done at its line end, 2222 by the idle timeout.
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

# Each record carries its SYN-ACK's TTL (the targets' Linux: 64, no hop).
# 22's probe entry says complete: line, 2222 has none: the same greeting
# ends 22's connection at its line end, 2222's only by the idle timeout (2 s).
python3 - "$WORK/out.ndjson" <<'PY' || fail "TTLs, or ssh:22 not closed at its line end"
import json, sys
recs = list(map(json.loads, open(sys.argv[1])))
ttls = sorted({r["ttl"] for r in recs})
print("%s   TTLs %s" % ("ok" if ttls == [64] else "FAIL", ttls))
if ttls != [64]:
    sys.exit(1)
ts = {r["port"]: r["ts"] for r in recs}
early = ts[2222] - ts[22]
print("ok   ssh:22 done at its line end, %.2f s before ssh:2222 (idle)" % early)
sys.exit(0 if early > 1.5 else 1)
PY

# What a kernel client reads, from inside the lab namespace.
ip netns exec "$TS_LAB_NS" python3 "$(dirname "$0")/compare_banners.py" "$WORK/out.ndjson" $TS_SERVICES ||
	fail "banners differ"
pass "banners whole and exact"
