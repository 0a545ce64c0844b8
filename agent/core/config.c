/* SPDX-License-Identifier: MIT */
/*
 * The config store: /etc/vmodes/vmodes.conf parsed with inih into a struct
 * vmodes_config, validated completely, and formatted back as text (vmodesd
 * writes that text atomically, through vmodes_atomic_txn).
 * The format is documented in vmodes.conf(5) (agent/man/vmodes.conf.5).
 */
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent/common/macro.h"
#include "agent/core/atomic.h"
#include "agent/core/state.h"
#include "agent/common/textbuf.h"

#define LINE_MAX_BYTES 199 /* inih reads lines of at most 200 bytes incl. the newline */

/* File text quoted in a message: escaped and short (vmodes_excerpt). */
#define EXCERPT_SIZE 48
#define EX(buf, text) vmodes_excerpt((buf), sizeof(buf), (text), strlen(text))

static const char *const relation_names[] = {
        [VMODES_REL_AUTO] = "auto",         [VMODES_REL_RIGHT_OF] = "right-of", [VMODES_REL_LEFT_OF] = "left-of",
        [VMODES_REL_ABOVE] = "above",       [VMODES_REL_BELOW] = "below",       [VMODES_REL_SAME_AS] = "same-as",
        [VMODES_REL_POS] = "pos",
};

static const char *const blanking_names[] = { "standard", "rb1", "rb2", "rb3" };

const char *vmodes_blanking_to_string(int reduced)
{
        return reduced >= 0 && reduced < (int)ELEMENTSOF(blanking_names) ? blanking_names[reduced] : NULL;
}

int vmodes_blanking_from_string(const char *name)
{
        for (int i = 0; i < (int)ELEMENTSOF(blanking_names); i++)
                if (!strcasecmp(name, blanking_names[i]))
                        return i;
        return -EINVAL;
}

const char *vmodes_relation_to_string(enum vmodes_relation r)
{
        if ((unsigned)r >= ELEMENTSOF(relation_names))
                return NULL;
        return relation_names[r];
}

int vmodes_relation_from_string(const char *s, enum vmodes_relation *out)
{
        for (unsigned i = 0; i < ELEMENTSOF(relation_names); i++)
                if (!strcmp(s, relation_names[i])) {
                        *out = (enum vmodes_relation)i;
                        return 0;
                }
        return -EINVAL;
}

void vmodes_config_init(struct vmodes_config *c)
{
        memset(c, 0, sizeof(*c));
}

static void head_init(struct vmodes_head_config *h, const char *name)
{
        memset(h, 0, sizeof(*h));
        snprintf(h->head, sizeof(h->head), "%s", name);
        h->enabled = true;
}

struct vmodes_head_config *vmodes_config_find_head(struct vmodes_config *c, const char *head)
{
        for (unsigned i = 0; i < c->n_heads && i < VMODES_CONFIG_HEADS_MAX; i++)
                if (!strcmp(c->heads[i].head, head))
                        return &c->heads[i];
        return NULL;
}

static bool mode_equal(const struct vmodes_head_mode *a, const struct vmodes_head_mode *b)
{
        if (a->custom != b->custom)
                return false;
        if (!a->custom)
                return a->spec.width == b->spec.width && a->spec.height == b->spec.height &&
                       a->spec.refresh == b->spec.refresh && a->spec.method == b->spec.method &&
                       a->spec.interlaced == b->spec.interlaced;
        return vmodes_mode_equal_timings(&a->mode, &b->mode) && !strcmp(a->mode.name, b->mode.name);
}

bool vmodes_config_equal(const struct vmodes_config *a, const struct vmodes_config *b)
{
        if (a->auto_fit != b->auto_fit || a->auto_fit_refresh != b->auto_fit_refresh ||
            a->auto_fit_reduced != b->auto_fit_reduced || a->kernel_cmdline != b->kernel_cmdline ||
            a->n_heads != b->n_heads)
                return false;
        for (unsigned i = 0; i < a->n_heads && i < VMODES_CONFIG_HEADS_MAX; i++) {
                const struct vmodes_head_config *x = &a->heads[i], *y = &b->heads[i];

                if (strcmp(x->head, y->head) || x->n_modes != y->n_modes || x->relation != y->relation ||
                    x->primary != y->primary || x->enabled != y->enabled || x->pinned != y->pinned)
                        return false;
                if (x->relation == VMODES_REL_POS && (x->x != y->x || x->y != y->y))
                        return false;
                if (x->relation != VMODES_REL_POS && x->relation != VMODES_REL_AUTO &&
                    strcmp(x->relative_to, y->relative_to))
                        return false;
                for (unsigned k = 0; k < x->n_modes && k < VMODES_CONFIG_MODES_MAX; k++)
                        if (!mode_equal(&x->modes[k], &y->modes[k]))
                                return false;
        }
        return true;
}

int vmodes_config_resolve(struct vmodes_config *c, struct vmodes_error *err)
{
        for (unsigned i = 0; i < c->n_heads && i < VMODES_CONFIG_HEADS_MAX; i++) {
                struct vmodes_head_config *h = &c->heads[i];

                for (unsigned k = 0; k < h->n_modes && k < VMODES_CONFIG_MODES_MAX; k++) {
                        struct vmodes_error e;
                        int r;

                        if (h->modes[k].custom)
                                continue;
                        r = vmodes_spec_to_mode(&h->modes[k].spec, &h->modes[k].mode, &e);
                        if (r < 0)
                                return vmodes_error_set(err, r, "head %s: %s", h->head, e.msg);
                }
        }
        return 0;
}

/* ---- the stored layout as the planner (agent/core/layout.c, place()) sees it ----
 * From the config alone: relations between configured heads, each head's
 * size from its first mode (rotation 0). A head placed relative to a head
 * that is not configured hangs on a live output, and the first enabled head
 * with position = auto keeps its live position: their positions are unknown
 * here, and so are those of the heads placed relative to them. */

struct layout_walk {
        int dep[VMODES_CONFIG_HEADS_MAX];     /* head it is placed from, -1 for none */
        int root[VMODES_CONFIG_HEADS_MAX];    /* the fixed-position head it hangs on, -1 if unknown */
        bool placed[VMODES_CONFIG_HEADS_MAX];
        int x[VMODES_CONFIG_HEADS_MAX], y[VMODES_CONFIG_HEADS_MAX];
};

static int head_index(const struct vmodes_config *c, const char *name)
{
        for (unsigned i = 0; i < c->n_heads; i++)
                if (!strcmp(c->heads[i].head, name))
                        return (int)i;
        return -1;
}

/* How head i relates to dep, for messages: "right-of Virtual-1". */
static void describe_dep(const struct vmodes_config *c, unsigned i, int dep, char *buf, size_t size)
{
        const struct vmodes_head_config *h = &c->heads[i];

        if (h->relation == VMODES_REL_AUTO)
                snprintf(buf, size, "%s is auto (right of the head before it, %s)", h->head, c->heads[dep].head);
        else
                snprintf(buf, size, "%s is %s %s", h->head, vmodes_relation_to_string(h->relation), h->relative_to);
}

/* Which head each enabled head is placed from; refuses a relation to a head
 * the config turns off. */
static int layout_deps(const struct vmodes_config *c, struct layout_walk *w, struct vmodes_error *err)
{
        int last = -1;

        for (unsigned i = 0; i < c->n_heads; i++) {
                const struct vmodes_head_config *h = &c->heads[i];
                int k;

                w->dep[i] = w->root[i] = -1;
                w->placed[i] = !h->enabled;
                w->x[i] = w->y[i] = 0;
                if (!h->enabled)
                        continue;
                if (h->relation == VMODES_REL_AUTO)
                        w->dep[i] = last;
                else if (h->relation != VMODES_REL_POS) {
                        k = head_index(c, h->relative_to);
                        if (k >= 0 && !c->heads[k].enabled)
                                return vmodes_error_set(err, -EINVAL,
                                            "head %s is placed %s %s, which is off (enabled = false): turn %s on, or "
                                            "place %s elsewhere", h->head, vmodes_relation_to_string(h->relation),
                                            h->relative_to, h->relative_to, h->head);
                        w->dep[i] = k;
                }
                last = (int)i;
        }
        return 0;
}

/* Place head i from its dependency, as place() does. */
static void layout_place_one(const struct vmodes_config *c, struct layout_walk *w, unsigned i)
{
        const struct vmodes_head_config *h = &c->heads[i];
        const struct vmodes_mode *m = &h->modes[0].mode;
        int d = w->dep[i];

        w->placed[i] = true;
        if (h->relation == VMODES_REL_POS) {
                w->root[i] = (int)i;
                w->x[i] = h->x;
                w->y[i] = h->y;
                return;
        }
        if (d < 0 || w->root[d] < 0)
                return; /* hangs on a live output or a live position: unknown */
        {
                const struct vmodes_mode *r = &c->heads[d].modes[0].mode;
                int rx = w->x[d], ry = w->y[d];

                w->root[i] = w->root[d];
                w->x[i] = rx;
                w->y[i] = ry;
                switch (h->relation) {
                case VMODES_REL_AUTO:
                case VMODES_REL_RIGHT_OF:
                        w->x[i] = rx + r->hdisplay;
                        break;
                case VMODES_REL_LEFT_OF:
                        w->x[i] = rx - m->hdisplay;
                        break;
                case VMODES_REL_ABOVE:
                        w->y[i] = ry - m->vdisplay;
                        break;
                case VMODES_REL_BELOW:
                        w->y[i] = ry + r->vdisplay;
                        break;
                default: /* same-as */
                        break;
                }
        }
}

/* Names the heads of a cycle reached from head i. */
static int layout_cycle_error(const struct vmodes_config *c, const struct layout_walk *w, unsigned i,
                              struct vmodes_error *err)
{
        char text[200] = "", one[96];
        bool seen[VMODES_CONFIG_HEADS_MAX] = { false };
        int k = (int)i, start;
        size_t len = 0;

        while (!seen[k]) { /* walk until a head repeats: it is on the cycle */
                seen[k] = true;
                k = w->dep[k];
        }
        start = k;
        do {
                describe_dep(c, (unsigned)k, w->dep[k], one, sizeof(one));
                len += (size_t)snprintf(text + len, len < sizeof(text) ? sizeof(text) - len : 0, "%s%s",
                                        k == start ? "" : ", ", one);
                k = w->dep[k];
        } while (k != start && len < sizeof(text));
        return vmodes_error_set(err, -EINVAL,
                    "the head relations form a cycle (%s): give one of them a fixed position "
                    "(position = X,Y) or place it relative to a head outside the cycle", text);
}

/* A cycle, a head on a head that is off, or a layout reaching left of or
 * above 0,0 around a fixed position: what the planner would refuse on
 * every machine. */
static int check_layout(const struct vmodes_config *c, struct vmodes_error *err)
{
        struct layout_walk w;
        unsigned todo = 0;
        int r;

        r = layout_deps(c, &w, err);
        if (r < 0)
                return r;
        for (unsigned i = 0; i < c->n_heads; i++)
                todo += !w.placed[i];
        while (todo > 0) {
                unsigned progress = 0;

                for (unsigned i = 0; i < c->n_heads; i++)
                        if (!w.placed[i] && (w.dep[i] < 0 || c->heads[i].relation == VMODES_REL_POS || w.placed[w.dep[i]])) {
                                layout_place_one(c, &w, i);
                                progress++;
                        }
                if (!progress)
                        for (unsigned i = 0; i < c->n_heads; i++)
                                if (!w.placed[i])
                                        return layout_cycle_error(c, &w, i, err);
                todo -= progress;
        }
        for (unsigned i = 0; i < c->n_heads; i++) {
                const struct vmodes_head_config *h = &c->heads[i], *root;

                if (!h->enabled || w.root[i] < 0)
                        continue;
                root = &c->heads[w.root[i]];
                if (w.x[i] < 0 || w.y[i] < 0)
                        return vmodes_error_set(err, -EINVAL,
                                    "head %s would sit left of or above 0,0 (at %d,%d) while head %s has the fixed "
                                    "position %d,%d: move %s (position = X,Y) or place %s elsewhere",
                                    h->head, w.x[i], w.y[i], root->head, root->x, root->y, root->head, h->head);
                if (w.x[i] + h->modes[0].mode.hdisplay > VMODES_SCREEN_MAX ||
                    w.y[i] + h->modes[0].mode.vdisplay > VMODES_SCREEN_MAX)
                        return vmodes_error_set(err, -EINVAL,
                                    "head %s would reach %d,%d, beyond %d,%d, the largest X screen: move %s "
                                    "(position = X,Y)%s%s%s", h->head,
                                    w.x[i] + h->modes[0].mode.hdisplay, w.y[i] + h->modes[0].mode.vdisplay,
                                    VMODES_SCREEN_MAX, VMODES_SCREEN_MAX, root->head, root == h ? "" : " or place ",
                                    root == h ? "" : h->head, root == h ? "" : " elsewhere");
        }
        return 0;
}

int vmodes_config_validate(const struct vmodes_config *c, struct vmodes_error *err)
{
        const struct vmodes_head_config *primary = NULL;
        struct vmodes_error e;

        if (c->n_heads > VMODES_CONFIG_HEADS_MAX)
                return vmodes_error_set(err, -E2BIG, "%u heads configured (at most %d)", c->n_heads, VMODES_CONFIG_HEADS_MAX);
        if (c->auto_fit_refresh != 0.0 &&
            !(c->auto_fit_refresh >= VMODES_REFRESH_MIN && c->auto_fit_refresh <= VMODES_REFRESH_MAX))
                return vmodes_error_set(err, -EINVAL, "auto-fit-refresh %g is out of range (0 or %g to %g Hz)",
                            c->auto_fit_refresh, VMODES_REFRESH_MIN, VMODES_REFRESH_MAX);
        if (fabs(c->auto_fit_refresh * 1000.0 - round(c->auto_fit_refresh * 1000.0)) > 1e-6)
                return vmodes_error_set(err, -EINVAL, "auto-fit-refresh %g has more than 3 decimals", c->auto_fit_refresh);
        if (c->auto_fit_reduced < 0 || c->auto_fit_reduced > 3)
                return vmodes_error_set(err, -EINVAL, "auto-fit blanking %d is out of range (0 standard, 1 to 3)",
                            c->auto_fit_reduced);
        for (unsigned i = 0; i < c->n_heads; i++) {
                const struct vmodes_head_config *h = &c->heads[i];

                if (memchr(h->head, 0, sizeof(h->head)) == NULL || vmodes_head_validate(h->head, &e) < 0)
                        return vmodes_error_set(err, -EINVAL, "head %u: %s", i + 1, e.msg);
                for (unsigned j = 0; j < i; j++)
                        if (!strcmp(c->heads[j].head, h->head))
                                return vmodes_error_set(err, -EEXIST, "head %s is configured twice", h->head);
                if (h->n_modes > VMODES_CONFIG_MODES_MAX)
                        return vmodes_error_set(err, -E2BIG, "head %s: %u modes (at most %d)", h->head, h->n_modes,
                                    VMODES_CONFIG_MODES_MAX);
                if (h->n_modes == 0 && h->enabled)
                        return vmodes_error_set(err, -EINVAL, "head %s: no mode (add one, or set enabled = false)", h->head);
                for (unsigned k = 0; k < h->n_modes; k++) {
                        if (vmodes_mode_validate(&h->modes[k].mode, &e) < 0)
                                return vmodes_error_set(err, -EINVAL, "head %s: %s", h->head, e.msg);
                        if (h->modes[k].mode.name[0] == '\0' ||
                            memchr(h->modes[k].mode.name, 0, sizeof(h->modes[k].mode.name)) == NULL)
                                return vmodes_error_set(err, -EINVAL, "head %s: mode %u has no name", h->head, k + 1);
                        for (unsigned l = 0; l < k; l++)
                                if (!strcmp(h->modes[l].mode.name, h->modes[k].mode.name))
                                        return vmodes_error_set(err, -EEXIST, "head %s: mode %s is listed twice", h->head,
                                                    h->modes[k].mode.name);
                }
                if ((unsigned)h->relation > VMODES_REL_POS)
                        return vmodes_error_set(err, -EINVAL, "head %s: unknown relation %d", h->head, (int)h->relation);
                if (h->relation == VMODES_REL_POS) {
                        if (h->x < 0 || h->x > VMODES_SCREEN_MAX || h->y < 0 || h->y > VMODES_SCREEN_MAX)
                                return vmodes_error_set(err, -EINVAL, "head %s: position %d,%d is out of range (0 to %d)",
                                            h->head, h->x, h->y, VMODES_SCREEN_MAX);
                } else if (h->relation != VMODES_REL_AUTO) {
                        if (memchr(h->relative_to, 0, sizeof(h->relative_to)) == NULL ||
                            vmodes_head_validate(h->relative_to, &e) < 0)
                                return vmodes_error_set(err, -EINVAL, "head %s: %s: %s", h->head,
                                            vmodes_relation_to_string(h->relation), e.msg);
                        if (!strcmp(h->relative_to, h->head))
                                return vmodes_error_set(err, -EINVAL, "head %s: cannot be %s itself", h->head,
                                            vmodes_relation_to_string(h->relation));
                }
                if (h->primary) {
                        if (primary)
                                return vmodes_error_set(err, -EINVAL, "heads %s and %s are both primary (only one can be)",
                                            primary->head, h->head);
                        if (!h->enabled)
                                return vmodes_error_set(err, -EINVAL, "head %s: a disabled head cannot be primary", h->head);
                        primary = h;
                }
        }
        return check_layout(c, err);
}

/* ---- parsing ------------------------------------------------------------- */

struct parse_ctx {
        struct vmodes_config c;
        struct vmodes_error err;
        bool failed;
        bool seen_general[4];
        /* per head: which scalar keys were set (position, primary, enabled, pinned) */
        bool seen_head[VMODES_CONFIG_HEADS_MAX][4];
};

static int parse_bool(const char *v, bool *out)
{
        static const char *const yes[] = { "true", "yes", "on", "1" }, *const no[] = { "false", "no", "off", "0" };

        for (unsigned i = 0; i < 4; i++) {
                if (!strcasecmp(v, yes[i])) {
                        *out = true;
                        return 0;
                }
                if (!strcasecmp(v, no[i])) {
                        *out = false;
                        return 0;
                }
        }
        return -EINVAL;
}

static int parse_int(const char *v, long min, long max, long *out)
{
        char *end;
        long n;

        if (!*v || !(*v == '-' || (*v >= '0' && *v <= '9')))
                return -EINVAL;
        errno = 0;
        n = strtol(v, &end, 10);
        if (errno || *end || n < min || n > max)
                return -EINVAL;
        *out = n;
        return 0;
}

/* auto-fit-refresh: a rate as mode specs write it, or 0 for 60 Hz. */
static int parse_rate(const char *v, double *out, struct vmodes_error *err)
{
        if (!strcmp(v, "0")) {
                *out = 0.0;
                return 0;
        }
        return vmodes_rate_parse(v, out, err);
}

static int set_once(bool *seen, const char *key, struct vmodes_error *err)
{
        if (*seen)
                return vmodes_error_set(err, -EEXIST, "%s is set twice", key);
        *seen = true;
        return 0;
}

static int handle_general(struct parse_ctx *p, const char *name, const char *value)
{
        struct vmodes_config *c = &p->c;
        struct vmodes_error e;
        char q[EXCERPT_SIZE];
        long n;

        if (!strcmp(name, "auto-fit")) {
                if (set_once(&p->seen_general[0], name, &p->err) < 0)
                        return -1;
                if (parse_bool(value, &c->auto_fit) < 0)
                        return vmodes_error_set(&p->err, -1, "auto-fit: '%s' is not a boolean (true or false)",
                                    EX(q, value));
        } else if (!strcmp(name, "auto-fit-refresh")) {
                int r;
                if (set_once(&p->seen_general[1], name, &p->err) < 0)
                        return -1;
                r = parse_rate(value, &c->auto_fit_refresh, &e);
                if (r < 0)
                        return vmodes_error_set(&p->err, -1, "auto-fit-refresh: %s, or 0 for 60 Hz", e.msg);
        } else if (!strcmp(name, "auto-fit-blanking")) {
                int reduced = vmodes_blanking_from_string(value);
                bool found = reduced >= 0;
                if (set_once(&p->seen_general[2], name, &p->err) < 0)
                        return -1;
                if (found)
                        c->auto_fit_reduced = reduced;
                if (!found && parse_int(value, 0, 3, &n) == 0) {
                        c->auto_fit_reduced = (int)n;
                        found = true;
                }
                if (!found)
                        return vmodes_error_set(&p->err, -1, "auto-fit-blanking: '%s' is not one of standard, rb1, rb2, rb3",
                                    EX(q, value));
        } else if (!strcmp(name, "kernel-cmdline")) {
                if (set_once(&p->seen_general[3], name, &p->err) < 0)
                        return -1;
                if (parse_bool(value, &c->kernel_cmdline) < 0)
                        return vmodes_error_set(&p->err, -1, "kernel-cmdline: '%s' is not a boolean (true or false)",
                                    EX(q, value));
        } else
                return vmodes_error_set(&p->err, -1,
                            "unknown key '%s' in [general] (known: auto-fit, auto-fit-refresh, "
                            "auto-fit-blanking, kernel-cmdline)", EX(q, name));
        return 0;
}

static int parse_position(const char *value, struct vmodes_head_config *h, struct vmodes_error *err)
{
        char q[EXCERPT_SIZE];
        static const char *const rel[] = { "right-of", "left-of", "above", "below", "same-as" };
        static const enum vmodes_relation rv[] = { VMODES_REL_RIGHT_OF, VMODES_REL_LEFT_OF, VMODES_REL_ABOVE,
                                                   VMODES_REL_BELOW, VMODES_REL_SAME_AS };
        struct vmodes_error e;
        long x, y;
        char xs[16], ys[16];
        const char *comma;

        if (!strcmp(value, "auto")) {
                h->relation = VMODES_REL_AUTO;
                return 0;
        }
        for (unsigned i = 0; i < 5; i++) {
                size_t n = strlen(rel[i]);
                if (!strncmp(value, rel[i], n) && (value[n] == ' ' || value[n] == '\t')) {
                        const char *other = value + n;
                        while (*other == ' ' || *other == '\t')
                                other++;
                        if (vmodes_head_validate(other, &e) < 0)
                                return vmodes_error_set(err, -EINVAL, "position: %s: %s", rel[i], e.msg);
                        if (!strcmp(other, h->head))
                                return vmodes_error_set(err, -EINVAL, "position: a head cannot be %s itself", rel[i]);
                        h->relation = rv[i];
                        snprintf(h->relative_to, sizeof(h->relative_to), "%s", other);
                        return 0;
                }
        }
        comma = strchr(value, ',');
        if (comma && (size_t)(comma - value) < sizeof(xs) && strlen(comma + 1) < sizeof(ys)) {
                snprintf(xs, sizeof(xs), "%.*s", (int)(comma - value), value);
                snprintf(ys, sizeof(ys), "%s", comma + 1);
                if (parse_int(xs, 0, VMODES_SCREEN_MAX, &x) == 0 && parse_int(ys, 0, VMODES_SCREEN_MAX, &y) == 0) {
                        h->relation = VMODES_REL_POS;
                        h->x = (int)x;
                        h->y = (int)y;
                        return 0;
                }
        }
        return vmodes_error_set(err, -EINVAL,
                    "position: '%s' is not auto, right-of|left-of|above|below|same-as HEAD, or X,Y "
                    "(0 to %d)", EX(q, value), VMODES_SCREEN_MAX);
}

static int handle_head(struct parse_ctx *p, const char *head, const char *name, const char *value)
{
        struct vmodes_config *c = &p->c;
        struct vmodes_head_config *h;
        struct vmodes_error e;
        char q[EXCERPT_SIZE];
        unsigned idx;

        if (vmodes_head_validate(head, &e) < 0)
                return vmodes_error_set(&p->err, -1, "section [head %s]: %s", EX(q, head), e.msg);
        h = vmodes_config_find_head(c, head);
        if (!h) {
                if (c->n_heads >= VMODES_CONFIG_HEADS_MAX)
                        return vmodes_error_set(&p->err, -1, "too many heads (at most %d)", VMODES_CONFIG_HEADS_MAX);
                h = &c->heads[c->n_heads++];
                head_init(h, head);
        }
        idx = (unsigned)(h - c->heads);

        if (!strcmp(name, "mode") || !strcmp(name, "modeline")) {
                struct vmodes_head_mode *m;
                if (h->n_modes >= VMODES_CONFIG_MODES_MAX)
                        return vmodes_error_set(&p->err, -1, "head %s: too many modes (at most %d)", head,
                                    VMODES_CONFIG_MODES_MAX);
                m = &h->modes[h->n_modes];
                memset(m, 0, sizeof(*m));
                if (!strcmp(name, "mode")) {
                        if (vmodes_spec_parse(value, &m->spec, &e) < 0 || vmodes_spec_to_mode(&m->spec, &m->mode, &e) < 0)
                                return vmodes_error_set(&p->err, -1, "mode: %s", e.msg);
                } else {
                        m->custom = true;
                        if (vmodes_modeline_parse(value, &m->mode, &e) < 0)
                                return vmodes_error_set(&p->err, -1, "modeline: %s", e.msg);
                        m->mode.method = VMODES_METHOD_CUSTOM;
                }
                for (unsigned k = 0; k < h->n_modes; k++)
                        if (!strcmp(h->modes[k].mode.name, m->mode.name))
                                return vmodes_error_set(&p->err, -1, "head %s: mode %s is listed twice", head, m->mode.name);
                h->n_modes++;
        } else if (!strcmp(name, "position")) {
                if (set_once(&p->seen_head[idx][0], name, &p->err) < 0)
                        return -1;
                if (parse_position(value, h, &p->err) < 0)
                        return -1;
        } else if (!strcmp(name, "primary") || !strcmp(name, "enabled") || !strcmp(name, "pinned")) {
                unsigned k = name[1] == 'r' ? 1 : name[0] == 'e' ? 2 : 3;
                bool *field = k == 1 ? &h->primary : k == 2 ? &h->enabled : &h->pinned;
                if (set_once(&p->seen_head[idx][k], name, &p->err) < 0)
                        return -1;
                if (parse_bool(value, field) < 0)
                        return vmodes_error_set(&p->err, -1, "%s: '%s' is not a boolean (true or false)", name,
                                    EX(q, value));
        } else
                return vmodes_error_set(&p->err, -1,
                            "unknown key '%s' in [head %s] (known: mode, modeline, position, primary, "
                            "enabled, pinned)", EX(q, name), head);
        return 0;
}

static int handle_line(void *user, const char *section, const char *name, const char *value)
{
        struct parse_ctx *p = user;
        char q[EXCERPT_SIZE];
        int r;

        if (p->failed)
                return 1; /* report the first error only; inih keeps that line number */
        if (!strcmp(section, "general"))
                r = handle_general(p, name, value);
        else if (!strncmp(section, "head ", 5))
                r = handle_head(p, section + 5, name, value);
        else if (!*section)
                r = vmodes_error_set(&p->err, -1, "'%s' is outside of a section ([general] or [head NAME])",
                                     EX(q, name));
        else
                r = vmodes_error_set(&p->err, -1, "unknown section [%s] (expected [general] or [head NAME])",
                                     EX(q, section));
        if (r < 0) {
                p->failed = true;
                return 0;
        }
        return 1;
}

/* The first byte that makes the text something other than UTF-8 text:
 * a NUL, a byte outside valid UTF-8, a control character (tab excepted)
 * or a CR that does not end a line. */
static int check_bytes(const char *text, size_t len, const char *filename, struct vmodes_error *err)
{
        size_t valid = vmodes_utf8_valid_prefix(text, len);

        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)text[i];
                const char *what;
                unsigned line = 1;

                if (i == valid)
                        what = "is not valid UTF-8 (the file must be UTF-8 text)";
                else if (c == 0)
                        what = "is a NUL byte (the file is damaged or not text)";
                else if (c == '\r' && (i + 1 == len || text[i + 1] != '\n'))
                        what = "is a carriage return that does not end a line (lines end in LF or CR LF)";
                else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
                        what = "is a control character (the file must be text)";
                else
                        continue;
                for (size_t k = 0; k < i; k++)
                        line += text[k] == '\n';
                if (c == 0)
                        return vmodes_error_set(err, -EINVAL, "%s:%u: NUL byte at offset %zu (the file is damaged or not text)",
                                    filename, line, i);
                return vmodes_error_set(err, -EINVAL, "%s:%u: byte 0x%02x at offset %zu %s", filename, line, c, i, what);
        }
        return 0;
}

/* "[general]" may be followed by blanks and a comment, nothing else. */
static int check_section_line(const char *q, const char *e, const char *filename, unsigned line,
                              struct vmodes_error *err)
{
        const char *close = memchr(q, ']', (size_t)(e - q)), *t;
        char x[EXCERPT_SIZE];

        if (!close)
                return vmodes_error_set(err, -EINVAL, "%s:%u: section header without ']'", filename, line);
        for (t = close + 1; t < e && (*t == ' ' || *t == '\t' || *t == '\r'); t++)
                ;
        if (t < e && *t != ';' && *t != '#')
                return vmodes_error_set(err, -EINVAL, "%s:%u: text after ']' in a section header: '%s' (only a comment "
                            "starting with ';' or '#' may follow)", filename, line,
                            vmodes_excerpt(x, sizeof(x), t, (size_t)(e - t)));
        return 0;
}

/* inih also takes "key: value"; vmodes.conf(5) has one separator, '='. */
static int check_key_line(const char *q, const char *e, const char *filename, unsigned line,
                          struct vmodes_error *err)
{
        const char *eq = memchr(q, '=', (size_t)(e - q));
        const char *colon = memchr(q, ':', (size_t)((eq ? eq : e) - q));
        char x[EXCERPT_SIZE];

        if (colon)
                return vmodes_error_set(err, -EINVAL, "%s:%u: '%s' uses ':' as a separator (write KEY = VALUE)",
                            filename, line, vmodes_excerpt(x, sizeof(x), q, (size_t)(colon - q + 1)));
        return 0;
}

/* What inih cannot report precisely or accepts silently: bytes that are not
 * text, long lines, indented keys (inih would take them as continuation
 * values), bad section headers, ':' separators. */
static int prescan(const char *text, size_t len, const char *filename, struct vmodes_error *err)
{
        unsigned line = 1;
        const char *p = text, *end = text + len;
        int r;

        r = check_bytes(text, len, filename, err);
        if (r < 0)
                return r;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *e = nl ? nl : end;
                size_t n = (size_t)(e - p);
                const char *start = p, *q;

                if (n > LINE_MAX_BYTES)
                        return vmodes_error_set(err, -EINVAL, "%s:%u: line of %zu bytes is too long (at most %d)", filename,
                                    line, n, LINE_MAX_BYTES);
                if (line == 1 && n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
                        start += 3; /* a UTF-8 byte order mark, which inih skips */
                for (q = start; q < e && (*q == ' ' || *q == '\t' || *q == '\r'); q++)
                        ;
                if (q > start && q < e && *q != '#' && *q != ';')
                        return vmodes_error_set(err, -EINVAL, "%s:%u: indented line (keys and sections start in column 1)",
                                    filename, line);
                if (q < e && *q == '[')
                        r = check_section_line(q, e, filename, line, err);
                else if (q < e && *q != '#' && *q != ';')
                        r = check_key_line(q, e, filename, line, err);
                if (r < 0)
                        return r;
                line++;
                p = nl ? nl + 1 : end;
        }
        return 0;
}

int vmodes_config_parse_n(const char *text, size_t len, const char *filename, struct vmodes_config *out,
                          struct vmodes_error *err)
{
        struct parse_ctx *p;
        struct vmodes_error e;
        char *copy;
        int r;

        if (!filename)
                filename = "(config)";
        if (len > VMODES_CONFIG_FILE_MAX)
                return vmodes_error_set(err, -EFBIG, "%s: %zu bytes is too large (at most %d)", filename, len,
                            VMODES_CONFIG_FILE_MAX);
        r = prescan(text, len, filename, err);
        if (r < 0)
                return r;
        p = calloc(1, sizeof(*p));
        copy = malloc(len + 1); /* inih wants a NUL-terminated string */
        if (!p || !copy) {
                free(p);
                free(copy);
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        }
        memcpy(copy, text, len);
        copy[len] = 0;
        vmodes_config_init(&p->c);
        r = ini_parse_string(copy, handle_line, p);
        if (r != 0) {
                if (r < 0)
                        r = vmodes_error_set(err, -ENOMEM, "%s: cannot parse (out of memory)", filename);
                else if (p->failed)
                        r = vmodes_error_set(err, -EINVAL, "%s:%d: %s", filename, r, p->err.msg);
                else
                        r = vmodes_error_set(err, -EINVAL, "%s:%d: syntax error (expected [SECTION], KEY = VALUE or a comment)",
                                 filename, r);
                goto out;
        }
        r = vmodes_config_resolve(&p->c, &e);
        if (r == 0)
                r = vmodes_config_validate(&p->c, &e);
        if (r < 0) {
                r = vmodes_error_set(err, r, "%s: %s", filename, e.msg);
                goto out;
        }
        *out = p->c;
out:
        free(copy);
        free(p);
        return r;
}

int vmodes_config_parse(const char *text, const char *filename, struct vmodes_config *out,
                        struct vmodes_error *err)
{
        return vmodes_config_parse_n(text, strlen(text), filename, out, err);
}

int vmodes_config_load(const char *path, struct vmodes_config *out, struct vmodes_error *err)
{
        char *text = NULL;
        size_t len = 0;
        int r;

        r = vmodes_atomic_read(path, VMODES_CONFIG_FILE_MAX, &text, &len);
        if (r == -EFBIG)
                return vmodes_error_set(err, r, "%s: larger than %d bytes", path, VMODES_CONFIG_FILE_MAX);
        if (r < 0)
                return vmodes_error_set(err, r, "%s: %s", path, strerror(-r));
        r = vmodes_config_parse_n(text, len, path, out, err);
        free(text);
        return r;
}

/* ---- writing ------------------------------------------------------------- */

static const char *yes_no(bool v)
{
        return v ? "true" : "false";
}

int vmodes_config_format(const struct vmodes_config *c, char **out)
{
        const char *blanking = vmodes_blanking_to_string(c->auto_fit_reduced);
        struct vmodes_textbuf b = { 0 };
        char rate[32];

        vmodes_textbuf_printf(&b, "# vmodes configuration: the display modes and layout of this machine's\n"
                    "# virtual heads. Written by vmodesd; hand edits are kept (comments are not).\n"
                    "# Format: vmodes.conf(5). Check a change with: vmodes config check\n"
                    "# Apply it with: systemctl reload vmodesd (or vmodes apply)\n"
                    "\n"
                    "[general]\n");
        snprintf(rate, sizeof(rate), "%.3f", c->auto_fit_refresh);
        for (char *e = rate + strlen(rate) - 1; e > rate && (*e == '0' || *e == '.'); e--) {
                bool point = *e == '.';
                *e = '\0';
                if (point)
                        break;
        }
        vmodes_textbuf_printf(&b, "auto-fit = %s\nauto-fit-refresh = %s\nauto-fit-blanking = %s\nkernel-cmdline = %s\n",
                yes_no(c->auto_fit), rate,
                blanking ? blanking : "standard",
                yes_no(c->kernel_cmdline));
        for (unsigned i = 0; i < c->n_heads && i < VMODES_CONFIG_HEADS_MAX; i++) {
                const struct vmodes_head_config *h = &c->heads[i];

                vmodes_textbuf_printf(&b, "\n[head %s]\n", h->head);
                for (unsigned k = 0; k < h->n_modes && k < VMODES_CONFIG_MODES_MAX; k++) {
                        char line[256];
                        int r;

                        if (h->modes[k].custom) {
                                r = vmodes_format_xorg(line, sizeof(line), &h->modes[k].mode);
                                if (r < 0) {
                                        b.error = b.error ? b.error : r;
                                        break;
                                }
                                vmodes_textbuf_printf(&b, "modeline = %s\n", line + strlen("Modeline "));
                        } else {
                                r = vmodes_spec_format(line, sizeof(line), &h->modes[k].spec);
                                if (r < 0) {
                                        b.error = b.error ? b.error : r;
                                        break;
                                }
                                vmodes_textbuf_printf(&b, "mode = %s\n", line);
                        }
                }
                switch (h->relation) {
                case VMODES_REL_AUTO:
                        vmodes_textbuf_printf(&b, "position = auto\n");
                        break;
                case VMODES_REL_POS:
                        vmodes_textbuf_printf(&b, "position = %d,%d\n", h->x, h->y);
                        break;
                default:
                        vmodes_textbuf_printf(&b, "position = %s %s\n", vmodes_relation_to_string(h->relation), h->relative_to);
                        break;
                }
                vmodes_textbuf_printf(&b, "primary = %s\nenabled = %s\npinned = %s\n", yes_no(h->primary), yes_no(h->enabled),
                        yes_no(h->pinned));
        }
        return vmodes_textbuf_steal(&b, out);
}
