#!/usr/bin/python3
"""compare_banners: the banner records of a --banners scan of the lab's
services against what a kernel socket client reads from the same daemons —
OpenSSH's line exactly, nginx's whole response (only the Date line may
differ), Redis's whole INFO reply (its clock fields aside). Run inside the
lab namespace (the kernel client connects from there):
  ip netns exec LAB_NS compare_banners.py OUT.ndjson SSH_ADDR NGINX_ADDR REDIS_ADDR
Prints one line per check; exits 1 if any fails. Used by lab_banners.sh and
lab_impaired.sh."""
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
