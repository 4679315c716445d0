#!/usr/bin/env bash
# hugepages: make sure at least N (default 512) 2 MiB hugepages are reserved,
# for DPDK's EAL (--in-memory). Needs root; never lowers a larger reservation.
set -euo pipefail
want=${1:-512}
f=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
have=$(cat "$f")
if [ "$have" -lt "$want" ]; then
	echo "$want" >"$f"
	have=$(cat "$f")
fi
if [ "$have" -lt "$want" ]; then
	echo "hugepages: only $have of $want 2 MiB pages could be reserved" >&2
	exit 1
fi
