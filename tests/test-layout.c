/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the layout planner (agent/core/layout.c), without any X server:
 * a table of hand-made cases with the exact operations expected, then
 * randomised states and configs checked against invariants. Every plan is
 * run through vmodes_layout_simulate(), which refuses what the X server
 * would refuse (a CRTC outside the screen, a mode an output lacks, a screen
 * size outside the range, a duplicate mode name), and planned again from the
 * result, which must give an empty plan.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/common/textbuf.h"
#include "agent/core/layout.h"
#include "agent/core/simulate.h"
#include "tests/lib/tap.h"

/* ---- building states and configs ------------------------------------------ */

#define OUT_ID(i) (0x100u + (i))
#define CRTC_ID(i) (0x200u + (i))
#define MODE_ID0 0x300u

static void mode_from_spec(const char *spec, const char *name, struct vmodes_mode *m)
{
        struct vmodes_spec sp;
        struct vmodes_error e;

        if (vmodes_spec_parse(spec, &sp, &e) < 0 || vmodes_spec_to_mode(&sp, m, &e) < 0) {
                fprintf(stderr, "bad test spec %s: %s\n", spec, e.msg);
                exit(99);
        }
        if (name)
                snprintf(m->name, sizeof(m->name), "%s", name);
}

static uint32_t add_server_mode(struct vmodes_layout_state *s, const char *spec, const char *name)
{
        uint32_t id = MODE_ID0 + s->n_modes;

        s->modes[s->n_modes].id = id;
        mode_from_spec(spec, name, &s->modes[s->n_modes].mode);
        s->n_modes++;
        return id;
}

static uint32_t mode_named(const struct vmodes_layout_state *s, const char *name)
{
        for (unsigned i = 0; i < s->n_modes; i++)
                if (!strcmp(s->modes[i].mode.name, name))
                        return s->modes[i].id;
        fprintf(stderr, "no mode %s in the test state\n", name);
        exit(99);
}

/* n outputs OUT0.., n CRTCs, every output can use every CRTC and offers the
 * three base modes (1024x768 preferred). */
static struct vmodes_layout_state *state_new(unsigned n_outputs, unsigned n_crtcs, unsigned max_w, unsigned max_h)
{
        struct vmodes_layout_state *s = calloc(1, sizeof(*s));
        uint32_t base[3];

        if (!s)
                exit(99);
        s->width = 1024;
        s->height = 768;
        s->min_width = 320;
        s->min_height = 200;
        s->max_width = max_w;
        s->max_height = max_h;
        base[0] = add_server_mode(s, "1024x768D@60", "1024x768");
        base[1] = add_server_mode(s, "800x600D@60", "800x600");
        base[2] = add_server_mode(s, "1920x1080@60", "1920x1080");
        for (unsigned i = 0; i < n_crtcs; i++)
                s->crtcs[i] = (struct vmodes_layout_crtc){ .id = CRTC_ID(i), .rotation = VMODES_LAYOUT_ROTATE_0 };
        s->n_crtcs = n_crtcs;
        for (unsigned i = 0; i < n_outputs; i++) {
                struct vmodes_layout_output *o = &s->outputs[i];

                o->id = OUT_ID(i);
                snprintf(o->name, sizeof(o->name), "OUT%u", i);
                o->connection = i == 0 ? VMODES_LAYOUT_CONNECTED : VMODES_LAYOUT_DISCONNECTED;
                for (unsigned c = 0; c < n_crtcs; c++)
                        o->crtcs[o->n_crtcs++] = CRTC_ID(c);
                for (unsigned m = 0; m < 3; m++)
                        o->modes[o->n_modes++] = base[m];
                o->n_preferred = 1;
        }
        s->n_outputs = n_outputs;
        return s;
}

static void light(struct vmodes_layout_state *s, unsigned out, unsigned crtc, const char *mode, int x, int y)
{
        struct vmodes_layout_crtc *c = &s->crtcs[crtc];
        const struct vmodes_layout_smode *m = vmodes_layout_mode_by_id(s, mode_named(s, mode));

        c->mode = m->id;
        c->x = x;
        c->y = y;
        c->width = m->mode.hdisplay;
        c->height = m->mode.vdisplay;
        c->outputs[c->n_outputs++] = s->outputs[out].id;
        s->outputs[out].crtc = c->id;
}

/* Screen = bounding box of the lit CRTCs. */
static void fit_screen(struct vmodes_layout_state *s)
{
        unsigned w = s->min_width, h = s->min_height;

        for (unsigned i = 0; i < s->n_crtcs; i++)
                if (s->crtcs[i].mode) {
                        if (s->crtcs[i].x + s->crtcs[i].width > w)
                                w = (unsigned)s->crtcs[i].x + s->crtcs[i].width;
                        if (s->crtcs[i].y + s->crtcs[i].height > h)
                                h = (unsigned)s->crtcs[i].y + s->crtcs[i].height;
                }
        s->width = w;
        s->height = h;
}

/*
 * Config text: heads separated by ';', each
 *   NAME (SPEC[,SPEC...] | off) [right-of|left-of|above|below|same-as NAME] [pos X,Y] [primary] [pinned]
 */
static enum vmodes_relation relation_of(const char *w)
{
        static const struct { const char *w; enum vmodes_relation r; } t[] = {
                { "right-of", VMODES_REL_RIGHT_OF }, { "left-of", VMODES_REL_LEFT_OF },
                { "above", VMODES_REL_ABOVE },       { "below", VMODES_REL_BELOW },
                { "same-as", VMODES_REL_SAME_AS },
        };
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
                if (!strcmp(w, t[i].w))
                        return t[i].r;
        return VMODES_REL_AUTO;
}

static void config_parse(const char *text, struct vmodes_config *cfg)
{
        char buf[1024], *save = NULL;

        memset(cfg, 0, sizeof(*cfg));
        snprintf(buf, sizeof(buf), "%s", text ? text : "");
        for (char *head = strtok_r(buf, ";", &save); head; head = strtok_r(NULL, ";", &save)) {
                struct vmodes_head_config *h = &cfg->heads[cfg->n_heads++];
                char *save2 = NULL, *w;

                h->enabled = true;
                w = strtok_r(head, " ", &save2);
                snprintf(h->head, sizeof(h->head), "%s", w);
                w = strtok_r(NULL, " ", &save2);
                if (!strcmp(w, "off"))
                        h->enabled = false;
                else {
                        char *save3 = NULL;
                        for (char *sp = strtok_r(w, ",", &save3); sp; sp = strtok_r(NULL, ",", &save3)) {
                                struct vmodes_error e;
                                if (vmodes_spec_parse(sp, &h->modes[h->n_modes++].spec, &e) < 0) {
                                        fprintf(stderr, "bad test spec %s\n", sp);
                                        exit(99);
                                }
                        }
                }
                while ((w = strtok_r(NULL, " ", &save2))) {
                        if (!strcmp(w, "primary"))
                                h->primary = true;
                        else if (!strcmp(w, "pinned"))
                                h->pinned = true;
                        else if (!strcmp(w, "pos")) {
                                h->relation = VMODES_REL_POS;
                                if (sscanf(strtok_r(NULL, " ", &save2), "%d,%d", &h->x, &h->y) != 2)
                                        exit(99);
                        } else {
                                h->relation = relation_of(w);
                                snprintf(h->relative_to, sizeof(h->relative_to), "%s", strtok_r(NULL, " ", &save2));
                        }
                }
        }
}

static void ops_string(const struct vmodes_layout_plan *p, char *buf, size_t size)
{
        size_t len = 0;

        buf[0] = 0;
        for (unsigned i = 0; i < p->n_ops && len < size; i++) {
                int n = snprintf(buf + len, size - len, "%s%s", i ? " " : "", vmodes_layout_op_name(p->ops[i].type));
                if (n < 0)
                        break;
                len += (size_t)n;
        }
}

static const struct vmodes_layout_crtc *crtc_of(const struct vmodes_layout_state *s, const char *out)
{
        const struct vmodes_layout_output *o = vmodes_layout_output_by_name(s, out);
        const struct vmodes_layout_crtc *c = o && o->crtc ? vmodes_layout_crtc_by_id(s, o->crtc) : NULL;

        return c && c->mode ? c : NULL;
}

/* Simulates the plan and checks what every successful plan must satisfy. */
static void check_plan_invariants(const char *name, const struct vmodes_config *cfg,
                                  const struct vmodes_layout_state *before, const struct vmodes_layout_plan *plan,
                                  struct vmodes_layout_state *after)
{
        struct vmodes_layout_plan *again = calloc(1, sizeof(*again));
        struct vmodes_error err = { "" };
        int r;

        if (!again)
                exit(99);
        memcpy(after, before, sizeof(*after));
        r = vmodes_layout_simulate(after, plan, 0x1000, &err);
        expect(r == 0, "%s: simulation: %s", name, err.msg);
        if (r < 0)
                goto out;

        /* the screen is the bounding box, within the range */
        {
                struct vmodes_layout_state fitted = *after;
                fit_screen(&fitted);
                expect(after->width == fitted.width && after->height == fitted.height,
                      "%s: screen %ux%u, bounding box %ux%u", name, after->width, after->height, fitted.width,
                      fitted.height);
                expect(after->width == plan->width && after->height == plan->height, "%s: plan says %ux%u", name,
                      plan->width, plan->height);
                expect(!after->max_width || after->width <= after->max_width, "%s: screen wider than max", name);
                expect(!after->max_height || after->height <= after->max_height, "%s: screen taller than max", name);
        }
        /* mode names unique; no two modes with the same timings created */
        for (unsigned i = 0; i < after->n_modes; i++)
                for (unsigned k = i + 1; k < after->n_modes; k++) {
                        expect(strcmp(after->modes[i].mode.name, after->modes[k].mode.name), "%s: duplicate name %s",
                              name, after->modes[i].mode.name);
                        if (after->modes[i].id >= 0x1000 || after->modes[k].id >= 0x1000)
                                expect(!vmodes_mode_equal_timings(&after->modes[i].mode, &after->modes[k].mode),
                                      "%s: mode %s created although %s has its timings", name,
                                      after->modes[k].mode.name, after->modes[i].mode.name);
                }
        /* every configured head as configured */
        for (unsigned i = 0; i < cfg->n_heads; i++) {
                const struct vmodes_head_config *h = &cfg->heads[i];
                const struct vmodes_layout_crtc *c = crtc_of(after, h->head);
                const struct vmodes_layout_output *o = vmodes_layout_output_by_name(after, h->head);

                if (!h->enabled) {
                        expect(c == NULL, "%s: %s should be off", name, h->head);
                        continue;
                }
                expect(c != NULL, "%s: %s should be lit", name, h->head);
                if (!c)
                        continue;
                for (unsigned k = 0; k < h->n_modes; k++) {
                        struct vmodes_mode want;
                        bool offered = false;
                        struct vmodes_error e;

                        if (vmodes_spec_to_mode(&h->modes[k].spec, &want, &e) < 0)
                                continue;
                        for (unsigned m = 0; m < o->n_modes; m++) {
                                const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(after, o->modes[m]);
                                offered |= sm && vmodes_mode_equal_timings(&sm->mode, &want);
                        }
                        expect(offered, "%s: %s does not offer mode %u", name, h->head, k);
                        if (k == 0)
                                expect(vmodes_mode_equal_timings(&vmodes_layout_mode_by_id(after, c->mode)->mode, &want),
                                      "%s: %s shows the wrong mode", name, h->head);
                }
                if (h->primary)
                        expect(after->primary == o->id, "%s: %s is not primary", name, h->head);
                if (h->relation >= VMODES_REL_RIGHT_OF && h->relation <= VMODES_REL_SAME_AS) {
                        const struct vmodes_layout_crtc *rc = crtc_of(after, h->relative_to);
                        int ex = 0, ey = 0;
                        expect(rc != NULL, "%s: %s is off", name, h->relative_to);
                        if (!rc)
                                continue;
                        switch (h->relation) {
                        case VMODES_REL_RIGHT_OF: ex = rc->x + (int)rc->width; ey = rc->y; break;
                        case VMODES_REL_LEFT_OF: ex = rc->x - (int)c->width; ey = rc->y; break;
                        case VMODES_REL_ABOVE: ex = rc->x; ey = rc->y - (int)c->height; break;
                        case VMODES_REL_BELOW: ex = rc->x; ey = rc->y + (int)rc->height; break;
                        default: ex = rc->x; ey = rc->y; break;
                        }
                        expect(c->x == ex && c->y == ey, "%s: %s at %d,%d, expected %d,%d relative to %s", name,
                              h->head, c->x, c->y, ex, ey, h->relative_to);
                }
        }
        /* unconfigured outputs that stay lit keep their mode */
        for (unsigned i = 0; i < before->n_outputs; i++) {
                const struct vmodes_layout_crtc *b = crtc_of(before, before->outputs[i].name);
                const struct vmodes_layout_crtc *a = crtc_of(after, before->outputs[i].name);
                bool configured = false;
                for (unsigned k = 0; k < cfg->n_heads; k++)
                        configured |= !strcmp(cfg->heads[k].head, before->outputs[i].name);
                if (!configured && b && a)
                        expect(a->mode == b->mode, "%s: unconfigured %s changed its mode", name, before->outputs[i].name);
                if (!configured && b && b->n_outputs == 1)
                        expect(a != NULL, "%s: unconfigured %s was turned off", name, before->outputs[i].name);
        }
        /* minimal: CRTCs set only when they end up different */
        for (unsigned i = 0; i < plan->n_ops; i++)
                if (plan->ops[i].type == VMODES_OP_SET_CRTC) {
                        const struct vmodes_layout_crtc *b = vmodes_layout_crtc_by_id(before, plan->ops[i].crtc);
                        const struct vmodes_layout_crtc *a = vmodes_layout_crtc_by_id(after, plan->ops[i].crtc);
                        bool disabled_first = false;
                        for (unsigned k = 0; k < i; k++)
                                disabled_first |= plan->ops[k].type == VMODES_OP_DISABLE_CRTC &&
                                                  plan->ops[k].crtc == plan->ops[i].crtc;
                        expect(disabled_first || b->mode != a->mode || b->x != a->x || b->y != a->y ||
                                      b->n_outputs != a->n_outputs ||
                                      memcmp(b->outputs, a->outputs, a->n_outputs * sizeof(a->outputs[0])),
                              "%s: CRTC 0x%x set without a change", name, plan->ops[i].crtc);
                }
        /* idempotent */
        err.msg[0] = 0;
        r = vmodes_layout_plan(cfg, after, NULL, 0, again, &err);
        expect(r == 0 && again->n_ops == 0, "%s: second plan: r=%d, %u ops (%s)", name, r, again->n_ops, err.msg);
        if (getenv("LAYOUT_DEBUG") && again->n_ops)
                for (unsigned i = 0; i < again->n_ops; i++) {
                        char d[160];
                        vmodes_layout_op_describe(d, sizeof(d), &again->ops[i], after, again);
                        fprintf(stderr, "  again: %s\n", d);
                }
out:
        free(again);
}

/* ---- the table ------------------------------------------------------------------ */

struct lit {
        unsigned out, crtc;
        const char *mode;
        int x, y;
};

struct table_case {
        const char *name;
        unsigned n_outputs, n_crtcs, max_w, max_h;
        uint64_t memory;
        bool per_head;
        struct lit lit[4];           /* out/crtc pairs; mode NULL ends the list */
        const char *extra_mode_spec; /* a user mode already on the server (not on any output) */
        const char *extra_mode_name;
        const char *config;
        const char *drop;            /* "HEAD SPEC" */
        const char *ops;             /* expected op types, space separated; NULL with error */
        const char *error;           /* expected error text (substring) */
        unsigned screen_w, screen_h; /* expected screen after the plan (0: not checked) */
};

static const struct table_case table[] = {
        { "same state: empty plan", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "OUT0 1024x768D@60", NULL, "", NULL, 1024, 768 },
        { "empty config: empty plan", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL, "",
          NULL, "", NULL, 1024, 768 },
        { "new mode on the lit head: grow first", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL,
          NULL, "OUT0 2560x1440@44", NULL, "create-mode add-mode set-screen-size set-crtc", NULL, 2560, 1440 },
        { "existing mode reused by timings, not by name", 2, 2, 8192, 8192, 0, false,
          { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL, "OUT0 1920x1080@60", NULL, "set-screen-size set-crtc", NULL,
          1920, 1080 },
        { "mode on the server but not on the output: added, not created", 2, 2, 8192, 8192, 0, false,
          { { 0, 0, "1024x768", 0, 0 } }, "2560x1440@44", "my-mode", "OUT0 2560x1440@44", NULL,
          "add-mode set-screen-size set-crtc", NULL, 2560, 1440 },
        { "name clash with other timings: suffix", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } },
          "1280x720@60", "2560x1440_44.00", "OUT0 2560x1440@44", NULL, "create-mode add-mode set-screen-size set-crtc",
          NULL, 2560, 1440 },
        { "smaller mode: shrink after", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1920x1080", 0, 0 } }, NULL, NULL,
          "OUT0 800x600D@60", NULL, "set-crtc set-screen-size", NULL, 800, 600 },
        { "second head right of the first, free CRTC", 4, 4, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } },
          NULL, NULL, "OUT1 1920x1080@60 right-of OUT0", NULL, "set-screen-size set-crtc", NULL, 2944, 1080 },
        { "disconnected head gets an explicit mode", 4, 4, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } },
          NULL, NULL, "OUT3 2560x1440@44 below OUT0", NULL, "create-mode add-mode set-screen-size set-crtc", NULL,
          2560, 2208 },
        { "left-of moves the layout back to 0,0", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL,
          NULL, "OUT1 800x600D@60 left-of OUT0", NULL, "set-screen-size set-crtc set-crtc", NULL, 1824, 768 },
        { "above", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "OUT1 800x600D@60 above OUT0", NULL, "set-screen-size set-crtc set-crtc", NULL, 1024, 1368 },
        { "auto: right of every lit head", 3, 3, 8192, 8192, 0, false,
          { { 0, 0, "1024x768", 0, 0 }, { 1, 1, "800x600", 1024, 0 } }, NULL, NULL, "OUT2 1024x768D@60", NULL,
          "set-screen-size set-crtc", NULL, 2848, 768 },
        { "auto chain in config order", 3, 3, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "OUT0 1024x768D@60; OUT1 800x600D@60; OUT2 1920x1080@60", NULL,
          "set-screen-size set-crtc set-crtc", NULL, 3744, 1080 },
        { "fixed position", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "OUT1 800x600D@60 pos 100,768", NULL, "set-screen-size set-crtc", NULL, 1024, 1368 },
        { "turn a head off: disable, then shrink", 2, 2, 8192, 8192, 0, false,
          { { 0, 0, "1024x768", 0, 0 }, { 1, 1, "800x600", 1024, 0 } }, NULL, NULL, "OUT1 off", NULL,
          "disable-crtc set-screen-size", NULL, 1024, 768 },
        { "turning every head off is refused", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL,
          NULL, "OUT0 off", NULL, NULL, "every head off", 0, 0 },
        { "wider and lower through the larger size", 2, 2, 8192, 8192, 0, false,
          { { 0, 0, "1024x768", 0, 0 }, { 1, 1, "1024x768", 0, 768 } }, NULL, NULL,
          "OUT1 1024x768D@60 right-of OUT0", NULL, "set-screen-size set-crtc set-screen-size", NULL, 2048, 768 },
        { "wider and lower, larger size does not fit: xrandr's way", 2, 2, 2048, 1536, 2048u * 1536 * 4 - 1, false,
          { { 0, 0, "1024x768", 0, 0 }, { 1, 1, "1024x768", 0, 768 } }, NULL, NULL,
          "OUT1 1024x768D@60 right-of OUT0", NULL, "disable-crtc set-screen-size set-crtc", NULL, 2048, 768 },
        { "screen max refused", 2, 2, 4096, 4096, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "OUT0 2560x1440@44; OUT1 2560x1440@44 right-of OUT0", NULL, NULL, "at most 4096x4096", 0, 0 },
        { "memory refused", 2, 2, 8192, 8192, 16u << 20, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "OUT0 2560x1440@44; OUT1 1920x1080@60 right-of OUT0", NULL, NULL, "video memory", 0, 0 },
        { "memory: one copy per head", 2, 2, 8192, 8192, 24u << 20, true, { { 0, 0, "1024x768", 0, 0 } }, NULL,
          NULL, "OUT0 1920x1080@60; OUT1 1920x1080@60 below OUT0", NULL, NULL, "one per head", 0, 0 },
        { "memory: fits with one copy", 2, 2, 8192, 8192, 24u << 20, false, { { 0, 0, "1024x768", 0, 0 } }, NULL,
          NULL, "OUT0 1920x1080@60; OUT1 1920x1080@60 below OUT0", NULL,
          "set-screen-size set-crtc set-crtc", NULL, 1920, 2160 },
        { "no free CRTC", 3, 2, 8192, 8192, 0, false,
          { { 0, 0, "1024x768", 0, 0 }, { 1, 1, "1024x768", 1024, 0 } }, NULL, NULL, "OUT2 800x600D@60", NULL,
          NULL, "no free CRTC", 0, 0 },
        { "CRTC of a head turned off is reused", 3, 2, 8192, 8192, 0, false,
          { { 0, 0, "1024x768", 0, 0 }, { 1, 1, "1024x768", 1024, 0 } }, NULL, NULL,
          "OUT1 off; OUT2 800x600D@60 right-of OUT0", NULL, "set-crtc set-screen-size", NULL, 1824, 768 },
        { "unknown head", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "Virtual-9 1024x768D@60", NULL, NULL, "unknown head Virtual-9: the X server has OUT0, OUT1", 0, 0 },
        { "relation to unknown head", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "OUT1 1024x768D@60 right-of OUT7", NULL, NULL, "unknown head OUT7", 0, 0 },
        { "relation to a head that is off", 3, 3, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "OUT1 1024x768D@60 right-of OUT2", NULL, NULL, "which is off", 0, 0 },
        { "relation cycle", 3, 3, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "OUT1 1024x768D@60 right-of OUT2; OUT2 1024x768D@60 right-of OUT1", NULL, NULL, "cycle", 0, 0 },
        { "two primaries", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "OUT0 1024x768D@60 primary; OUT1 1024x768D@60 primary", NULL, NULL, "only one", 0, 0 },
        { "primary", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "OUT1 1024x768D@60 right-of OUT0 primary", NULL, "set-screen-size set-crtc set-primary", NULL, 2048, 768 },
        { "head configured twice", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "OUT0 1024x768D@60; OUT0 800x600D@60", NULL, NULL, "configured twice", 0, 0 },
        { "extra modes are offered too", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "OUT0 1024x768D@60,2560x1440@44,1920x1080R2@60", NULL, "create-mode create-mode add-mode add-mode", NULL,
          1024, 768 },
        { "same new mode on two heads: created once", 3, 3, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } },
          NULL, NULL, "OUT1 2560x1440@44 right-of OUT0; OUT2 2560x1440@44 right-of OUT1", NULL,
          "create-mode add-mode add-mode set-screen-size set-crtc set-crtc", NULL, 6144, 1440 },
        { "drop an unused mode", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL, NULL,
          "OUT0 800x600D@60", "delete-mode", NULL, 1024, 768 },
        { "drop the mode in use: back to the preferred mode", 2, 2, 8192, 8192, 0, false,
          { { 0, 0, "1920x1080", 0, 0 } }, NULL, NULL, NULL, "OUT0 1920x1080@60", "set-crtc set-screen-size delete-mode",
          NULL, 1024, 768 },
        { "drop the mode in use without a preferred one: off", 2, 2, 8192, 8192, 0, false,
          { { 0, 0, "1024x768", 0, 0 }, { 1, 1, "800x600", 1024, 0 } }, NULL, NULL, NULL, "OUT0 1024x768D@60",
          "disable-crtc set-screen-size delete-mode", NULL, 1824, 600 },
        { "drop a mode the head does not offer", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL,
          NULL, NULL, "OUT0 2560x1440@44", NULL, "does not offer", 0, 0 },
        { "drop the configured mode", 2, 2, 8192, 8192, 0, false, { { 0, 0, "1024x768", 0, 0 } }, NULL, NULL,
          "OUT0 1024x768D@60", "OUT0 1024x768D@60", NULL, "configured to show", 0, 0 },
};

static void run_table(void)
{
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
                const struct table_case *tc = &table[i];
                struct vmodes_layout_state *s = state_new(tc->n_outputs, tc->n_crtcs, tc->max_w, tc->max_h);
                struct vmodes_layout_state *after = calloc(1, sizeof(*after));
                struct vmodes_layout_plan *plan = calloc(1, sizeof(*plan));
                struct vmodes_config cfg;
                struct vmodes_layout_drop drop;
                struct vmodes_error err = { "" };
                char ops[512];
                int r;

                if (!after || !plan)
                        exit(99);
                for (unsigned l = 0; l < 4 && tc->lit[l].mode; l++)
                        light(s, tc->lit[l].out, tc->lit[l].crtc, tc->lit[l].mode, tc->lit[l].x, tc->lit[l].y);
                fit_screen(s);
                s->memory_limit = tc->memory;
                s->memory_per_head = tc->per_head;
                if (tc->extra_mode_spec)
                        add_server_mode(s, tc->extra_mode_spec, tc->extra_mode_name);
                config_parse(tc->config, &cfg);
                if (tc->drop) {
                        char head[32], spec[32];
                        if (sscanf(tc->drop, "%31s %31s", head, spec) != 2)
                                exit(99);
                        memset(&drop, 0, sizeof(drop));
                        snprintf(drop.head, sizeof(drop.head), "%s", head);
                        mode_from_spec(spec, NULL, &drop.mode);
                }
                r = vmodes_layout_plan(&cfg, s, tc->drop ? &drop : NULL, tc->drop ? 1 : 0, plan, &err);
                if (tc->error) {
                        expect(r < 0 && strstr(err.msg, tc->error), "%s: r=%d, error '%s', expected '%s'", tc->name, r,
                              err.msg, tc->error);
                        expect(plan->n_ops == 0, "%s: failed plan has operations", tc->name);
                        expect(!strchr(err.msg, '\n'), "%s: error is not one line", tc->name);
                } else {
                        expect(r == 0, "%s: r=%d: %s", tc->name, r, err.msg);
                        ops_string(plan, ops, sizeof(ops));
                        expect(!strcmp(ops, tc->ops), "%s: ops '%s', expected '%s'", tc->name, ops, tc->ops);
                        if (r == 0 && !tc->drop)
                                check_plan_invariants(tc->name, &cfg, s, plan, after);
                        else if (r == 0) {
                                memcpy(after, s, sizeof(*after));
                                r = vmodes_layout_simulate(after, plan, 0x1000, &err);
                                expect(r == 0, "%s: simulation: %s", tc->name, err.msg);
                        }
                        if (tc->screen_w)
                                expect(plan->width == tc->screen_w && plan->height == tc->screen_h,
                                      "%s: screen %ux%u, expected %ux%u", tc->name, plan->width, plan->height,
                                      tc->screen_w, tc->screen_h);
                }
                free(s);
                free(after);
                free(plan);
        }
}

/* Specific details the table does not show. */
static void test_details(void)
{
        struct vmodes_layout_state *s = state_new(2, 2, 8192, 8192);
        struct vmodes_layout_plan *plan = calloc(1, sizeof(*plan));
        struct vmodes_config cfg;
        struct vmodes_error err = { "" };
        int r;

        if (!plan)
                exit(99);
        light(s, 0, 0, "1024x768", 0, 0);
        fit_screen(s);
        add_server_mode(s, "1280x720@60", "2560x1440_44.00");
        add_server_mode(s, "1280x800@60", "2560x1440_44.00-2");
        config_parse("OUT0 2560x1440@44", &cfg);
        r = vmodes_layout_plan(&cfg, s, NULL, 0, plan, &err);
        expect(r == 0 && plan->ops[0].type == VMODES_OP_CREATE_MODE &&
                      !strcmp(plan->ops[0].mode.name, "2560x1440_44.00-3"),
              "clash suffix: %s", plan->n_ops ? plan->ops[0].mode.name : err.msg);
        expect(plan->n_results == 1 && !strcmp(plan->results[0].head, "OUT0") &&
                      (plan->results[0].changes & VMODES_CHANGE_MODE) && (plan->results[0].changes & VMODES_CHANGE_ADDED) &&
                      !strcmp(plan->results[0].mode.name, "2560x1440_44.00-3"),
              "results");
        /* the CRTC op refers to the created mode */
        expect(plan->ops[3].type == VMODES_OP_SET_CRTC && plan->ops[3].ref.created == 0, "set-crtc uses created mode");

        /* rotated CRTC keeps its rotation and swaps its size */
        free(s);
        s = state_new(2, 2, 8192, 8192);
        light(s, 0, 0, "1024x768", 0, 0);
        s->crtcs[0].rotation = 2; /* RR_Rotate_90 */
        s->crtcs[0].width = 768;
        s->crtcs[0].height = 1024;
        fit_screen(s);
        config_parse("OUT0 1920x1080@60; OUT1 800x600D@60 right-of OUT0", &cfg);
        r = vmodes_layout_plan(&cfg, s, NULL, 0, plan, &err);
        expect(r == 0 && plan->width == 1080 + 800 && plan->height == 1920, "rotated: %ux%u %s", plan->width,
              plan->height, err.msg);

        /* a custom modeline */
        free(s);
        s = state_new(1, 1, 8192, 8192);
        light(s, 0, 0, "1024x768", 0, 0);
        fit_screen(s);
        memset(&cfg, 0, sizeof(cfg));
        cfg.n_heads = 1;
        snprintf(cfg.heads[0].head, sizeof(cfg.heads[0].head), "OUT0");
        cfg.heads[0].enabled = true;
        cfg.heads[0].n_modes = 1;
        cfg.heads[0].modes[0].custom = true;
        expect(vmodes_modeline_parse("\"weird\" 100 1000 1010 1020 1100 700 701 702 720 +hsync +vsync",
                                    &cfg.heads[0].modes[0].mode, &err) == 0, "modeline");
        r = vmodes_layout_plan(&cfg, s, NULL, 0, plan, &err);
        expect(r == 0 && plan->n_ops == 4 && !strcmp(plan->ops[0].mode.name, "weird"), "custom: %s", err.msg);

        /* a head with no mode */
        cfg.heads[0].n_modes = 0;
        r = vmodes_layout_plan(&cfg, s, NULL, 0, plan, &err);
        expect(r == -EINVAL && strstr(err.msg, "no mode"), "no mode: %s", err.msg);

        free(s);
        free(plan);
}

/* A compositor's modes (loose: size and rate only): matched by size and
 * rate in mHz, within the state's tolerance the closest; a layout moved to
 * 0,0 for a server that wants it (layout_at_origin). */
static void loose(struct vmodes_layout_state *s, unsigned w, unsigned h, unsigned mhz)
{
        struct vmodes_layout_smode *sm = &s->modes[s->n_modes];

        memset(sm, 0, sizeof(*sm));
        sm->id = MODE_ID0 + s->n_modes;
        sm->loose = true;
        sm->mode.hdisplay = sm->mode.hsync_start = sm->mode.hsync_end = sm->mode.htotal = (uint16_t)w;
        sm->mode.vdisplay = sm->mode.vsync_start = sm->mode.vsync_end = sm->mode.vtotal = (uint16_t)h;
        sm->mode.clock_hz = ((uint64_t)mhz * w * h + 500) / 1000;
        snprintf(sm->mode.name, sizeof(sm->mode.name), "%ux%u@%u", w, h, mhz);
        s->outputs[0].modes[s->outputs[0].n_modes++] = sm->id;
        s->outputs[1].modes[s->outputs[1].n_modes++] = sm->id;
        s->n_modes++;
}

static void test_loose(void)
{
        struct vmodes_layout_state *s = state_new(2, 2, 8192, 8192);
        struct vmodes_layout_plan *plan = calloc(1, sizeof(*plan));
        struct vmodes_config cfg;
        struct vmodes_error err = { "" };
        int r;

        if (!plan)
                exit(99);
        s->n_modes = 0;
        s->outputs[0].n_modes = s->outputs[1].n_modes = 0;
        loose(s, 1280, 800, 60000);
        loose(s, 2560, 1440, 43986); /* CVT's 2560x1440@44 as sway reports it */
        loose(s, 1920, 1080, 60000);
        loose(s, 1920, 1080, 59500);
        light(s, 0, 0, "1280x800@60000", 0, 0);
        fit_screen(s);

        /* the same rate in mHz: that mode, no new one */
        config_parse("OUT0 2560x1440@44", &cfg);
        r = vmodes_layout_plan(&cfg, s, NULL, 0, plan, &err);
        expect(r == 0 && plan->n_ops >= 1 && plan->ops[0].type != VMODES_OP_CREATE_MODE &&
                      !strcmp(plan->results[0].mode.name, "2560x1440@43986"),
              "loose: same mHz taken: %s", r < 0 ? err.msg : plan->results[0].mode.name);
        /* no tolerance: CVT's 1920x1080@60 (59.963 Hz) is a new mode */
        config_parse("OUT0 1920x1080@60", &cfg);
        r = vmodes_layout_plan(&cfg, s, NULL, 0, plan, &err);
        expect(r == 0 && plan->ops[0].type == VMODES_OP_CREATE_MODE, "loose: exact without tolerance");
        /* with 0.5 Hz: the closest (60.000, not 59.500) */
        s->loose_tolerance_mhz = 500;
        r = vmodes_layout_plan(&cfg, s, NULL, 0, plan, &err);
        expect(r == 0 && plan->ops[0].type != VMODES_OP_CREATE_MODE &&
                      !strcmp(plan->results[0].mode.name, "1920x1080@60000"),
              "loose: closest within the tolerance: %s", r < 0 ? err.msg : plan->results[0].mode.name);
        /* 1 Hz off is too far */
        config_parse("OUT0 1920x1080@59", &cfg);
        r = vmodes_layout_plan(&cfg, s, NULL, 0, plan, &err);
        expect(r == 0 && plan->ops[0].type == VMODES_OP_CREATE_MODE, "loose: beyond the tolerance");

        /* with layout_at_origin the only lit head moves to 0,0, in X it stays */
        light(s, 1, 1, "1920x1080@60000", 1280, 0);
        fit_screen(s);
        s->layout_at_origin = true;
        config_parse("OUT1 off; OUT0 1280x800@60 pos 500,100", &cfg);
        r = vmodes_layout_plan(&cfg, s, NULL, 0, plan, &err);
        expect(r == 0 && plan->results[1].x == 0 && plan->results[1].y == 0,
              "origin: the only lit head moves to 0,0: %s %d,%d", r < 0 ? err.msg : "", plan->results[1].x,
              plan->results[1].y);
        s->layout_at_origin = false;
        r = vmodes_layout_plan(&cfg, s, NULL, 0, plan, &err);
        expect(r == 0 && plan->results[1].x == 500 && plan->results[1].y == 100, "X: a layout may begin anywhere");
        free(s);
        free(plan);
}

/* Head names in every scheme, on servers of every naming scheme. */
static void test_head_names(void)
{
        static const struct {
                const char *outputs[4];
                const char *ask;
                const char *want; /* NULL: none */
        } cases[] = {
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "Virtual-2", "Virtual-2" },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "2", "Virtual-2" },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "qxl-1", "Virtual-2" },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "qxl-3", "Virtual-4" },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "qxl-4", NULL },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "5", NULL },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "0", NULL },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "02", NULL },
                { { "qxl-0", "qxl-1", "qxl-2", "qxl-3" }, "Virtual-1", "qxl-0" },
                { { "qxl-0", "qxl-1", "qxl-2", "qxl-3" }, "Virtual-4", "qxl-3" },
                { { "qxl-0", "qxl-1", "qxl-2", "qxl-3" }, "1", "qxl-0" },
                { { "qxl-0", "qxl-1", "qxl-2", "qxl-3" }, "qxl-2", "qxl-2" },
                { { "qxl-0", "qxl-1", "qxl-2", "qxl-3" }, "Virtual-0", NULL },
                { { "Virtual-0", "Virtual-1", "Virtual-2", "Virtual-3" }, "1", "Virtual-0" },
                { { "Virtual-0", "Virtual-1", "Virtual-2", "Virtual-3" }, "4", "Virtual-3" },
                { { "Virtual-0", "Virtual-1", "Virtual-2", "Virtual-3" }, "qxl-0", "Virtual-0" },
                { { "Virtual-0", "Virtual-1", "Virtual-2", "Virtual-3" }, "Virtual-1", "Virtual-1" },
                { { "DUMMY0", "DUMMY1", "DUMMY2", "DUMMY3" }, "1", "DUMMY0" },
                { { "DUMMY0", "DUMMY1", "DUMMY2", "DUMMY3" }, "4", "DUMMY3" },
                { { "DUMMY0", "DUMMY1", "DUMMY2", "DUMMY3" }, "Virtual-1", NULL },
                { { "DUMMY0", "DUMMY1", "DUMMY2", "DUMMY3" }, "dummy0", NULL },
                { { "DUMMY0", "DUMMY1", "DUMMY2", "DUMMY3" }, "", NULL },
                { { "HDMI-1", "DP-1", "eDP-1" }, "HDMI-A-1", "HDMI-1" },
                { { "HDMI-1", "DP-1", "eDP-1" }, "DP-1", "DP-1" },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "Virtual-99999999999", NULL },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "qxl-99999999999", NULL },
                { { "screen" }, "1", "screen" },
                { { "screen" }, "2", NULL },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct vmodes_layout_state *s = state_new(0, 1, 8192, 8192);
                const struct vmodes_layout_output *o;

                for (unsigned k = 0; k < 4 && cases[i].outputs[k]; k++) {
                        s->outputs[k].id = OUT_ID(k);
                        snprintf(s->outputs[k].name, sizeof(s->outputs[k].name), "%s", cases[i].outputs[k]);
                        s->n_outputs++;
                }
                o = vmodes_layout_find_head(s, cases[i].ask);
                expect(cases[i].want ? o && !strcmp(o->name, cases[i].want) : o == NULL, "head %s among %s...: got %s",
                      cases[i].ask, cases[i].outputs[0], o ? o->name : "none");
                free(s);
        }
}

/* ---- randomised ------------------------------------------------------------------ */

static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return (unsigned)(rng_state % n);
}

static const char *const specs[] = {
        "1024x768D@60", "800x600D@60", "1920x1080@60", "2560x1440@44", "1280x720@60", "1920x1080R2@60",
        "1280x1024@75", "3840x2160R@30", "640x480D@60", "2560x1600R@60", "1366x768@60", "1600x900R2@44",
};

static void random_case(unsigned iter, unsigned *planned, unsigned *refused)
{
        unsigned n_out = 1 + rnd(8), n_crtc = 1 + rnd(8);
        unsigned max = rnd(3) == 0 ? 4096 : rnd(2) ? 8192 : 16384;
        struct vmodes_layout_state *s = state_new(n_out, n_crtc, max, max);
        struct vmodes_layout_state *after = calloc(1, sizeof(*after));
        struct vmodes_layout_plan *plan = calloc(1, sizeof(*plan));
        struct vmodes_config cfg;
        struct vmodes_error err = { "" };
        char name[64];
        unsigned x = 0, crtc = 0;
        int r;

        if (!after || !plan)
                exit(99);
        snprintf(name, sizeof(name), "random #%u", iter);
        /* a few user modes, some with clashing names */
        for (unsigned i = rnd(4); i > 0; i--) {
                const char *sp = specs[rnd(sizeof(specs) / sizeof(specs[0]))];
                char nm[64];
                struct vmodes_mode m;
                mode_from_spec(sp, NULL, &m);
                snprintf(nm, sizeof(nm), "%s", rnd(2) ? m.name : "2560x1440_44.00");
                bool taken = false;
                for (unsigned k = 0; k < s->n_modes; k++)
                        taken |= !strcmp(s->modes[k].mode.name, nm);
                if (!taken) {
                        uint32_t id = add_server_mode(s, sp, nm);
                        if (rnd(2)) {
                                unsigned o = rnd(n_out);
                                s->outputs[o].modes[s->outputs[o].n_modes++] = id;
                        }
                }
        }
        /* some lit outputs in a row */
        for (unsigned i = 0; i < n_out && crtc < n_crtc; i++)
                if (i == 0 || rnd(2)) {
                        const char *m = rnd(2) ? "1024x768" : rnd(2) ? "800x600" : "1920x1080";
                        light(s, i, crtc++, m, (int)x, rnd(4) == 0 ? 100 : 0);
                        x += s->crtcs[crtc - 1].width;
                }
        fit_screen(s);
        if (rnd(3) == 0) {
                s->memory_limit = (uint64_t)(8 + rnd(120)) << 20;
                s->memory_per_head = rnd(2);
        }
        /* a config over a random subset of the outputs */
        memset(&cfg, 0, sizeof(cfg));
        for (unsigned i = 0; i < n_out; i++) {
                struct vmodes_head_config *h;
                if (rnd(3) == 0)
                        continue;
                h = &cfg.heads[cfg.n_heads++];
                snprintf(h->head, sizeof(h->head), "OUT%u", i);
                h->enabled = rnd(6) != 0;
                h->n_modes = 1 + rnd(2);
                for (unsigned k = 0; k < h->n_modes; k++) {
                        struct vmodes_error e;
                        if (vmodes_spec_parse(specs[rnd(sizeof(specs) / sizeof(specs[0]))], &h->modes[k].spec, &e) < 0)
                                exit(99);
                }
                h->relation = (enum vmodes_relation)rnd(7);
                if (h->relation == VMODES_REL_POS) {
                        h->x = (int)rnd(4000);
                        h->y = (int)rnd(2000);
                } else if (h->relation != VMODES_REL_AUTO) {
                        /* mostly another head; sometimes itself (refused) */
                        unsigned other = rnd(n_out);
                        if (other == i && rnd(8))
                                other = (i + 1) % n_out;
                        snprintf(h->relative_to, sizeof(h->relative_to), "OUT%u", other);
                }
                h->primary = h->enabled && rnd(5) == 0;
        }
        /* mostly at most one primary */
        for (unsigned i = 0, seen = 0; i < cfg.n_heads; i++)
                if (cfg.heads[i].primary && seen++ && rnd(8))
                        cfg.heads[i].primary = false;
        /* at most one primary is a valid config; leave some invalid ones */
        r = vmodes_layout_plan(&cfg, s, NULL, 0, plan, &err);
        if (r == 0) {
                (*planned)++;
                check_plan_invariants(name, &cfg, s, plan, after);
        } else {
                (*refused)++;
                if (getenv("LAYOUT_DEBUG"))
                        fprintf(stderr, "refused: %s\n", err.msg);
                expect(err.msg[0] && !strchr(err.msg, '\n'), "%s: error must be one line: '%s'", name, err.msg);
                expect(plan->n_ops == 0, "%s: refused plan has operations", name);
                expect(r == -EINVAL || r == -ENOSPC || r == -EBUSY, "%s: r=%d (%s)", name, r, err.msg);
        }
        free(s);
        free(after);
        free(plan);
}

/* The one-line lists of messages (mode lists, skipped modes): cut off, never overrun. */
static void test_text_append(void)
{
        char buf[12] = "", tiny[1] = "";

        vmodes_text_append(buf, sizeof(buf), ", ", "800x600");
        check(!strcmp(buf, "800x600"), "text list: first item without separator ('%s')", buf);
        vmodes_text_append(buf, sizeof(buf), ", ", "1024x768");
        check(!strcmp(buf, "800x600,..."), "text list: cut off at the buffer's end, marked ('%s')", buf);
        vmodes_text_append(buf, sizeof(buf), ", ", "x");
        check(!strcmp(buf, "800x600,..."), "text list: nothing added to a full buffer ('%s')", buf);
        vmodes_text_append(tiny, sizeof(tiny), ", ", "x");
        check(tiny[0] == '\0', "text list: a 1-byte buffer stays empty");
}

int main(int argc, char **argv)
{
        unsigned planned = 0, refused = 0, n = argc > 1 ? (unsigned)atoi(argv[1]) : 3000;

        run_table();
        test_details();
        test_loose();
        test_head_names();
        test_text_append();
        for (unsigned i = 0; i < n; i++)
                random_case(i, &planned, &refused);
        printf("layout: %zu table cases, %u random layouts (%u planned, %u refused)\n",
               sizeof(table) / sizeof(table[0]), n, planned, refused);
        return tap_finish();
}
