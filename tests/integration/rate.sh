#!/usr/bin/env bash
# --rate 5000 over more than 5 s: the probes sent per second match the rate
# within 5% (net_null port: no lab needed).
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/hugepages.sh" 512
timeout -k 5 60 "$TIDESCAN" \
	--dpdk "$EAL_BASE --vdev=net_null0,no-rx=1" --source-ip 198.18.0.2 \
	--router-mac 02:00:00:00:00:01 --no-default-excludes --quiet \
	198.18.0.0/17 -p 80 --rate 5000 --wait 0 -o /dev/null 2>"$WORK/err" ||
	{ cat "$WORK/err" >&2; fail "run failed"; }
cat "$WORK/err"
sent=$(summary_field sent "$WORK/err")
elapsed=$(summary_field elapsed "$WORK/err")
[ "$sent" -eq 32768 ] || fail "sent $sent, want 32768"
python3 - "$sent" "$elapsed" <<'PY' || fail "rate off by more than 5%"
import sys
sent, elapsed = int(sys.argv[1]), float(sys.argv[2])
rate = sent / elapsed
print("measured %.1f pps for --rate 5000 over %.2f s" % (rate, elapsed))
sys.exit(0 if abs(rate - 5000) <= 250 and elapsed >= 5 else 1)
PY
pass "rate within 5%"
