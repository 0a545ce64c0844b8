/* SPDX-License-Identifier: MIT */
/*
 * xcount: counts the X protocol traffic of a command, from outside the
 * command. It listens on a free local display, runs the command with
 * DISPLAY pointing there, forwards every connection to the real display
 * ($DISPLAY) and decodes both directions: requests (by name), replies,
 * errors, events and round trips.
 *
 *   xcount [-o FILE] COMMAND [ARG...]
 *
 * A round trip is one wait of the client for the server: the server
 * answered (setup reply, a reply or an error) and the client spoke (or
 * hung up) only after that. For a client that waits for every reply (Xlib)
 * that is exact; a client pipelining requests makes fewer. Each round trip
 * belongs to the request whose answer ended it, and so to a part of its
 * connection: "before" the first request that changes the RandR
 * configuration (connecting, queries), "apply" (from the first change to
 * the first answer after the last one) and "after" (reading back, closing).
 *
 * The figures go to FILE (default: stderr) as "KEY VALUE" lines; the exit
 * status is the command's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define X_SOCKET_DIR "/tmp/.X11-unix"
#define CONNS_MAX 64
#define EXT_PENDING_MAX 16

/* ---- request names ---------------------------------------------------------- */

static const char *const core_names[128] = {
        [1] = "CreateWindow",      [2] = "ChangeWindowAttributes", [3] = "GetWindowAttributes",
        [4] = "DestroyWindow",     [8] = "MapWindow",              [10] = "UnmapWindow",
        [12] = "ConfigureWindow",  [14] = "GetGeometry",           [15] = "QueryTree",
        [16] = "InternAtom",       [17] = "GetAtomName",           [18] = "ChangeProperty",
        [19] = "DeleteProperty",   [20] = "GetProperty",           [25] = "SendEvent",
        [36] = "GrabServer",       [37] = "UngrabServer",          [38] = "QueryPointer",
        [43] = "GetInputFocus",    [45] = "OpenFont",              [47] = "QueryFont",
        [53] = "CreatePixmap",     [55] = "CreateGC",              [60] = "FreeGC",
        [98] = "QueryExtension",   [99] = "ListExtensions",        [101] = "GetKeyboardMapping",
        [119] = "GetModifierMapping", [127] = "NoOperation",
};

static const char *const randr_names[] = {
        "QueryVersion",          "OldGetScreenInfo",       "SetScreenConfig",
        "OldScreenChangeSelectInput", "SelectInput",       "GetScreenInfo",
        "GetScreenSizeRange",    "SetScreenSize",          "GetScreenResources",
        "GetOutputInfo",         "ListOutputProperties",   "QueryOutputProperty",
        "ConfigureOutputProperty", "ChangeOutputProperty", "DeleteOutputProperty",
        "GetOutputProperty",     "CreateMode",             "DestroyMode",
        "AddOutputMode",         "DeleteOutputMode",       "GetCrtcInfo",
        "SetCrtcConfig",         "GetCrtcGammaSize",       "GetCrtcGamma",
        "SetCrtcGamma",          "GetScreenResourcesCurrent", "SetCrtcTransform",
        "GetCrtcTransform",      "GetPanning",             "SetPanning",
        "SetOutputPrimary",      "GetOutputPrimary",       "GetProviders",
        "GetProviderInfo",       "SetProviderOffloadSink", "SetProviderOutputSource",
        "ListProviderProperties", "QueryProviderProperty", "ConfigureProviderProperty",
        "ChangeProviderProperty", "DeleteProviderProperty", "GetProviderProperty",
        "GetMonitors",           "SetMonitor",             "DeleteMonitor",
        "CreateLease",           "FreeLease",
};
#define RANDR_NAMES (sizeof(randr_names) / sizeof(randr_names[0]))

/* RandR requests that change the server's configuration */
static bool randr_changes(unsigned minor)
{
        switch (minor) {
        case 2: case 7: case 13: case 14: case 16: case 17: case 18: case 19: case 21: case 24:
        case 26: case 29: case 30: case 34: case 35: case 43: case 44: case 45: case 46:
                return true;
        }
        return false;
}

/* extension names by major opcode, learnt from QueryExtension replies */
static char ext_names[256][32];
static int randr_major = -1;

/* ---- counters ----------------------------------------------------------------- */

static struct {
        unsigned long connections, requests, replies, errors, events;
        unsigned long round_trips, round_trips_before, round_trips_apply, round_trips_after;
        unsigned long changes, queries;
        unsigned long by_opcode[256][256];
} total;

/* ---- connections ---------------------------------------------------------------- */

struct buf {
        unsigned char *data;
        size_t len, size;
};

struct conn {
        int cfd, sfd;
        struct buf c2s, s2c;
        bool c_setup_done, s_setup_done, big_endian;
        uint64_t seq;         /* requests sent so far */
        uint64_t first_change, last_change; /* sequence numbers of changes, 0: none yet */
        bool answered;
        uint64_t answered_seq; /* the request whose answer came last (0: the setup) */
        uint64_t *rt_seq;      /* per round trip, the request it waited for */
        size_t n_rt, size_rt;
        struct { uint64_t seq; char name[32]; } ext_pending[EXT_PENDING_MAX];
        unsigned n_ext_pending;
};

static struct conn *conns[CONNS_MAX];

static int buf_append(struct buf *b, const void *p, size_t n)
{
        if (b->len + n > b->size) {
                size_t size = b->size ? b->size : 4096;
                unsigned char *d;

                while (size < b->len + n)
                        size *= 2;
                d = realloc(b->data, size);
                if (!d)
                        return -ENOMEM;
                b->data = d;
                b->size = size;
        }
        memcpy(b->data + b->len, p, n);
        b->len += n;
        return 0;
}

static void buf_consume(struct buf *b, size_t n)
{
        memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
}

static unsigned get16(const struct conn *c, const unsigned char *p)
{
        return c->big_endian ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

static uint32_t get32(const struct conn *c, const unsigned char *p)
{
        return c->big_endian ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                             : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static size_t pad4(size_t n)
{
        return (n + 3) & ~(size_t)3;
}

/* the full sequence number of a request from the 16 bits on the wire */
static uint64_t full_seq(const struct conn *c, unsigned wire)
{
        uint64_t s = (c->seq & ~(uint64_t)0xffff) | wire;

        if (s > c->seq && s >= 0x10000)
                s -= 0x10000;
        return s;
}

static void count_request(struct conn *c, const unsigned char *p, size_t len)
{
        unsigned major = p[0], minor = major >= 128 ? p[1] : 0;

        c->seq++;
        total.requests++;
        total.by_opcode[major][minor]++;
        if ((int)major == randr_major) {
                if (randr_changes(minor)) {
                        total.changes++;
                        if (!c->first_change)
                                c->first_change = c->seq;
                        c->last_change = c->seq;
                }
                if (minor == 8 || minor == 25)
                        total.queries++;
        }
        if (major == 98 && len >= 8 && c->n_ext_pending < EXT_PENDING_MAX) {
                unsigned n = get16(c, p + 4);

                if (n > 31)
                        n = 31;
                if (8 + n <= len) {
                        c->ext_pending[c->n_ext_pending].seq = c->seq;
                        memcpy(c->ext_pending[c->n_ext_pending].name, p + 8, n);
                        c->ext_pending[c->n_ext_pending].name[n] = 0;
                        c->n_ext_pending++;
                }
        }
}

static void parse_client(struct conn *c)
{
        struct buf *b = &c->c2s;

        for (;;) {
                size_t len;

                if (!c->c_setup_done) {
                        if (b->len < 12)
                                return;
                        c->big_endian = b->data[0] == 'B';
                        len = 12 + pad4(get16(c, b->data + 6)) + pad4(get16(c, b->data + 8));
                        if (b->len < len)
                                return;
                        c->c_setup_done = true;
                        buf_consume(b, len);
                        continue;
                }
                if (b->len < 4)
                        return;
                len = (size_t)get16(c, b->data + 2) * 4;
                if (len == 0) { /* BIG-REQUESTS: a 32-bit length follows */
                        if (b->len < 8)
                                return;
                        len = (size_t)get32(c, b->data + 4) * 4;
                        if (len < 8)
                                len = 8;
                }
                if (b->len < len)
                        return;
                count_request(c, b->data, len);
                buf_consume(b, len);
        }
}

static void answered(struct conn *c, unsigned wire_seq)
{
        uint64_t s = full_seq(c, wire_seq);

        c->answered = true;
        c->answered_seq = s;
}

static void parse_server(struct conn *c)
{
        struct buf *b = &c->s2c;

        for (;;) {
                size_t len;
                unsigned type;

                if (!c->s_setup_done) {
                        if (b->len < 8)
                                return;
                        len = 8 + (size_t)get16(c, b->data + 6) * 4;
                        if (b->len < len)
                                return;
                        c->s_setup_done = true;
                        c->answered = true;
                        c->answered_seq = 0;
                        buf_consume(b, len);
                        continue;
                }
                if (b->len < 32)
                        return;
                type = b->data[0] & 0x7f;
                len = 32;
                if (type == 1 || type == 35)
                        len += (size_t)get32(c, b->data + 4) * 4;
                if (b->len < len)
                        return;
                if (type == 0) {
                        total.errors++;
                        answered(c, get16(c, b->data + 2));
                } else if (type == 1) {
                        uint64_t s = full_seq(c, get16(c, b->data + 2));

                        total.replies++;
                        answered(c, get16(c, b->data + 2));
                        for (unsigned i = 0; i < c->n_ext_pending; i++) {
                                if (c->ext_pending[i].seq != s)
                                        continue;
                                if (b->data[8]) {
                                        unsigned op = b->data[9];
                                        snprintf(ext_names[op], sizeof(ext_names[op]), "%s", c->ext_pending[i].name);
                                        for (char *q = ext_names[op]; *q; q++)
                                                if (*q == ' ')
                                                        *q = '-';
                                        if (!strcmp(c->ext_pending[i].name, "RANDR"))
                                                randr_major = (int)op;
                                }
                                c->ext_pending[i] = c->ext_pending[--c->n_ext_pending];
                                break;
                        }
                } else
                        total.events++;
                buf_consume(b, len);
        }
}

/* The client spoke or hung up: if it had been answered, that was a wait. */
static void client_turn(struct conn *c)
{
        if (!c->answered)
                return;
        c->answered = false;
        if (c->n_rt == c->size_rt) {
                size_t size = c->size_rt ? 2 * c->size_rt : 64;
                uint64_t *p = realloc(c->rt_seq, size * sizeof(*p));
                if (!p)
                        return;
                c->rt_seq = p;
                c->size_rt = size;
        }
        c->rt_seq[c->n_rt++] = c->answered_seq;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                struct pollfd pf = { .fd = fd, .events = POLLOUT };
                                poll(&pf, 1, 1000);
                                continue;
                        }
                        return -errno;
                }
                p += k;
                n -= (size_t)k;
        }
        return 0;
}

static void conn_close(struct conn **slot)
{
        struct conn *c = *slot;
        bool after_last = false;

        /* the connection's round trips by part (see the top of the file) */
        for (size_t i = 0; i < c->n_rt; i++) {
                uint64_t s = c->rt_seq[i];

                total.round_trips++;
                if (!c->first_change || s < c->first_change)
                        total.round_trips_before++;
                else if (s <= c->last_change || !after_last) {
                        total.round_trips_apply++;
                        after_last |= s > c->last_change;
                } else
                        total.round_trips_after++;
        }
        free(c->rt_seq);
        close(c->cfd);
        close(c->sfd);
        free(c->c2s.data);
        free(c->s2c.data);
        free(c);
        *slot = NULL;
}

/* ---- sockets ------------------------------------------------------------------------- */

static int unix_socket(const char *path, bool abstract, struct sockaddr_un *sa, socklen_t *salen)
{
        memset(sa, 0, sizeof(*sa));
        sa->sun_family = AF_UNIX;
        if (abstract) {
                snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1, "%s", path);
                *salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path));
        } else {
                snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", path);
                *salen = (socklen_t)sizeof(*sa);
        }
        return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static int connect_server(const char *path)
{
        struct sockaddr_un sa;
        socklen_t salen;

        for (int abstract = 0; abstract < 2; abstract++) {
                int fd = unix_socket(path, abstract, &sa, &salen);
                if (fd < 0)
                        return -errno;
                if (connect(fd, (struct sockaddr *)&sa, salen) == 0)
                        return fd;
                close(fd);
        }
        return -ECONNREFUSED;
}

/* Listens on the first free display from 600 on, on both the socket file and
 * the abstract name (Xlib tries the latter first). */
static int listen_display(int fds[2], char *path, size_t size)
{
        for (int n = 600; n < 1000; n++) {
                char lock[64];
                struct sockaddr_un sa;
                socklen_t salen;
                int fd, afd;

                snprintf(path, size, X_SOCKET_DIR "/X%d", n);
                snprintf(lock, sizeof(lock), "/tmp/.X%d-lock", n);
                if (access(path, F_OK) == 0 || access(lock, F_OK) == 0)
                        continue;
                afd = unix_socket(path, true, &sa, &salen);
                if (afd < 0)
                        return -errno;
                if (bind(afd, (struct sockaddr *)&sa, salen) < 0) {
                        close(afd);
                        continue;
                }
                fd = unix_socket(path, false, &sa, &salen);
                if (fd < 0 || bind(fd, (struct sockaddr *)&sa, salen) < 0) {
                        if (fd >= 0)
                                close(fd);
                        close(afd);
                        continue;
                }
                if (listen(fd, 16) < 0 || listen(afd, 16) < 0) {
                        unlink(path);
                        close(fd);
                        close(afd);
                        return -errno;
                }
                fds[0] = fd;
                fds[1] = afd;
                return n;
        }
        return -EADDRINUSE;
}

static void accept_conn(int lfd, const char *server_path)
{
        int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), sfd;
        struct conn *c;
        unsigned i;

        if (cfd < 0)
                return;
        for (i = 0; i < CONNS_MAX && conns[i]; i++)
                ;
        sfd = connect_server(server_path);
        if (i == CONNS_MAX || sfd < 0) {
                fprintf(stderr, "xcount: cannot connect to the X server at %s: %s\n", server_path,
                        sfd < 0 ? strerror(-sfd) : "too many connections");
                if (sfd >= 0)
                        close(sfd);
                close(cfd);
                return;
        }
        c = calloc(1, sizeof(*c));
        if (!c) {
                close(cfd);
                close(sfd);
                return;
        }
        c->cfd = cfd;
        c->sfd = sfd;
        conns[i] = c;
        total.connections++;
}

/* Moves what one side sent to the other. false: that side hung up. */
static bool pump(struct conn *c, bool from_client)
{
        unsigned char data[65536];
        ssize_t n = read(from_client ? c->cfd : c->sfd, data, sizeof(data));

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return true;
        if (n <= 0) {
                if (from_client)
                        client_turn(c);
                return false;
        }
        if (from_client) {
                client_turn(c);
                if (buf_append(&c->c2s, data, (size_t)n) == 0)
                        parse_client(c);
                return write_all(c->sfd, data, (size_t)n) == 0;
        }
        if (buf_append(&c->s2c, data, (size_t)n) == 0)
                parse_server(c);
        return write_all(c->cfd, data, (size_t)n) == 0;
}

/* ---- report ---------------------------------------------------------------------------- */

static void report(FILE *f)
{
        fprintf(f, "connections %lu\nrequests %lu\nreplies %lu\nerrors %lu\nevents %lu\n", total.connections,
                total.requests, total.replies, total.errors, total.events);
        fprintf(f, "round_trips %lu\nround_trips_before %lu\nround_trips_apply %lu\nround_trips_after %lu\n",
                total.round_trips, total.round_trips_before, total.round_trips_apply, total.round_trips_after);
        fprintf(f, "changes %lu\nqueries %lu\n", total.changes, total.queries);
        for (unsigned major = 0; major < 256; major++)
                for (unsigned minor = 0; minor < 256; minor++) {
                        unsigned long n = total.by_opcode[major][minor];

                        if (!n)
                                continue;
                        if (major < 128)
                                fprintf(f, "request core.%s %lu\n", core_names[major] ? core_names[major] : "?", n);
                        else if ((int)major == randr_major && minor < RANDR_NAMES)
                                fprintf(f, "request RANDR.%s %lu\n", randr_names[minor], n);
                        else
                                fprintf(f, "request %s.%u %lu\n", ext_names[major][0] ? ext_names[major] : "?", minor, n);
                }
}

static int display_number(const char *d)
{
        const char *colon = d ? strrchr(d, ':') : NULL;
        char *end;
        long n;

        /* only local displays: ":N", ":N.S", "unix:N" */
        if (!colon || (colon != d && strncmp(d, "unix:", 5)))
                return -1;
        n = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || (*end && *end != '.') || n < 0 || n > 65535)
                return -1;
        return (int)n;
}

int main(int argc, char **argv)
{
        const char *out = NULL;
        char server_path[108], path[108], disp[32];
        int lfds[2] = { -1, -1 }, n, status = 0, argi = 1;
        pid_t child;
        bool child_done = false;
        struct timespec until = { 0, 0 };
        FILE *f;

        if (argi + 1 < argc && !strcmp(argv[argi], "-o")) {
                out = argv[argi + 1];
                argi += 2;
        }
        if (argi >= argc) {
                fprintf(stderr, "usage: xcount [-o FILE] COMMAND [ARG...]\n");
                return 2;
        }
        n = display_number(getenv("DISPLAY"));
        if (n < 0) {
                fprintf(stderr, "xcount: DISPLAY (%s) is not a local display\n", getenv("DISPLAY") ?: "unset");
                return 2;
        }
        snprintf(server_path, sizeof(server_path), X_SOCKET_DIR "/X%d", n);
        n = connect_server(server_path);
        if (n < 0) {
                fprintf(stderr, "xcount: cannot connect to the X server at %s: %s\n", server_path, strerror(-n));
                return 1;
        }
        close(n);
        n = listen_display(lfds, path, sizeof(path));
        if (n < 0) {
                fprintf(stderr, "xcount: cannot listen on a display of its own: %s\n", strerror(-n));
                return 1;
        }
        snprintf(disp, sizeof(disp), ":%d", n);
        signal(SIGPIPE, SIG_IGN);

        child = fork();
        if (child < 0) {
                fprintf(stderr, "xcount: fork: %m\n");
                unlink(path);
                return 1;
        }
        if (child == 0) {
                setenv("DISPLAY", disp, 1);
                execvp(argv[argi], argv + argi);
                fprintf(stderr, "xcount: cannot run %s: %m\n", argv[argi]);
                _exit(127);
        }

        for (;;) {
                struct pollfd pfds[2 + 2 * CONNS_MAX];
                unsigned np = 0, nconns = 0, slot[CONNS_MAX];

                if (!child_done && waitpid(child, &status, WNOHANG) == child) {
                        child_done = true;
                        clock_gettime(CLOCK_MONOTONIC, &until);
                        until.tv_sec += 5;
                }
                for (unsigned i = 0; i < CONNS_MAX; i++)
                        nconns += conns[i] != NULL;
                if (child_done) {
                        struct timespec now;
                        clock_gettime(CLOCK_MONOTONIC, &now);
                        if (nconns == 0 || now.tv_sec > until.tv_sec)
                                break;
                }
                pfds[np++] = (struct pollfd){ .fd = lfds[0], .events = POLLIN };
                pfds[np++] = (struct pollfd){ .fd = lfds[1], .events = POLLIN };
                nconns = 0;
                for (unsigned i = 0; i < CONNS_MAX; i++)
                        if (conns[i]) {
                                slot[nconns++] = i;
                                pfds[np++] = (struct pollfd){ .fd = conns[i]->sfd, .events = POLLIN };
                                pfds[np++] = (struct pollfd){ .fd = conns[i]->cfd, .events = POLLIN };
                        }
                if (poll(pfds, np, 10) <= 0)
                        continue;
                for (unsigned k = 0; k < 2; k++)
                        if (pfds[k].revents & POLLIN)
                                accept_conn(pfds[k].fd, server_path);
                /* per connection the server side first: an answer the client
                 * read before speaking again was forwarded before it */
                for (unsigned j = 0; j < nconns; j++) {
                        struct conn *c = conns[slot[j]];
                        const struct pollfd *ps = &pfds[2 + 2 * j], *pc = ps + 1;
                        bool ok = true;

                        if (ps->revents & (POLLIN | POLLHUP | POLLERR))
                                ok = pump(c, false);
                        if (ok && (pc->revents & (POLLIN | POLLHUP | POLLERR)))
                                ok = pump(c, true);
                        if (!ok)
                                conn_close(&conns[slot[j]]);
                }
        }
        unlink(path);
        for (unsigned i = 0; i < CONNS_MAX; i++)
                if (conns[i])
                        conn_close(&conns[i]);
        f = out ? fopen(out, "w") : stderr;
        if (!f) {
                fprintf(stderr, "xcount: cannot write %s: %m\n", out);
                return 1;
        }
        report(f);
        if (out)
                fclose(f);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
