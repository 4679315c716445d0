#!/usr/bin/env bash
# Watching a scan: --stats-format json writes one JSON object a line on
# stderr whose counters only grow and whose last line agrees with the
# summary; DPDK telemetry answers /tidescan/stats mid-scan, to our own
# SOCK_SEQPACKET client and to DPDK's dpdk-telemetry.py, with figures that
# grow between two reads and stay below the final ones.
source "$(dirname "$0")/lib.sh"
lab_up
prefix=tsstats$$ # a runtime dir of our own: its telemetry socket is ours
sock=/var/run/dpdk/$prefix/dpdk_telemetry.v2
trap 'rm -rf "$WORK" "/var/run/dpdk/$prefix"' EXIT
"${LAB_SCAN[@]}" --dpdk "--file-prefix $prefix" $LAB_ADDRS -p 0-4095 --rate 10000 --wait 1 \
	--report-closed --stats-format json --stats-interval 0.2 -o "$WORK/out.ndjson" 2>"$WORK/err" &
scan=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || fail "no telemetry socket $sock"
sleep 0.5
query() { # one /tidescan/stats read through a unix seqpacket socket
	python3 -c '
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
hello = json.loads(s.recv(4096))
s.send(b"/tidescan/stats")
print(json.dumps(json.loads(s.recv(hello["max_output_len"]))["/tidescan/stats"]))
' "$sock"
}
query >"$WORK/tel1" || fail "telemetry query failed"
sleep 0.5
query >"$WORK/tel2" || fail "second telemetry query failed"
tel_tool=0
if command -v dpdk-telemetry.py >/dev/null; then
	echo /tidescan/stats | dpdk-telemetry.py -f "$prefix" >"$WORK/tel3" || fail "dpdk-telemetry.py failed"
	tel_tool=1
fi
wait "$scan" || { cat "$WORK/err" >&2; fail "scan failed"; }

python3 - "$WORK/err" "$WORK/tel1" "$WORK/tel2" "$WORK/tel3" "$tel_tool" <<'EOF' || fail "stats check"
import json, re, sys
err, tel1, tel2, tel3, tool = sys.argv[1:6]
lines = [l for l in open(err) if l.startswith("{")]
stats = [json.loads(l) for l in lines]
summary = [l for l in open(err) if l.startswith("sent ")][-1]
final = {k: int(v) for k, v in re.findall(r"(\w+) (\d+)(?:,|$)", summary)}
keys = ["ts", "elapsed", "sent", "rate", "progress", "received", "open", "closed",
        "dropped", "bad_cookie", "tcb_in_use", "eta"]
assert len(stats) >= 10, "only %d stats lines" % len(stats)
for s in stats:
    assert all(k in s for k in keys), "missing keys in %s" % s
    assert 0 <= s["progress"] <= 1, s
grow = ["ts", "elapsed", "sent", "progress", "received", "open", "closed", "unreachable"]
for a, b in zip(stats, stats[1:]):
    for k in grow:
        assert b[k] >= a[k], "%s went down: %s then %s" % (k, a[k], b[k])
last = stats[-1]
assert last["phase"] == "done" and last["progress"] == 1.0, last
for k in ["sent", "received", "open", "closed", "unreachable", "dropped", "bad_cookie"]:
    assert last[k] == final[k], "%s: last stats line %d, summary %d" % (k, last[k], final[k])
assert final["sent"] == 7 * 4096, final
mid = [s for s in stats if s["phase"] == "send" and 0 < s["progress"] < 1]
rates = sorted(s["rate"] for s in mid)
assert rates and 5000 <= rates[len(rates) // 2] <= 15000, "rates while sending: %s" % rates
t1, t2 = json.load(open(tel1)), json.load(open(tel2))
for t in (t1, t2):
    assert all(k in t for k in ["sent", "received", "open", "closed", "bad_cookie", "dropped",
                                "tcb_in_use", "rate", "progress"]), t
assert 0 < t1["sent"] < t2["sent"] <= final["sent"], (t1, t2)
assert 0 < float(t1["progress"]) < float(t2["progress"]) <= 1, (t1, t2)
assert t1["received"] <= t2["received"] <= final["received"]
assert t2["phase"] == "send" and t2["rate"] > 0, t2
if tool == "1":
    t3 = json.loads(open(tel3).read())["/tidescan/stats"]
    assert t2["sent"] <= t3["sent"] <= final["sent"], t3
print("%d stats lines; telemetry sent %d then %d of %d" % (len(stats), t1["sent"], t2["sent"], final["sent"]))
EOF
pass "JSON stats lines grow and end at the summary; telemetry read live$([ $tel_tool = 1 ] && echo ', also by dpdk-telemetry.py')"
