#!/usr/bin/env bash
# SIGINT mid-scan: sending stops, late answers are awaited, every result found
# so far is in the output file, the summary is printed, the paused scan is
# written, exit status 0. timeout(1), which the lab's runs go through,
# delivers one SIGINT twice (to its child, then to its process group): that
# is still one interrupt. A second one a second later cuts the wait short.
source "$(dirname "$0")/lib.sh"
lab_up
"${LAB_SCAN[@]}" $LAB_ADDRS -p 0-65535 --rate 20000 --wait 1 \
	--report-closed -o "$WORK/out.ndjson" --pause-file "$WORK/paused.yaml" 2>"$WORK/err" &
scan=$!
sleep 6
kill -INT "$scan"
status=0
wait "$scan" || status=$?
cat "$WORK/err"
[ "$status" -eq 0 ] || fail "exit status $status after SIGINT"
grep -qE '^sent [0-9]+, received' "$WORK/err" || fail "no summary"
sent=$(summary_field sent "$WORK/err")
found=0
for f in open closed unreachable; do
	found=$((found + $(summary_field $f "$WORK/err")))
done
total=$((7 * 65536))
[ "$sent" -gt 0 ] && [ "$sent" -lt "$total" ] || fail "sent $sent: not interrupted mid-scan"
grep -q "^resume:" "$WORK/paused.yaml" || fail "no paused scan written"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$WORK/out.ndjson" ||
	fail "output is not valid NDJSON"
lines=$(wc -l <"$WORK/out.ndjson")
[ "$lines" -gt 0 ] || fail "nothing found before the interrupt"
[ "$lines" -eq "$found" ] || fail "$lines records in file, summary says $found found"
pairs_with_status open "$WORK/out.ndjson" >"$WORK/open"
"$TESTBED" truth open >"$WORK/truth"
[ -z "$(comm -23 "$WORK/open" "$WORK/truth")" ] || fail "open ports not in the lab's truth"
! grep -q "the wait was cut short" "$WORK/err" || fail "one SIGINT, delivered twice by timeout, cut the wait short"
pass "interrupted after $sent probes, all $found results written"

"${LAB_SCAN[@]}" $LAB_ADDRS -p 0-65535 --rate 20000 --wait 5 \
	-o "$WORK/twice.ndjson" --pause-file "$WORK/twice.yaml" 2>"$WORK/twice.err" &
scan=$!
sleep 4
kill -INT "$scan"
start=$(date +%s%N)
sleep 1
# timeout forwards one signal only: the second goes to tidescan itself.
kill -INT "$(ps -o pid= --ppid "$scan")"
status=0
wait "$scan" || status=$?
took_ms=$((($(date +%s%N) - start) / 1000000))
[ "$status" -eq 0 ] || fail "exit status $status after two SIGINTs"
grep -q "the wait was cut short" "$WORK/twice.err" || fail "a second SIGINT did not cut the wait short: $(cat "$WORK/twice.err")"
[ "$took_ms" -lt 4000 ] || fail "the second SIGINT did not end the 5 s wait early (${took_ms} ms)"
pass "a second SIGINT a second later cuts the wait short (ended ${took_ms} ms after the first)"
