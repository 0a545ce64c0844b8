/* SPDX-License-Identifier: MIT */
/* vmodes list: the heads of the session's display and what is stored for them. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>
#include <string.h>

#include "agent/cli/change.h"
#include "agent/cli/cli.h"
#include "agent/common/json.h"

/* ---- vmodes list ------------------------------------------------------------------------- */

static void list_help(FILE *f)
{
        fprintf(f,
                "Usage: vmodes list [--json] [--modes]\n"
                "\n"
                "Show the heads of this session's display (X, sway or GNOME on Wayland, as\n"
                "for 'vmodes add'): head number, output name, connection, the mode each\n"
                "one shows with the refresh rate it achieves,\n"
                "position, primary; the screen size and its limits; and beside each head\n"
                "the mode stored for it (vmodesd's configuration, or the config file when\n"
                "vmodesd is not running; '-' when nothing is stored). In GNOME on Wayland,\n"
                "which shows only the modes the kernel lists, a stored mode it does not\n"
                "offer is marked so (kernel-cmdline and a reboot bring it; see vmodes(1),\n"
                "WAYLAND).\n"
                "\n"
                "Options:\n"
                "      --json    the same as JSON (modes included), for scripts\n"
                "  -m, --modes   also list the modes each head offers (* current, + preferred)\n"
                "  -h, --help    show this help\n"
                "\n"
                "Exit status: 0 shown, 1 the display cannot be reached, 2 bad arguments.\n");
}

static json_object *mode_json(const struct vmodes_mode *m, uint32_t id)
{
        json_object *j = json_object_new_object();
        char clock[32];

        vmodes_format_clock(clock, sizeof(clock), m->clock_hz);
        json_object_object_add(j, "name", json_object_new_string(m->name));
        json_object_object_add(j, "id", json_object_new_int64(id));
        json_object_object_add(j, "width", json_object_new_int(m->hdisplay));
        json_object_object_add(j, "height", json_object_new_int(m->vdisplay));
        json_object_object_add(j, "refresh", json_object_new_double(vmodes_mode_refresh(m)));
        json_object_object_add(j, "clock_mhz", json_object_new_string(clock));
        return j;
}

/* The stored configuration of the head an X output is, or NULL. */
static const struct vmodes_head_config *stored_for_output(const struct vmodes_screen *s,
                                                          const struct vmodes_config *c,
                                                          const struct vmodes_layout_output *o)
{
        for (unsigned i = 0; c && i < c->n_heads; i++)
                if (vmodes_screen_resolve(s, c->heads[i].head, NULL) == o)
                        return &c->heads[i];
        return NULL;
}

/* The stored mode (the first of the head's) is one this server cannot show:
 * it makes no modes (GNOME's mutter) and does not offer it. The kernel
 * route (kernel-cmdline, a reboot) brings it. */
static bool stored_not_offered(const struct vmodes_screen *s, const struct vmodes_layout_output *o,
                               const struct vmodes_head_config *h)
{
        struct vmodes_display_caps caps;

        vmodes_display_get_caps(s->display, &caps);
        if (caps.create_modes || !h || !h->enabled || !h->n_modes)
                return false;
        for (unsigned k = 0; k < o->n_modes; k++) {
                const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(s->state, o->modes[k]);
                if (sm && vmodes_layout_mode_matches(s->state, sm, &h->modes[0].mode))
                        return false;
        }
        return true;
}

static json_object *stored_json(const struct vmodes_screen *s, const struct vmodes_layout_output *o,
                                const struct vmodes_head_config *h)
{
        json_object *j, *modes;

        if (!h)
                return NULL;
        j = json_object_new_object();
        modes = json_object_new_array();
        json_object_object_add(j, "head", json_object_new_string(h->head));
        /* false: the display server cannot show the stored mode (see vmodes(1), WAYLAND) */
        json_object_object_add(j, "offered", json_object_new_boolean(!stored_not_offered(s, o, h)));
        for (unsigned k = 0; k < h->n_modes; k++)
                json_object_array_add(modes, json_object_new_string(h->modes[k].mode.name));
        json_object_object_add(j, "modes", modes);
        json_object_object_add(j, "enabled", json_object_new_boolean(h->enabled));
        json_object_object_add(j, "primary", json_object_new_boolean(h->primary));
        json_object_object_add(j, "pinned", json_object_new_boolean(h->pinned));
        return j;
}

/* The current CRTC and mode of an output, NULL when it is off. */
static const struct vmodes_layout_smode *current(const struct vmodes_layout_state *st,
                                                 const struct vmodes_layout_output *o,
                                                 const struct vmodes_layout_crtc **crtc)
{
        *crtc = o->crtc ? vmodes_layout_crtc_by_id(st, o->crtc) : NULL;
        return *crtc && (*crtc)->mode ? vmodes_layout_mode_by_id(st, (*crtc)->mode) : NULL;
}

static json_object *head_json(const struct vmodes_screen *s, const struct vmodes_config *stored,
                              const struct vmodes_layout_output *o)
{
        const struct vmodes_layout_crtc *cr;
        const struct vmodes_layout_smode *cur = current(s->state, o, &cr);
        json_object *h = json_object_new_object(), *ml = json_object_new_array();

        json_object_object_add(h, "head", json_object_new_int((int)vmodes_screen_head_number(s, o)));
        json_object_object_add(h, "name", json_object_new_string(o->name));
        json_object_object_add(h, "connection", json_object_new_string(vmodes_display_connection_name(o->connection)));
        json_object_object_add(h, "enabled", json_object_new_boolean(cur != NULL));
        json_object_object_add(h, "primary", json_object_new_boolean(s->state->primary == o->id));
        json_object_object_add(h, "mode", cur ? mode_json(&cur->mode, cur->id) : NULL);
        json_object_object_add(h, "x", cur ? json_object_new_int(cr->x) : NULL);
        json_object_object_add(h, "y", cur ? json_object_new_int(cr->y) : NULL);
        for (unsigned k = 0; k < o->n_modes; k++) {
                const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(s->state, o->modes[k]);
                if (sm) {
                        json_object *mj = mode_json(&sm->mode, sm->id);
                        json_object_object_add(mj, "preferred", json_object_new_boolean(k < o->n_preferred));
                        json_object_array_add(ml, mj);
                }
        }
        json_object_object_add(h, "modes", ml);
        json_object_object_add(h, "stored", stored_json(s, o, stored_for_output(s, stored, o)));
        return h;
}

static void list_json(const struct vmodes_screen *s, const struct vmodes_config *stored, const char *source)
{
        json_object *root = json_object_new_object(), *heads = json_object_new_array();

        json_object_object_add(root, "display", json_object_new_string(vmodes_display_name(s->display)));
        json_object_object_add(root, "width", json_object_new_int((int)s->state->width));
        json_object_object_add(root, "height", json_object_new_int((int)s->state->height));
        json_object_object_add(root, "max_width", json_object_new_int((int)s->state->max_width));
        json_object_object_add(root, "max_height", json_object_new_int((int)s->state->max_height));
        json_object_object_add(root, "memory_limit", json_object_new_int64((int64_t)s->state->memory_limit));
        json_object_object_add(root, "stored_from", source ? json_object_new_string(source) : NULL);
        for (unsigned i = 0; i < s->state->n_outputs; i++)
                json_object_array_add(heads, head_json(s, stored, &s->state->outputs[i]));
        json_object_object_add(root, "heads", heads);
        printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(root);
}

static void head_text(const struct vmodes_screen *s, const struct vmodes_config *stored,
                      const struct vmodes_layout_output *o, bool modes)
{
        const struct vmodes_layout_crtc *cr;
        const struct vmodes_layout_smode *cur = current(s->state, o, &cr);
        const struct vmodes_head_config *sh = stored_for_output(s, stored, o);
        char refresh[32] = "", pos[48] = "", kept[VMODES_NAME_MAX + 96] = "-";

        if (cur) {
                cli_format_refresh(refresh, sizeof(refresh), &cur->mode);
                snprintf(pos, sizeof(pos), "+%d+%d%s", cr->x, cr->y, s->state->primary == o->id ? " primary" : "");
        }
        if (sh && !sh->enabled)
                snprintf(kept, sizeof(kept), "off");
        else if (sh && sh->n_modes)
                snprintf(kept, sizeof(kept), "%s%s%s", sh->modes[0].mode.name, sh->pinned ? " pinned" : "",
                         stored_not_offered(s, o, sh) ? " (not offered: the kernel lists it after kernel-cmdline and a reboot)"
                                                      : "");
        printf("%-3u %-12s %-13s %-22s %-10s %-12s %s\n", vmodes_screen_head_number(s, o), o->name,
               vmodes_display_connection_name(o->connection), cur ? cur->mode.name : "off", refresh, pos, kept);
        for (unsigned k = 0; modes && k < o->n_modes; k++) {
                const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(s->state, o->modes[k]);
                char rate[32];
                if (!sm)
                        continue;
                cli_format_refresh(rate, sizeof(rate), &sm->mode);
                printf("      %c%c %-22s %5ux%-5u %10s\n", cur && cur->id == sm->id ? '*' : ' ',
                       k < o->n_preferred ? '+' : ' ', sm->mode.name, sm->mode.hdisplay, sm->mode.vdisplay, rate);
        }
}

static void list_text(const struct vmodes_screen *s, const struct vmodes_config *stored, bool modes)
{
        const struct vmodes_layout_state *st = s->state;

        printf("screen %s: %ux%u (%ux%u to %ux%u)", vmodes_display_name(s->display), st->width, st->height,
               st->min_width, st->min_height, st->max_width, st->max_height);
        if (st->memory_limit)
                printf(", video memory %" PRIu64 " MiB%s", st->memory_limit >> 20,
                       st->memory_per_head ? " (one copy per head)" : "");
        printf("\n%-3s %-12s %-13s %-22s %-10s %-12s %s\n", "#", "HEAD", "CONNECTION", "MODE", "REFRESH", "POSITION",
               "STORED");
        for (unsigned i = 0; i < st->n_outputs; i++)
                head_text(s, stored, &st->outputs[i], modes);
}

/* What is stored, to show beside what the X session has: NULL (said
 * why) when it cannot be read; *source: where it came from. */
static struct vmodes_config *load_stored(const char **source)
{
        struct vmodes_config *stored = calloc(1, sizeof(*stored));
        struct vmodes_error err = { "" };
        char note[400];
        bool from_file;

        *source = NULL;
        if (!stored)
                return NULL;
        if (vmodes_stored_config(stored, &from_file, note, sizeof(note), &err) < 0) {
                log_error("stored configuration not shown: %s", err.msg);
                free(stored);
                return NULL;
        }
        *source = from_file ? VMODES_CONFIG_DEFAULT_PATH : "vmodesd";
        return stored;
}

int cli_list(int argc, char **argv)
{
        static const struct option opts[] = {
                { "json", no_argument, NULL, OPT_JSON }, { "modes", no_argument, NULL, 'm' },
                { "help", no_argument, NULL, 'h' },      {}
        };
        bool json = false, modes = false;
        struct vmodes_screen s = { 0 };
        _cleanup_(freep) struct vmodes_config *stored = NULL;
        const char *source = NULL;
        int c, ex;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "mh", opts, NULL)) != -1) {
                if (c == OPT_JSON)
                        json = true;
                else if (c == 'm')
                        modes = true;
                else if (c == 'h') {
                        list_help(stdout);
                        return CLI_EXIT_OK;
                } else {
                        log_error("unknown option '%s' (try 'vmodes list --help')", cli_arg(argv[optind - 1]));
                        return CLI_EXIT_USAGE;
                }
        }
        if (optind < argc) {
                log_error("'vmodes list' takes no arguments (try 'vmodes list --help')");
                return CLI_EXIT_USAGE;
        }
        ex = json ? cli_json_load() : CLI_EXIT_OK;
        if (ex == CLI_EXIT_OK)
                ex = cli_screen_open(&s, false);
        if (ex == CLI_EXIT_OK) {
                stored = load_stored(&source);
                if (json)
                        list_json(&s, stored, source);
                else
                        list_text(&s, stored, modes);
        }
        cli_screen_close(&s);
        return ex;
}
