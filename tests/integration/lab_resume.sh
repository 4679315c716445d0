#!/usr/bin/env bash
# Pause and resume: a scan paused at random points (--pause-after, SIGINT)
# and resumed until complete sends every pair exactly once per pass — the
# net_pcap captures of all its legs, over 2 TX lcores and with a retry pass,
# are --list's pairs twice, none missing, none repeated; over a port that
# takes bursts in parts (net_ring) the legs send exactly the scan's probes —
# and a lab scan paused and resumed writes the same results as one run
# straight through, each once. Changes that would move a pair are refused (exit 2).
source "$(dirname "$0")/lib.sh"
lab_up
python3 -c 'import struct,sys; open(sys.argv[1],"wb").write(struct.pack("<IHHiIII",0xa1b2c3d4,2,4,0,0,65535,1))' "$WORK/empty.pcap"
random_pause() { printf '0.%d' $((RANDOM % 6 + 2)); } # 0.2 .. 0.7 s

# ---- 1. net_pcap, 2 TX lcores, --retries 1: the union of the legs ----
args=(198.18.0.0/22 -p 22,80,443 --exclude 198.18.3.7 --seed 4242 --no-default-excludes)
pcap_eal() { # LEG: EAL arguments writing that leg's probes, one file per queue
	echo "--in-memory --no-pci --lcores=0@0,1@1,2@0,3@1,4@0 --vdev=net_pcap0,rx_pcap=$WORK/empty.pcap,rx_pcap=$WORK/empty.pcap,tx_pcap=$WORK/leg$1q0.pcap,tx_pcap=$WORK/leg$1q1.pcap"
}
P=$WORK/paused.yaml
timeout -k 5 60 "$TIDESCAN" "${args[@]}" --queues 2 --retries 1 --rate 4000 --wait 0.2 \
	--pause-after "$(random_pause)" --pause-file "$P" --dpdk "$(pcap_eal 1)" \
	--source-ip 198.18.0.2 --router-mac 02:00:00:00:00:01 --quiet -o /dev/null \
	2>"$WORK/err" || { cat "$WORK/err" >&2; fail "first leg failed"; }
grep -q "paused: go on with: tidescan --resume $P" "$WORK/err" || fail "first leg did not pause"

# Refused: what would move a pair; the message names the key.
refused() { # KEY FLAGS...: --resume with FLAGS exits 2 naming KEY
	local key=$1 status=0
	shift
	"$TIDESCAN" --resume "$P" "$@" >/dev/null 2>"$WORK/refused" || status=$?
	[ "$status" -eq 2 ] || fail "--resume $*: exit status $status, not 2"
	grep -q "^tidescan: --resume: $key cannot change on resume" "$WORK/refused" ||
		fail "--resume $*: $(cat "$WORK/refused")"
}
refused scan.seed --seed 1
refused ports -p 22
refused targets 198.18.0.0/23
refused excludes --exclude 198.18.0.1
refused scan.shard --shard 1/2
refused dpdk.rx_queues --queues 1
refused scan.retries --retries 0
# TX lcore 0 walks the even positions: one step on is lcore 1's.
python3 -c '
import re, sys
t = open(sys.argv[1]).read()
t = re.sub(r"tx_next: \[\W(\d+):(\d+)", lambda m: "tx_next: [\x22%s:%d" % (m[1], int(m[2]) + 1), t)
open(sys.argv[2], "w").write(t)' "$P" "$WORK/tampered.yaml"
status=0
"$TIDESCAN" --resume "$WORK/tampered.yaml" --pause-file "$WORK/tampered-out.yaml" \
	--dpdk "$(pcap_eal tampered)" >/dev/null 2>"$WORK/refused" || status=$?
[ "$status" -eq 2 ] && grep -q "not a position of TX lcore 0's slice" "$WORK/refused" ||
	fail "a resume point off its slice was not refused: $status $(cat "$WORK/refused")"
pass "changes that would move a pair are refused with exit status 2"

# Go on, pausing again at random, one leg ended by SIGINT, until complete.
leg=1
while grep -q '^paused: ' "$WORK/err"; do
	leg=$((leg + 1))
	[ "$leg" -le 30 ] || fail "not complete after 30 legs"
	if [ "$leg" -eq 3 ]; then
		timeout -k 5 60 "$TIDESCAN" --resume "$P" --rate 3000 --dpdk "$(pcap_eal $leg)" \
			2>"$WORK/err" &
		# Interrupt it once it sends (a pcap header is 24 bytes).
		for _ in $(seq 200); do
			[ "$(stat -c %s "$WORK/leg${leg}q0.pcap" 2>/dev/null || echo 0)" -gt 24 ] && break
			sleep 0.05
		done
		sleep "0.$((RANDOM % 3 + 1))"
		kill -INT $!
		wait $! || fail "leg $leg (SIGINT) failed"
	else
		timeout -k 5 60 "$TIDESCAN" --resume "$P" --rate 3000 --pause-after "$(random_pause)" \
			--dpdk "$(pcap_eal $leg)" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "leg $leg failed"; }
	fi
done
grep -q "^complete: $P says nothing is left to send" "$WORK/err" || { cat "$WORK/err" >&2; fail "last leg did not complete"; }
[ "$leg" -ge 4 ] || fail "only $leg legs: the pauses did not land mid-scan"
"$TIDESCAN" --resume "$P" 2>"$WORK/again" || fail "resuming a complete scan failed"
grep -q "the scan is complete, nothing is left to send" "$WORK/again" || fail "a complete scan resumed again: $(cat "$WORK/again")"
for f in "$WORK"/leg*q*.pcap; do
	[ "$(stat -c %s "$f")" -gt 24 ] || continue # a leg paused before sending
	python3 "$ROOT/tests/integration/check_probes.py" "$f" 4242 198.18.3.7 2>/dev/null ||
		fail "bad probes in $f"
done | sort >"$WORK/sent"
"$TIDESCAN" --list "${args[@]}" | sort >"$WORK/list"
sort "$WORK/list" "$WORK/list" >"$WORK/list-twice"
expect_same "probes of all legs (2 TX lcores, --retries 1)" "$WORK/list-twice" "$WORK/sent"
pass "$leg legs, 2 TX lcores, retry pass: $(wc -l <"$WORK/sent") probes, each pair exactly twice"

# ---- 2. net_ring: a port that refuses part of most bursts ----
# The port loops frames back to our RX lcore and takes no more than its ring
# holds: at --rate 0 most bursts go out in parts, so pauses land with probes
# made but not taken. Across the legs, the probes the port took add up to
# every pair of both passes: none was lost or sent twice at a pause.
# 1.3M probes: more than a fast machine sends before the first pause.
ring=(198.18.0.0/15 -p 22,80,443,8080,8443 --seed 7 --retries 1 --no-default-excludes)
P=$WORK/ring-paused.yaml
ring_eal="--in-memory --no-pci --lcores=0@0,1@1,2@0 --vdev=net_ring0"
timeout -k 5 60 "$TIDESCAN" "${ring[@]}" --rate 0 --wait 0.1 --pause-after 0.01 --pause-file "$P" \
	--dpdk "$ring_eal" --source-ip 198.18.0.2 --router-mac 02:00:00:00:00:01 --quiet -o /dev/null \
	2>"$WORK/err" || { cat "$WORK/err" >&2; fail "first net_ring leg failed"; }
cat "$WORK/err" >"$WORK/ring-legs"
leg=1
while grep -q '^paused: ' "$WORK/err"; do
	leg=$((leg + 1))
	[ "$leg" -le 200 ] || fail "net_ring scan not complete after 200 legs"
	timeout -k 5 60 "$TIDESCAN" --resume "$P" --pause-after "0.00$((RANDOM % 5 + 5))" 2>"$WORK/err" ||
		{ cat "$WORK/err" >&2; fail "net_ring leg $leg failed"; }
	cat "$WORK/err" >>"$WORK/ring-legs"
done
grep -q '^complete: ' "$WORK/err" || { cat "$WORK/err" >&2; fail "net_ring scan did not complete"; }
[ "$leg" -ge 3 ] || fail "only $leg net_ring legs"
sent=$(grep -E '^sent [0-9]+, received' "$WORK/ring-legs" | awk '{ s += $2 } END { print s }')
want=$((2 * $("$TIDESCAN" --list "${ring[@]}" | wc -l)))
[ "$sent" -eq "$want" ] || fail "net_ring: $leg legs sent $sent probes, the scan has $want"
pass "net_ring, bursts taken in parts: $leg legs sent $sent probes, exactly the scan's"

# ---- 3. the lab: paused and resumed writes what one run writes ----
ports=0-2047
lab_scan $LAB_ADDRS -p $ports --seed 99 --rate 10000 --wait 1 --report-closed \
	-o "$WORK/straight.ndjson" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "straight scan failed"; }
P=$WORK/lab-paused.yaml
rm -f "$WORK/resumed.ndjson"
lab_scan $LAB_ADDRS -p $ports --seed 99 --rate 10000 --wait 1 --report-closed \
	--pause-after "$(random_pause)" --pause-file "$P" -o "$WORK/resumed.ndjson" 2>"$WORK/err" ||
	{ cat "$WORK/err" >&2; fail "first lab leg failed"; }
leg=1
while grep -q '^paused: ' "$WORK/err"; do
	leg=$((leg + 1))
	[ "$leg" -le 30 ] || fail "lab scan not complete after 30 legs"
	if [ "$leg" -eq 2 ]; then
		"${LAB_SCAN[@]}" --resume "$P" 2>"$WORK/err" &
		sleep "$(random_pause)"
		kill -INT $!
		wait $! || { cat "$WORK/err" >&2; fail "lab leg $leg (SIGINT) failed"; }
	else
		lab_scan --resume "$P" --pause-after "$(random_pause)" 2>"$WORK/err" ||
			{ cat "$WORK/err" >&2; fail "lab leg $leg failed"; }
	fi
done
grep -q '^complete: ' "$WORK/err" || { cat "$WORK/err" >&2; fail "lab scan did not complete"; }
[ "$leg" -ge 3 ] || fail "only $leg lab legs: the pauses did not land mid-scan"
records() { python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["ip"], r["port"], r["status"])
' "$1" | sort; }
records "$WORK/straight.ndjson" >"$WORK/straight"
records "$WORK/resumed.ndjson" >"$WORK/resumed"
[ -z "$(uniq -d "$WORK/resumed")" ] || fail "results written twice: $(uniq -d "$WORK/resumed" | head -3)"
# Open and closed (TCP answers) must match. ICMP unreachables are only
# counted: the kernel's ICMP rate limit is one budget for all namespaces,
# so other labs on the machine can thin them out in either run.
grep -v ' unreachable$' "$WORK/straight" >"$WORK/straight-tcp"
grep -v ' unreachable$' "$WORK/resumed" >"$WORK/resumed-tcp"
{ "$TESTBED" truth open $ports | sed 's/$/ open/'; "$TESTBED" truth closed $ports | sed 's/$/ closed/'; } |
	sort >"$WORK/truth"
expect_same "open and closed results of the straight lab scan" "$WORK/truth" "$WORK/straight-tcp"
expect_same "open and closed results of the paused and resumed lab scan" "$WORK/straight-tcp" "$WORK/resumed-tcp"
pass "lab scan in $leg legs: the same $(wc -l <"$WORK/resumed-tcp") open and closed results as one run, each once ($(grep -c ' unreachable$' "$WORK/resumed") and $(grep -c ' unreachable$' "$WORK/straight") unreachable)"
