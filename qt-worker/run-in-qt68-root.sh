#!/usr/bin/env bash
# Starts the Qt 6.8 worker inside the Debian 13 root made by build-qt68-root.sh, sharing the host's
# IPC namespace, /dev (so /dev/shm), /proc, $TMPDIR and $XDG_RUNTIME_DIR:
#   run-in-qt68-root.sh ROOT [--userspec=UID:GID] [WORKER ARGS...]      (as root)
# Every step is an exec: the worker ends up with THIS process's pid, so the caller's pid is the
# worker's (the hello's pid matches, /proc/<pid>/task/<tid> is the worker's thread, and SIGKILL hits
# the worker itself). The mounts live in a private mount namespace that disappears with the worker:
# nothing is left mounted, and the cached root is never written to.
# On refusal: one line on stderr, exit 2 (bad arguments or paths) or 3 (not root).
set -euo pipefail

WORKER_IN_ROOT=/opt/shmconform/qt_shm_worker
fail() { echo "run-in-qt68-root: $2" >&2; exit "$1"; }

if [ "${1:-}" != --inside ]; then
    [ $# -ge 1 ] || fail 2 "usage: $0 ROOT [--userspec=UID:GID] [WORKER ARGS...]"
    [ "$(id -u)" = 0 ] || fail 3 "must run as root (unshare --mount and chroot need it): sudo $0 $*"
    root=$1
    case $root in /*) ;; *) fail 2 "ROOT must be an absolute path, got $root" ;; esac
    [ ! -L "$root" ] && [ -d "$root" ] && [ -f "$root$WORKER_IN_ROOT" ] \
        || fail 2 "$root is not a built Qt 6.8 root: run qt-worker/build-qt68-root.sh CACHE_DIR"
    # No --fork: unshare execs the next step in this same process.
    exec unshare --mount --propagation private -- bash "${BASH_SOURCE[0]}" --inside "$@"
fi

# ---- inside the private mount namespace ----
shift
root=$1
shift
userspec=()
case ${1:-} in --userspec=*) userspec=("$1" "--groups=${1#--userspec=*:}"); shift ;; esac

# The cached root, read-only in this namespace: a worker of another user is dumpable, so any process of its user could
# write the root's /tmp and /var/tmp (1777) through /proc/PID/root, into the harness's private cache.
mount --rbind -- "$root" "$root"
mount -o remount,bind,ro -- "$root"
mount --rbind /dev "$root/dev"   # /dev/shm: POSIX shared memory and named semaphores
mount --rbind /proc "$root/proc" # same pid namespace: the host's /proc is the right one
# The run's directories appear at the same paths inside. They are bound onto a fresh tmpfs laid
# over /run or /tmp in this namespace only, so the cached root gains no directories.
covered=""
share() { # share DIR: bind the host's DIR at the same path inside
    local d=$1 rest top
    [ -n "$d" ] || return 0
    case $d in /*) ;; *) fail 2 "$d must be an absolute path" ;; esac
    case $d in *..*) fail 2 "$d must not contain .." ;; esac
    [ -d "$d" ] && [ ! -L "$d" ] || fail 2 "$d is not a directory"
    rest=${d#/}
    top=/${rest%%/*}
    case $top in
        /run | /tmp)
            case " $covered " in *" $top "*) ;; *)
                mount -t tmpfs -o mode=755,size=1m shmconform-qt68 "$root$top"; covered="$covered $top" ;;
            esac ;;
        *) fail 2 "$d must be under /run or /tmp (the cached root is not changed to make room for it)" ;;
    esac
    mkdir -p -- "$root$d"
    mount --bind -- "$d" "$root$d"
}
share "${TMPDIR:-}"
if [ "${XDG_RUNTIME_DIR:-}" != "${TMPDIR:-}" ]; then share "${XDG_RUNTIME_DIR:-}"; fi
# The host's library settings mean nothing in the root.
unset LD_PRELOAD LD_LIBRARY_PATH
exec chroot "${userspec[@]}" "$root" "$WORKER_IN_ROOT" "$@"
