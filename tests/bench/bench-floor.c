/* SPDX-License-Identifier: MIT */
/*
 * The floor of the apply benchmark: the bare RandR requests that put a
 * multi-head layout on the screen, issued by a program that knows nothing
 * but the layout and the state the benchmark starts every run from (the
 * first head on, every other head off, none of the layout's modes on the
 * server). It finds the outputs by name, then under a server grab creates
 * the modes, adds them to their outputs, makes the screen large enough and
 * sets each CRTC: the same requests a layout change needs from any client.
 * Mode timings come from the modes/ library, as vmodes computes them.
 *
 *   bench-floor apply 'HEAD SPEC' ...
 *           the heads side by side, left to right from +0+0, top-aligned
 *   bench-floor reset HEAD MODE [NAME...]
 *           the benchmark's start state: HEAD alone on at MODE (a mode the
 *           server has) at +0+0, every other CRTC off, the screen the size
 *           of MODE, and the modes named NAME taken off every output and
 *           destroyed
 *   bench-floor nop
 *           nothing: the cost of starting the program
 *   bench-floor rtt N
 *           the mean time of one X round trip over N, in microseconds
 *
 * Exit status: 0 done, 1 the X server refused something (said on stderr),
 * 2 bad arguments.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <X11/Xlib.h>
#include <X11/extensions/Xrandr.h>

#include "modes/modes.h"

#define HEADS_MAX 16

struct head {
        const char *name;
        struct vmodes_mode mode;
        RROutput output;
        RRCrtc crtc;
        RRMode id;
        int x;
};

static struct {
        bool caught;
        unsigned char error_code, request_code, minor_code;
} trap;

static int error_handler(Display *dpy, XErrorEvent *ev)
{
        if (!trap.caught) {
                trap.caught = true;
                trap.error_code = ev->error_code;
                trap.request_code = ev->request_code;
                trap.minor_code = ev->minor_code;
        }
        return 0;
}

static int check_errors(Display *dpy, const char *what)
{
        XSync(dpy, False);
        if (!trap.caught)
                return 0;
        fprintf(stderr, "bench-floor: %s: X error %u (request %u.%u)\n", what, trap.error_code, trap.request_code,
                trap.minor_code);
        return -1;
}

static Display *open_display(void)
{
        Display *dpy = XOpenDisplay(NULL);
        int ev, er;

        if (!dpy) {
                fprintf(stderr, "bench-floor: cannot open the X display %s\n", getenv("DISPLAY") ?: "(DISPLAY unset)");
                return NULL;
        }
        if (!XRRQueryExtension(dpy, &ev, &er)) {
                fprintf(stderr, "bench-floor: the X display has no RandR\n");
                XCloseDisplay(dpy);
                return NULL;
        }
        XSetErrorHandler(error_handler);
        return dpy;
}

static bool output_is(const XRROutputInfo *oi, const char *name)
{
        return (size_t)oi->nameLen == strlen(name) && !memcmp(oi->name, name, (size_t)oi->nameLen);
}

/* ---- apply -------------------------------------------------------------------------- */

static int parse_heads(int argc, char **argv, struct head *heads, int *n)
{
        *n = 0;
        for (int i = 0; i < argc; i++) {
                struct head *h = &heads[*n];
                struct vmodes_error err = { "" };
                struct vmodes_spec spec;
                char *sp = strchr(argv[i], ' ');

                if (*n == HEADS_MAX || !sp) {
                        fprintf(stderr, "bench-floor: bad head '%s' (give 'HEAD SPEC')\n", argv[i]);
                        return -1;
                }
                *sp++ = 0;
                if (vmodes_spec_parse(sp, &spec, &err) < 0 || vmodes_spec_to_mode(&spec, &h->mode, &err) < 0) {
                        fprintf(stderr, "bench-floor: %s\n", err.msg);
                        return -1;
                }
                h->name = argv[i];
                (*n)++;
        }
        return *n ? 0 : -1;
}

static int floor_apply(int argc, char **argv)
{
        struct head heads[HEADS_MAX] = { 0 };
        int n, found = 0, width = 0, height = 0, r = 1;
        XRRScreenResources *res;
        Display *dpy;
        Window root;

        if (parse_heads(argc, argv, heads, &n) < 0)
                return 2;
        dpy = open_display();
        if (!dpy)
                return 1;
        root = DefaultRootWindow(dpy);
        XGrabServer(dpy);
        res = XRRGetScreenResourcesCurrent(dpy, root);
        if (!res) {
                fprintf(stderr, "bench-floor: no RandR resources\n");
                goto out;
        }
        /* the outputs by name; a head's CRTC is its current one, else the
         * first one it can use that no other head of the layout takes */
        for (int i = 0; i < res->noutput && found < n; i++) {
                XRROutputInfo *oi = XRRGetOutputInfo(dpy, res, res->outputs[i]);

                if (!oi)
                        continue;
                for (int k = 0; k < n; k++) {
                        if (!output_is(oi, heads[k].name))
                                continue;
                        heads[k].output = res->outputs[i];
                        heads[k].crtc = oi->crtc;
                        for (int c = 0; c < oi->ncrtc && !heads[k].crtc; c++) {
                                bool taken = false;
                                for (int j = 0; j < n; j++)
                                        taken |= j != k && heads[j].crtc == oi->crtcs[c];
                                if (!taken)
                                        heads[k].crtc = oi->crtcs[c];
                        }
                        found++;
                }
                XRRFreeOutputInfo(oi);
        }
        for (int k = 0; k < n; k++)
                if (!heads[k].output || !heads[k].crtc) {
                        fprintf(stderr, "bench-floor: no output %s, or no CRTC for it\n", heads[k].name);
                        goto out;
                }
        for (int k = 0; k < n; k++) {
                heads[k].x = width;
                width += heads[k].mode.hdisplay;
                if (heads[k].mode.vdisplay > height)
                        height = heads[k].mode.vdisplay;
        }

        for (int k = 0; k < n; k++) {
                const struct vmodes_mode *m = &heads[k].mode;
                XRRModeInfo mi = {
                        .width = m->hdisplay,
                        .height = m->vdisplay,
                        .dotClock = (unsigned long)m->clock_hz,
                        .hSyncStart = m->hsync_start,
                        .hSyncEnd = m->hsync_end,
                        .hTotal = m->htotal,
                        .vSyncStart = m->vsync_start,
                        .vSyncEnd = m->vsync_end,
                        .vTotal = m->vtotal,
                        .modeFlags = m->flags,
                        .name = heads[k].mode.name,
                        .nameLength = (unsigned)strlen(m->name),
                };
                heads[k].id = XRRCreateMode(dpy, root, &mi);
        }
        for (int k = 0; k < n; k++)
                XRRAddOutputMode(dpy, heads[k].output, heads[k].id);
        XRRSetScreenSize(dpy, root, width, height, (int)(width * 25.4 / 96 + 0.5), (int)(height * 25.4 / 96 + 0.5));
        for (int k = 0; k < n; k++)
                XRRSetCrtcConfig(dpy, res, heads[k].crtc, CurrentTime, heads[k].x, 0, heads[k].id, RR_Rotate_0,
                                 &heads[k].output, 1);
        XUngrabServer(dpy);
        r = check_errors(dpy, "applying the layout") < 0;
out:
        if (res)
                XRRFreeScreenResources(res);
        XCloseDisplay(dpy);
        return r;
}

/* ---- round trips ----------------------------------------------------------------------- */

/* The mean time of one round trip (XSync: GetInputFocus and its reply) over
 * n, in microseconds, on stdout. */
static int floor_rtt(int n)
{
        struct timespec t0, t1;
        Display *dpy = open_display();

        if (!dpy)
                return 1;
        XSync(dpy, False);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < n; i++)
                XSync(dpy, False);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("%.1f\n", ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / n);
        XCloseDisplay(dpy);
        return 0;
}

/* ---- reset ------------------------------------------------------------------------------ */

static bool name_is(const char *name, unsigned len, const char *want)
{
        return strlen(want) == len && !memcmp(want, name, len);
}

static bool listed(const char *name, unsigned len, char **names, int n)
{
        for (int i = 0; i < n; i++)
                if (name_is(name, len, names[i]))
                        return true;
        return false;
}

static int floor_reset(const char *head, const char *mode_name, char **names, int n_names)
{
        XRRScreenResources *res;
        XRRModeInfo *base = NULL;
        RROutput output = None;
        RRCrtc crtc = None;
        Display *dpy;
        Window root;
        int r = 1;

        dpy = open_display();
        if (!dpy)
                return 1;
        root = DefaultRootWindow(dpy);
        XGrabServer(dpy);
        res = XRRGetScreenResourcesCurrent(dpy, root);
        if (!res) {
                fprintf(stderr, "bench-floor: no RandR resources\n");
                goto out;
        }
        for (int i = 0; i < res->nmode && !base; i++)
                if (name_is(res->modes[i].name, res->modes[i].nameLength, mode_name))
                        base = &res->modes[i];
        for (int i = 0; i < res->noutput && !output; i++) {
                XRROutputInfo *oi = XRRGetOutputInfo(dpy, res, res->outputs[i]);

                if (oi && output_is(oi, head)) {
                        output = res->outputs[i];
                        crtc = oi->crtc ? oi->crtc : oi->ncrtc ? oi->crtcs[0] : None;
                }
                if (oi)
                        XRRFreeOutputInfo(oi);
        }
        if (!base || !crtc) {
                fprintf(stderr, "bench-floor: no mode %s, or no output %s with a CRTC\n", mode_name, head);
                goto out;
        }
        for (int i = 0; i < res->ncrtc; i++) {
                XRRCrtcInfo *ci = XRRGetCrtcInfo(dpy, res, res->crtcs[i]);

                if (ci && ci->mode && res->crtcs[i] != crtc)
                        XRRSetCrtcConfig(dpy, res, res->crtcs[i], CurrentTime, 0, 0, None, RR_Rotate_0, NULL, 0);
                if (ci)
                        XRRFreeCrtcInfo(ci);
        }
        XRRSetCrtcConfig(dpy, res, crtc, CurrentTime, 0, 0, base->id, RR_Rotate_0, &output, 1);
        XRRSetScreenSize(dpy, root, (int)base->width, (int)base->height, (int)(base->width * 25.4 / 96 + 0.5),
                         (int)(base->height * 25.4 / 96 + 0.5));
        for (int i = 0; i < res->noutput; i++) {
                XRROutputInfo *oi = XRRGetOutputInfo(dpy, res, res->outputs[i]);

                for (int k = 0; oi && k < oi->nmode; k++)
                        for (int m = 0; m < res->nmode; m++)
                                if (res->modes[m].id == oi->modes[k] &&
                                    listed(res->modes[m].name, res->modes[m].nameLength, names, n_names))
                                        XRRDeleteOutputMode(dpy, res->outputs[i], oi->modes[k]);
                if (oi)
                        XRRFreeOutputInfo(oi);
        }
        for (int m = 0; m < res->nmode; m++)
                if (listed(res->modes[m].name, res->modes[m].nameLength, names, n_names))
                        XRRDestroyMode(dpy, res->modes[m].id);
        XUngrabServer(dpy);
        r = check_errors(dpy, "resetting the layout") < 0;
out:
        if (res)
                XRRFreeScreenResources(res);
        XCloseDisplay(dpy);
        return r;
}

int main(int argc, char **argv)
{
        /* the process start alone: exec and the libraries, no X */
        if (argc == 2 && !strcmp(argv[1], "nop"))
                return 0;
        if (argc == 3 && !strcmp(argv[1], "rtt") && atoi(argv[2]) > 0)
                return floor_rtt(atoi(argv[2]));
        if (argc >= 3 && !strcmp(argv[1], "apply"))
                return floor_apply(argc - 2, argv + 2);
        if (argc >= 4 && !strcmp(argv[1], "reset"))
                return floor_reset(argv[2], argv[3], argv + 4, argc - 4);
        fprintf(stderr, "usage: bench-floor apply 'HEAD SPEC' ...\n"
                        "       bench-floor reset HEAD MODE [NAME...]\n"
                        "       bench-floor nop\n"
                        "       bench-floor rtt N\n");
        return 2;
}
