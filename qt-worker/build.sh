#!/usr/bin/env bash
# Builds the Qt reference worker: build.sh OUTPUT_PATH
# Called by the harness at run time with a cache path; prints only errors (to stderr).
set -euo pipefail
# The output goes to the harness's private cache (0700): nothing here is for other users.
umask 077

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTPUT_PATH" >&2
    exit 2
fi
out=$1
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/qt_shm_worker.cpp"

if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists Qt6Core; then
    echo "Qt6Core not found: apt-get install qt6-base-dev g++ pkg-config" >&2
    exit 3
fi
if ! command -v g++ >/dev/null 2>&1; then
    echo "g++ not found: apt-get install qt6-base-dev g++ pkg-config" >&2
    exit 3
fi

mkdir -p "$(dirname "$out")"
# Build into a temporary name and rename, so a concurrent or interrupted build never leaves a
# half-written binary at OUTPUT_PATH.
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
# -fPIC: Debian's Qt is built with reduce_relocations, and qglobal.h refuses non-PIC code.
# shellcheck disable=SC2046  # pkg-config output must word-split
g++ -O2 -std=c++17 -fPIC "$src" $(pkg-config --cflags --libs Qt6Core) -o "$tmp"
mv -f "$tmp" "$out"
