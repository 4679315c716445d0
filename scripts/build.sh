#!/usr/bin/env bash
# build: configure (once) and compile tidescan into build/ (release) and, with
# "asan", into build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}
case "$kind" in
release) dir=build; opts=() ;;
asan) dir=build-asan; opts=(-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized) ;;
*) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
[ -f "$dir/build.ninja" ] || meson setup "$dir" "${opts[@]}" >/dev/null
ninja -C "$dir" >/dev/null
