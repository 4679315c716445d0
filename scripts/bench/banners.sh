#!/usr/bin/env bash
# banners: banners per second on the lab, tidescan --banners beside masscan
# --banners (Debian's 1.3.2) in the same run, and how many banners each got
# right. The lab's own daemons have six open ports, too few to time, so for
# the benchmark its interface gets N_ADDRS extra addresses (198.18.2.1 on,
# /32 each) served by a small asyncio server of ours in the lab namespace:
# on SSH_PORTS it greets at once with "SSH-2.0-bench_<ip>_<port>\r\n" and
# then holds the connection as sshd does (until the client closes, HOLD s at
# most); on HTTP_PORTS it reads a whole request head and answers a fixed
# response naming <ip>:<port> (BODY bytes of HTML with a <title>), then
# closes. What each (address, port) sends is known, so every banner is
# checked byte for byte. tidescan goes through net_af_packet on the scan
# side of the veth, masscan through libpcap on the same veth with its own
# source address; each scans every (address, port) once at RATE.
#
# Figures, per run: open pairs found, banners, banners right, the scanner's
# connections still held on the targets 1 s after it ended (then closed with
# `ss -K`, so that each run starts clean), wall time and banners/s over it,
# and the targets' view: the window from the first connection accepted to
# the last banner done (an HTTP response sent, or the scanner closing an SSH
# connection) and banners/s over that. tidescan's wall is its summary's
# elapsed (first probe to the end of --wait); masscan's is the command's, up
# to its stop by timeout if its wait does not end by itself. The exact
# commands are printed. The lab is brought up if it is down (TS_LAB_NAME
# names it) and put back as found; the addresses and the server go. About
# 1 minute; root.
#
# Knobs: N_ADDRS (1000), SSH_PORTS (22,2222), HTTP_PORTS (80,8080: masscan
# sends its HTTP request on 80 and 8080 only), RATE (20000 pps, both tools),
# TS_RATES (tidescan's, default "RATE 100000"), MASSCAN_RATES (default "RATE
# 5000": masscan sends its HTTP request only after a 2 s hello timeout, and
# in this lab on part of the connections only, at 10000 pps and above mostly
# on none), WAIT (3 s, tidescan),
# MASSCAN_WAIT (WAIT + 2: its hello timeout inside its wait), HOLD (10 s),
# BODY (300 bytes), LCORES (0@0,1@1,2@0), AFP (",framecnt=16384"), BOOST (1,
# see lib.sh), SERVER_RT (1: the server is SCHED_FIFO, first on its CPU
# whenever it has work, as targets on machines of their own would be; 0:
# boosted like the scanners, and then a scanner busy-polling both cores can
# starve it, which shows as late SSH greetings and HTTP answers, i.e. empty
# banners), SERVER_CPU (1, the RX lcore's under the default LCORES: the
# targets take time from the receiving side, whose AF_PACKET ring is large,
# rather than from the sending one; empty: any CPU), TIDESCAN,
# TIDESCAN_NO_BUILD=1.
source "$(dirname "$0")/lib.sh"

N_ADDRS=${N_ADDRS:-1000}
FIRST_ADDR=198.18.2.1
SSH_PORTS=${SSH_PORTS:-22,2222}
HTTP_PORTS=${HTTP_PORTS:-80,8080}
RATE=${RATE:-20000}
TS_RATES=${TS_RATES:-$RATE 100000}
MASSCAN_RATES=${MASSCAN_RATES:-$RATE 5000}
WAIT=${WAIT:-3}
MASSCAN_WAIT=${MASSCAN_WAIT:-$((WAIT + 2))}
HOLD=${HOLD:-10}
BODY=${BODY:-300}
SERVER_RT=${SERVER_RT:-1}
SERVER_CPU=${SERVER_CPU-$(($(nproc) > 1 ? 1 : 0))}
LCORES=${LCORES:-0@0,1@1,2@0}
AFP=${AFP:-,framecnt=16384}
SEED=7
MASSCAN_IP=198.18.0.3 # masscan's own source: no kernel owns it; it answers ARP for it
TESTBED=scripts/testbed.sh
PREFIX=tsb-banners-$$

eval "$("$TESTBED" env)"
[[ $N_ADDRS =~ ^[0-9]+$ ]] && [ "$N_ADDRS" -ge 1 ] && [ "$N_ADDRS" -le 5000 ] ||
	{ echo "banners: N_ADDRS must be 1..5000" >&2; exit 2; }
PORTS="$SSH_PORTS,$HTTP_PORTS"
NPORTS=$(echo "$PORTS" | tr , '\n' | sort -u | wc -l)
[ "$NPORTS" = "$(echo "$PORTS" | tr , '\n' | wc -l)" ] || { echo "banners: a port is in both SSH_PORTS and HTTP_PORTS" >&2; exit 2; }
PAIRS=$((N_ADDRS * NPORTS))
WORK=$(mktemp -d /tmp/tidescan-bench-banners.XXXXXX)
chmod 755 "$WORK"
# The extra addresses: the range for the scanners, CIDRs for ss filters.
read -r LAST_ADDR CIDRS <<<"$("$PY" - "$FIRST_ADDR" "$N_ADDRS" <<'PY'
import ipaddress, sys
a = ipaddress.IPv4Address(sys.argv[1]); b = a + int(sys.argv[2]) - 1
print(b, " ".join(str(n) for n in ipaddress.summarize_address_range(a, b)))
PY
)"
RANGE=$FIRST_ADDR-$LAST_ADDR
SS_FILTER="( $(printf 'src %s or ' $CIDRS | sed 's/ or $//') )"

lab_was_up=0
"$TESTBED" status >/dev/null 2>&1 && lab_was_up=1
srv_pid='' srv_start='' added=0

starttime() { awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null || true; }
cleanup() {
	set +e
	if [ -n "$srv_pid" ] && [ "$(starttime "$srv_pid")" = "$srv_start" ]; then
		kill -TERM "$srv_pid" 2>/dev/null
		for _ in $(seq 50); do [ "$(starttime "$srv_pid")" = "$srv_start" ] || break; sleep 0.1; done
		[ "$(starttime "$srv_pid")" = "$srv_start" ] && kill -KILL "$srv_pid" 2>/dev/null
	fi
	if [ "$added" = 1 ]; then
		ip netns exec "$TS_LAB_NS" ss -K -Htn state connected "$SS_FILTER" >/dev/null 2>&1
		sed 's/^addr add/addr del/' "$WORK/addrs.batch" | ip -n "$TS_LAB_NS" -force -batch - 2>/dev/null
	fi
	if [ "$lab_was_up" = 0 ] && [ -n "${LAB_UP_BY_US:-}" ]; then
		others=$(ip netns pids "$TS_SCAN_NS" 2>/dev/null | tr '\n' ' ')
		if [ -n "$others" ]; then
			echo "lab: it was down when we began, but processes we did not start now run in $TS_SCAN_NS ($others): left up"
		else
			"$TESTBED" down >/dev/null 2>&1
			echo "lab: it was down when we began; taken down again"
		fi
	fi
	rm -rf "$WORK" "/var/run/dpdk/$PREFIX"
}
trap cleanup EXIT

# ---- the targets' server (and the banner checker) -------------------------
cat >"$WORK/bannerd.py" <<'PY'
"""serve STATS FIRST COUNT SSH_PORTS HTTP_PORTS HOLD BODY: one listening
socket per (address, port); SIGUSR1 writes the counters to STATS, SIGUSR2
zeroes them. check TOOL FILE FIRST COUNT SSH_PORTS HTTP_PORTS BODY: one
JSON line of what a scanner's output holds against what was sent."""
import asyncio, ipaddress, json, os, resource, signal, socket, sys, time

def ports(spec): return [int(p) for p in spec.split(",") if p]
def addrs(first, count):
    a = ipaddress.IPv4Address(first)
    return [str(a + i) for i in range(count)]
def ssh_banner(ip, port): return b"SSH-2.0-bench_%s_%d\r\n" % (ip.encode(), port)
def http_banner(ip, port, body_bytes):
    title = b"bench %s:%d" % (ip.encode(), port)
    body = b"<html><head><title>" + title + b"</title></head><body>"
    while len(body) < body_bytes - 15:
        body += b"tidescan banner benchmark. "
    body = body[:max(body_bytes - 15, 0)] + b"</body></html>\n"
    return (b"HTTP/1.1 200 OK\r\nServer: bench/%s:%d\r\nContent-Type: text/html\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % (ip.encode(), port, len(body))) + body

class Stats:
    def __init__(self): self.zero()
    def zero(self):
        self.accepted = 0; self.pairs = set(); self.greeted = 0; self.answered = 0
        self.client_closed = 0; self.client_reset = 0; self.held_out = 0; self.partial = 0
        self.first_accept = self.last_accept = self.last_done = None
        self.last_done_ssh = self.last_done_http = None
    def done(self, now, kind):
        self.last_done = now if self.last_done is None else max(self.last_done, now)
        k = "last_done_" + kind
        setattr(self, k, now if getattr(self, k) is None else max(getattr(self, k), now))
    def dump(self, path):
        d = dict(self.__dict__); d["pairs"] = len(self.pairs); d["ready"] = True
        with open(path + ".tmp", "w") as f: json.dump(d, f)
        os.replace(path + ".tmp", path)
ST = Stats()

class Conn(asyncio.Protocol):
    def __init__(self, kind, banner, hold):
        self.kind, self.banner, self.hold, self.buf, self.over = kind, banner, hold, b"", False
    def connection_made(self, tr):
        now = time.time(); self.tr = tr
        ST.accepted += 1; ST.pairs.add(tr.get_extra_info("sockname"))
        ST.first_accept = ST.first_accept or now; ST.last_accept = now
        if self.kind == "ssh":
            tr.write(self.banner); ST.greeted += 1
        self.timer = asyncio.get_running_loop().call_later(self.hold, self.hold_over)
    def data_received(self, data):
        if self.kind != "http" or self.over: return
        self.buf += data
        if b"\r\n\r\n" in self.buf:
            self.tr.write(self.banner); ST.answered += 1; ST.done(time.time(), "http")
            self.finish(); self.tr.close()  # FIN once written
    def hold_over(self):
        if not self.over:
            ST.held_out += 1; self.finish(); self.tr.close()
    def finish(self):
        self.over = True; self.timer.cancel()
    def eof_received(self):
        self.lost(None); return False
    def connection_lost(self, exc): self.lost(exc)
    def lost(self, exc):
        if self.over: return
        self.finish(); ST.client_closed += 1
        ST.client_reset += isinstance(exc, ConnectionResetError)
        ST.partial += self.kind == "http"
        if self.kind == "ssh": ST.done(time.time(), "ssh")  # an HTTP one without its answer is no banner

async def serve(stats, first, count, ssh_ports, http_ports, hold, body):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    loop = asyncio.get_running_loop()
    for ip in addrs(first, count):
        for kind, plist in (("ssh", ssh_ports), ("http", http_ports)):
            for port in plist:
                banner = ssh_banner(ip, port) if kind == "ssh" else http_banner(ip, port, body)
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((ip, port)); s.listen(4096); s.setblocking(False)
                await loop.create_server(lambda k=kind, b=banner: Conn(k, b, hold), sock=s)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGUSR1, ST.dump, stats)
    loop.add_signal_handler(signal.SIGUSR2, ST.zero)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    ST.dump(stats)
    await stop.wait()

def masscan_bytes(s):
    """masscan's text back to bytes: its \\xNN escapes (JSON's are undone)."""
    out, i = bytearray(), 0
    while i < len(s):
        if s.startswith("\\x", i) and len(s) >= i + 4:
            out.append(int(s[i + 2:i + 4], 16)); i += 4
        else:
            out += s[i].encode("utf-8", "surrogateescape"); i += 1
    return bytes(out)

def check(tool, path, first, count, ssh_ports, http_ports, body):
    want = {}
    for ip in addrs(first, count):
        for p in ssh_ports: want[(ip, p)] = ("ssh", ssh_banner(ip, p))
        for p in http_ports: want[(ip, p)] = ("http", http_banner(ip, p, body))
    opened, got, dup, bad_lines = set(), {}, 0, 0
    for line in open(path, errors="surrogateescape"):
        try:
            r = json.loads(line)
        except ValueError:
            bad_lines += 1; continue
        if tool == "tidescan":
            if r.get("status") != "open": continue
            key = (r["ip"], r["port"]); dup += key in opened; opened.add(key)
            if r.get("banner_bytes"):
                got[key] = r["banner"].encode("utf-8", "surrogateescape")
        else:  # masscan -oD: status records and banner records (one per service)
            key = (r["ip"], r["port"]); opened.add(key)
            if r.get("rec_type") == "banner":
                d = r.get("data", {})
                got.setdefault(key, {})[d.get("service_name", "?")] = d.get("banner", "")
    right = extra_ok = 0; wrong = []
    for key, b in sorted(got.items()):
        if key not in want:
            wrong.append((key, "not a target", b)); continue
        kind, exp = want[key]
        if tool == "tidescan":
            ok = b == exp
        elif kind == "ssh":  # its ssh banner: the identification line without CR LF
            ok = masscan_bytes(b.get("ssh", "\0")) == exp.rstrip(b"\r\n")
        else:  # its http banner: the response head, up to the blank line
            head = exp.split(b"\r\n\r\n", 1)[0]
            ok = masscan_bytes(b.get("http", "\0")).rstrip(b"\r\n") == head
            extra_ok += (b.get("title") == "bench %s:%d" % key and
                         b.get("http.server") == "bench/%s:%d" % key)
        right += ok
        if not ok: wrong.append((key, kind, b))
    print(json.dumps({
        "open": len(opened & set(want)), "open_other": len(opened - set(want)),
        "banners": len(got), "right": right, "duplicates": dup, "bad_lines": bad_lines,
        "title_server_right": extra_ok,
        "wrong": [[k[0], k[1], kind, repr(b)[:240]] for k, kind, b in wrong[:3]],
        "wrong_count": len(wrong),
        "no_banner": [list(k) for k in sorted(set(want) - set(got))[:3]],
        "no_banner_count": len(set(want) - set(got)),
    }))

if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "serve":
        asyncio.run(serve(a[1], a[2], int(a[3]), ports(a[4]), ports(a[5]), float(a[6]), int(a[7])))
    else:
        check(a[1], a[2], a[3], int(a[4]), ports(a[5]), ports(a[6]), int(a[7]))
PY

bench_build
echo "== banners: $PAIRS open (address, port) pairs with known banners ($N_ADDRS addresses $RANGE x ports $PORTS) in $TS_LAB_NS, scanned from $TS_SCAN_NS over $TS_SCAN_IF"
tree_note
if [ "$lab_was_up" = 1 ]; then
	echo "lab: already up (left up at the end)"
else
	echo "lab: down; bringing it up (taken down at the end)"
	LAB_UP_BY_US=1
	"$TESTBED" up >/dev/null
fi
busy=$(ip netns pids "$TS_SCAN_NS" 2>/dev/null | tr '\n' ' ')
[ -z "$busy" ] || echo "WARNING: processes not ours run in $TS_SCAN_NS ($busy): someone else is scanning this lab"

# The addresses: none may be there already (they would be someone else's).
have=$(ip -n "$TS_LAB_NS" -4 -o addr show dev "$TS_LAB_IF" | awk '{ sub(/\/.*/, "", $4); print $4 }')
"$PY" - "$FIRST_ADDR" "$N_ADDRS" "$TS_LAB_IF" $have >"$WORK/addrs.batch" <<'PY'
import ipaddress, sys
first, n, dev, have = ipaddress.IPv4Address(sys.argv[1]), int(sys.argv[2]), sys.argv[3], set(sys.argv[4:])
mine = [str(first + i) for i in range(n)]
clash = [a for a in mine if a in have]
if clash:
    sys.exit("banners: %s already on %s: not ours to use" % (clash[0], dev))
for a in mine:
    print("addr add %s/32 dev %s" % (a, dev))
PY
added=1
ip -n "$TS_LAB_NS" -batch "$WORK/addrs.batch"

# The server runs as the targets would on machines of their own: first
# whenever it has work (SCHED_FIFO, SERVER_RT=1; it sleeps otherwise), or
# with the boosted runs' priority (SERVER_RT=0). Else a scanner that
# busy-polls both cores starves it and the figures are the server's.
rt=()
[ "$SERVER_RT" = 1 ] && rt=(chrt -f 10)
[ -z "$SERVER_CPU" ] || rt=(taskset -c "$SERVER_CPU" "${rt[@]}")
setsid bash -c '[ "$1" = 1 ] && echo -19 >/proc/$$/autogroup 2>/dev/null; shift; exec "$@"' _ "$BOOST" \
	"${rt[@]}" ip netns exec "$TS_LAB_NS" "$PY" "$WORK/bannerd.py" serve "$WORK/stats.json" "$FIRST_ADDR" "$N_ADDRS" \
	"$SSH_PORTS" "$HTTP_PORTS" "$HOLD" "$BODY" </dev/null >"$WORK/bannerd.log" 2>&1 &
srv_pid=$!
sleep 0.05
srv_start=$(starttime "$srv_pid")
for _ in $(seq 300); do [ -s "$WORK/stats.json" ] && break; sleep 0.1; done
[ -s "$WORK/stats.json" ] || { cat "$WORK/bannerd.log" >&2; echo "banners: the server did not start" >&2; exit 1; }
others_note

# server_stats: the counters since the last zero, as shell assignments.
server_stats() {
	rm -f "$WORK/stats.json"
	kill -USR1 "$srv_pid"
	for _ in $(seq 50); do [ -s "$WORK/stats.json" ] && break; sleep 0.05; done
	"$PY" - "$WORK/stats.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def since_first(k):
    return "%.2f" % (d[k] - d["first_accept"]) if d["first_accept"] and d[k] else "-"
print("s_accepted=%d s_greeted=%d s_answered=%d s_closed=%d s_reset=%d s_held=%d s_partial=%d"
      % (d["accepted"], d["greeted"], d["answered"], d["client_closed"], d["client_reset"], d["held_out"], d["partial"]),
      "s_window=%s s_window_ssh=%s s_window_http=%s s_accepting=%s"
      % tuple(since_first(k) for k in ("last_done", "last_done_ssh", "last_done_http", "last_accept")))
PY
}
# clean_targets: close what a run left on the targets (ours only: sockets of
# the extra addresses), give the server a moment, zero its counters.
clean_targets() {
	ip netns exec "$TS_LAB_NS" ss -K -Htn state connected "$SS_FILTER" >/dev/null 2>&1 || true
	sleep 0.3
	kill -USR2 "$srv_pid"
	sleep 0.1
}
# left_open: the scanner's connections still held on the targets (not
# LISTEN, not TIME-WAIT), by state.
left_open() {
	ip netns exec "$TS_LAB_NS" ss -Htan state all "$SS_FILTER" |
		awk '$1 != "LISTEN" && $1 != "TIME-WAIT" { n++; s[$1]++ } END { printf "%d", n; for (k in s) printf " %s=%d", k, s[k]; print "" }'
}

RESULTS=()
# record TOOL RATE CHECK_JSON WALL: a line of the table, and the details.
record() {
	local tool=$1 rate=$2 wall=$4 open banners right left
	read -r open banners right <<<"$(echo "$3" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["open"], d["banners"], d["right"])')"
	left=$(cat "$WORK/left")
	RESULTS+=("$(printf '%-9s %-6s %-10s %-8s %-7s %-6s %-7s %-10s %-7s %s' "$tool" "$rate" \
		"$open/$PAIRS" "$banners" "$right" "${left%% *}" "$wall" \
		"$(ratio "$wall" "$banners")" "$s_window" "$(ratio "$s_window" "$banners")")")
	echo "  targets: accepted $s_accepted over ${s_accepting} s; SSH greetings $s_greeted, HTTP answers $s_answered;" \
		"closed by the scanner $s_closed ($s_reset by RST; $s_partial HTTP without a whole request);" \
		"held $HOLD s and closed by us $s_held; left open 1 s after the run: $left"
	echo "  window from the first accept: last banner done ${s_window} s (SSH ${s_window_ssh} s, HTTP ${s_window_http} s)"
	echo "  check: $3"
}
# show COMMAND...: the command exactly, quoted for a shell.
show() { printf '  %s\n' "$(printf '%q ' "$@" | sed 's/ $//')"; }

EAL="--in-memory --no-pci --file-prefix $PREFIX --lcores=$LCORES --vdev=net_af_packet0,iface=$TS_SCAN_IF$AFP"
echo
echo "tidescan (right: the record's banner, .encode('utf-8', 'surrogateescape'), equals byte for byte all the server"
echo "sent: the SSH line with its CR LF, the HTTP head and body)"
for rate in $TS_RATES; do
	clean_targets
	cmd=(ip netns exec "$TS_SCAN_NS" timeout -s INT -k 10 $((PAIRS / rate + WAIT + 30)) "$TIDESCAN" --dpdk "$EAL"
		--source-ip "$TS_SCANNER" --gateway "$TS_GATEWAY" --no-default-excludes --quiet
		--rate "$rate" --wait "$WAIT" --seed "$SEED" --banners -o "$WORK/ts.ndjson" "$RANGE" -p "$PORTS")
	show "${cmd[@]}"
	t0=$(now)
	rc=0
	boosted "${cmd[@]}" 2>"$WORK/ts.err" || rc=$?
	t1=$(now)
	[ "$rc" = 0 ] || { cat "$WORK/ts.err" >&2; echo "banners: tidescan failed (exit $rc)" >&2; exit 1; }
	sleep 1
	left_open >"$WORK/left"
	eval "$(server_stats)"
	echo "tidescan --rate $rate: command wall $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s (EAL start included); its summary:"
	grep -E '^(sent|connections) ' "$WORK/ts.err" | sed 's/^/  /'
	record tidescan "$rate" "$("$PY" "$WORK/bannerd.py" check tidescan "$WORK/ts.ndjson" "$FIRST_ADDR" "$N_ADDRS" "$SSH_PORTS" "$HTTP_PORTS" "$BODY")" \
		"$(summary_field elapsed "$WORK/ts.err")"
done

echo
echo "masscan (right: SSH — its \"ssh\" banner equals the server's line without CR LF, which it drops; HTTP — its \"http\""
echo "banner equals the server's response head up to the blank line: it keeps the head only; its \"title\" and"
echo "\"http.server\" records, the <title> and the Server header, are counted apart as title_server_right). --wait $MASSCAN_WAIT:"
echo "it sends its HTTP request only after a 2 s hello timeout. Its records go to stdout, line-buffered (stdbuf), so a"
echo "KILL loses none (-oD FILE is lost when it must be killed); run in a directory of its own (it leaves paused.conf);"
echo "exit 124/137: stopped by timeout, INT or KILL (its wait does not always end by itself)."
for rate in $MASSCAN_RATES; do
	clean_targets
	# masscan runs below the asked rate here (about a quarter of it): the
	# bound is 3 times the nominal sending time, its wait and 15 s.
	cmd=(ip netns exec "$TS_SCAN_NS" timeout -s INT -k 5 $((PAIRS * 3 / rate + MASSCAN_WAIT + 15))
		stdbuf -oL masscan --banners --interface "$TS_SCAN_IF" --adapter-ip "$MASSCAN_IP" --adapter-mac "$TS_SCAN_MAC"
		--router-mac "$TS_LAB_MAC" -p "$PORTS" "$RANGE" --rate "$rate" --wait "$MASSCAN_WAIT" --seed "$SEED"
		-oD -)
	show "${cmd[@]}"
	t0=$(now)
	rc=0
	boosted bash -c 'cd "$1" && shift && exec "$@"' _ "$WORK" "${cmd[@]}" >"$WORK/ms.ndjson" 2>"$WORK/ms.err" || rc=$?
	t1=$(now)
	sleep 1
	left_open >"$WORK/left"
	eval "$(server_stats)"
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	echo "masscan --rate $rate: exit $rc, wall $wall s; its last status: $(tr '\r' '\n' <"$WORK/ms.err" | grep -E '^rate:' | tail -1 | xargs)"
	record masscan "$rate" "$("$PY" "$WORK/bannerd.py" check masscan "$WORK/ms.ndjson" "$FIRST_ADDR" "$N_ADDRS" "$SSH_PORTS" "$HTTP_PORTS" "$BODY")" "$wall"
done

echo
echo "open: pairs reported open; banners: pairs with a banner; right: see above; left: the scanner's connections still"
echo "held on the targets 1 s after it ended (not closed by it, or the target's own close left unanswered); wall:"
echo "tidescan's summary elapsed (first probe to the end of --wait $WAIT), masscan's command time (to its stop);"
echo "window: the targets' first accept to their last banner done (HTTP response sent, SSH closed by the scanner)"
printf '%-9s %-6s %-10s %-8s %-7s %-6s %-7s %-10s %-7s %s\n' tool rate open banners right left wall banners/s window banners/s
printf '%s\n' "${RESULTS[@]}"
