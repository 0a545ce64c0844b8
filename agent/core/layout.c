/* SPDX-License-Identifier: MIT */
/*
 * The layout planner: desired state + observed RandR state -> operations.
 * Pure; see agent/core/layout.h for the rules it follows.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/common/head.h"
#include "agent/common/macro.h"
#include "agent/common/textbuf.h"
#include "agent/core/layout.h"


/* ---- lookups ---------------------------------------------------------------- */

const struct vmodes_layout_output *vmodes_layout_output_by_name(const struct vmodes_layout_state *s,
                                                                const char *name)
{
        for (unsigned i = 0; i < s->n_outputs; i++)
                if (!strcmp(s->outputs[i].name, name))
                        return &s->outputs[i];
        return NULL;
}

const struct vmodes_layout_output *vmodes_layout_output_by_id(const struct vmodes_layout_state *s, uint32_t id)
{
        for (unsigned i = 0; i < s->n_outputs; i++)
                if (s->outputs[i].id == id)
                        return &s->outputs[i];
        return NULL;
}

const struct vmodes_layout_crtc *vmodes_layout_crtc_by_id(const struct vmodes_layout_state *s, uint32_t id)
{
        for (unsigned i = 0; i < s->n_crtcs; i++)
                if (s->crtcs[i].id == id)
                        return &s->crtcs[i];
        return NULL;
}

const struct vmodes_layout_smode *vmodes_layout_mode_by_id(const struct vmodes_layout_state *s, uint32_t id)
{
        for (unsigned i = 0; i < s->n_modes; i++)
                if (s->modes[i].id == id)
                        return &s->modes[i];
        return NULL;
}

int32_t vmodes_layout_refresh_mhz(const struct vmodes_mode *m)
{
        return (int32_t)lround(vmodes_mode_refresh(m) * 1000.0);
}

int64_t vmodes_layout_mode_distance(const struct vmodes_layout_state *s, const struct vmodes_layout_smode *sm,
                                    const struct vmodes_mode *m)
{
        int64_t d;

        if (!sm->loose)
                return vmodes_mode_equal_timings(&sm->mode, m) ? 0 : -1;
        if (sm->mode.hdisplay != m->hdisplay || sm->mode.vdisplay != m->vdisplay ||
            !(sm->mode.flags & VMODES_FLAG_INTERLACE) != !(m->flags & VMODES_FLAG_INTERLACE))
                return -1;
        d = llabs((int64_t)vmodes_layout_refresh_mhz(&sm->mode) - vmodes_layout_refresh_mhz(m));
        return d <= s->loose_tolerance_mhz ? d : -1;
}

uint32_t vmodes_layout_add_loose_mode(struct vmodes_layout_state *s, unsigned width, unsigned height, int64_t mhz)
{
        struct vmodes_mode m = { 0 };

        if (!width || !height || width >= UINT16_MAX || height >= UINT16_MAX || mhz <= 0 || mhz > 1000000)
                return 0;
        for (unsigned i = 0; i < s->n_modes; i++)
                if (s->modes[i].loose && s->modes[i].mode.hdisplay == width && s->modes[i].mode.vdisplay == height &&
                    vmodes_layout_refresh_mhz(&s->modes[i].mode) == mhz)
                        return s->modes[i].id;
        if (s->n_modes >= VMODES_LAYOUT_MODES_MAX)
                return 0;
        /* one pixel and one line of blanking, so that the mode is a valid
         * one; the clock gives the rate */
        m.hdisplay = m.hsync_start = m.hsync_end = (uint16_t)width;
        m.htotal = (uint16_t)(width + 1);
        m.vdisplay = m.vsync_start = m.vsync_end = (uint16_t)height;
        m.vtotal = (uint16_t)(height + 1);
        m.clock_hz = ((uint64_t)mhz * m.htotal * m.vtotal + 500) / 1000;
        m.flags = VMODES_FLAG_PHSYNC | VMODES_FLAG_PVSYNC;
        m.method = VMODES_METHOD_CUSTOM;
        snprintf(m.name, sizeof(m.name), "%ux%u@%" PRId64 ".%03" PRId64, width, height, mhz / 1000, mhz % 1000);
        s->modes[s->n_modes] = (struct vmodes_layout_smode){ .id = s->n_modes + 1, .mode = m, .loose = true };
        return s->modes[s->n_modes++].id;
}

void vmodes_layout_state_screenless(struct vmodes_layout_state *s)
{
        s->width = s->height = 0;
        for (unsigned i = 0; i < s->n_crtcs; i++) {
                const struct vmodes_layout_crtc *c = &s->crtcs[i];
                if (c->mode && c->x >= 0 && c->y >= 0) {
                        if ((unsigned)c->x + c->width > s->width)
                                s->width = (unsigned)c->x + c->width;
                        if ((unsigned)c->y + c->height > s->height)
                                s->height = (unsigned)c->y + c->height;
                }
        }
        s->max_width = s->max_height = 32767;
}

void vmodes_layout_plan_targets(const struct vmodes_layout_state *s, const struct vmodes_layout_plan *plan,
                                struct vmodes_layout_target *t, uint32_t *primary)
{
        for (unsigned i = 0; i < s->n_crtcs; i++) {
                const struct vmodes_layout_crtc *c = &s->crtcs[i];
                t[i] = (struct vmodes_layout_target){ c->mode != 0, c->mode, -1, c->x, c->y };
        }
        *primary = s->primary;
        for (unsigned k = 0; k < plan->n_ops; k++) {
                const struct vmodes_layout_op *op = &plan->ops[k];
                unsigned i = 0;

                if (op->type == VMODES_OP_SET_PRIMARY) {
                        *primary = op->output;
                        continue;
                }
                if (op->type != VMODES_OP_SET_CRTC && op->type != VMODES_OP_DISABLE_CRTC)
                        continue;
                while (i < s->n_crtcs && s->crtcs[i].id != op->crtc)
                        i++;
                if (i == s->n_crtcs)
                        continue;
                t[i].lit = op->type == VMODES_OP_SET_CRTC;
                if (t[i].lit)
                        t[i] = (struct vmodes_layout_target){ true, op->ref.id, op->ref.created, op->x, op->y };
        }
}

/* The closest mode to m of the n ids (ids NULL: every mode of the state). */
static const struct vmodes_layout_smode *closest_mode(const struct vmodes_layout_state *s, const uint32_t *ids,
                                                      unsigned n, const struct vmodes_mode *m)
{
        const struct vmodes_layout_smode *best = NULL;
        int64_t best_d = -1;

        for (unsigned i = 0; i < n; i++) {
                const struct vmodes_layout_smode *sm = ids ? vmodes_layout_mode_by_id(s, ids[i]) : &s->modes[i];
                int64_t d = sm ? vmodes_layout_mode_distance(s, sm, m) : -1;

                if (d >= 0 && (best_d < 0 || d < best_d)) {
                        best = sm;
                        best_d = d;
                }
        }
        return best;
}

/* The timings of an existing mode (zeros if the id is unknown). */
static struct vmodes_mode timings_of(const struct vmodes_layout_state *s, uint32_t id)
{
        const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(s, id);
        struct vmodes_mode none = { 0 };

        return sm ? sm->mode : none;
}

const struct vmodes_layout_output *vmodes_layout_find_head(const struct vmodes_layout_state *s, const char *name)
{
        const char *names[VMODES_LAYOUT_OUTPUTS_MAX];
        unsigned n = s->n_outputs < VMODES_LAYOUT_OUTPUTS_MAX ? s->n_outputs : VMODES_LAYOUT_OUTPUTS_MAX;
        int i;

        if (!name)
                return NULL;
        for (unsigned k = 0; k < n; k++)
                names[k] = s->outputs[k].name;
        i = vmodes_head_find_output(names, n, name);
        return i >= 0 ? &s->outputs[i] : NULL;
}

static const struct vmodes_layout_output *resolve_default(const struct vmodes_layout_state *state, const char *name,
                                                          void *userdata)
{
        (void)userdata;
        return vmodes_layout_find_head(state, name);
}

static void set_head_name(char dst[VMODES_HEAD_NAME_MAX], const char *name)
{
        snprintf(dst, VMODES_HEAD_NAME_MAX, "%.*s", VMODES_HEAD_NAME_MAX - 1, name);
}

const struct vmodes_layout_output *vmodes_layout_map_head(const struct vmodes_layout_state *s,
                                                          vmodes_layout_resolve_fn resolve, void *userdata,
                                                          const struct vmodes_head_config *h,
                                                          struct vmodes_head_config *e)
{
        const struct vmodes_layout_output *o, *ro;

        if (!resolve)
                resolve = resolve_default;
        o = resolve(s, h->head, userdata);
        if (!o)
                return NULL;
        *e = *h;
        set_head_name(e->head, o->name);
        if (h->relative_to[0]) {
                ro = resolve(s, h->relative_to, userdata);
                if (ro)
                        set_head_name(e->relative_to, ro->name);
                else {
                        e->relation = VMODES_REL_AUTO; /* its anchor is not there */
                        e->relative_to[0] = '\0';
                }
        }
        return o;
}

void vmodes_layout_map_config(const struct vmodes_config *in, const struct vmodes_layout_state *s,
                              vmodes_layout_resolve_fn resolve, void *userdata, struct vmodes_config *out,
                              unsigned *skipped, unsigned *n_skipped)
{
        *out = *in;
        out->n_heads = 0;
        if (n_skipped)
                *n_skipped = 0;
        for (unsigned i = 0; i < in->n_heads; i++) {
                if (vmodes_layout_map_head(s, resolve, userdata, &in->heads[i], &out->heads[out->n_heads]))
                        out->n_heads++;
                else if (skipped && n_skipped)
                        skipped[(*n_skipped)++] = i;
        }
}

void vmodes_layout_mode_list(const struct vmodes_layout_state *s, const uint32_t *ids, unsigned n, char *buf,
                             size_t size)
{
        if (!size)
                return;
        buf[0] = '\0';
        for (unsigned i = 0; i < n; i++) {
                const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(s, ids[i]);

                vmodes_text_append(buf, size, ", ", sm ? sm->mode.name : "?");
        }
}

void vmodes_layout_output_names(const struct vmodes_layout_state *s, char *buf, size_t size)
{
        if (!size)
                return;
        snprintf(buf, size, "%s", s->n_outputs ? "" : "no outputs");
        for (unsigned i = 0; i < s->n_outputs; i++)
                vmodes_text_append(buf, size, ", ", s->outputs[i].name);
}

bool vmodes_layout_output_offers(const struct vmodes_layout_output *o, uint32_t mode)
{
        for (unsigned i = 0; i < o->n_modes; i++)
                if (o->modes[i] == mode)
                        return true;
        return false;
}

bool vmodes_layout_output_can_use(const struct vmodes_layout_output *o, uint32_t crtc)
{
        for (unsigned i = 0; i < o->n_crtcs; i++)
                if (o->crtcs[i] == crtc)
                        return true;
        return false;
}

static bool mode_ref_eq(struct vmodes_layout_mode_ref a, struct vmodes_layout_mode_ref b)
{
        return a.created == b.created && (a.created >= 0 || a.id == b.id);
}

/* ---- planning state ----------------------------------------------------------- */

/* The final state of one output. */
struct target {
        bool lit;
        uint32_t crtc;
        int x, y;
        unsigned w, h;
        uint16_t rotation;
        struct vmodes_layout_mode_ref mode;
        struct vmodes_mode timings;
        int head;      /* index into the config, -1 if not configured */
        bool placed;
};

struct planner {
        const struct vmodes_config *want;
        const struct vmodes_layout_state *have;
        struct vmodes_layout_plan *plan;
        struct vmodes_error *err;
        struct target t[VMODES_LAYOUT_OUTPUTS_MAX];
        struct vmodes_mode head_mode[VMODES_CONFIG_HEADS_MAX][VMODES_CONFIG_MODES_MAX];
        /* per output, the mode refs added by the plan */
        unsigned n_added[VMODES_LAYOUT_OUTPUTS_MAX];
        struct vmodes_layout_mode_ref added[VMODES_LAYOUT_OUTPUTS_MAX][VMODES_CONFIG_MODES_MAX];
        /* per output, the existing modes deleted by the plan */
        unsigned n_deleted[VMODES_LAYOUT_OUTPUTS_MAX];
        uint32_t deleted[VMODES_LAYOUT_OUTPUTS_MAX][VMODES_CONFIG_HEADS_MAX];
};

static unsigned out_index(const struct planner *p, const struct vmodes_layout_output *o)
{
        return (unsigned)(o - p->have->outputs);
}

static int push_op(struct planner *p, const struct vmodes_layout_op *op)
{
        if (p->plan->n_ops >= VMODES_LAYOUT_OPS_MAX)
                return vmodes_error_set(p->err, -E2BIG, "the change needs more than %d RandR operations; apply it in parts",
                            VMODES_LAYOUT_OPS_MAX);
        p->plan->ops[p->plan->n_ops++] = *op;
        return 0;
}

static struct vmodes_layout_result *result_for(struct planner *p, const struct vmodes_layout_output *o)
{
        struct vmodes_layout_plan *plan = p->plan;

        for (unsigned i = 0; i < plan->n_results; i++)
                if (plan->results[i].output == o->id)
                        return &plan->results[i];
        if (plan->n_results >= ELEMENTSOF(plan->results))
                return NULL;
        struct vmodes_layout_result *r = &plan->results[plan->n_results++];
        memset(r, 0, sizeof(*r));
        snprintf(r->head, sizeof(r->head), "%.*s", (int)sizeof(r->head) - 1, o->name);
        r->output = o->id;
        return r;
}

static void note(struct planner *p, const struct vmodes_layout_output *o, unsigned change)
{
        struct vmodes_layout_result *r = result_for(p, o);

        if (r)
                r->changes |= change;
}

/* Does the name exist on the server or among the modes this plan creates? */
static bool name_taken(const struct planner *p, const char *name)
{
        for (unsigned i = 0; i < p->have->n_modes; i++)
                if (!strcmp(p->have->modes[i].mode.name, name))
                        return true;
        for (unsigned i = 0; i < p->plan->n_ops; i++)
                if (p->plan->ops[i].type == VMODES_OP_CREATE_MODE && !strcmp(p->plan->ops[i].mode.name, name))
                        return true;
        return false;
}

/* The mode with these timings: one the output offers, any on the server,
 * one this plan creates, or a new one (with a free name). */
static int find_or_create_mode(struct planner *p, const struct vmodes_layout_output *o,
                               const struct vmodes_mode *m, struct vmodes_layout_mode_ref *ref)
{
        const struct vmodes_layout_state *s = p->have;
        struct vmodes_layout_op op = { .type = VMODES_OP_CREATE_MODE, .ref = { 0, -1 } };
        int r;

        const struct vmodes_layout_smode *sm = closest_mode(s, o->modes, o->n_modes, m);

        if (!sm)
                sm = closest_mode(s, NULL, s->n_modes, m);
        if (sm) {
                *ref = (struct vmodes_layout_mode_ref){ sm->id, -1 };
                return 0;
        }
        for (unsigned i = 0; i < p->plan->n_ops; i++)
                if (p->plan->ops[i].type == VMODES_OP_CREATE_MODE &&
                    vmodes_mode_equal_timings(&p->plan->ops[i].mode, m)) {
                        *ref = (struct vmodes_layout_mode_ref){ 0, (int)i };
                        return 0;
                }

        op.mode = *m;
        if (name_taken(p, m->name)) {
                bool found = false;
                for (unsigned n = 2; n < 1000 && !found; n++) {
                        char suffix[8];
                        size_t len = strnlen(m->name, sizeof(m->name));

                        snprintf(suffix, sizeof(suffix), "-%u", n);
                        if (len + strlen(suffix) >= sizeof(op.mode.name))
                                len = sizeof(op.mode.name) - 1 - strlen(suffix);
                        memcpy(op.mode.name, m->name, len);
                        memcpy(op.mode.name + len, suffix, strlen(suffix) + 1);
                        found = !name_taken(p, op.mode.name);
                }
                if (!found)
                        return vmodes_error_set(p->err, -EEXIST, "no free name for mode %s", m->name);
        }
        r = push_op(p, &op);
        if (r < 0)
                return r;
        *ref = (struct vmodes_layout_mode_ref){ 0, (int)p->plan->n_ops - 1 };
        return 0;
}

static bool plan_adds(const struct planner *p, unsigned oi, struct vmodes_layout_mode_ref ref)
{
        for (unsigned i = 0; i < p->n_added[oi]; i++)
                if (mode_ref_eq(p->added[oi][i], ref))
                        return true;
        return false;
}

/* Make sure output o offers mode m; *ref is the mode. */
static int ensure_offered(struct planner *p, const struct vmodes_layout_output *o, const struct vmodes_mode *m,
                          struct vmodes_layout_mode_ref *ref)
{
        unsigned oi = out_index(p, o);
        int r;

        r = find_or_create_mode(p, o, m, ref);
        if (r < 0)
                return r;
        if ((ref->created < 0 && vmodes_layout_output_offers(o, ref->id)) || plan_adds(p, oi, *ref))
                return 0;
        if (p->n_added[oi] >= VMODES_CONFIG_MODES_MAX)
                return vmodes_error_set(p->err, -E2BIG, "more than %d modes to add to %s", VMODES_CONFIG_MODES_MAX, o->name);
        p->added[oi][p->n_added[oi]++] = *ref;
        note(p, o, VMODES_CHANGE_ADDED);
        return 0;
}

/* ---- steps -------------------------------------------------------------------- */

static void observe(struct planner *p)
{
        const struct vmodes_layout_state *s = p->have;

        for (unsigned i = 0; i < s->n_outputs; i++) {
                const struct vmodes_layout_output *o = &s->outputs[i];
                const struct vmodes_layout_crtc *c = o->crtc ? vmodes_layout_crtc_by_id(s, o->crtc) : NULL;
                struct target *t = &p->t[i];
                const struct vmodes_layout_smode *sm;

                memset(t, 0, sizeof(*t));
                t->head = -1;
                t->mode.created = -1;
                if (!c || !c->mode)
                        continue;
                t->lit = true;
                t->crtc = c->id;
                t->x = c->x;
                t->y = c->y;
                t->w = c->width;
                t->h = c->height;
                t->rotation = c->rotation;
                t->mode.id = c->mode;
                sm = vmodes_layout_mode_by_id(s, c->mode);
                if (sm)
                        t->timings = sm->mode;
        }
}

static int check_config(struct planner *p)
{
        const struct vmodes_config *w = p->want;
        const struct vmodes_layout_state *s = p->have;
        unsigned primaries = 0;
        int r;

        if (w->n_heads > VMODES_CONFIG_HEADS_MAX)
                return vmodes_error_set(p->err, -EINVAL, "the config has %u heads, at most %d are supported", w->n_heads,
                            VMODES_CONFIG_HEADS_MAX);
        for (unsigned i = 0; i < w->n_heads; i++) {
                const struct vmodes_head_config *h = &w->heads[i];
                const struct vmodes_layout_output *o;

                if (strnlen(h->head, sizeof(h->head)) >= sizeof(h->head))
                        return vmodes_error_set(p->err, -EINVAL, "a head name in the config is too long");
                o = vmodes_layout_output_by_name(s, h->head);
                if (!o) {
                        char names[160];

                        vmodes_layout_output_names(s, names, sizeof(names));
                        return vmodes_error_set(p->err, -EINVAL, "unknown head %s: the X server has %s", h->head,
                                                names);
                }
                if (p->t[out_index(p, o)].head >= 0)
                        return vmodes_error_set(p->err, -EINVAL, "head %s is configured twice", h->head);
                p->t[out_index(p, o)].head = (int)i;
                if (h->enabled && h->n_modes == 0)
                        return vmodes_error_set(p->err, -EINVAL, "head %s is enabled but has no mode; add one", h->head);
                if (h->n_modes > VMODES_CONFIG_MODES_MAX)
                        return vmodes_error_set(p->err, -EINVAL, "head %s has %u modes, at most %d are supported", h->head,
                                    h->n_modes, VMODES_CONFIG_MODES_MAX);
                for (unsigned k = 0; k < h->n_modes; k++) {
                        struct vmodes_mode *m = &p->head_mode[i][k];
                        struct vmodes_error e;

                        if (h->modes[k].custom)
                                *m = h->modes[k].mode;
                        else {
                                r = vmodes_spec_to_mode(&h->modes[k].spec, m, &e);
                                if (r < 0)
                                        return vmodes_error_set(p->err, r, "head %s: %s", h->head, e.msg);
                        }
                        r = vmodes_mode_validate(m, &e);
                        if (r < 0)
                                return vmodes_error_set(p->err, r, "head %s: %s", h->head, e.msg);
                }
                if (h->primary) {
                        if (!h->enabled)
                                return vmodes_error_set(p->err, -EINVAL, "head %s cannot be primary while it is off", h->head);
                        primaries++;
                }
                if (h->relation != VMODES_REL_AUTO && h->relation != VMODES_REL_POS) {
                        if (!strcmp(h->relative_to, h->head))
                                return vmodes_error_set(p->err, -EINVAL, "head %s cannot be placed relative to itself",
                                            h->head);
                        if (!vmodes_layout_output_by_name(s, h->relative_to))
                                return vmodes_error_set(p->err, -EINVAL, "head %s is placed relative to unknown head %s",
                                            h->head, h->relative_to[0] ? h->relative_to : "(none)");
                }
                if (h->relation == VMODES_REL_POS && (h->x < 0 || h->y < 0 || h->x > VMODES_SCREEN_MAX || h->y > VMODES_SCREEN_MAX))
                        return vmodes_error_set(p->err, -EINVAL, "head %s: position %d,%d is outside 0 to %d", h->head,
                                    h->x, h->y, VMODES_SCREEN_MAX);
        }
        if (primaries > 1)
                return vmodes_error_set(p->err, -EINVAL, "%u heads are marked primary; only one can be", primaries);
        return 0;
}

/* A configured head shows mode ref, its first mode (turned with the CRTC's
 * rotation when the head stays lit). */
static void show_mode(struct planner *p, const struct vmodes_layout_output *o, struct target *t, unsigned head,
                      struct vmodes_layout_mode_ref ref)
{
        if (!t->lit || !mode_ref_eq(ref, t->mode))
                note(p, o, t->lit ? VMODES_CHANGE_MODE : VMODES_CHANGE_ON);
        t->mode = ref;
        t->timings = p->head_mode[head][0];
        t->w = t->timings.hdisplay;
        t->h = t->timings.vdisplay;
        if (!t->lit)
                t->rotation = VMODES_LAYOUT_ROTATE_0;
        if (t->rotation & (2 | 8)) { /* RR_Rotate_90 / RR_Rotate_270 */
                unsigned tmp = t->w;
                t->w = t->h;
                t->h = tmp;
        }
}

/* Each configured head: its modes offered, its first mode shown, or off. */
static int assign_heads(struct planner *p)
{
        const struct vmodes_config *w = p->want;
        int r;

        for (unsigned i = 0; i < w->n_heads; i++) {
                const struct vmodes_head_config *h = &w->heads[i];
                const struct vmodes_layout_output *o = vmodes_layout_output_by_name(p->have, h->head);
                struct target *t = &p->t[out_index(p, o)];

                for (unsigned k = 0; k < h->n_modes; k++) {
                        struct vmodes_layout_mode_ref ref;

                        r = ensure_offered(p, o, &p->head_mode[i][k], &ref);
                        if (r < 0)
                                return r;
                        if (k == 0 && h->enabled)
                                show_mode(p, o, t, i, ref);
                }
                if (!h->enabled && t->lit) {
                        t->lit = false;
                        t->crtc = 0;
                        note(p, o, VMODES_CHANGE_OFF);
                }
                if (h->enabled)
                        t->lit = true; /* CRTC below */
        }
        return 0;
}

/* Outputs sharing a CRTC with a configured head follow it. */
static void follow_clones(struct planner *p)
{
        const struct vmodes_layout_state *s = p->have;

        for (unsigned i = 0; i < s->n_outputs; i++) {
                if (p->t[i].head < 0 || !p->t[i].lit || !p->t[i].crtc)
                        continue;
                for (unsigned k = 0; k < s->n_outputs; k++)
                        if (k != i && p->t[k].head < 0 && p->t[k].lit && p->t[k].crtc == p->t[i].crtc) {
                                if (!vmodes_layout_output_offers(&s->outputs[k], p->t[i].mode.id) ||
                                    p->t[i].mode.created >= 0) {
                                        p->t[k].lit = false; /* cannot show the new mode: leaves the clone */
                                        p->t[k].crtc = 0;
                                        continue;
                                }
                                p->t[k].mode = p->t[i].mode;
                                p->t[k].timings = p->t[i].timings;
                                p->t[k].w = p->t[i].w;
                                p->t[k].h = p->t[i].h;
                        }
        }
}

/* A CRTC output o can use that no lit output holds, 0 if none. */
static uint32_t free_crtc(const struct planner *p, const struct vmodes_layout_output *o)
{
        const struct vmodes_layout_state *s = p->have;

        for (unsigned c = 0; c < o->n_crtcs; c++) {
                bool busy = false;

                if (!vmodes_layout_crtc_by_id(s, o->crtcs[c]))
                        continue;
                for (unsigned k = 0; k < s->n_outputs && !busy; k++)
                        busy = p->t[k].lit && p->t[k].crtc == o->crtcs[c];
                if (!busy)
                        return o->crtcs[c];
        }
        return 0;
}

/* Free CRTCs for lit heads that have none. */
static int pick_crtcs(struct planner *p)
{
        const struct vmodes_layout_state *s = p->have;

        for (unsigned i = 0; i < s->n_outputs; i++) {
                const struct vmodes_layout_output *o = &s->outputs[i];
                struct target *t = &p->t[i];

                if (!t->lit || t->crtc)
                        continue;
                t->crtc = free_crtc(p, o);
                if (!t->crtc)
                        return vmodes_error_set(p->err, -EBUSY,
                                    "no free CRTC for head %s: the %u CRTC%s it can use %s taken by other heads; "
                                    "turn one of them off first",
                                    o->name, o->n_crtcs, o->n_crtcs == 1 ? "" : "s", o->n_crtcs == 1 ? "is" : "are");
        }
        return 0;
}

/* Heads turned off, modes added, CRTCs chosen. */
static int assign(struct planner *p)
{
        int r = assign_heads(p);

        if (r < 0)
                return r;
        follow_clones(p);
        return pick_crtcs(p);
}

static int drop_modes(struct planner *p, const struct vmodes_layout_drop *drop, size_t n_drop)
{
        const struct vmodes_layout_state *s = p->have;

        for (size_t d = 0; d < n_drop; d++) {
                const struct vmodes_layout_output *o = vmodes_layout_output_by_name(s, drop[d].head);
                const struct vmodes_layout_smode *sm = NULL;
                unsigned oi;
                struct target *t;

                if (!o)
                        return vmodes_error_set(p->err, -EINVAL, "unknown head %s", drop[d].head);
                oi = out_index(p, o);
                t = &p->t[oi];
                for (unsigned i = 0; i < o->n_modes && !sm; i++) {
                        const struct vmodes_layout_smode *x = vmodes_layout_mode_by_id(s, o->modes[i]);
                        if (x && vmodes_layout_mode_matches(s, x, &drop[d].mode))
                                sm = x;
                }
                if (!sm)
                        return vmodes_error_set(p->err, -ENOENT, "head %s does not offer mode %s (see vmodes list)", o->name,
                                    drop[d].mode.name);
                if (t->head >= 0 && p->want->heads[t->head].enabled && t->mode.created < 0 && t->mode.id == sm->id)
                        return vmodes_error_set(p->err, -EINVAL, "head %s is configured to show %s; configure another mode first",
                                    o->name, sm->mode.name);
                if (t->lit && t->mode.created < 0 && t->mode.id == sm->id) {
                        /* switch to a preferred mode that stays, or turn off */
                        bool found = false;
                        for (unsigned i = 0; i < o->n_preferred && i < o->n_modes && !found; i++) {
                                const struct vmodes_layout_smode *pm = vmodes_layout_mode_by_id(s, o->modes[i]);
                                bool dropped = false;
                                if (!pm || pm->id == sm->id)
                                        continue;
                                for (size_t e = 0; e < n_drop; e++)
                                        dropped |= !strcmp(drop[e].head, o->name) &&
                                                   vmodes_layout_mode_matches(s, pm, &drop[e].mode);
                                if (dropped)
                                        continue;
                                t->mode = (struct vmodes_layout_mode_ref){ pm->id, -1 };
                                t->timings = pm->mode;
                                t->w = (t->rotation & (2 | 8)) ? pm->mode.vdisplay : pm->mode.hdisplay;
                                t->h = (t->rotation & (2 | 8)) ? pm->mode.hdisplay : pm->mode.vdisplay;
                                note(p, o, VMODES_CHANGE_MODE);
                                found = true;
                        }
                        if (!found) {
                                t->lit = false;
                                t->crtc = 0;
                                note(p, o, VMODES_CHANGE_OFF);
                        }
                }
                if (p->n_deleted[oi] < ELEMENTSOF(p->deleted[oi])) {
                        bool dup = false;
                        for (unsigned i = 0; i < p->n_deleted[oi]; i++)
                                dup |= p->deleted[oi][i] == sm->id;
                        if (!dup)
                                p->deleted[oi][p->n_deleted[oi]++] = sm->id;
                }
                note(p, o, VMODES_CHANGE_REMOVED);
        }
        /* clones of a CRTC whose head turned off above */
        for (unsigned i = 0; i < s->n_outputs; i++)
                if (p->t[i].lit && p->t[i].mode.created < 0)
                        for (unsigned k = 0; k < p->n_deleted[i]; k++)
                                if (p->deleted[i][k] == p->t[i].mode.id)
                                        return vmodes_error_set(p->err, -EINVAL,
                                                    "head %s mirrors another head and shows the mode being removed; "
                                                    "move it first", s->outputs[i].name);
        return 0;
}

static struct target *target_of(struct planner *p, const char *head)
{
        return &p->t[out_index(p, vmodes_layout_output_by_name(p->have, head))];
}

/* t placed `rel` of the placed target r. */
static void place_relative(struct target *t, const struct target *r, enum vmodes_relation rel)
{
        t->x = r->x;
        t->y = r->y;
        switch (rel) {
        case VMODES_REL_RIGHT_OF:
                t->x = r->x + (int)r->w;
                break;
        case VMODES_REL_LEFT_OF:
                t->x = r->x - (int)t->w;
                break;
        case VMODES_REL_ABOVE:
                t->y = r->y - (int)t->h;
                break;
        case VMODES_REL_BELOW:
                t->y = r->y + (int)r->h;
                break;
        default: /* SAME_AS */
                break;
        }
}

/* The first head with position = auto keeps its live position, or goes
 * right of the lit outputs the config does not name. */
static void place_first(struct planner *p, const struct vmodes_layout_output *o, struct target *t)
{
        const struct vmodes_layout_state *s = p->have;
        const struct vmodes_layout_crtc *c = vmodes_layout_crtc_by_id(s, o->crtc);

        if (c && c->mode) {
                t->x = c->x;
                t->y = c->y;
                return;
        }
        t->x = t->y = 0;
        for (unsigned k = 0; k < s->n_outputs; k++)
                if (p->t[k].lit && p->t[k].head < 0 && p->t[k].x + (int)p->t[k].w > t->x)
                        t->x = p->t[k].x + (int)p->t[k].w;
}

/* Places enabled head i once the head it hangs on is placed: 1 when placed
 * now, 0 when not (yet), or -errno. prev[i] is the enabled head before i. */
static int place_head(struct planner *p, unsigned i, int first, const int *prev)
{
        const struct vmodes_head_config *h = &p->want->heads[i];
        const struct vmodes_layout_output *o = vmodes_layout_output_by_name(p->have, h->head);
        struct target *t = &p->t[out_index(p, o)], *r;

        if (!h->enabled || t->placed)
                return 0;
        switch (h->relation) {
        case VMODES_REL_POS:
                t->x = h->x;
                t->y = h->y;
                break;
        case VMODES_REL_AUTO:
                if ((int)i == first) {
                        place_first(p, o, t);
                        break;
                }
                r = target_of(p, p->want->heads[prev[i]].head);
                if (!r->placed)
                        return 0;
                place_relative(t, r, VMODES_REL_RIGHT_OF);
                break;
        default:
                r = target_of(p, h->relative_to);
                if (!r->lit)
                        return vmodes_error_set(p->err, -EINVAL, "head %s is placed relative to %s, which is off",
                                    h->head, h->relative_to);
                if (!r->placed)
                        return 0;
                place_relative(t, r, h->relation);
                break;
        }
        t->placed = true;
        return 1;
}

/* Moves the layout so that it starts at 0,0 when it reaches left of or
 * above it (refused when a fixed position would have to move), or always
 * for a server that wants it so (layout_at_origin), and notes the heads
 * whose position changes. */
static int to_origin(struct planner *p)
{
        const struct vmodes_config *w = p->want;
        const struct vmodes_layout_state *s = p->have;
        int min_x = 0, min_y = 0;
        bool lit = false;

        for (unsigned i = 0; i < s->n_outputs; i++)
                if (p->t[i].lit) {
                        /* a server that wants 0,0 takes a layout moved left/up too */
                        if (p->t[i].x < min_x || (s->layout_at_origin && (!lit || p->t[i].x < min_x)))
                                min_x = p->t[i].x;
                        if (p->t[i].y < min_y || (s->layout_at_origin && (!lit || p->t[i].y < min_y)))
                                min_y = p->t[i].y;
                        lit = true;
                }
        for (unsigned i = 0; (min_x < 0 || min_y < 0) && i < w->n_heads; i++)
                if (w->heads[i].enabled && w->heads[i].relation == VMODES_REL_POS) {
                        const char *neg = NULL;
                        for (unsigned k = 0; k < s->n_outputs && !neg; k++)
                                if (p->t[k].lit && (p->t[k].x < 0 || p->t[k].y < 0))
                                        neg = s->outputs[k].name;
                        return vmodes_error_set(p->err, -EINVAL,
                                    "head %s would sit left of or above 0,0 while head %s has the fixed position "
                                    "%d,%d; move %s (--pos) or place %s elsewhere",
                                    neg ? neg : "?", w->heads[i].head, w->heads[i].x, w->heads[i].y,
                                    w->heads[i].head, neg ? neg : "it");
                }
        for (unsigned i = 0; i < s->n_outputs; i++)
                if (p->t[i].lit) {
                        p->t[i].x -= min_x;
                        p->t[i].y -= min_y;
                }
        for (unsigned i = 0; i < s->n_outputs; i++) {
                const struct vmodes_layout_crtc *c = vmodes_layout_crtc_by_id(s, s->outputs[i].crtc);
                if (p->t[i].lit && c && c->mode && (c->x != p->t[i].x || c->y != p->t[i].y))
                        note(p, &s->outputs[i], VMODES_CHANGE_POSITION);
        }
        return 0;
}

static int place(struct planner *p)
{
        const struct vmodes_config *w = p->want;
        const struct vmodes_layout_state *s = p->have;
        int first = -1, prev[VMODES_CONFIG_HEADS_MAX];
        unsigned todo = 0;

        for (unsigned i = 0; i < s->n_outputs; i++)
                p->t[i].placed = p->t[i].head < 0 || !p->t[i].lit;
        for (unsigned i = 0, last = (unsigned)-1; i < w->n_heads; i++) {
                prev[i] = (int)last;
                if (w->heads[i].enabled) {
                        if (first < 0)
                                first = (int)i;
                        last = i;
                        todo++;
                }
        }
        while (todo > 0) {
                unsigned progress = 0;

                for (unsigned i = 0; i < w->n_heads; i++) {
                        int r = place_head(p, i, first, prev);
                        if (r < 0)
                                return r;
                        progress += (unsigned)r;
                }
                if (!progress)
                        return vmodes_error_set(p->err, -EINVAL,
                                    "the head relations form a cycle (A right of B right of A); give one head "
                                    "a fixed position");
                todo -= progress;
        }
        return to_origin(p);
}

static void mib(char *buf, size_t size, uint64_t bytes)
{
        if (bytes % (1024 * 1024) == 0)
                snprintf(buf, size, "%" PRIu64 " MiB", bytes >> 20);
        else
                snprintf(buf, size, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
}

static uint64_t memory_needed(const struct vmodes_layout_state *s, unsigned w, unsigned h, unsigned lit)
{
        return (uint64_t)w * h * 4 * (s->memory_per_head && lit > 1 ? lit : 1);
}

static bool fits(const struct vmodes_layout_state *s, unsigned w, unsigned h, unsigned lit)
{
        return (!s->max_width || w <= s->max_width) && (!s->max_height || h <= s->max_height) &&
               (!s->memory_limit || memory_needed(s, w, h, lit) <= s->memory_limit);
}

static int size_screen(struct planner *p, unsigned *lit_out)
{
        const struct vmodes_layout_state *s = p->have;
        unsigned w = 0, h = 0, lit = 0;

        for (unsigned i = 0; i < s->n_outputs; i++) {
                const struct target *t = &p->t[i];
                bool shared = false;
                if (!t->lit)
                        continue;
                for (unsigned k = 0; k < i; k++)
                        shared |= p->t[k].lit && p->t[k].crtc == t->crtc;
                lit += !shared;
                if (t->x + t->w > w)
                        w = (unsigned)t->x + t->w;
                if (t->y + t->h > h)
                        h = (unsigned)t->y + t->h;
        }
        if (lit == 0)
                return vmodes_error_set(p->err, -EINVAL, "this would turn every head off; keep at least one on");
        if (w < s->min_width)
                w = s->min_width;
        if (h < s->min_height)
                h = s->min_height;
        if ((s->max_width && w > s->max_width) || (s->max_height && h > s->max_height))
                return vmodes_error_set(p->err, -ENOSPC,
                            "the layout needs a %ux%u screen but this X server allows at most %ux%u; use smaller "
                            "modes or stack the heads (--below instead of --right-of)",
                            w, h, s->max_width, s->max_height);
        if (s->memory_limit && memory_needed(s, w, h, lit) > s->memory_limit) {
                char need[32], have[32];

                mib(need, sizeof(need), memory_needed(s, w, h, lit));
                mib(have, sizeof(have), s->memory_limit);
                if (s->memory_per_head && lit > 1)
                        return vmodes_error_set(p->err, -ENOSPC,
                                    "the layout needs a %ux%u screen, %u copies of it (one per head) take %s of video "
                                    "memory but the device has %s; %s",
                                    w, h, lit, need, have,
                                    s->memory_fix[0] ? s->memory_fix : "give the VM more video memory or use smaller modes");
                return vmodes_error_set(p->err, -ENOSPC,
                            "the layout needs a %ux%u screen, which takes %s of video memory but the device has %s; %s",
                            w, h, need, have,
                            s->memory_fix[0] ? s->memory_fix : "give the VM more video memory or use smaller modes");
        }
        p->plan->width = w;
        p->plan->height = h;
        *lit_out = lit;
        return 0;
}

/* ---- emitting ----------------------------------------------------------------- */

struct crtc_final {
        bool lit, changed;
        struct vmodes_layout_op op; /* SET_CRTC */
};

static void final_crtcs(struct planner *p, struct crtc_final *f)
{
        const struct vmodes_layout_state *s = p->have;

        for (unsigned c = 0; c < s->n_crtcs; c++) {
                const struct vmodes_layout_crtc *cur = &s->crtcs[c];
                struct crtc_final *cf = &f[c];

                memset(cf, 0, sizeof(*cf));
                cf->op.type = VMODES_OP_SET_CRTC;
                cf->op.crtc = cur->id;
                for (unsigned i = 0; i < s->n_outputs; i++) {
                        const struct target *t = &p->t[i];
                        if (!t->lit || t->crtc != cur->id)
                                continue;
                        if (!cf->lit) {
                                cf->lit = true;
                                cf->op.ref = t->mode;
                                cf->op.mode = t->timings;
                                cf->op.x = t->x;
                                cf->op.y = t->y;
                                cf->op.width = t->w;
                                cf->op.height = t->h;
                                cf->op.rotation = t->rotation ? t->rotation : VMODES_LAYOUT_ROTATE_0;
                        }
                        cf->op.outputs[cf->op.n_outputs++] = s->outputs[i].id;
                }
                if (!cf->lit)
                        continue;
                cf->changed = !cur->mode || cf->op.ref.created >= 0 || cf->op.ref.id != cur->mode ||
                              cf->op.x != cur->x || cf->op.y != cur->y || cf->op.rotation != cur->rotation ||
                              cf->op.n_outputs != cur->n_outputs;
                for (unsigned k = 0; !cf->changed && k < cur->n_outputs; k++)
                        cf->changed = cf->op.outputs[k] != cur->outputs[k];
        }
}

/* ADD_MODE (CREATE_MODE ops are already in the plan). */
static int emit_add_modes(struct planner *p)
{
        const struct vmodes_layout_state *s = p->have;
        int r;

        for (unsigned i = 0; i < s->n_outputs; i++)
                for (unsigned k = 0; k < p->n_added[i]; k++) {
                        struct vmodes_layout_op op = { .type = VMODES_OP_ADD_MODE, .ref = p->added[i][k],
                                                       .output = s->outputs[i].id };
                        if (op.ref.created >= 0)
                                op.mode = p->plan->ops[op.ref.created].mode;
                        else
                                op.mode = timings_of(s, op.ref.id);
                        r = push_op(p, &op);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int emit_screen_size(struct planner *p, unsigned width, unsigned height)
{
        struct vmodes_layout_op op = { .type = VMODES_OP_SET_SCREEN_SIZE, .ref = { 0, -1 } };

        op.width = width;
        op.height = height;
        return push_op(p, &op);
}

/* The CRTCs and the screen size. The size changes around the CRTC changes:
 * grow first, shrink after; when one side grows and the other shrinks, pass
 * through the larger of both if it fits, else turn off the changed CRTCs
 * outside the new size first (as xrandr does). */
static int emit_crtcs(struct planner *p, unsigned lit)
{
        const struct vmodes_layout_state *s = p->have;
        struct crtc_final f[VMODES_LAYOUT_CRTCS_MAX];
        unsigned w0 = s->width, h0 = s->height, w1 = p->plan->width, h1 = p->plan->height;
        unsigned wm = w0 > w1 ? w0 : w1, hm = h0 > h1 ? h0 : h1;
        bool grow = w1 >= w0 && h1 >= h0, shrink = w1 <= w0 && h1 <= h0;
        bool via_mid = !grow && !shrink && fits(s, wm, hm, lit), fallback = !grow && !shrink && !via_mid;
        bool disabled[VMODES_LAYOUT_CRTCS_MAX] = { false };
        int r = 0;

        final_crtcs(p, f);
        for (unsigned c = 0; c < s->n_crtcs && r >= 0; c++) {
                const struct vmodes_layout_crtc *cur = &s->crtcs[c];
                bool off = cur->mode && !f[c].lit;
                bool outside = fallback && cur->mode && f[c].changed &&
                               (cur->x + cur->width > w1 || cur->y + cur->height > h1);
                if (off || outside) {
                        struct vmodes_layout_op op = { .type = VMODES_OP_DISABLE_CRTC, .crtc = cur->id,
                                                       .ref = { 0, -1 } };
                        disabled[c] = true;
                        r = push_op(p, &op);
                }
        }
        if (r >= 0 && ((grow && (w1 != w0 || h1 != h0)) || via_mid || fallback))
                r = emit_screen_size(p, via_mid ? wm : w1, via_mid ? hm : h1);
        for (unsigned c = 0; c < s->n_crtcs && r >= 0; c++)
                if (f[c].lit && (f[c].changed || disabled[c]))
                        r = push_op(p, &f[c].op);
        if (r >= 0 && ((shrink && !grow) || via_mid))
                r = emit_screen_size(p, w1, h1);
        return r;
}

static int emit_primary(struct planner *p)
{
        const struct vmodes_layout_state *s = p->have;
        int r;

        for (unsigned i = 0; i < p->want->n_heads; i++) {
                const struct vmodes_layout_output *o = vmodes_layout_output_by_name(s, p->want->heads[i].head);
                if (p->want->heads[i].primary && s->primary != o->id) {
                        struct vmodes_layout_op op = { .type = VMODES_OP_SET_PRIMARY, .output = o->id,
                                                       .ref = { 0, -1 } };
                        r = push_op(p, &op);
                        if (r < 0)
                                return r;
                        note(p, o, VMODES_CHANGE_PRIMARY);
                }
        }
        return 0;
}

/* Does mode id, deleted from output i, stay in use (another output keeps
 * offering it, an output shows it) or is it destroyed for an earlier
 * output already? */
static bool mode_kept(const struct planner *p, unsigned i, uint32_t id)
{
        const struct vmodes_layout_state *s = p->have;
        bool used = false;

        for (unsigned o = 0; o < s->n_outputs && !used; o++) {
                bool gone = false;
                for (unsigned d = 0; d < p->n_deleted[o]; d++)
                        gone |= p->deleted[o][d] == id;
                used = (!gone && vmodes_layout_output_offers(&s->outputs[o], id)) ||
                       (p->t[o].lit && p->t[o].mode.created < 0 && p->t[o].mode.id == id);
        }
        /* destroy once: only from the first output that deleted it */
        for (unsigned o = 0; o < i && !used; o++)
                for (unsigned d = 0; d < p->n_deleted[o]; d++)
                        used |= p->deleted[o][d] == id;
        return used;
}

/* Modes taken away: from the output, then from the server when no output
 * offers it any more and no CRTC shows it. */
static int emit_deletes(struct planner *p)
{
        const struct vmodes_layout_state *s = p->have;
        int r;

        for (unsigned i = 0; i < s->n_outputs; i++)
                for (unsigned k = 0; k < p->n_deleted[i]; k++) {
                        struct vmodes_layout_op op = { .type = VMODES_OP_DELETE_MODE, .output = s->outputs[i].id,
                                                       .ref = { p->deleted[i][k], -1 } };
                        op.mode = timings_of(s, op.ref.id);
                        r = push_op(p, &op);
                        if (r < 0)
                                return r;
                }
        for (unsigned i = 0; i < s->n_outputs; i++)
                for (unsigned k = 0; k < p->n_deleted[i]; k++) {
                        uint32_t id = p->deleted[i][k];
                        struct vmodes_layout_op op = { .type = VMODES_OP_DESTROY_MODE, .ref = { id, -1 } };

                        if (mode_kept(p, i, id))
                                continue;
                        op.mode = timings_of(s, id);
                        r = push_op(p, &op);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int emit(struct planner *p, unsigned lit)
{
        int r = emit_add_modes(p);

        if (r >= 0)
                r = emit_crtcs(p, lit);
        if (r >= 0)
                r = emit_primary(p);
        if (r >= 0)
                r = emit_deletes(p);
        return r;
}

static void fill_results(struct planner *p)
{
        const struct vmodes_layout_state *s = p->have;

        /* every configured head has a result, in config order first */
        for (unsigned i = 0; i < p->want->n_heads; i++)
                result_for(p, vmodes_layout_output_by_name(s, p->want->heads[i].head));
        for (unsigned i = 0; i < p->plan->n_results; i++) {
                struct vmodes_layout_result *r = &p->plan->results[i];
                const struct vmodes_layout_output *o = vmodes_layout_output_by_id(s, r->output);
                const struct target *t = &p->t[out_index(p, o)];

                r->enabled = t->lit;
                if (t->lit) {
                        r->mode = t->timings;
                        /* the name the server knows it by */
                        if (t->mode.created >= 0)
                                memcpy(r->mode.name, p->plan->ops[t->mode.created].mode.name, sizeof(r->mode.name));
                        else {
                                const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(s, t->mode.id);
                                /* a loose mode: the rate is the server's */
                                if (sm && sm->loose)
                                        r->mode = sm->mode;
                                else if (sm)
                                        memcpy(r->mode.name, sm->mode.name, sizeof(r->mode.name));
                        }
                        r->x = t->x;
                        r->y = t->y;
                }
        }
        /* results must list configured heads first, in order: rotate them in */
        for (unsigned i = 0; i < p->want->n_heads && i < p->plan->n_results; i++)
                if (strcmp(p->plan->results[i].head, p->want->heads[i].head))
                        for (unsigned k = i + 1; k < p->plan->n_results; k++)
                                if (!strcmp(p->plan->results[k].head, p->want->heads[i].head)) {
                                        struct vmodes_layout_result tmp = p->plan->results[i];
                                        p->plan->results[i] = p->plan->results[k];
                                        p->plan->results[k] = tmp;
                                        break;
                                }
}

int vmodes_layout_plan(const struct vmodes_config *want, const struct vmodes_layout_state *have,
                       const struct vmodes_layout_drop *drop, size_t n_drop, struct vmodes_layout_plan *plan,
                       struct vmodes_error *err)
{
        /* in .bss (not const, which would put 18 KB of zeros in the
         * binary's .rodata, resident in every program that maps it) */
        static struct vmodes_config empty;
        struct planner *p;
        unsigned lit = 0;
        int r;

        if (!have || !plan)
                return -EINVAL;
        if (have->n_outputs > VMODES_LAYOUT_OUTPUTS_MAX || have->n_crtcs > VMODES_LAYOUT_CRTCS_MAX ||
            have->n_modes > VMODES_LAYOUT_MODES_MAX)
                return vmodes_error_set(err, -EINVAL, "the observed state is larger than the planner's limits");
        p = calloc(1, sizeof(*p));
        if (!p)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        p->want = want ? want : &empty;
        p->have = have;
        p->plan = plan;
        p->err = err;
        memset(plan, 0, sizeof(*plan));

        observe(p);
        r = check_config(p);
        if (r >= 0)
                r = assign(p);
        if (r >= 0)
                r = drop_modes(p, drop, n_drop);
        if (r >= 0)
                r = place(p);
        if (r >= 0)
                r = size_screen(p, &lit);
        if (r >= 0)
                r = emit(p, lit);
        if (r >= 0)
                fill_results(p);
        else
                memset(plan, 0, sizeof(*plan));
        free(p);
        return r;
}

/* ---- descriptions ------------------------------------------------------------------ */

const char *vmodes_layout_op_name(enum vmodes_layout_op_type t)
{
        switch (t) {
        case VMODES_OP_CREATE_MODE:
                return "create-mode";
        case VMODES_OP_ADD_MODE:
                return "add-mode";
        case VMODES_OP_DISABLE_CRTC:
                return "disable-crtc";
        case VMODES_OP_SET_SCREEN_SIZE:
                return "set-screen-size";
        case VMODES_OP_SET_CRTC:
                return "set-crtc";
        case VMODES_OP_SET_PRIMARY:
                return "set-primary";
        case VMODES_OP_DELETE_MODE:
                return "delete-mode";
        case VMODES_OP_DESTROY_MODE:
                return "destroy-mode";
        }
        return "?";
}

static const char *mode_name(const struct vmodes_layout_op *op, const struct vmodes_layout_plan *plan)
{
        if (op->ref.created >= 0 && plan && (unsigned)op->ref.created < plan->n_ops)
                return plan->ops[op->ref.created].mode.name;
        return op->mode.name;
}

static const char *output_name(const struct vmodes_layout_state *s, uint32_t id)
{
        const struct vmodes_layout_output *o = s ? vmodes_layout_output_by_id(s, id) : NULL;
        return o ? o->name : "?";
}

void vmodes_layout_op_describe(char *buf, size_t size, const struct vmodes_layout_op *op,
                               const struct vmodes_layout_state *s, const struct vmodes_layout_plan *plan)
{
        switch (op->type) {
        case VMODES_OP_CREATE_MODE:
                snprintf(buf, size, "create mode %s", op->mode.name);
                break;
        case VMODES_OP_ADD_MODE:
                snprintf(buf, size, "add mode %s to %s", mode_name(op, plan), output_name(s, op->output));
                break;
        case VMODES_OP_DELETE_MODE:
                snprintf(buf, size, "delete mode %s from %s", mode_name(op, plan), output_name(s, op->output));
                break;
        case VMODES_OP_DESTROY_MODE:
                snprintf(buf, size, "destroy mode %s", mode_name(op, plan));
                break;
        case VMODES_OP_DISABLE_CRTC:
                snprintf(buf, size, "turn off CRTC 0x%" PRIx32, op->crtc);
                break;
        case VMODES_OP_SET_SCREEN_SIZE:
                snprintf(buf, size, "set screen size %ux%u", op->width, op->height);
                break;
        case VMODES_OP_SET_CRTC:
                snprintf(buf, size, "set CRTC 0x%" PRIx32 ": %s at +%d+%d on %s%s", op->crtc, mode_name(op, plan),
                         op->x, op->y, output_name(s, op->outputs[0]), op->n_outputs > 1 ? " and clones" : "");
                break;
        case VMODES_OP_SET_PRIMARY:
                snprintf(buf, size, "make %s primary", output_name(s, op->output));
                break;
        }
}
