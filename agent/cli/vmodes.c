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

static int x_wait_exit = CLI_EXIT_FAILURE;

void cli_x_deadline_set_exit(int status)
{
        x_wait_exit = status;
}

int cli_x_deadline(enum vmodes_deadline_wait what, const struct vmodes_display *display)
{
        struct vmodes_error err;
        char server[256];

        if (vmodes_deadline_arm(what, 0, vmodes_display_describe(display, server, sizeof(server)), x_wait_exit,
                                &err) < 0) {
                log_error("%s", err.msg);
                return CLI_EXIT_USAGE;
        }
        return CLI_EXIT_OK;
}

void cli_x_deadline_clear(void)
{
        vmodes_deadline_clear();
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
                "A display server (X, sway, mutter) that does not answer ends a command\n"
                "after 5 s (connecting) or 10 s (each exchange); $VMODES_X_TIMEOUT sets\n"
                "both, in seconds.\n"
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
