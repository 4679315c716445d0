#!/usr/bin/env bash
# Follow-up probes: a port whose first connection (nmap's NULL wait, then the
# generic probe) leaves it unidentified gets nmap's next probes, one
# connection each, until a signature matches hard.
#   1. redis-server on a port no probe lists (7379) says nothing to the first
#      connection and answers GetRequest, the first follow-up, with an error
#      that names it: the record says redis / Redis key-value store, as
#      nmap -sV does in the same test;
#   2. a server that never speaks (7380) gets exactly --max-probes
#      connections, from the probe's source port + 0, 1, ..: the generic
#      probe, then GetRequest, then other probes, all different; its record
#      has an empty banner and no service;
#   3. --max-probes 1: no follow-up, 7379 stays unidentified.
#   4. --rate bounds follow-up SYNs too: 200 ports that hang up at once get
#      their follow-ups right away, yet the 600 SYNs are spread as --rate
#      says (they would come at three times the rate if follow-ups were not
#      paced and charged to the walk's rate).
# Every port has exactly one record, no TCB is left and nothing stays
# established on the target.
source "$(dirname "$0")/lib.sh"
CACHE=${TS_MATCH_CACHE:-$ROOT/build/match-cache}
ADDR=$("$TESTBED" addr redis)
REDIS_PORT=7379 SILENT_PORT=7380 PROBES=6
SPORT=$((40000 + RANDOM % 1000 * 16)) # another run's leftovers don't answer ours
SERVER_LOG="$WORK/silent.log"
PIDS=()

cleanup() {
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	ip netns exec "$TS_SCAN_NS" ip addr del "${NMAP_IP:-0.0.0.0}/15" dev "$TS_SCAN_IF" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

lab_up
# Our own daemons on the lab's redis address, each bounded in time.
ip netns exec "$TS_LAB_NS" timeout -k 2 170 /usr/bin/redis-server --bind "$ADDR" \
	--port $REDIS_PORT --save "" --appendonly no --protected-mode no \
	--dir "$WORK" --logfile "$WORK/redis.log" &
PIDS+=($!)
ip netns exec "$TS_LAB_NS" timeout -k 2 170 python3 "$(dirname "$0")/silent_server.py" \
	"$ADDR" $SILENT_PORT 165 "$SERVER_LOG" &
PIDS+=($!)
for _ in $(seq 50); do
	n=$(ip netns exec "$TS_LAB_NS" ss -Hltn "( sport = :$REDIS_PORT or sport = :$SILENT_PORT )" | wc -l)
	[ "$n" -eq 2 ] && break
	sleep 0.1
done
[ "$n" -eq 2 ] || fail "the test's daemons did not start"

scan() { # OUT SOURCE_PORT ARGS...
	local out=$1 sport=$2
	shift 2
	lab_scan "$ADDR" -p $REDIS_PORT,$SILENT_PORT --rate 1000 --wait 1 --banners \
		--idle-timeout 1000 --max-connections 4096 --banner-buffers 512 \
		--signature-cache "$CACHE" --source-port "$sport" "$@" \
		-o "$WORK/$out.ndjson" 2>"$WORK/$out.err" || { cat "$WORK/$out.err" >&2; fail "$out: scan failed"; }
	cat "$WORK/$out.err"
	grep -q 'tcb_in_use 0$' "$WORK/$out.err" || fail "$out: TCBs left"
	nothing_established || fail "$out: still established on the target: $left"
}

# record FILE PORT: the port's records as "count|banner|service|product|match"
record() {
	python3 - "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["port"] == int(sys.argv[2])]
s = recs[0].get("service", {}) if recs else {}
print("%d|%s|%s|%s|%s" % (len(recs), recs[0].get("banner") if recs else None,
      s.get("name"), s.get("product"), recs[0].get("match") if recs else None))
PY
}

echo "== 1, 2: --max-probes $PROBES"
scan followups $SPORT --max-probes $PROBES
got=$(record "$WORK/followups.ndjson" $REDIS_PORT)
want="1|-ERR wrong number of arguments for 'get' command"$'\r\n'"|redis|Redis key-value store|hard"
[ "$got" = "$want" ] || fail "7379: got [$got], want [$want]"
pass "redis on an unlisted port: identified by the GetRequest follow-up, one record"
got=$(record "$WORK/followups.ndjson" $SILENT_PORT)
[ "$got" = "1||None|None|None" ] || fail "7380: got [$got], want one record, empty banner, no service"
# 7379: one follow-up; 7380: all of its PROBES - 1
grep -q "^followups: ports 2, connections $((1 + PROBES - 1)), identified 1, expired 0" "$WORK/followups.err" ||
	fail "summary: $(grep '^followups' "$WORK/followups.err")"
python3 - "$SERVER_LOG" "$TS_SCANNER" $SPORT $PROBES <<'PY' || fail "the silent server saw other connections"
import json, sys
log, scanner, sport, probes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
seen = {}
for line in open(log):
    r = json.loads(line)
    ip, port = r["peer"].rsplit(":", 1)
    if ip == scanner:
        seen.setdefault(int(port), []).append(bytes.fromhex(r["data"]))
want = list(range(sport, sport + probes))
ok = sorted(seen) == want and all(len(v) == 1 for v in seen.values())
first = [seen[p][0] for p in want] if sorted(seen) == want else []
ok = ok and first[0] == b"\r\n\r\n" and first[1] == b"GET / HTTP/1.0\r\n\r\n"
ok = ok and all(first) and len(set(first)) == probes
for p in sorted(seen):
    print("  from port %d (step %d): %r" % (p, p - sport, seen[p][0][:40]))
sys.exit(0 if ok else 1)
PY
pass "a silent port: $PROBES connections (generic, GetRequest, then nmap's next probes), one record"

echo "== 3: --max-probes 1"
scan single $((SPORT + 8)) --max-probes 1
got=$(record "$WORK/single.ndjson" $REDIS_PORT)
[ "$got" = "1||None|None|None" ] || fail "7379 with --max-probes 1: got [$got]"
! grep -q '^followups' "$WORK/single.err" || fail "--max-probes 1 did follow-ups"
pass "--max-probes 1: the first connection only"

echo "== 4: --rate 100 over the walk and the follow-ups"
HANGUP_FIRST=7400 HANGUP_PORTS=200 RATE=100 HANGUP_LOG="$WORK/hangup.log"
ip netns exec "$TS_LAB_NS" timeout -k 2 60 python3 "$(dirname "$0")/hangup_server.py" \
	"$ADDR" $HANGUP_FIRST $HANGUP_PORTS 55 "$HANGUP_LOG" &
PIDS+=($!)
for _ in $(seq 50); do
	n=$(ip netns exec "$TS_LAB_NS" ss -Hltn "( sport >= :$HANGUP_FIRST and sport < :$((HANGUP_FIRST + HANGUP_PORTS)) )" | wc -l)
	[ "$n" -eq $HANGUP_PORTS ] && break
	sleep 0.1
done
[ "$n" -eq $HANGUP_PORTS ] || fail "the hang-up server did not start"
lab_scan "$ADDR" -p $HANGUP_FIRST-$((HANGUP_FIRST + HANGUP_PORTS - 1)) --rate $RATE --wait 1 \
	--banners --max-probes 3 --max-connections 4096 --banner-buffers 512 \
	--signature-cache "$CACHE" --source-port $((SPORT + 16)) \
	-o "$WORK/paced.ndjson" 2>"$WORK/paced.err" || { cat "$WORK/paced.err" >&2; fail "paced: scan failed"; }
grep -q "^followups: ports $HANGUP_PORTS, connections $((2 * HANGUP_PORTS))," "$WORK/paced.err" ||
	fail "paced: $(grep '^followups' "$WORK/paced.err")"
python3 - "$HANGUP_LOG" "$TS_SCANNER" $((SPORT + 16)) $HANGUP_PORTS $RATE <<'PY' || fail "follow-up SYNs were not paced by --rate"
import sys
log, scanner, sport, ports, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
conns = [l.split() for l in open(log)]
conns = [(float(t), int(p), int(lp)) for t, ip, p, lp in conns if ip == scanner]
steps = sorted((lp, p - sport) for t, p, lp in conns)
want = sorted((lp, k) for lp in set(lp for _, _, lp in conns) for k in range(3))
times = sorted(t for t, _, _ in conns)
span = times[-1] - times[0]
burst = 2 * 32  # the walk's and the writer's buckets may each start full
peak = max(sum(1 for u in times if t <= u < t + 1) for t in times)
print("  %d connections over %.2f s, at most %d in one second" % (len(times), span, peak))
ok = len(conns) == 3 * ports and steps == want
ok = ok and span >= (len(times) - burst) / rate * 0.85
sys.exit(0 if ok else 1)
PY
pass "--rate $RATE paces the follow-up SYNs with the walk's"

# nmap -sV from the scanner namespace through an address of its own.
NMAP_IP=${TS_SCANNER%.*}.$((${TS_SCANNER##*.} + 1))
ip netns exec "$TS_SCAN_NS" ip addr add "$NMAP_IP/15" dev "$TS_SCAN_IF"
ip netns exec "$TS_SCAN_NS" timeout -k 5 120 nmap -sV -sT -Pn -n --version-intensity 7 \
	--host-timeout 100s -p $REDIS_PORT "$ADDR" -oX "$WORK/nmap.xml" >/dev/null ||
	fail "nmap -sV failed"
ip netns exec "$TS_SCAN_NS" ip addr del "$NMAP_IP/15" dev "$TS_SCAN_IF"
"$TIDESCAN" --identify "$WORK/followups.ndjson" --signature-cache "$CACHE" \
	-o "$WORK/identified.ndjson" || fail "--identify failed"
python3 "$(dirname "$0")/compare_services.py" "$WORK/nmap.xml" "$WORK/followups.ndjson" \
	"$WORK/identified.ndjson" || fail "tidescan and nmap -sV disagree"
pass "nmap -sV names 7379 the same (scan and --identify)"
