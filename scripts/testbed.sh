#!/usr/bin/env bash
# testbed: the lab for tidescan's end-to-end tests. Two network namespaces
# joined by a veth: ts-scan (the scanner's side, no kernel IPv4 address) and
# ts-lab (targets: real sshd, nginx and redis, plus addresses that reset, drop
# and reject). No traffic leaves them. Run as root; see `testbed.sh help`.
set -euo pipefail

# ---------------------------------------------------------------------------
# The lab. Everything below is derived from this table.
#   role      scanner     tidescan's source address: owned by no kernel;
#                         the scanner answers ARP for it itself
#             gateway     on ts-lab0, nothing listens: for --gateway (ARP)
#             service     a daemon listening on its ports, all else RST
#             excluded    like service; tests exclude it and expect it to
#                         receive zero packets
#             rst         nothing listens: the kernel RSTs every port
#             filtered    iptables DROP: never answers (but answers ARP)
#             unreachable iptables REJECT: ICMP port-unreachable for all TCP
LAB_TABLE='
# address     role         daemon  ports
198.18.0.2    scanner      -       -
198.18.0.1    gateway      -       -
198.18.1.10   service      sshd    22,2222
198.18.1.11   service      nginx   80,8080
198.18.1.12   service      redis   6379
198.18.1.13   excluded     nginx   80
198.18.1.20   rst          -       -
198.18.1.21   filtered     -       -
198.18.1.22   unreachable  -       -
'
TARGETS=198.18.1.0/24 # covers every row but scanner and gateway
PREFIX_LEN=15         # 198.18.0.0/15: one flat L2 segment
# TS_LAB_NAME names a lab (default "ts"): labs of other names are separate
# namespaces, links and state, so several can be up at once.
NAME=${TS_LAB_NAME:-ts}
[[ "$NAME" =~ ^[a-z][a-z0-9]{0,5}$ ]] || { echo "testbed: TS_LAB_NAME must be 1-6 of [a-z0-9]" >&2; exit 2; }
SCAN_NS=$NAME-scan SCAN_IF=$NAME-scan0 SCAN_MAC=02:74:73:00:00:02
LAB_NS=$NAME-lab LAB_IF=$NAME-lab0 LAB_MAC=02:74:73:00:00:01
STATE=/run/tidescan-lab${TS_LAB_NAME:+-$NAME} # configs, keys, logs, pidfiles
# TS_LAB_IMPAIR (e.g. "loss=0.05,delay=20", or "on" for those defaults) makes
# `up` put a middle namespace between the two: scan0 <-> ma [relay] mb <->
# lab0, where scripts/lab/relay.py drops and delays (reorders) frames both
# ways. Everything else is the same lab.
IMPAIR=${TS_LAB_IMPAIR:-}
MID_NS=$NAME-mid MID_A=$NAME-ma MID_B=$NAME-mb
READY_TIMEOUT=${TS_LAB_READY_TIMEOUT:-20} # seconds for all daemons to answer
# ---------------------------------------------------------------------------

LAB_DIR=$(cd "$(dirname "$0")" && pwd)/lab
MARKER=.tidescan-lab # in $STATE: `down` removes only a directory that has it

die() { echo "testbed: $*" >&2; exit 1; }
say() { echo "testbed: $*"; }
in_lab() { ip netns exec "$LAB_NS" "$@"; }
ns_exists() { [ -e "/run/netns/$1" ]; }

# Table rows without comments, as "address role daemon ports".
rows() { printf '%s\n' "$LAB_TABLE" | sed -e 's/#.*//' -e '/^[[:space:]]*$/d' | awk '{ print $1, $2, $3, $4 }'; }
# Rows whose addresses ts-lab0 owns (all but the scanner's).
lab_rows() { rows | awk '$2 != "scanner"'; }
# Rows with a daemon.
daemon_rows() { rows | awk '$3 != "-"'; }

# check_table: the table says what the rest assumes, or fail naming the row.
check_table() {
	rows | awk -v targets="$TARGETS" '
	function ip2n(a,   o) { split(a, o, "."); return ((o[1] * 256 + o[2]) * 256 + o[3]) * 256 + o[4] }
	function bad(msg) { print "testbed: table: " $1 ": " msg > "/dev/stderr"; err = 1 }
	BEGIN {
		split(targets, t, "/"); tlo = ip2n(t[1]); tsize = 2 ^ (32 - t[2])
		split("scanner gateway excluded rst filtered unreachable", one, " ")
	}
	{
		if ($1 !~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/) bad("not an IPv4 address")
		if (seen[$1]++) bad("address listed twice")
		count[$2]++
		inside = ip2n($1) >= tlo && ip2n($1) < tlo + tsize
		if ($2 == "scanner" || $2 == "gateway") { if (inside) bad($2 " must be outside " targets) }
		else if (!inside) bad("target outside " targets)
		if ($2 == "service" || $2 == "excluded") {
			if ($3 != "sshd" && $3 != "nginx" && $3 != "redis") bad("role " $2 " wants a daemon: sshd, nginx or redis")
			n = split($4, p, ",")
			for (i = 1; i <= n; i++) if (p[i] !~ /^[0-9]+$/ || p[i] < 1 || p[i] > 65535) bad("bad port " p[i])
		} else if ($2 ~ /^(scanner|gateway|rst|filtered|unreachable)$/) {
			if ($3 != "-" || $4 != "-") bad("role " $2 " has no daemon and no ports")
		} else bad("unknown role " $2)
	}
	END {
		for (i in one) if (count[one[i]] != 1) { print "testbed: table: want exactly one " one[i] > "/dev/stderr"; err = 1 }
		exit err
	}' || die "fix the table at the top of $0"
}

# Name of a daemon instance: its state subdirectory and pidfile stem.
instance() { echo "$2-$1"; } # address daemon

# ---- truth: expectations from the table alone, no network ------------------

# truth_lines STATUS|all [PORTS]: "IP PORT" (or "IP PORT STATUS" for all) for
# every target (rows inside $TARGETS) and port. PORTS is a list like
# "22,80,1000-2000"; for open it defaults to the daemons' ports, otherwise to
# the union of all daemons' ports.
truth_lines() {
	local want=$1 ports=${2:-}
	rows | awk -v want="$want" -v ports="$ports" '
	function expand(spec, out,   n, parts, i, r, lo, hi, p) {
		n = split(spec, parts, ",")
		for (i = 1; i <= n; i++) {
			if (parts[i] ~ /^[0-9]+-[0-9]+$/) {
				split(parts[i], r, "-"); lo = r[1] + 0; hi = r[2] + 0
			} else if (parts[i] ~ /^[0-9]+$/) {
				lo = hi = parts[i] + 0
			} else {
				print "testbed: bad port list: " spec > "/dev/stderr"; exit 2
			}
			if (lo < 0 || hi > 65535 || lo > hi) {
				print "testbed: bad port range: " parts[i] > "/dev/stderr"; exit 2
			}
			for (p = lo; p <= hi; p++) out[p] = 1
		}
	}
	$2 == "scanner" || $2 == "gateway" { next }
	{ addr[NR] = $1; role[NR] = $2; dports[NR] = $4; if ($4 != "-") allports = allports "," $4 }
	END {
		if (ports != "") expand(ports, pset)
		else if (want != "open") expand(substr(allports, 2), pset)
		for (i in addr) {
			delete open
			if (dports[i] != "-") expand(dports[i], open)
			if (want == "open" && ports == "") {
				for (p in open) print addr[i], p
				continue
			}
			for (p in pset) {
				if (role[i] == "filtered") s = "filtered"
				else if (role[i] == "unreachable") s = "unreachable"
				else if (p in open) s = "open"
				else s = "closed"
				if (want == "all") print addr[i], p, s
				else if (want == s) print addr[i], p
			}
		}
	}' | sort -t ' ' -k1,1V -k2,2n
}

cmd_truth() {
	local what=${1:-open}
	case "$what" in
	open | closed | filtered | unreachable | all) truth_lines "$what" "${2:-}" ;;
	*) die "truth: want open|closed|filtered|unreachable|all [PORTS], not '$what'" ;;
	esac
}

# addr KEY: the addresses whose role or daemon is KEY, one a line.
cmd_addr() {
	[ $# -eq 1 ] || die "addr: want a role (scanner gateway service excluded rst filtered unreachable) or a daemon (sshd nginx redis)"
	local out
	out=$(rows | awk -v k="$1" '$2 == k || $3 == k { print $1 }')
	[ -n "$out" ] || die "addr: no address has role or daemon '$1'"
	echo "$out"
}

# env: the lab's facts as shell assignments, for `eval "$(testbed.sh env)"`.
cmd_env() {
	local role
	echo "TS_SCAN_NS=$SCAN_NS TS_SCAN_IF=$SCAN_IF TS_SCAN_MAC=$SCAN_MAC"
	echo "TS_LAB_NS=$LAB_NS TS_LAB_IF=$LAB_IF TS_LAB_MAC=$LAB_MAC"
	echo "TS_TARGETS=$TARGETS"
	for role in scanner gateway excluded rst filtered unreachable; do
		echo "TS_${role^^}=$(rows | awk -v r="$role" '$2 == r { print $1; exit }')"
	done
	echo "TS_SERVICES='$(rows | awk '$2 == "service" { printf "%s%s", s, $1; s = " " }')'"
}

cmd_table() { printf '%-14s %-12s %-7s %s\n' address role daemon ports; rows | awk '{ printf "%-14s %-12s %-7s %s\n", $1, $2, $3, $4 }'; }

# ---- processes: pidfiles hold "PID STARTTIME" so a reused PID is never hit --

starttime() { awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null || true; }
# alive PID STARTTIME: is that very process still running (and not a zombie
# waiting for whoever reaps orphans)?
alive() {
	[ -n "$1" ] && [ -n "$2" ] &&
		awk -v t="$2" '{ sub(/.*\) /, "") } $1 != "Z" && $20 == t { found = 1 } END { exit !found }' \
			"/proc/$1/stat" 2>/dev/null
}
# descendants PID: "PID STARTTIME" of every descendant, deepest last.
descendants() {
	local kid
	for kid in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$kid $(starttime "$kid")"
		descendants "$kid"
	done
}

# stop_pidfile FILE: stop the process recorded in FILE and its descendants.
stop_pidfile() {
	local file=$1 pid start name tree t
	read -r pid start <"$file" || true
	name=$(basename "$file" .pid)
	if alive "$pid" "$start"; then
		tree=$(descendants "$pid")
		kill -TERM "$pid" 2>/dev/null || true
		for ((t = 0; t < 50; t++)); do alive "$pid" "$start" || break; sleep 0.1; done
		if alive "$pid" "$start"; then
			say "$name ($pid) ignored TERM; sending KILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		# Children still around (e.g. sshd pre-auth sessions): same treatment.
		while read -r pid start; do
			if alive "$pid" "$start"; then kill -KILL "$pid" 2>/dev/null || true; fi
		done <<<"$tree"
		say "stopped $name"
	fi
	rm -f "$file"
}

# start_daemon NAME COMMAND...: run COMMAND inside ts-lab in its own session,
# detached from our stdio (so callers waiting on our output do not hang), and
# record it. `setsid` and `ip netns exec` both exec, so $! is the daemon.
start_daemon() { NS=$LAB_NS start_daemon_in "$@"; }
start_daemon_in() { # the same in namespace $NS
	local name=$1 dir=$STATE/$1 pid start
	shift
	setsid ip netns exec "$NS" "$@" </dev/null >>"$dir/stdout.log" 2>&1 9>&- &
	pid=$!
	sleep 0.05
	start=$(starttime "$pid")
	[ -n "$start" ] || { show_log "$name"; die "$name exited at once (command: $*)"; }
	echo "$pid $start" >"$STATE/$name.pid"
}

# show_log NAME: the end of an instance's logs, for error messages.
show_log() {
	local f
	for f in "$STATE/$1"/*.log; do
		[ -s "$f" ] || continue
		echo "---- $f (last lines)" >&2
		tail -n 15 "$f" >&2
	done
}

# ---- daemons: one instance per table row, own config in $STATE/NAME --------

start_sshd() { # ADDR PORTS
	local name dir port
	name=$(instance "$1" sshd) dir=$STATE/$(instance "$1" sshd)
	mkdir -p "$dir"
	# Privilege separation needs this exact directory; it may be the host's
	# too, so it is created if missing and never removed.
	install -d -m 0755 -o root -g root /run/sshd
	ssh-keygen -q -t ed25519 -N '' -C tidescan-lab -f "$dir/ssh_host_ed25519_key"
	{
		for port in ${2//,/ }; do echo "Port $port"; done
		echo "ListenAddress $1"
		cat <<-EOF
			HostKey $dir/ssh_host_ed25519_key
			PidFile none
			UsePAM no
			PermitRootLogin no
			PasswordAuthentication no
			KbdInteractiveAuthentication no
			AuthorizedKeysFile none
			PrintMotd no
			LoginGraceTime 10
			MaxStartups 200:30:400
		EOF
	} >"$dir/sshd_config"
	/usr/sbin/sshd -t -f "$dir/sshd_config" || die "sshd config for $1 rejected ($dir/sshd_config)"
	start_daemon "$name" /usr/sbin/sshd -D -E "$dir/sshd.log" -f "$dir/sshd_config"
}

start_nginx() { # ADDR PORTS
	local name dir port listen=
	name=$(instance "$1" nginx) dir=$STATE/$(instance "$1" nginx)
	mkdir -p "$dir/html" "$dir/tmp"
	echo "<html><body>tidescan lab $1</body></html>" >"$dir/html/index.html"
	for port in ${2//,/ }; do listen+="        listen $1:$port;"$'\n'; done
	cat >"$dir/nginx.conf" <<-EOF
		daemon off;
		worker_processes 1;
		user nobody nogroup;
		pid $dir/nginx.pid;
		error_log $dir/error.log notice;
		events { worker_connections 1024; }
		http {
		    access_log $dir/access.log;
		    client_body_temp_path $dir/tmp/body;
		    proxy_temp_path $dir/tmp/proxy;
		    fastcgi_temp_path $dir/tmp/fastcgi;
		    uwsgi_temp_path $dir/tmp/uwsgi;
		    scgi_temp_path $dir/tmp/scgi;
		    default_type text/html;
		    server {
		$listen
		        root $dir/html;
		    }
		}
	EOF
	local args=(/usr/sbin/nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf")
	in_lab "${args[@]}" -t -q || die "nginx config for $1 rejected ($dir/nginx.conf)"
	start_daemon "$name" "${args[@]}"
}

start_redis() { # ADDR PORTS (redis listens on one port)
	local name dir
	name=$(instance "$1" redis) dir=$STATE/$(instance "$1" redis)
	[[ $2 != *,* ]] || die "redis at $1: one port only, not $2"
	mkdir -p "$dir"
	cat >"$dir/redis.conf" <<-EOF
		bind $1
		port $2
		protected-mode no
		daemonize no
		supervised no
		logfile $dir/redis.log
		dir $dir
		save ""
		appendonly no
		databases 1
	EOF
	start_daemon "$name" /usr/bin/redis-server "$dir/redis.conf"
}

# wait_ready: every (address, port) of the table accepts a connection, tried
# from inside ts-lab; fail naming the first daemon that does not.
wait_ready() {
	local deadline=$((SECONDS + READY_TIMEOUT)) addr role daemon ports port name pid start
	while read -r addr role daemon ports; do
		name=$(instance "$addr" "$daemon")
		for port in ${ports//,/ }; do
			until in_lab timeout 1 bash -c ": <>/dev/tcp/$addr/$port" 2>/dev/null; do
				read -r pid start <"$STATE/$name.pid"
				if ! alive "$pid" "$start"; then
					show_log "$name"
					die "$daemon on $addr died before answering on port $port"
				fi
				if ((SECONDS >= deadline)); then
					show_log "$name"
					die "$daemon on $addr does not answer on port $port after ${READY_TIMEOUT}s"
				fi
				sleep 0.2
			done
		done
	done < <(daemon_rows)
}

# ---- up / down / status ----------------------------------------------------

need_root() { [ "$(id -u)" -eq 0 ] || die "$1 needs root"; }

need_tools() {
	local t missing=()
	for t in ip ethtool iptables sysctl setsid flock timeout ssh-keygen /usr/sbin/sshd /usr/sbin/nginx /usr/bin/redis-server; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	[ ${#missing[@]} -eq 0 ] || die "missing ${missing[*]}: run scripts/install-deps.sh"
}

# sysctls NS KEY=VALUE...: set them inside NS; a key the kernel lacks is
# reported, not fatal (older kernels keep some ICMP limits global).
sysctls() {
	local ns=$1 kv
	shift
	for kv in "$@"; do
		if ip netns exec "$ns" test -e "/proc/sys/$(echo "${kv%%=*}" | tr . /)"; then
			ip netns exec "$ns" sysctl -qw "$kv" || die "sysctl $kv in $ns failed"
		else
			say "note: no sysctl ${kv%%=*} on this kernel"
		fi
	done
}

offloads_off() { # NS IF
	ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off rx off >/dev/null 2>&1 || true
	local still
	still=$(ip netns exec "$1" ethtool -k "$2" |
		awk -F': ' '/^(rx-checksumming|tx-checksumming|tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload):/ && $2 ~ /^on/ { print $1 }')
	[ -z "$still" ] || die "cannot turn off on $2: $still"
}

cmd_up() {
	need_root up
	need_tools
	cmd_down >/dev/null
	# Any failure from here on leaves nothing behind.
	trap 'if [ $? -ne 0 ]; then echo "testbed: up failed; tearing down" >&2; cmd_down >/dev/null 2>&1 || true; fi' EXIT
	install -d -m 0755 "$STATE"
	touch "$STATE/$MARKER"

	# Namespaces: quiet (no IPv6 chatter), ICMP errors not rate-limited on
	# the target side, loopback up (the readiness checks go through it).
	ip netns add "$SCAN_NS"
	ip netns add "$LAB_NS"
	local ns
	for ns in "$SCAN_NS" "$LAB_NS"; do
		sysctls "$ns" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		ip -n "$ns" link set lo up
	done
	sysctls "$SCAN_NS" net.ipv4.ip_forward=0
	sysctls "$LAB_NS" net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=1000000 net.ipv4.icmp_msgs_burst=1000000

	# The wire. ts-scan0 gets no IPv4 address: its kernel must neither answer
	# ARP for nor reset connections to the scanner's source address.
	if [ -n "$IMPAIR" ]; then
		impaired_wire
	else
		ip link add "$SCAN_IF" netns "$SCAN_NS" address "$SCAN_MAC" type veth \
			peer name "$LAB_IF" netns "$LAB_NS" address "$LAB_MAC"
	fi
	offloads_off "$SCAN_NS" "$SCAN_IF"
	offloads_off "$LAB_NS" "$LAB_IF"
	local addr role daemon ports
	while read -r addr role daemon ports; do
		ip -n "$LAB_NS" addr add "$addr/$PREFIX_LEN" dev "$LAB_IF"
	done < <(lab_rows)
	ip -n "$SCAN_NS" link set "$SCAN_IF" up
	ip -n "$LAB_NS" link set "$LAB_IF" up

	# Firewall roles, on what arrives over the wire only; and a packet
	# counter per address (raw table: counts even what INPUT drops).
	while read -r addr role daemon ports; do
		in_lab iptables -t raw -A PREROUTING -i "$LAB_IF" -d "$addr" -m comment --comment ts-count
		case "$role" in
		filtered) in_lab iptables -A INPUT -i "$LAB_IF" -d "$addr" -j DROP ;;
		unreachable) in_lab iptables -A INPUT -i "$LAB_IF" -d "$addr" -p tcp -j REJECT --reject-with icmp-port-unreachable ;;
		esac
	done < <(lab_rows)

	while read -r addr role daemon ports; do
		case "$daemon" in
		sshd) start_sshd "$addr" "$ports" ;;
		nginx) start_nginx "$addr" "$ports" ;;
		redis) start_redis "$addr" "$ports" ;;
		*) die "table: unknown daemon '$daemon' for $addr" ;;
		esac
	done < <(daemon_rows)
	wait_ready
	trap - EXIT
	say "up: $(daemon_rows | wc -l) daemons answering; $(truth_lines open | wc -l) open (address, port) pairs"
}

# impaired_wire: scan0 <-> ma, mb <-> lab0, and the relay between ma and mb
# in the middle namespace (no addresses, no IPv6: it only forwards).
impaired_wire() {
	local dir=$STATE/relay t
	ip netns add "$MID_NS"
	sysctls "$MID_NS" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip link add "$SCAN_IF" netns "$SCAN_NS" address "$SCAN_MAC" type veth peer name "$MID_A" netns "$MID_NS"
	ip link add "$MID_B" netns "$MID_NS" type veth peer name "$LAB_IF" netns "$LAB_NS" address "$LAB_MAC"
	for t in "$MID_A" "$MID_B"; do
		offloads_off "$MID_NS" "$t"
		ip -n "$MID_NS" link set "$t" promisc on up
	done
	mkdir -p "$dir"
	echo "$IMPAIR" >"$STATE/impair"
	NS=$MID_NS start_daemon_in relay python3 "$LAB_DIR/relay.py" "$MID_A" "$MID_B" \
		--impair "$IMPAIR" --stats "$dir/stats.json"
	local pid start
	read -r pid start <"$STATE/relay.pid"
	for ((t = 0; t < 50; t++)); do [ -e "$dir/stats.json" ] || ! alive "$pid" "$start" && break; sleep 0.1; done
	[ -e "$dir/stats.json" ] || { show_log relay; die "the relay did not start"; }
	say "impaired: $IMPAIR (relay in $MID_NS, stats in $dir/stats.json)"
}

cmd_down() {
	need_root down
	local f leftover ns
	if [ -d "$STATE" ]; then
		for f in "$STATE"/*.pid; do
			[ -e "$f" ] && stop_pidfile "$f"
		done
	fi
	for ns in "$LAB_NS" "$MID_NS" "$SCAN_NS"; do
		ns_exists "$ns" || continue
		leftover=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
		[ -z "$leftover" ] || say "note: processes not started by testbed still in $ns: $leftover(left alone)"
		ip netns del "$ns"
		say "deleted namespace $ns"
	done
	if [ -d "$STATE" ]; then
		[ -e "$STATE/$MARKER" ] || die "$STATE is not a lab state directory; not removing it"
		rm -rf "$STATE"
	fi
	say "down"
}

# status: what is up; exit 0 only if the whole lab is.
cmd_status() {
	local ok=0 ns addr role daemon ports name pid start
	for ns in "$SCAN_NS" "$LAB_NS"; do
		if ns_exists "$ns"; then echo "namespace $ns: present"; else echo "namespace $ns: absent"; ok=1; fi
	done
	if ns_exists "$SCAN_NS" && ip -n "$SCAN_NS" link show "$SCAN_IF" >/dev/null 2>&1; then
		echo "link $SCAN_IF ($SCAN_NS): $(ip -n "$SCAN_NS" -br link show "$SCAN_IF" | awk '{ print $2, $3 }')"
	else
		echo "link $SCAN_IF: absent"; ok=1
	fi
	if ns_exists "$LAB_NS" && ip -n "$LAB_NS" link show "$LAB_IF" >/dev/null 2>&1; then
		echo "link $LAB_IF ($LAB_NS): $(ip -n "$LAB_NS" -br link show "$LAB_IF" | awk '{ print $2, $3 }')"
		echo "addresses on $LAB_IF: $(ip -n "$LAB_NS" -4 -br addr show "$LAB_IF" | awk '{ $1 = $2 = ""; print }' | xargs)"
	else
		echo "link $LAB_IF: absent"; ok=1
	fi
	if [ -n "$IMPAIR" ] || ns_exists "$MID_NS"; then # the lab's impairment is the one asked for
		local have=''
		[ -r "$STATE/impair" ] && have=$(cat "$STATE/impair")
		pid='' start=''
		[ -r "$STATE/relay.pid" ] && read -r pid start <"$STATE/relay.pid"
		if [ "$have" != "$IMPAIR" ]; then
			echo "impairment: '$have' in the lab, TS_LAB_IMPAIR='$IMPAIR'"; ok=1
		elif alive "$pid" "$start"; then
			echo "relay ($MID_NS): running, pid $pid, $IMPAIR"
		else
			echo "relay ($MID_NS): not running"; ok=1
		fi
	fi
	while read -r addr role daemon ports; do
		name=$(instance "$addr" "$daemon")
		pid='' start=''
		[ -r "$STATE/$name.pid" ] && read -r pid start <"$STATE/$name.pid"
		if alive "$pid" "$start"; then
			echo "daemon $name: running, pid $pid, ports $ports"
		else
			echo "daemon $name: not running"; ok=1
		fi
	done < <(daemon_rows)
	return $ok
}

# counters: packets that arrived over the wire for each lab address.
cmd_counters() {
	ns_exists "$LAB_NS" || die "counters: the lab is not up"
	if [ "${1:-}" = zero ]; then in_lab iptables -t raw -Z PREROUTING; return; fi
	in_lab iptables -t raw -S PREROUTING -v | awk '/ts-count/ {
		for (i = 1; i <= NF; i++) { if ($i == "-d") a = $(i + 1); if ($i == "-c") n = $(i + 1) }
		sub(/\/32$/, "", a); print a, n }' | sort -V
}

usage() {
	cat <<EOF
usage: scripts/testbed.sh COMMAND
  up                    build the lab (tears down any old one first), wait
                        until every daemon answers (${READY_TIMEOUT}s, TS_LAB_READY_TIMEOUT)
  down                  stop the lab's daemons by pidfile, delete the namespaces
  status                what is up; exit status 0 only if all of it is
  truth [open [PORTS]]  expected open "IP PORT" pairs, sorted, from the table
  truth closed|filtered|unreachable [PORTS]
                        expected "IP PORT" pairs with that outcome; PORTS
                        defaults to all daemons' ports (e.g. 22,80,1-1024)
  truth all [PORTS]     "IP PORT STATUS" for every target and port
  addr ROLE|DAEMON      addresses with that role or daemon, one a line
  env                   the lab's names and addresses as shell assignments
  table                 the lab's table
  counters [zero]       packets received per lab address (or reset them)
  selftest              scan the lab with masscan and compare with truth
TS_LAB_IMPAIR="loss=P,delay=MS[,seed=N]" (or "on": loss=0.05,delay=20) with
  up: an impaired wire — the relay scripts/lab/relay.py in namespace $MID_NS
  drops each frame with probability P and delays it 0..MS ms (so reorders),
  both ways; its stats are in $STATE/relay/stats.json. status fails when
  the lab's impairment is not TS_LAB_IMPAIR's.
Targets are $TARGETS; the scanner is $SCAN_NS/$SCAN_IF ($SCAN_MAC),
source $(rows | awk '$2 == "scanner" { print $1 }'); the targets' side is $LAB_NS/$LAB_IF ($LAB_MAC).
EOF
}

# One up or down at a time: a concurrent pair would tear each other's lab.
lock() {
	exec 9>"$STATE.lock"
	flock -w 120 9 || die "another testbed up/down holds $STATE.lock"
}

check_table
case "${1:-help}" in
up) need_root up; lock; cmd_up ;;
down) need_root down; lock; cmd_down ;;
status) cmd_status ;;
truth) shift; cmd_truth "$@" ;;
addr) shift; cmd_addr "$@" ;;
env) cmd_env ;;
table) cmd_table ;;
counters) shift; cmd_counters "$@" ;;
selftest) need_root selftest; exec "$LAB_DIR/selftest.sh" ;;
help | -h | --help) usage ;;
*) usage >&2; exit 2 ;;
esac
