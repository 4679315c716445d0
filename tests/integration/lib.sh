# lib.sh: what the lab tests share — the lab (scripts/testbed.sh), a bounded
# tidescan run through net_af_packet in the scanner namespace, and checks.
# Sourced by each test; $1 of the test is the tidescan binary.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TIDESCAN=${1:?usage: $0 TIDESCAN_BINARY}
TESTBED="$ROOT/scripts/testbed.sh"
WORK=$(mktemp -d /tmp/tidescan-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
eval "$("$TESTBED" env)"
EAL_BASE="--in-memory --no-pci --lcores=0@0,1@1,2@0"

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; }

lab_up() {
	"$ROOT/scripts/hugepages.sh" 512
	"$TESTBED" status >/dev/null 2>&1 || "$TESTBED" up >/dev/null
}

# lab_scan ARGS...: scan the lab from ts-scan through net_af_packet on the
# scanner's veth; bounded by timeout. Results on stdout, summary on stderr.
# "${LAB_SCAN[@]}" ARGS... & runs it in the background with $! its timeout
# (ip netns exec replaces itself), which passes SIGINT on to tidescan.
LAB_SCAN=(ip netns exec "$TS_SCAN_NS" timeout -s INT -k 10 "${SCAN_TIMEOUT:-120}"
	"$TIDESCAN" --dpdk "$EAL_BASE --vdev=net_af_packet0,iface=$TS_SCAN_IF,framecnt=16384"
	--source-ip "$TS_SCANNER" --gateway "$TS_GATEWAY"
	--no-default-excludes --quiet)
lab_scan() { "${LAB_SCAN[@]}" "$@"; }

# open_pairs FILE: the "IP PORT" pairs reported open in an NDJSON file.
pairs_with_status() { # STATUS FILE
	python3 -c '
import json, sys
want = sys.argv[1]
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r["status"] == want:
        print(r["ip"], r["port"])
' "$1" "$2" | sort
}

# summary_field NAME FILE: a number from the summary line in FILE.
summary_field() {
	grep -E '^sent [0-9]+, received' "$2" | tail -1 |
		tr ',' '\n' | awk -v k="$1" '$1 == k { print $2 }'
}

# nothing_established: wait up to 3 s (the RSTs may take a moment) until no
# connection to the scanner is established on the target side; 1 if some
# still are, listed in $left.
nothing_established() {
	for _ in $(seq 30); do
		left=$(ip netns exec "$TS_LAB_NS" ss -Htn state established "( dst $TS_SCANNER )")
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	return 1
}
expect_same() { # WHAT EXPECTED_FILE ACTUAL_FILE
	if ! diff -u "$2" "$3" >"$WORK/diff"; then
		cat "$WORK/diff" >&2
		fail "$1 differs from expected"
	fi
}

# Every target address of the lab (its roles' addresses, not the whole /24).
LAB_ADDRS="$TS_SERVICES $TS_EXCLUDED $TS_RST $TS_FILTERED $TS_UNREACHABLE"
