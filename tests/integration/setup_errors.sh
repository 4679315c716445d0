#!/usr/bin/env bash
# Setup failures end with one clear message: exit 1 for the machine (no port,
# too few lcores, a gateway that does not answer ARP), exit 2 for usage.
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/hugepages.sh" 512
common=(198.18.0.0/30 -p 80 --no-default-excludes --wait 0 --quiet)
expect() { # STATUS MESSAGE ARGS...
	local want=$1 msg=$2 rc=0
	shift 2
	timeout -k 5 60 "$TIDESCAN" "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$WORK/err" >&2; fail "$*: exit $rc, want $want"; }
	grep -qF -- "$msg" "$WORK/err" || { cat "$WORK/err" >&2; fail "$*: no '$msg'"; }
}
expect 1 "no DPDK port" "${common[@]}" --source-ip 198.18.0.2 \
	--router-mac 02:00:00:00:00:01 --dpdk "$EAL_BASE"
expect 1 "too few lcores" "${common[@]}" --source-ip 198.18.0.2 \
	--router-mac 02:00:00:00:00:01 --dpdk "--in-memory --no-pci -l 0 --vdev=net_null0,no-rx=1"
expect 1 "did not answer ARP" "${common[@]}" --source-ip 198.18.0.2 \
	--gateway 198.18.0.1 --dpdk "$EAL_BASE --vdev=net_null0,no-rx=1"
expect 1 "cannot open /nonexistent/out" "${common[@]}" --source-ip 198.18.0.2 \
	--router-mac 02:00:00:00:00:01 --dpdk "$EAL_BASE --vdev=net_null0,no-rx=1" \
	-o /nonexistent/out
expect 2 "--source-ip" "${common[@]}" --router-mac 02:00:00:00:00:01 \
	--dpdk "$EAL_BASE --vdev=net_null0,no-rx=1"
expect 2 "--router-mac" "${common[@]}" --source-ip 198.18.0.2 \
	--dpdk "$EAL_BASE --vdev=net_null0,no-rx=1"
pass "setup errors are clear"
