/* SPDX-License-Identifier: MIT */
/* Bounds on waiting for the display server; see deadline.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "agent/display/deadline.h"

static char message[512];
static size_t message_len;
static int exit_status = 1;

static void expired(int sig)
{
        /* async-signal-safe: the message was formatted when the timer was armed */
        ssize_t r = write(STDERR_FILENO, message, message_len);

        (void)sig;
        (void)r;
        _exit(exit_status); /* layering: the deadline the program armed ends it (see deadline.h) */
}

/* The bound for what: the program's (chosen > 0), the default, or
 * $VMODES_X_TIMEOUT. */
static int seconds_for(enum vmodes_deadline_wait what, double chosen, double *out, struct vmodes_error *err)
{
        const char *v = getenv("VMODES_X_TIMEOUT");
        char q[64];
        char *end = NULL;
        double d;

        *out = chosen > 0                       ? chosen
               : what == VMODES_DEADLINE_CONNECT ? VMODES_DEADLINE_CONNECT_SECONDS
                                                 : VMODES_DEADLINE_ANSWER_SECONDS;
        if (!v)
                return 0;
        d = strspn(v, "0123456789.") == strlen(v) ? strtod(v, &end) : -1.0;
        if (!*v || d < 0.1 || d > 3600.0 || *end)
                return vmodes_error_set(err, -EINVAL, "VMODES_X_TIMEOUT='%s' is not a number of seconds (0.1 to 3600)",
                                        vmodes_excerpt(q, sizeof(q), v, strlen(v)));
        *out = d;
        return 0;
}

int vmodes_deadline_arm(enum vmodes_deadline_wait what, double chosen, const char *server, int status,
                        struct vmodes_error *err)
{
        static const char *const doing[] = {
                [VMODES_DEADLINE_CONNECT] = " while connecting",
                [VMODES_DEADLINE_QUERY] = " while reading the heads",
                [VMODES_DEADLINE_CHANGE] = " while changing the layout (it may be partly changed)",
                [VMODES_DEADLINE_ANSWER] = "",
        };
        struct sigaction sa = { .sa_handler = expired };
        struct itimerval t = { { 0, 0 }, { 0, 0 } };
        double seconds;
        int n, r;

        r = seconds_for(what, chosen, &seconds, err);
        if (r < 0)
                return r;
        n = snprintf(message, sizeof(message), "vmodes: %s did not answer within %g s%s: is it stopped or hung?\n",
                     server, seconds, doing[what]);
        message_len = n < 0 ? 0 : (size_t)n < sizeof(message) ? (size_t)n : sizeof(message) - 1;
        exit_status = status;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGALRM, &sa, NULL);
        t.it_value.tv_sec = (time_t)seconds;
        t.it_value.tv_usec = (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6);
        setitimer(ITIMER_REAL, &t, NULL);
        return 0;
}

void vmodes_deadline_clear(void)
{
        struct itimerval t = { { 0, 0 }, { 0, 0 } };

        setitimer(ITIMER_REAL, &t, NULL);
}
