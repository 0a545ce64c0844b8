/* SPDX-License-Identifier: MIT */
/* vmodes add: add a mode to a head, stored and live. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/change.h"
#include "agent/cli/cli.h"

/* ---- vmodes add ----------------------------------------------------------------------- */

static void add_help(FILE *f)
{
        fprintf(f,
                "Usage: vmodes add HEAD SPEC [OPTIONS]\n"
                "       vmodes add HEAD --modeline 'MODELINE' [OPTIONS]\n"
                "\n"
                "Add a mode to a head: vmodesd stores it (the X configuration it writes\n"
                "brings it back at every start, the login screen included) and the running\n"
                "X session gets it now. With --apply (or any layout option) the head\n"
                "switches to it and it becomes the head's stored mode; without, it is only\n"
                "offered, as 'xrandr --newmode/--addmode' do. The mode is created only when\n"
                "the X server has no mode with the same timings; a head that is off or\n"
                "disconnected (QXL heads without a client) is turned on with it.\n"
                "\n"
                "HEAD     an output name as 'vmodes list' shows it, the same head in any other\n"
                "         naming scheme (Virtual-1, qxl-0, the legacy Virtual-0, card0-Virtual-1)\n"
                "         or a head number (1 = the first head)\n"
                "SPEC     WIDTHxHEIGHT[M|R|R1|R2|R3|G|D][@RATE][i]: CVT by default, R* reduced\n"
                "         blanking v1-v3, G GTF, D the VESA DMT table; RATE in Hz, default 60\n"
                "         (see 'vmodes mode --help'). Examples: 2560x1440@44, 1920x1080R2@60\n"
                "\n"
                "Options:\n"
                "      --apply           switch the head to the mode now (without it the mode is\n"
                "                        only offered, as 'xrandr --newmode/--addmode' do)\n"
                "      --primary         make the head the primary one (implies --apply)\n"
                "      --right-of HEAD   place it right of HEAD (implies --apply); likewise\n"
                "      --left-of HEAD, --above HEAD, --below HEAD, --same-as HEAD (mirror)\n"
                "      --pos XxY         place its top-left corner at X,Y (implies --apply)\n"
                "      --rb=N            CVT reduced blanking version N (0 standard, 1, 2, 3);\n"
                "                        the same as the R, R2, R3 suffixes of SPEC\n"
                "      --modeline TEXT   use these timings (xorg.conf or xrandr --newmode form)\n"
                "      --pinned          store the head as pinned: auto-fit and host resize\n"
                "                        requests leave it alone\n"
                "      --no-store        change this session's display only; store nothing\n"
                "  -n, --dry-run         print the RandR operations, change and store nothing\n"
                "  -v, --verbose         print every RandR operation and the X round trips\n"
                "  -h, --help            show this help\n"
                "\n"
                "Without a relation a head that is off goes right of the heads that are on.\n"
                "The layout is checked against the screen size the X server allows and the\n"
                "video memory of the virtual GPU before anything changes; when an X request\n"
                "fails the previous layout is restored.\n"
                "\n"
                "The change is stored first (when the layout fits this session), then made\n"
                "in this session's display: X ($DISPLAY), sway ($SWAYSOCK: any mode, set with\n"
                "its modeline or custom-mode command and read back) or GNOME on Wayland\n"
                "(mutter's DisplayConfig: only modes the kernel lists for the connector, a\n"
                "rate within 0.5 Hz taking the closest listed one; mutter keeps the layout\n"
                "in the user's monitors.xml). Without a display it is only stored; running\n"
                "session agents ('vmodes session') apply it when vmodesd announces it. When\n"
                "vmodesd cannot be reached the change is made live only, with a warning.\n"
                "Changing the stored configuration needs root or the polkit authorization\n"
                "org.vmodes.configure (granted to active local sessions).\n"
                "\n"
                "Examples:\n"
                "  vmodes add Virtual-1 2560x1440@44 --apply\n"
                "  vmodes add 2 1920x1080R2@60 --right-of 1 --primary\n"
                "\n"
                "Exit status: 0 done (or nothing to do), 1 the X server or vmodesd is\n"
                "unreachable or refused (the previous layout is restored; nothing is stored),\n"
                "2 bad arguments: an unknown head, a bad spec, a layout too large for the\n"
                "screen or memory.\n");
}

/* What 'vmodes add' stores: names as vmodesd takes them. */
struct add_job {
        char head[VMODES_HEAD_NAME_MAX], other[VMODES_HEAD_NAME_MAX];
        char mode[512]; /* a canonical spec or the modeline */
        enum vmodes_relation rel;
        int x, y;
        bool apply, primary, pinned;
};

static int save_add(struct store *st, const struct vmodes_screen *s, const void *data)
{
        const struct add_job *j = data;
        struct vmodes_client_mode_options o = VMODES_CLIENT_MODE_OPTIONS_INIT;
        struct vmodes_error err = { "" };
        char name[VMODES_NAME_MAX] = "";
        int r;

        (void)s;
        o.make_default = j->apply;
        if (j->apply)
                o.enabled = 1;
        if (j->primary)
                o.primary = 1;
        if (j->pinned)
                o.pinned = 1;
        r = vmodes_client_add_mode(st->client, j->head, j->mode, &o, st->head, name, &err);
        if (r == 0 && j->rel != VMODES_REL_AUTO) {
                bool primary = j->primary || stored_primary(st, st->head);
                r = vmodes_client_set_layout(st->client, st->head, j->rel, j->other, j->x, j->y, primary, &err);
                if (r < 0) {
                        log_error("stored the mode %s for %s but not its place: %s", name, st->head, err.msg);
                        return CLI_EXIT_FAILURE;
                }
        }
        if (r < 0)
                return store_failed(st, r, &err);
        st->stored = true;
        {
                const struct vmodes_head_config *h = stored_head(st, st->head);
                const char *used = h && h->n_modes ? h->modes[0].mode.name : NULL;
                char role[160] = "";

                if (used && strcmp(used, name))
                        snprintf(role, sizeof(role), ", offered beside %s", used);
                snprintf(st->note, sizeof(st->note), "%s %s%s%s (vmodesd keeps it across restarts and applies it at "
                         "login)", st->head, name, role, j->pinned ? ", pinned" : "");
        }
        return CLI_EXIT_OK;
}

/* The command line of 'vmodes add'. */
struct add_args {
        struct add_job job;
        const char *head, *spec, *relative, *modeline;
        bool no_store, verbose, have_pos, dry_run;
        int rb;
};

/* One layout option (--right-of ... --same-as, --pos). Exit code. */
static int add_place(struct add_args *a, int c, const char *value)
{
        static const enum vmodes_relation rel[] = {
                [OPT_RIGHT_OF - OPT_RIGHT_OF] = VMODES_REL_RIGHT_OF, [OPT_LEFT_OF - OPT_RIGHT_OF] = VMODES_REL_LEFT_OF,
                [OPT_ABOVE - OPT_RIGHT_OF] = VMODES_REL_ABOVE,       [OPT_BELOW - OPT_RIGHT_OF] = VMODES_REL_BELOW,
                [OPT_SAME_AS - OPT_RIGHT_OF] = VMODES_REL_SAME_AS,
        };

        if (a->relative || a->have_pos) {
                log_error("give one of --right-of, --left-of, --above, --below, --same-as, --pos");
                return CLI_EXIT_USAGE;
        }
        a->job.apply = true;
        if (c != OPT_POS) {
                a->job.rel = rel[c - OPT_RIGHT_OF];
                a->relative = value;
                return CLI_EXIT_OK;
        }
        if (!cli_parse_pos(value, &a->job.x, &a->job.y)) {
                log_error("bad position '%s': give XxY, two numbers from 0 to %d (0x0, 1920x0)", cli_arg(value),
                          VMODES_SCREEN_MAX);
                return CLI_EXIT_USAGE;
        }
        a->have_pos = true;
        a->job.rel = VMODES_REL_POS;
        return CLI_EXIT_OK;
}

/* One option. Exit code, or -1 to go on. */
static int add_option(struct add_args *a, int c, char **argv)
{
        switch (c) {
        case ':':
                log_error("option '%s' needs a value (try 'vmodes add --help')", cli_arg(argv[optind - 1]));
                return CLI_EXIT_USAGE;
        case OPT_APPLY:
                a->job.apply = true;
                return -1;
        case OPT_PRIMARY:
                a->job.primary = a->job.apply = true;
                return -1;
        case OPT_PINNED:
                a->job.pinned = true;
                return -1;
        case OPT_RIGHT_OF:
        case OPT_LEFT_OF:
        case OPT_ABOVE:
        case OPT_BELOW:
        case OPT_SAME_AS:
        case OPT_POS:
                return add_place(a, c, optarg) == CLI_EXIT_OK ? -1 : CLI_EXIT_USAGE;
        case OPT_RB:
                if (strlen(optarg) != 1 || optarg[0] < '0' || optarg[0] > '3') {
                        log_error("--rb=%s: give 0 (standard blanking), 1, 2 or 3", cli_arg(optarg));
                        return CLI_EXIT_USAGE;
                }
                a->rb = optarg[0] - '0';
                return -1;
        case OPT_MODELINE:
                a->modeline = optarg;
                return -1;
        case OPT_NO_STORE:
                a->no_store = true;
                return -1;
        case 'n':
                a->dry_run = true;
                return -1;
        case 'v':
                a->verbose = true;
                return -1;
        case 'h':
                add_help(stdout);
                return CLI_EXIT_OK;
        }
        log_error("unknown option '%s' (try 'vmodes add --help')", cli_arg(argv[optind - 1]));
        return CLI_EXIT_USAGE;
}

/* Options and arguments. Exit code, or -1 to go on. */
static int add_parse(int argc, char **argv, struct add_args *a)
{
        static const struct option opts[] = {
                { "apply", no_argument, NULL, OPT_APPLY },       { "primary", no_argument, NULL, OPT_PRIMARY },
                { "right-of", required_argument, NULL, OPT_RIGHT_OF },
                { "left-of", required_argument, NULL, OPT_LEFT_OF },
                { "above", required_argument, NULL, OPT_ABOVE }, { "below", required_argument, NULL, OPT_BELOW },
                { "same-as", required_argument, NULL, OPT_SAME_AS }, { "pos", required_argument, NULL, OPT_POS },
                { "rb", required_argument, NULL, OPT_RB },       { "modeline", required_argument, NULL, OPT_MODELINE },
                { "pinned", no_argument, NULL, OPT_PINNED },     { "no-store", no_argument, NULL, OPT_NO_STORE },
                { "dry-run", no_argument, NULL, 'n' },           { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },              {}
        };
        int c, ex;

        memset(a, 0, sizeof(*a));
        a->job.rel = VMODES_REL_AUTO;
        a->rb = -1;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":nvh", opts, NULL)) != -1)
                if ((ex = add_option(a, c, argv)) >= 0)
                        return ex;
        if (argc - optind != (a->modeline ? 1 : 2)) {
                log_error(a->modeline ? "give HEAD with --modeline (try 'vmodes add --help')"
                                      : "give HEAD and SPEC (try 'vmodes add --help')");
                return CLI_EXIT_USAGE;
        }
        if (a->modeline && a->rb >= 0) {
                log_error("--rb applies to a SPEC, not to --modeline");
                return CLI_EXIT_USAGE;
        }
        a->head = argv[optind];
        a->spec = a->modeline ? NULL : argv[optind + 1];
        return -1;
}

/* The mode: a bad spec needs no X server to be reported. Exit code. */
static int add_mode(struct add_args *a, struct vmodes_head_mode *hm)
{
        struct vmodes_error err = { "" };
        int ex;

        if (!a->modeline) {
                ex = cli_parse_mode(a->spec, a->rb, hm);
                if (ex == CLI_EXIT_OK)
                        vmodes_spec_format(a->job.mode, sizeof(a->job.mode), &hm->spec);
                return ex;
        }
        memset(hm, 0, sizeof(*hm));
        if (strlen(a->modeline) >= sizeof(a->job.mode)) {
                log_error("bad modeline: %zu characters is too long (at most %zu)", strlen(a->modeline),
                          sizeof(a->job.mode) - 1);
                return CLI_EXIT_USAGE;
        }
        if (vmodes_modeline_parse(a->modeline, &hm->mode, &err) < 0 || vmodes_mode_validate(&hm->mode, &err) < 0) {
                log_error("bad modeline: %s", err.msg);
                return CLI_EXIT_USAGE;
        }
        hm->custom = true;
        snprintf(a->job.mode, sizeof(a->job.mode), "%s", a->modeline);
        return CLI_EXIT_OK;
}

/* The one-head config that adds the mode in the X session s (names
 * resolved, vmodesd's names put into the job). Exit code. */
static int add_config(struct vmodes_screen *s, struct add_args *a, const struct vmodes_head_mode *hm,
                      struct vmodes_config *cfg)
{
        struct vmodes_head_config *h = &cfg->heads[0];
        struct vmodes_mode cur;
        int ex;

        memset(cfg, 0, sizeof(*cfg));
        cfg->n_heads = 1;
        ex = cli_set_name(s, h->head, a->head);
        if (ex != CLI_EXIT_OK)
                return ex;
        cli_daemon_head(s, vmodes_layout_output_by_name(s->state, h->head), a->job.head, sizeof(a->job.head));
        if (a->relative) {
                ex = cli_set_name(s, h->relative_to, a->relative);
                if (ex != CLI_EXIT_OK)
                        return ex;
                cli_daemon_head(s, vmodes_layout_output_by_name(s->state, h->relative_to), a->job.other,
                                sizeof(a->job.other));
        }
        h->relation = a->job.rel;
        h->x = a->job.x;
        h->y = a->job.y;
        h->primary = a->job.primary;
        h->enabled = true;
        /* offer only (no --apply): the head keeps what it shows (or stays off) */
        if (!a->job.apply && cli_current_mode(s, h->head, &cur)) {
                h->modes[0].custom = true;
                h->modes[0].mode = cur;
                h->n_modes = 1;
        } else if (!a->job.apply)
                h->enabled = false;
        h->modes[h->n_modes++] = *hm;
        return CLI_EXIT_OK;
}

int cli_add(int argc, char **argv)
{
        struct vmodes_screen s = { 0 };
        struct store st = { 0 };
        struct add_args a;
        struct vmodes_config cfg;
        struct vmodes_head_mode hm;
        int ex;

        ex = add_parse(argc, argv, &a);
        if (ex >= 0)
                return ex;
        ex = add_mode(&a, &hm);
        if (ex == CLI_EXIT_OK)
                ex = cli_check_head_name(a.head);
        if (ex == CLI_EXIT_OK && a.relative)
                ex = cli_check_head_name(a.relative);
        if (ex == CLI_EXIT_OK)
                ex = store_open_for(&st, a.no_store, a.dry_run, "add");
        if (ex != CLI_EXIT_OK)
                return ex;
        snprintf(a.job.head, sizeof(a.job.head), "%s", a.head);
        snprintf(a.job.other, sizeof(a.job.other), "%s", a.relative ? a.relative : "");
        if (!st.live) {
                /* no display: vmodesd alone, with the names as given */
                ex = save_add(&st, NULL, &a.job);
                goto out;
        }
        ex = cli_screen_open(&s, true);
        if (ex == CLI_EXIT_OK)
                ex = add_config(&s, &a, &hm, &cfg);
        if (ex == CLI_EXIT_OK)
                ex = cli_run_plan(&s, &cfg, NULL, 0, a.verbose, &st, save_add, &a.job);
        if (ex == CLI_EXIT_OK && !a.job.apply)
                printf("%s: not switched; 'vmodes add %s %s --apply' switches to it\n", cfg.heads[0].head,
                       cfg.heads[0].head, a.modeline ? "--modeline '...'" : a.spec);
out:
        store_end(&st, ex == CLI_EXIT_OK);
        cli_screen_close(&s);
        return ex;
}
