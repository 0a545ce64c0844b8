/* SPDX-License-Identifier: MIT */
/*
 * The config store: /etc/vmodes/vmodes.conf parsed with inih into a struct
 * vmodes_config, validated completely, and written back atomically.
 * The format is documented in vmodes.conf(5) (agent/vmodes.conf.5).
 */
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent/atomic.h"
#include "agent/config.h"

#define LINE_MAX_BYTES 199 /* inih reads lines of at most 200 bytes incl. the newline */

static const char *const relation_names[] = {
        [VMODES_REL_AUTO] = "auto",         [VMODES_REL_RIGHT_OF] = "right-of", [VMODES_REL_LEFT_OF] = "left-of",
        [VMODES_REL_ABOVE] = "above",       [VMODES_REL_BELOW] = "below",       [VMODES_REL_SAME_AS] = "same-as",
        [VMODES_REL_POS] = "pos",
};

const char *vmodes_relation_to_string(enum vmodes_relation r)
{
        if ((unsigned)r >= sizeof(relation_names) / sizeof(relation_names[0]))
                return NULL;
        return relation_names[r];
}

int vmodes_relation_from_string(const char *s, enum vmodes_relation *out)
{
        for (unsigned i = 0; i < sizeof(relation_names) / sizeof(relation_names[0]); i++)
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

int vmodes_config_check_head_name(const char *name, struct vmodes_error *err)
{
        size_t n = strlen(name);

        if (n == 0)
                return vmodes_error_set(err, -EINVAL, "empty head name");
        if (n >= VMODES_HEAD_NAME_MAX)
                return vmodes_error_set(err, -EINVAL, "head name of %zu bytes is too long (at most %d)", n,
                            VMODES_HEAD_NAME_MAX - 1);
        for (size_t i = 0; i < n; i++) {
                char ch = name[i];
                bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                          (i > 0 && (ch == '-' || ch == '_' || ch == '.'));
                if (!ok)
                        return vmodes_error_set(err, -EINVAL,
                                    "head name has a character other than letters, digits, '-', '_' and '.' "
                                    "(byte %zu, 0x%02x)", i + 1, (unsigned char)ch);
        }
        return 0;
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
        if (c->auto_fit_reduced < 0 || c->auto_fit_reduced > 3)
                return vmodes_error_set(err, -EINVAL, "auto-fit blanking %d is out of range (0 standard, 1 to 3)",
                            c->auto_fit_reduced);
        for (unsigned i = 0; i < c->n_heads; i++) {
                const struct vmodes_head_config *h = &c->heads[i];

                if (memchr(h->head, 0, sizeof(h->head)) == NULL || vmodes_config_check_head_name(h->head, &e) < 0)
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
                        if (h->x < 0 || h->x > 32767 || h->y < 0 || h->y > 32767)
                                return vmodes_error_set(err, -EINVAL, "head %s: position %d,%d is out of range (0 to 32767)",
                                            h->head, h->x, h->y);
                } else if (h->relation != VMODES_REL_AUTO) {
                        if (memchr(h->relative_to, 0, sizeof(h->relative_to)) == NULL ||
                            vmodes_config_check_head_name(h->relative_to, &e) < 0)
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
        return 0;
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

static int parse_rate(const char *v, double *out)
{
        char *end;
        double d;

        if (!*v || !((*v >= '0' && *v <= '9')))
                return -EINVAL;
        errno = 0;
        d = strtod(v, &end);
        if (errno || *end || !isfinite(d))
                return -EINVAL;
        if (d != 0.0 && (d < VMODES_REFRESH_MIN || d > VMODES_REFRESH_MAX))
                return -ERANGE;
        *out = round(d * 1000.0) / 1000.0; /* Hz with 3 decimals, as written back */
        return 0;
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
        long n;

        if (!strcmp(name, "auto-fit")) {
                if (set_once(&p->seen_general[0], name, &p->err) < 0)
                        return -1;
                if (parse_bool(value, &c->auto_fit) < 0)
                        return vmodes_error_set(&p->err, -1, "auto-fit: '%s' is not a boolean (true or false)", value);
        } else if (!strcmp(name, "auto-fit-refresh")) {
                int r;
                if (set_once(&p->seen_general[1], name, &p->err) < 0)
                        return -1;
                r = parse_rate(value, &c->auto_fit_refresh);
                if (r < 0)
                        return vmodes_error_set(&p->err, -1, "auto-fit-refresh: '%s' is not a rate in Hz (0 or %g to %g)",
                                    value, VMODES_REFRESH_MIN, VMODES_REFRESH_MAX);
        } else if (!strcmp(name, "auto-fit-blanking")) {
                static const char *const names[] = { "standard", "rb1", "rb2", "rb3" };
                bool found = false;
                if (set_once(&p->seen_general[2], name, &p->err) < 0)
                        return -1;
                for (int i = 0; i < 4; i++)
                        if (!strcasecmp(value, names[i])) {
                                c->auto_fit_reduced = i;
                                found = true;
                        }
                if (!found && parse_int(value, 0, 3, &n) == 0) {
                        c->auto_fit_reduced = (int)n;
                        found = true;
                }
                if (!found)
                        return vmodes_error_set(&p->err, -1, "auto-fit-blanking: '%s' is not one of standard, rb1, rb2, rb3",
                                    value);
        } else if (!strcmp(name, "kernel-cmdline")) {
                if (set_once(&p->seen_general[3], name, &p->err) < 0)
                        return -1;
                if (parse_bool(value, &c->kernel_cmdline) < 0)
                        return vmodes_error_set(&p->err, -1, "kernel-cmdline: '%s' is not a boolean (true or false)", value);
        } else
                return vmodes_error_set(&p->err, -1,
                            "unknown key '%.40s' in [general] (known: auto-fit, auto-fit-refresh, "
                            "auto-fit-blanking, kernel-cmdline)", name);
        return 0;
}

static int parse_position(const char *value, struct vmodes_head_config *h, struct vmodes_error *err)
{
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
                        if (vmodes_config_check_head_name(other, &e) < 0)
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
                if (parse_int(xs, 0, 32767, &x) == 0 && parse_int(ys, 0, 32767, &y) == 0) {
                        h->relation = VMODES_REL_POS;
                        h->x = (int)x;
                        h->y = (int)y;
                        return 0;
                }
        }
        return vmodes_error_set(err, -EINVAL,
                    "position: '%.60s' is not auto, right-of|left-of|above|below|same-as HEAD, or X,Y "
                    "(0 to 32767)", value);
}

static int handle_head(struct parse_ctx *p, const char *head, const char *name, const char *value)
{
        struct vmodes_config *c = &p->c;
        struct vmodes_head_config *h;
        struct vmodes_error e;
        unsigned idx;

        if (vmodes_config_check_head_name(head, &e) < 0)
                return vmodes_error_set(&p->err, -1, "section [head %.40s]: %s", head, e.msg);
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
                        return vmodes_error_set(&p->err, -1, "%s: '%.40s' is not a boolean (true or false)", name, value);
        } else
                return vmodes_error_set(&p->err, -1,
                            "unknown key '%.40s' in [head %s] (known: mode, modeline, position, primary, "
                            "enabled, pinned)", name, head);
        return 0;
}

static int handle_line(void *user, const char *section, const char *name, const char *value)
{
        struct parse_ctx *p = user;
        int r;

        if (p->failed)
                return 1; /* report the first error only; inih keeps that line number */
        if (!strcmp(section, "general"))
                r = handle_general(p, name, value);
        else if (!strncmp(section, "head ", 5))
                r = handle_head(p, section + 5, name, value);
        else if (!*section)
                r = vmodes_error_set(&p->err, -1, "'%.40s' is outside of a section ([general] or [head NAME])", name);
        else
                r = vmodes_error_set(&p->err, -1, "unknown section [%.40s] (expected [general] or [head NAME])", section);
        if (r < 0) {
                p->failed = true;
                return 0;
        }
        return 1;
}

/* What inih cannot report precisely: long lines, NUL bytes, indented keys
 * (inih would take them as continuation values), bad section headers. */
static int prescan(const char *text, size_t len, const char *filename, struct vmodes_error *err)
{
        unsigned line = 1;
        const char *p = text, *end = text + len;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *e = nl ? nl : end;
                size_t n = (size_t)(e - p);
                const char *q = p;

                if (memchr(p, '\0', n))
                        return vmodes_error_set(err, -EINVAL, "%s:%u: NUL byte in the file", filename, line);
                if (n > LINE_MAX_BYTES)
                        return vmodes_error_set(err, -EINVAL, "%s:%u: line of %zu bytes is too long (at most %d)", filename,
                                    line, n, LINE_MAX_BYTES);
                while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
                        q++;
                if (q > p && q < e && *q != '#' && *q != ';')
                        return vmodes_error_set(err, -EINVAL, "%s:%u: indented line (keys and sections start in column 1)",
                                    filename, line);
                if (q < e && *q == '[') {
                        const char *close = memchr(q, ']', (size_t)(e - q));
                        if (!close)
                                return vmodes_error_set(err, -EINVAL, "%s:%u: section header without ']'", filename, line);
                }
                line++;
                p = nl ? nl + 1 : end;
        }
        return 0;
}

int vmodes_config_parse(const char *text, const char *filename, struct vmodes_config *out,
                        struct vmodes_error *err)
{
        struct parse_ctx *p;
        struct vmodes_error e;
        size_t len = strlen(text);
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
        if (!p)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        vmodes_config_init(&p->c);
        r = ini_parse_string(text, handle_line, p);
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
        free(p);
        return r;
}

int vmodes_config_load(const char *path, struct vmodes_config *out, struct vmodes_error *err)
{
        char *text = NULL;
        int r;

        r = vmodes_atomic_read(path, VMODES_CONFIG_FILE_MAX, &text, NULL);
        if (r == -EFBIG)
                return vmodes_error_set(err, r, "%s: larger than %d bytes", path, VMODES_CONFIG_FILE_MAX);
        if (r < 0)
                return vmodes_error_set(err, r, "%s: %s", path, strerror(-r));
        r = vmodes_config_parse(text, path, out, err);
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
        static const char *const blanking[] = { "standard", "rb1", "rb2", "rb3" };
        char *text = NULL, rate[32];
        size_t len = 0;
        int error = 0;
        FILE *b = open_memstream(&text, &len);

        if (!b)
                return -errno;

        fprintf(b, "# vmodes configuration: the display modes and layout of this machine's\n"
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
        fprintf(b, "auto-fit = %s\nauto-fit-refresh = %s\nauto-fit-blanking = %s\nkernel-cmdline = %s\n",
                yes_no(c->auto_fit), rate,
                blanking[c->auto_fit_reduced >= 0 && c->auto_fit_reduced <= 3 ? c->auto_fit_reduced : 0],
                yes_no(c->kernel_cmdline));
        for (unsigned i = 0; i < c->n_heads && i < VMODES_CONFIG_HEADS_MAX; i++) {
                const struct vmodes_head_config *h = &c->heads[i];

                fprintf(b, "\n[head %s]\n", h->head);
                for (unsigned k = 0; k < h->n_modes && k < VMODES_CONFIG_MODES_MAX; k++) {
                        char line[256];
                        int r;

                        if (h->modes[k].custom) {
                                r = vmodes_format_xorg(line, sizeof(line), &h->modes[k].mode);
                                if (r < 0) {
                                        error = r;
                                        break;
                                }
                                fprintf(b, "modeline = %s\n", line + strlen("Modeline "));
                        } else {
                                r = vmodes_spec_format(line, sizeof(line), &h->modes[k].spec);
                                if (r < 0) {
                                        error = r;
                                        break;
                                }
                                fprintf(b, "mode = %s\n", line);
                        }
                }
                switch (h->relation) {
                case VMODES_REL_AUTO:
                        fprintf(b, "position = auto\n");
                        break;
                case VMODES_REL_POS:
                        fprintf(b, "position = %d,%d\n", h->x, h->y);
                        break;
                default:
                        fprintf(b, "position = %s %s\n", vmodes_relation_to_string(h->relation), h->relative_to);
                        break;
                }
                fprintf(b, "primary = %s\nenabled = %s\npinned = %s\n", yes_no(h->primary), yes_no(h->enabled),
                        yes_no(h->pinned));
        }
        if (fclose(b) != 0 && !error)
                error = -ENOMEM;
        if (error) {
                free(text);
                return error;
        }
        *out = text;
        return 0;
}

int vmodes_config_save(const char *path, const struct vmodes_config *c)
{
        char *text = NULL;
        int r;

        r = vmodes_config_format(c, &text);
        if (r < 0)
                return r;
        r = vmodes_atomic_write(path, text, strlen(text), 0644, true);
        free(text);
        return r;
}
