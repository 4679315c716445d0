#!/usr/bin/env bash
# demo: the whole thing on a fresh machine — install, build, reserve
# hugepages, bring up the netns lab of real daemons, scan all 65536 ports of
# its addresses through DPDK's net_af_packet with banners and service
# identification (the first run compiles nmap's signatures, about a
# minute), print results and summary, and take the lab down again. Root.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh release
scripts/hugepages.sh 512
scripts/testbed.sh up
trap 'scripts/testbed.sh down >/dev/null' EXIT
eval "$(scripts/testbed.sh env)"

addrs="$TS_SERVICES $TS_EXCLUDED $TS_RST $TS_FILTERED $TS_UNREACHABLE"
echo "== scanning $addrs, ports 0-65535, from $TS_SCAN_NS through net_af_packet on $TS_SCAN_IF, with banners"
ip netns exec "$TS_SCAN_NS" timeout -s INT -k 10 600 build/tidescan \
	--dpdk "--in-memory --no-pci --lcores=0@0,1@1,2@0 --vdev=net_af_packet0,iface=$TS_SCAN_IF,framecnt=16384" \
	--source-ip "$TS_SCANNER" --gateway "$TS_GATEWAY" --no-default-excludes \
	--rate 150000 --wait 3 --banners -p 0-65535 $addrs
echo "== the lab's truth (open ports by its own configuration):"
scripts/testbed.sh truth open
