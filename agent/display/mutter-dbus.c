/* SPDX-License-Identifier: MIT */
/* The GNOME backend of the display seam (mutter-dbus.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "agent/display/backend.h"
#include "agent/display/deadline.h"
#include "agent/display/mutter-dbus.h"

#define MUTTER_NAME "org.gnome.Mutter.DisplayConfig"
#define MUTTER_PATH "/org/gnome/Mutter/DisplayConfig"
#define MUTTER_IFACE "org.gnome.Mutter.DisplayConfig"
/* ApplyMonitorsConfig's temporary method. The persistent one makes
 * gnome-shell ask "Keep these display settings?" and go back to the old
 * layout unless someone answers within 20 s (measured in the QXL VM: a
 * session agent's apply at login stayed unconfirmed, and mutter never
 * wrote the user's monitors.xml); the stored layout is vmodes' to keep. */
#define METHOD_TEMPORARY 1u
/* 59.810 Hz (CVT's 1280x800@60) takes mutter's 60.000 */
#define CRTC_BASE 0x100
/* mutter's mode ids ("1920x1080@60.000") */
#define MODE_ID_MAX 64

/* What one monitor is beside the layout state: its mode ids, scale and
 * transform. */
struct monitor {
        char connector[VMODES_LAYOUT_NAME_MAX];
        unsigned n_modes;
        uint32_t mode[VMODES_LAYOUT_OUTPUT_MODES_MAX];  /* state mode id */
        char mode_id[VMODES_LAYOUT_OUTPUT_MODES_MAX][MODE_ID_MAX];
        double scale;
        uint32_t transform;
};

struct mutter {
        sd_bus *bus;
        sd_bus_slot *changed_slot, *owner_slot;
        bool changed;
        bool gone; /* mutter left the bus */
        uint32_t serial;
        unsigned n_monitors;
        struct monitor monitors[VMODES_LAYOUT_OUTPUTS_MAX];
        struct vmodes_display_stats stats;
};

static int bus_error(struct vmodes_error *err, int r, const sd_bus_error *e, const char *what)
{
        if (r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE)
                return vmodes_error_set(err, -ECONNRESET, "lost the connection to GNOME's mutter (%s): %s", what,
                                        strerror(-r));
        /* mutter left the bus (it quit or crashed) before it answered */
        if (e && (sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) || sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
                  sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER)))
                return vmodes_error_set(err, -ECONNRESET, "GNOME's mutter went away before it answered %s (%s)", what,
                                        e->name);
        if (e && sd_bus_error_is_set(e))
                return vmodes_error_set(err, -EIO, "GNOME's mutter refused %s: %s (%s)", what, e->message ? e->message : "",
                                        e->name);
        return vmodes_error_set(err, -EIO, "%s through GNOME's mutter failed: %s", what, strerror(-r));
}

static void mutter_free(void *impl)
{
        struct mutter *m = impl;

        if (!m)
                return;
        sd_bus_slot_unref(m->changed_slot);
        sd_bus_slot_unref(m->owner_slot);
        sd_bus_flush_close_unref(m->bus);
        free(m);
}

static int mutter_open(const char *name, void **impl, struct vmodes_error *err)
{
        struct mutter *m = calloc(1, sizeof(*m));
        sd_bus_error e = SD_BUS_ERROR_NULL;
        const char *owner = NULL;
        sd_bus_message *reply = NULL;
        int r;

        (void)name;
        if (!m)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        r = sd_bus_open_user(&m->bus);
        if (r < 0) {
                free(m);
                return vmodes_error_set(err, -ENXIO, "cannot reach the session bus (for GNOME's mutter): %s", strerror(-r));
        }
        /* mutter may be slow (drawing with llvmpipe in a VM): longer than
         * sd-bus' 25 s, and than the programs' bounds, which speak first */
        sd_bus_set_method_call_timeout(m->bus, (uint64_t)VMODES_DEADLINE_BUS_SECONDS * 1000000u);
        r = sd_bus_call_method(m->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetNameOwner", &e, &reply, "s", MUTTER_NAME);
        if (r >= 0)
                r = sd_bus_message_read(reply, "s", &owner);
        sd_bus_message_unref(reply);
        if (r < 0) {
                vmodes_error_set(err, -ENXIO, "GNOME's mutter is not on the session bus (%s: %s)", MUTTER_NAME,
                                 sd_bus_error_is_set(&e) ? e.message : strerror(-r));
                sd_bus_error_free(&e);
                mutter_free(m);
                return -ENXIO;
        }
        *impl = m;
        return 0;
}

static const char *mutter_display_name(const void *impl)
{
        (void)impl;
        return "GNOME (mutter)";
}

static int mutter_get_fd(const void *impl)
{
        const struct mutter *m = impl;

        return sd_bus_get_fd(m->bus);
}

/* One "a{sv}" of a mode: is-current, is-preferred. */
static int read_mode_props(sd_bus_message *msg, bool *current, bool *preferred)
{
        int r = sd_bus_message_enter_container(msg, 'a', "{sv}");

        while (r >= 0 && (r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key;
                int b = 0;

                r = sd_bus_message_read(msg, "s", &key);
                if (r >= 0 && (!strcmp(key, "is-current") || !strcmp(key, "is-preferred"))) {
                        r = sd_bus_message_read(msg, "v", "b", &b);
                        if (!strcmp(key, "is-current"))
                                *current = b;
                        else
                                *preferred = b;
                } else if (r >= 0) {
                        r = sd_bus_message_skip(msg, "v");
                }
                if (r >= 0)
                        r = sd_bus_message_exit_container(msg);
        }
        return r < 0 ? r : sd_bus_message_exit_container(msg);
}

/* One monitor: ((ssss) a(siiddada{sv}) a{sv}). */
static int read_monitor(struct mutter *m, struct vmodes_layout_state *st, sd_bus_message *msg, uint32_t *current)
{
        struct vmodes_layout_output *o = &st->outputs[st->n_outputs];
        struct monitor *mon = &m->monitors[st->n_outputs];
        const char *connector, *vendor, *product, *serial;
        uint32_t preferred = 0;
        int r;

        memset(o, 0, sizeof(*o));
        memset(mon, 0, sizeof(*mon));
        *current = 0;
        r = sd_bus_message_read(msg, "(ssss)", &connector, &vendor, &product, &serial);
        if (r < 0)
                return r;
        if (!*connector || strlen(connector) >= sizeof(o->name))
                return -EBADMSG;
        o->id = st->n_outputs + 1;
        snprintf(o->name, sizeof(o->name), "%s", connector);
        snprintf(mon->connector, sizeof(mon->connector), "%s", connector);
        mon->scale = 1.0;
        o->connection = VMODES_LAYOUT_CONNECTED;
        /* mutter answers the host's size requests itself (its native
         * backend reads the connector's hotplug_mode_update): the session
         * agent's auto-fit stays out of GNOME's way */
        o->hotplug_mode_update = true;
        o->n_crtcs = 1;
        o->crtcs[0] = CRTC_BASE + o->id;
        r = sd_bus_message_enter_container(msg, 'a', "(siiddada{sv})");
        while (r >= 0 && (r = sd_bus_message_enter_container(msg, 'r', "siiddada{sv}")) > 0) {
                const char *id;
                int32_t w, h;
                double refresh, pref_scale;
                bool is_current = false, is_preferred = false;
                uint32_t sid;

                r = sd_bus_message_read(msg, "siidd", &id, &w, &h, &refresh, &pref_scale);
                if (r >= 0)
                        r = sd_bus_message_skip(msg, "ad");
                if (r >= 0)
                        r = read_mode_props(msg, &is_current, &is_preferred);
                if (r >= 0)
                        r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        break;
                sid = w > 0 && h > 0 ? vmodes_layout_add_loose_mode(st, (unsigned)w, (unsigned)h, llround(refresh * 1000.0)) : 0;
                if (!sid || mon->n_modes >= VMODES_LAYOUT_OUTPUT_MODES_MAX || strlen(id) >= MODE_ID_MAX)
                        continue;
                mon->mode[mon->n_modes] = sid;
                snprintf(mon->mode_id[mon->n_modes++], MODE_ID_MAX, "%s", id);
                o->modes[o->n_modes++] = sid;
                if (is_current)
                        *current = sid;
                if (is_preferred && !preferred)
                        preferred = sid;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(msg);
        if (r >= 0)
                r = sd_bus_message_skip(msg, "a{sv}");
        if (r < 0)
                return r;
        /* the preferred mode first (the host's size on a virtual GPU) */
        for (unsigned i = 1; preferred && i < o->n_modes; i++)
                if (o->modes[i] == preferred) {
                        memmove(&o->modes[1], &o->modes[0], i * sizeof(o->modes[0]));
                        o->modes[0] = preferred;
                        break;
                }
        o->n_preferred = preferred ? 1 : 0;
        st->n_outputs++;
        return 0;
}

/* The logical monitors: (iiduba(ssss)a{sv}) each; sets the CRTCs' places. */
static int read_logical(struct mutter *m, struct vmodes_layout_state *st, sd_bus_message *msg)
{
        int r = sd_bus_message_enter_container(msg, 'a', "(iiduba(ssss)a{sv})");

        while (r >= 0 && (r = sd_bus_message_enter_container(msg, 'r', "iiduba(ssss)a{sv}")) > 0) {
                int32_t x, y;
                double scale;
                uint32_t transform;
                int primary;
                const char *connector, *vendor, *product, *serial;

                r = sd_bus_message_read(msg, "iidub", &x, &y, &scale, &transform, &primary);
                if (r >= 0)
                        r = sd_bus_message_enter_container(msg, 'a', "(ssss)");
                while (r >= 0 && (r = sd_bus_message_read(msg, "(ssss)", &connector, &vendor, &product, &serial)) > 0) {
                        for (unsigned i = 0; i < st->n_outputs; i++) {
                                struct vmodes_layout_crtc *c = &st->crtcs[i];
                                if (strcmp(st->outputs[i].name, connector) || !c->mode)
                                        continue;
                                c->x = x;
                                c->y = y;
                                m->monitors[i].scale = scale;
                                m->monitors[i].transform = transform;
                                if (primary)
                                        st->primary = st->outputs[i].id;
                        }
                }
                if (r >= 0)
                        r = sd_bus_message_exit_container(msg);
                if (r >= 0)
                        r = sd_bus_message_skip(msg, "a{sv}");
                if (r >= 0)
                        r = sd_bus_message_exit_container(msg);
        }
        return r < 0 ? r : sd_bus_message_exit_container(msg);
}

static int mutter_query(void *impl, struct vmodes_layout_state *st, struct vmodes_error *err)
{
        struct mutter *m = impl;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        uint32_t current[VMODES_LAYOUT_OUTPUTS_MAX] = { 0 };
        int r;

        memset(st, 0, sizeof(*st));
        st->loose_tolerance_mhz = VMODES_LAYOUT_KERNEL_RATE_TOLERANCE_MHZ;
        st->layout_at_origin = true;
        m->stats.query_round_trips = 1;
        r = sd_bus_call_method(m->bus, MUTTER_NAME, MUTTER_PATH, MUTTER_IFACE, "GetCurrentState", &e, &reply, "");
        if (r < 0) {
                r = bus_error(err, r, &e, "GetCurrentState");
                sd_bus_error_free(&e);
                return r;
        }
        r = sd_bus_message_read(reply, "u", &m->serial);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "((ssss)a(siiddada{sv})a{sv})");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'r', "(ssss)a(siiddada{sv})a{sv}")) > 0) {
                if (st->n_outputs >= VMODES_LAYOUT_OUTPUTS_MAX) {
                        sd_bus_message_unref(reply);
                        return vmodes_error_set(err, -E2BIG, "GNOME's mutter has more than %d monitors",
                                                VMODES_LAYOUT_OUTPUTS_MAX);
                }
                r = read_monitor(m, st, reply, &current[st->n_outputs]);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        m->n_monitors = st->n_outputs;
        st->n_crtcs = st->n_outputs;
        for (unsigned i = 0; i < st->n_crtcs; i++) {
                struct vmodes_layout_crtc *c = &st->crtcs[i];
                const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(st, current[i]);

                c->id = CRTC_BASE + st->outputs[i].id;
                c->rotation = VMODES_LAYOUT_ROTATE_0;
                if (!sm)
                        continue;
                c->mode = sm->id;
        }
        if (r >= 0)
                r = read_logical(m, st, reply);
        sd_bus_message_unref(reply);
        if (r < 0)
                return vmodes_error_set(err, -EIO, "GNOME's mutter sent a GetCurrentState reply vmodes cannot read: %s",
                                        strerror(-r));
        /* mutter marks a mode current only on a monitor that is on */
        for (unsigned i = 0; i < st->n_crtcs; i++) {
                struct vmodes_layout_crtc *c = &st->crtcs[i];
                const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(st, c->mode);

                if (!sm)
                        continue;
                c->width = sm->mode.hdisplay;
                c->height = sm->mode.vdisplay;
                c->n_outputs = 1;
                c->outputs[0] = st->outputs[i].id;
                st->outputs[i].crtc = c->id;
        }
        vmodes_layout_state_screenless(st);
        return 0;
}

/* ---- execute --------------------------------------------------------------------- */

static const char *mode_id_of(const struct monitor *mon, uint32_t sid)
{
        for (unsigned i = 0; i < mon->n_modes; i++)
                if (mon->mode[i] == sid)
                        return mon->mode_id[i];
        return NULL;
}

/* -ENOTSUP: the mode of op (made by the plan or taken from another
 * monitor) is not one mutter offers on output i. */
static int not_offered(const struct mutter *m, const struct vmodes_layout_state *st,
                       const struct vmodes_layout_plan *plan, const struct vmodes_layout_op *op, unsigned i,
                       struct vmodes_error *err)
{
        const struct vmodes_mode *want = op->ref.created >= 0 ? &plan->ops[op->ref.created].mode : &op->mode;
        char list[512];

        vmodes_layout_mode_list(st, m->monitors[i].mode, m->monitors[i].n_modes, list, sizeof(list));
        return vmodes_error_set(err, -ENOTSUP,
                                "GNOME's mutter offers no %ux%u mode at %.2f Hz on %s (it has %s): GNOME uses only "
                                "the modes the kernel lists for the connector",
                                want->hdisplay, want->vdisplay, vmodes_mode_refresh(want), st->outputs[i].name, list);
}

static int apply_layout(struct mutter *m, const struct vmodes_layout_state *st, const struct vmodes_layout_target *t,
                        uint32_t primary, struct vmodes_error *err)
{
        sd_bus_message *call = NULL, *reply = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        bool primary_lit = false;
        int r;

        for (unsigned i = 0; i < st->n_outputs; i++)
                primary_lit |= t[i].lit && st->outputs[i].id == primary;
        r = sd_bus_message_new_method_call(m->bus, &call, MUTTER_NAME, MUTTER_PATH, MUTTER_IFACE, "ApplyMonitorsConfig");
        if (r >= 0)
                r = sd_bus_message_append(call, "uu", m->serial, METHOD_TEMPORARY);
        if (r >= 0)
                r = sd_bus_message_open_container(call, 'a', "(iiduba(ssa{sv}))");
        for (unsigned i = 0; r >= 0 && i < st->n_outputs; i++) {
                const struct monitor *mon = &m->monitors[i];
                bool is_primary;

                if (!t[i].lit)
                        continue;
                /* mutter wants one primary: the first lit head when the primary is off */
                is_primary = primary_lit ? st->outputs[i].id == primary : true;
                primary_lit |= is_primary;
                r = sd_bus_message_append(call, "(iiduba(ssa{sv}))", t[i].x, t[i].y, mon->scale, mon->transform,
                                          is_primary, 1, mon->connector, mode_id_of(mon, t[i].mode), 0);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(call);
        if (r >= 0)
                r = sd_bus_message_append(call, "a{sv}", 0);
        if (r >= 0) {
                m->stats.execute_round_trips++;
                m->stats.execute_requests++;
                r = sd_bus_call(m->bus, call, 0, &e, &reply);
        }
        sd_bus_message_unref(call);
        sd_bus_message_unref(reply);
        if (r < 0)
                r = bus_error(err, r, &e, "the layout (ApplyMonitorsConfig)");
        sd_bus_error_free(&e);
        return r;
}

/* Does the state show what t says for output i? */
static bool shows(const struct vmodes_layout_state *now, const struct vmodes_layout_state *st, unsigned i,
                  const struct vmodes_layout_target *t, char *have, size_t size)
{
        const struct vmodes_layout_output *o = vmodes_layout_output_by_name(now, st->outputs[i].name);
        const struct vmodes_layout_crtc *c = o && o->crtc ? vmodes_layout_crtc_by_id(now, o->crtc) : NULL;
        const struct vmodes_layout_smode *have_m = c ? vmodes_layout_mode_by_id(now, c->mode) : NULL;
        const struct vmodes_layout_smode *want_m = vmodes_layout_mode_by_id(st, t->mode);

        if (!o)
                snprintf(have, size, "no monitor %s any more", st->outputs[i].name);
        else if (!have_m)
                snprintf(have, size, "%s off", o->name);
        else
                snprintf(have, size, "%s at %s +%d+%d", o->name, have_m->mode.name, c->x, c->y);
        if (!o || !have_m || !t->lit)
                return o && !have_m && !t->lit;
        return want_m && vmodes_layout_mode_distance(now, have_m, &want_m->mode) == 0 && c->x == t->x && c->y == t->y;
}

static int mutter_execute(void *impl, const struct vmodes_layout_state *st, const struct vmodes_layout_plan *plan,
                          struct vmodes_error *err)
{
        struct mutter *m = impl;
        struct vmodes_layout_target t[VMODES_LAYOUT_CRTCS_MAX];
        struct vmodes_layout_state *now;
        uint32_t primary;
        int r;

        m->stats.execute_round_trips = m->stats.execute_requests = 0;
        for (unsigned k = 0; k < plan->n_ops; k++) {
                const struct vmodes_layout_op *op = &plan->ops[k];
                unsigned i = op->crtc - CRTC_BASE - 1;

                if (op->type == VMODES_OP_ADD_MODE) {
                        /* a mode mutter does not offer (the planner adds only those) */
                        const struct vmodes_layout_output *o = vmodes_layout_output_by_id(st, op->output);
                        if (o)
                                return not_offered(m, st, plan, op, (unsigned)(o - st->outputs), err);
                        continue;
                }
                if (op->type != VMODES_OP_SET_CRTC && op->type != VMODES_OP_DISABLE_CRTC)
                        continue;
                if (op->crtc <= CRTC_BASE || i >= st->n_outputs)
                        return vmodes_error_set(err, -EINVAL, "the plan names CRTC 0x%" PRIx32 ", which mutter does not have",
                                                op->crtc);
                if (op->type == VMODES_OP_SET_CRTC && (op->ref.created >= 0 || !mode_id_of(&m->monitors[i], op->ref.id)))
                        return not_offered(m, st, plan, op, i, err);
        }
        vmodes_layout_plan_targets(st, plan, t, &primary);
        r = apply_layout(m, st, t, primary, err);
        if (r < 0)
                return r;
        now = malloc(sizeof(*now));
        if (!now)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        /* read back: mutter has applied the layout when it answers (the
         * query makes the monitors' table again, which the state's ids
         * still match: mutter's list did not change) */
        r = mutter_query(m, now, err);
        for (unsigned i = 0; r >= 0 && i < st->n_outputs; i++) {
                char have[200];
                if (!shows(now, st, i, &t[i], have, sizeof(have))) {
                        const struct vmodes_layout_smode *w = vmodes_layout_mode_by_id(st, t[i].mode);
                        if (t[i].lit)
                                r = vmodes_error_set(err, -EIO, "GNOME's mutter shows %s, not %s at %s +%d+%d", have,
                                                     st->outputs[i].name, w ? w->mode.name : "?", t[i].x, t[i].y);
                        else
                                r = vmodes_error_set(err, -EIO, "GNOME's mutter shows %s, not %s off", have,
                                                     st->outputs[i].name);
                }
        }
        free(now);
        return r;
}

/* ---- events ---------------------------------------------------------------------- */

static int on_changed(sd_bus_message *msg, void *userdata, sd_bus_error *e)
{
        struct mutter *m = userdata;

        (void)msg;
        (void)e;
        m->changed = true;
        return 0;
}

/* NameOwnerChanged of mutter's name: an empty new owner is mutter gone */
static int on_owner(sd_bus_message *msg, void *userdata, sd_bus_error *e)
{
        struct mutter *m = userdata;
        const char *name, *old, *new;

        (void)e;
        if (sd_bus_message_read(msg, "sss", &name, &old, &new) >= 0 && !strcmp(name, MUTTER_NAME) && !*new)
                m->gone = true;
        return 0;
}

static int mutter_watch(void *impl, struct vmodes_error *err)
{
        struct mutter *m = impl;
        int r;

        if (m->changed_slot)
                return 0;
        r = sd_bus_match_signal(m->bus, &m->changed_slot, MUTTER_NAME, MUTTER_PATH, MUTTER_IFACE, "MonitorsChanged",
                                on_changed, m);
        if (r >= 0)
                r = sd_bus_match_signal(m->bus, &m->owner_slot, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "NameOwnerChanged", on_owner, m);
        return r < 0 ? bus_error(err, r, NULL, "watching MonitorsChanged") : 0;
}

static int mutter_dispatch(void *impl, bool *changed, struct vmodes_error *err)
{
        struct mutter *m = impl;
        int r;

        while ((r = sd_bus_process(m->bus, NULL)) > 0)
                ;
        if (r < 0)
                return bus_error(err, r, NULL, "the session bus");
        if (m->gone)
                return vmodes_error_set(err, -ECONNRESET, "GNOME's mutter left the session bus");
        *changed = m->changed;
        m->changed = false;
        return 0;
}

static void mutter_get_caps(const void *impl, struct vmodes_display_caps *caps)
{
        (void)impl;
        caps->primary = true;
        snprintf(caps->provider, sizeof(caps->provider), "mutter");
}

static void mutter_get_stats(const void *impl, struct vmodes_display_stats *stats)
{
        const struct mutter *m = impl;

        *stats = m->stats;
}

const struct vmodes_display_ops vmodes_display_mutter = {
        .name = "mutter",
        .open = mutter_open,
        .free = mutter_free,
        .display_name = mutter_display_name,
        .get_fd = mutter_get_fd,
        .query = mutter_query,
        .execute = mutter_execute,
        .watch = mutter_watch,
        .dispatch = mutter_dispatch,
        .get_caps = mutter_get_caps,
        .get_stats = mutter_get_stats,
};
