#!/usr/bin/env bash
# install-deps: everything tidescan needs to build, test, run its lab and its
# benchmarks, from Debian's archive. Idempotent, non-interactive, quiet.
set -euo pipefail

packages=(
	# build
	build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
	libdpdk-dev dpdk dpdk-dev libnuma-dev libhyperscan-dev libyaml-dev libpcre2-dev
	# lab, tests and benchmarks
	iproute2 ethtool iptables tcpdump tshark python3 python3-scapy
	openssh-server nginx-light redis-server masscan zmap procps
	# service identification (nmap-service-probes, nmap -sV to compare)
	nmap nmap-common
	# output formats, Redis results, benchmark reports
	libhiredis-dev python3-redis libxml2-utils xsltproc ndiff python3-matplotlib bc
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: need root to install: ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer once, quietly.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The lab starts its daemons itself, inside namespaces; keep the packaged
# services from holding ports on the host.
for svc in nginx redis-server ssh; do
	systemctl disable --now "$svc" >/dev/null 2>&1 || true
done
