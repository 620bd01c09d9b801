#!/usr/bin/env bash
# run.sh BUILD_DIR SOURCE_DIR C_COMPILER
#
# Installs the build tree into a temporary prefix, then builds
# tests/install/consumer.c against the installed copy twice -- with the flags
# pkg-config gives, and as a CMake project using find_package(pyio) -- and
# runs both.  Exits 77 (ctest: skipped) when pkg-config is not available.
set -euo pipefail

if [ $# -ne 3 ]; then
    echo "usage: $0 BUILD_DIR SOURCE_DIR C_COMPILER" >&2
    exit 2
fi
build_dir=$1
source_dir=$2
cc=$3
cmake=${CMAKE_COMMAND:-cmake}
expected="consumer ok: hello"

if ! command -v pkg-config >/dev/null 2>&1; then
    echo "install_consumers: pkg-config not found; skipping" >&2
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pyio-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

echo "== cmake --install $build_dir --prefix $prefix"
"$cmake" --install "$build_dir" --prefix "$prefix"

# GNUInstallDirs may have chosen lib, lib64 or lib/<multiarch>.
pc=$(find "$prefix" -path '*/pkgconfig/pyio.pc' -print | head -n 1)
lib=$(find "$prefix" -name 'libpyio.so' -print | head -n 1)
if [ -z "$pc" ] || [ -z "$lib" ]; then
    echo "install_consumers: pyio.pc or libpyio.so missing from the install:" >&2
    find "$prefix" >&2
    exit 1
fi
libdir=$(dirname "$lib")

check_output() { # name binary
    local out
    out=$(LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$2")
    if [ "$out" != "$expected" ]; then
        echo "install_consumers: $1 consumer printed '$out', expected '$expected'" >&2
        exit 1
    fi
    echo "$1 consumer: $out"
}

echo "== pkg-config consumer"
flags=$(PKG_CONFIG_PATH="$(dirname "$pc")" pkg-config --cflags --libs pyio)
echo "pkg-config --cflags --libs pyio: $flags"
case $flags in
    *"-L$libdir"*) ;;
    *) echo "install_consumers: pkg-config flags do not point into $prefix" >&2
       exit 1 ;;
esac
# shellcheck disable=SC2086 # $flags is a list of words
"$cc" -std=c99 -Wall -Wextra -Werror "$source_dir/tests/install/consumer.c" \
    -o "$tmp/consumer-pkgconfig" $flags -Wl,-rpath,"$libdir"
check_output pkg-config "$tmp/consumer-pkgconfig"

echo "== CMake find_package consumer"
"$cmake" -S "$source_dir/tests/install/consumer" -B "$tmp/consumer-build" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_BUILD_TYPE=Release
"$cmake" --build "$tmp/consumer-build"
check_output CMake "$tmp/consumer-build/consumer"
