#!/usr/bin/env bash
# cli: the tidescan command line as a masscan user meets it — --help, --version,
# --list in scan order (deterministic per seed, exact pair set), --echo round
# trip through -c, and exit status 2 with one line naming the culprit.
set -uo pipefail
TIDESCAN=${1:?usage: $0 TIDESCAN}
WORK=$(mktemp -d /tmp/tidescan-cli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

"$TIDESCAN" --help >"$WORK/help" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q -- "--rate" "$WORK/help" || fail "--help: exit $rc"
"$TIDESCAN" --version | grep -q '^tidescan ' || fail "--version"

# --list: same seed, same order; other seed, other order; exactly the pairs.
args=(198.18.4.0/28 198.18.5.1-198.18.5.3 -p 22,80,1000-1003 --no-default-excludes --exclude 198.18.4.7)
"$TIDESCAN" --list "${args[@]}" --seed 5 >"$WORK/a" || fail "--list failed"
"$TIDESCAN" --list "${args[@]}" --seed 5 >"$WORK/b"
"$TIDESCAN" --list "${args[@]}" --seed 6 >"$WORK/c"
cmp -s "$WORK/a" "$WORK/b" || fail "--list: same seed, different order"
cmp -s "$WORK/a" "$WORK/c" && fail "--list: different seeds, same order"
python3 - "$WORK/a" <<'PY' || fail "--list: wrong pair set"
import ipaddress, sys
got = [tuple(l.split()) for l in open(sys.argv[1])]
ips = [str(a) for a in ipaddress.ip_network("198.18.4.0/28") if str(a) != "198.18.4.7"]
ips += ["198.18.5.%d" % i for i in (1, 2, 3)]
ports = ["22", "80", "1000", "1001", "1002", "1003"]
want = {(i, p) for i in ips for p in ports}
sys.exit(0 if len(got) == len(want) and set(got) == want else 1)
PY
# Shards 1/3..3/3 partition the list.
for k in 1 2 3; do "$TIDESCAN" --list "${args[@]}" --seed 5 --shard $k/3; done | sort >"$WORK/shards"
sort "$WORK/a" | cmp -s - "$WORK/shards" || fail "--shard k/3 do not partition the scan"
# Default excludes apply: the lab range is refused unless asked for.
"$TIDESCAN" --list 198.18.0.1 -p 80 >/dev/null 2>&1 && fail "198.18.0.1 listed despite default excludes"

# --echo writes a profile that -c reads back identically.
"$TIDESCAN" --echo "${args[@]}" --rate 12345 --seed 9 --shard 2/4 --source-ip 198.18.0.2-198.18.0.9 \
	--source-port 40000-40063 >"$WORK/p1.yaml" || fail "--echo failed"
"$TIDESCAN" -c "$WORK/p1.yaml" --echo >"$WORK/p2.yaml" || fail "-c of echoed profile failed"
cmp -s "$WORK/p1.yaml" "$WORK/p2.yaml" || fail "--echo round trip differs"
"$TIDESCAN" -c "$WORK/p1.yaml" --list >"$WORK/l1"
"$TIDESCAN" --list "${args[@]}" --seed 9 --shard 2/4 >"$WORK/l2"
cmp -s "$WORK/l1" "$WORK/l2" || fail "profile and flags list different scans"

# Errors: exit 2, one line, naming the culprit.
expect_usage_error() { # CULPRIT ARGS...
	local culprit=$1; shift
	"$TIDESCAN" "$@" >"$WORK/out" 2>"$WORK/err"; local rc=$?
	[ $rc -eq 2 ] || fail "$*: exit $rc, want 2"
	[ "$(wc -l <"$WORK/err")" -eq 1 ] || fail "$*: $(wc -l <"$WORK/err") lines of error"
	grep -qF -- "$culprit" "$WORK/err" || fail "$*: error does not name '$culprit': $(cat "$WORK/err")"
}
expect_usage_error 1.2.3.400 --list 1.2.3.400 -p 80
expect_usage_error 70000 --list 1.2.3.4 -p 70000
expect_usage_error --bogus --list 1.2.3.4 -p 80 --bogus
expect_usage_error 5/3 --list 1.2.3.4 -p 80 --shard 5/3
expect_usage_error "--readscan" --readscan
expect_usage_error "UDP" 198.18.0.1 -p 80,U:53 --no-default-excludes
printf 'scan:\n  ratee: 5\n' >"$WORK/bad.yaml"
expect_usage_error "ratee" -c "$WORK/bad.yaml" --list 1.2.3.4 -p 80
grep -q "bad.yaml:2:" "$WORK/err" || fail "profile error lacks file:line"

# A broken probe registry is a usage error too, found before DPDK starts.
printf 'probes:\n  - name: x\n    ports: 80\n    bogus: 1\nfallback:\n  name: g\n' >"$WORK/probes.yaml"
expect_usage_error "bogus" 198.18.0.1 -p 80 --no-default-excludes --banners \
	--probes "$WORK/probes.yaml" --router-mac 02:00:00:00:00:01 --source-ip 198.18.0.2
grep -q "probes.yaml:4:" "$WORK/err" || fail "probe registry error lacks file:line"

# Pause, resume and stats flags: bad values, a missing or fresh profile.
expect_usage_error "--stats-format" 198.18.0.1 -p 80 --no-default-excludes --stats-format xml
expect_usage_error "0.001" 198.18.0.1 -p 80 --no-default-excludes --stats-interval 0.001
expect_usage_error "--pause-after" 198.18.0.1 -p 80 --no-default-excludes --pause-after soon
expect_usage_error "$WORK/none.yaml" --resume "$WORK/none.yaml"
expect_usage_error "no resume points" --resume "$WORK/p1.yaml"
printf 'resume:\n  tx_next: ["0:5"]\n' >"$WORK/paused.yaml"
expect_usage_error "go on with --resume" -c "$WORK/paused.yaml" 198.18.0.1 -p 80 --no-default-excludes \
	--router-mac 02:00:00:00:00:01 --source-ip 198.18.0.2

[ $failures -eq 0 ] && echo "PASS: cli" || echo "cli: $failures failure(s)"
exit $((failures > 0))
