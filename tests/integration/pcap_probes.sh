#!/usr/bin/env bash
# net_pcap: every probe written has valid IPv4 and TCP checksums and the right
# cookie (re-derived independently in Python), none goes to an excluded
# address, and the probes are exactly the pairs --list names.
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/hugepages.sh" 512
python3 -c 'import struct,sys; open(sys.argv[1],"wb").write(struct.pack("<IHHiIII",0xa1b2c3d4,2,4,0,0,65535,1))' "$WORK/empty.pcap"
args=(198.18.0.0/22 -p 22,80,443 --exclude 198.18.1.0/24 --exclude 198.18.3.7
	--seed 1234 --no-default-excludes)
timeout -k 5 60 "$TIDESCAN" "${args[@]}" \
	--dpdk "$EAL_BASE --vdev=net_pcap0,rx_pcap=$WORK/empty.pcap,tx_pcap=$WORK/probes.pcap" \
	--source-ip 198.18.0.2 --router-mac 02:00:00:00:00:01 --quiet \
	--rate 0 --wait 0 -o /dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "run failed"; }
python3 "$ROOT/tests/integration/check_probes.py" "$WORK/probes.pcap" 1234 \
	$(python3 -c 'import ipaddress; print(" ".join(str(a) for a in ipaddress.ip_network("198.18.1.0/24")))') \
	198.18.3.7 | sort >"$WORK/sent" || fail "bad probes in capture"
"$TIDESCAN" --list "${args[@]}" | sort >"$WORK/list"
expect_same "captured probes" "$WORK/list" "$WORK/sent"
pass "$(wc -l <"$WORK/sent") probes valid, none excluded"

# Two queue pairs (two TX lcores splitting the walk) and --retries 1: every
# pair is sent exactly twice, with the same valid cookie, over both queues.
timeout -k 5 60 "$TIDESCAN" "${args[@]}" --queues 2 --retries 1 \
	--dpdk "--in-memory --no-pci --lcores=0@0,1@1,2@0,3@1,4@0 --vdev=net_pcap0,rx_pcap=$WORK/empty.pcap,rx_pcap=$WORK/empty.pcap,tx_pcap=$WORK/q0.pcap,tx_pcap=$WORK/q1.pcap" \
	--source-ip 198.18.0.2 --router-mac 02:00:00:00:00:01 --quiet \
	--rate 0 --wait 0 -o /dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "2-queue run failed"; }
for q in 0 1; do
	python3 "$ROOT/tests/integration/check_probes.py" "$WORK/q$q.pcap" 1234 198.18.3.7 \
		>"$WORK/sent$q" || fail "bad probes on queue $q"
	[ -s "$WORK/sent$q" ] || fail "queue $q sent nothing"
done
sort "$WORK/sent0" "$WORK/sent1" >"$WORK/sent-both"
sort "$WORK/list" "$WORK/list" >"$WORK/list-twice"
expect_same "probes with --retries 1 over 2 queues" "$WORK/list-twice" "$WORK/sent-both"
pass "2 queues, --retries 1: each pair sent twice"
