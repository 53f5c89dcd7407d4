#!/usr/bin/env bash
# A second platform for `shmconform merge` on one machine: the harness run inside the Debian 13 (trixie)
# root of the Qt 6.8 columns, with trixie's own JDK, glibc and /etc/os-release, on the host's kernel:
#   run-in-trixie.sh CACHE_DIR OUT_DIR [RUN OPTIONS...]        (as root)
# runs `shmconform run -o OUT_DIR RUN OPTIONS...` in the root and prints the run's folder (one line, stdout).
#   run-in-trixie.sh CACHE_DIR OUT_DIR replay [-b NAME] FILE
# replays a saved schedule there instead (FILE must be inside OUT_DIR, e.g. a run's fuzz/<column>/seed-N/shrunk.schedule.json):
# is a failure found in the root one of the platform, or does it replay the same on the host?
#   run-in-trixie.sh --prepare CACHE_DIR
# only makes (or checks) the root and prints its path.
#
# CACHE_DIR is the private cache of qt-worker/build-qt68-root.sh (an existing directory, not a symlink,
# root's, 0700). The Qt 6.8 root in CACHE_DIR/qt68/root is made (or found up to date) by that script and
# is never written to here: it is copied to CACHE_DIR/trixie-jdk/root (0700 directory), where trixie's
# apt-get installs $JDK_PACKAGES. Like the Qt 6.8 root, the copy is remade only when what defines it
# changes (the Qt 6.8 root's inputs, the packages, the steps below), under a flock, built as root.new
# and renamed, so an interrupted build never looks finished. The flock (trixie-jdk/lock) is held until
# the harness exits: one run in the root at a time; --prepare waits for a running one.
#
# The run: `unshare --mount --propagation private`, then inside that namespace only: /dev (with
# /dev/shm), /proc and /sys bound from the host (same IPC and pid namespaces: the kernel objects the
# run makes are the host's, and `ipcs`, /dev/shm and the host's clean-up checks see them); a fresh
# tmpfs over the root's /run and /tmp; the harness's state directory CACHE_DIR/trixie-jdk/state bound
# at /run/shmconform (kept between runs, so its ledger can reap what a killed run left); the host's
# /run/shmconform-trixie-share at /run/shmconform-share (the workers' TMPDIRs, on the host's /run file
# system like the host harness's own, because System V keys depend on it); OUT_DIR bound
# at /run/shmconform-out; the CLI jar bound read-only. Then `chroot ROOT java -jar ...` with the root's
# java. Every mount dies with the namespace, also after a SIGKILL: nothing stays mounted.
# On refusal: one line "run-in-trixie: <reason>: <fix>" on stderr, exit 2 (usage), 3 (not root),
# 6 (unsafe directory), 7 (a build step failed). Otherwise the harness's own exit status.
set -euo pipefail
umask 077

JDK_PACKAGES="openjdk-21-jdk-headless" # trixie's default JDK (default-jdk-headless depends on it)
JAVA_IN_ROOT=/usr/lib/jvm/java-21-openjdk-amd64/bin/java

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
self="$here/$(basename "${BASH_SOURCE[0]}")"
jar="$repo/cli/target/shmconform.jar"

fail() { # fail CODE REASON FIX
    echo "run-in-trixie: $2: $3" >&2
    exit "$1"
}
say() { echo "run-in-trixie: $*" >&2; }
private_dir() { # private_dir DIR: a real directory (never through a symlink), root's, 0700
    [ ! -L "$1" ] && [ -d "$1" ] && [ "$(stat -c '%u %a' -- "$1")" = "0 700" ]
}
# trusted_dir DIR: a real directory (not a link) of root's or of the user who ran sudo, that nobody else may write
# (or root's and sticky, as /tmp is): the harness's rule for the folders of -o (spi/.../files/Ancestors.java).
trusted_dir() {
    local owner mode
    [ ! -L "$1" ] && [ -d "$1" ] || fail 6 "$1 is a symbolic link or not a directory" "give a report root whose path has no link"
    owner=$(stat -c %u -- "$1")
    mode=$((0$(stat -c %a -- "$1")))
    case " 0 ${SUDO_UID:-0} " in *" $owner "*) ;; *)
        fail 6 "$1 is owned by uid $owner" "give a report root whose every folder is root's or yours" ;;
    esac
    if [ $((mode & 022)) != 0 ] && { [ "$owner" != 0 ] || [ $((mode & 01000)) = 0 ]; }; then
        fail 6 "$1 is writable by others" "give a report root whose every folder only root or you can write"
    fi
}
# report_root PATH: makes OUT_DIR's missing folders one at a time, each in a folder trusted_dir passed first (mkdir -p
# follows a link planted in any folder of the path, so root's report went where another user's link led); prints it.
report_root() {
    local path=$1 p="" c parts
    case $path in /*) ;; *) path=$(pwd -P)/$path ;; esac
    trusted_dir /
    IFS=/ read -ra parts <<<"${path#/}"
    for c in "${parts[@]}"; do
        case $c in "" ) continue ;; . | ..) fail 2 "$1 must not contain . or .." "give a plain path" ;; esac
        p=$p/$c
        if [ ! -e "$p" ] && [ ! -L "$p" ]; then
            mkdir -m 755 -- "$p" 2>/dev/null || [ -d "$p" ] || fail 6 "cannot make $p" "give a report root you can make"
        fi
        trusted_dir "$p"
    done
    printf '%s\n' "$p"
}

# in_root DIR CMD...: chrooted, in a private mount namespace (one copy, shared with build-qt68-root.sh).
. "$repo/qt-worker/in-root.sh"

# Copies the Qt 6.8 root to DIR (holding a shared lock on qt68/lock, so never a root being rebuilt)
# and installs the JDK there with trixie's apt from Debian's registry. umask 022: the JDK must be
# readable by workers of other users (the root itself stays private: it is inside the 0700 cache).
make_root() { # make_root QT68_ROOT DIR LOG
    local from=$1 target=$2 log=$3 t=$SECONDS
    (
        flock -s 8
        cp -a --one-file-system -- "$from" "$target"
    ) 8<"$cache/qt68/lock"
    say "copied the Qt 6.8 root in $((SECONDS - t)) s"
    t=$SECONDS
    say "apt-get install $JDK_PACKAGES inside the copy"
    if ! (umask 022; in_root "$target" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $JDK_PACKAGES && apt-get clean") >>"$log" 2>&1; then
        tail -n 5 "$log" >&2
        fail 7 "apt-get install $JDK_PACKAGES in the trixie root failed (full log: $log)" "check the network to deb.debian.org, then run $self again"
    fi
    [ -x "$target$JAVA_IN_ROOT" ] || fail 7 "$JAVA_IN_ROOT is missing after installing $JDK_PACKAGES" "adjust JAVA_IN_ROOT in $self"
    say "apt-get install took $((SECONDS - t)) s"
}

prepare=false
if [ "${1:-}" = --prepare ]; then prepare=true; shift; fi
if $prepare; then
    [ $# -eq 1 ] || fail 2 "usage: $0 --prepare CACHE_DIR" "give the Qt 6.8 root's cache"
else
    [ $# -ge 2 ] || fail 2 "usage: $0 CACHE_DIR OUT_DIR [RUN OPTIONS...]" "give the Qt 6.8 root's cache and a report root"
fi
[ "$(id -u)" = 0 ] || fail 3 "must run as root (unshare --mount and chroot need it)" "sudo $0 $*"
cache=$1
shift
case $cache in /*) ;; *) fail 2 "CACHE_DIR must be an absolute path, got $cache" "pass an absolute path" ;; esac
private_dir "$cache" || fail 6 "$cache must be a directory owned by root with mode 0700 (not a symlink)" "mkdir -m 700 $cache"
if ! $prepare; then
    out=$1
    shift
    out=$(report_root "$out") || exit
    # Opened once, then bound through this descriptor (below): a user who owns a parent of OUT_DIR and renames it, or
    # puts a link in its place, while the root is made (minutes) cannot send root's report into another directory.
    exec 7<"$out"
    [ "$(readlink "/proc/$$/fd/7")" = "$out" ] \
        || fail 6 "$out was renamed or replaced while it was opened" "give a report root whose parents no other user can write"
    for a in "$@"; do
        case $a in -o | --out | -o=* | --out=* | --state-dir | --state-dir=*) fail 2 "$a is set by this script" "leave it out (OUT_DIR is the report root)" ;; esac
    done
    command=(run -o /run/shmconform-out)
    if [ "${1:-}" = replay ]; then
        shift
        [ $# -ge 1 ] || fail 2 "replay needs a schedule FILE inside $out" "give one, e.g. $out/latest/fuzz/sysv/seed-1/shrunk.schedule.json"
        file=$(realpath -e -- "${*: -1}") || fail 2 "${*: -1} does not exist" "give a schedule file inside $out"
        case $file in "$out"/*) ;; *) fail 2 "$file is not inside $out (only OUT_DIR is visible in the root)" "copy it into $out" ;; esac
        # The same file as the root sees it: OUT_DIR is bound at /run/shmconform-out.
        set -- "${@:1:$#-1}" "/run/shmconform-out/${file#"$out"/}"
        command=(replay)
    fi
    # The jar as ./shmconform builds it (rebuilt when the sources are newer).
    "$repo/shmconform" --version >/dev/null || fail 7 "building the harness failed" "cd $repo && ./mvnw -B -DskipTests package"
    [ -f "$jar" ] || fail 7 "$jar is missing" "cd $repo && ./mvnw -B -DskipTests package"
fi

# The Qt 6.8 root: made by its own script (reused, not copied), which answers with its path.
qt68=$(bash "$repo/qt-worker/build-qt68-root.sh" --check "$cache" 2>/dev/null) \
    || qt68=$(bash "$repo/qt-worker/build-qt68-root.sh" "$cache") \
    || fail 7 "the Qt 6.8 root could not be built (its message is above)" "bash $repo/qt-worker/build-qt68-root.sh $cache"

dir=$cache/trixie-jdk
root=$dir/root
state=$dir/state
[ -e "$dir" ] || mkdir -m 700 -- "$dir"
private_dir "$dir" || fail 6 "$dir is not a root-owned 0700 directory" "rm -rf $dir (it is remade)"
[ ! -L "$dir/lock" ] || fail 6 "$dir/lock is a symlink" "rm -f $dir/lock"
exec 9>>"$dir/lock"
if ! flock -n 9; then
    say "another run holds $dir/lock; waiting for it"
    flock 9
fi
inputs=$( { cat "$cache/qt68/root.inputs"; echo "$JDK_PACKAGES $JAVA_IN_ROOT"; declare -f in_root make_root; } | sha256sum | cut -d' ' -f1)
if [ -d "$root" ] && [ ! -L "$root" ] && [ -f "$dir/root.inputs" ] && [ ! -L "$dir/root.inputs" ] && [ "$(cat "$dir/root.inputs")" = "$inputs" ]; then
    say "trixie root with $JDK_PACKAGES is up to date ($root)"
else
    t=$SECONDS
    rm -f -- "$dir/root.inputs"
    rm -rf --one-file-system -- "$dir/root.new" "$root"
    : >"$dir/build.log"
    make_root "$qt68" "$dir/root.new" "$dir/build.log"
    mv -- "$dir/root.new" "$root"
    echo "$inputs" >"$dir/root.inputs"
    say "trixie root with $JDK_PACKAGES made in $((SECONDS - t)) s"
fi
if $prepare; then echo "$root"; exit 0; fi
[ -e "$state" ] || mkdir -m 700 -- "$state"
private_dir "$state" || fail 6 "$state is not a root-owned 0700 directory" "rm -rf $state"
# The workers' TMPDIRs (System V key files) on the same file system as the host harness's, /run:
# ftok keys come from inode numbers, and a tmpfs numbers inodes differently from, say, ext4.
share=/run/shmconform-trixie-share
[ -e "$share" ] || mkdir -m 711 -- "$share"
[ ! -L "$share" ] && [ -d "$share" ] && [ "$(stat -c '%u %a' -- "$share")" = "0 711" ] \
    || fail 6 "$share is not a root-owned 0711 directory" "rm -rf $share (it is remade)"

say "running shmconform ${command[*]} $* in $root (java $(chroot "$root" dpkg-query -W -f '${Version}' "${JDK_PACKAGES%% *}"))"
# Inside a private mount namespace; the harness is the last exec, so its exit status is ours.
set +e
unshare --mount --propagation private -- bash -c '
    set -e
    r=$1 jar=$2 state=$3 share=$4 out=$5 java=$6 n=$7
    shift 7
    command=("${@:1:n}")
    shift "$n"
    mount --rbind /dev "$r/dev"     # /dev/shm: POSIX objects are the host'"'"'s
    mount --rbind /proc "$r/proc"   # same pid namespace: the host'"'"'s /proc is the right one
    mount --rbind /sys "$r/sys"     # the JVM reads its cgroup limits there
    mount -t tmpfs -o mode=755,size=64m shmconform-trixie "$r/run"
    mount -t tmpfs -o mode=1777,size=64m shmconform-trixie "$r/tmp"
    mkdir -m 700 "$r/run/shmconform" "$r/run/shmconform-out"
    mkdir -m 711 "$r/run/shmconform-share"
    mkdir -m 755 "$r/run/shmconform-jar"
    mount --bind "$state" "$r/run/shmconform"
    mount --bind "$share" "$r/run/shmconform-share"
    mount --bind /proc/self/fd/7 "$r/run/shmconform-out"   # OUT_DIR as opened above, wherever it is now
    : >"$r/run/shmconform-jar/shmconform.jar"
    mount --bind "$jar" "$r/run/shmconform-jar/shmconform.jar"
    mount -o remount,bind,ro "$r/run/shmconform-jar/shmconform.jar"
    exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost \
        "$java" -Dapi.version=1.41 -jar /run/shmconform-jar/shmconform.jar "${command[@]}" --state-dir=/run/shmconform "$@"
' run-in-trixie "$root" "$jar" "$state" "$share" "$out" "$JAVA_IN_ROOT" "${#command[@]}" "${command[@]}" "$@" >&2
status=$?
set -e
if [ "${command[0]}" = run ] && [ -L "$out/latest" ]; then echo "$out/$(readlink "$out/latest")"; fi
exit $status
