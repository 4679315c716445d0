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
ip netns exec "$TS_LAB_NS" python3 - "$WORK/out.ndjson" $TS_SERVICES <<'PY' || fail "banners differ"
import json, socket, sys
records = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    records[(r["ip"], r["port"])] = r["banner"].encode("utf-8", "surrogateescape")
ssh, nginx, redis = sys.argv[2:5]

def read(ip, port, send=b"", wait=1.0):
    s = socket.create_connection((ip, port), timeout=3)
    s.settimeout(wait)
    if send:
        s.sendall(send)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    s.close()
    return data

def without(data, prefixes):
    return [l for l in data.split(b"\r\n") if not l.startswith(prefixes)]

bad = 0
def check(what, ok):
    global bad
    print(("ok   " if ok else "FAIL ") + what)
    bad += not ok

want = sorted([(ssh, 22), (ssh, 2222), (nginx, 80), (nginx, 8080), (redis, 6379)])
check("open ports with banners %s" % sorted(records), sorted(records) == want)
for port in (22, 2222):
    kernel = read(ssh, port)
    check("ssh:%d %r" % (port, records.get((ssh, port))), records.get((ssh, port)) == kernel)
for port in (80, 8080):
    req = b"GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: t\r\nAccept: */*\r\nConnection: close\r\n\r\n" % nginx.encode()
    kernel = read(nginx, port, req)
    got = records.get((nginx, port), b"")
    check("nginx:%d whole response (%d bytes)" % (port, len(got)),
          len(got) == len(kernel) and without(got, (b"Date:",)) == without(kernel, (b"Date:",))
          and b"Server: nginx" in got)
kernel = read(redis, 6379, b"INFO server\r\n")
got = records.get((redis, 6379), b"")
clock = (b"uptime_in", b"server_time_usec", b"lru_clock", b"$")
check("redis INFO reply whole (%d bytes)" % len(got),
      got.startswith(b"$") and got.endswith(b"\r\n\r\n")
      and int(got[1:got.index(b"\r\n")]) == len(got) - got.index(b"\r\n") - 4
      and without(got, clock) == without(kernel, clock))
sys.exit(1 if bad else 0)
PY
pass "banners whole and exact"
