/* SPDX-License-Identifier: MIT */
/* The XRandR backend: query the RandR state, execute layout plans. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xproto.h>
#include <X11/extensions/Xrandr.h>

#include "agent/randr.h"

struct vmodes_randr {
        Display *dpy;
        Window root;
        int event_base, error_base, major_opcode;
        int minor_version;
        unsigned lock_depth;
        bool probe;
        XRRScreenResources *res;
        struct vmodes_randr_stats stats;
};

/* ---- X errors ---------------------------------------------------------------- */

/* Xlib's error handler is process-wide: the trap is too. */
static struct {
        bool armed;
        bool caught;
        unsigned long serial;
        unsigned char error_code, request_code, minor_code;
        unsigned long resourceid;
} trap;

static char display_name_for_io[256];
static int io_exit_status = 1;
static const char *io_who = "vmodes";

void vmodes_randr_set_io_error_exit(const char *who, int status)
{
        io_who = who;
        io_exit_status = status;
}

static int error_handler(Display *dpy, XErrorEvent *ev)
{
        if (trap.armed && !trap.caught) {
                trap.caught = true;
                trap.serial = ev->serial;
                trap.error_code = ev->error_code;
                trap.request_code = ev->request_code;
                trap.minor_code = ev->minor_code;
                trap.resourceid = ev->resourceid;
        }
        return 0;
}

static int io_error_handler(Display *dpy)
{
        if (!io_who)
                _exit(io_exit_status); /* the caller has said why already */
        fprintf(stderr, "%s%s: lost the connection to the X display %s (the X server went away or closed it)\n",
                getenv("JOURNAL_STREAM") && io_exit_status == 0 ? "<6>" : "", io_who,
                display_name_for_io[0] ? display_name_for_io : "");
        fflush(stderr);
        _exit(io_exit_status);
}

static void trap_arm(void)
{
        memset(&trap, 0, sizeof(trap));
        trap.armed = true;
}

static void trap_disarm(void)
{
        trap.armed = false;
}

/* ---- opening ----------------------------------------------------------------- */

int vmodes_randr_open(const char *display, struct vmodes_randr **out, struct vmodes_error *err)
{
        struct vmodes_randr *r;
        int major = 0, minor = 0, first_event, first_error;
        const char *name = display ? display : getenv("DISPLAY");

        if (!name || !*name)
                return vmodes_error_set(err, -ENXIO, "no X display: DISPLAY is not set (run this inside the X session)");
        r = calloc(1, sizeof(*r));
        if (!r)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        XSetErrorHandler(error_handler);
        XSetIOErrorHandler(io_error_handler);
        r->dpy = XOpenDisplay(name);
        if (!r->dpy) {
                free(r);
                return vmodes_error_set(err, -ENXIO, "cannot open the X display %s (is the X server running, is access allowed?)",
                            name);
        }
        snprintf(display_name_for_io, sizeof(display_name_for_io), "%s", DisplayString(r->dpy));
        r->root = DefaultRootWindow(r->dpy);
        if (!XQueryExtension(r->dpy, "RANDR", &r->major_opcode, &first_event, &first_error) ||
            !XRRQueryExtension(r->dpy, &r->event_base, &r->error_base) || !XRRQueryVersion(r->dpy, &major, &minor) ||
            major < 1 || (major == 1 && minor < 2)) {
                XCloseDisplay(r->dpy);
                free(r);
                return vmodes_error_set(err, -EOPNOTSUPP, "the X display %s lacks RandR 1.2 (found %d.%d)", name, major, minor);
        }
        r->minor_version = minor;
        *out = r;
        return 0;
}

void vmodes_randr_free(struct vmodes_randr *r)
{
        if (!r)
                return;
        if (r->res)
                XRRFreeScreenResources(r->res);
        if (r->lock_depth)
                XUngrabServer(r->dpy);
        XCloseDisplay(r->dpy);
        free(r);
}

const char *vmodes_randr_display_name(const struct vmodes_randr *r)
{
        return DisplayString(r->dpy);
}

int vmodes_randr_get_fd(const struct vmodes_randr *r)
{
        return ConnectionNumber(r->dpy);
}

struct _XDisplay *vmodes_randr_get_display(const struct vmodes_randr *r)
{
        return r->dpy;
}

void vmodes_randr_lock(struct vmodes_randr *r)
{
        if (r->lock_depth++ == 0)
                XGrabServer(r->dpy);
}

void vmodes_randr_unlock(struct vmodes_randr *r)
{
        if (r->lock_depth && --r->lock_depth == 0) {
                XUngrabServer(r->dpy);
                XFlush(r->dpy);
        }
}

void vmodes_randr_get_stats(const struct vmodes_randr *r, struct vmodes_randr_stats *out)
{
        *out = r->stats;
}

/* ---- query -------------------------------------------------------------------- */

static void mode_from_x(const XRRModeInfo *mi, struct vmodes_mode *m)
{
        size_t n = mi->nameLength < sizeof(m->name) - 1 ? mi->nameLength : sizeof(m->name) - 1;

        memset(m, 0, sizeof(*m));
        m->clock_hz = mi->dotClock;
        m->hdisplay = (uint16_t)mi->width;
        m->hsync_start = (uint16_t)mi->hSyncStart;
        m->hsync_end = (uint16_t)mi->hSyncEnd;
        m->htotal = (uint16_t)mi->hTotal;
        m->vdisplay = (uint16_t)mi->height;
        m->vsync_start = (uint16_t)mi->vSyncStart;
        m->vsync_end = (uint16_t)mi->vSyncEnd;
        m->vtotal = (uint16_t)mi->vTotal;
        m->flags = (uint32_t)mi->modeFlags;
        m->method = VMODES_METHOD_CUSTOM;
        if (mi->name)
                memcpy(m->name, mi->name, n);
        m->name[n] = 0;
}

int vmodes_randr_query(struct vmodes_randr *r, struct vmodes_layout_state *s, struct vmodes_error *err)
{
        int minw = 0, minh = 0, maxw = 0, maxh = 0;
        XRRScreenResources *res;

        memset(s, 0, sizeof(*s));
        r->stats.query_round_trips = 0;
        if (r->res) {
                XRRFreeScreenResources(r->res);
                r->res = NULL;
        }
        if (XRRGetScreenSizeRange(r->dpy, r->root, &minw, &minh, &maxw, &maxh)) {
                s->min_width = (unsigned)minw;
                s->min_height = (unsigned)minh;
                s->max_width = (unsigned)maxw;
                s->max_height = (unsigned)maxh;
        }
        res = r->probe ? XRRGetScreenResources(r->dpy, r->root) : XRRGetScreenResourcesCurrent(r->dpy, r->root);
        r->stats.query_round_trips += 2;
        if (!res)
                return vmodes_error_set(err, -EIO, "the X server did not return its RandR resources");
        r->res = res;
        {
                /* the server's size now: Xlib's DisplayWidth() is only
                 * updated when the client processes the resize events */
                Window root_ret;
                int gx, gy;
                unsigned gw = 0, gh = 0, border, depth;

                if (XGetGeometry(r->dpy, r->root, &root_ret, &gx, &gy, &gw, &gh, &border, &depth)) {
                        s->width = gw;
                        s->height = gh;
                } else {
                        s->width = (unsigned)DisplayWidth(r->dpy, DefaultScreen(r->dpy));
                        s->height = (unsigned)DisplayHeight(r->dpy, DefaultScreen(r->dpy));
                }
                r->stats.query_round_trips++;
        }
        s->primary = (uint32_t)XRRGetOutputPrimary(r->dpy, r->root);
        r->stats.query_round_trips++;

        if ((unsigned)res->nmode > VMODES_LAYOUT_MODES_MAX || (unsigned)res->noutput > VMODES_LAYOUT_OUTPUTS_MAX ||
            (unsigned)res->ncrtc > VMODES_LAYOUT_CRTCS_MAX)
                return vmodes_error_set(err, -E2BIG, "the X server has %d modes, %d outputs, %d CRTCs; vmodes handles at most %d, %d, %d",
                            res->nmode, res->noutput, res->ncrtc, VMODES_LAYOUT_MODES_MAX, VMODES_LAYOUT_OUTPUTS_MAX,
                            VMODES_LAYOUT_CRTCS_MAX);
        for (int i = 0; i < res->nmode; i++) {
                s->modes[i].id = (uint32_t)res->modes[i].id;
                mode_from_x(&res->modes[i], &s->modes[i].mode);
        }
        s->n_modes = (unsigned)res->nmode;

        /* the screen's current state may change between two requests when
         * not locked; an output or CRTC that vanished is skipped */
        trap_arm();
        for (int i = 0; i < res->ncrtc; i++) {
                XRRCrtcInfo *ci = XRRGetCrtcInfo(r->dpy, res, res->crtcs[i]);
                struct vmodes_layout_crtc *c = &s->crtcs[s->n_crtcs];

                r->stats.query_round_trips++;
                if (!ci)
                        continue;
                memset(c, 0, sizeof(*c));
                c->id = (uint32_t)res->crtcs[i];
                c->x = ci->x;
                c->y = ci->y;
                c->mode = (uint32_t)ci->mode;
                c->width = ci->mode ? ci->width : 0;
                c->height = ci->mode ? ci->height : 0;
                c->rotation = (uint16_t)ci->rotation;
                for (int k = 0; k < ci->noutput && k < VMODES_LAYOUT_OUTPUTS_MAX; k++)
                        c->outputs[c->n_outputs++] = (uint32_t)ci->outputs[k];
                s->n_crtcs++;
                XRRFreeCrtcInfo(ci);
        }
        for (int i = 0; i < res->noutput; i++) {
                XRROutputInfo *oi = XRRGetOutputInfo(r->dpy, res, res->outputs[i]);
                struct vmodes_layout_output *o = &s->outputs[s->n_outputs];

                r->stats.query_round_trips++;
                if (!oi)
                        continue;
                if (oi->nmode > VMODES_LAYOUT_OUTPUT_MODES_MAX) {
                        int n = oi->nmode;
                        XRRFreeOutputInfo(oi);
                        trap_disarm();
                        return vmodes_error_set(err, -E2BIG, "an output offers %d modes; vmodes handles at most %d", n,
                                    VMODES_LAYOUT_OUTPUT_MODES_MAX);
                }
                memset(o, 0, sizeof(*o));
                o->id = (uint32_t)res->outputs[i];
                snprintf(o->name, sizeof(o->name), "%.*s", oi->nameLen < (int)sizeof(o->name) - 1 ? oi->nameLen
                                                                                              : (int)sizeof(o->name) - 1,
                         oi->name);
                o->connection = oi->connection == RR_Connected      ? VMODES_LAYOUT_CONNECTED
                                : oi->connection == RR_Disconnected ? VMODES_LAYOUT_DISCONNECTED
                                                                    : VMODES_LAYOUT_UNKNOWN;
                o->crtc = (uint32_t)oi->crtc;
                for (int k = 0; k < oi->ncrtc && k < VMODES_LAYOUT_CRTCS_MAX; k++)
                        o->crtcs[o->n_crtcs++] = (uint32_t)oi->crtcs[k];
                for (int k = 0; k < oi->nmode; k++)
                        o->modes[o->n_modes++] = (uint32_t)oi->modes[k];
                o->n_preferred = oi->npreferred > 0 ? (unsigned)oi->npreferred : 0;
                s->n_outputs++;
                XRRFreeOutputInfo(oi);
        }
        trap_disarm();
        return 0;
}

void vmodes_randr_set_probe(struct vmodes_randr *r, bool probe)
{
        r->probe = probe;
}

int vmodes_randr_provider_name(struct vmodes_randr *r, char *buf, size_t size)
{
        XRRProviderResources *pr;

        if (size)
                buf[0] = 0;
        if (r->minor_version < 4 || !r->res)
                return 0;
        trap_arm();
        pr = XRRGetProviderResources(r->dpy, r->root);
        if (pr && pr->nproviders > 0) {
                XRRProviderInfo *pi = XRRGetProviderInfo(r->dpy, r->res, pr->providers[0]);
                if (pi) {
                        snprintf(buf, size, "%s", pi->name ? pi->name : "");
                        XRRFreeProviderInfo(pi);
                }
        }
        if (pr)
                XRRFreeProviderResources(pr);
        trap_disarm();
        return 0;
}

/* ---- execute ------------------------------------------------------------------ */

static const char *x_error_name(unsigned char code, int error_base, char *buf, size_t size)
{
        switch (code) {
        case BadMatch:
                return "BadMatch";
        case BadName:
                return "BadName";
        case BadValue:
                return "BadValue";
        case BadAlloc:
                return "BadAlloc";
        case BadAccess:
                return "BadAccess";
        case BadImplementation:
                return "BadImplementation";
        }
        if (code == error_base + BadRROutput)
                return "BadOutput";
        if (code == error_base + BadRRCrtc)
                return "BadCrtc";
        if (code == error_base + BadRRMode)
                return "BadMode";
        snprintf(buf, size, "X error %u", code);
        return buf;
}

static const char *output_name(const struct vmodes_layout_state *s, uint32_t id)
{
        const struct vmodes_layout_output *o = vmodes_layout_output_by_id(s, id);
        return o ? o->name : "an output";
}

static const char *op_mode_name(const struct vmodes_layout_op *op, const struct vmodes_layout_plan *plan)
{
        if (op->ref.created >= 0 && (unsigned)op->ref.created < plan->n_ops)
                return plan->ops[op->ref.created].mode.name;
        return op->mode.name;
}

/* One line for an X error in an operation. */
static void explain(char *buf, size_t size, const struct vmodes_layout_op *op, unsigned char code, int error_base,
                    const struct vmodes_layout_state *s, const struct vmodes_layout_plan *plan)
{
        char tmp[32];
        const char *name = x_error_name(code, error_base, tmp, sizeof(tmp));
        const char *mode = op_mode_name(op, plan);

        switch (op->type) {
        case VMODES_OP_CREATE_MODE:
                if (code == BadName)
                        snprintf(buf, size, "the X server already has a mode named %s (%s); another client created it "
                                 "meanwhile, try again", mode, name);
                else
                        snprintf(buf, size, "the X server refused to create mode %s (%s)", mode, name);
                return;
        case VMODES_OP_ADD_MODE:
                snprintf(buf, size, "%s refused mode %s (%s)", output_name(s, op->output), mode, name);
                return;
        case VMODES_OP_SET_SCREEN_SIZE:
                if (code == BadValue)
                        snprintf(buf, size, "the X server refused the screen size %ux%u (%s: outside %ux%u to %ux%u)",
                                 op->width, op->height, name, s->min_width, s->min_height, s->max_width, s->max_height);
                else if (code == BadAlloc)
                        snprintf(buf, size, "the X server has no memory for a %ux%u screen (%s); give the VM more video "
                                 "memory or use smaller modes", op->width, op->height, name);
                else
                        snprintf(buf, size, "the X server refused a %ux%u screen (%s): no video memory for it (%" PRIu64
                                 " MiB) or a head changed meanwhile; give the VM more video memory or use smaller modes",
                                 op->width, op->height, name, ((uint64_t)op->width * op->height * 4 + (1 << 20) - 1) >> 20);
                return;
        case VMODES_OP_SET_CRTC:
                if (code == BadMatch)
                        snprintf(buf, size, "%s cannot show %s at +%d+%d (%s: the head or its CRTC does not accept "
                                 "this mode)", output_name(s, op->outputs[0]), mode, op->x, op->y, name);
                else if (code == BadValue)
                        snprintf(buf, size, "%s: %s at +%d+%d does not fit the screen (%s)",
                                 output_name(s, op->outputs[0]), mode, op->x, op->y, name);
                else if (code == BadAlloc)
                        snprintf(buf, size, "%s: no video memory for %s (%s); give the VM more video memory or use a "
                                 "smaller mode", output_name(s, op->outputs[0]), mode, name);
                else
                        snprintf(buf, size, "%s: setting %s failed (%s)", output_name(s, op->outputs[0]), mode, name);
                return;
        case VMODES_OP_DISABLE_CRTC:
                snprintf(buf, size, "turning off CRTC 0x%" PRIx32 " failed (%s)", op->crtc, name);
                return;
        case VMODES_OP_SET_PRIMARY:
                snprintf(buf, size, "making %s primary failed (%s)", output_name(s, op->output), name);
                return;
        case VMODES_OP_DELETE_MODE:
                snprintf(buf, size, "removing mode %s from %s failed (%s%s)", mode, output_name(s, op->output), name,
                         code == BadAccess ? ": the mode belongs to the driver or is in use" : "");
                return;
        case VMODES_OP_DESTROY_MODE:
                snprintf(buf, size, "destroying mode %s failed (%s%s)", mode, name,
                         code == BadAccess ? ": another output still uses it" : "");
                return;
        }
        snprintf(buf, size, "%s", name);
}

static void x_mode_info(const struct vmodes_mode *m, XRRModeInfo *mi)
{
        memset(mi, 0, sizeof(*mi));
        mi->width = m->hdisplay;
        mi->height = m->vdisplay;
        mi->dotClock = (unsigned long)m->clock_hz;
        mi->hSyncStart = m->hsync_start;
        mi->hSyncEnd = m->hsync_end;
        mi->hTotal = m->htotal;
        mi->vSyncStart = m->vsync_start;
        mi->vSyncEnd = m->vsync_end;
        mi->vTotal = m->vtotal;
        mi->modeFlags = m->flags;
        mi->name = (char *)m->name;
        mi->nameLength = (unsigned)strlen(m->name);
}

static void screen_mm(struct vmodes_randr *r, const struct vmodes_layout_state *s, unsigned w, unsigned h, int *mmw,
                      int *mmh)
{
        int scr = DefaultScreen(r->dpy);
        int cw = DisplayWidth(r->dpy, scr), ch = DisplayHeight(r->dpy, scr);
        int cmw = DisplayWidthMM(r->dpy, scr), cmh = DisplayHeightMM(r->dpy, scr);

        /* keep the current DPI; 96 DPI when the server reports nothing */
        *mmw = cw > 0 && cmw > 0 ? (int)((double)w * cmw / cw + 0.5) : (int)((double)w * 25.4 / 96.0 + 0.5);
        *mmh = ch > 0 && cmh > 0 ? (int)((double)h * cmh / ch + 0.5) : (int)((double)h * 25.4 / 96.0 + 0.5);
        if (*mmw < 1)
                *mmw = 1;
        if (*mmh < 1)
                *mmh = 1;
}

/* Issues one operation. Requests with a reply report their error at once;
 * the others when the next reply or XSync comes in. */
static int issue(struct vmodes_randr *r, const struct vmodes_layout_state *s, const struct vmodes_layout_op *op,
                 const RRMode *created, RRMode *new_mode)
{
        RRMode mode = op->ref.created >= 0 ? created[op->ref.created] : (RRMode)op->ref.id;
        Status st;

        r->stats.execute_requests++;
        switch (op->type) {
        case VMODES_OP_CREATE_MODE: {
                XRRModeInfo mi;
                x_mode_info(&op->mode, &mi);
                *new_mode = XRRCreateMode(r->dpy, r->root, &mi);
                r->stats.execute_round_trips++;
                return trap.caught || !*new_mode ? -EIO : 0;
        }
        case VMODES_OP_ADD_MODE:
                XRRAddOutputMode(r->dpy, (RROutput)op->output, mode);
                return 0;
        case VMODES_OP_DELETE_MODE:
                XRRDeleteOutputMode(r->dpy, (RROutput)op->output, mode);
                return 0;
        case VMODES_OP_DESTROY_MODE:
                XRRDestroyMode(r->dpy, mode);
                return 0;
        case VMODES_OP_DISABLE_CRTC:
                st = XRRSetCrtcConfig(r->dpy, r->res, (RRCrtc)op->crtc, CurrentTime, 0, 0, None, RR_Rotate_0, NULL, 0);
                r->stats.execute_round_trips++;
                return trap.caught ? -EIO : st != RRSetConfigSuccess ? -ESTALE : 0;
        case VMODES_OP_SET_CRTC: {
                RROutput outs[VMODES_LAYOUT_OUTPUTS_MAX];
                for (unsigned i = 0; i < op->n_outputs; i++)
                        outs[i] = (RROutput)op->outputs[i];
                st = XRRSetCrtcConfig(r->dpy, r->res, (RRCrtc)op->crtc, CurrentTime, op->x, op->y, mode,
                                      (Rotation)op->rotation, outs, (int)op->n_outputs);
                r->stats.execute_round_trips++;
                return trap.caught ? -EIO : st != RRSetConfigSuccess ? -ESTALE : 0;
        }
        case VMODES_OP_SET_SCREEN_SIZE: {
                int mmw, mmh;
                screen_mm(r, s, op->width, op->height, &mmw, &mmh);
                XRRSetScreenSize(r->dpy, r->root, (int)op->width, (int)op->height, mmw, mmh);
                return 0;
        }
        case VMODES_OP_SET_PRIMARY:
                XRRSetOutputPrimary(r->dpy, r->root, (RROutput)op->output);
                return 0;
        }
        return -EINVAL;
}

/* Puts back what the executed part of the plan (ops before `done`) changed:
 * the CRTCs it set or turned off, the screen size, the primary output, and
 * removes the modes it created. Only what the plan touched: a server that
 * changes its own layout meanwhile (Xvnc, for its clients) keeps those
 * changes. Returns the number of steps that failed. */
static unsigned restore(struct vmodes_randr *r, const struct vmodes_layout_state *s,
                        const struct vmodes_layout_plan *plan, unsigned done, const RRMode *created)
{
        unsigned failed = 0, needw = s->width, needh = s->height;
        bool touched[VMODES_LAYOUT_CRTCS_MAX] = { false }, size_changed = false, primary_changed = false;
        XRRScreenResources *res;
        int mmw, mmh;

        for (unsigned i = 0; i < done && i < plan->n_ops; i++) {
                const struct vmodes_layout_op *op = &plan->ops[i];
                if (op->type == VMODES_OP_SET_CRTC || op->type == VMODES_OP_DISABLE_CRTC) {
                        for (unsigned c = 0; c < s->n_crtcs; c++)
                                if (s->crtcs[c].id == op->crtc)
                                        touched[c] = true;
                } else if (op->type == VMODES_OP_SET_SCREEN_SIZE)
                        size_changed = true;
                else if (op->type == VMODES_OP_SET_PRIMARY)
                        primary_changed = true;
        }

        trap_arm();
        res = XRRGetScreenResourcesCurrent(r->dpy, r->root);
        if (!res) {
                trap_disarm();
                return 1;
        }
        /* the touched CRTCs off; the others decide how small the screen may be */
        for (unsigned c = 0; c < s->n_crtcs; c++) {
                XRRCrtcInfo *ci = XRRGetCrtcInfo(r->dpy, res, (RRCrtc)s->crtcs[c].id);
                if (!ci)
                        continue;
                if (touched[c] && ci->mode)
                        XRRSetCrtcConfig(r->dpy, res, (RRCrtc)s->crtcs[c].id, CurrentTime, 0, 0, None, RR_Rotate_0,
                                         NULL, 0);
                else if (ci->mode) {
                        if ((unsigned)ci->x + ci->width > needw)
                                needw = (unsigned)ci->x + ci->width;
                        if ((unsigned)ci->y + ci->height > needh)
                                needh = (unsigned)ci->y + ci->height;
                }
                XRRFreeCrtcInfo(ci);
        }
        if (size_changed) {
                /* the old size, unless CRTCs the plan did not touch (a
                 * server changing its own layout) need more */
                for (unsigned c = 0; c < s->n_crtcs; c++)
                        if (touched[c] && s->crtcs[c].mode) {
                                if ((unsigned)s->crtcs[c].x + s->crtcs[c].width > needw)
                                        needw = (unsigned)s->crtcs[c].x + s->crtcs[c].width;
                                if ((unsigned)s->crtcs[c].y + s->crtcs[c].height > needh)
                                        needh = (unsigned)s->crtcs[c].y + s->crtcs[c].height;
                        }
                screen_mm(r, s, needw, needh, &mmw, &mmh);
                XRRSetScreenSize(r->dpy, r->root, (int)needw, (int)needh, mmw, mmh);
        }
        for (unsigned c = 0; c < s->n_crtcs; c++) {
                const struct vmodes_layout_crtc *cr = &s->crtcs[c];
                RROutput outs[VMODES_LAYOUT_OUTPUTS_MAX];

                if (!touched[c] || !cr->mode)
                        continue;
                for (unsigned k = 0; k < cr->n_outputs; k++)
                        outs[k] = (RROutput)cr->outputs[k];
                if (XRRSetCrtcConfig(r->dpy, res, (RRCrtc)cr->id, CurrentTime, cr->x, cr->y, (RRMode)cr->mode,
                                     (Rotation)cr->rotation, outs, (int)cr->n_outputs) != RRSetConfigSuccess)
                        failed++;
        }
        if (primary_changed)
                XRRSetOutputPrimary(r->dpy, r->root, (RROutput)s->primary);
        /* modes this plan created: off the outputs, then destroyed */
        for (unsigned i = 0; i < done && i < plan->n_ops; i++) {
                const struct vmodes_layout_op *op = &plan->ops[i];
                if (op->type == VMODES_OP_ADD_MODE && op->ref.created >= 0 && created[op->ref.created])
                        XRRDeleteOutputMode(r->dpy, (RROutput)op->output, created[op->ref.created]);
        }
        for (unsigned i = 0; i < done && i < plan->n_ops; i++)
                if (plan->ops[i].type == VMODES_OP_CREATE_MODE && created[i])
                        XRRDestroyMode(r->dpy, created[i]);
        XSync(r->dpy, False);
        if (trap.caught)
                failed++;
        trap_disarm();
        XRRFreeScreenResources(res);
        return failed;
}

int vmodes_randr_execute(struct vmodes_randr *r, const struct vmodes_layout_state *s,
                         const struct vmodes_layout_plan *plan, struct vmodes_error *err)
{
        RRMode *created;
        unsigned long *serials;
        unsigned done = 0;
        int ret = 0, failed_op = -1;
        char why[256] = "";

        r->stats.execute_round_trips = 0;
        r->stats.execute_requests = 0;
        if (plan->n_ops == 0)
                return 0;
        if (!r->res)
                return vmodes_error_set(err, -EINVAL, "no RandR query before executing a plan");
        created = calloc(plan->n_ops, sizeof(*created));
        serials = calloc(plan->n_ops + 1, sizeof(*serials));
        if (!created || !serials) {
                free(created);
                free(serials);
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        }

        vmodes_randr_lock(r);
        trap_arm();
        for (unsigned i = 0; i < plan->n_ops; i++) {
                int k;

                serials[i] = NextRequest(r->dpy);
                k = issue(r, s, &plan->ops[i], created, &created[i]);
                done = i + 1;
                if (k == -ESTALE) {
                        ret = -ESTALE;
                        failed_op = (int)i;
                        snprintf(why, sizeof(why), "the screen changed while vmodes was applying the layout; run it again");
                        break;
                }
                if (trap.caught || k < 0)
                        break;
        }
        serials[plan->n_ops] = NextRequest(r->dpy);
        if (!trap.caught && ret == 0) {
                XSync(r->dpy, False);
                r->stats.execute_round_trips++;
        }
        if (trap.caught) {
                /* which operation: the last one issued before the error's serial */
                failed_op = 0;
                for (unsigned i = 0; i < done; i++)
                        if (serials[i] <= trap.serial)
                                failed_op = (int)i;
                explain(why, sizeof(why), &plan->ops[failed_op], trap.error_code, r->error_base, s, plan);
                ret = -EIO;
        }
        trap_disarm();

        if (ret < 0) {
                enum vmodes_layout_op_type t = plan->ops[failed_op].type;
                if (t == VMODES_OP_DELETE_MODE || t == VMODES_OP_DESTROY_MODE) {
                        /* the layout itself is in place; only a removal failed */
                        vmodes_error_set(err, ret, "%s; the new layout is in place", why);
                } else {
                        unsigned bad = restore(r, s, plan, done, created);
                        if (bad)
                                vmodes_error_set(err, ret, "%s; restoring the previous layout failed in %u step%s, check with "
                                     "'vmodes list'", why, bad, bad == 1 ? "" : "s");
                        else
                                vmodes_error_set(err, ret, "%s; the previous layout is back", why);
                }
        }
        vmodes_randr_unlock(r);
        XSync(r->dpy, False);
        free(created);
        free(serials);
        return ret;
}
