#!/usr/bin/env bash
# hostile: every writer gets banners and service strings of hostile bytes
# (quotes, NUL, invalid UTF-8, "]]>", newlines, "<&>", tabs, slashes,
# commas, all 256 bytes) through a binary file and --readscan, and a real
# parser reads each output back byte-exact: python3's json, xmllint against
# nmap's DTD then ElementTree, and the line formats field by field. Also:
# --readscan of a torn file keeps the records before the tear and warns.
set -euo pipefail
TIDESCAN=${1:?usage: $0 TIDESCAN WRITE_RECORDS}
WRITE_RECORDS=${2:?usage: $0 TIDESCAN WRITE_RECORDS}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/tidescan-hostile.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

python3 "$HERE/check_hostile.py" hex | "$WRITE_RECORDS" "$WORK/in.bin"
for fmt in ndjson json list grepable xml; do
	"$TIDESCAN" --readscan "$WORK/in.bin" --output-format "$fmt" -o "$WORK/out.$fmt" 2>"$WORK/err" ||
		{ cat "$WORK/err" >&2; fail "--readscan to $fmt"; }
	[ ! -s "$WORK/err" ] || { cat "$WORK/err" >&2; fail "--readscan to $fmt said something"; }
	if [ "$fmt" = xml ]; then
		xmllint --noout --dtdvalid /usr/share/nmap/nmap.dtd "$WORK/out.xml" ||
			fail "xml does not validate against nmap.dtd"
	fi
	python3 "$HERE/check_hostile.py" check "$fmt" "$WORK/out.$fmt" || fail "$fmt"
done

# binary to binary: the same bytes again
"$TIDESCAN" --readscan "$WORK/in.bin" -oB "$WORK/again.bin"
cmp "$WORK/in.bin" "$WORK/again.bin" || fail "binary → binary changed the file"

# torn: the last record cut short; the records before it come out, a warning
# names the tear, the exit status is 0
size=$(stat -c %s "$WORK/in.bin")
truncate -s $((size - 3)) "$WORK/in.bin"
"$TIDESCAN" --readscan "$WORK/in.bin" -oD "$WORK/torn.ndjson" 2>"$WORK/err" || fail "torn file: exit $?"
grep -q "warning: .*in.bin: torn record at byte" "$WORK/err" || fail "no warning for the torn record: $(cat "$WORK/err")"
n=$(wc -l <"$WORK/torn.ndjson")
[ "$n" -eq $(( $(python3 "$HERE/check_hostile.py" hex | wc -l) - 1 )) ] || fail "torn file gave $n records"

# not a binary file: exit 1, named
if "$TIDESCAN" --readscan "$WORK/out.json" 2>"$WORK/err" >/dev/null; then fail "read a JSON file as binary"; fi
grep -q "out.json: not a tidescan binary file" "$WORK/err" || fail "error: $(cat "$WORK/err")"
echo "PASS: hostile banners through every writer; torn and foreign files"
