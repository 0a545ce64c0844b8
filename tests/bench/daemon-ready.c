/* SPDX-License-Identifier: MIT */
/*
 * daemon-ready ROUNDS PROGRAM [ARGS...]: how long PROGRAM takes from exec to
 * READY=1 (sd_notify), as systemd's Type=notify sees it. Each round: a
 * datagram socket named by $NOTIFY_SOCKET, the clock read, fork + exec,
 * the time the READY=1 datagram arrives; then SIGTERM and wait. Prints
 * each round and the median, in milliseconds (CLOCK_MONOTONIC).
 * Exit status 1 when a round fails (no READY=1 within 30 s, the program
 * exits first).
 *
 * daemon-ready --floor: what a program that does nothing but send READY=1
 * costs (libc only): daemon-ready ROUNDS daemon-ready --floor is the floor
 * of the measurement.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS_MAX 100

static double now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int notify_socket(const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
                return -1;
        strcpy(sa.sun_path, path);
        unlink(path);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

/* The time from exec to READY=1 of one run, or a negative number. */
static double one_round(int fd, char **argv)
{
        char buf[4096];
        double t0, t = -1;
        pid_t pid;
        int status;

        t0 = now_ms();
        pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                execv(argv[0], argv);
                _exit(127);
        }
        while (t < 0) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t n;

                if (poll(&p, 1, 30000) <= 0 || waitpid(pid, &status, WNOHANG) == pid)
                        break;
                n = recv(fd, buf, sizeof(buf) - 1, 0);
                if (n < 0)
                        break;
                buf[n] = '\0';
                if (!strncmp(buf, "READY=1", 7) || strstr(buf, "\nREADY=1"))
                        t = now_ms() - t0;
        }
        kill(pid, SIGTERM);
        waitpid(pid, &status, 0);
        return t;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

/* Send READY=1 to $NOTIFY_SOCKET, then wait for a signal. */
static int floor_program(void)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *path = getenv("NOTIFY_SOCKET");
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (fd < 0 || !path || strlen(path) >= sizeof(sa.sun_path))
                return 1;
        strcpy(sa.sun_path, path);
        if (sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return 1;
        pause();
        return 0;
}

int main(int argc, char **argv)
{
        char path[] = "/tmp/daemon-ready-XXXXXX", sock[64];
        double t[ROUNDS_MAX];
        int rounds, fd;

        if (argc == 2 && !strcmp(argv[1], "--floor"))
                return floor_program();

        if (argc < 3 || (rounds = atoi(argv[1])) < 1 || rounds > ROUNDS_MAX) {
                fprintf(stderr, "usage: daemon-ready ROUNDS(1-%d) PROGRAM [ARGS...]\n", ROUNDS_MAX);
                return 2;
        }
        if (!mkdtemp(path))
                return 1;
        snprintf(sock, sizeof(sock), "%s/notify", path);
        fd = notify_socket(sock);
        if (fd < 0) {
                fprintf(stderr, "daemon-ready: cannot bind %s: %s\n", sock, strerror(errno));
                return 1;
        }
        setenv("NOTIFY_SOCKET", sock, 1);
        for (int i = 0; i < rounds; i++) {
                t[i] = one_round(fd, argv + 2);
                if (t[i] < 0) {
                        fprintf(stderr, "daemon-ready: round %d: no READY=1 from %s\n", i + 1, argv[2]);
                        return 1;
                }
                printf("round %d: %.1f ms\n", i + 1, t[i]);
        }
        unlink(sock);
        rmdir(path);
        qsort(t, (size_t)rounds, sizeof(t[0]), cmp);
        printf("median %.1f ms (min %.1f, max %.1f, %d rounds)\n", t[rounds / 2], t[0], t[rounds - 1], rounds);
        return 0;
}
