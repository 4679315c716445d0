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
