/* SPDX-License-Identifier: MIT */
/* vmodes — the command-line tool: dispatches to one subcommand. */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agent/cli.h"

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

void cli_error(const char *fmt, ...)
{
        va_list ap;

        fputs("vmodes: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

const char *cli_arg(const char *s)
{
        /* each shown character takes at most 4 bytes (\xNN) */
        static char bufs[4][CLI_ARG_SHOWN_MAX * 4 + sizeof("...")];
        static unsigned next;
        char *buf = bufs[next++ % 4];
        size_t n = 0;

        for (size_t i = 0; s[i]; i++) {
                unsigned char c = (unsigned char)s[i];

                if (i == CLI_ARG_SHOWN_MAX) {
                        memcpy(buf + n, "...", 3);
                        n += 3;
                        break;
                }
                if (c < 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '\\')
                        n += (size_t)sprintf(buf + n, "\\x%02x", c);
                else
                        buf[n++] = (char)c;
        }
        buf[n] = 0;
        return buf;
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
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fprintf(f,
                "\n"
                "Run 'vmodes COMMAND --help' for the options of one command.\n"
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
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (!strcmp(argv[1], commands[i].name))
                        return commands[i].run(argc - 1, argv + 1);

        cli_error("unknown command '%s' (try 'vmodes --help')", cli_arg(argv[1]));
        return CLI_EXIT_USAGE;
}
