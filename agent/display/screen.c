/* SPDX-License-Identifier: MIT */
/*
 * struct vmodes_screen: an open display, its last queried state, the
 * virtual GPU behind it and head names in every scheme (display.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/common/head.h"
#include "agent/display/display.h"

int vmodes_screen_open(struct vmodes_screen *s, const char *name, const struct vmodes_device *dev,
                       struct vmodes_error *err)
{
        int r;

        memset(s, 0, sizeof(*s));
        s->state = calloc(1, sizeof(*s->state));
        if (!s->state)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        r = vmodes_display_open(name, &s->display, err);
        if (r < 0) {
                free(s->state);
                s->state = NULL;
                return r;
        }
        s->dev = dev;
        return 0;
}

void vmodes_screen_close(struct vmodes_screen *s)
{
        vmodes_display_free(s->display);
        free(s->state);
        memset(s, 0, sizeof(*s));
}

/* The device memory limit of the virtual GPU (if the guest has one). */
static void memory_limit(struct vmodes_screen *s)
{
        struct vmodes_fb_limit l;

        if (!s->dev || vmodes_memory_fb_limit(s->dev, &l) < 0 || !l.known || !l.bytes)
                return;
        /* an upper bound refuses only what cannot fit anyway */
        s->state->memory_limit = l.bytes;
        /* the kernel qxl driver keeps a framebuffer copy per head under the
         * modesetting DDX (the qxl DDX does not) */
        s->state->memory_per_head = s->dev->type->kind == VMODES_GPU_QXL && !strcmp(s->provider, "modesetting");
        if (s->dev->type->vm_setting)
                snprintf(s->state->memory_fix, sizeof(s->state->memory_fix),
                         "raise %s in the VM definition or use smaller modes", s->dev->type->vm_setting);
}

int vmodes_screen_query(struct vmodes_screen *s, struct vmodes_error *err)
{
        struct vmodes_display_caps caps;
        int r;

        if (!s->state) {
                s->state = calloc(1, sizeof(*s->state));
                if (!s->state)
                        return vmodes_error_set(err, -ENOMEM, "out of memory");
        }
        r = vmodes_display_query(s->display, s->state, err);
        if (r < 0)
                return r;
        vmodes_display_get_caps(s->display, &caps);
        snprintf(s->provider, sizeof(s->provider), "%s", caps.provider);
        memory_limit(s);
        return 0;
}

/* ---- head names ----------------------------------------------------------------- */

static enum vmodes_head_scheme x_scheme(const struct vmodes_screen *s)
{
        const char *names[VMODES_LAYOUT_OUTPUTS_MAX];

        for (unsigned i = 0; i < s->state->n_outputs; i++)
                names[i] = s->state->outputs[i].name;
        return vmodes_heads_detect_scheme(names, s->state->n_outputs);
}

static int unknown_head(const struct vmodes_screen *s, const char *name, struct vmodes_error *err)
{
        const char *server = !strcmp(s->provider, "sway")     ? "sway"
                             : !strcmp(s->provider, "mutter") ? "GNOME's mutter"
                                                              : "this X server";
        char names[200];

        vmodes_layout_output_names(s->state, names, sizeof(names));
        return vmodes_error_set(err, -ENOENT, "unknown head %s: %s has %s (or give a head number, 1 to %u)", name,
                                server, names, s->state->n_outputs);
}

const struct vmodes_layout_output *vmodes_screen_resolve(const struct vmodes_screen *s, const char *name,
                                                         struct vmodes_error *err)
{
        const struct vmodes_layout_output *o;
        enum vmodes_head_scheme scheme;
        char buf[64], q[80];
        unsigned head;

        if (!vmodes_head_name_valid(name)) {
                vmodes_error_set(err, -EINVAL,
                                 "'%s' is not a head name: use an output name as 'vmodes list' shows it or a head "
                                 "number (letters, digits and - _ . only)",
                                 vmodes_excerpt(q, sizeof(q), name, strlen(name)));
                return NULL;
        }
        o = vmodes_layout_output_by_name(s->state, name);
        if (o)
                return o;
        /* through the device's connectors */
        scheme = x_scheme(s);
        if (s->dev && vmodes_heads_resolve(s->dev, name, scheme, &head) == 0 &&
            vmodes_heads_name(s->dev, head, scheme, buf, sizeof(buf)) == 0 &&
            (o = vmodes_layout_output_by_name(s->state, buf)))
                return o;
        /* through the naming schemes alone */
        if ((o = vmodes_layout_find_head(s->state, name)))
                return o;
        unknown_head(s, name, err);
        return NULL;
}

int vmodes_screen_device_head(const struct vmodes_screen *s, const struct vmodes_layout_output *o, unsigned *head)
{
        if (!s->dev || vmodes_heads_resolve(s->dev, o->name, x_scheme(s), head) < 0)
                return -ENOENT;
        return 0;
}

unsigned vmodes_screen_head_number(const struct vmodes_screen *s, const struct vmodes_layout_output *o)
{
        unsigned head;

        if (vmodes_screen_device_head(s, o, &head) == 0)
                return head;
        return (unsigned)(o - s->state->outputs) + 1;
}
