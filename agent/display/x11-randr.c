/* SPDX-License-Identifier: MIT */
/*
 * The X11 RandR backend of the display seam (display.h): query the RandR
 * state, execute layout plans, watch for changes.
 *
 * Pure XCB: XCB sends a request without waiting for its reply, so a query
 * asks for everything it can before it waits, and a plan sends its
 * operations in one go. Each round trip below is one wait:
 *
 *   open     QueryExtension(RANDR)
 *   query    1: [QueryVersion,] GetScreenResources[Current], GetScreenSizeRange,
 *               GetGeometry(root), GetOutputPrimary, GetProviders
 *            2: GetOutputInfo for every output, GetCrtcInfo for every CRTC,
 *               GetProviderInfo
 *   execute  1: the operations up to the first one that needs the id of a
 *               mode the plan creates (the CreateMode replies)
 *            2: the rest; mode removals wait for the layout change first
 *   close    GetInputFocus: the server has taken every request
 *
 * Every request's error comes back with its own reply or checked cookie, so
 * a failed operation is known exactly, never guessed from serial numbers.
 * A lost connection is an error like any other (-ECONNRESET): XCB has no
 * process-wide handler that must not return, so nothing here exits.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <X11/X.h>
#include <xcb/randr.h>
#include <xcb/xcb.h>

#include "agent/common/macro.h"
#include "agent/display/backend.h"
#include "agent/display/x11-randr.h"

struct vmodes_randr {
        xcb_connection_t *c;
        char name[256];
        xcb_window_t root;
        /* the screen's size in pixels and millimetres as last announced (the
         * connection setup, then ScreenChangeNotify): the DPI kept on resize */
        unsigned width, height, mm_width, mm_height;
        uint8_t error_base;
        uint8_t event_base;
        /* QueryVersion goes out with the first query */
        bool version_unknown;
        unsigned major_version, minor_version;
        unsigned lock_depth;
        bool probe;
        /* from the last query: the execution of a plan needs its timestamp */
        bool queried;
        xcb_timestamp_t config_timestamp;
        char provider[64];
        /* the atom hotplug_mode_update once the server has it (until then
         * no output has that property, and each query asks again) */
        bool hotplug_atom_known;
        xcb_atom_t hotplug_atom;
        struct vmodes_display_stats stats;
};

/* ---- the connection ------------------------------------------------------------ */

/* The connection is gone (XCB reports nothing else with a missing reply
 * and no error). */
static bool gone(const struct vmodes_randr *r)
{
        return xcb_connection_has_error(r->c) != 0;
}

static int lost(const struct vmodes_randr *r, struct vmodes_error *err)
{
        return vmodes_error_set(err, -ECONNRESET, "lost the connection to the X display %s (the X server went away or "
                                "closed it)", r->name);
}

static void randr_free(struct vmodes_randr *r)
{
        if (!r)
                return;
        if (r->c && !gone(r)) {
                if (r->lock_depth)
                        xcb_ungrab_server(r->c);
                /* the server has taken the last requests before we go */
                free(xcb_get_input_focus_reply(r->c, xcb_get_input_focus(r->c), NULL));
        }
        if (r->c)
                xcb_disconnect(r->c);
        free(r);
}

static const xcb_screen_t *setup_screen(xcb_connection_t *c, int number)
{
        xcb_screen_iterator_t it = xcb_setup_roots_iterator(xcb_get_setup(c));

        for (; it.rem; xcb_screen_next(&it), number--)
                if (number == 0)
                        return it.data;
        return NULL;
}

/* Opens the display (NULL: $DISPLAY). -ENXIO: cannot open it,
 * -EOPNOTSUPP: no RandR, -ECONNRESET. The version comes with the first
 * query, which fails with -EOPNOTSUPP below RandR 1.2. */
static int randr_open(const char *display, void **out, struct vmodes_error *err)
{
        _cleanup_(freep) struct vmodes_randr *r = NULL;
        const xcb_query_extension_reply_t *ext;
        const xcb_screen_t *scr;
        const char *name = display ? display : getenv("DISPLAY");
        int number = 0;

        if (!name || !*name)
                return vmodes_error_set(err, -ENXIO, "no X display: DISPLAY is not set (run this inside the X session)");
        r = calloc(1, sizeof(*r));
        if (!r)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        snprintf(r->name, sizeof(r->name), "%s", name);
        r->c = xcb_connect(name, &number);
        scr = gone(r) ? NULL : setup_screen(r->c, number);
        if (!scr) {
                xcb_disconnect(r->c);
                return vmodes_error_set(err, -ENXIO, "cannot open the X display %s (is the X server running, is access "
                                        "allowed?)", name);
        }
        r->root = scr->root;
        r->width = scr->width_in_pixels;
        r->height = scr->height_in_pixels;
        r->mm_width = scr->width_in_millimeters;
        r->mm_height = scr->height_in_millimeters;
        ext = xcb_get_extension_data(r->c, &xcb_randr_id);
        if (gone(r)) {
                int ret = lost(r, err);
                xcb_disconnect(r->c);
                return ret;
        }
        if (!ext || !ext->present) {
                xcb_disconnect(r->c);
                return vmodes_error_set(err, -EOPNOTSUPP, "the X display %s lacks RandR 1.2 (found none)", name);
        }
        r->error_base = ext->first_error;
        r->event_base = ext->first_event;
        /* the version comes with the first query (one round trip less) */
        r->version_unknown = true;
        *out = r;
        r = NULL;
        return 0;
}

/* Reads the answer to QueryVersion. -EOPNOTSUPP below RandR 1.2. */
static int read_version(struct vmodes_randr *r, xcb_randr_query_version_cookie_t ck, struct vmodes_error *err)
{
        xcb_randr_query_version_reply_t *v;
        xcb_generic_error_t *e = NULL;

        v = xcb_randr_query_version_reply(r->c, ck, &e);
        if (v) {
                r->major_version = v->major_version;
                r->minor_version = v->minor_version;
                free(v);
        }
        free(e);
        if (gone(r))
                return lost(r, err);
        if (r->major_version < 1 || (r->major_version == 1 && r->minor_version < 2))
                return vmodes_error_set(err, -EOPNOTSUPP, "the X display %s lacks RandR 1.2 (found %u.%u)", r->name,
                                        r->major_version, r->minor_version);
        return 0;
}

static void randr_lock(struct vmodes_randr *r)
{
        if (r->lock_depth++ == 0)
                xcb_grab_server(r->c);
}

static int randr_unlock(struct vmodes_randr *r, struct vmodes_error *err)
{
        if (r->lock_depth && --r->lock_depth == 0) {
                xcb_ungrab_server(r->c);
                xcb_flush(r->c);
        }
        return gone(r) ? lost(r, err) : 0;
}

/* ---- query -------------------------------------------------------------------- */

/* GetScreenResources and GetScreenResourcesCurrent answer alike. */
struct resources {
        void *reply;
        xcb_timestamp_t config_timestamp;
        const xcb_randr_crtc_t *crtcs;
        const xcb_randr_output_t *outputs;
        const xcb_randr_mode_info_t *modes;
        const uint8_t *names;
        int n_crtcs, n_outputs, n_modes, names_len;
};

static bool resources_probed(struct vmodes_randr *r, unsigned sequence, struct resources *res)
{
        xcb_randr_get_screen_resources_cookie_t ck = { sequence };
        xcb_randr_get_screen_resources_reply_t *p = xcb_randr_get_screen_resources_reply(r->c, ck, NULL);

        if (!p)
                return false;
        *res = (struct resources){
                .reply = p,
                .config_timestamp = p->config_timestamp,
                .crtcs = xcb_randr_get_screen_resources_crtcs(p),
                .outputs = xcb_randr_get_screen_resources_outputs(p),
                .modes = xcb_randr_get_screen_resources_modes(p),
                .names = xcb_randr_get_screen_resources_names(p),
                .n_crtcs = xcb_randr_get_screen_resources_crtcs_length(p),
                .n_outputs = xcb_randr_get_screen_resources_outputs_length(p),
                .n_modes = xcb_randr_get_screen_resources_modes_length(p),
                .names_len = xcb_randr_get_screen_resources_names_length(p),
        };
        return true;
}

static bool resources_current(struct vmodes_randr *r, unsigned sequence, struct resources *res)
{
        xcb_randr_get_screen_resources_current_cookie_t ck = { sequence };
        xcb_randr_get_screen_resources_current_reply_t *p = xcb_randr_get_screen_resources_current_reply(r->c, ck, NULL);

        if (!p)
                return false;
        *res = (struct resources){
                .reply = p,
                .config_timestamp = p->config_timestamp,
                .crtcs = xcb_randr_get_screen_resources_current_crtcs(p),
                .outputs = xcb_randr_get_screen_resources_current_outputs(p),
                .modes = xcb_randr_get_screen_resources_current_modes(p),
                .names = xcb_randr_get_screen_resources_current_names(p),
                .n_crtcs = xcb_randr_get_screen_resources_current_crtcs_length(p),
                .n_outputs = xcb_randr_get_screen_resources_current_outputs_length(p),
                .n_modes = xcb_randr_get_screen_resources_current_modes_length(p),
                .names_len = xcb_randr_get_screen_resources_current_names_length(p),
        };
        return true;
}

static void mode_from_x(const xcb_randr_mode_info_t *mi, const uint8_t *name, size_t name_len, struct vmodes_mode *m)
{
        size_t n = name_len < sizeof(m->name) - 1 ? name_len : sizeof(m->name) - 1;

        memset(m, 0, sizeof(*m));
        m->clock_hz = mi->dot_clock;
        m->hdisplay = mi->width;
        m->hsync_start = mi->hsync_start;
        m->hsync_end = mi->hsync_end;
        m->htotal = mi->htotal;
        m->vdisplay = mi->height;
        m->vsync_start = mi->vsync_start;
        m->vsync_end = mi->vsync_end;
        m->vtotal = mi->vtotal;
        m->flags = mi->mode_flags;
        m->method = VMODES_METHOD_CUSTOM;
        if (name)
                memcpy(m->name, name, n);
        m->name[n] = 0;
}

static void discard(struct vmodes_randr *r, const unsigned *sequences, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (sequences[i])
                        xcb_discard_reply(r->c, sequences[i]);
}

static void output_from_x(const xcb_randr_get_output_info_reply_t *oi, xcb_randr_output_t id,
                          struct vmodes_layout_output *o)
{
        int name_len = xcb_randr_get_output_info_name_length(oi);
        const xcb_randr_crtc_t *crtcs = xcb_randr_get_output_info_crtcs(oi);
        const xcb_randr_mode_t *modes = xcb_randr_get_output_info_modes(oi);

        memset(o, 0, sizeof(*o));
        o->id = id;
        snprintf(o->name, sizeof(o->name), "%.*s", name_len < (int)sizeof(o->name) - 1 ? name_len : (int)sizeof(o->name) - 1,
                 (const char *)xcb_randr_get_output_info_name(oi));
        o->connection = oi->connection == XCB_RANDR_CONNECTION_CONNECTED      ? VMODES_LAYOUT_CONNECTED
                        : oi->connection == XCB_RANDR_CONNECTION_DISCONNECTED ? VMODES_LAYOUT_DISCONNECTED
                                                                              : VMODES_LAYOUT_UNKNOWN;
        o->crtc = oi->crtc;
        for (int k = 0; k < oi->num_crtcs && k < VMODES_LAYOUT_CRTCS_MAX; k++)
                o->crtcs[o->n_crtcs++] = crtcs[k];
        for (int k = 0; k < oi->num_modes; k++)
                o->modes[o->n_modes++] = modes[k];
        o->n_preferred = oi->num_preferred;
}

static void crtc_from_x(const xcb_randr_get_crtc_info_reply_t *ci, xcb_randr_crtc_t id, struct vmodes_layout_crtc *c)
{
        const xcb_randr_output_t *outputs = xcb_randr_get_crtc_info_outputs(ci);

        memset(c, 0, sizeof(*c));
        c->id = id;
        c->x = ci->x;
        c->y = ci->y;
        c->mode = ci->mode;
        c->width = ci->mode ? ci->width : 0;
        c->height = ci->mode ? ci->height : 0;
        c->rotation = ci->rotation;
        for (int k = 0; k < ci->num_outputs && k < VMODES_LAYOUT_OUTPUTS_MAX; k++)
                c->outputs[c->n_outputs++] = outputs[k];
}

/* The requests of the first round trip of a query, in the order sent. */
enum { Q_VERSION, Q_RESOURCES, Q_RANGE, Q_GEOMETRY, Q_PRIMARY, Q_PROVIDERS, Q_HOTPLUG_ATOM, Q_N };

/* The output property of the kernel's connectors whose host sets their
 * size (qxl); GNOME's mutter follows the host on such outputs itself. */
static const char hotplug_property[] = "hotplug_mode_update";

/* Round trip 1 goes out: the screen and its resources, with the version
 * the first time and the providers from RandR 1.4 on (or when the version
 * is not known yet). */
static void query_screen_send(struct vmodes_randr *r, unsigned seq[Q_N])
{
        memset(seq, 0, sizeof(unsigned) * Q_N);
        if (r->version_unknown)
                seq[Q_VERSION] = xcb_randr_query_version(r->c, XCB_RANDR_MAJOR_VERSION, XCB_RANDR_MINOR_VERSION).sequence;
        seq[Q_RESOURCES] = r->probe ? xcb_randr_get_screen_resources(r->c, r->root).sequence
                                    : xcb_randr_get_screen_resources_current(r->c, r->root).sequence;
        seq[Q_RANGE] = xcb_randr_get_screen_size_range(r->c, r->root).sequence;
        /* the server's size now, not as last announced */
        seq[Q_GEOMETRY] = xcb_get_geometry(r->c, r->root).sequence;
        seq[Q_PRIMARY] = xcb_randr_get_output_primary(r->c, r->root).sequence;
        if (r->version_unknown || r->major_version > 1 || r->minor_version >= 4)
                seq[Q_PROVIDERS] = xcb_randr_get_providers(r->c, r->root).sequence;
        if (!r->hotplug_atom_known)
                seq[Q_HOTPLUG_ATOM] = xcb_intern_atom(r->c, 1, sizeof(hotplug_property) - 1, hotplug_property).sequence;
        /* all of it now: a wait for a reply sends only what precedes it
         * when that has not gone out yet */
        xcb_flush(r->c);
        r->stats.query_round_trips++;
}

/* The size range, the size, the primary output. */
static void query_screen_read(struct vmodes_randr *r, const unsigned seq[Q_N], struct vmodes_layout_state *s)
{
        xcb_randr_get_screen_size_range_reply_t *range =
                xcb_randr_get_screen_size_range_reply(r->c, (xcb_randr_get_screen_size_range_cookie_t){ seq[Q_RANGE] }, NULL);
        xcb_get_geometry_reply_t *geometry =
                xcb_get_geometry_reply(r->c, (xcb_get_geometry_cookie_t){ seq[Q_GEOMETRY] }, NULL);
        xcb_randr_get_output_primary_reply_t *primary =
                xcb_randr_get_output_primary_reply(r->c, (xcb_randr_get_output_primary_cookie_t){ seq[Q_PRIMARY] }, NULL);
        xcb_intern_atom_reply_t *atom =
                seq[Q_HOTPLUG_ATOM] ? xcb_intern_atom_reply(r->c, (xcb_intern_atom_cookie_t){ seq[Q_HOTPLUG_ATOM] }, NULL)
                                    : NULL;

        if (range) {
                s->min_width = range->min_width;
                s->min_height = range->min_height;
                s->max_width = range->max_width;
                s->max_height = range->max_height;
        }
        s->width = geometry ? geometry->width : r->width;
        s->height = geometry ? geometry->height : r->height;
        if (primary)
                s->primary = primary->output;
        if (atom) {
                /* a server without the atom now may get it later (a driver
                 * loaded): asked again at the next query */
                r->hotplug_atom = atom->atom;
                r->hotplug_atom_known = atom->atom != XCB_ATOM_NONE;
        }
        free(range);
        free(geometry);
        free(primary);
        free(atom);
}

/* The screen's modes with their names. -E2BIG when a layout state cannot
 * hold what the server has. */
static int query_modes(const struct resources *res, struct vmodes_layout_state *s, struct vmodes_error *err)
{
        const uint8_t *name = res->names;
        int names_left = res->names_len;

        if ((unsigned)res->n_modes > VMODES_LAYOUT_MODES_MAX || (unsigned)res->n_outputs > VMODES_LAYOUT_OUTPUTS_MAX ||
            (unsigned)res->n_crtcs > VMODES_LAYOUT_CRTCS_MAX)
                return vmodes_error_set(err, -E2BIG, "the X server has %d modes, %d outputs, %d CRTCs; vmodes handles at most %d, %d, %d",
                                        res->n_modes, res->n_outputs, res->n_crtcs, VMODES_LAYOUT_MODES_MAX,
                                        VMODES_LAYOUT_OUTPUTS_MAX, VMODES_LAYOUT_CRTCS_MAX);
        for (int i = 0; i < res->n_modes; i++) {
                size_t len = res->modes[i].name_len <= names_left ? res->modes[i].name_len : (size_t)names_left;
                s->modes[i].id = res->modes[i].id;
                mode_from_x(&res->modes[i], name, len, &s->modes[i].mode);
                name += len;
                names_left -= (int)len;
        }
        s->n_modes = (unsigned)res->n_modes;
        return 0;
}

/* Round trip 2: every output, every CRTC, the provider driving the screen
 * and, when the server has the atom, each output's property list. The
 * sequence numbers go to seq (outputs, CRTCs, provider, properties). */
static void query_details_send(struct vmodes_randr *r, const struct resources *res, xcb_randr_get_providers_reply_t *providers,
                               unsigned *seq)
{
        unsigned n = 0;

        for (int i = 0; i < res->n_outputs; i++)
                seq[n++] = xcb_randr_get_output_info(r->c, res->outputs[i], res->config_timestamp).sequence;
        for (int i = 0; i < res->n_crtcs; i++)
                seq[n++] = xcb_randr_get_crtc_info(r->c, res->crtcs[i], res->config_timestamp).sequence;
        if (providers && xcb_randr_get_providers_providers_length(providers) > 0)
                seq[n] = xcb_randr_get_provider_info(r->c, xcb_randr_get_providers_providers(providers)[0],
                                                     res->config_timestamp).sequence;
        n++;
        for (int i = 0; r->hotplug_atom_known && i < res->n_outputs; i++)
                seq[n++] = xcb_randr_list_output_properties(r->c, res->outputs[i]).sequence;
        xcb_flush(r->c);
        r->stats.query_round_trips++;
}

/* Whether the output's property list (sequence *seq, 0 when not asked)
 * has hotplug_mode_update; *seq is set to 0 once read. */
static bool has_hotplug_property(struct vmodes_randr *r, unsigned *seq)
{
        xcb_randr_list_output_properties_reply_t *pr;
        const xcb_atom_t *atoms;
        bool found = false;

        if (!*seq)
                return false;
        pr = xcb_randr_list_output_properties_reply(r->c, (xcb_randr_list_output_properties_cookie_t){ *seq }, NULL);
        *seq = 0;
        if (!pr)
                return false;
        atoms = xcb_randr_list_output_properties_atoms(pr);
        for (int k = 0; k < xcb_randr_list_output_properties_atoms_length(pr); k++)
                found |= atoms[k] == r->hotplug_atom;
        free(pr);
        return found;
}

/* The outputs; seq[i] (and the property list's props[i]) is set to 0 once
 * read. The screen's current state may change between two requests when
 * not locked: an output that vanished meanwhile is skipped. */
static int query_outputs_read(struct vmodes_randr *r, const struct resources *res, unsigned *seq, unsigned *props,
                              struct vmodes_layout_state *s, struct vmodes_error *err)
{
        for (int i = 0; i < res->n_outputs; i++) {
                xcb_randr_get_output_info_cookie_t ck = { seq[i] };
                xcb_randr_get_output_info_reply_t *oi = xcb_randr_get_output_info_reply(r->c, ck, NULL);
                bool hotplug = has_hotplug_property(r, &props[i]);

                seq[i] = 0;
                if (!oi) {
                        if (gone(r))
                                return lost(r, err);
                        continue;
                }
                if (oi->num_modes > VMODES_LAYOUT_OUTPUT_MODES_MAX) {
                        int n = oi->num_modes;
                        free(oi);
                        return vmodes_error_set(err, -E2BIG, "an output offers %d modes; vmodes handles at most %d", n,
                                                VMODES_LAYOUT_OUTPUT_MODES_MAX);
                }
                output_from_x(oi, res->outputs[i], &s->outputs[s->n_outputs]);
                s->outputs[s->n_outputs++].hotplug_mode_update = hotplug;
                free(oi);
        }
        return 0;
}

/* The CRTCs, then the provider's name; seq[i] is set to 0 once read. */
static int query_crtcs_read(struct vmodes_randr *r, const struct resources *res, unsigned *seq,
                            struct vmodes_layout_state *s, struct vmodes_error *err)
{
        xcb_randr_get_provider_info_reply_t *pi;

        for (int i = 0; i < res->n_crtcs; i++) {
                xcb_randr_get_crtc_info_cookie_t ck = { seq[i] };
                xcb_randr_get_crtc_info_reply_t *ci = xcb_randr_get_crtc_info_reply(r->c, ck, NULL);

                seq[i] = 0;
                if (!ci) {
                        if (gone(r))
                                return lost(r, err);
                        continue;
                }
                crtc_from_x(ci, res->crtcs[i], &s->crtcs[s->n_crtcs++]);
                free(ci);
        }
        if (seq[res->n_crtcs]) {
                pi = xcb_randr_get_provider_info_reply(r->c, (xcb_randr_get_provider_info_cookie_t){ seq[res->n_crtcs] },
                                                       NULL);
                seq[res->n_crtcs] = 0;
                if (pi) {
                        int n = xcb_randr_get_provider_info_name_length(pi);
                        snprintf(r->provider, sizeof(r->provider), "%.*s",
                                 n < (int)sizeof(r->provider) - 1 ? n : (int)sizeof(r->provider) - 1,
                                 xcb_randr_get_provider_info_name(pi));
                        free(pi);
                }
        }
        return gone(r) ? lost(r, err) : 0;
}

/* Round trip 2 and what it brings. */
static int query_details(struct vmodes_randr *r, const struct resources *res, xcb_randr_get_providers_reply_t *providers,
                         struct vmodes_layout_state *s, struct vmodes_error *err)
{
        /* outputs, CRTCs, provider, property lists */
        size_t n = 2 * (size_t)res->n_outputs + (size_t)res->n_crtcs + 1;
        _cleanup_(freep) unsigned *seq = calloc(n, sizeof(*seq));
        int ret;

        if (!seq)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        query_details_send(r, res, providers, seq);
        ret = query_outputs_read(r, res, seq, seq + res->n_outputs + res->n_crtcs + 1, s, err);
        if (ret == 0)
                ret = query_crtcs_read(r, res, seq + res->n_outputs, s, err);
        /* replies an early return left unread */
        discard(r, seq, n);
        return ret;
}

/* Reads the screen's RandR state. memory_limit, memory_per_head and
 * memory_fix are left 0/empty: device memory is not something X knows. */
static int randr_query(struct vmodes_randr *r, struct vmodes_layout_state *s, struct vmodes_error *err)
{
        unsigned seq[Q_N];
        struct resources res = { 0 };
        xcb_randr_get_providers_reply_t *providers = NULL;
        bool ok;
        int ret = 0;

        /* the fields before the arrays; each array entry is cleared when
         * it is filled (a state is 180 KiB, mostly unused entries) */
        memset(s, 0, offsetof(struct vmodes_layout_state, modes));
        s->n_outputs = 0;
        s->n_crtcs = 0;
        r->stats.query_round_trips = 0;
        r->queried = false;
        r->provider[0] = 0;
        query_screen_send(r, seq);
        if (seq[Q_VERSION]) {
                ret = read_version(r, (xcb_randr_query_version_cookie_t){ seq[Q_VERSION] }, err);
                r->version_unknown = ret < 0;
                seq[Q_VERSION] = 0;
        }
        ok = ret == 0 && (r->probe ? resources_probed(r, seq[Q_RESOURCES], &res)
                                   : resources_current(r, seq[Q_RESOURCES], &res));
        if (ret == 0)
                seq[Q_RESOURCES] = 0;
        if (!ok) {
                discard(r, seq, Q_N);
                if (ret < 0)
                        return ret;
                return gone(r) ? lost(r, err) : vmodes_error_set(err, -EIO, "the X server did not return its RandR resources");
        }
        query_screen_read(r, seq, s);
        if (seq[Q_PROVIDERS])
                providers = xcb_randr_get_providers_reply(r->c, (xcb_randr_get_providers_cookie_t){ seq[Q_PROVIDERS] },
                                                          NULL);
        ret = gone(r) ? lost(r, err) : query_modes(&res, s, err);
        if (ret == 0)
                ret = query_details(r, &res, providers, s, err);
        if (ret == 0) {
                r->config_timestamp = res.config_timestamp;
                r->queried = true;
        }
        free(providers);
        free(res.reply);
        return ret;
}

static void randr_set_probe(struct vmodes_randr *r, bool probe)
{
        r->probe = probe;
}

/* ---- execute ------------------------------------------------------------------ */

static void x_mode_info(const struct vmodes_mode *m, xcb_randr_mode_info_t *mi)
{
        memset(mi, 0, sizeof(*mi));
        mi->width = m->hdisplay;
        mi->height = m->vdisplay;
        mi->dot_clock = (uint32_t)m->clock_hz;
        mi->hsync_start = m->hsync_start;
        mi->hsync_end = m->hsync_end;
        mi->htotal = m->htotal;
        mi->vsync_start = m->vsync_start;
        mi->vsync_end = m->vsync_end;
        mi->vtotal = m->vtotal;
        mi->mode_flags = m->flags;
        mi->name_len = (uint16_t)strlen(m->name);
}

static void screen_mm(struct vmodes_randr *r, const struct vmodes_layout_state *s, unsigned w, unsigned h, int *mmw,
                      int *mmh)
{
        int cw = (int)r->width, ch = (int)r->height, cmw = (int)r->mm_width, cmh = (int)r->mm_height;

        /* keep the current DPI; 96 DPI when the server reports nothing */
        *mmw = cw > 0 && cmw > 0 ? (int)((double)w * cmw / cw + 0.5) : (int)((double)w * 25.4 / 96.0 + 0.5);
        *mmh = ch > 0 && cmh > 0 ? (int)((double)h * cmh / ch + 0.5) : (int)((double)h * 25.4 / 96.0 + 0.5);
        if (*mmw < 1)
                *mmw = 1;
        if (*mmh < 1)
                *mmh = 1;
}

static unsigned set_crtc(struct vmodes_randr *r, xcb_timestamp_t config_timestamp, uint32_t crtc, int x, int y,
                         uint32_t mode, uint16_t rotation, const uint32_t *outputs, unsigned n_outputs)
{
        return xcb_randr_set_crtc_config(r->c, crtc, XCB_CURRENT_TIME, config_timestamp, (int16_t)x, (int16_t)y, mode,
                                         rotation, n_outputs, outputs)
                .sequence;
}

/* Sends one operation; returns its request's sequence number. */
static unsigned issue(struct vmodes_randr *r, const struct vmodes_layout_state *s, const struct vmodes_layout_op *op,
                      const uint32_t *created)
{
        uint32_t mode = op->ref.created >= 0 ? created[op->ref.created] : op->ref.id;

        r->stats.execute_requests++;
        switch (op->type) {
        case VMODES_OP_CREATE_MODE: {
                xcb_randr_mode_info_t mi;
                x_mode_info(&op->mode, &mi);
                return xcb_randr_create_mode(r->c, r->root, mi, mi.name_len, op->mode.name).sequence;
        }
        case VMODES_OP_ADD_MODE:
                return xcb_randr_add_output_mode_checked(r->c, op->output, mode).sequence;
        case VMODES_OP_DELETE_MODE:
                return xcb_randr_delete_output_mode_checked(r->c, op->output, mode).sequence;
        case VMODES_OP_DESTROY_MODE:
                return xcb_randr_destroy_mode_checked(r->c, mode).sequence;
        case VMODES_OP_DISABLE_CRTC:
                return set_crtc(r, r->config_timestamp, op->crtc, 0, 0, XCB_NONE, XCB_RANDR_ROTATION_ROTATE_0, NULL, 0);
        case VMODES_OP_SET_CRTC:
                return set_crtc(r, r->config_timestamp, op->crtc, op->x, op->y, mode, op->rotation, op->outputs,
                                op->n_outputs);
        case VMODES_OP_SET_SCREEN_SIZE: {
                int mmw, mmh;
                screen_mm(r, s, op->width, op->height, &mmw, &mmh);
                return xcb_randr_set_screen_size_checked(r->c, r->root, (uint16_t)op->width, (uint16_t)op->height,
                                                         (uint32_t)mmw, (uint32_t)mmh)
                        .sequence;
        }
        case VMODES_OP_SET_PRIMARY:
                return xcb_randr_set_output_primary_checked(r->c, r->root, op->output).sequence;
        }
        /* not reached: the planner makes no other operation; a request
         * that cannot fail keeps the sequence numbers in step */
        return xcb_no_operation_checked(r->c).sequence;
}

/* How a request ended: 0, an X error (*code), or a failure the server
 * reported without one: -ESTALE (SetCrtcConfig on an outdated screen),
 * -EIO (SetCrtcConfig failed, CreateMode gave no mode). */
static int answer(struct vmodes_randr *r, const struct vmodes_layout_op *op, unsigned sequence, uint32_t *new_mode,
                  uint8_t *code)
{
        xcb_generic_error_t *e = NULL;
        int ret = 0;

        switch (op->type) {
        case VMODES_OP_CREATE_MODE: {
                xcb_randr_create_mode_cookie_t ck = { sequence };
                xcb_randr_create_mode_reply_t *p = xcb_randr_create_mode_reply(r->c, ck, &e);
                if (p) {
                        *new_mode = p->mode;
                        ret = p->mode ? 0 : -EIO;
                        free(p);
                }
                break;
        }
        case VMODES_OP_DISABLE_CRTC:
        case VMODES_OP_SET_CRTC: {
                xcb_randr_set_crtc_config_cookie_t ck = { sequence };
                xcb_randr_set_crtc_config_reply_t *p = xcb_randr_set_crtc_config_reply(r->c, ck, &e);
                if (p) {
                        ret = p->status == XCB_RANDR_SET_CONFIG_SUCCESS ? 0
                              : p->status == XCB_RANDR_SET_CONFIG_FAILED ? -EIO
                                                                         : -ESTALE;
                        free(p);
                }
                break;
        }
        default: {
                xcb_void_cookie_t ck = { sequence };
                e = xcb_request_check(r->c, ck);
                break;
        }
        }
        if (gone(r)) {
                free(e);
                return -ECONNRESET;
        }
        if (e) {
                *code = e->error_code;
                ret = -EIO;
                free(e);
        }
        return ret;
}

static const char *x_error_name(uint8_t code, uint8_t error_base, char *buf, size_t size)
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
        if (code == error_base + XCB_RANDR_BAD_OUTPUT)
                return "BadOutput";
        if (code == error_base + XCB_RANDR_BAD_CRTC)
                return "BadCrtc";
        if (code == error_base + XCB_RANDR_BAD_MODE)
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
static void explain(char *buf, size_t size, const struct vmodes_layout_op *op, uint8_t code, uint8_t error_base,
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


/* One line for an operation the server turned down without an X error. */
static void explain_status(char *buf, size_t size, const struct vmodes_layout_op *op, int ret,
                           const struct vmodes_layout_state *s, const struct vmodes_layout_plan *plan)
{
        const char *mode = op_mode_name(op, plan);

        if (ret == -ESTALE)
                snprintf(buf, size, "the screen changed while vmodes was applying the layout; run it again");
        else if (op->type == VMODES_OP_CREATE_MODE)
                snprintf(buf, size, "the X server did not create mode %s (it answered without a mode)", mode);
        else if (op->type == VMODES_OP_SET_CRTC)
                snprintf(buf, size, "the X server failed to show %s on %s at +%d+%d", mode,
                         output_name(s, op->outputs[0]), op->x, op->y);
        else if (op->type == VMODES_OP_DISABLE_CRTC)
                snprintf(buf, size, "the X server failed to turn off CRTC 0x%" PRIx32, op->crtc);
        else
                snprintf(buf, size, "%s failed", vmodes_layout_op_name(op->type));
}

/* What a restore sends and then waits for. Each request is a void one, a
 * SetCrtcConfig whose status counts, or one whose status does not
 * (turning a CRTC off first). */
enum restore_kind { RESTORE_VOID, RESTORE_CRTC, RESTORE_CRTC_OFF };
#define RESTORE_REQUESTS_MAX (VMODES_LAYOUT_CRTCS_MAX * 2 + VMODES_LAYOUT_OPS_MAX * 2 + 2)

struct restore {
        struct vmodes_randr *r;
        const struct vmodes_layout_state *s;  /* as before the plan */
        bool touched[VMODES_LAYOUT_CRTCS_MAX]; /* CRTCs the plan set or turned off */
        bool size_changed, primary_changed;
        unsigned needw, needh;                 /* the smallest screen the untouched CRTCs allow */
        xcb_timestamp_t config_timestamp;
        unsigned n;
        unsigned seq[RESTORE_REQUESTS_MAX];
        enum restore_kind kind[RESTORE_REQUESTS_MAX];
};

static void restore_send(struct restore *t, enum restore_kind kind, unsigned sequence)
{
        t->kind[t->n] = kind;
        t->seq[t->n++] = sequence;
}

/* What the executed part of the plan (ops before done) touched. */
static void restore_scan(struct restore *t, const struct vmodes_layout_plan *plan, unsigned done)
{
        const struct vmodes_layout_state *s = t->s;

        for (unsigned i = 0; i < done && i < plan->n_ops; i++) {
                const struct vmodes_layout_op *op = &plan->ops[i];
                if (op->type == VMODES_OP_SET_CRTC || op->type == VMODES_OP_DISABLE_CRTC) {
                        for (unsigned c = 0; c < s->n_crtcs; c++)
                                if (s->crtcs[c].id == op->crtc)
                                        t->touched[c] = true;
                } else if (op->type == VMODES_OP_SET_SCREEN_SIZE)
                        t->size_changed = true;
                else if (op->type == VMODES_OP_SET_PRIMARY)
                        t->primary_changed = true;
        }
}

static void grow(unsigned *needw, unsigned *needh, int x, int y, unsigned w, unsigned h)
{
        if ((unsigned)x + w > *needw)
                *needw = (unsigned)x + w;
        if ((unsigned)y + h > *needh)
                *needh = (unsigned)y + h;
}

/* The screen as it is now: the touched CRTCs go off, the others decide how
 * small the screen may be. */
static void restore_off(struct restore *t)
{
        struct vmodes_randr *r = t->r;
        const struct vmodes_layout_state *s = t->s;
        unsigned crtc_seq[VMODES_LAYOUT_CRTCS_MAX];
        xcb_randr_get_screen_resources_current_cookie_t res_ck = xcb_randr_get_screen_resources_current(r->c, r->root);
        xcb_randr_get_screen_resources_current_reply_t *res;

        for (unsigned c = 0; c < s->n_crtcs; c++)
                crtc_seq[c] = xcb_randr_get_crtc_info(r->c, s->crtcs[c].id, XCB_CURRENT_TIME).sequence;
        xcb_flush(r->c);
        res = xcb_randr_get_screen_resources_current_reply(r->c, res_ck, NULL);
        t->config_timestamp = res ? res->config_timestamp : r->config_timestamp;
        free(res);
        for (unsigned c = 0; c < s->n_crtcs; c++) {
                xcb_randr_get_crtc_info_cookie_t ck = { crtc_seq[c] };
                xcb_randr_get_crtc_info_reply_t *ci = xcb_randr_get_crtc_info_reply(r->c, ck, NULL);
                if (!ci)
                        continue;
                if (t->touched[c] && ci->mode)
                        restore_send(t, RESTORE_CRTC_OFF,
                                     set_crtc(r, t->config_timestamp, s->crtcs[c].id, 0, 0, XCB_NONE,
                                              XCB_RANDR_ROTATION_ROTATE_0, NULL, 0));
                else if (ci->mode)
                        grow(&t->needw, &t->needh, ci->x, ci->y, ci->width, ci->height);
                free(ci);
        }
}

/* The old size (unless CRTCs the plan did not touch, a server changing its
 * own layout, need more), the touched CRTCs as they were, the primary. */
static void restore_layout(struct restore *t)
{
        struct vmodes_randr *r = t->r;
        const struct vmodes_layout_state *s = t->s;
        int mmw, mmh;

        if (t->size_changed) {
                for (unsigned c = 0; c < s->n_crtcs; c++)
                        if (t->touched[c] && s->crtcs[c].mode)
                                grow(&t->needw, &t->needh, s->crtcs[c].x, s->crtcs[c].y, s->crtcs[c].width,
                                     s->crtcs[c].height);
                screen_mm(r, s, t->needw, t->needh, &mmw, &mmh);
                restore_send(t, RESTORE_VOID,
                             xcb_randr_set_screen_size_checked(r->c, r->root, (uint16_t)t->needw, (uint16_t)t->needh,
                                                               (uint32_t)mmw, (uint32_t)mmh).sequence);
        }
        for (unsigned c = 0; c < s->n_crtcs; c++) {
                const struct vmodes_layout_crtc *cr = &s->crtcs[c];
                if (t->touched[c] && cr->mode)
                        restore_send(t, RESTORE_CRTC,
                                     set_crtc(r, t->config_timestamp, cr->id, cr->x, cr->y, cr->mode, cr->rotation,
                                              cr->outputs, cr->n_outputs));
        }
        if (t->primary_changed)
                restore_send(t, RESTORE_VOID, xcb_randr_set_output_primary_checked(r->c, r->root, s->primary).sequence);
}

/* Modes the plan added to outputs (the planner adds a mode only to an
 * output that lacks it) off them again, the modes it created destroyed. */
static void restore_modes(struct restore *t, const struct vmodes_layout_plan *plan, unsigned done,
                          const uint32_t *created, const bool *refused)
{
        struct vmodes_randr *r = t->r;

        for (unsigned i = 0; i < done && i < plan->n_ops; i++) {
                const struct vmodes_layout_op *op = &plan->ops[i];
                uint32_t mode = op->ref.created >= 0 ? created[op->ref.created] : op->ref.id;
                if (op->type == VMODES_OP_ADD_MODE && mode && !refused[i])
                        restore_send(t, RESTORE_VOID, xcb_randr_delete_output_mode_checked(r->c, op->output, mode).sequence);
        }
        for (unsigned i = 0; i < done && i < plan->n_ops; i++)
                if (plan->ops[i].type == VMODES_OP_CREATE_MODE && created[i])
                        restore_send(t, RESTORE_VOID, xcb_randr_destroy_mode_checked(r->c, created[i]).sequence);
}

/* One wait for all of it. Returns the number of requests that failed. */
static unsigned restore_wait(struct restore *t)
{
        unsigned failed = 0;

        xcb_flush(t->r->c);
        for (unsigned i = 0; i < t->n; i++) {
                xcb_generic_error_t *e = NULL;
                if (t->kind[i] != RESTORE_VOID) {
                        xcb_randr_set_crtc_config_cookie_t ck = { t->seq[i] };
                        xcb_randr_set_crtc_config_reply_t *p = xcb_randr_set_crtc_config_reply(t->r->c, ck, &e);
                        if (p && t->kind[i] == RESTORE_CRTC && p->status != XCB_RANDR_SET_CONFIG_SUCCESS)
                                failed++;
                        free(p);
                } else
                        e = xcb_request_check(t->r->c, (xcb_void_cookie_t){ t->seq[i] });
                if (e)
                        failed++;
                free(e);
        }
        return failed;
}

/* Puts back what the executed part of the plan (ops before `done`) changed:
 * the CRTCs it set or turned off, the screen size, the primary output, the
 * modes it added to outputs (every one of them, also modes other outputs
 * offered before; not the ones whose addition the server refused: a request
 * that fails changes nothing), and removes the modes it created. Only what
 * the plan touched: a server that changes its own layout meanwhile (Xvnc,
 * for its clients) keeps those changes. Returns the number of steps that
 * failed. */
static unsigned restore(struct vmodes_randr *r, const struct vmodes_layout_state *s,
                        const struct vmodes_layout_plan *plan, unsigned done, const uint32_t *created,
                        const bool *refused)
{
        _cleanup_(freep) struct restore *t = calloc(1, sizeof(*t));

        if (!t)
                return 1;
        t->r = r;
        t->s = s;
        t->needw = s->width;
        t->needh = s->height;
        restore_scan(t, plan, done);
        restore_off(t);
        restore_layout(t);
        restore_modes(t, plan, done, created, refused);
        return restore_wait(t);
}

/* Long because: the send-and-check loop, the explanation and the restore
 * share the per-operation arrays; split, each part would take all of them. */
static int randr_execute(struct vmodes_randr *r, const struct vmodes_layout_state *s,
                         const struct vmodes_layout_plan *plan, struct vmodes_error *err)
{
        uint32_t *created;
        unsigned *seq;
        bool *refused; /* the server turned that operation down */
        unsigned sent = 0, checked = 0;
        bool removing = false;
        int ret = 0, failed_op = -1;
        uint8_t code = 0;
        char why[256] = "";

        r->stats.execute_round_trips = 0;
        r->stats.execute_requests = 0;
        if (plan->n_ops == 0)
                return 0;
        if (!r->queried)
                return vmodes_error_set(err, -EINVAL, "no RandR query before executing a plan");
        created = calloc(plan->n_ops, sizeof(*created));
        seq = calloc(plan->n_ops, sizeof(*seq));
        refused = calloc(plan->n_ops, sizeof(*refused));
        if (!created || !seq || !refused) {
                free(created);
                free(seq);
                free(refused);
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        }

        randr_lock(r);
        /* Operations go out without waiting, and their answers are read in
         * one go: before an operation that needs the id of a mode the plan
         * creates, before the first mode removal (nothing is removed unless
         * the layout change worked), and at the end. The answers of one go
         * are all read; the first failure counts. */
        for (unsigned i = 0; i <= plan->n_ops && ret == 0; i++) {
                const struct vmodes_layout_op *op = i < plan->n_ops ? &plan->ops[i] : NULL;
                bool removal = op && (op->type == VMODES_OP_DELETE_MODE || op->type == VMODES_OP_DESTROY_MODE);

                if (checked < sent && (!op || (op->ref.created >= 0 && (unsigned)op->ref.created >= checked) ||
                                       (removal && !removing))) {
                        xcb_flush(r->c);
                        r->stats.execute_round_trips++;
                        for (; checked < sent; checked++) {
                                uint8_t c = 0;
                                int k = answer(r, &plan->ops[checked], seq[checked], &created[checked], &c);
                                refused[checked] = k < 0;
                                if (k < 0 && ret == 0) {
                                        ret = k;
                                        failed_op = (int)checked;
                                        code = c;
                                }
                        }
                }
                if (!op || ret < 0)
                        break;
                removing = removing || removal;
                seq[i] = issue(r, s, op, created);
                sent = i + 1;
        }

        if (ret == -ECONNRESET || gone(r))
                ret = lost(r, err);
        else if (ret < 0) {
                const struct vmodes_layout_op *op = &plan->ops[failed_op];
                if (code)
                        explain(why, sizeof(why), op, code, r->error_base, s, plan);
                else
                        explain_status(why, sizeof(why), op, ret, s, plan);
                if (op->type == VMODES_OP_DELETE_MODE || op->type == VMODES_OP_DESTROY_MODE) {
                        /* the layout itself is in place; only a removal failed */
                        vmodes_error_set(err, ret, "%s; the new layout is in place", why);
                } else {
                        unsigned bad = restore(r, s, plan, sent, created, refused);
                        if (gone(r))
                                ret = lost(r, err);
                        else if (bad)
                                vmodes_error_set(err, ret, "%s; restoring the previous layout failed in %u step%s, check with "
                                     "'vmodes list'", why, bad, bad == 1 ? "" : "s");
                        else
                                vmodes_error_set(err, ret, "%s; the previous layout is back", why);
                }
        }
        /* the last answer has come in: the ungrab needs no round trip of its own */
        randr_unlock(r, NULL);
        free(created);
        free(seq);
        free(refused);
        return ret;
}

/* ---- the display seam (display.h) ------------------------------------------------ */

static int x11_open(const char *display, void **impl, struct vmodes_error *err)
{
        return randr_open(display, impl, err);
}

static void x11_free(void *impl)
{
        randr_free(impl);
}

static const char *x11_display_name(const void *impl)
{
        const struct vmodes_randr *r = impl;

        return r->name;
}

static int x11_get_fd(const void *impl)
{
        const struct vmodes_randr *r = impl;

        return xcb_get_file_descriptor(r->c);
}

static void x11_lock(void *impl)
{
        randr_lock(impl);
}

static int x11_unlock(void *impl, struct vmodes_error *err)
{
        return randr_unlock(impl, err);
}

static void x11_set_probe(void *impl, bool probe)
{
        randr_set_probe(impl, probe);
}

static int x11_query(void *impl, struct vmodes_layout_state *state, struct vmodes_error *err)
{
        return randr_query(impl, state, err);
}

static int x11_execute(void *impl, const struct vmodes_layout_state *state, const struct vmodes_layout_plan *plan,
                       struct vmodes_error *err)
{
        return randr_execute(impl, state, plan, err);
}

static int x11_watch(void *impl, struct vmodes_error *err)
{
        struct vmodes_randr *r = impl;

        xcb_randr_select_input(r->c, r->root,
                               XCB_RANDR_NOTIFY_MASK_SCREEN_CHANGE | XCB_RANDR_NOTIFY_MASK_OUTPUT_CHANGE |
                                       XCB_RANDR_NOTIFY_MASK_CRTC_CHANGE);
        xcb_flush(r->c);
        return gone(r) ? lost(r, err) : 0;
}

/* A new screen size (and its millimetres) comes with ScreenChangeNotify:
 * what the DPI of the next resize is kept from. */
static void screen_changed(struct vmodes_randr *r, const xcb_randr_screen_change_notify_event_t *ev)
{
        bool rotated = ev->rotation & (XCB_RANDR_ROTATION_ROTATE_90 | XCB_RANDR_ROTATION_ROTATE_270);

        r->width = rotated ? ev->height : ev->width;
        r->height = rotated ? ev->width : ev->height;
        r->mm_width = rotated ? ev->mheight : ev->mwidth;
        r->mm_height = rotated ? ev->mwidth : ev->mheight;
}

static int x11_dispatch(void *impl, bool *changed, struct vmodes_error *err)
{
        struct vmodes_randr *r = impl;
        xcb_generic_event_t *ev;

        while ((ev = xcb_poll_for_event(r->c))) {
                int type = ev->response_type & 0x7f;
                if (type == r->event_base + XCB_RANDR_SCREEN_CHANGE_NOTIFY)
                        screen_changed(r, (const xcb_randr_screen_change_notify_event_t *)ev);
                if (type == r->event_base + XCB_RANDR_SCREEN_CHANGE_NOTIFY || type == r->event_base + XCB_RANDR_NOTIFY)
                        *changed = true;
                free(ev);
        }
        return gone(r) ? lost(r, err) : 0;
}

static void x11_get_caps(const void *impl, struct vmodes_display_caps *caps)
{
        const struct vmodes_randr *r = impl;

        caps->create_modes = true;
        caps->probe = true;
        caps->lock = true;
        caps->version_major = r->major_version;
        caps->version_minor = r->minor_version;
        caps->primary = r->major_version > 1 || r->minor_version >= 3;
        snprintf(caps->provider, sizeof(caps->provider), "%s", r->queried ? r->provider : "");
}

static void x11_get_stats(const void *impl, struct vmodes_display_stats *stats)
{
        const struct vmodes_randr *r = impl;

        *stats = r->stats;
}

const struct vmodes_display_ops vmodes_display_x11_randr = {
        .name = "x11-randr",
        .open = x11_open,
        .free = x11_free,
        .display_name = x11_display_name,
        .get_fd = x11_get_fd,
        .lock = x11_lock,
        .unlock = x11_unlock,
        .set_probe = x11_set_probe,
        .query = x11_query,
        .execute = x11_execute,
        .watch = x11_watch,
        .dispatch = x11_dispatch,
        .get_caps = x11_get_caps,
        .get_stats = x11_get_stats,
};
