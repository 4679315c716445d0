#!/usr/bin/env bash
# A full-port scan of the lab equals its truth: every open port found, nothing
# else open; with --report-closed, RST answers are closed and ICMP answers are
# unreachable, on exactly the addresses the lab says. One retry pass: an
# answer lost on a busy machine's veth gets a second chance, and each answer
# must still be reported once.
source "$(dirname "$0")/lib.sh"
lab_up
lab_scan $LAB_ADDRS -p 0-65535 --rate 100000 --retries 1 --wait 3 --seed 7 \
	--report-closed -o "$WORK/out.ndjson" 2>"$WORK/err" ||
	{ cat "$WORK/err" >&2; fail "scan exited $?"; }
cat "$WORK/err"
"$TESTBED" truth open >"$WORK/truth"
pairs_with_status open "$WORK/out.ndjson" >"$WORK/open"
expect_same "open ports" "$WORK/truth" "$WORK/open"

# Closed: the RST address answers on every port; unreachable: all ports of
# the rejecting address; nothing from the filtered address.
closed_rst=$(pairs_with_status closed "$WORK/out.ndjson" | awk -v a="$TS_RST" '$1 == a' | wc -l)
[ "$closed_rst" -eq 65536 ] || fail "RST address: $closed_rst closed ports, want 65536"
unreach=$(pairs_with_status unreachable "$WORK/out.ndjson" | awk '{print $1}' | sort -u)
[ "$unreach" = "$TS_UNREACHABLE" ] || fail "unreachable addresses: '$unreach', want $TS_UNREACHABLE"
n_unreach=$(pairs_with_status unreachable "$WORK/out.ndjson" | wc -l)
[ "$n_unreach" -eq 65536 ] || fail "unreachable ports: $n_unreach, want 65536"
if grep -q "\"ip\":\"$TS_FILTERED\"" "$WORK/out.ndjson"; then
	fail "the filtered address produced a result"
fi
[ "$(summary_field bad_cookie "$WORK/err")" = 0 ] || fail "bad_cookie not 0"
pass "full-port lab scan equals truth ($(wc -l <"$WORK/open") open)"
