#!/usr/bin/env bash
# Tests of the pyio-recode program: conversions checked against python3's
# codecs, failures with their exit status and message, and streaming in
# bounded memory.
#
# usage: run.sh PATH/TO/pyio-recode PATH/TO/sample-cp1252.txt
set -uo pipefail

tool=$1
sample=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

check() {  # check NAME CONDITION...
    local name=$1
    shift
    if "$@"; then
        echo "ok   $name"
    else
        echo "FAIL $name"
        failures=$((failures + 1))
    fi
}

# What python3 makes of the same conversion: python3 -c CODE < in > out.
py() { python3 -c "import sys; d = sys.stdin.buffer.read(); $1"; }

# 1. The shipped sample: cp1252 with CRLF to UTF-8 with LF.
"$tool" --from cp1252 --newline lf "$sample" > "$work/out1"
py "sys.stdout.buffer.write(d.decode('cp1252').replace('\r\n', '\n').encode())" < "$sample" > "$work/want1"
check "cp1252 CRLF sample to utf-8 LF" cmp -s "$work/out1" "$work/want1"

# 2. Without --newline the line endings pass through.
"$tool" --from cp1252 -o "$work/out2" "$sample"
py "sys.stdout.buffer.write(d.decode('cp1252').encode())" < "$sample" > "$work/want2"
check "line endings kept without --newline" cmp -s "$work/out2" "$work/want2"

# 3. stdin to stdout through utf-16 and back.
"$tool" --to utf-16 < "$work/out1" | "$tool" --from utf-16 > "$work/out3"
check "utf-8 -> utf-16 -> utf-8 round trip" cmp -s "$work/out3" "$work/out1"
"$tool" --to utf-16 < "$work/out1" > "$work/out3b"
py "sys.stdout.buffer.write(d.decode().encode('utf-16'))" < "$work/out1" > "$work/want3b"
check "utf-16 output has one BOM, as Python's" cmp -s "$work/out3b" "$work/want3b"

# 4. Strict decoding names the byte offset, across chunk boundaries too.
printf 'abc\377def' > "$work/bad"
"$tool" "$work/bad" > /dev/null 2> "$work/err4"
status=$?
check "undecodable input exits 65" test $status -eq 65
check "undecodable input names offset 3" grep -q "byte offset 3: invalid start byte" "$work/err4"
python3 -c "import sys; sys.stdout.buffer.write(b'x' * 300001 + '\u20ac'.encode()[:2] + b'y')" > "$work/bad2"
"$tool" "$work/bad2" > /dev/null 2> "$work/err4b"
check "offset past the first chunk" grep -q "byte offset 300001: invalid continuation byte" "$work/err4b"

# 5. Unencodable text.
printf 'caf\303\251\n' > "$work/cafe"
"$tool" --to ascii "$work/cafe" > /dev/null 2> "$work/err5"
status=$?
check "unencodable text exits 65" test $status -eq 65
check "unencodable text says why" grep -q "can't encode character" "$work/err5"
check "--errors replace" test "$("$tool" --to ascii --errors replace "$work/cafe")" = "caf?"

# 6. Usage and I/O errors.
"$tool" --from no-such-codec "$sample" > /dev/null 2> "$work/err6"
status=$?
check "unknown encoding exits 64" test $status -eq 64
check "unknown encoding is LookupError" grep -q "LookupError: unknown encoding: no-such-codec" "$work/err6"
"$tool" --newline lfcr "$sample" > /dev/null 2>&1
check "bad --newline exits 64" test $? -eq 64
"$tool" "$work/missing" > /dev/null 2> "$work/err7"
status=$?
check "missing input exits 74" test $status -eq 74
check "missing input is FileNotFoundError's message" grep -q "No such file or directory" "$work/err7"

# 7. Constant memory: 256 MiB streamed under a 160 MiB address-space limit
# (not under the sanitizers, whose shadow memory needs far more).
# (grep reads everything: with pipefail, `grep -q` quitting early would let
# ldd die of SIGPIPE and fail the test at random.)
if ldd "$tool" 2>/dev/null | grep -e libasan -e libtsan > /dev/null; then
    echo "skip bounded memory (sanitizer build)"
else
    size=$((256 << 20))
    (ulimit -v $((160 << 10)); yes | head -c $size | "$tool" --to utf-16-le | wc -c) \
        > "$work/count7" 2> "$work/err7b"
    check "256 MiB streamed in bounded memory" test "$(cat "$work/count7")" = $((size * 2))
fi

if [ $failures -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
