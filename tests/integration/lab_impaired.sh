#!/usr/bin/env bash
# --banners over an impaired path: the lab rebuilt with the relay between
# scanner and targets (scripts/lab/relay.py: 5% loss and 0..20 ms delay, so
# reordering, both ways), then every banner must still be whole and equal to
# what a kernel client reads (compare_banners.py, as lab_banners.sh). The
# relay's counters are printed and must show drops, so the impairment was
# real (~120 frames cross it: none dropped has a chance of about 0.2%).
# Afterwards the lab is as it was: down, or up as the caller's TS_LAB_IMPAIR
# (normally unset: plain) says.
#   TS_LAB_IMPAIR     the impairment (default loss=0.05,delay=20 with a new
#                     seed each run, printed: seed=N repeats a run's draws)
#   TS_IMPAIRED_MSS   scan with --mss N (e.g. 64: banners of many segments,
#                     so reordered within one banner)
#   TS_IMPAIRED_ARGS  more tidescan flags (e.g. --idle-timeout 5000)
#   TS_IMPAIRED_PCAP  keep what crossed the targets' link in this pcap file
SCAN_TIMEOUT=${SCAN_TIMEOUT:-60}
source "$(dirname "$0")/lib.sh"
CALLER_IMPAIR=${TS_LAB_IMPAIR:-}
IMPAIR=${TS_LAB_IMPAIR:-loss=0.05,delay=20,seed=$((RANDOM * 32768 + RANDOM))}
STATS=/run/tidescan-lab${TS_LAB_NAME:+-$TS_LAB_NAME}/relay/stats.json

was_up=0
"$TESTBED" status >/dev/null 2>&1 && was_up=1
dump_pid=
restore() {
	local rc=$?
	[ -z "$dump_pid" ] || { kill -INT "$dump_pid" 2>/dev/null; wait "$dump_pid" || true; }
	if [ "$was_up" = 1 ]; then
		[ "$IMPAIR" = "$CALLER_IMPAIR" ] || TS_LAB_IMPAIR=$CALLER_IMPAIR "$TESTBED" up >/dev/null
	else
		"$TESTBED" down >/dev/null
	fi
	rm -rf "$WORK"
	exit $rc
}
trap restore EXIT

"$ROOT/scripts/hugepages.sh" 512
TS_LAB_IMPAIR=$IMPAIR "$TESTBED" status >/dev/null 2>&1 || TS_LAB_IMPAIR=$IMPAIR "$TESTBED" up >/dev/null
[ -r "$STATS" ] || fail "no relay stats at $STATS"
cp "$STATS" "$WORK/before.json"

# Retries for lost SYNs; the wait outlasts the total timeout, so every
# connection ends by itself (FIN, idle) before the scan resets what is left.
mss=()
[ -z "${TS_IMPAIRED_MSS:-}" ] || mss=(--mss "$TS_IMPAIRED_MSS")
if [ -n "${TS_IMPAIRED_PCAP:-}" ]; then
	ip netns exec "$TS_LAB_NS" timeout 90 tcpdump -n -U -i "$TS_LAB_IF" -w "$TS_IMPAIRED_PCAP" 2>/dev/null &
	dump_pid=$!
	sleep 1
fi
echo "impaired path: $IMPAIR"
lab_scan $TS_SERVICES -p 22,80,2222,6379,8080 --rate 100 --retries 2 \
	--wait 10 --banners --total-timeout 8000 "${mss[@]}" ${TS_IMPAIRED_ARGS:-} \
	-o "$WORK/out.ndjson" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "scan failed"; }
cat "$WORK/err"
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print("record %s:%d %s bytes" % (r["ip"], r["port"], r.get("banner_bytes", 0)))
' "$WORK/out.ndjson"

# The relay writes its stats within a second of a change.
sleep 1.2
python3 - "$WORK/before.json" "$STATS" <<'PY' || fail "the relay dropped nothing: not impaired"
import json, sys
before, after = (json.load(open(f)) for f in sys.argv[1:3])
print("relay: loss %g, delay 0..%g ms, seed %d" % (after["loss"], after["delay_ms"], after["seed"]))
dropped = 0
for name, now in after.items():
    if not isinstance(now, dict):
        continue
    d = {k: now[k] - before[name][k] for k in ("received", "forwarded", "dropped", "reordered")}
    print("relay %s: %d frames in, %d forwarded, %d dropped, %d reordered" %
          (name, d["received"], d["forwarded"], d["dropped"], d["reordered"]))
    dropped += d["dropped"]
sys.exit(0 if dropped > 0 else 1)
PY

# A lost RST leaves the target's end open (RSTs are never retransmitted):
# reported, not a failure.
left=$(ip netns exec "$TS_LAB_NS" ss -Htn state established "( dst $TS_SCANNER )" | wc -l)
[ "$left" -eq 0 ] || echo "note: $left connections still established on the targets (a lost RST)"

# What a kernel client reads, from inside the lab namespace (not impaired).
same=0
ip netns exec "$TS_LAB_NS" python3 "$(dirname "$0")/compare_banners.py" "$WORK/out.ndjson" $TS_SERVICES || same=1
grep -q '^connections 5, banners 5, tcb_full 0' "$WORK/err" || fail "banner summary ($IMPAIR)"
grep -q 'tcb_in_use 0$' "$WORK/err" || fail "connections left open"
[ "$(wc -l <"$WORK/out.ndjson")" -eq 5 ] || fail "want one record per open port"
[ "$same" = 0 ] || fail "banners differ over the impaired path ($IMPAIR)"
pass "banners whole and exact over $IMPAIR${TS_IMPAIRED_MSS:+, mss $TS_IMPAIRED_MSS}${TS_IMPAIRED_ARGS:+, $TS_IMPAIRED_ARGS}"
