/* SPDX-License-Identifier: MIT */
/* Head descriptions, modes and positions from the command line (vmodes add, remove, apply). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/change.h"
#include "agent/cli/cli.h"
#include "agent/common/json.h"

int cli_json_load(void)
{
        struct vmodes_error err = { "" };

        if (vmodes_json_load(&err) < 0) {
                log_error("%s", err.msg);
                return CLI_EXIT_FAILURE;
        }
        return CLI_EXIT_OK;
}

/* ---- modes from the command line --------------------------------------------------- */

/* SPEC with an optional --rb override, or a modeline. Exit code. */
int cli_parse_mode(const char *spec, int rb, struct vmodes_head_mode *hm)
{
        struct vmodes_error err = { "" };

        memset(hm, 0, sizeof(*hm));
        if (vmodes_spec_parse(spec, &hm->spec, &err) == 0) {
                if (rb >= 0) {
                        static const enum vmodes_method m[] = { VMODES_METHOD_CVT, VMODES_METHOD_CVT_RB1,
                                                                VMODES_METHOD_CVT_RB2, VMODES_METHOD_CVT_RB3 };
                        if (hm->spec.method != VMODES_METHOD_CVT && hm->spec.method != m[rb]) {
                                log_error("--rb=%d contradicts the blanking in '%s'", rb, cli_arg(spec));
                                return CLI_EXIT_USAGE;
                        }
                        hm->spec.method = m[rb];
                }
                if (vmodes_spec_to_mode(&hm->spec, &hm->mode, &err) < 0) {
                        log_error("%s", err.msg);
                        return CLI_EXIT_USAGE;
                }
                return CLI_EXIT_OK;
        }
        /* a pasted modeline ("Modeline ...", a quoted name, or numbers) */
        if (strchr(spec, ' ')) {
                struct vmodes_error err2 = { "" };
                if (vmodes_modeline_parse(spec, &hm->mode, &err2) == 0 && vmodes_mode_validate(&hm->mode, &err2) == 0) {
                        hm->custom = true;
                        return CLI_EXIT_OK;
                }
                /* a spec with stray blanks ("1024x768 ") is a bad spec, not a bad modeline */
                if (!strncmp(err2.msg, "mode spec ", 10))
                        log_error("bad mode: %s", err2.msg);
                else
                        log_error("bad modeline: %s", err2.msg);
                return CLI_EXIT_USAGE;
        }
        log_error("bad mode '%s': %s", cli_arg(spec), err.msg);
        return CLI_EXIT_USAGE;
}
/* ---- layout options shared by add and apply ------------------------------------------------ */

/* Fills relation fields from "right-of"/"--right-of" style words. */
bool cli_relation_word(const char *w, enum vmodes_relation *rel)
{
        static const struct { const char *w; enum vmodes_relation r; } t[] = {
                { "right-of", VMODES_REL_RIGHT_OF }, { "left-of", VMODES_REL_LEFT_OF }, { "above", VMODES_REL_ABOVE },
                { "below", VMODES_REL_BELOW },       { "same-as", VMODES_REL_SAME_AS },
        };
        if (!strncmp(w, "--", 2))
                w += 2;
        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                if (!strcmp(w, t[i].w)) {
                        *rel = t[i].r;
                        return true;
                }
        return false;
}

bool cli_parse_pos(const char *v, int *x, int *y)
{
        char *end;
        long a, b;

        if (!isdigit((unsigned char)*v))
                return false;
        a = strtol(v, &end, 10);
        if ((*end != 'x' && *end != ',') || !isdigit((unsigned char)end[1]))
                return false;
        b = strtol(end + 1, &end, 10);
        if (*end || a > VMODES_SCREEN_MAX || b > VMODES_SCREEN_MAX)
                return false;
        *x = (int)a;
        *y = (int)b;
        return true;
}

/* Fills dst (h->head or h->relative_to) from a user head name: the X
 * output it means, or without a session (s NULL: arguments checked before
 * connecting) the name as given once its syntax is right. Exit code. */
int cli_set_name(const struct vmodes_screen *s, char dst[VMODES_HEAD_NAME_MAX], const char *name)
{
        const struct vmodes_layout_output *o;

        if (!s) {
                int ex = cli_check_head_name(name);
                if (ex == CLI_EXIT_OK)
                        snprintf(dst, VMODES_HEAD_NAME_MAX, "%s", name);
                return ex;
        }
        o = cli_resolve(s, name);
        if (!o)
                return CLI_EXIT_USAGE;
        if (strlen(o->name) >= VMODES_HEAD_NAME_MAX) {
                log_error("the X output name %s is too long for vmodes", o->name);
                return CLI_EXIT_FAILURE;
        }
        snprintf(dst, VMODES_HEAD_NAME_MAX, "%s", o->name);
        return CLI_EXIT_OK;
}

/* The timings a lit output shows now (for "offer, don't switch"). */
bool cli_current_mode(const struct vmodes_screen *s, const char *name, struct vmodes_mode *m)
{
        const struct vmodes_layout_output *o = vmodes_layout_output_by_name(s->state, name);
        const struct vmodes_layout_crtc *c = o && o->crtc ? vmodes_layout_crtc_by_id(s->state, o->crtc) : NULL;
        const struct vmodes_layout_smode *sm = c && c->mode ? vmodes_layout_mode_by_id(s->state, c->mode) : NULL;

        if (!sm)
                return false;
        *m = sm->mode;
        return true;
}

int cli_change_options(int argc, char **argv, const char *command, void (*help)(FILE *), struct change_options *o)
{
        static const struct option opts[] = {
                { "dry-run", no_argument, NULL, 'n' }, { "verbose", no_argument, NULL, 'v' },
                { "no-store", no_argument, NULL, OPT_NO_STORE }, { "help", no_argument, NULL, 'h' },
                {}
        };
        int c;

        memset(o, 0, sizeof(*o));
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "nvh", opts, NULL)) != -1) {
                switch (c) {
                case 'n':
                        o->dry_run = true;
                        break;
                case 'v':
                        o->verbose = true;
                        break;
                case OPT_NO_STORE:
                        o->no_store = true;
                        break;
                case 'h':
                        help(stdout);
                        return CLI_EXIT_OK;
                default: {
                        log_error("unknown option '%s' (try 'vmodes %s --help')", cli_arg(argv[optind - 1]),
                                  command);
                        return CLI_EXIT_USAGE;
                }
                }
        }
        return -1;
}
