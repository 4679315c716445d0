#!/usr/bin/env bash
# Forged SYN-ACKs (right addresses and ports, wrong ack) sent from the target
# side during a scan are never reported and are counted as bad_cookie.
source "$(dirname "$0")/lib.sh"
lab_up
FORGED=40
"${LAB_SCAN[@]}" $LAB_ADDRS -p 1-1000 --rate 2000 --wait 2 --source-port 40000 \
	-o "$WORK/out.ndjson" 2>"$WORK/err" &
scan=$!
sleep 2
ip netns exec "$TS_LAB_NS" /usr/bin/python3 - "$TS_SCAN_MAC" "$TS_SCANNER" "$TS_RST" "$TS_LAB_IF" "$FORGED" <<'PY'
import sys
from scapy.all import Ether, IP, TCP, sendp, conf
conf.verb = 0
mac, scanner, victim, iface, n = sys.argv[1:6]
frames = [Ether(dst=mac) / IP(src=victim, dst=scanner) /
          TCP(sport=5555, dport=40000, flags="SA", seq=1000 + i, ack=0x12345678 + i)
          for i in range(int(n))]
sendp(frames, iface=iface)
PY
wait $scan || { cat "$WORK/err" >&2; fail "scan failed"; }
cat "$WORK/err"
if grep -q "\"ip\":\"$TS_RST\",\"port\":5555,[^}]*\"open\"" "$WORK/out.ndjson"; then
	fail "forged SYN-ACK reported as open"
fi
bad=$(summary_field bad_cookie "$WORK/err")
[ "${bad:-0}" -ge "$FORGED" ] || fail "bad_cookie $bad < $FORGED forged"
"$TESTBED" truth open 1-1000 >"$WORK/truth"
pairs_with_status open "$WORK/out.ndjson" >"$WORK/open"
expect_same "open ports beside forgeries" "$WORK/truth" "$WORK/open"
pass "$FORGED forged SYN-ACKs ignored, bad_cookie $bad"
