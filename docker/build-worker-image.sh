#!/usr/bin/env bash
# Builds the container worker image offline (no registry is reachable): a jlink'ed copy of the host
# JDK, the shared libraries it and a few tools need (found with ldd), JNA's native library, packed
# FROM scratch as a tar and imported with `docker import`.
#
#   build-worker-image.sh --jna-jar PATH [--lock FILE] [--print-tag] [--force]
#
# The last line on stdout is the image tag, shmconform-worker:<hash>. The hash covers the JDK's
# version, this script and the JNA native library, so the same inputs give the same tag and the
# build is skipped when that tag exists. The worker's jars are NOT in the image: the harness
# bind-mounts them read-only at run time, so rebuilding the project never needs a new image.
# JNA must be started with -Djna.boot.library.path=/opt/jna -Djna.nounpack=true: its default unpacks
# libjnidispatch.so to /tmp, which fails on a read-only or noexec /tmp.
set -euo pipefail

DOCKER=/usr/bin/docker   # Debian's 20.10 client; /usr/local/bin/docker may be too new for the engine
# The harness names its own JDK (JDK_HOME), so the containers' workers run the Java its local workers run;
# run by hand, the script takes the java on PATH.
if [ -n "${JDK_HOME:-}" ]; then
    JDK=$JDK_HOME
else
    JDK=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
fi
# java.base+java.logging+jdk.unsupported: JNA; java.management: JVM facts the harness may read.
# jdeps also names java.sql and java.desktop, but only for optional code paths of jackson-databind and
# JNA (AWT); the protocol's JSON and JNA's libc calls were checked to work without them, and
# java.desktop alone would drag X11 libraries into the image (76 MB instead of ~45 MB).
MODULES=java.base,java.logging,jdk.unsupported,java.management
TOOLS="bash dash sleep kill ls cat rm mkdir touch stat readlink ipcs ipcmk ipcrm df id env"

log() { echo "build-worker-image: $*" >&2; }
die() { log "$*"; exit 1; }

JNA_JAR="" LOCK="" PRINT_TAG=false FORCE=false
while [ $# -gt 0 ]; do
    case "$1" in
        --jna-jar) JNA_JAR=$2; shift 2 ;;
        --lock) LOCK=$2; shift 2 ;;
        --print-tag) PRINT_TAG=true; shift ;;
        --force) FORCE=true; shift ;;
        *) die "unknown argument $1" ;;
    esac
done
[ -f "$JNA_JAR" ] || die "--jna-jar must name the JNA jar the workers use (got '$JNA_JAR')"
case "$(uname -m)" in
    x86_64) JNA_ARCH=linux-x86-64 ;;
    aarch64) JNA_ARCH=linux-aarch64 ;;
    *) die "no JNA native library mapping for $(uname -m)" ;;
esac
JNA_ENTRY=com/sun/jna/$JNA_ARCH/libjnidispatch.so

# The tag: what decides the image's content. JNA's native library must match the JNA jar mounted at
# run time, so its checksum is part of the tag.
jna_sum=$(unzip -p "$JNA_JAR" "$JNA_ENTRY" | sha256sum | cut -c1-64)
jdk_version=$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | grep -E 'java\.(runtime\.)?version|java\.vm\.version' | sort)
hash=$( { echo "$jdk_version"; echo "$MODULES $TOOLS"; echo "$jna_sum"; cat "$0"; } | sha256sum | cut -c1-12)
TAG=shmconform-worker:$hash
if $PRINT_TAG; then echo "$TAG"; exit 0; fi

"$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1 || die "no docker engine answers (run docker/start-engine.sh)"

# Two harness JVMs may ask for the image at once: one builds, the other waits and then finds it.
# The lock file is in the caller's private state directory (--lock), never in a shared directory such
# as /tmp, where another user could plant a link that root would then truncate; without one, the
# script locks itself (read-only), which serialises runs of this very copy only.
if [ -n "$LOCK" ]; then exec 9>>"$LOCK"; else exec 9<"$0"; fi
# Exit 75 (EX_TEMPFAIL): a wait that ran out says nothing about whether the image can be built (the harness: UNDECIDED).
# 240 s: inside the harness's 5-minute bound for the whole script, so that the wait's end is told, not cut off.
flock -w 240 9 || { log "timed out waiting for another build of the worker image"; exit 75; }

if ! $FORCE && "$DOCKER" image inspect "$TAG" >/dev/null 2>&1; then
    log "$TAG exists, not rebuilt"
    echo "$TAG"
    exit 0
fi

start=$(date +%s%N)
work=$(mktemp -d "${TMPDIR:-/tmp}/shmconform-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mkdir -p "$rootfs"/{opt,bin,etc,tmp,dev,proc,sys,run,root,lib64,opt/jna,opt/shmconform}
chmod 1777 "$rootfs/tmp"

"$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
    --compress=2 --output "$rootfs/opt/jre"
# Class data sharing archive: ~20 ms less per JVM start, and the harness starts many workers.
"$rootfs/opt/jre/bin/java" -Xshare:dump >/dev/null 2>&1 || log "CDS dump failed; image works without it"

for t in $TOOLS; do
    cp -L "$(type -P "$t")" "$rootfs/bin/$t" || die "tool $t not found on this machine"
done
ln -s dash "$rootfs/bin/sh"

unzip -p "$JNA_JAR" "$JNA_ENTRY" >"$rootfs/opt/jna/libjnidispatch.so"

# Every shared library an ELF file in the image needs, at the path the loader looks for it.
# JNA calls libc through dlopen("libc.so.6"), which ldd cannot see; libc is in the list anyway.
find "$rootfs" -type f \( -perm -u+x -o -name '*.so*' \) -print0 \
    | xargs -0 ldd 2>/dev/null \
    | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $2 ~ /^\(/ {print $1}' \
    | sort -u \
    | grep -v "^$rootfs" \
    | while read -r lib; do
        mkdir -p "$rootfs$(dirname "$lib")"
        cp -L "$lib" "$rootfs$lib"
    done
[ -e "$rootfs/lib64/ld-linux-x86-64.so.2" ] || [ "$JNA_ARCH" != linux-x86-64 ] \
    || cp -L /lib64/ld-linux-x86-64.so.2 "$rootfs/lib64/"
# Debian's usrmerge: /lib is a link to usr/lib on the host; the loader only follows absolute paths.
[ -d "$rootfs/usr/lib" ] && [ ! -e "$rootfs/lib" ] && ln -s usr/lib "$rootfs/lib"

printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"

tar -C "$rootfs" -cf "$work/rootfs.tar" .
"$DOCKER" import \
    -c 'ENV PATH=/opt/jre/bin:/bin' \
    -c 'WORKDIR /tmp' \
    -c 'CMD ["/bin/sleep", "3600"]' \
    "$work/rootfs.tar" "$TAG" >/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
log "built $TAG in ${ms} ms ($(du -sh "$work/rootfs.tar" | cut -f1) rootfs)"
echo "$TAG"
