#!/usr/bin/env bash
# check_exports.sh LIBRARY
#
# Checks the dynamic symbol table of libpyio.so: every symbol the library
# defines must be a pyio_ function carrying a symbol version (pyio_x@@PYIO_0),
# there must be some, and the SONAME must be libpyio.so.0.  Undefined
# symbols (what the library imports) and the version definitions' own
# absolute symbols are not checked.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 path/to/libpyio.so" >&2
    exit 2
fi
lib=$1
expected_soname=libpyio.so.0

if ! command -v readelf >/dev/null 2>&1; then
    echo "check_exports: readelf (binutils) is required" >&2
    exit 2
fi
if [ ! -f "$lib" ]; then
    echo "check_exports: no such file: $lib" >&2
    exit 2
fi

status=0

soname=$(readelf -d -W "$lib" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
if [ "$soname" != "$expected_soname" ]; then
    echo "check_exports: SONAME is '${soname}', expected '${expected_soname}'" >&2
    status=1
fi

# The names of the version definitions (PYIO_0, ...), from .gnu.version_d.
versions=$(readelf -V -W "$lib" | awk '
    /Version definition section/ { indef = 1; next }
    /Version needs section/ || /Version symbols section/ { indef = 0 }
    indef && /Name:/ { for (i = 1; i < NF; i++) if ($i == "Name:") print $(i + 1) }')

# readelf --dyn-syms columns: Num: Value Size Type Bind Vis Ndx Name
defined=$(readelf --dyn-syms -W "$lib" | awk '
    $1 ~ /^[0-9]+:$/ && NF >= 8 && $7 != "UND" { print $7, $8 }')

count=0
offenders=""
while read -r ndx name; do
    [ -n "${name:-}" ] || continue
    base=${name%%@*}
    if [ "$ndx" = "ABS" ] && printf '%s\n' "$versions" | grep -qxF "$base"; then
        continue # the pseudo-symbol of a version definition
    fi
    case $name in
        pyio_*@@*|pyio_*@[!@]*)
            count=$((count + 1)) ;;
        pyio_*)
            offenders="${offenders}  ${name} (no symbol version)"$'\n' ;;
        *)
            offenders="${offenders}  ${name} (not pyio_-prefixed)"$'\n' ;;
    esac
done <<< "$defined"

if [ -n "$offenders" ]; then
    echo "check_exports: unexpected exported symbols in $lib:" >&2
    printf '%s' "$offenders" >&2
    status=1
fi
if [ "$count" -eq 0 ]; then
    echo "check_exports: $lib exports no versioned pyio_ symbols" >&2
    status=1
fi
if [ "$status" -eq 0 ]; then
    echo "check_exports: ok: ${count} versioned pyio_ symbols, SONAME ${soname}"
fi
exit "$status"
