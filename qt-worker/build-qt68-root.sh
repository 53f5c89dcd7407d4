#!/usr/bin/env bash
# Builds and caches a Debian 13 (trixie) root with Qt 6.8 and the Qt worker compiled inside it:
#   build-qt68-root.sh [--check] CACHE_DIR
# CACHE_DIR is the caller's private cache: an existing directory, not a symlink, owned by root, mode 0700.
# Everything lives in CACHE_DIR/qt68/ (made 0700):
#   lock           flock: one build at a time; a second caller waits, then finds the work done
#   root/          the Debian root; the worker is root/opt/shmconform/qt_shm_worker
#   root.inputs    SHA-256 of what defines the root (suite, mirror, packages, the steps that make it)
#   worker.inputs  SHA-256 of qt_shm_worker.cpp, the compile step and root.inputs
#   worker.sha256  SHA-256 of the binary, for callers to check before every use
#   build.log      output of the last debootstrap and apt-get
# Each part is rebuilt only when its inputs change: editing the C++ recompiles the worker (seconds),
# editing this script's comments or the launcher rebuilds nothing.
# --check builds nothing: exit 0 and the root's path if root and worker are up to date, else exit 10.
# On success prints the root's absolute path (one line, stdout). Progress and timings go to stderr.
# On failure: one line "qt68-root: <reason>: <command that fixes it>" on stderr and a distinct exit code:
#   2 usage   3 not root   4 no debootstrap or no Debian archive keyring   5 Debian's registry unreachable
#   6 cache directory unsafe or too small   7 a build step failed   10 (--check) not built
# Packages come from Debian's registry only (MIRROR); nothing else is downloaded.
set -euo pipefail
umask 077

SUITE=trixie
MIRROR=http://deb.debian.org/debian
PACKAGES="qt6-base-dev g++ pkg-config"
# What debootstrap checks the Release file's signature with, for a Debian suite (its scripts name this file).
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# The finished root measured about 930 MB; room for apt's downloads during the build on top.
NEED_MB=1500
WORKER_IN_ROOT=/opt/shmconform/qt_shm_worker

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
self="$here/$(basename "${BASH_SOURCE[0]}")"
src="$here/qt_shm_worker.cpp"

fail() { # fail CODE REASON FIX
    echo "qt68-root: $2: $3" >&2
    exit "$1"
}
say() { echo "qt68-root: $*" >&2; }

# in_root DIR CMD...: chrooted, in a private mount namespace (one copy, shared with run-in-trixie.sh).
. "$here/in-root.sh"

# debootstrap + packages into DIR. umask 022 inside: the root's files must be readable by a worker
# running as another user (the root itself stays private: it is inside the 0700 cache).
build_root() { # build_root DIR LOG
    local target=$1 log=$2 t
    t=$SECONDS
    say "debootstrap --variant=minbase $SUITE from $MIRROR"
    # In a private mount namespace: debootstrap mounts /proc and /sys in the target while it runs.
    if ! (umask 022; unshare --mount --propagation private -- debootstrap --variant=minbase "$SUITE" "$target" "$MIRROR") >>"$log" 2>&1; then
        tail -n 5 "$log" >&2
        fail 7 "debootstrap $SUITE failed (full log: $log)" "check the network to $MIRROR, then run $self $cache again"
    fi
    say "debootstrap took $((SECONDS - t)) s"
    t=$SECONDS
    # No service may start inside the root during package installation.
    printf '#!/bin/sh\nexit 101\n' >"$target/usr/sbin/policy-rc.d"
    chmod 755 "$target/usr/sbin/policy-rc.d"
    say "apt-get install $PACKAGES inside the root"
    if ! (umask 022; in_root "$target" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $PACKAGES && apt-get clean") >>"$log" 2>&1; then
        tail -n 5 "$log" >&2
        fail 7 "apt-get install $PACKAGES in the $SUITE root failed (full log: $log)" "check the network to $MIRROR, then run $self $cache again"
    fi
    say "apt-get install took $((SECONDS - t)) s"
}

# Compiles the worker inside the root with the root's g++, pkg-config and Qt (same flags as
# build.sh), so the binary links the Qt 6.8 it names. Into a .tmp name, then renamed.
compile_worker() { # compile_worker ROOT
    local target=$1
    mkdir -p -m 755 -- "$target/opt/shmconform"
    install -m 644 -- "$src" "$target/opt/shmconform/qt_shm_worker.cpp"
    in_root "$target" sh -c "g++ -O2 -std=c++17 -fPIC /opt/shmconform/qt_shm_worker.cpp \$(pkg-config --cflags --libs Qt6Core) -o $WORKER_IN_ROOT.tmp && chmod 755 $WORKER_IN_ROOT.tmp && mv -f $WORKER_IN_ROOT.tmp $WORKER_IN_ROOT" >&2
}

check=false
if [ "${1:-}" = --check ]; then check=true; shift; fi
[ $# -eq 1 ] && [ -n "$1" ] || fail 2 "usage: $0 [--check] CACHE_DIR" "give the harness's private cache directory"
[ "$(id -u)" = 0 ] || fail 3 "must run as root (debootstrap, mount and chroot need it)" "sudo $0 $*"
[ -f "$src" ] || fail 7 "$src is missing" "keep qt_shm_worker.cpp beside this script"

cache=$1
case $cache in /*) ;; *) fail 2 "CACHE_DIR must be an absolute path, got $cache" "pass an absolute path" ;; esac
# lstat rules: a real directory (never through a symlink), root's, 0700.
[ ! -L "$cache" ] && [ -d "$cache" ] || fail 6 "$cache is not a directory (or is a symlink)" "mkdir -m 700 $cache"
[ "$(stat -c '%u %a' -- "$cache")" = "0 700" ] || fail 6 "$cache must be owned by root with mode 0700" "chown root: $cache && chmod 700 $cache"

dir=$cache/qt68
root=$dir/root
root_inputs=$( { declare -f in_root build_root; echo "$SUITE $MIRROR $PACKAGES"; } | sha256sum | cut -d' ' -f1)
worker_inputs=$( { cat "$src"; declare -f compile_worker; echo "$WORKER_IN_ROOT $root_inputs"; } | sha256sum | cut -d' ' -f1)
stamp_is() { [ -f "$dir/$1" ] && [ ! -L "$dir/$1" ] && [ "$(cat "$dir/$1")" = "$2" ]; }
root_ok() { [ -d "$root" ] && [ ! -L "$root" ] && stamp_is root.inputs "$root_inputs"; }
worker_ok() { [ -f "$root$WORKER_IN_ROOT" ] && stamp_is worker.inputs "$worker_inputs" && [ -f "$dir/worker.sha256" ]; }

if $check; then
    # A read-only look, no lock: the stamps are written last, so a half-built root fails it.
    if [ -d "$dir" ] && [ ! -L "$dir" ] && root_ok && worker_ok; then echo "$root"; exit 0; fi
    fail 10 "the Qt 6.8 root in $dir is not built, or was built from other inputs" "$self $cache"
fi

if [ ! -e "$dir" ]; then mkdir -m 700 -- "$dir"; fi
[ ! -L "$dir" ] && [ -d "$dir" ] && [ "$(stat -c '%u %a' -- "$dir")" = "0 700" ] \
    || fail 6 "$dir is not a root-owned 0700 directory" "rm -rf $dir (it is rebuilt)"
[ ! -L "$dir/lock" ] || fail 6 "$dir/lock is a symlink" "rm -f $dir/lock"
exec 9>>"$dir/lock"
if ! flock -n 9; then
    say "another build holds $dir/lock; waiting for it"
    flock 9
fi

t0=$SECONDS
if root_ok; then
    say "root is up to date ($root)"
else
    if ! command -v debootstrap >/dev/null 2>&1; then
        say "debootstrap missing; installing it with apt-get"
        if command -v apt-get >/dev/null 2>&1; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1 || true
        fi
        command -v debootstrap >/dev/null 2>&1 || fail 4 "debootstrap is not installed" "apt-get install debootstrap"
    fi
    # The packages come over plain HTTP: debootstrap checks the Release file's signature with Debian's archive keyring
    # (its suite scripts name it; build.log says "Valid Release signature"), and without that file it only warns and
    # goes on unchecked, which would let whoever is on the path give root the packages. So no keyring, no build.
    if [ ! -f "$KEYRING" ] && command -v apt-get >/dev/null 2>&1; then
        say "$KEYRING missing; installing debian-archive-keyring with apt-get"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debian-archive-keyring >/dev/null 2>&1 || true
    fi
    [ -f "$KEYRING" ] && [ ! -L "$KEYRING" ] && [ "$(stat -c '%u' -- "$KEYRING")" = 0 ] \
        || fail 4 "$KEYRING (Debian's archive keyring, a root-owned file) is missing: the packages could not be checked" \
            "apt-get install debian-archive-keyring"
    # A quick look at the registry (with a proxy configured, debootstrap's own error is the answer).
    if [ -z "${http_proxy:-}${HTTP_PROXY:-}" ]; then
        host=${MIRROR#http://}; host=${host%%/*}; path=/${MIRROR#http://*/}
        status=$(timeout 20 bash -c 'exec 3<>"/dev/tcp/$0/80" && printf "HEAD %s/dists/%s/Release HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" "$1" "$2" "$0" >&3 && head -n1 <&3' \
            "$host" "$path" "$SUITE" 2>/dev/null || true)
        case $status in
            *" 200"*) ;;
            *) fail 5 "cannot reach Debian's registry $MIRROR (${status:-no answer})" "give this machine HTTP access to $host (check: curl -I $MIRROR/dists/$SUITE/Release)" ;;
        esac
    fi
    avail=$(df -P -m -- "$dir" | awk 'NR==2 {print $4}')
    [ "$avail" -ge "$NEED_MB" ] || fail 6 "$dir has ${avail} MB free, the root needs about $NEED_MB MB" \
        "pass a cache directory on a disk with more room (e.g. mkdir -m 700 /var/cache/shmconform)"
    # Built under a new name, renamed when complete: an interrupted build never looks finished.
    rm -f -- "$dir/root.inputs" "$dir/worker.inputs" "$dir/worker.sha256"
    rm -rf --one-file-system -- "$dir/root.new" "$root"
    : >"$dir/build.log"
    build_root "$dir/root.new" "$dir/build.log"
    mv -- "$dir/root.new" "$root"
    echo "$root_inputs" >"$dir/root.inputs"
fi

if worker_ok; then
    say "worker is up to date"
else
    t=$SECONDS
    rm -f -- "$dir/worker.inputs" "$dir/worker.sha256"
    compile_worker "$root" || fail 7 "compiling qt_shm_worker.cpp against the root's Qt failed" "fix the compile error above, then run $self $cache again"
    sha256sum -- "$root$WORKER_IN_ROOT" | cut -d' ' -f1 >"$dir/worker.sha256"
    echo "$worker_inputs" >"$dir/worker.inputs"
    say "worker compiled in $((SECONDS - t)) s"
fi
say "done in $((SECONDS - t0)) s"
echo "$root"
