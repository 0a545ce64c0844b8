/* SPDX-License-Identifier: MIT */
/* vmodes apply: a whole multi-head layout, stored and live in one step. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/common/textbuf.h"
#include "agent/cli/change.h"
#include "agent/cli/cli.h"

/* ---- vmodes apply ------------------------------------------------------------------------ */

static void apply_help(FILE *f)
{
        fprintf(f,
                "Usage: vmodes apply [OPTIONS]\n"
                "       vmodes apply [OPTIONS] 'HEAD SPEC [PLACEMENT] [primary]' ...\n"
                "       vmodes apply [OPTIONS] 'HEAD off' ...\n"
                "\n"
                "Without a layout: apply the stored one. vmodesd writes the X configuration\n"
                "again and asks every session agent to apply it; this session's display\n"
                "(X, sway or GNOME on Wayland, as for 'vmodes add') gets it now (stored heads\n"
                "this session does not have are left out).\n"
                "\n"
                "With a layout: store it and apply it in one step: every head named gets its\n"
                "mode and place, all checked before anything changes and done under one\n"
                "server grab (restored on failure). Heads not named keep their state.\n"
                "Applying the same layout again changes nothing.\n"
                "\n"
                "Each argument describes one head:\n"
                "  HEAD SPEC      the head and its mode (as for 'vmodes add')\n"
                "  PLACEMENT      right-of HEAD | left-of HEAD | above HEAD | below HEAD |\n"
                "                 same-as HEAD | pos XxY; without one, the first head keeps its\n"
                "                 place and each next one goes right of the one before\n"
                "  primary        make it the primary head\n"
                "  HEAD off       turn the head off\n"
                "\n"
                "Options:\n"
                "      --no-store  change this session's display only; store nothing\n"
                "  -n, --dry-run   print the RandR operations, change and store nothing\n"
                "  -v, --verbose   print every RandR operation and the X round trips\n"
                "  -h, --help      show this help\n"
                "\n"
                "A layout is stored through vmodesd (root or the polkit authorization\n"
                "org.vmodes.configure); when vmodesd cannot be reached it is applied live\n"
                "only, with a warning. Without a display only the stored layout can be applied.\n"
                "\n"
                "Example:\n"
                "  vmodes apply 'Virtual-1 2560x1440@44 primary' 'Virtual-2 1920x1080@60 right-of Virtual-1'\n"
                "\n"
                "Exit status: 0 done, 1 the X server or vmodesd is unreachable or refused (the\n"
                "previous layout is restored; nothing is stored), 2 bad arguments, no layout\n"
                "given and none stored, or a layout that cannot fit.\n");
}

/* "HEAD SPEC [placement] [primary]" -> h, with the heads resolved in the
 * session s, or (s NULL) only checked: every argument is checked so before
 * vmodes connects to X or vmodesd. Exit code. */
static int parse_head_arg(const struct vmodes_screen *s, const char *arg, struct vmodes_head_config *h)
{
        char buf[512], *save = NULL, *w;
        int ex;

        if (strlen(arg) >= sizeof(buf) || strpbrk(arg, "\n\r\t\"'")) {
                log_error("bad head description '%s': give 'HEAD SPEC [right-of HEAD] [primary]'",
                          cli_arg(arg));
                return CLI_EXIT_USAGE;
        }
        snprintf(buf, sizeof(buf), "%s", arg);
        memset(h, 0, sizeof(*h));
        h->enabled = true;
        w = strtok_r(buf, " ", &save);
        if (!w) {
                log_error("empty head description");
                return CLI_EXIT_USAGE;
        }
        ex = cli_set_name(s, h->head, w);
        if (ex != CLI_EXIT_OK)
                return ex;
        w = strtok_r(NULL, " ", &save);
        if (!w) {
                log_error("'%s': give a mode spec or 'off' after the head", cli_arg(arg));
                return CLI_EXIT_USAGE;
        }
        if (!strcmp(w, "off"))
                h->enabled = false;
        else {
                ex = cli_parse_mode(w, -1, &h->modes[0]);
                if (ex != CLI_EXIT_OK)
                        return ex;
                h->n_modes = 1;
        }
        while ((w = strtok_r(NULL, " ", &save))) {
                if (!strcmp(w, "primary"))
                        h->primary = true;
                else if (!strcmp(w, "pos")) {
                        const char *v = strtok_r(NULL, " ", &save);
                        if (!v || !cli_parse_pos(v, &h->x, &h->y)) {
                                log_error("'%s': pos needs XxY, two numbers from 0 to %d", cli_arg(arg),
                                          VMODES_SCREEN_MAX);
                                return CLI_EXIT_USAGE;
                        }
                        h->relation = VMODES_REL_POS;
                } else if (cli_relation_word(w, &h->relation)) {
                        const char *v = strtok_r(NULL, " ", &save);
                        if (!v) {
                                log_error("'%s': %s needs a head", cli_arg(arg), w);
                                return CLI_EXIT_USAGE;
                        }
                        ex = cli_set_name(s, h->relative_to, v);
                        if (ex != CLI_EXIT_OK)
                                return ex;
                } else {
                        log_error("'%s': unknown word '%s' (right-of, left-of, above, below, same-as, pos, primary)",
                                  cli_arg(arg), cli_arg(w));
                        return CLI_EXIT_USAGE;
                }
        }
        if (!h->enabled && (h->primary || h->relation != VMODES_REL_AUTO)) {
                log_error("'%s': a head that is off has no place and cannot be primary", cli_arg(arg));
                return CLI_EXIT_USAGE;
        }
        return CLI_EXIT_OK;
}

/* The output a stored head name means on the screen (userdata). */
static const struct vmodes_layout_output *screen_resolve(const struct vmodes_layout_state *state, const char *name,
                                                         void *userdata)
{
        (void)state;
        return vmodes_screen_resolve(userdata, name, NULL);
}

/* What 'vmodes apply' stores: the layout from the command line (in X
 * output names), or NULL to apply the stored one. */
struct apply_job {
        const struct vmodes_config *layout;
};

/* The names vmodesd takes for one head of the layout (specs, heads). */
struct stored_head {
        char head[VMODES_HEAD_NAME_MAX], other[VMODES_HEAD_NAME_MAX], spec[128];
        const char *modes[1];
};

/* One head of the layout as SetHeads takes it: a head that is on gets its
 * mode (in front of the stored ones, as 'vmodes add --apply') and its
 * place, and becomes primary when asked (a stored primary stays); a head
 * that is off keeps its modes, its place and its switches. */
static void stored_head_of(const struct vmodes_screen *s, const struct vmodes_head_config *h, struct stored_head *n,
                           struct vmodes_client_head *c)
{
        cli_daemon_head(s, vmodes_layout_output_by_name(s->state, h->head), n->head, sizeof(n->head));
        *c = (struct vmodes_client_head){ .head = n->head, .keep_modes = true, .primary = -1, .pinned = -1 };
        if (!h->enabled) {
                c->keep_place = true;
                c->enabled = 0;
                return;
        }
        vmodes_spec_format(n->spec, sizeof(n->spec), &h->modes[0].spec);
        n->modes[0] = n->spec;
        c->modes = n->modes;
        c->n_modes = 1;
        c->enabled = 1;
        c->primary = h->primary ? 1 : -1;
        c->relation = h->relation;
        c->x = h->x;
        c->y = h->y;
        if (h->relative_to[0]) {
                cli_daemon_head(s, vmodes_layout_output_by_name(s->state, h->relative_to), n->other,
                                sizeof(n->other));
                c->other = n->other;
        }
}

/* The layout in one transaction: all of it stored, or nothing. */
static int save_layout(struct store *st, const struct vmodes_screen *s, const struct vmodes_config *layout)
{
        struct stored_head names[VMODES_CONFIG_HEADS_MAX];
        struct vmodes_client_head heads[VMODES_CONFIG_HEADS_MAX];
        struct vmodes_error err = { "" };
        int r;

        for (unsigned i = 0; i < layout->n_heads; i++)
                stored_head_of(s, &layout->heads[i], &names[i], &heads[i]);
        r = vmodes_client_set_heads(st->client, heads, layout->n_heads, false, NULL, &err);
        if (r < 0)
                return store_failed(st, r, &err);
        st->stored = true;
        snprintf(st->note, sizeof(st->note),
                 "the layout of %u head%s (vmodesd keeps it across restarts and applies it at login)", layout->n_heads,
                 layout->n_heads == 1 ? "" : "s");
        return CLI_EXIT_OK;
}

static int save_apply(struct store *st, const struct vmodes_screen *s, const void *data)
{
        const struct apply_job *j = data;
        struct vmodes_error err = { "" };
        int r;

        if (j->layout)
                return save_layout(st, s, j->layout);
        /* vmodesd rewrites the X configuration and every session agent applies */
        r = vmodes_client_apply(st->client, &err);
        if (r < 0)
                return store_failed(st, r, &err);
        st->stored = true;
        snprintf(st->note, sizeof(st->note),
                 "vmodesd wrote the X configuration again and asked every session agent to apply it");
        return CLI_EXIT_OK;
}

/* The stored layout, for 'vmodes apply' without one. Exit code. */
static int read_stored(struct vmodes_config *stored)
{
        struct vmodes_error err = { "" };
        char note[400] = "";
        bool from_file;

        if (vmodes_stored_config(stored, &from_file, note, sizeof(note), &err) < 0) {
                log_error("%s", err.msg);
                return CLI_EXIT_FAILURE;
        }
        if (stored->n_heads == 0) {
                log_error("no layout given and none is stored: add modes with 'vmodes add' or give the "
                          "layout as 'HEAD SPEC [right-of HEAD] [primary]' arguments (try 'vmodes apply "
                          "--help')");
                return CLI_EXIT_USAGE;
        }
        if (from_file)
                log_error("%s", note);
        return CLI_EXIT_OK;
}

int cli_apply(int argc, char **argv)
{
        struct change_options co;
        struct vmodes_screen s = { 0 };
        struct store st = { 0 };
        struct apply_job job = { NULL };
        _cleanup_(freep) struct vmodes_config *cfg = NULL;
        _cleanup_(freep) struct vmodes_config *stored = NULL;
        int ex;

        ex = cli_change_options(argc, argv, "apply", apply_help, &co);
        if (ex >= 0)
                return ex;
        if (argc - optind > VMODES_CONFIG_HEADS_MAX) {
                log_error("at most %d heads in one layout", VMODES_CONFIG_HEADS_MAX);
                return CLI_EXIT_USAGE;
        }
        cfg = calloc(1, sizeof(*cfg));
        stored = calloc(1, sizeof(*stored));
        if (!cfg || !stored) {
                log_error("out of memory");
                return CLI_EXIT_FAILURE;
        }
        /* every head description first: bad input needs neither X nor vmodesd */
        for (int i = optind; i < argc; i++) {
                ex = parse_head_arg(NULL, argv[i], &cfg->heads[0]);
                if (ex != CLI_EXIT_OK)
                        return ex;
        }
        if (optind < argc) {
                char why[256];
                if (vmodes_display_session(why, sizeof(why)) <= VMODES_DISPLAY_WAYLAND) {
                        log_error("a layout given as arguments needs the display it is for (%s); "
                                  "'vmodes add' stores single heads without one",
                                  why);
                        return CLI_EXIT_USAGE;
                }
        }
        if (optind == argc && (ex = read_stored(stored)) != CLI_EXIT_OK)
                return ex;
        ex = store_open_for(&st, co.no_store, co.dry_run, "apply");
        if (ex != CLI_EXIT_OK)
                return ex;
        if (!st.live) {
                /* the stored layout: vmodesd alone (a layout argument needs a display, see above) */
                ex = save_apply(&st, NULL, &job);
                goto out;
        }
        ex = cli_screen_open(&s, true);
        if (ex != CLI_EXIT_OK)
                goto out;
        if (optind == argc) {
                unsigned idx[VMODES_CONFIG_HEADS_MAX], n_idx = 0;
                char skipped[200] = "";

                /* heads the session does not have are left out; a relation
                 * to one becomes auto */
                vmodes_layout_map_config(stored, s.state, screen_resolve, &s, cfg, idx, &n_idx);
                for (unsigned i = 0; i < n_idx; i++)
                        vmodes_text_append(skipped, sizeof(skipped), ", ", stored->heads[idx[i]].head);
                if (skipped[0])
                        log_error("this session has no %s: left out", skipped);
        } else {
                for (int i = optind; i < argc; i++) {
                        ex = parse_head_arg(&s, argv[i], &cfg->heads[cfg->n_heads++]);
                        if (ex != CLI_EXIT_OK)
                                goto out;
                }
                job.layout = cfg;
        }
        ex = cli_run_plan(&s, cfg, NULL, 0, co.verbose, &st, save_apply, &job);
out:
        store_end(&st, ex == CLI_EXIT_OK);
        cli_screen_close(&s);
        return ex;
}

