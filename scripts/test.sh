#!/usr/bin/env bash
# test: install what is needed, build, and run every suite — unit tests
# (release and ASan/UBSan builds), the fuzz-regression replay and the netns lab
# integration tests. Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh || { echo "install-deps failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
count_suite() { # build-dir suite
	local log="$1/meson-logs/testlog.json" p f
	if [ ! -f "$log" ]; then failed=$((failed + 1)); return; fi
	p=$(grep -c '"result": "OK"' "$log")
	f=$(grep -c -E '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log")
	echo "suite $2 ($1): $p passed, $f failed"
	passed=$((passed + p))
	failed=$((failed + f))
}
run_suite() { # build-dir suite
	rm -f "$1/meson-logs/testlog.json"
	meson test -C "$1" --suite "$2" --print-errorlogs --no-rebuild || true
	count_suite "$1" "$2"
}

if ! scripts/build.sh release; then
	echo "build failed"; echo "$passed passed, $((failed + 1)) failed"; exit 1
fi
run_suite build unit
run_suite build fuzz
run_suite build cli
if scripts/build.sh asan; then
	run_suite build-asan unit
	run_suite build-asan fuzz
	run_suite build-asan cli
else
	echo "ASan build failed"; failed=$((failed + 1))
fi
if [ "$(id -u)" -eq 0 ]; then
	scripts/hugepages.sh 512 || echo "could not reserve hugepages"
	run_suite build integration
	scripts/testbed.sh down >/dev/null 2>&1 || true
else
	echo "integration suite needs root (network namespaces): skipped"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
