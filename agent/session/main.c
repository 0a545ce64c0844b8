/* SPDX-License-Identifier: MIT */
/*
 * vmodes-session: the session agent's program. `vmodes session` runs it
 * with its own command line ("vmodes session [OPTIONS]": the process keeps
 * showing so; the XDG autostart entry and users keep that command), or it
 * is run as vmodes-session [OPTIONS]. It links only what the agent uses
 * (libsystemd, XCB RandR, the core library), so that an idle agent stays
 * small. This file: the command line, the Wayland
 * check, opening the X display within a bound; session.c does the rest.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "agent/common/log.h"
#include "agent/display/deadline.h"
#include "agent/session/agent.h"

/* The bound on waiting for the display server (agent/display/deadline.h)
 * while connecting and reading the heads at start, as every vmodes command
 * has, but longer: the agent starts while the session is still coming up
 * (a compositor drawing its first frames with llvmpipe in a slow VM took
 * more than 10 s to answer); never while the agent waits for events.
 * display: NULL before it is open. -EINVAL (logged) for a bad
 * $VMODES_X_TIMEOUT. */
static int x_deadline(enum vmodes_deadline_wait what, const struct vmodes_display *display)
{
        struct vmodes_error err;
        char server[256];
        int r = vmodes_deadline_arm(what, VMODES_DEADLINE_START_SECONDS,
                                    vmodes_display_describe(display, server, sizeof(server)), SESSION_EXIT_FAILURE,
                                    &err);

        if (r < 0)
                log_error("%s", err.msg);
        return r;
}

/* Opens $DISPLAY and reads its heads once (a display that is not there or
 * lacks RandR 1.2 ends the agent at once). The virtual GPU is not looked
 * up: names resolve through the naming schemes, and the server itself
 * refuses a mode its video memory cannot hold. */
static int open_x(struct vmodes_screen *x)
{
        struct vmodes_error err = { "" };
        int r;

        if (x_deadline(VMODES_DEADLINE_CONNECT, NULL) < 0)
                return -EINVAL;
        r = vmodes_screen_open(x, NULL, NULL, &err);
        vmodes_deadline_clear();
        if (r >= 0) {
                if (x_deadline(VMODES_DEADLINE_QUERY, x->display) < 0)
                        return -EINVAL;
                r = vmodes_screen_query(x, &err);
                vmodes_deadline_clear();
        }
        if (r < 0) {
                log_error("%s", err.msg);
                return r;
        }
        free(x->state); /* made again for each apply */
        x->state = NULL;
        return 0;
}

static void help(FILE *f)
{
        fprintf(f,
                "Usage: vmodes session [OPTIONS]\n"
                "\n"
                "The per-session agent, started at login by the XDG autostart entry\n"
                "vmodes-session.desktop (in sway: /etc/sway/config.d/50-vmodes.conf). It\n"
                "applies the configured layout to this session's display and keeps it: X\n"
                "($DISPLAY), sway ($SWAYSOCK) or GNOME on Wayland (mutter's DisplayConfig on\n"
                "the session bus). When a head is connected (a SPICE client opens a\n"
                "second display) it gets its configured mode and place; a pinned head gets\n"
                "its mode back whenever something else changes it; other heads keep a size\n"
                "the host or the desktop set. With auto-fit in the configuration a head\n"
                "follows the size the host asks for (its preferred mode, for instance a\n"
                "SPICE window size) at the configured refresh rate instead of 60 Hz.\n"
                "\n"
                "Where the configuration comes from:\n"
                "  - with --config FILE: from FILE, and every change of FILE is applied;\n"
                "    vmodesd is not asked;\n"
                "  - otherwise from vmodesd on the system bus ($VMODES_BUS_ADDRESS if set):\n"
                "    its configuration at start and again whenever it signals ConfigChanged\n"
                "    (vmodes add, remove and apply store their changes through it). While\n"
                "    vmodesd is not running, the file it keeps is used as it is on disk\n"
                "    until vmodesd starts:\n"
                "      %s\n"
                "    When vmodesd (re)starts, its configuration is read again. When the\n"
                "    connection to the bus is lost, the configuration in use is kept and\n"
                "    the agent reconnects (after 0.1 s, then less often, at least every 5 s).\n"
                "    Without a system bus at start that file is followed as with --config.\n"
                "\n"
                "It listens to the display server's change notices (RandR events, sway's\n"
                "workspace events, mutter's MonitorsChanged) and DRM hotplug uevents, uses no\n"
                "CPU while nothing happens, and exits when the display server goes away. A\n"
                "change is applied at once; during a burst of changes (a window edge being\n"
                "dragged) it waits until they pause for 0.1 s, at most 0.5 s. GNOME on Wayland\n"
                "takes only the modes the kernel lists, and answers the host's size requests\n"
                "itself (auto-fit stays out). In another Wayland session it exits at once.\n"
                "\n"
                "Options:\n"
                "      --config FILE   take the configuration from FILE and follow its changes\n"
                "      --once          apply the configuration once and exit\n"
                "      --stats         log the timing of every apply (for benchmarks): when the\n"
                "                      event came, when the mode-set requests went out and when\n"
                "                      the server answered (CLOCK_MONOTONIC seconds), and the\n"
                "                      counts\n"
                "  -v, --verbose       log more\n"
                "  -h, --help          show this help\n"
                "\n"
                "Exit status: 0 when the display server went away, on SIGTERM, SIGINT or\n"
                "SIGHUP (logged with the sender), or in a Wayland session it cannot drive;\n"
                "1 when the display cannot be opened or the event loop fails; 2 bad\n"
                "arguments.\n",
                VMODES_CONFIG_DEFAULT_PATH);
}

/* The options into o. -1: go on; otherwise the exit status. */
static int parse_args(int argc, char **argv, struct session_options *o)
{
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' }, { "once", no_argument, NULL, '1' },
                { "stats", no_argument, NULL, 's' },        { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },         {}
        };
        int c;

        o->config_path = VMODES_CONFIG_DEFAULT_PATH;
        opterr = 0;
        /* run by `vmodes session`: its command line as it was */
        if (argc >= 2 && !strcmp(argv[1], "session"))
                optind = 2;
        while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        o->config_path = optarg;
                        o->follow_file = true;
                        break;
                case '1':
                        o->once = true;
                        break;
                case 's':
                        o->stats = true;
                        break;
                case 'v':
                        o->verbose = true;
                        break;
                case 'h':
                        help(stdout);
                        return SESSION_EXIT_OK;
                default:
                        log_error("unknown option (try 'vmodes session --help')");
                        return SESSION_EXIT_USAGE;
                }
        }
        if (optind < argc) {
                log_error("'vmodes session' takes no arguments (try 'vmodes session --help')");
                return SESSION_EXIT_USAGE;
        }
        return -1;
}

int main(int argc, char **argv)
{
        struct session_options o = { 0 };
        struct vmodes_screen x = { 0 };
        int ex = parse_args(argc, argv, &o);

        if (ex >= 0)
                return ex;
        /* argument errors above went to the terminal as "vmodes: ..."; from
         * here on the lines are the session's (the journal, under systemd) */
        vmodes_log_setup("vmodes session", VMODES_LOG_PREFIX_JOURNAL);
        {
                char why[256];
                /* GNOME on Wayland and other compositors: nothing to drive,
                 * which is no failure for an autostart entry */
                if (vmodes_display_session(why, sizeof(why)) == VMODES_DISPLAY_WAYLAND) {
                        log_info("%s; nothing to do", why);
                        return SESSION_EXIT_OK;
                }
        }
        if (open_x(&x) < 0) {
                vmodes_screen_close(&x);
                return SESSION_EXIT_FAILURE;
        }
        ex = session_run(&o, &x);
        vmodes_screen_close(&x);
        return ex;
}
