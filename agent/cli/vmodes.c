/* SPDX-License-Identifier: MIT */
/* vmodes — the command-line tool: dispatches to one subcommand. */

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "agent/cli/cli.h"
#include "modes/modes.h"

static const struct cli_command commands[] = {
        { "cvt", "compute a VESA CVT mode (like cvt(1), without its bugs)", cli_cvt },
        { "gtf", "compute a VESA GTF mode (like gtf(1))", cli_gtf },
        { "dmt", "show VESA DMT table modes", cli_dmt },
        { "mode", "show the mode a spec (2560x1440@44) or a modeline describes", cli_mode },
        { "status", "show the virtual GPUs, their driver, heads and memory, and what is wrong", cli_status },
        { "add", "add a mode to a head of the X session and switch to it (--apply)", cli_add },
        { "remove", "take a mode away from a head, or turn the head off", cli_remove },
        { "list", "show the heads of the X session, their modes, refresh rates and places", cli_list },
        { "apply", "apply a whole multi-head layout to the X session in one step", cli_apply },
        { "session", "the per-session agent: keep the configured layout applied (XDG autostart)", cli_session },
        { "config", "show or check the persistent config (vmodes.conf) and its X config", cli_config },
};

const char *cli_arg(const char *s)
{
        /* the modes library's quoting, as its own messages quote specs */
        static char bufs[4][CLI_ARG_SHOWN_MAX + sizeof("...")];
        static unsigned next;

        return vmodes_excerpt(bufs[next++ % 4], sizeof(bufs[0]), s, strlen(s));
}

/* ---- bounds on waiting for the X server ------------------------------------- */

static char x_wait_message[512];
static size_t x_wait_message_len;
static int x_wait_exit = CLI_EXIT_FAILURE;

void cli_x_deadline_set_exit(int status)
{
        x_wait_exit = status;
}

static void x_wait_expired(int sig)
{
        /* async-signal-safe: the message was formatted when the timer was armed */
        ssize_t r = write(STDERR_FILENO, x_wait_message, x_wait_message_len);

        (void)sig;
        (void)r;
        _exit(x_wait_exit);
}

/* The bound for what: the default, or $VMODES_X_TIMEOUT. -EINVAL (printed)
 * for a bad value. */
static int x_wait_seconds(enum cli_x_wait what, double *out)
{
        const char *v = getenv("VMODES_X_TIMEOUT");
        char *end = NULL;
        double d;

        *out = what == CLI_X_CONNECT ? CLI_X_CONNECT_SECONDS : CLI_X_ANSWER_SECONDS;
        if (!v)
                return 0;
        d = strspn(v, "0123456789.") == strlen(v) ? strtod(v, &end) : -1.0;
        if (!*v || d < 0.1 || d > 3600.0 || *end) {
                log_error("VMODES_X_TIMEOUT='%s' is not a number of seconds (0.1 to 3600)", cli_arg(v));
                return -EINVAL;
        }
        *out = d;
        return 0;
}

int cli_x_deadline(enum cli_x_wait what, const char *display)
{
        static const char *const doing[] = {
                [CLI_X_CONNECT] = " while connecting",
                [CLI_X_QUERY] = " while reading the heads",
                [CLI_X_CHANGE] = " while changing the layout (it may be partly changed)",
                [CLI_X_ANSWER] = "",
        };
        struct sigaction sa = { .sa_handler = x_wait_expired };
        struct itimerval t = { { 0, 0 }, { 0, 0 } };
        double seconds;
        int n;

        if (x_wait_seconds(what, &seconds) < 0)
                return CLI_EXIT_USAGE;
        if (!display)
                display = getenv("DISPLAY");
        n = snprintf(x_wait_message, sizeof(x_wait_message),
                     "vmodes: the X display %s did not answer within %g s%s: is the X server stopped or hung?\n",
                     display && *display ? cli_arg(display) : "(none)", seconds, doing[what]);
        x_wait_message_len = n < 0 ? 0 : (size_t)n < sizeof(x_wait_message) ? (size_t)n : sizeof(x_wait_message) - 1;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGALRM, &sa, NULL);
        t.it_value.tv_sec = (time_t)seconds;
        t.it_value.tv_usec = (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6);
        setitimer(ITIMER_REAL, &t, NULL);
        return CLI_EXIT_OK;
}

void cli_x_deadline_clear(void)
{
        struct itimerval t = { { 0, 0 }, { 0, 0 } };

        setitimer(ITIMER_REAL, &t, NULL);
}

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: vmodes COMMAND [OPTIONS] [ARGS]\n"
                "       vmodes --help | --version\n"
                "\n"
                "Display modes for Linux virtual machines (QXL, virtio-gpu): compute\n"
                "VESA timings, add them to virtual heads, keep them across reboots.\n"
                "\n"
                "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fprintf(f,
                "\n"
                "Run 'vmodes COMMAND --help' for the options of one command.\n"
                "\n"
                "An X server that does not answer ends a command after 5 s (connecting)\n"
                "or 10 s (each exchange); $VMODES_X_TIMEOUT sets both, in seconds.\n"
                "\n"
                "Exit status: 0 on success, 1 when the command failed, 2 on a usage\n"
                "error or an input value out of range.\n");
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                usage(stderr);
                return CLI_EXIT_USAGE;
        }
        if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
                usage(stdout);
                return CLI_EXIT_OK;
        }
        if (!strcmp(argv[1], "--version")) {
                printf("vmodes %s\n", PACKAGE_VERSION);
                return CLI_EXIT_OK;
        }
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (!strcmp(argv[1], commands[i].name))
                        return commands[i].run(argc - 1, argv + 1);

        log_error("unknown command '%s' (try 'vmodes --help')", cli_arg(argv[1]));
        return CLI_EXIT_USAGE;
}
