/* SPDX-License-Identifier: MIT */
/* The config-editing rules (see edit.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/common/macro.h"
#include "agent/core/edit.h"
#include "agent/core/kcmdline.h"

int vmodes_edit_parse_mode(const char *text, struct vmodes_head_mode *out, struct vmodes_error *err)
{
        memset(out, 0, sizeof(*out));
        if (strpbrk(text, " \t\"")) {
                out->custom = true;
                if (vmodes_modeline_parse(text, &out->mode, err) < 0)
                        return -EINVAL;
                out->mode.method = VMODES_METHOD_CUSTOM;
        } else if (vmodes_spec_parse(text, &out->spec, err) < 0 || vmodes_spec_to_mode(&out->spec, &out->mode, err) < 0)
                return -EINVAL;
        if (vmodes_mode_validate(&out->mode, err) < 0)
                return -EINVAL;
        return 0;
}

int vmodes_edit_format_mode(char *buf, size_t size, const struct vmodes_head_mode *m)
{
        char line[256];
        int r;

        if (!m->custom)
                return vmodes_spec_format(buf, size, &m->spec);
        r = vmodes_format_xorg(line, sizeof(line), &m->mode);
        if (r < 0)
                return r;
        /* without the keyword: the form the config file and AddMode take */
        if ((size_t)snprintf(buf, size, "%s", line + strlen("Modeline ")) >= size)
                return -ENOBUFS;
        return 0;
}

static struct vmodes_head_config *new_head(struct vmodes_config *c, const char *head, bool enabled)
{
        struct vmodes_head_config *h = &c->heads[c->n_heads++];

        memset(h, 0, sizeof(*h));
        snprintf(h->head, sizeof(h->head), "%s", head);
        h->enabled = enabled;
        return h;
}

static void drop_head(struct vmodes_config *c, struct vmodes_head_config *h)
{
        unsigned i = (unsigned)(h - c->heads);

        memmove(&c->heads[i], &c->heads[i + 1], (c->n_heads - i - 1) * sizeof(c->heads[0]));
        c->n_heads--;
}

static void drop_mode(struct vmodes_head_config *h, unsigned k)
{
        memmove(&h->modes[k], &h->modes[k + 1], (h->n_modes - k - 1) * sizeof(h->modes[0]));
        h->n_modes--;
}

/* primary: this head becomes the only primary one; else it is not one. */
static void set_primary(struct vmodes_config *c, struct vmodes_head_config *h, bool primary)
{
        if (primary)
                for (unsigned i = 0; i < c->n_heads; i++)
                        c->heads[i].primary = false;
        h->primary = primary;
}

static void apply_head_options(struct vmodes_config *c, struct vmodes_head_config *h,
                               const struct vmodes_edit_head_options *o)
{
        if (!o)
                return;
        if (o->pinned >= 0)
                h->pinned = o->pinned;
        if (o->enabled >= 0)
                h->enabled = o->enabled;
        if (o->primary >= 0)
                set_primary(c, h, o->primary);
}

static int no_head_slot(struct vmodes_error *err)
{
        return vmodes_error_set(err, -E2BIG, "%d heads are configured already (the most)", VMODES_CONFIG_HEADS_MAX);
}

/* Put hm into h: a mode of that name is replaced (moved). */
static int put_mode(struct vmodes_head_config *h, const struct vmodes_head_mode *hm, bool make_default,
                    struct vmodes_error *err)
{
        for (unsigned k = 0; k < h->n_modes; k++)
                if (!strcmp(h->modes[k].mode.name, hm->mode.name)) {
                        drop_mode(h, k);
                        break;
                }
        if (h->n_modes >= VMODES_CONFIG_MODES_MAX)
                return vmodes_error_set(err, -E2BIG, "head %s has %d modes already (the most); remove one", h->head,
                                        VMODES_CONFIG_MODES_MAX);
        if (make_default) {
                memmove(&h->modes[1], &h->modes[0], h->n_modes * sizeof(h->modes[0]));
                h->modes[0] = *hm;
        } else
                h->modes[h->n_modes] = *hm;
        h->n_modes++;
        return 0;
}

int vmodes_edit_add_mode(struct vmodes_config *c, const char *head, const struct vmodes_head_mode *hm,
                         bool make_default, const struct vmodes_edit_head_options *o, struct vmodes_error *err)
{
        struct vmodes_head_config *h = vmodes_config_find_head(c, head);
        int r;

        if (!h) {
                if (c->n_heads >= VMODES_CONFIG_HEADS_MAX)
                        return no_head_slot(err);
                h = new_head(c, head, true);
        }
        r = put_mode(h, hm, make_default, err);
        if (r < 0)
                return r;
        apply_head_options(c, h, o);
        return 0;
}

/* The index of the mode that text names in h, or -1 (-EINVAL: text is no
 * mode name and does not parse). */
static int find_mode(const struct vmodes_head_config *h, const char *text, int *found, struct vmodes_error *err)
{
        struct vmodes_head_mode hm;

        *found = -1;
        for (unsigned k = 0; k < h->n_modes; k++)
                if (!strcmp(h->modes[k].mode.name, text)) {
                        *found = (int)k;
                        return 0;
                }
        if (vmodes_edit_parse_mode(text, &hm, err) < 0)
                return -EINVAL;
        for (unsigned k = 0; k < h->n_modes; k++)
                if (!strcmp(h->modes[k].mode.name, hm.mode.name) ||
                    (hm.custom && vmodes_mode_equal_timings(&h->modes[k].mode, &hm.mode))) {
                        *found = (int)k;
                        break;
                }
        return 0;
}

int vmodes_edit_remove_mode(struct vmodes_config *c, const char *head, const char *mode, struct vmodes_error *err)
{
        struct vmodes_head_config *h = vmodes_config_find_head(c, head);
        int found, r;

        if (!h)
                return vmodes_error_set(err, -ENOENT, "head %s has no configured modes", head);
        if (!*mode) {
                drop_head(c, h);
                return 0;
        }
        r = find_mode(h, mode, &found, err);
        if (r < 0)
                return r;
        if (found < 0)
                return vmodes_error_set(err, -ENOENT, "head %s has no mode '%s'", head, mode);
        drop_mode(h, (unsigned)found);
        /* a head kept off needs no mode; any other is forgotten */
        if (h->n_modes == 0 && h->enabled)
                drop_head(c, h);
        return 0;
}

int vmodes_edit_remove_head(struct vmodes_config *c, const char *head, struct vmodes_error *err)
{
        return vmodes_edit_remove_mode(c, head, "", err);
}

/* The checks of a position that need no config. */
static int check_position(const char *head, enum vmodes_relation rel, const char *other, int x, int y,
                          struct vmodes_error *err)
{
        if ((unsigned)rel > VMODES_REL_POS)
                return vmodes_error_set(err, -EINVAL, "relation %d is not one of auto, right-of, left-of, above, "
                                        "below, same-as, pos", (int)rel);
        if (rel == VMODES_REL_POS) {
                if (x < 0 || x > VMODES_EDIT_POS_MAX || y < 0 || y > VMODES_EDIT_POS_MAX)
                        return vmodes_error_set(err, -EINVAL, "position %d,%d is out of range (0 to %d)", x, y,
                                                VMODES_EDIT_POS_MAX);
        } else if (rel != VMODES_REL_AUTO) {
                if (!other || !*other)
                        return vmodes_error_set(err, -EINVAL, "head %s: %s needs another head", head,
                                                vmodes_relation_to_string(rel));
                if (!strcmp(other, head))
                        return vmodes_error_set(err, -ELOOP, "head %s cannot be %s itself", head,
                                                vmodes_relation_to_string(rel));
        }
        return 0;
}

static void place(struct vmodes_head_config *h, enum vmodes_relation rel, const char *other, int x, int y)
{
        h->relation = rel;
        memset(h->relative_to, 0, sizeof(h->relative_to));
        h->x = h->y = 0;
        if (rel == VMODES_REL_POS) {
                h->x = x;
                h->y = y;
        } else if (rel != VMODES_REL_AUTO)
                snprintf(h->relative_to, sizeof(h->relative_to), "%s", other);
}

static int not_configured(const char *head, struct vmodes_error *err)
{
        return vmodes_error_set(err, -ENOENT, "head %s has no configuration yet; add a mode first", head);
}

int vmodes_edit_set_position(struct vmodes_config *c, const char *head, enum vmodes_relation rel, const char *other,
                             int x, int y, bool primary, struct vmodes_error *err)
{
        struct vmodes_head_config *h;
        int r;

        r = check_position(head, rel, other, x, y, err);
        if (r < 0)
                return r;
        h = vmodes_config_find_head(c, head);
        if (!h)
                return not_configured(head, err);
        place(h, rel, other, x, y);
        set_primary(c, h, primary);
        return 0;
}

int vmodes_edit_set_head_options(struct vmodes_config *c, const char *head, const struct vmodes_edit_head_options *o,
                                 struct vmodes_error *err)
{
        struct vmodes_head_config *h = vmodes_config_find_head(c, head);

        if (!h && o->enabled == 0 && c->n_heads < VMODES_CONFIG_HEADS_MAX)
                h = new_head(c, head, false); /* a head kept off needs no mode */
        if (!h)
                return not_configured(head, err);
        apply_head_options(c, h, o);
        return 0;
}

int vmodes_edit_set_options(struct vmodes_config *c, const struct vmodes_edit_options *o, struct vmodes_error *err)
{
        if (o->set_refresh) {
                double v = o->auto_fit_refresh;

                if (!isfinite(v) || (v != 0.0 && (v < VMODES_REFRESH_MIN || v > VMODES_REFRESH_MAX)))
                        return vmodes_error_set(err, -EINVAL, "auto-fit-refresh %g is out of range (0 or %g to %g Hz)",
                                                v, VMODES_REFRESH_MIN, VMODES_REFRESH_MAX);
        }
        if (o->auto_fit_blanking) {
                int found = vmodes_blanking_from_string(o->auto_fit_blanking);

                if (found < 0)
                        return vmodes_error_set(err, -EINVAL,
                                                "auto-fit-blanking '%.32s' is not one of standard, rb1, rb2, rb3",
                                                o->auto_fit_blanking);
                c->auto_fit_reduced = found;
        }
        if (o->auto_fit >= 0)
                c->auto_fit = o->auto_fit;
        if (o->set_refresh)
                c->auto_fit_refresh = round(o->auto_fit_refresh * 1000.0) / 1000.0;
        if (o->kernel_cmdline >= 0)
                c->kernel_cmdline = o->kernel_cmdline;
        return 0;
}

/* ---- a whole layout at once ------------------------------------------------ */

/* What must hold for heads[] before anything is changed. */
static int check_heads(const struct vmodes_edit_head *heads, unsigned n, struct vmodes_error *err)
{
        const char *primary = NULL;
        int r;

        if (n > VMODES_CONFIG_HEADS_MAX)
                return vmodes_error_set(err, -E2BIG, "%u heads given (at most %d)", n, VMODES_CONFIG_HEADS_MAX);
        for (unsigned i = 0; i < n; i++) {
                const struct vmodes_edit_head *e = &heads[i];

                for (unsigned j = 0; j < i; j++)
                        if (!strcmp(heads[j].head, e->head))
                                return vmodes_error_set(err, -EINVAL, "head %s is given twice", e->head);
                if (e->n_modes > VMODES_CONFIG_MODES_MAX)
                        return vmodes_error_set(err, -E2BIG, "head %s: %u modes given (at most %d)", e->head,
                                                e->n_modes, VMODES_CONFIG_MODES_MAX);
                r = e->keep_place ? 0 : check_position(e->head, e->relation, e->other, e->x, e->y, err);
                if (r < 0)
                        return r;
                if (e->o.primary > 0 && primary)
                        return vmodes_error_set(err, -EINVAL, "heads %s and %s are both made primary (one can be)",
                                                primary, e->head);
                if (e->o.primary > 0)
                        primary = e->head;
        }
        return 0;
}

static int set_head(struct vmodes_config *c, const struct vmodes_edit_head *e, struct vmodes_error *err)
{
        struct vmodes_head_config *h = vmodes_config_find_head(c, e->head);
        int r;

        if (!h) {
                if (c->n_heads >= VMODES_CONFIG_HEADS_MAX)
                        return no_head_slot(err);
                h = new_head(c, e->head, true);
        }
        if (!e->keep_modes)
                h->n_modes = 0;
        /* the last first: each goes in front, so modes[0] ends up first */
        for (unsigned k = e->n_modes; k-- > 0;) {
                r = put_mode(h, &e->modes[k], true, err);
                if (r < 0)
                        return r;
        }
        if (!e->keep_place)
                place(h, e->relation, e->other, e->x, e->y);
        apply_head_options(c, h, &e->o);
        if (h->enabled && h->n_modes == 0)
                return vmodes_error_set(err, -EINVAL, "head %s is on but has no mode (give one, or turn it off)",
                                        e->head);
        return 0;
}

int vmodes_edit_set_heads(struct vmodes_config *c, const struct vmodes_edit_head *heads, unsigned n, bool replace,
                          struct vmodes_error *err)
{
        int r;

        r = check_heads(heads, n, err);
        if (r < 0)
                return r;
        if (replace)
                for (unsigned i = c->n_heads; i-- > 0;) {
                        bool listed = false;

                        for (unsigned j = 0; j < n && !listed; j++)
                                listed = !strcmp(c->heads[i].head, heads[j].head);
                        if (!listed)
                                drop_head(c, &c->heads[i]);
                }
        for (unsigned i = 0; i < n; i++) {
                r = set_head(c, &heads[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool any_enabled(const struct vmodes_config *c)
{
        for (unsigned i = 0; i < c->n_heads; i++)
                if (c->heads[i].enabled)
                        return true;
        return false;
}

/* Whether a head's list of modes differs: an EDID blob of the kernel
 * route carries them all (kcmdline.h), where the drivers read one. */
static bool boot_modes_differ(const struct vmodes_config *old, const struct vmodes_config *new)
{
        if (old->n_heads != new->n_heads)
                return true;
        for (unsigned i = 0; i < new->n_heads; i++) {
                const struct vmodes_head_config *a = &old->heads[i], *b = &new->heads[i];

                if (strcmp(a->head, b->head) || a->n_modes != b->n_modes)
                        return true;
                for (unsigned k = 0; k < b->n_modes; k++) {
                        const struct vmodes_mode *x = &a->modes[k].mode, *y = &b->modes[k].mode;

                        if (x->clock_hz != y->clock_hz || x->hdisplay != y->hdisplay ||
                            x->hsync_start != y->hsync_start || x->hsync_end != y->hsync_end ||
                            x->htotal != y->htotal || x->vdisplay != y->vdisplay || x->vsync_start != y->vsync_start ||
                            x->vsync_end != y->vsync_end || x->vtotal != y->vtotal || x->flags != y->flags)
                                return true;
                }
        }
        return false;
}

bool vmodes_edit_affects_boot(const struct vmodes_config *old, const struct vmodes_config *new)
{
        _cleanup_(freep) char *a = NULL, *b = NULL;

        if (old->kernel_cmdline != new->kernel_cmdline)
                return true;
        if (new->n_heads > 0 && !any_enabled(new))
                return true;
        if (!new->kernel_cmdline)
                return false;
        if (vmodes_kcmdline_args(old, NULL, &a) < 0 || vmodes_kcmdline_args(new, NULL, &b) < 0)
                return true;
        return strcmp(a, b) != 0 || boot_modes_differ(old, new);
}
