/* SPDX-License-Identifier: MIT */
/* GNOME's monitors.xml for GDM's login screen (see monitorsxml.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/common/textbuf.h"
#include "agent/core/layout.h"
#include "agent/core/monitorsxml.h"

#define CRTC_BASE 0x100

/* An EDID display descriptor's text (13 bytes, ended by a line feed), as
 * mutter reads it: NUL bytes become spaces. */
static void descriptor_text(const uint8_t *d, char *out, size_t size)
{
        size_t n = 0;

        for (unsigned i = 0; i < 13 && d[i] != 0x0a && n + 1 < size; i++)
                out[n++] = d[i] ? (char)d[i] : ' ';
        out[n] = '\0';
}

/* Printable ASCII only: mutter drops what is not valid UTF-8, and the text
 * goes into XML. */
static bool plain(const char *s)
{
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
                        return false;
        return true;
}

void vmodes_monitorsxml_spec_from_edid(const uint8_t *edid, size_t len, struct vmodes_kms_connector *c)
{
        static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
        char name[16] = "", serial[16] = "";

        snprintf(c->vendor, sizeof(c->vendor), "unknown");
        snprintf(c->product, sizeof(c->product), "unknown");
        snprintf(c->serial, sizeof(c->serial), "unknown");
        if (!edid || len < 128 || memcmp(edid, header, sizeof(header)))
                return;
        snprintf(c->vendor, sizeof(c->vendor), "%c%c%c", '@' + ((edid[8] >> 2) & 0x1f),
                 '@' + (((edid[8] & 0x3) << 3) | (edid[9] >> 5)), '@' + (edid[9] & 0x1f));
        for (unsigned i = 0; i < 4; i++) {
                const uint8_t *d = edid + 54 + 18 * i;
                if (d[0] || d[1] || d[2])
                        continue; /* a detailed timing */
                if (d[3] == 0xfc)
                        descriptor_text(d + 5, name, sizeof(name));
                else if (d[3] == 0xff)
                        descriptor_text(d + 5, serial, sizeof(serial));
        }
        if (*name && plain(name))
                snprintf(c->product, sizeof(c->product), "%s", name);
        else
                snprintf(c->product, sizeof(c->product), "0x%04x", (unsigned)(edid[10] | edid[11] << 8));
        if (*serial && plain(serial))
                snprintf(c->serial, sizeof(c->serial), "%s", serial);
        else
                snprintf(c->serial, sizeof(c->serial), "0x%08x",
                         (unsigned)edid[12] | (unsigned)edid[13] << 8 | (unsigned)edid[14] << 16 |
                                 (unsigned)edid[15] << 24);
}

bool vmodes_monitorsxml_is_ours(const char *text)
{
        return text && strstr(text, VMODES_MONITORSXML_MARKER);
}

/* The screen as mutter makes it for a set of monitors it has no
 * configuration for: every connected monitor on at its preferred mode, left
 * to right, the first one primary. Connector i of conn is output i (and
 * CRTC i) when connected; ids of the state's outputs are 1-based. */
static void default_state(const struct vmodes_kms_connector *conn, unsigned n, struct vmodes_layout_state *st,
                          unsigned *index)
{
        int x = 0;

        memset(st, 0, sizeof(*st));
        st->loose_tolerance_mhz = VMODES_LAYOUT_KERNEL_RATE_TOLERANCE_MHZ;
        st->layout_at_origin = true;
        for (unsigned i = 0; i < n && st->n_outputs < VMODES_LAYOUT_OUTPUTS_MAX; i++) {
                const struct vmodes_kms_connector *k = &conn[i];
                struct vmodes_layout_output *o = &st->outputs[st->n_outputs];
                struct vmodes_layout_crtc *c = &st->crtcs[st->n_outputs];
                uint32_t preferred = 0;

                if (!k->connected)
                        continue;
                index[st->n_outputs] = i;
                o->id = st->n_outputs + 1;
                snprintf(o->name, sizeof(o->name), "%s", k->name);
                o->connection = VMODES_LAYOUT_CONNECTED;
                o->n_crtcs = 1;
                o->crtcs[0] = CRTC_BASE + o->id;
                for (unsigned m = 0; m < k->n_modes && o->n_modes < VMODES_LAYOUT_OUTPUT_MODES_MAX; m++) {
                        const struct vmodes_kms_mode *km = &k->modes[m];
                        uint32_t sid = km->interlace ? 0
                                                     : vmodes_layout_add_loose_mode(st, km->width, km->height,
                                                                                    llround(km->refresh * 1000.0));
                        if (!sid)
                                continue;
                        o->modes[o->n_modes++] = sid;
                        if (km->preferred && !preferred)
                                preferred = sid;
                }
                if (!preferred && o->n_modes)
                        preferred = o->modes[0];
                c->id = o->crtcs[0];
                c->rotation = VMODES_LAYOUT_ROTATE_0;
                if (preferred) {
                        const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(st, preferred);
                        c->mode = preferred;
                        c->x = x;
                        c->width = sm->mode.hdisplay;
                        c->height = sm->mode.vdisplay;
                        c->n_outputs = 1;
                        c->outputs[0] = o->id;
                        o->crtc = c->id;
                        x += (int)c->width;
                        if (!st->primary)
                                st->primary = o->id;
                }
                st->n_outputs++;
                st->n_crtcs++;
        }
        vmodes_layout_state_screenless(st);
}

/* The kernel's rate of the mode sid on connector k (the exact value, which
 * mutter compares within 0.001 Hz). */
static double kernel_rate(const struct vmodes_layout_state *st, const struct vmodes_kms_connector *k, uint32_t sid)
{
        const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(st, sid);

        for (unsigned m = 0; sm && m < k->n_modes; m++)
                if (k->modes[m].width == sm->mode.hdisplay && k->modes[m].height == sm->mode.vdisplay &&
                    !k->modes[m].interlace &&
                    llround(k->modes[m].refresh * 1000.0) == vmodes_layout_refresh_mhz(&sm->mode))
                        return k->modes[m].refresh;
        return 0;
}

static void xml_text(struct vmodes_textbuf *b, const char *s)
{
        for (; *s; s++)
                switch (*s) {
                case '&': vmodes_textbuf_printf(b, "&amp;"); break;
                case '<': vmodes_textbuf_printf(b, "&lt;"); break;
                case '>': vmodes_textbuf_printf(b, "&gt;"); break;
                default: vmodes_textbuf_printf(b, "%c", *s);
                }
}

static void monitorspec(struct vmodes_textbuf *b, const struct vmodes_kms_connector *k, const char *indent)
{
        vmodes_textbuf_printf(b, "%s<monitorspec>\n%s  <connector>", indent, indent);
        xml_text(b, k->name);
        vmodes_textbuf_printf(b, "</connector>\n%s  <vendor>", indent);
        xml_text(b, k->vendor);
        vmodes_textbuf_printf(b, "</vendor>\n%s  <product>", indent);
        xml_text(b, k->product);
        vmodes_textbuf_printf(b, "</product>\n%s  <serial>", indent);
        xml_text(b, k->serial);
        vmodes_textbuf_printf(b, "</serial>\n%s</monitorspec>\n", indent);
}

/* -ENOTSUP: head o's mode (made by the plan) is not in the kernel's list. */
static int not_listed(const struct vmodes_layout_state *st, const struct vmodes_layout_output *o,
                      const struct vmodes_mode *want, struct vmodes_error *err)
{
        char list[400];

        vmodes_layout_mode_list(st, o->modes, o->n_modes, list, sizeof(list));
        return vmodes_error_set(err, -ENOTSUP,
                                "%s: the kernel lists no %ux%u mode at %.2f Hz, and GDM's login screen uses only the "
                                "kernel's modes (it has %s; kernel-cmdline and a reboot add it)",
                                o->name, want->hdisplay, want->vdisplay, vmodes_mode_refresh(want), list);
}

int vmodes_monitorsxml_format(const struct vmodes_config *c, const struct vmodes_kms_connector *conn, unsigned n,
                              char **text, struct vmodes_error *err)
{
        struct vmodes_layout_state *st = malloc(sizeof(*st));
        struct vmodes_layout_plan *plan = malloc(sizeof(*plan));
        struct vmodes_config *heads = malloc(sizeof(*heads));
        struct vmodes_layout_target t[VMODES_LAYOUT_CRTCS_MAX];
        struct vmodes_textbuf b = { 0 };
        unsigned index[VMODES_LAYOUT_OUTPUTS_MAX];
        uint32_t primary;
        int r = 0;

        *text = NULL;
        if (!st || !plan || !heads) {
                r = vmodes_error_set(err, -ENOMEM, "out of memory");
                goto out;
        }
        default_state(conn, n, st, index);
        vmodes_layout_map_config(c, st, NULL, NULL, heads, NULL, NULL); /* the connected ones */
        if (!heads->n_heads)
                goto out; /* nothing of the greeter's screen is configured */
        r = vmodes_layout_plan(heads, st, NULL, 0, plan, err);
        if (r < 0)
                goto out;
        for (unsigned k = 0; k < plan->n_ops; k++) {
                const struct vmodes_layout_op *op = &plan->ops[k];
                const struct vmodes_layout_output *o = NULL;

                if (op->type == VMODES_OP_ADD_MODE)
                        o = vmodes_layout_output_by_id(st, op->output);
                else if (op->type == VMODES_OP_SET_CRTC && op->ref.created >= 0)
                        o = vmodes_layout_output_by_id(st, op->crtc - CRTC_BASE);
                if (o) {
                        r = not_listed(st, o, op->ref.created >= 0 ? &plan->ops[op->ref.created].mode : &op->mode, err);
                        goto out;
                }
        }
        vmodes_layout_plan_targets(st, plan, t, &primary);
        /* mutter wants one primary monitor: the first lit one when the
         * primary head is off */
        for (unsigned i = 0; i < st->n_outputs; i++)
                if (st->outputs[i].id == primary && !t[i].lit)
                        primary = 0;
        for (unsigned i = 0; !primary && i < st->n_outputs; i++)
                if (t[i].lit)
                        primary = st->outputs[i].id;
        vmodes_textbuf_printf(&b, "<monitors version=\"2\">\n"
                                  "  " VMODES_MONITORSXML_MARKER " from its configuration for GDM's login screen: it\n"
                                  "       replaces this file when the configuration changes (vmodes.conf(5)) -->\n"
                                  "  <configuration>\n");
        for (unsigned i = 0; i < st->n_outputs; i++) {
                const struct vmodes_kms_connector *k = &conn[index[i]];
                const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(st, t[i].mode);
                bool is_primary = st->outputs[i].id == primary;

                if (!t[i].lit || !sm)
                        continue;
                vmodes_textbuf_printf(&b,
                                      "    <logicalmonitor>\n      <x>%d</x>\n      <y>%d</y>\n      <scale>1</scale>\n"
                                      "%s      <monitor>\n",
                                      t[i].x, t[i].y, is_primary ? "      <primary>yes</primary>\n" : "");
                monitorspec(&b, k, "        ");
                vmodes_textbuf_printf(&b,
                                      "        <mode>\n          <width>%u</width>\n          <height>%u</height>\n"
                                      "          <rate>%.6f</rate>\n        </mode>\n      </monitor>\n"
                                      "    </logicalmonitor>\n",
                                      sm->mode.hdisplay, sm->mode.vdisplay, kernel_rate(st, k, sm->id));
        }
        for (unsigned i = 0; i < st->n_outputs; i++)
                if (!t[i].lit) {
                        vmodes_textbuf_printf(&b, "    <disabled>\n");
                        monitorspec(&b, &conn[index[i]], "      ");
                        vmodes_textbuf_printf(&b, "    </disabled>\n");
                }
        vmodes_textbuf_printf(&b, "  </configuration>\n</monitors>\n");
        r = vmodes_textbuf_steal(&b, text);
        if (r < 0)
                vmodes_error_set(err, r, "out of memory");
out:
        free(st);
        free(plan);
        free(heads);
        return r;
}
