/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the session agent's policy (agent/session/reconcile.c),
 * without any X server: states built by hand, configs parsed from
 * vmodes.conf text, and the heads that enter the plan checked with the
 * reason and the mode each gets. Each case is a small story: the first
 * reconcile at login, then what the host or the desktop did since.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/common/macro.h"
#include "agent/session/agent.h"
#include "agent/session/reconcile.h"
#include "tests/lib/tap.h"

#define OUT_ID(i) (0x100u + (i))
#define CRTC_ID(i) (0x200u + (i))
#define MODE_ID0 0x300u
#define SEC 1000000ULL

static void die(const char *what, const char *msg)
{
        fprintf(stderr, "test setup: %s: %s\n", what, msg);
        exit(99);
}

static uint32_t server_mode(struct vmodes_layout_state *s, unsigned w, unsigned h)
{
        struct vmodes_spec sp = { .width = (int)w, .height = (int)h, .refresh = 60, .method = VMODES_METHOD_CVT };
        struct vmodes_error e;
        uint32_t id = MODE_ID0 + s->n_modes;

        for (unsigned i = 0; i < s->n_modes; i++)
                if (s->modes[i].mode.hdisplay == w && s->modes[i].mode.vdisplay == h)
                        return s->modes[i].id;
        if (vmodes_spec_to_mode(&sp, &s->modes[s->n_modes].mode, &e) < 0)
                die("mode", e.msg);
        s->modes[s->n_modes++].id = id;
        return id;
}

/* n outputs named prefix+first.., CRTCs enough for all; output 0
 * connected and lit at 1024x768 (its preferred mode), the others
 * disconnected and off. */
static struct vmodes_layout_state *state_new(const char *prefix, unsigned first, unsigned n)
{
        struct vmodes_layout_state *s = calloc(1, sizeof(*s));

        if (!s)
                die("state", "out of memory");
        s->min_width = 320;
        s->min_height = 200;
        s->max_width = s->max_height = 8192;
        s->n_crtcs = n;
        s->n_outputs = n;
        for (unsigned i = 0; i < n; i++) {
                struct vmodes_layout_output *o = &s->outputs[i];

                s->crtcs[i] = (struct vmodes_layout_crtc){ .id = CRTC_ID(i), .rotation = VMODES_LAYOUT_ROTATE_0 };
                o->id = OUT_ID(i);
                snprintf(o->name, sizeof(o->name), "%s%u", prefix, first + i);
                o->connection = VMODES_LAYOUT_DISCONNECTED;
                for (unsigned c = 0; c < n; c++)
                        o->crtcs[o->n_crtcs++] = CRTC_ID(c);
        }
        return s;
}

/* The host asks output i for w x h: connected, that size its preferred mode. */
static void host_asks(struct vmodes_layout_state *s, unsigned i, unsigned w, unsigned h)
{
        struct vmodes_layout_output *o = &s->outputs[i];
        uint32_t id = server_mode(s, w, h);

        o->connection = VMODES_LAYOUT_CONNECTED;
        memmove(&o->modes[1], &o->modes[0], sizeof(o->modes[0]) * o->n_modes);
        o->modes[0] = id;
        o->n_modes++;
        o->n_preferred = 1;
}

/* Output i's X config prefers w x h (PreferredMode, as vmodesd writes it
 * for a configured head): X lists it first, as a preferred mode too. */
static void xconfig_prefers(struct vmodes_layout_state *s, unsigned i, unsigned w, unsigned h)
{
        struct vmodes_layout_output *o = &s->outputs[i];
        uint32_t id = server_mode(s, w, h);

        memmove(&o->modes[1], &o->modes[0], sizeof(o->modes[0]) * o->n_modes);
        o->modes[0] = id;
        o->n_modes++;
        o->n_preferred++;
}

/* The host asks output i for w x h after X's config put its own preferred
 * mode first: the kernel's preferred mode is the second. */
static void host_asks_after_xconfig(struct vmodes_layout_state *s, unsigned i, unsigned w, unsigned h)
{
        s->outputs[i].modes[1] = server_mode(s, w, h);
}

static void host_disconnects(struct vmodes_layout_state *s, unsigned i)
{
        s->outputs[i].connection = VMODES_LAYOUT_DISCONNECTED;
        s->outputs[i].n_preferred = 0;
}

/* Output i shows w x h on its CRTC at x,y (whoever set it). */
static void shows(struct vmodes_layout_state *s, unsigned i, unsigned w, unsigned h, int x)
{
        struct vmodes_layout_crtc *c = &s->crtcs[i];

        c->mode = server_mode(s, w, h);
        c->width = w;
        c->height = h;
        c->x = x;
        c->n_outputs = 1;
        c->outputs[0] = s->outputs[i].id;
        s->outputs[i].crtc = c->id;
        if (s->width < (unsigned)x + w)
                s->width = (unsigned)x + w;
        if (s->height < h)
                s->height = h;
}

static void config(struct vmodes_config *c, const char *text)
{
        struct vmodes_error e;

        if (vmodes_config_parse(text, "test.conf", c, &e) < 0)
                die("config", e.msg);
}

struct story {
        struct vmodes_reconcile mem;
        struct vmodes_config cfg;
        struct vmodes_layout_state *s;
        struct vmodes_reconcile_result res;
        uint64_t now;
        bool follows; /* the desktop follows the host itself */
};

/* One reconcile at now (+ dt seconds): decide, then remember. */
static void step(struct story *st, bool full, double dt)
{
        struct vmodes_reconcile_input in = {
                .config = &st->cfg, .state = st->s, .full = full, .desktop_follows_host = st->follows
        };

        st->now += (uint64_t)(dt * SEC);
        in.now = st->now;
        if (vmodes_reconcile_decide(&st->mem, &in, &st->res) < 0)
                die("decide", "failed");
        vmodes_reconcile_remember(&st->mem, st->s, &st->cfg, st->now);
}

static const struct vmodes_head_config *entered(const struct story *st, const char *name,
                                                 enum vmodes_reconcile_why *why)
{
        for (unsigned i = 0; i < st->res.config.n_heads; i++)
                if (!strcmp(st->res.config.heads[i].head, name)) {
                        if (why)
                                *why = st->res.why[i];
                        return &st->res.config.heads[i];
                }
        return NULL;
}

static bool entered_as(const struct story *st, const char *name, enum vmodes_reconcile_why want)
{
        enum vmodes_reconcile_why why = 0;

        return entered(st, name, &why) && why == want;
}

static bool mode_is(const struct vmodes_head_config *h, unsigned w, unsigned hh, double hz)
{
        double r;

        if (!h || !h->n_modes)
                return false;
        r = vmodes_mode_refresh(&h->modes[0].mode);
        return h->modes[0].mode.hdisplay == w && h->modes[0].mode.vdisplay == hh && r > hz - 0.5 && r < hz + 0.5;
}

static void story_start(struct story *st, const char *prefix, unsigned first, unsigned n, const char *text)
{
        memset(st, 0, sizeof(*st));
        st->now = 100 * SEC;
        st->s = state_new(prefix, first, n);
        host_asks(st->s, 0, 1024, 768);
        shows(st->s, 0, 1024, 768, 0);
        config(&st->cfg, text);
}

static void test_start_and_nothing_to_do(void)
{
        struct story st;

        story_start(&st, "Virtual-", 1, 2,
                    "[head Virtual-1]\nmode = 1920x1080@44\n[head Virtual-2]\nmode = 1280x720\n");
        step(&st, true, 0);
        check(st.res.config.n_heads == 2 && entered_as(&st, "Virtual-1", VMODES_RECONCILE_FULL) &&
                      entered_as(&st, "Virtual-2", VMODES_RECONCILE_FULL),
              "start: every configured head enters (%u)", st.res.config.n_heads);
        check(mode_is(entered(&st, "Virtual-1", NULL), 1920, 1080, 44), "start: the configured mode, not 60 Hz");
        step(&st, false, 5);
        check(st.res.config.n_heads == 0 && st.res.n_skipped == 0, "nothing changed: nothing to do (%u heads)",
              st.res.config.n_heads);
        /* someone else (the desktop) set another size: left alone */
        shows(st.s, 0, 800, 600, 0);
        step(&st, false, 5);
        check(st.res.config.n_heads == 0, "a size the desktop set is left alone");
        free(st.s);
}

static void test_auto_fit(void)
{
        struct story st;
        const struct vmodes_head_config *h;

        story_start(&st, "Virtual-", 1, 1,
                    "[general]\nauto-fit = true\nauto-fit-refresh = 44\nauto-fit-blanking = rb2\n"
                    "[head Virtual-1]\nmode = 1920x1080@44\n");
        step(&st, true, 0);
        host_asks(st.s, 0, 1290, 844);
        step(&st, false, 5);
        h = entered(&st, "Virtual-1", NULL);
        check(entered_as(&st, "Virtual-1", VMODES_RECONCILE_AUTO_FIT) && mode_is(h, 1290, 844, 44) &&
                      h->n_modes == 1 && h->enabled && h->modes[0].spec.method == VMODES_METHOD_CVT_RB2,
              "auto-fit: the asked size at the configured rate and blanking");
        step(&st, false, 5);
        check(st.res.config.n_heads == 0, "auto-fit: the same size asked again is nothing to do");
        free(st.s);
        /* X's config prefers the stored mode (vmodesd's X config after a
         * reboot): it stays first among the preferred modes */
        story_start(&st, "Virtual-", 1, 1,
                    "[general]\nauto-fit = true\nauto-fit-refresh = 44\n[head Virtual-1]\nmode = 1920x1200@50\n");
        xconfig_prefers(st.s, 0, 1920, 1200);
        step(&st, true, 0);
        host_asks_after_xconfig(st.s, 0, 1440, 900);
        step(&st, false, 5);
        check(entered_as(&st, "Virtual-1", VMODES_RECONCILE_AUTO_FIT) &&
                      mode_is(entered(&st, "Virtual-1", NULL), 1440, 900, 44),
              "auto-fit: the size the host asks, not the X config's preferred mode before it");
        free(st.s);
        /* without auto-fit the host's size is the host's business */
        story_start(&st, "Virtual-", 1, 1, "[head Virtual-1]\nmode = 1920x1080@44\n");
        step(&st, true, 0);
        host_asks(st.s, 0, 1290, 844);
        step(&st, false, 5);
        check(st.res.config.n_heads == 0, "no auto-fit: a host-asked size is left to the host");
        free(st.s);
}

/* Auto-fit turned on: a size the host asked while it was off is answered
 * then (whichever came first at the agent: the configuration or the
 * host's request, the result is the same); the size the host asked when
 * auto-fit was already on and answered is not asked again. */
static void test_auto_fit_turned_on(void)
{
        static const char *off = "[head Virtual-1]\nmode = 1920x1080@44\n[head Virtual-2]\nmode = 1280x720\n";
        static const char *on = "[general]\nauto-fit = true\nauto-fit-refresh = 44\n"
                                "[head Virtual-1]\nmode = 1920x1080@44\n[head Virtual-2]\nmode = 1280x720\n";
        struct story st;

        story_start(&st, "Virtual-", 1, 2, off);
        host_asks(st.s, 1, 1280, 720);
        shows(st.s, 1, 1280, 720, 1024);
        step(&st, true, 0);
        host_asks(st.s, 0, 1440, 900);
        step(&st, false, 5);
        check(st.res.config.n_heads == 0, "auto-fit off: the host's size is left alone (%u heads)",
              st.res.config.n_heads);
        config(&st.cfg, on);
        step(&st, true, 5);
        check(entered_as(&st, "Virtual-1", VMODES_RECONCILE_AUTO_FIT) &&
                      mode_is(entered(&st, "Virtual-1", NULL), 1440, 900, 44),
              "auto-fit turned on: the size asked while it was off, at 44 Hz");
        check(entered_as(&st, "Virtual-2", VMODES_RECONCILE_AUTO_FIT) &&
                      mode_is(entered(&st, "Virtual-2", NULL), 1280, 720, 44),
              "auto-fit turned on: every head the host gives a size");
        step(&st, false, 5);
        check(st.res.config.n_heads == 0, "then nothing to do (%u heads)", st.res.config.n_heads);
        /* the next configuration change: the stored modes again, the host's
         * sizes were answered */
        step(&st, true, 5);
        check(entered_as(&st, "Virtual-1", VMODES_RECONCILE_FULL) &&
                      mode_is(entered(&st, "Virtual-1", NULL), 1920, 1080, 44),
              "a later configuration change: the stored mode");
        free(st.s);

        /* auto-fit on from the start: the start takes the stored mode */
        story_start(&st, "Virtual-", 1, 1, on);
        step(&st, true, 0);
        check(entered_as(&st, "Virtual-1", VMODES_RECONCILE_FULL) &&
                      mode_is(entered(&st, "Virtual-1", NULL), 1920, 1080, 44),
              "start with auto-fit on: the stored mode");
        /* a request and a configuration change in the same moment: the
         * request is answered */
        host_asks(st.s, 0, 1440, 900);
        step(&st, true, 5);
        check(entered_as(&st, "Virtual-1", VMODES_RECONCILE_AUTO_FIT) &&
                      mode_is(entered(&st, "Virtual-1", NULL), 1440, 900, 44),
              "a request with a configuration change: the request wins");
        free(st.s);
}

static void test_auto_fit_unconfigured(void)
{
        struct story st;

        story_start(&st, "Virtual-", 1, 2, "[general]\nauto-fit = true\n");
        step(&st, true, 0);
        check(st.res.config.n_heads == 0, "auto-fit without heads: the first reconcile changes nothing");
        host_asks(st.s, 1, 1600, 900);
        step(&st, false, 5);
        check(entered_as(&st, "Virtual-2", VMODES_RECONCILE_AUTO_FIT) &&
                      mode_is(entered(&st, "Virtual-2", NULL), 1600, 900, 60),
              "auto-fit: a head without configuration follows the host at 60 Hz");
        shows(st.s, 1, 1600, 900, 1024);
        step(&st, false, 1);
        host_disconnects(st.s, 1);
        step(&st, false, 5);
        {
                const struct vmodes_head_config *h = entered(&st, "Virtual-2", NULL);
                check(entered_as(&st, "Virtual-2", VMODES_RECONCILE_HOST_OFF) && h && !h->enabled && !h->n_modes,
                      "the host took a lit head away: it goes off");
        }
        free(st.s);
        /* the last lit head is never turned off */
        story_start(&st, "Virtual-", 1, 1, "[general]\nauto-fit = true\n");
        step(&st, true, 0);
        host_disconnects(st.s, 0);
        step(&st, false, 5);
        check(st.res.config.n_heads == 0, "the last lit head stays on when the host takes it away");
        free(st.s);
}

static void test_pinned(void)
{
        struct story st;

        story_start(&st, "Virtual-", 1, 2,
                    "[general]\nauto-fit = true\n[head Virtual-1]\nmode = 1920x1080@44\npinned = true\n"
                    "[head Virtual-2]\nmode = 1280x720\n");
        step(&st, true, 0);
        host_asks(st.s, 0, 1290, 844);
        step(&st, false, 5);
        check(entered_as(&st, "Virtual-1", VMODES_RECONCILE_PINNED) &&
                      mode_is(entered(&st, "Virtual-1", NULL), 1920, 1080, 44),
              "pinned: the configured mode back, auto-fit or not");
        shows(st.s, 0, 800, 600, 0);
        step(&st, false, 5);
        check(entered_as(&st, "Virtual-1", VMODES_RECONCILE_PINNED) && !entered(&st, "Virtual-2", NULL),
              "pinned: every reconcile, the other heads stay out");
        free(st.s);
}

/* A desktop's display dialog set a pinned head to another size and moved
 * the head placed right of it: the pinned head gets its mode back and the
 * head right of it its place next to it again, in the mode it shows
 * (the dialog's change of that head stays; it is not pinned). */
static void test_pinned_relative(void)
{
        struct story st;
        const struct vmodes_head_config *h;

        story_start(&st, "Virtual-", 1, 3,
                    "[head Virtual-1]\nmode = 2560x1440@44\npinned = true\n"
                    "[head Virtual-2]\nmode = 1920x1080\nposition = right-of Virtual-1\n"
                    "[head Virtual-3]\nmode = 1280x720\nposition = below Virtual-2\n");
        host_asks(st.s, 1, 1920, 1080);
        host_asks(st.s, 2, 1280, 720);
        step(&st, true, 0);
        shows(st.s, 0, 1920, 1080, 0);
        shows(st.s, 1, 1600, 900, 1920);
        step(&st, false, 5);
        h = entered(&st, "Virtual-2", NULL);
        check(entered_as(&st, "Virtual-1", VMODES_RECONCILE_PINNED) &&
                      entered_as(&st, "Virtual-2", VMODES_RECONCILE_RELATIVE),
              "pinned head back: the head placed right of it enters too");
        check(h && h->relation == VMODES_REL_RIGHT_OF && !strcmp(h->relative_to, "Virtual-1") && h->enabled &&
                      mode_is(h, 1600, 900, 60),
              "at its stored place, in the mode it shows now");
        check(!entered(&st, "Virtual-3", NULL), "a head of the chain that is off stays out");
        shows(st.s, 2, 1280, 720, 1920);
        step(&st, false, 5);
        check(entered_as(&st, "Virtual-3", VMODES_RECONCILE_RELATIVE), "a lit head of the chain follows too");
        free(st.s);
}

static void test_connect(void)
{
        struct story st;

        story_start(&st, "Virtual-", 1, 2,
                    "[head Virtual-1]\nmode = 1920x1080@44\n[head Virtual-2]\nmode = 1280x720@50\n"
                    "position = right-of Virtual-1\n");
        step(&st, true, 0);
        host_asks(st.s, 1, 1024, 768);
        step(&st, false, 5);
        check(entered_as(&st, "Virtual-2", VMODES_RECONCILE_CONNECTED) && !entered(&st, "Virtual-1", NULL) &&
                      mode_is(entered(&st, "Virtual-2", NULL), 1280, 720, 50),
              "a configured head that connects gets its mode");
        check(entered(&st, "Virtual-2", NULL)->relation == VMODES_REL_RIGHT_OF &&
                      !strcmp(entered(&st, "Virtual-2", NULL)->relative_to, "Virtual-1"),
              "its place relative to the other head");
        step(&st, false, 0.5);
        check(entered_as(&st, "Virtual-2", VMODES_RECONCILE_CONNECTED),
              "within a second of connecting it is still part of the connect");
        step(&st, false, 1);
        check(st.res.config.n_heads == 0, "after that its size is left alone");
        free(st.s);
}

static void test_disabled(void)
{
        struct story st;
        const struct vmodes_head_config *h;

        story_start(&st, "Virtual-", 1, 2,
                    "[head Virtual-1]\nmode = 1920x1080\n[head Virtual-2]\nmode = 1280x720\nenabled = false\n");
        host_asks(st.s, 1, 1024, 768);
        shows(st.s, 1, 1024, 768, 1024);
        step(&st, true, 0);
        h = entered(&st, "Virtual-2", NULL);
        check(h && !h->enabled, "start: a disabled head enters to be turned off");
        host_disconnects(st.s, 1);
        step(&st, false, 5);
        host_asks(st.s, 1, 1024, 768);
        step(&st, false, 5);
        h = entered(&st, "Virtual-2", NULL);
        check(entered_as(&st, "Virtual-2", VMODES_RECONCILE_CONNECTED) && h && !h->enabled,
              "a disabled head that connects again is kept off");
        free(st.s);
}

static void test_not_in_session(void)
{
        struct story st;
        const struct vmodes_head_config *h;

        /* the qxl DDX in UMS mode: outputs qxl-0..; the config in DRM names */
        story_start(&st, "qxl-", 0, 2,
                    "[head Virtual-1]\nmode = 1920x1080\n[head Virtual-2]\nmode = 1280x720\n"
                    "position = right-of Virtual-1\n[head Virtual-4]\nmode = 800x600\n"
                    "[head Virtual-3]\nmode = 1024x768\nposition = below Virtual-4\n");
        step(&st, true, 0);
        check(st.res.config.n_heads == 2 && entered(&st, "qxl-0", NULL) && entered(&st, "qxl-1", NULL),
              "heads named in another scheme are mapped to the session's names");
        h = entered(&st, "qxl-1", NULL);
        check(h && !strcmp(h->relative_to, "qxl-0"), "relations too");
        check(st.res.n_skipped == 2 && st.res.skipped[0] == 2 && st.res.skipped[1] == 3,
              "heads the session does not have are reported (%u)", st.res.n_skipped);
        free(st.s);
        story_start(&st, "Virtual-", 1, 3, "[head Virtual-3]\nmode = 1024x768\nposition = below Virtual-4\n");
        step(&st, true, 0);
        h = entered(&st, "Virtual-3", NULL);
        check(h && h->relation == VMODES_REL_AUTO && !h->relative_to[0],
              "a relation to a head not in the session becomes auto");
        free(st.s);
}

static void test_desktop_follows_host(void)
{
        static const struct {
                const char *desktop;
                bool follows;
        } names[] = {
                { "GNOME", true },  { "ubuntu:GNOME", true }, { "GNOME-Classic:GNOME", true }, { "GNOME:", true },
                { "XFCE", false },  { "GNOME-Flashback", false }, { "gnome", false }, { "", false },
                { ":", false },     { NULL, false },
        };
        struct story st;

        for (unsigned i = 0; i < ELEMENTSOF(names); i++)
                check(vmodes_reconcile_desktop_follows_host(names[i].desktop) == names[i].follows,
                      "XDG_CURRENT_DESKTOP=%s: %s", names[i].desktop ? names[i].desktop : "(unset)",
                      names[i].follows ? "follows the host" : "does not");
        story_start(&st, "Virtual-", 1, 3,
                    "[general]\nauto-fit = true\nauto-fit-refresh = 44\n[head Virtual-1]\nmode = 1920x1080@44\n"
                    "[head Virtual-3]\nmode = 1280x720@50\n");
        st.follows = true;
        for (unsigned i = 0; i < st.s->n_outputs; i++)
                st.s->outputs[i].hotplug_mode_update = true; /* qxl */
        step(&st, true, 0);
        check(entered_as(&st, "Virtual-1", VMODES_RECONCILE_FULL), "GNOME: the login still applies the layout");
        host_asks(st.s, 0, 1440, 900);
        host_asks(st.s, 1, 1280, 720);
        step(&st, false, 5);
        check(st.res.config.n_heads == 0, "GNOME: auto-fit leaves a resized and a new head to mutter (%u enter)",
              st.res.config.n_heads);
        shows(st.s, 1, 1280, 720, 1440);
        step(&st, false, 5);
        host_disconnects(st.s, 1);
        step(&st, false, 5);
        check(st.res.config.n_heads == 0, "GNOME: a head the host took away is mutter's to turn off");
        host_asks(st.s, 2, 1024, 768);
        step(&st, false, 5);
        check(entered_as(&st, "Virtual-3", VMODES_RECONCILE_CONNECTED) &&
                      mode_is(entered(&st, "Virtual-3", NULL), 1280, 720, 50),
              "GNOME: a configured head that connects still gets its mode");
        free(st.s);
        /* virtio-gpu: no hotplug_mode_update, mutter does not follow the
         * host there, auto-fit does */
        story_start(&st, "Virtual-", 1, 2, "[general]\nauto-fit = true\nauto-fit-refresh = 44\n");
        st.follows = true;
        step(&st, true, 0);
        host_asks(st.s, 0, 1440, 900);
        host_asks(st.s, 1, 1280, 720);
        step(&st, false, 5);
        check(entered_as(&st, "Virtual-1", VMODES_RECONCILE_AUTO_FIT) &&
                      entered_as(&st, "Virtual-2", VMODES_RECONCILE_AUTO_FIT) &&
                      mode_is(entered(&st, "Virtual-1", NULL), 1440, 900, 44),
              "GNOME on heads without hotplug_mode_update (virtio-gpu): auto-fit follows the host");
        free(st.s);
}

static void test_map_and_bad_input(void)
{
        struct story st;
        struct vmodes_config out;
        unsigned skipped[VMODES_CONFIG_HEADS_MAX], n = 99;
        struct vmodes_reconcile_input in = { 0 };
        struct vmodes_head_mode hm;

        story_start(&st, "DUMMY", 0, 2, "[head 2]\nmode = 1280x720\n[head Virtual-9]\nmode = 800x600\n");
        vmodes_layout_map_config(&st.cfg, st.s, NULL, NULL, &out, skipped, &n);
        check(out.n_heads == 1 && !strcmp(out.heads[0].head, "DUMMY1") && n == 1 && skipped[0] == 1,
              "map: a head number means the n-th output of other servers");
        check(vmodes_reconcile_decide(&st.mem, &in, &st.res) == -EINVAL, "decide without config or state: -EINVAL");
        check(vmodes_reconcile_auto_fit_mode(&st.cfg, 0, 0, &hm) == -EINVAL, "auto-fit of 0x0: -EINVAL");
        free(st.s);
}

int main(void)
{
        test_start_and_nothing_to_do();
        test_auto_fit();
        test_auto_fit_turned_on();
        test_auto_fit_unconfigured();
        test_pinned();
        test_pinned_relative();
        test_connect();
        test_disabled();
        test_not_in_session();
        test_desktop_follows_host();
        test_map_and_bad_input();
        return tap_finish();
}
