#!/usr/bin/env bash
# tidescan --check-signatures and --identify, without EAL or privileges:
# nmap's file loads with every line usable, a file of bad lines has each
# listed with its line number, and saved banners come back identified.
set -euo pipefail
TIDESCAN=${1:?usage: $0 TIDESCAN_BINARY}
CACHE=${2:?usage: $0 TIDESCAN_BINARY CACHE_DIR}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$TIDESCAN" --check-signatures --signature-cache "$CACHE" >"$WORK/check" || fail "--check-signatures"
grep -Eq '^148 probes, [0-9]+ match lines: .* 0 unusable$' "$WORK/check" || { cat "$WORK/check"; fail "nmap's file"; }

printf '%s\n' 'Probe TCP NULL q||' 'match ok m|^hello (\w+)| p/Hello/ v/$1/' \
	'match broken m|^(x| p/x/' 'softmatch odd m=^a=z' 'bogus line' >"$WORK/probes"
"$TIDESCAN" --check-signatures --service-probes "$WORK/probes" --signature-cache "$WORK/c" >"$WORK/check2" ||
	fail "--check-signatures of a small file"
grep -q '^4 unusable lines$' "$WORK/check2" || { cat "$WORK/check2"; fail "count of unusable lines"; }
for n in 3 4 5; do grep -q "probes:$n: " "$WORK/check2" || fail "line $n not listed"; done
# config/signatures/tidescan.yaml reads GetRequest answers: no such probe here
grep -q "tidescan.yaml:[0-9]*: no TCP probe named GetRequest" "$WORK/check2" || fail "signature not listed"

printf '%s\n' '{"ts":1.0,"ip":"198.18.1.10","port":22,"proto":"tcp","status":"open","ttl":64,"banner":"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n","banner_bytes":40}' \
	'{"ts":1.1,"ip":"198.18.1.11","port":9,"proto":"tcp","status":"closed","ttl":64}' >"$WORK/in.ndjson"
"$TIDESCAN" --identify "$WORK/in.ndjson" --signature-cache "$CACHE" -o "$WORK/out.ndjson" 2>/dev/null || fail "--identify"
python3 - "$WORK/out.ndjson" <<'PY' || fail "--identify records"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert len(r) == 2, r
s = r[0]["service"]
assert (s["name"], s["product"], s["version"], r[0]["match"]) == ("ssh", "OpenSSH", "9.2p1 Debian 2+deb12u3", "hard"), r[0]
assert r[0]["banner"] == "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"
assert "service" not in r[1] and r[1]["status"] == "closed", r[1]
PY
echo "PASS: --check-signatures and --identify"
