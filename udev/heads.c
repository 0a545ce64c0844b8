/* SPDX-License-Identifier: MIT */
/*
 * Heads and the names X gives them. A head is a connector of a virtual GPU;
 * its KMS name ("Virtual-2") comes from DRM, the other schemes are derived
 * from it: the qxl DDX without a kernel driver calls it "qxl-1", older qxl
 * DDX releases "Virtual-1" (counting from 0).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udev/vmodes-udev.h"

#define MAX_HEADS 64

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
        int n;

        if (!c)
                return -ENOENT;
        switch (scheme) {
        case VMODES_HEADS_KMS:
                n = snprintf(buf, len, "%s", c->name);
                break;
        case VMODES_HEADS_UMS:
                if (!is_qxl(dev))
                        return -EOPNOTSUPP;
                n = snprintf(buf, len, "qxl-%u", head - 1);
                break;
        case VMODES_HEADS_LEGACY:
                if (!is_qxl(dev))
                        return -EOPNOTSUPP;
                n = snprintf(buf, len, "%s-%u", c->type, c->type_index - 1);
                break;
        default:
                return -EINVAL;
        }
        if (n < 0 || (size_t)n >= len)
                return -ENOBUFS;
        return 0;
}

/* "<prefix><digits>" -> number; false if name is not of that form. */
static bool parse_suffix(const char *name, const char *prefix, unsigned *out)
{
        size_t pl = strlen(prefix);
        unsigned long v;
        char *end;

        if (strncmp(name, prefix, pl) != 0 || !isdigit((unsigned char)name[pl]))
                return false;
        if (name[pl] == '0' && name[pl + 1])
                return false; /* no leading zeros: "Virtual-01" is no name X uses */
        errno = 0;
        v = strtoul(name + pl, &end, 10);
        if (errno || *end || v > 1000)
                return false;
        *out = (unsigned)v;
        return true;
}

enum vmodes_head_scheme vmodes_heads_detect_scheme(const char *const *x_outputs, size_t n)
{
        unsigned v;

        for (size_t i = 0; i < n; i++)
                if (x_outputs[i] && parse_suffix(x_outputs[i], "qxl-", &v))
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

int vmodes_heads_resolve(const struct vmodes_device *dev, const char *name,
                         enum vmodes_head_scheme scheme, unsigned *head)
{
        unsigned v;

        if (!name || !*name)
                return -EINVAL;
        if (parse_suffix(name, "", &v))
                return check_head(dev, v, head);
        if (parse_suffix(name, "qxl-", &v))
                return is_qxl(dev) ? check_head(dev, v + 1, head) : -ENOENT;
        if (dev->n_connectors == 0 && scheme == VMODES_HEADS_LEGACY && is_qxl(dev) &&
            parse_suffix(name, "Virtual-", &v))
                return check_head(dev, v + 1, head);

        /* "card0-Virtual-2": the DRM sysname */
        if (dev->card && !strncmp(name, dev->card, strlen(dev->card)) && name[strlen(dev->card)] == '-') {
                for (size_t i = 0; i < dev->n_connectors; i++)
                        if (!strcmp(dev->connectors[i].sysname, name) && dev->connectors[i].head) {
                                *head = dev->connectors[i].head;
                                return 0;
                        }
                return -ENOENT;
        }

        for (size_t i = 0; i < dev->n_connectors; i++) {
                const struct vmodes_connector *c = &dev->connectors[i];
                char legacy[64];

                if (!c->head)
                        continue;
                if (scheme == VMODES_HEADS_LEGACY && is_qxl(dev)) {
                        snprintf(legacy, sizeof(legacy), "%s-%u", c->type, c->type_index - 1);
                        if (!strcmp(legacy, name)) {
                                *head = c->head;
                                return 0;
                        }
                } else if (!strcmp(c->name, name)) {
                        *head = c->head;
                        return 0;
                }
        }
        /* a well-formed name of another scheme's shape that matched nothing */
        if (strchr(name, '-') && isdigit((unsigned char)name[strlen(name) - 1]))
                return -ENOENT;
        return -EINVAL;
}
