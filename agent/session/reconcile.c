/* SPDX-License-Identifier: MIT */
/* The session agent's policy (see reconcile.h): pure, no I/O. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/common/desktop.h"
#include "agent/session/reconcile.h"

static void set_name(char dst[VMODES_HEAD_NAME_MAX], const char *name)
{
        snprintf(dst, VMODES_HEAD_NAME_MAX, "%.*s", VMODES_HEAD_NAME_MAX - 1, name);
}

static const struct vmodes_reconcile_seen *seen_find(const struct vmodes_reconcile *r, uint32_t output)
{
        for (unsigned i = 0; i < VMODES_LAYOUT_OUTPUTS_MAX; i++)
                if (r->seen[i].known && r->seen[i].output == output)
                        return &r->seen[i];
        return NULL;
}

void vmodes_reconcile_requested_size(const struct vmodes_layout_state *s, const struct vmodes_layout_output *o,
                                     unsigned *w, unsigned *h)
{
        /* the last preferred mode: an X config's PreferredMode (which
         * vmodesd writes for a configured head) comes first and stays
         * preferred, whatever the host asks */
        const struct vmodes_layout_smode *m =
                o->n_preferred ? vmodes_layout_mode_by_id(s, o->modes[o->n_preferred - 1]) : NULL;
        const struct vmodes_layout_crtc *c = !m && o->crtc ? vmodes_layout_crtc_by_id(s, o->crtc) : NULL;

        *w = m ? m->mode.hdisplay : c && c->mode ? c->width : 0;
        *h = m ? m->mode.vdisplay : c && c->mode ? c->height : 0;
}

int vmodes_reconcile_auto_fit_mode(const struct vmodes_config *cfg, unsigned w, unsigned h,
                                   struct vmodes_head_mode *hm)
{
        static const enum vmodes_method rb[] = { VMODES_METHOD_CVT, VMODES_METHOD_CVT_RB1, VMODES_METHOD_CVT_RB2,
                                                 VMODES_METHOD_CVT_RB3 };
        struct vmodes_error err;

        memset(hm, 0, sizeof(*hm));
        hm->spec.width = (int)w;
        hm->spec.height = (int)h;
        hm->spec.refresh = cfg->auto_fit_refresh > 0 ? cfg->auto_fit_refresh : 60.0;
        hm->spec.method = cfg->auto_fit_reduced >= 0 && cfg->auto_fit_reduced <= 3 ? rb[cfg->auto_fit_reduced]
                                                                                     : VMODES_METHOD_CVT;
        return vmodes_spec_to_mode(&hm->spec, &hm->mode, &err) < 0 ? -EINVAL : 0;
}

/* The host asks another size of a connected head than it did last time. */
static bool host_asks(const struct vmodes_reconcile_seen *sn, const struct vmodes_layout_output *o, unsigned w,
                      unsigned h)
{
        return sn && o->connection == VMODES_LAYOUT_CONNECTED && w && (w != sn->pref_w || h != sn->pref_h);
}

/* The desktop follows the host on this output itself (GNOME's mutter on an
 * output with hotplug_mode_update): the host's requests are its own. */
static bool desktop_follows(const struct vmodes_reconcile_input *in, const struct vmodes_layout_output *o)
{
        return in->desktop_follows_host && o->hotplug_mode_update;
}

/* A head X did not have before counts as newly connected, and so does one
 * within the connect window. */
static bool connected_now(const struct vmodes_reconcile_seen *sn, const struct vmodes_layout_output *o, uint64_t now)
{
        if (o->connection != VMODES_LAYOUT_CONNECTED)
                return false;
        return !sn || sn->connection != VMODES_LAYOUT_CONNECTED ||
               (sn->connected_at && now - sn->connected_at < VMODES_RECONCILE_CONNECT_USEC);
}

/* Whether a mapped configured head e (output o) enters the plan, and how.
 * 0: it stays as it is, whatever size the host or the desktop gave it. A
 * size the host asks and the agent has not answered yet comes before the
 * stored mode of a full reconcile; a head that just connected or is pinned
 * gets its stored mode. */
static enum vmodes_reconcile_why configured_why(const struct vmodes_reconcile *r,
                                                const struct vmodes_reconcile_input *in,
                                                const struct vmodes_layout_output *o, struct vmodes_head_config *e)
{
        const struct vmodes_reconcile_seen *sn = seen_find(r, o->id);
        bool connected = connected_now(sn, o, in->now);
        struct vmodes_head_mode fit;
        unsigned w, h;

        vmodes_reconcile_requested_size(in->state, o, &w, &h);
        if (in->config->auto_fit && !connected && !e->pinned && !desktop_follows(in, o) && host_asks(sn, o, w, h) &&
            vmodes_reconcile_auto_fit_mode(in->config, w, h, &fit) == 0) {
                e->modes[0] = fit;
                e->n_modes = 1;
                e->enabled = true;
                return VMODES_RECONCILE_AUTO_FIT;
        }
        if (in->full)
                return VMODES_RECONCILE_FULL;
        if (connected)
                return VMODES_RECONCILE_CONNECTED;
        return e->pinned ? VMODES_RECONCILE_PINNED : 0;
}

/* The outputs the stored config's heads mean (NULL: not in this session). */
struct resolved {
        const struct vmodes_layout_output *out[VMODES_CONFIG_HEADS_MAX];
};

/* The heads of the stored config as this session names them, and why
 * each enters the plan (0: it does not). */
struct configured {
        struct vmodes_head_config head[VMODES_CONFIG_HEADS_MAX];
        enum vmodes_reconcile_why why[VMODES_CONFIG_HEADS_MAX];
};

/* A head placed relative to a head that enters the plan enters too, at its
 * stored place and in the mode it shows now: the head it hangs on may
 * change size, and left where it is it would overlap or leave a gap. A
 * head that is off stays off. True when head i entered. */
static bool follow_anchor(const struct vmodes_reconcile_input *in, const struct resolved *res, struct configured *c,
                          unsigned i)
{
        struct vmodes_head_config *e = &c->head[i];
        const struct vmodes_layout_crtc *crtc;
        const struct vmodes_layout_smode *sm;
        bool anchor_enters = false;

        if (c->why[i] || !res->out[i] || !e->relative_to[0] || !res->out[i]->crtc)
                return false;
        for (unsigned k = 0; k < in->config->n_heads; k++)
                if (c->why[k] && res->out[k] && !strcmp(res->out[k]->name, e->relative_to))
                        anchor_enters = true;
        crtc = anchor_enters ? vmodes_layout_crtc_by_id(in->state, res->out[i]->crtc) : NULL;
        sm = crtc && crtc->mode ? vmodes_layout_mode_by_id(in->state, crtc->mode) : NULL;
        if (!sm)
                return false;
        e->n_modes = 1;
        e->modes[0] = (struct vmodes_head_mode){ .custom = true, .mode = sm->mode };
        e->enabled = true;
        c->why[i] = VMODES_RECONCILE_RELATIVE;
        return true;
}

static void decide_configured(const struct vmodes_reconcile *r, const struct vmodes_reconcile_input *in,
                              struct resolved *res, struct vmodes_reconcile_result *out)
{
        struct configured *c = calloc(1, sizeof(*c));
        bool more = true;

        if (!c)
                return; /* nothing enters: the next event tries again */
        for (unsigned i = 0; i < in->config->n_heads; i++) {
                res->out[i] = vmodes_layout_map_head(in->state, in->resolve, in->userdata, &in->config->heads[i], &c->head[i]);
                if (!res->out[i])
                        out->skipped[out->n_skipped++] = i;
                else
                        c->why[i] = configured_why(r, in, res->out[i], &c->head[i]);
        }
        /* a chain of relations follows head by head */
        while (more) {
                more = false;
                for (unsigned i = 0; i < in->config->n_heads; i++)
                        more |= follow_anchor(in, res, c, i);
        }
        for (unsigned i = 0; i < in->config->n_heads; i++)
                if (c->why[i]) {
                        out->config.heads[out->config.n_heads] = c->head[i];
                        out->why[out->config.n_heads++] = c->why[i];
                }
        free(c);
}

static bool is_configured(const struct vmodes_reconcile_input *in, const struct resolved *res,
                          const struct vmodes_layout_output *o)
{
        for (unsigned k = 0; k < in->config->n_heads; k++)
                if (res->out[k] == o)
                        return true;
        return false;
}

static unsigned lit_count(const struct vmodes_layout_state *s)
{
        unsigned lit = 0;

        for (unsigned k = 0; k < s->n_outputs; k++)
                lit += s->outputs[k].crtc != 0;
        return lit;
}

/* A head without a configuration: off when the host took it away (as
 * spice-vdagent would), unless it is the last head lit; with auto-fit the
 * size the host asks. 0: left alone. */
static enum vmodes_reconcile_why unconfigured_why(const struct vmodes_reconcile *r,
                                                  const struct vmodes_reconcile_input *in,
                                                  const struct vmodes_layout_output *o, struct vmodes_head_config *e)
{
        const struct vmodes_reconcile_seen *sn = seen_find(r, o->id);
        unsigned w, h;

        memset(e, 0, sizeof(*e));
        set_name(e->head, o->name);
        if (desktop_follows(in, o))
                return 0;
        if (sn && sn->connection == VMODES_LAYOUT_CONNECTED && o->connection == VMODES_LAYOUT_DISCONNECTED &&
            o->crtc && lit_count(in->state) > 1)
                return VMODES_RECONCILE_HOST_OFF;
        vmodes_reconcile_requested_size(in->state, o, &w, &h);
        if (!host_asks(sn, o, w, h) || vmodes_reconcile_auto_fit_mode(in->config, w, h, &e->modes[0]) < 0)
                return 0;
        e->n_modes = 1;
        e->enabled = true;
        return VMODES_RECONCILE_AUTO_FIT;
}

static void decide_unconfigured(const struct vmodes_reconcile *r, const struct vmodes_reconcile_input *in,
                                const struct resolved *res, struct vmodes_reconcile_result *out)
{
        if (!in->config->auto_fit || !r->started)
                return;
        for (unsigned i = 0; i < in->state->n_outputs && out->config.n_heads < VMODES_CONFIG_HEADS_MAX; i++) {
                const struct vmodes_layout_output *o = &in->state->outputs[i];
                enum vmodes_reconcile_why why;

                if (is_configured(in, res, o))
                        continue;
                why = unconfigured_why(r, in, o, &out->config.heads[out->config.n_heads]);
                if (why)
                        out->why[out->config.n_heads++] = why;
        }
}

int vmodes_reconcile_decide(const struct vmodes_reconcile *r, const struct vmodes_reconcile_input *in,
                            struct vmodes_reconcile_result *out)
{
        struct resolved res = { { NULL } };

        if (!r || !in || !in->config || !in->state || !out || in->config->n_heads > VMODES_CONFIG_HEADS_MAX)
                return -EINVAL;
        memset(out, 0, sizeof(*out));
        out->config = *in->config;
        out->config.n_heads = 0;
        decide_configured(r, in, &res, out);
        decide_unconfigured(r, in, &res, out);
        return 0;
}

bool vmodes_reconcile_desktop_follows_host(const char *current_desktop)
{
        return vmodes_desktop_listed(current_desktop, "GNOME");
}

static struct vmodes_reconcile_seen *seen_slot(struct vmodes_reconcile *r, uint32_t output)
{
        struct vmodes_reconcile_seen *sn = (struct vmodes_reconcile_seen *)seen_find(r, output);

        for (unsigned i = 0; !sn && i < VMODES_LAYOUT_OUTPUTS_MAX; i++)
                if (!r->seen[i].known) {
                        sn = &r->seen[i];
                        memset(sn, 0, sizeof(*sn));
                        sn->output = output;
                }
        return sn;
}

void vmodes_reconcile_remember(struct vmodes_reconcile *r, const struct vmodes_layout_state *s,
                               const struct vmodes_config *config, uint64_t now)
{
        for (unsigned i = 0; i < s->n_outputs; i++) {
                const struct vmodes_layout_output *o = &s->outputs[i];
                struct vmodes_reconcile_seen *sn = seen_slot(r, o->id);

                if (!sn)
                        continue;
                if (r->started && o->connection == VMODES_LAYOUT_CONNECTED &&
                    (!sn->known || sn->connection != VMODES_LAYOUT_CONNECTED))
                        sn->connected_at = now;
                sn->known = true;
                sn->connection = o->connection;
                /* with auto-fit off the host's request stays unanswered */
                if (config->auto_fit)
                        vmodes_reconcile_requested_size(s, o, &sn->pref_w, &sn->pref_h);
        }
        r->started = true;
}
