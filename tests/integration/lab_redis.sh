#!/usr/bin/env bash
# Results into a Redis Stream: a redis-server started here on 127.0.0.1 of
# the scanner's namespace. Two shards of a lab scan into one stream equal
# an unsharded scan's file output, record for record; an unreachable
# Redis is a clear error at start; a Redis killed and restarted mid-scan
# loses nothing (the stream and the spill file together hold every result).
source "$(dirname "$0")/lib.sh"
lab_up
PY=/usr/bin/python3 # Debian's, with python3-redis
PORT=$((20000 + RANDOM % 20000))
REDIS_PID=
redis_start() {
	ip netns exec "$TS_SCAN_NS" redis-server --port "$PORT" --bind 127.0.0.1 \
		--dir "$WORK" --save "" --appendonly yes --appendfsync always \
		--logfile "$WORK/redis.log" &
	REDIS_PID=$!
	for _ in $(seq 100); do
		[ "$(ip netns exec "$TS_SCAN_NS" redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ] && return
		sleep 0.05
	done
	fail "redis-server did not start"
}
redis_stop() { # SIGNAL
	if [ -n "$REDIS_PID" ]; then
		kill -"$1" "$REDIS_PID" 2>/dev/null || true
		wait "$REDIS_PID" 2>/dev/null || true
	fi
	REDIS_PID=
}
trap 'redis_stop KILL; rm -rf "$WORK"' EXIT

# stream_records STREAM: "ip port status" per entry, sorted (duplicates kept).
stream_records() {
	ip netns exec "$TS_SCAN_NS" "$PY" - "$PORT" "$1" <<'PY' | sort
import redis, sys
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]))
for _, f in r.xrange(sys.argv[2]):
    print(f[b"ip"].decode(), f[b"port"].decode(), f[b"status"].decode())
PY
}
# wait_for_entries STREAM N: until STREAM holds N entries (a scan's
# start-up time varies); fails after 30 s.
wait_for_entries() {
	local n=0
	for _ in $(seq 600); do
		n=$(ip netns exec "$TS_SCAN_NS" redis-cli -p "$PORT" xlen "$1" 2>/dev/null || echo 0)
		[ "${n:-0}" -ge "$2" ] && return
		sleep 0.05
	done
	fail "the scan into Redis stream $1 did not get going ($n entries)"
}
# group_records STREAM: the same, read through a consumer group by two
# consumers taking turns, each entry acknowledged once.
group_records() {
	ip netns exec "$TS_SCAN_NS" "$PY" - "$PORT" "$1" <<'PY' | sort
import redis, sys
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]))
stream = sys.argv[2]
r.xgroup_create(stream, "readers", id="0")
seen = 0
while True:
    got = 0
    for consumer in ("a", "b"):
        for _, entries in r.xreadgroup("readers", consumer, {stream: ">"}, count=500):
            for eid, f in entries:
                print(f[b"ip"].decode(), f[b"port"].decode(), f[b"status"].decode())
                r.xack(stream, "readers", eid)
                got += 1
    if not got:
        break
    seen += got
pending = r.xpending(stream, "readers")["pending"]
assert pending == 0, "unacknowledged: %d" % pending
PY
}
# file_records NDJSON: the same from a file.
file_records() {
	"$PY" -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["ip"], r["port"], r["status"])
' "$1" | sort
}

redis_start
args=($LAB_ADDRS -p 1-3000,6379,8080 --seed 7 --report-closed --wait 1)
lab_scan "${args[@]}" --rate 20000 -o "$WORK/full.ndjson" 2>/dev/null || fail "file scan failed"
file_records "$WORK/full.ndjson" >"$WORK/full"
[ "$(wc -l <"$WORK/full")" -gt 1000 ] || fail "file scan found too little: $(wc -l <"$WORK/full")"

# Two shards, one stream.
for s in 1 2; do
	lab_scan "${args[@]}" --rate 20000 --shard $s/2 -o "redis://127.0.0.1:$PORT/scan" \
		2>"$WORK/err$s" || { cat "$WORK/err$s" >&2; fail "shard $s into Redis failed"; }
	grep -q "^redis added [0-9]*, spilled 0," "$WORK/err$s" || { cat "$WORK/err$s" >&2; fail "shard $s: no clean redis summary"; }
done
stream_records scan >"$WORK/stream"
expect_same "two shards in one stream vs the unsharded file" "$WORK/full" "$WORK/stream"
group_records scan >"$WORK/group"
expect_same "the stream read by a consumer group" "$WORK/full" "$WORK/group"
pass "two shards into one stream = the unsharded scan ($(wc -l <"$WORK/stream") records), read whole by a consumer group of two"

# A stalled Redis: with a small queue the TX lcores hold (counted), and once
# Redis resumes every result arrives.
lab_scan "${args[@]}" --rate 20000 --redis-queue 2048 -o "redis://127.0.0.1:$PORT/stalled" \
	2>"$WORK/err" &
scan=$!
wait_for_entries stalled 500
kill -STOP "$REDIS_PID"
sleep 2
kill -CONT "$REDIS_PID"
wait "$scan" || { cat "$WORK/err" >&2; fail "scan into a stalled Redis failed"; }
stream_records stalled >"$WORK/stalled"
expect_same "results through a stalled Redis" "$WORK/full" "$WORK/stalled"
held=$(sed -n 's/^redis added [0-9]*, spilled 0, held \([0-9]*\), held_seconds \([0-9.]*\)$/\1 \2/p' "$WORK/err")
[ -n "$held" ] && awk -v h="$held" 'BEGIN { split(h, a, " "); exit !(a[1] >= 1 && a[2] >= 1.0) }' ||
	{ cat "$WORK/err" >&2; fail "a stalled Redis did not hold the scan back"; }
pass "Redis stalled 2 s: the scan held ($held: times, seconds), every result arrived"

# Unreachable Redis: exit 1, one clear line.
rc=0
lab_scan "${args[@]}" -o "redis://127.0.0.1:$((PORT + 1))/scan" >/dev/null 2>"$WORK/err" || rc=$?
[ "$rc" = 1 ] || fail "unreachable Redis: exit $rc, want 1"
grep -q "cannot reach Redis at 127.0.0.1:$((PORT + 1))" "$WORK/err" || { cat "$WORK/err" >&2; fail "unreachable Redis: no clear message"; }
pass "unreachable Redis: $(grep -m1 'cannot reach' "$WORK/err")"

# Killed and restarted mid-scan: nothing lost.
# The spill file is written where tidescan runs: in $WORK.
scan_cmd=()
for word in "${LAB_SCAN[@]}"; do
	[ "$word" = "$TIDESCAN" ] && word=$(realpath "$TIDESCAN")
	scan_cmd+=("$word")
done
(cd "$WORK" && exec "${scan_cmd[@]}" "${args[@]}" --rate 4000 -o "redis://127.0.0.1:$PORT/restart") 2>"$WORK/err" &
scan=$!
# Kill it once the scan is well under way.
wait_for_entries restart 3000
redis_stop KILL
redis_start
wait "$scan" || { cat "$WORK/err" >&2; fail "scan with a Redis restart failed"; }
spill=$(sed -n 's/.* results are in \([^ ,]*\).*/\1/p' "$WORK/err")
[ -n "$spill" ] && spill=$WORK/$spill && [ -s "$spill" ] || { cat "$WORK/err" >&2; fail "no spill file named in the summary"; }
"$TIDESCAN" --readscan "$spill" --output-format ndjson >"$WORK/spill.ndjson" || fail "--readscan $spill failed"
{ stream_records restart; file_records "$WORK/spill.ndjson"; } | sort -u >"$WORK/union"
expect_same "stream + spill after a restart" "$WORK/full" "$WORK/union"
pass "Redis killed mid-scan: $(stream_records restart | wc -l) in the stream, $(wc -l <"$WORK/spill.ndjson") spilled, none lost"
