#!/usr/bin/env bash
# --banners against hostile and odd peers (scripts/lab/hostile.py, in the lab's
# target namespace on an address of its own):
#   1. 7001 floods 1 MiB (the banner stops at --banner-bytes and we close),
#      7002 trickles a byte a second (the total timeout ends it), 7003 says
#      hello and resets, 7004 and 7005 never speak: each record as expected,
#      no TCB left, nothing established on the target afterwards;
#   2. 100 ports with short banners through 16 TCBs and 16 buffers: every port
#      reported open, tcb_full > 0, no TCB left, no crash; again with the
#      ASan build (build-asan/tidescan) when there is one;
#   3. a real zero window from Linux (7005: minimum receive buffer, window
#      clamped to 100 bytes by a route, not read for 2.5 s) against a 1000-byte
#      client-first probe: the window shuts mid-probe, we probe it, and the
#      whole probe arrives once it opens;
#   4. the generic probe: 7004 stays silent past the server-first wait (500 ms
#      in this test's probe file), receives "\r\n\r\n", and the idle timeout
#      closes it.
# One connection per port (--max-probes 1): these peers test the stack, not
# identification; follow-up connections are lab_followup's.
# Every check runs; the failures are listed at the end.
source "$(dirname "$0")/lib.sh"
ADDR=${TS_HOSTILE_ADDR:-198.18.1.30} # not in the lab's table: checked below
HOSTILE="$ROOT/scripts/lab/hostile.py"
PIDFILE="$WORK/hostile.pid"
LOG="$WORK/hostile.log"
ZW_TABLE=7005 ZW_PREF=7005 ZW_WINDOW=100 # the zero-window route (stage 3)
# Source ports of this run's stages, SPORT+1..SPORT+5: another run's leftovers
# on the target (a crashed scan's connections) must not answer ours.
SPORT=$((40000 + RANDOM % 4000 * 5))
# The ASan build reports a leak of EAL's argument copy at exit (exit status 1).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
HPID=

problems=()
bad() { echo "FAIL: $*" >&2; problems+=("$*"); }

cleanup() {
	local pid
	pid=$(cat "$PIDFILE" 2>/dev/null || true)
	# Only our hostile.py: the pid must still be that program.
	if [ -n "$pid" ] && grep -qa hostile.py "/proc/$pid/cmdline" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
	fi
	if [ -n "$HPID" ]; then # its `timeout` wrapper, our child
		kill -TERM "$HPID" 2>/dev/null || true
		for _ in $(seq 30); do kill -0 "$HPID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$HPID" 2>/dev/null || true
		wait "$HPID" 2>/dev/null || true
	fi
	ip -n "$TS_LAB_NS" rule del pref "$ZW_PREF" 2>/dev/null || true
	ip -n "$TS_LAB_NS" route flush table "$ZW_TABLE" 2>/dev/null || true
	ip -n "$TS_LAB_NS" addr del "$ADDR/15" dev "$TS_LAB_IF" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

lab_up
"$TESTBED" table | awk 'NR > 1 { print $1 }' | grep -qxF "$ADDR" &&
	fail "$ADDR is one of the lab's addresses: set TS_HOSTILE_ADDR to a free one in 198.18.1.0/24"
ip -n "$TS_LAB_NS" addr replace "$ADDR/15" dev "$TS_LAB_IF"
# 7005's answers leave with a 100-byte window clamp (route metric "window").
ip -n "$TS_LAB_NS" rule del pref "$ZW_PREF" 2>/dev/null || true
ip -n "$TS_LAB_NS" route replace "$TS_SCANNER" dev "$TS_LAB_IF" src "$ADDR" \
	window "$ZW_WINDOW" table "$ZW_TABLE"
ip -n "$TS_LAB_NS" rule add pref "$ZW_PREF" from "$ADDR" ipproto tcp sport 7005 \
	lookup "$ZW_TABLE" || fail "cannot add the zero-window routing rule"

ip netns exec "$TS_LAB_NS" timeout -k 5 300 /usr/bin/python3 "$HOSTILE" \
	--addr "$ADDR" --pidfile "$PIDFILE" --log "$LOG" --max-seconds 60 \
	--hold 2.5 --lifetime 290 </dev/null >"$WORK/hostile.err" 2>&1 &
HPID=$!
listening=0
for _ in $(seq 100); do # 10 s
	kill -0 "$HPID" 2>/dev/null || { cat "$WORK/hostile.err" >&2; fail "hostile.py exited"; }
	if [ -s "$PIDFILE" ]; then
		listening=$(ip netns exec "$TS_LAB_NS" ss -Hltn "src $ADDR" | wc -l)
		[ "$listening" -eq 105 ] && break
	fi
	sleep 0.1
done
[ "$listening" -eq 105 ] || { cat "$WORK/hostile.err" >&2; fail "hostile.py: $listening of 105 ports listening after 10 s"; }

# A 1000-byte client-first probe for 7005; everything else waits 500 ms and
# gets the generic probe.
python3 - "$WORK/probes.yaml" <<'PY'
import sys
open(sys.argv[1], "w").write('''user_agent: "tidescan-test"
wait_ms: 500
probes:
  - name: zero-window
    ports: 7005
    client_first: true
    payload: "%s"
fallback:
  name: generic
  client_first: false
  payload: "\\r\\n\\r\\n"
''' % ("0123456789" * 100))
PY

# The checks on the records and on what the server saw, per stage.
cat >"$WORK/check.py" <<'PY'
import json, sys

stage, out, log, peer_port = sys.argv[1:5]
records = {}
dup = []
for line in open(out):
    r = json.loads(line)
    if r["port"] in records:
        dup.append(r["port"])
    records[r["port"]] = r
server = {}
for line in open(log):
    e = json.loads(line)
    if e.get("peer", "").endswith(":" + peer_port):
        server[e["port"]] = e

bad = 0
def check(what, ok, detail=""):
    global bad
    print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else ": " + detail))
    bad += not ok

def info(what):
    print("     " + what)

def banner(port):
    r = records.get(port)
    if r is None or "banner" not in r:
        return None
    return r["banner"].encode("utf-8", "surrogateescape")

def srv(port, key, default=None):
    return server.get(port, {}).get(key, default)

def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "first difference at byte %d: %r vs %r" % (i, a[i:i + 8], b[i:i + 8])
    return "lengths %d vs %d" % (len(a), len(b))

check("no port reported twice", not dup, "twice: %s" % dup)
if stage == "odd":
    check("records for 7001-7005", sorted(records) == list(range(7001, 7006)),
          "got %s" % sorted(records))
    for p in range(7001, 7006):
        r = records.get(p, {})
        check("%d open with a banner field" % p, r.get("status") == "open" and "banner" in r, str(r)[:200])
        if r and "banner" in r:
            check("%d banner_bytes %d is the banner's length" % (p, r["banner_bytes"]),
                  r["banner_bytes"] == len(banner(p)))
    flood = bytes(range(256)) * 16
    b = banner(7001) or b""
    check("7001 (1 MiB flood): banner capped at 4096 bytes (%d)" % len(b), len(b) == 4096)
    check("7001: the banner is the first 4096 bytes the server sent", b == flood[:len(b)] and b,
          first_diff(b, flood))
    check("7001: we ended the connection (server saw %s after %s of %s bytes went out)"
          % (srv(7001, "end"), srv(7001, "sent"), 1 << 20), srv(7001, "end") == "reset")
    b = banner(7002) or b""
    check("7002 (a byte a second, total timeout 3 s): %d bytes %r, want 1..5" % (len(b), b),
          1 <= len(b) <= 5 and b == (b"0123456789" * 2)[:len(b)])
    s = srv(7002, "seconds", 0)
    check("7002: we ended it after %.2f s (server: %s, %s bytes sent), want ~3 s"
          % (s, srv(7002, "end"), srv(7002, "sent")),
          srv(7002, "end") == "reset" and 2.0 <= s <= 5.5)
    check("7003 (hello, then RST): banner %r" % banner(7003), banner(7003) == b"hello\r\n")
    check("7003: the server reset it (%s)" % srv(7003, "end"), srv(7003, "end") == "rst-sent")
    for p in (7004, 7005):
        check("%d (silent): banner_bytes 0 (%s)" % (p, records.get(p, {}).get("banner_bytes")),
              banner(p) == b"")
        check("%d: we ended it (server: %s after %s s)" % (p, srv(p, "end"), srv(p, "seconds")),
              srv(p, "end") == "reset")
    info("7004 received %r from us (the wait, 3000 ms, equals the total timeout)"
         % srv(7004, "received_head"))
elif stage == "capacity":
    want = list(range(7100, 7200))
    check("all 100 ports reported open (%d)" % len(records),
          sorted(records) == want and all(r["status"] == "open" for r in records.values()),
          "missing %s, extra %s" % (sorted(set(want) - set(records))[:20],
                                    sorted(set(records) - set(want))[:20]))
    with_banner = [p for p in records if "banner" in records[p]]
    wrong = [p for p in with_banner if banner(p) != b"port %d\r\n" % p]
    check("%d records with a banner, each 'port N\\r\\n'" % len(with_banner), not wrong,
          "wrong: %s" % [(p, banner(p)) for p in wrong[:5]])
    ends = {}
    for e in server.values():
        ends[e["end"]] = ends.get(e["end"], 0) + 1
    info("server: %d connections accepted, ended %s" % (len(server), ends))
elif stage == "zero-window":
    payload = b"0123456789" * 100
    r = records.get(7005, {})
    check("7005 open, banner_bytes 0 (%s)" % r.get("banner_bytes"), banner(7005) == b"")
    held = srv(7005, "held", 0)
    hi = srv(7005, "held_info", {})
    quiet = hi.get("segs_in", 0) - hi.get("data_segs_in", 0)
    check("7005: the window shut mid-probe (%d of 1000 bytes queued unread)" % held, 0 < held < 1000)
    check("7005: we probed the zero window (%d segments without data during the hold:"
          " the handshake's ACK and the probes)" % quiet, quiet >= 2)
    got = srv(7005, "received_head", "").encode("latin-1")
    check("7005: the whole probe arrived once the window opened (%d bytes)" % len(got),
          got == payload, first_diff(got, payload))
    check("7005: we ended it (server: %s after %s s)" % (srv(7005, "end"), srv(7005, "seconds")),
          srv(7005, "end") == "reset")
elif stage == "generic":
    r = records.get(7004, {})
    check("7004 open, banner_bytes 0 (%s)" % r.get("banner_bytes"), banner(7004) == b"")
    check("7004: the generic probe arrived after the wait (%r after %s s)"
          % (srv(7004, "received_head"), srv(7004, "first_rx")),
          srv(7004, "received_head") == "\r\n\r\n")
    first, end = srv(7004, "first_rx"), srv(7004, "seconds", 0)
    gap = end - first if first is not None else -1
    check("7004: the idle timeout (1.5 s) closed it %.2f s after the probe (server: %s;"
          " the total timeout is 8 s)" % (gap, srv(7004, "end")),
          srv(7004, "end") == "reset" and 0.8 <= gap <= 4.0)
sys.exit(1 if bad else 0)
PY

# [CHECK=KIND] stage NAME BINARY SOURCE_PORT SCAN_ARGS...: scan $ADDR with
# BINARY from SOURCE_PORT (each stage its own, to tell its connections apart in
# the server's log), then the checks every stage shares and check.py's KIND
# (default NAME). Returns tidescan's exit status.
stage() {
	local name=$1 bin=$2 sport=$3 rc=0 left had=${#problems[@]}
	shift 3
	echo "== $name"
	local cmd=("${LAB_SCAN[@]}")
	for i in "${!cmd[@]}"; do
		if [ "${cmd[$i]}" = "$TIDESCAN" ]; then cmd[i]=$bin; fi
	done
	"${cmd[@]}" "$ADDR" --source-port "$sport" --max-probes 1 "$@" \
		-o "$WORK/$name.ndjson" 2>"$WORK/$name.err" || rc=$?
	cat "$WORK/$name.err"
	touch "$WORK/$name.ndjson"
	if [ "$rc" -ne 0 ]; then
		if [ "$rc" -gt 128 ]; then
			bad "$name: tidescan died of signal $((rc - 128)) (exit $rc)"
		else
			bad "$name: tidescan exited $rc"
		fi
	fi
	if grep -qE 'ERROR: AddressSanitizer|runtime error:' "$WORK/$name.err"; then
		bad "$name: sanitizer report (above)"
	fi
	if ! grep -q '^connections [0-9]' "$WORK/$name.err"; then
		bad "$name: no banner summary line"
	elif ! grep -q 'tcb_in_use 0$' "$WORK/$name.err"; then
		bad "$name: TCBs left at the end: $(grep '^connections' "$WORK/$name.err")"
	fi
	nothing_established ||
		bad "$name: still established on the target 3 s after the scan: $left"
	python3 "$WORK/check.py" "${CHECK:-$name}" "$WORK/$name.ndjson" "$LOG" "$sport" ||
		bad "$name: records or server side differ (above)"
	if [ "${#problems[@]}" -ne "$had" ]; then
		echo "-- what the server saw (hostile.py's log, peer port $sport):" >&2
		grep -F "\"$TS_SCANNER:$sport\"" "$LOG" | head -20 | cut -c1-400 >&2 || true
	fi
	return "$rc"
}
summary() { grep -E "^connections [0-9]+" "$WORK/$1.err" | tr ',' '\n' | awk -v k="$2" '$1 == k { print $2 }'; }

# 1. Odd peers, with the issue's settings.
stage odd "$TIDESCAN" $((SPORT + 1)) -p 7001-7005 --banners --banner-bytes 4096 \
	--idle-timeout 1500 --total-timeout 3000 --wait 6 || true
[ "$(summary odd connections)" = 5 ] || bad "odd: want 5 connections, summary says $(summary odd connections)"

# 2. Capacity: 100 ports through 16 TCBs.
capacity() { # NAME BINARY SPORT
	stage "$1" "$2" "$3" -p 7100-7199 --banners --max-connections 16 \
		--banner-buffers 16 --wait 3 || true
	local full
	full=$(summary "$1" tcb_full)
	[ "${full:-0}" -gt 0 ] || bad "$1: want tcb_full > 0 with 16 TCBs for 100 ports, got '${full}'"
}
CHECK=capacity capacity capacity "$TIDESCAN" $((SPORT + 2))
ASAN_BIN="$ROOT/build-asan/tidescan"
if [ ! -x "$ASAN_BIN" ]; then
	echo "SKIP: capacity under ASan: no $ASAN_BIN (scripts/build.sh asan)"
elif [ "$ASAN_BIN" -ef "$TIDESCAN" ]; then
	echo "SKIP: capacity under ASan: the binary under test is $ASAN_BIN already"
elif ! "$ASAN_BIN" --version >"$WORK/asan-version" 2>&1; then
	echo "SKIP: capacity under ASan: $ASAN_BIN does not start here: $(head -3 "$WORK/asan-version")"
else
	CHECK=capacity capacity capacity-asan "$ASAN_BIN" $((SPORT + 3))
fi

# 3. A real zero window.
CHECK=zero-window stage zero-window "$TIDESCAN" $((SPORT + 4)) -p 7005 --banners \
	--probes "$WORK/probes.yaml" --idle-timeout 1500 --total-timeout 8000 --wait 9 || true

# 4. The generic probe after the server-first wait, then the idle timeout.
CHECK=generic stage generic "$TIDESCAN" $((SPORT + 5)) -p 7004 --banners \
	--probes "$WORK/probes.yaml" --idle-timeout 1500 --total-timeout 8000 --wait 4 || true

if [ "${#problems[@]}" -ne 0 ]; then
	echo "== ${#problems[@]} failures" >&2
	printf 'FAIL: %s\n' "${problems[@]}" >&2
	exit 1
fi
pass "hostile peers: flood capped, trickle timed out, RST taken, silent ports closed, capacity, zero window, generic probe"
