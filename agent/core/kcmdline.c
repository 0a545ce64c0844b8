/* SPDX-License-Identifier: MIT */
/* The kernel command-line drop-in (see kcmdline.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/core/kcmdline.h"

/* The kernel computes CVT (M) and CVT reduced blanking v1 (MR) itself, with
 * a whole-number rate; other methods get the CVT mode of the same size. */
static int head_arg(const struct vmodes_head_config *h, char *buf, size_t len)
{
        const struct vmodes_mode *m;
        bool rb = false, interlaced;
        unsigned w, hh;
        long rate;
        int n;

        if (!h->enabled)
                n = snprintf(buf, len, "video=%s:d", h->head);
        else {
                if (h->n_modes == 0)
                        return -EINVAL;
                m = &h->modes[0].mode;
                w = m->hdisplay;
                hh = m->vdisplay;
                interlaced = m->flags & VMODES_FLAG_INTERLACE;
                if (!h->modes[0].custom) {
                        rb = h->modes[0].spec.method == VMODES_METHOD_CVT_RB1;
                        rate = lround(h->modes[0].spec.refresh == 0.0 ? 60.0 : h->modes[0].spec.refresh);
                } else
                        rate = lround(vmodes_mode_refresh(m));
                n = snprintf(buf, len, "video=%s:%ux%uM%s@%ld%s", h->head, w, hh, rb ? "R" : "", rate,
                             interlaced ? "i" : "");
        }
        return n < 0 || (size_t)n >= len ? -ENOBUFS : 0;
}

int vmodes_kcmdline_args(const struct vmodes_config *c, char **out)
{
        size_t cap = (size_t)c->n_heads * 96 + 1, pos = 0;
        char *s = calloc(1, cap);

        if (!s)
                return -ENOMEM;
        for (unsigned i = 0; i < c->n_heads && i < VMODES_CONFIG_HEADS_MAX; i++) {
                char arg[96];
                int r = head_arg(&c->heads[i], arg, sizeof(arg));
                if (r < 0)
                        continue;
                pos += (size_t)snprintf(s + pos, cap - pos, "%s%s", pos ? " " : "", arg);
        }
        *out = s;
        return 0;
}

int vmodes_kcmdline_format(const struct vmodes_config *c, char **out)
{
        char *args = NULL;
        int r;

        r = vmodes_kcmdline_args(c, &args);
        if (r < 0)
                return r;
        r = asprintf(out,
                     "%s (kernel-cmdline = true in vmodes.conf) -- do not edit.\n"
                     "# The kernel itself offers these modes (console, Wayland, X). Takes effect\n"
                     "# after 'update-grub' and a reboot.\n"
                     "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX %s\"\n",
                     VMODES_KCMDLINE_MARKER, args);
        free(args);
        return r < 0 ? -ENOMEM : 0;
}

bool vmodes_kcmdline_is_ours(const char *text)
{
        return !strncmp(text, VMODES_KCMDLINE_MARKER, strlen(VMODES_KCMDLINE_MARKER));
}
