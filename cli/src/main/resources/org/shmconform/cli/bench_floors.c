/*
 * bench_floors: the C floors `shmconform bench` prints its figures next to, measured in the same run.
 * Carried in the harness jar, compiled at bench time with the host's C compiler into the private cache.
 *   bench_floors pipe N    median round trip (us) of a protocol-sized line to a forked child that echoes it
 *   bench_floors sem N     mean lock/unlock pair (us) on a System V semaphore with SEM_UNDO, as Qt's
 *                          QSystemSemaphore and the sysv backend do (a private set, removed before exit)
 * Prints one number on stdout; errors on stderr, exit 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; };

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int fail(const char *what) {
    fprintf(stderr, "bench_floors: %s: %s\n", what, strerror(errno));
    return 1;
}

static int pipe_round_trips(int n) {
    int to[2], from[2];
    if (pipe(to) != 0 || pipe(from) != 0)
        return fail("pipe");
    pid_t child = fork();
    if (child < 0)
        return fail("fork");
    if (child == 0) {
        char buf[256];
        ssize_t r;
        close(to[1]);
        close(from[0]);
        while ((r = read(to[0], buf, sizeof buf)) > 0)
            if (write(from[1], buf, (size_t)r) != r)
                _exit(1);
        _exit(0);
    }
    close(to[0]);
    close(from[1]);
    static const char line[] = "{\"seq\":1,\"op\":\"size\"}\n"; /* the JVM pipe floor sends this size of line */
    const size_t len = sizeof line - 1;
    double *us = malloc(sizeof(double) * (size_t)n);
    char buf[256];
    for (int i = 0; i < n + 50; i++) { /* the first 50 warm caches up, as the JVM floor's do */
        double t0 = now_us();
        if (write(to[1], line, len) != (ssize_t)len)
            return fail("write");
        size_t got = 0;
        while (got < len) {
            ssize_t r = read(from[0], buf + got, len - got);
            if (r <= 0)
                return fail("read");
            got += (size_t)r;
        }
        if (i >= 50)
            us[i - 50] = now_us() - t0;
    }
    close(to[1]);
    waitpid(child, NULL, 0);
    qsort(us, (size_t)n, sizeof(double), by_value);
    printf("%.2f\n", us[n / 2]);
    return 0;
}

static int semaphore_pairs(int n) {
    int id = semget(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0600);
    if (id < 0)
        return fail("semget");
    union semun arg = {.val = 1};
    struct sembuf down = {0, -1, SEM_UNDO}, up = {0, 1, SEM_UNDO};
    int rc = 0;
    if (semctl(id, 0, SETVAL, arg) != 0) {
        rc = fail("semctl SETVAL");
    } else {
        for (int i = 0; i < n / 10 && rc == 0; i++) /* warm-up */
            if (semop(id, &down, 1) != 0 || semop(id, &up, 1) != 0)
                rc = fail("semop");
        double t0 = now_us();
        for (int i = 0; i < n && rc == 0; i++)
            if (semop(id, &down, 1) != 0 || semop(id, &up, 1) != 0)
                rc = fail("semop");
        if (rc == 0)
            printf("%.4f\n", (now_us() - t0) / n);
    }
    if (semctl(id, 0, IPC_RMID) != 0 && rc == 0)
        rc = fail("semctl IPC_RMID");
    return rc;
}

int main(int argc, char **argv) {
    int n = argc == 3 ? atoi(argv[2]) : 0;
    if (n >= 10 && strcmp(argv[1], "pipe") == 0)
        return pipe_round_trips(n);
    if (n >= 10 && strcmp(argv[1], "sem") == 0)
        return semaphore_pairs(n);
    fprintf(stderr, "usage: bench_floors pipe|sem N (N >= 10)\n");
    return 2;
}
