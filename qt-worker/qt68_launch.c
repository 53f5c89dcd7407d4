/*
 * qt68-launch: starts the Qt 6.8 worker inside the Debian 13 root made by build-qt68-root.sh, exactly as
 * run-in-qt68-root.sh does (the same checks, the same mounts, the same refusals and exit statuses), in one process
 * and without a shell, mount(8), mkdir(1), unshare(1) or chroot(8): that script's chain of about ten execs was three
 * fifths of the machine's CPU in a qt68 fuzz (perf: bash 25 %, mount 17 %, mkdir 5 %, the worker itself 15 %).
 * The harness compiles it with the host's cc into its private cache (Qt68Launcher) and falls back to the script
 * where it cannot.
 *
 *   qt68-launch ROOT [--userspec=UID:GID] [WORKER ARGS...]      (as root)
 *
 * In a private mount namespace (unshare CLONE_NEWNS, propagation private): /dev and /proc of the host bound into
 * ROOT, $TMPDIR and $XDG_RUNTIME_DIR bound at the same paths onto a fresh tmpfs laid over ROOT/run or ROOT/tmp (the
 * cached root is never written to), LD_PRELOAD and LD_LIBRARY_PATH dropped, chroot, the user switched if asked, then
 * exec of the worker: the caller's child is the worker itself. When SHMCONFORM_PARENT_PID names the parent, it arms
 * the parent-death signal (SIGKILL) first and again after a user switch (which clears it), exiting at once if the
 * parent is already another: nothing started by a harness outlives it.
 * On refusal: one line on stderr, exit 2 (bad arguments or paths) or 3 (not root).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static const char WORKER_IN_ROOT[] = "/opt/shmconform/qt_shm_worker";
static char root[PATH_MAX];
static int run_covered, tmp_covered;

static void fail(int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("qt68-launch: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(status);
}

static void joined(char *out, const char *a, const char *b) {
    if (snprintf(out, PATH_MAX, "%s%s", a, b) >= PATH_MAX) {
        fail(2, "%s%s is too long", a, b);
    }
}

/* SIGKILL at the parent's death, if the harness asked; a parent already gone leaves this process to nobody. */
static void die_with_parent(void) {
    const char *parent = getenv("SHMCONFORM_PARENT_PID");
    if (parent != NULL && (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != (pid_t) strtoll(parent, NULL, 10))) {
        _exit(3);
    }
}

/* mkdir -p of an absolute path on the fresh tmpfs (nobody else can write there). */
static void make_dirs(const char *path) {
    char buf[PATH_MAX];
    joined(buf, path, "");
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
                fail(2, "cannot make %s: %s", buf, strerror(errno));
            }
            *p = '/';
        }
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
        fail(2, "cannot make %s: %s", buf, strerror(errno));
    }
}

/* share DIR: bind the host's DIR at the same path inside (run-in-qt68-root.sh's share). */
static void share(const char *d) {
    struct stat st;
    char target[PATH_MAX];
    if (d == NULL || *d == '\0') {
        return;
    }
    if (d[0] != '/') {
        fail(2, "%s must be an absolute path", d);
    }
    if (strstr(d, "..") != NULL) {
        fail(2, "%s must not contain ..", d);
    }
    if (lstat(d, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fail(2, "%s is not a directory", d);
    }
    size_t top = strcspn(d + 1, "/") + 1; /* the first component, with its slash */
    int *covered;
    if (top == 4 && strncmp(d, "/run", 4) == 0) {
        covered = &run_covered;
    } else if (top == 4 && strncmp(d, "/tmp", 4) == 0) {
        covered = &tmp_covered;
    } else {
        fail(2, "%s must be under /run or /tmp (the cached root is not changed to make room for it)", d);
    }
    if (!*covered) {
        char top_dir[5];
        memcpy(top_dir, d, 4);
        top_dir[4] = '\0';
        joined(target, root, top_dir);
        if (mount("shmconform-qt68", target, "tmpfs", 0, "mode=755,size=1m") != 0) {
            fail(2, "cannot lay a tmpfs over %s: %s", target, strerror(errno));
        }
        *covered = 1;
    }
    joined(target, root, d);
    make_dirs(target);
    if (mount(d, target, NULL, MS_BIND, NULL) != 0) {
        fail(2, "cannot bind %s onto %s: %s", d, target, strerror(errno));
    }
}

static void bind_tree(const char *host) {
    char target[PATH_MAX];
    joined(target, root, host);
    if (mount(host, target, NULL, MS_BIND | MS_REC, NULL) != 0) {
        fail(2, "cannot bind %s onto %s: %s", host, target, strerror(errno));
    }
}

int main(int argc, char **argv) {
    struct stat st;
    char worker[PATH_MAX];
    die_with_parent();
    if (argc < 2) {
        fail(2, "usage: %s ROOT [--userspec=UID:GID] [WORKER ARGS...]", argv[0]);
    }
    if (geteuid() != 0) {
        fail(3, "must run as root (unshare --mount and chroot need it): sudo %s", argv[0]);
    }
    if (argv[1][0] != '/') {
        fail(2, "ROOT must be an absolute path, got %s", argv[1]);
    }
    joined(root, argv[1], "");
    joined(worker, root, WORKER_IN_ROOT);
    if (lstat(root, &st) != 0 || !S_ISDIR(st.st_mode) || stat(worker, &st) != 0 || !S_ISREG(st.st_mode)) {
        fail(2, "%s is not a built Qt 6.8 root: run qt-worker/build-qt68-root.sh CACHE_DIR", root);
    }
    int next = 2;
    int switch_user = 0;
    unsigned long uid = 0, gid = 0;
    if (next < argc && strncmp(argv[next], "--userspec=", 11) == 0) {
        char *colon, *end;
        uid = strtoul(argv[next] + 11, &colon, 10);
        if (colon == argv[next] + 11 || *colon != ':' || (gid = strtoul(colon + 1, &end, 10), end == colon + 1 || *end != '\0')) {
            fail(2, "--userspec must be UID:GID in numbers, got %s", argv[next] + 11);
        }
        switch_user = 1;
        next++;
    }

    if (unshare(CLONE_NEWNS) != 0) {
        fail(2, "cannot make a private mount namespace: %s", strerror(errno));
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fail(2, "cannot make the mounts private: %s", strerror(errno));
    }
    /* The cached root, read-only in this namespace: a worker of another user is dumpable, so any process of its user
       could write the root's /tmp and /var/tmp (1777) through /proc/PID/root, into the harness's private cache. What a
       worker writes goes to the run's directories shared below, on a tmpfs of their own, and to /dev/shm. */
    if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) != 0
            || mount(NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0) {
        fail(2, "cannot make %s read-only: %s", root, strerror(errno));
    }
    bind_tree("/dev");  /* /dev/shm: POSIX shared memory and named semaphores */
    bind_tree("/proc"); /* same pid namespace: the host's /proc is the right one */
    const char *tmp = getenv("TMPDIR");
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    share(tmp);
    if (strcmp(xdg == NULL ? "" : xdg, tmp == NULL ? "" : tmp) != 0) {
        share(xdg);
    }
    /* The host's library settings mean nothing in the root. */
    unsetenv("LD_PRELOAD");
    unsetenv("LD_LIBRARY_PATH");
    if (chroot(root) != 0 || chdir("/") != 0) {
        fail(2, "cannot enter %s: %s", root, strerror(errno));
    }
    if (switch_user) {
        gid_t g = (gid_t) gid;
        if (setgroups(1, &g) != 0 || setgid(g) != 0 || setuid((uid_t) uid) != 0) {
            fail(2, "cannot become %lu:%lu: %s", uid, gid, strerror(errno));
        }
        die_with_parent(); /* the uid change cleared it */
    }
    char **args = calloc((size_t) (argc - next) + 2, sizeof *args);
    if (args == NULL) {
        fail(2, "out of memory");
    }
    args[0] = (char *) WORKER_IN_ROOT;
    for (int i = next; i < argc; i++) {
        args[i - next + 1] = argv[i];
    }
    execv(WORKER_IN_ROOT, args);
    fail(2, "cannot run %s in %s: %s", WORKER_IN_ROOT, root, strerror(errno));
    return 2;
}
