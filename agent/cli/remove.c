/* SPDX-License-Identifier: MIT */
/* vmodes remove: take a mode away from a head, or turn the head off. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/change.h"
#include "agent/cli/cli.h"

/* ---- vmodes remove ---------------------------------------------------------------------- */

static void remove_help(FILE *f)
{
        fprintf(f,
                "Usage: vmodes remove HEAD [SPEC | MODE-NAME]\n"
                "\n"
                "With a mode: take that mode away from the head, stored and live (the mode is\n"
                "destroyed when no other head offers it). A head showing it switches to its\n"
                "preferred mode, or turns off when it has none.\n"
                "Without a mode: forget the head's stored configuration (from the next start\n"
                "X uses its defaults for it) and turn it off now. The last head that is on\n"
                "stays on.\n"
                "\n"
                "HEAD       an output name, the same head in any naming scheme, or a number\n"
                "SPEC       a mode spec as for 'vmodes add' (matched by its timings)\n"
                "MODE-NAME  a mode name as 'vmodes list --modes' shows it\n"
                "\n"
                "Options:\n"
                "      --no-store  change this session's display only; keep what is stored\n"
                "  -n, --dry-run   print the RandR operations, change and store nothing\n"
                "  -v, --verbose   print every RandR operation\n"
                "  -h, --help      show this help\n"
                "\n"
                "As for 'vmodes add': stored through vmodesd, then made in this session's\n"
                "display (X, sway, GNOME on Wayland); without one only stored; without\n"
                "vmodesd only live.\n"
                "\n"
                "Exit status: 0 done, 1 the X server or vmodesd is unreachable or refused,\n"
                "2 bad arguments (unknown head or mode).\n");
}

/* What 'vmodes remove' stores: the head as vmodesd takes it, the mode
 * ("" for the head's whole configuration). */
struct remove_job {
        char head[VMODES_HEAD_NAME_MAX];
        const char *mode;
};

static int save_remove(struct store *st, const struct vmodes_screen *s, const void *data)
{
        const struct remove_job *j = data;
        struct vmodes_error err = { "" };
        int r;

        (void)s;
        r = vmodes_client_remove_mode(st->client, j->head, j->mode, &err);
        if (r == -ENOENT && st->live) {
                /* made live only before: the X session still changes */
                st->absent = true;
                snprintf(st->note, sizeof(st->note), "%s", err.msg);
                return CLI_EXIT_OK;
        }
        if (r < 0)
                return store_failed(st, r, &err);
        st->stored = true;
        if (*j->mode)
                snprintf(st->note, sizeof(st->note), "mode %s removed from head %s", j->mode, j->head);
        else
                snprintf(st->note, sizeof(st->note),
                         "head %s has no configuration now (from the next start X uses its defaults for it)", j->head);
        return CLI_EXIT_OK;
}

/* The syntax of the mode argument of 'vmodes remove', checked before
 * anything is connected to: "" (the whole head), a mode name (letters,
 * digits and _ . - + @ :, as modes/mode.c allows them) or a mode spec.
 * Exit code (the error printed). */
static int check_mode_arg(const char *arg)
{
        struct vmodes_spec spec;
        struct vmodes_mode mode;
        struct vmodes_error err = { "" };
        size_t len = strlen(arg);

        static const char name_chars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.-+@:";

        if (len < VMODES_NAME_MAX && strspn(arg, name_chars) == len)
                return CLI_EXIT_OK;
        if (vmodes_spec_parse(arg, &spec, &err) == 0 && vmodes_spec_to_mode(&spec, &mode, &err) == 0)
                return CLI_EXIT_OK;
        log_error("'%s' is neither a mode name (1 to %d letters, digits and _ . - + @ :) nor a mode spec: %s",
                  cli_arg(arg), VMODES_NAME_MAX - 1, err.msg);
        return CLI_EXIT_USAGE;
}

int cli_remove(int argc, char **argv)
{
        struct change_options co;
        struct vmodes_screen s = { 0 };
        struct store st = { 0 };
        struct remove_job job;
        struct vmodes_config cfg;
        struct vmodes_layout_drop drop;
        const struct vmodes_layout_output *o;
        int ex;

        ex = cli_change_options(argc, argv, "remove", remove_help, &co);
        if (ex >= 0)
                return ex;
        if (argc - optind < 1 || argc - optind > 2) {
                log_error("give HEAD and optionally a mode (try 'vmodes remove --help')");
                return CLI_EXIT_USAGE;
        }
        ex = cli_check_head_name(argv[optind]);
        if (ex != CLI_EXIT_OK)
                return ex;
        job.mode = argc - optind == 2 ? argv[optind + 1] : "";
        ex = check_mode_arg(job.mode);
        if (ex != CLI_EXIT_OK)
                return ex;
        snprintf(job.head, sizeof(job.head), "%s", argv[optind]);
        ex = store_open_for(&st, co.no_store, co.dry_run, "remove");
        if (ex != CLI_EXIT_OK)
                return ex;
        if (!st.live) {
                ex = save_remove(&st, NULL, &job);
                goto out;
        }
        ex = cli_screen_open(&s, true);
        if (ex != CLI_EXIT_OK)
                goto out;
        o = cli_resolve(&s, argv[optind]);
        if (!o) {
                ex = CLI_EXIT_USAGE;
                goto out;
        }
        cli_daemon_head(&s, o, job.head, sizeof(job.head));
        memset(&cfg, 0, sizeof(cfg));
        if (!*job.mode) {
                cfg.n_heads = 1;
                snprintf(cfg.heads[0].head, sizeof(cfg.heads[0].head), "%.*s", VMODES_HEAD_NAME_MAX - 1, o->name);
                cfg.heads[0].enabled = false;
                ex = cli_run_plan(&s, &cfg, NULL, 0, co.verbose, &st, save_remove, &job);
                goto out;
        }
        memset(&drop, 0, sizeof(drop));
        snprintf(drop.head, sizeof(drop.head), "%.*s", VMODES_HEAD_NAME_MAX - 1, o->name);
        {
                const char *arg = job.mode;
                struct vmodes_spec spec;
                struct vmodes_error err = { "" };
                bool found = false;

                /* a mode name the head offers, else a spec */
                for (unsigned i = 0; i < o->n_modes && !found; i++) {
                        const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(s.state, o->modes[i]);
                        if (sm && !strcmp(sm->mode.name, arg)) {
                                drop.mode = sm->mode;
                                found = true;
                        }
                }
                if (!found && (vmodes_spec_parse(arg, &spec, &err) < 0 || vmodes_spec_to_mode(&spec, &drop.mode, &err) < 0)) {
                        log_error("%s offers no mode named '%s', and it is no mode spec: %s", o->name,
                                  cli_arg(arg), err.msg);
                        ex = CLI_EXIT_USAGE;
                        goto out;
                }
        }
        ex = cli_run_plan(&s, &cfg, &drop, 1, co.verbose, &st, save_remove, &job);
out:
        store_end(&st, ex == CLI_EXIT_OK);
        cli_screen_close(&s);
        return ex;
}

