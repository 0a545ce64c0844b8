/* SPDX-License-Identifier: MIT */
/* The kernel command-line drop-in (see kcmdline.h). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/common/textbuf.h"
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

/* Linux's drm_cvt_mode() takes whole character cells of 8 pixels. */
#define KERNEL_CVT_CELL 8

unsigned vmodes_kcmdline_video_width(const struct vmodes_head_config *h)
{
        if (!h->enabled || !h->n_modes)
                return 0;
        return h->modes[0].mode.hdisplay - h->modes[0].mode.hdisplay % KERNEL_CVT_CELL;
}

int vmodes_kcmdline_edid_name(const char *head, char *buf, size_t size)
{
        int n = snprintf(buf, size, "vmodes-edid-%s.bin", head);

        return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int vmodes_kcmdline_edid(const struct vmodes_head_config *h, uint8_t *out, size_t size, size_t *len,
                         char *skipped, size_t skipped_size, struct vmodes_error *err)
{
        const struct vmodes_dmt *first = vmodes_dmt_find(1024, 768, 60.0, false);
        struct vmodes_mode modes[VMODES_EDID_MODES_MAX];
        struct vmodes_error e;
        size_t n = 0;

        if (skipped && skipped_size)
                skipped[0] = '\0';
        *len = 0;
        if (!h->enabled || !h->n_modes || !first)
                return vmodes_error_set(err, -ENOENT, "%s: no mode to describe", h->head);
        /* The first detailed timing is the preferred mode, and virtio-gpu
         * drops a preferred mode unless it is 1024x768 or the host's size:
         * DMT 1024x768@60 comes first, the head's modes after it. */
        modes[n++] = first->mode;
        /* a mode the EDID cannot carry is left out */
        for (unsigned i = 0; i < h->n_modes && n < VMODES_EDID_MODES_MAX; i++) {
                if (vmodes_edid_check_mode(&h->modes[i].mode, &e) < 0) {
                        if (i == 0)
                                return vmodes_error_set(err, -ENOENT, "%s", e.msg);
                        if (skipped)
                                vmodes_text_append(skipped, skipped_size, "; ", e.msg);
                        continue;
                }
                modes[n++] = h->modes[i].mode;
        }
        return vmodes_edid_build(modes, n, NULL, out, size, len, err);
}

bool vmodes_kcmdline_edid_route(const char *head, bool connector_edid, const char *dir)
{
        char name[VMODES_HEAD_NAME_MAX + 32], path[PATH_MAX];

        if (connector_edid)
                return true;
        return vmodes_kcmdline_edid_name(head, name, sizeof(name)) == 0 &&
               (size_t)snprintf(path, sizeof(path), "%s/%s", dir ? dir : VMODES_EDID_FIRMWARE_DIR, name) <
                       sizeof(path) &&
               access(path, F_OK) == 0;
}

static int edid_args(const struct vmodes_config *c, const struct vmodes_kcmdline_edid *edid, char *buf,
                     size_t cap)
{
        size_t pos = 0;

        for (unsigned i = 0; edid && i < c->n_heads && i < VMODES_CONFIG_HEADS_MAX; i++) {
                char name[VMODES_HEAD_NAME_MAX + 32];

                if (!edid->head[i] || vmodes_kcmdline_edid_name(c->heads[i].head, name, sizeof(name)) < 0)
                        continue;
                if (!pos)
                        pos += (size_t)snprintf(buf, cap, "firmware_class.path=%s drm.edid_firmware=",
                                                edid->dir ? edid->dir : VMODES_EDID_FIRMWARE_DIR);
                if (pos < cap)
                        pos += (size_t)snprintf(buf + pos, cap - pos, "%s%s:%s", buf[pos - 1] == '=' ? "" : ",",
                                                c->heads[i].head, name);
                if (pos >= cap)
                        return -ENOBUFS;
        }
        return 0;
}

int vmodes_kcmdline_args(const struct vmodes_config *c, const struct vmodes_kcmdline_edid *edid, char **out)
{
        size_t cap = (size_t)c->n_heads * 192 + (edid && edid->dir ? strlen(edid->dir) : 0) +
                     sizeof(VMODES_EDID_FIRMWARE_DIR) + 64, pos = 0;
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
        if (edid_args(c, edid, s + pos + (pos > 0), cap - pos - 1) < 0) {
                free(s);
                return -ENOBUFS;
        }
        if (pos && s[pos + 1])
                s[pos] = ' '; /* between the video= and the EDID arguments */
        *out = s;
        return 0;
}

int vmodes_kcmdline_format(const struct vmodes_config *c, const struct vmodes_kcmdline_edid *edid, char **out)
{
        char *args = NULL;
        int r;

        r = vmodes_kcmdline_args(c, edid, &args);
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
