/* SPDX-License-Identifier: MIT */
/* vmodes config: show and check the config file (vmodes.conf(5)) and the X
 * config vmodesd generates from it. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/cli.h"
#include "agent/core/state.h"
#include "agent/client/client.h"
#include "agent/core/xorgconf.h"


static void help(void)
{
        printf("Usage: vmodes config [show] [--file=FILE]\n"
               "       vmodes config check [FILE]\n"
               "       vmodes config xorg [FILE] [--scheme=kms|ums|legacy]\n"
               "\n"
               "The persistent display config (format: vmodes.conf(5)).\n"
               "\n"
               "  show    the config vmodesd uses (asked over D-Bus; with --file, or when\n"
               "          vmodesd is not running, the file parsed), in vmodes.conf form\n"
               "  check   parse FILE (default %s) completely: 'ok' or\n"
               "          FILE:LINE and what is wrong\n"
               "  xorg    the xorg.conf.d file vmodesd writes for FILE, with the X output\n"
               "          names of the X driver: kms (Virtual-N, default), ums (qxl-N,\n"
               "          the qxl X driver without a kernel driver), legacy (Virtual-N-1)\n"
               "\n"
               "Options:\n"
               "  --file=FILE       read FILE instead of asking vmodesd\n"
               "  --scheme=SCHEME   for xorg: kms, ums or legacy\n"
               "  -h, --help        show this help\n"
               "\n"
               "Exit status: 0 ok, 1 the file is invalid or cannot be read, 2 usage error.\n",
               VMODES_CONFIG_DEFAULT_PATH);
}

/* Long because: one switch case per option, then one branch per action
 * (show, check, xorg), each a few lines. */
int cli_config(int argc, char **argv)
{
        static const struct option long_options[] = {
                { "file", required_argument, NULL, 'f' },
                { "scheme", required_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        enum vmodes_head_scheme scheme = VMODES_HEADS_KMS;
        const char *file = NULL, *action = "show";
        struct vmodes_config *c;
        struct vmodes_error err;
        char *text = NULL;
        int opt, r;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
                switch (opt) {
                case 'f': file = optarg; break;
                case 's':
                        if (!strcmp(optarg, "kms"))
                                scheme = VMODES_HEADS_KMS;
                        else if (!strcmp(optarg, "ums"))
                                scheme = VMODES_HEADS_UMS;
                        else if (!strcmp(optarg, "legacy"))
                                scheme = VMODES_HEADS_LEGACY;
                        else {
                                log_error("--scheme '%s': give kms, ums or legacy", cli_arg(optarg));
                                return CLI_EXIT_USAGE;
                        }
                        break;
                case 'h': help(); return CLI_EXIT_OK;
                case ':':
                        log_error("config: option '%s' needs a value (try 'vmodes config --help')",
                                  cli_arg(argv[optind - 1]));
                        return CLI_EXIT_USAGE;
                default:
                        log_error("config: unknown option '%s' (try 'vmodes config --help')",
                                  cli_arg(argv[optind - 1]));
                        return CLI_EXIT_USAGE;
                }
        }
        if (optind < argc)
                action = argv[optind++];
        if (strcmp(action, "show") && strcmp(action, "check") && strcmp(action, "xorg")) {
                log_error("config: unknown action '%s' (show, check or xorg)", cli_arg(action));
                return CLI_EXIT_USAGE;
        }
        if (optind < argc && strcmp(action, "show"))
                file = argv[optind++];
        if (optind < argc) {
                log_error("config %s: unexpected argument '%s'", action, cli_arg(argv[optind]));
                return CLI_EXIT_USAGE;
        }
        if (file && !*file) {
                log_error("config %s: empty file name", action);
                return CLI_EXIT_USAGE;
        }
        if (file && strlen(file) >= PATH_MAX) {
                log_error("config %s: file name of %zu characters is too long (at most %d)", action, strlen(file),
                          PATH_MAX - 1);
                return CLI_EXIT_USAGE;
        }
        c = malloc(sizeof(*c));
        if (!c)
                return CLI_EXIT_FAILURE;

        if (!strcmp(action, "show") && !file) {
                struct vmodes_client *client = NULL;
                r = vmodes_client_open(&client, &err);
                if (r == 0)
                        r = vmodes_client_get_config(client, c, &err);
                vmodes_client_free(client);
                if (r == -ESRCH) {
                        log_error("%s; showing %s", err.msg, VMODES_CONFIG_DEFAULT_PATH);
                        file = VMODES_CONFIG_DEFAULT_PATH;
                } else if (r < 0) {
                        log_error("%s", err.msg);
                        free(c);
                        return CLI_EXIT_FAILURE;
                }
        } else if (!file)
                file = VMODES_CONFIG_DEFAULT_PATH;

        if (file) {
                r = vmodes_config_load(file, c, &err);
                if (r == -ENOENT && !strcmp(action, "show")) {
                        log_error("%s does not exist: nothing configured", file);
                        vmodes_config_init(c);
                } else if (r < 0) {
                        log_error("%s", err.msg);
                        free(c);
                        return CLI_EXIT_FAILURE;
                }
        }
        if (!strcmp(action, "check")) {
                printf("%s: ok (%u head%s)\n", file, c->n_heads, c->n_heads == 1 ? "" : "s");
                r = 0;
        } else if (!strcmp(action, "xorg"))
                r = vmodes_xorgconf_format(c, scheme, file, &text);
        else
                r = vmodes_config_format(c, &text);
        free(c);
        if (r < 0) {
                log_error("cannot format the config: %s", strerror(-r));
                return CLI_EXIT_FAILURE;
        }
        if (text)
                fputs(text, stdout);
        free(text);
        return CLI_EXIT_OK;
}
