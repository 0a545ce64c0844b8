/* SPDX-License-Identifier: MIT */
/*
 * Heads and the names X gives them: the one head-name rule (udev/heads.h).
 * A head is a connector of a virtual GPU; its KMS name ("Virtual-2") comes
 * from DRM, the other schemes are derived from it: the qxl DDX without a
 * kernel driver calls it "qxl-1", older qxl DDX releases "Virtual-1"
 * (counting from 0). Pure: strings and the discovery's records only.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "udev/util.h"
#include "udev/vmodes-udev.h"

#define MAX_HEADS 64

/* ---- names alone ------------------------------------------------------------ */

/* Connector types the qxl DDX (KMS) and modesetting spell unlike the kernel
 * (drm_connector.c's names against their output_names tables). */
static const struct {
        const char *kernel, *x;
} kms_types[] = {
        { "Unknown", "None" },
        { "Component", "CTV" },
        { "HDMI-A", "HDMI" },
};

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
        return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

__attribute__((format(printf, 3, 4)))
static int refuse(char *why, size_t len, const char *fmt, ...)
{
        va_list ap;

        if (why && len) {
                va_start(ap, fmt);
                vsnprintf(why, len, fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

int vmodes_head_name_check(const char *name, char *why, size_t len)
{
        size_t n = name ? strlen(name) : 0;

        if (n == 0)
                return refuse(why, len, "empty head name");
        if (n >= VMODES_HEAD_NAME_MAX)
                return refuse(why, len, "head name of %zu bytes is too long (at most %d)", n,
                              VMODES_HEAD_NAME_MAX - 1);
        if (!is_alnum(name[0]) && strchr("-_.", name[0]))
                return refuse(why, len, "head name starts with '%c': the first character must be a letter or a digit",
                              name[0]);
        for (size_t i = 0; i < n; i++)
                if (!is_alnum(name[i]) && !strchr("-_.", name[i]))
                        return refuse(why, len,
                                      "head name has a character other than letters, digits, '-', '_' and '.' "
                                      "(byte %zu, 0x%02x)", i + 1, (unsigned char)name[i]);
        return 0;
}

bool vmodes_head_name_valid(const char *name)
{
        return vmodes_head_name_check(name, NULL, 0) == 0;
}

int vmodes_head_name_number(const char *name, const char *prefix, unsigned *n)
{
        size_t pl = strlen(prefix);
        unsigned long v = 0;
        const char *p;

        if (strncmp(name, prefix, pl) || !is_digit(name[pl]) || (name[pl] == '0' && name[pl + 1]))
                return -EINVAL;
        for (p = name + pl; is_digit(*p); p++)
                if (v <= VMODES_HEAD_NUMBER_MAX) /* stops growing once too large: no overflow */
                        v = v * 10 + (unsigned long)(*p - '0');
        if (*p)
                return -EINVAL;
        if (v > VMODES_HEAD_NUMBER_MAX)
                return -ERANGE;
        *n = (unsigned)v;
        return 0;
}

__attribute__((format(printf, 3, 4)))
static int put(char *buf, size_t len, const char *fmt, ...)
{
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vsnprintf(buf, len, fmt, ap);
        va_end(ap);
        return k < 0 || (size_t)k >= len ? -ENOBUFS : 0;
}

/* "TYPE-N" with the type spelt the other way (to_x: kernel -> X). */
static int kms_rename(const char *name, bool to_x, char *buf, size_t len)
{
        const char *dash = strrchr(name, '-');
        unsigned n;

        if (dash && vmodes_head_name_number(dash + 1, "", &n) == 0)
                for (size_t i = 0; i < ELEMENTSOF(kms_types); i++) {
                        const char *from = to_x ? kms_types[i].kernel : kms_types[i].x;
                        const char *to = to_x ? kms_types[i].x : kms_types[i].kernel;

                        if (strlen(from) == (size_t)(dash - name) && !strncmp(name, from, strlen(from)))
                                return put(buf, len, "%s-%u", to, n);
                }
        return put(buf, len, "%s", name);
}

/* The head number of a qxl head's name in the schemes other than KMS, where
 * only the prefix and the counting differ. */
static int qxl_number(const char *name, const char *prefix, unsigned min, unsigned *n)
{
        int r = vmodes_head_name_number(name, prefix, n);

        if (r == -EINVAL || (r == 0 && *n < min))
                return -EOPNOTSUPP;
        return r;
}

int vmodes_head_name_to_x(const char *connector, enum vmodes_head_scheme scheme, char *buf, size_t len)
{
        unsigned n;
        int r;

        if (!vmodes_head_name_valid(connector))
                return -EINVAL;
        switch (scheme) {
        case VMODES_HEADS_KMS:
                return kms_rename(connector, true, buf, len);
        case VMODES_HEADS_UMS:
        case VMODES_HEADS_LEGACY:
                r = qxl_number(connector, "Virtual-", 1, &n);
                if (r < 0)
                        return r == -ERANGE ? -EOPNOTSUPP : r;
                return put(buf, len, "%s-%u", scheme == VMODES_HEADS_UMS ? "qxl" : "Virtual", n - 1);
        }
        return -EINVAL;
}

int vmodes_head_name_from_x(const char *output, enum vmodes_head_scheme scheme, char *buf, size_t len)
{
        unsigned n;
        int r;

        if (!vmodes_head_name_valid(output))
                return -EINVAL;
        switch (scheme) {
        case VMODES_HEADS_KMS:
                return kms_rename(output, false, buf, len);
        case VMODES_HEADS_UMS:
        case VMODES_HEADS_LEGACY:
                r = qxl_number(output, scheme == VMODES_HEADS_UMS ? "qxl-" : "Virtual-", 0, &n);
                if (r < 0)
                        return r == -ERANGE ? -EOPNOTSUPP : r;
                return put(buf, len, "Virtual-%u", n + 1);
        }
        return -EINVAL;
}

/* ---- names of a device's heads --------------------------------------------------- */

unsigned vmodes_heads_count(const struct vmodes_device *dev)
{
        unsigned n = 0;

        for (size_t i = 0; i < dev->n_connectors; i++)
                if (dev->connectors[i].head)
                        n++;
        return n;
}

static const struct vmodes_connector *head_connector(const struct vmodes_device *dev, unsigned head)
{
        for (size_t i = 0; i < dev->n_connectors; i++)
                if (dev->connectors[i].head == head && head)
                        return &dev->connectors[i];
        return NULL;
}

static bool is_qxl(const struct vmodes_device *dev)
{
        return dev->type && dev->type->kind == VMODES_GPU_QXL;
}

int vmodes_heads_name(const struct vmodes_device *dev, unsigned head,
                      enum vmodes_head_scheme scheme, char *buf, size_t len)
{
        const struct vmodes_connector *c = head_connector(dev, head);

        if (!c)
                return -ENOENT;
        if (scheme != VMODES_HEADS_KMS && !is_qxl(dev))
                return -EOPNOTSUPP;
        return vmodes_head_name_to_x(c->name, scheme, buf, len);
}

enum vmodes_head_scheme vmodes_heads_detect_scheme(const char *const *x_outputs, size_t n)
{
        unsigned v;

        for (size_t i = 0; i < n; i++)
                if (x_outputs[i] && vmodes_head_name_number(x_outputs[i], "qxl-", &v) == 0)
                        return VMODES_HEADS_UMS;
        for (size_t i = 0; i < n; i++)
                if (x_outputs[i] && !strcmp(x_outputs[i], "Virtual-0"))
                        return VMODES_HEADS_LEGACY;
        return VMODES_HEADS_KMS;
}

static int check_head(const struct vmodes_device *dev, unsigned head, unsigned *out)
{
        if (head == 0 || head > MAX_HEADS)
                return -ENOENT;
        /* Without a kernel driver there are no connectors to check against:
         * the X server (qxl DDX in UMS mode) is the only witness. */
        if (dev->n_connectors > 0 && !head_connector(dev, head))
                return -ENOENT;
        *out = head;
        return 0;
}

/* "card0-Virtual-2": the DRM sysname of one of dev's heads. */
static int resolve_sysname(const struct vmodes_device *dev, const char *name, unsigned *head)
{
        for (size_t i = 0; i < dev->n_connectors; i++)
                if (!strcmp(dev->connectors[i].sysname, name) && dev->connectors[i].head) {
                        *head = dev->connectors[i].head;
                        return 0;
                }
        return -ENOENT;
}

/* Does connector c carry `name` in `scheme` (the KMS scheme: its kernel or
 * its X name)? */
static bool connector_named(const struct vmodes_connector *c, const char *name, enum vmodes_head_scheme scheme)
{
        char x[VMODES_HEAD_NAME_MAX];

        if (scheme != VMODES_HEADS_LEGACY && !strcmp(c->name, name))
                return true;
        return vmodes_head_name_to_x(c->name, scheme, x, sizeof(x)) == 0 && !strcmp(x, name);
}

int vmodes_heads_resolve(const struct vmodes_device *dev, const char *name,
                         enum vmodes_head_scheme scheme, unsigned *head)
{
        size_t cl = dev->card ? strlen(dev->card) : 0;
        unsigned v;
        int r;

        if (!vmodes_head_name_valid(name))
                return -EINVAL;
        r = vmodes_head_name_number(name, "", &v);
        if (r != -EINVAL) /* a head number, maybe too large for any head */
                return r == 0 ? check_head(dev, v, head) : -ENOENT;
        if (vmodes_head_name_number(name, "qxl-", &v) == 0)
                return is_qxl(dev) ? check_head(dev, v + 1, head) : -ENOENT;
        if (!is_qxl(dev) && scheme != VMODES_HEADS_KMS)
                scheme = VMODES_HEADS_KMS; /* the other schemes name qxl heads only */
        if (dev->n_connectors == 0 && scheme == VMODES_HEADS_LEGACY &&
            vmodes_head_name_number(name, "Virtual-", &v) == 0)
                return check_head(dev, v + 1, head);
        if (cl && !strncmp(name, dev->card, cl) && name[cl] == '-')
                return resolve_sysname(dev, name, head);
        for (size_t i = 0; i < dev->n_connectors; i++)
                if (dev->connectors[i].head && connector_named(&dev->connectors[i], name, scheme)) {
                        *head = dev->connectors[i].head;
                        return 0;
                }
        /* a well-formed name of another scheme's shape that matched nothing */
        if (strchr(name, '-') && is_digit(name[strlen(name) - 1]))
                return -ENOENT;
        return -EINVAL;
}
