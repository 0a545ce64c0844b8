/* SPDX-License-Identifier: MIT */
/*
 * A plan applied to a state as the X server would (agent/core/simulate.h):
 * one function per operation, each refusing what the server refuses with
 * the X error it would send.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "agent/core/simulate.h"

/* One operation being applied: i is its index, mode/o/c what it names. */
struct sim {
        struct vmodes_layout_state *s;
        const struct vmodes_layout_op *op;
        unsigned i;
        uint32_t mode;
        struct vmodes_layout_output *o;
        struct vmodes_layout_crtc *c;
        struct vmodes_error *err;
};

static struct vmodes_layout_smode *smode_by_id(struct vmodes_layout_state *s, uint32_t id)
{
        return (struct vmodes_layout_smode *)vmodes_layout_mode_by_id(s, id);
}

static struct vmodes_layout_output *output_by_id(struct vmodes_layout_state *s, uint32_t id)
{
        return (struct vmodes_layout_output *)vmodes_layout_output_by_id(s, id);
}

static struct vmodes_layout_crtc *crtc_by_id(struct vmodes_layout_state *s, uint32_t id)
{
        return (struct vmodes_layout_crtc *)vmodes_layout_crtc_by_id(s, id);
}

static bool crtc_shows(const struct vmodes_layout_crtc *c, uint32_t output, uint32_t mode)
{
        for (unsigned n = 0; n < c->n_outputs; n++)
                if (c->outputs[n] == output && c->mode == mode)
                        return true;
        return false;
}

/* The mode, output and CRTC the operation names, each checked to exist. */
static int resolve(struct sim *m, const uint32_t *created)
{
        const struct vmodes_layout_op *op = m->op;
        enum vmodes_layout_op_type t = op->type;

        if (t == VMODES_OP_ADD_MODE || t == VMODES_OP_SET_CRTC || t == VMODES_OP_DELETE_MODE ||
            t == VMODES_OP_DESTROY_MODE) {
                if (op->ref.created >= 0) {
                        if ((unsigned)op->ref.created >= m->i || !created[op->ref.created])
                                return vmodes_error_set(m->err, -EINVAL, "op %u: uses a mode not created before", m->i);
                        m->mode = created[op->ref.created];
                } else
                        m->mode = op->ref.id;
                if (!smode_by_id(m->s, m->mode))
                        return vmodes_error_set(m->err, -EINVAL, "op %u: BadMode 0x%" PRIx32, m->i, m->mode);
        }
        if (t == VMODES_OP_ADD_MODE || t == VMODES_OP_DELETE_MODE || t == VMODES_OP_SET_PRIMARY) {
                m->o = output_by_id(m->s, op->output);
                if (!m->o)
                        return vmodes_error_set(m->err, -EINVAL, "op %u: BadOutput 0x%" PRIx32, m->i, op->output);
        }
        if (t == VMODES_OP_SET_CRTC || t == VMODES_OP_DISABLE_CRTC) {
                m->c = crtc_by_id(m->s, op->crtc);
                if (!m->c)
                        return vmodes_error_set(m->err, -EINVAL, "op %u: BadCrtc 0x%" PRIx32, m->i, op->crtc);
        }
        return 0;
}

static int create_mode(struct sim *m, uint32_t id)
{
        struct vmodes_layout_state *s = m->s;

        if (s->n_modes >= VMODES_LAYOUT_MODES_MAX)
                return vmodes_error_set(m->err, -EINVAL, "op %u: too many modes", m->i);
        for (unsigned k = 0; k < s->n_modes; k++)
                if (!strcmp(s->modes[k].mode.name, m->op->mode.name))
                        return vmodes_error_set(m->err, -EINVAL, "op %u: mode name %s exists (BadName)", m->i,
                                                m->op->mode.name);
        s->modes[s->n_modes].id = id;
        s->modes[s->n_modes++].mode = m->op->mode;
        return 0;
}

static int add_mode(struct sim *m)
{
        struct vmodes_layout_output *o = m->o;

        if (vmodes_layout_output_offers(o, m->mode))
                return 0; /* X ignores a duplicate add */
        if (o->n_modes >= VMODES_LAYOUT_OUTPUT_MODES_MAX)
                return vmodes_error_set(m->err, -EINVAL, "op %u: too many modes on %s", m->i, o->name);
        o->modes[o->n_modes++] = m->mode;
        return 0;
}

static int delete_mode(struct sim *m)
{
        struct vmodes_layout_output *o = m->o;

        for (unsigned k = 0; k < m->s->n_crtcs; k++)
                if (crtc_shows(&m->s->crtcs[k], o->id, m->mode))
                        return vmodes_error_set(m->err, -EINVAL, "op %u: mode in use (BadAccess)", m->i);
        for (unsigned k = 0; k < o->n_modes; k++)
                if (o->modes[k] == m->mode) {
                        memmove(&o->modes[k], &o->modes[k + 1], (o->n_modes - k - 1) * sizeof(uint32_t));
                        o->n_modes--;
                        if (k < o->n_preferred)
                                o->n_preferred--;
                        return 0;
                }
        return vmodes_error_set(m->err, -EINVAL, "op %u: %s lacks the mode (BadMatch)", m->i, o->name);
}

static int destroy_mode(struct sim *m)
{
        struct vmodes_layout_state *s = m->s;

        for (unsigned k = 0; k < s->n_outputs; k++)
                if (vmodes_layout_output_offers(&s->outputs[k], m->mode))
                        return vmodes_error_set(m->err, -EINVAL, "op %u: mode still on %s (BadAccess)", m->i,
                                                s->outputs[k].name);
        for (unsigned k = 0; k < s->n_crtcs; k++)
                if (s->crtcs[k].mode == m->mode)
                        return vmodes_error_set(m->err, -EINVAL, "op %u: mode in use (BadAccess)", m->i);
        for (unsigned k = 0; k < s->n_modes; k++)
                if (s->modes[k].id == m->mode) {
                        memmove(&s->modes[k], &s->modes[k + 1], (s->n_modes - k - 1) * sizeof(s->modes[0]));
                        s->n_modes--;
                        break;
                }
        return 0;
}

static void disable_crtc(struct sim *m)
{
        struct vmodes_layout_crtc *c = m->c;

        for (unsigned k = 0; k < m->s->n_outputs; k++)
                if (m->s->outputs[k].crtc == c->id)
                        m->s->outputs[k].crtc = 0;
        c->mode = 0;
        c->x = c->y = 0;
        c->width = c->height = 0;
        c->n_outputs = 0;
}

static int set_screen_size(struct sim *m)
{
        struct vmodes_layout_state *s = m->s;
        const struct vmodes_layout_op *op = m->op;

        if (op->width < s->min_width || op->height < s->min_height || (s->max_width && op->width > s->max_width) ||
            (s->max_height && op->height > s->max_height))
                return vmodes_error_set(m->err, -EINVAL, "op %u: screen %ux%u outside the range (BadValue)", m->i,
                                        op->width, op->height);
        for (unsigned k = 0; k < s->n_crtcs; k++)
                if (s->crtcs[k].mode && (s->crtcs[k].x + s->crtcs[k].width > op->width ||
                                         s->crtcs[k].y + s->crtcs[k].height > op->height))
                        return vmodes_error_set(m->err, -EINVAL, "op %u: CRTC 0x%" PRIx32 " outside %ux%u (BadMatch)",
                                                m->i, s->crtcs[k].id, op->width, op->height);
        s->width = op->width;
        s->height = op->height;
        return 0;
}

/* May the outputs of a set-crtc take CRTC c showing mode sm? */
static int check_crtc_outputs(struct sim *m, const struct vmodes_layout_smode *sm)
{
        const struct vmodes_layout_op *op = m->op;

        if (op->n_outputs == 0)
                return vmodes_error_set(m->err, -EINVAL, "op %u: CRTC with a mode and no outputs (BadMatch)", m->i);
        for (unsigned n = 0; n < op->n_outputs; n++) {
                struct vmodes_layout_output *out = output_by_id(m->s, op->outputs[n]);
                struct vmodes_layout_crtc *old;

                if (!out)
                        return vmodes_error_set(m->err, -EINVAL, "op %u: BadOutput", m->i);
                if (!vmodes_layout_output_can_use(out, m->c->id))
                        return vmodes_error_set(m->err, -EINVAL, "op %u: %s cannot use CRTC 0x%" PRIx32 " (BadMatch)",
                                                m->i, out->name, m->c->id);
                if (!vmodes_layout_output_offers(out, m->mode))
                        return vmodes_error_set(m->err, -EINVAL, "op %u: %s lacks mode %s (BadMatch)", m->i, out->name,
                                                sm->mode.name);
                old = out->crtc && out->crtc != m->c->id ? crtc_by_id(m->s, out->crtc) : NULL;
                if (old && old->mode)
                        return vmodes_error_set(m->err, -EINVAL, "op %u: %s is on another CRTC (BadMatch)", m->i,
                                                out->name);
        }
        return 0;
}

static int set_crtc(struct sim *m)
{
        const struct vmodes_layout_op *op = m->op;
        const struct vmodes_layout_smode *sm = smode_by_id(m->s, m->mode);
        struct vmodes_layout_crtc *c = m->c;
        bool turned = op->rotation & (2 | 8);
        unsigned w = turned ? sm->mode.vdisplay : sm->mode.hdisplay;
        unsigned h = turned ? sm->mode.hdisplay : sm->mode.vdisplay;
        int r;

        if (op->x < 0 || op->y < 0 || op->x + w > m->s->width || op->y + h > m->s->height)
                return vmodes_error_set(m->err, -EINVAL, "op %u: CRTC %ux%u+%d+%d outside the screen %ux%u (BadValue)",
                                        m->i, w, h, op->x, op->y, m->s->width, m->s->height);
        r = check_crtc_outputs(m, sm);
        if (r < 0)
                return r;
        disable_crtc(m);
        c->mode = m->mode;
        c->x = op->x;
        c->y = op->y;
        c->width = w;
        c->height = h;
        c->rotation = op->rotation;
        c->n_outputs = op->n_outputs;
        memcpy(c->outputs, op->outputs, op->n_outputs * sizeof(uint32_t));
        for (unsigned n = 0; n < op->n_outputs; n++) {
                struct vmodes_layout_output *out = output_by_id(m->s, op->outputs[n]);
                if (out)
                        out->crtc = c->id;
        }
        return 0;
}

static int apply_op(struct sim *m, uint32_t *created, uint32_t *next_id)
{
        switch (m->op->type) {
        case VMODES_OP_CREATE_MODE:
                created[m->i] = (*next_id)++;
                return create_mode(m, created[m->i]);
        case VMODES_OP_ADD_MODE:
                return add_mode(m);
        case VMODES_OP_DELETE_MODE:
                return delete_mode(m);
        case VMODES_OP_DESTROY_MODE:
                return destroy_mode(m);
        case VMODES_OP_DISABLE_CRTC:
                disable_crtc(m);
                return 0;
        case VMODES_OP_SET_SCREEN_SIZE:
                return set_screen_size(m);
        case VMODES_OP_SET_CRTC:
                return set_crtc(m);
        case VMODES_OP_SET_PRIMARY:
                m->s->primary = m->o->id;
                return 0;
        }
        return 0;
}

int vmodes_layout_simulate(struct vmodes_layout_state *s, const struct vmodes_layout_plan *plan, uint32_t next_id,
                           struct vmodes_error *err)
{
        uint32_t created[VMODES_LAYOUT_OPS_MAX] = { 0 };

        for (unsigned i = 0; i < plan->n_ops; i++) {
                struct sim m = { .s = s, .op = &plan->ops[i], .i = i, .err = err };
                int r;

                r = resolve(&m, created);
                if (r >= 0)
                        r = apply_op(&m, created, &next_id);
                if (r < 0)
                        return r;
        }
        return 0;
}
