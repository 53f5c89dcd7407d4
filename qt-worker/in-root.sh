# Sourced by build-qt68-root.sh and examples/two-platforms/run-in-trixie.sh (never run on its own): the one
# place that enters a Debian root. The harness copies it with the other scripts into its private 0700 cache.

# Runs CMD chrooted in DIR with /proc, /dev and the host's resolv.conf (for apt-get), in a private mount
# namespace: whatever it mounts dies with it, so nothing stays mounted in the cache if it is killed.
in_root() { # in_root DIR CMD...
    local target=$1
    shift
    unshare --mount --propagation private -- bash -c '
        set -e
        t=$1; shift
        mount -t proc proc "$t/proc"
        mount --rbind /dev "$t/dev"
        if [ -f /etc/resolv.conf ]; then
            [ -e "$t/etc/resolv.conf" ] || : >"$t/etc/resolv.conf"
            mount --bind /etc/resolv.conf "$t/etc/resolv.conf"
        fi
        exec chroot "$t" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"
    ' in_root "$target" "$@"
}
