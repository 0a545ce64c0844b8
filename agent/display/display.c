/* SPDX-License-Identifier: MIT */
/* The display seam: one backend's ops behind one handle (display.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/common/desktop.h"
#include "agent/display/display.h"
#include "agent/display/mutter-dbus.h"
#include "agent/display/sway-ipc.h"
#include "agent/display/x11-randr.h"

struct vmodes_display {
        const struct vmodes_display_ops *ops;
        void *impl;
};

enum vmodes_display_kind vmodes_display_session(char *why, size_t size)
{
        const char *sway = getenv("SWAYSOCK"), *wayland = getenv("WAYLAND_DISPLAY");
        const char *type = getenv("XDG_SESSION_TYPE"), *x = getenv("DISPLAY");

        if (sway && *sway) {
                snprintf(why, size, "sway (%s)", sway);
                return VMODES_DISPLAY_SWAY;
        }
        /* gnome-session starts autostart entries before WAYLAND_DISPLAY is
         * set, and DISPLAY may then name an Xwayland, whose modes are a
         * pretence for X clients */
        if ((wayland && *wayland) || (type && !strcmp(type, "wayland"))) {
                if (vmodes_desktop_listed(getenv("XDG_CURRENT_DESKTOP"), "GNOME")) {
                        snprintf(why, size, "GNOME's mutter (%s%s)", wayland && *wayland ? "WAYLAND_DISPLAY=" : "XDG_SESSION_TYPE=",
                                 wayland && *wayland ? wayland : type);
                        return VMODES_DISPLAY_MUTTER;
                }
                snprintf(why, size,
                         "this is a Wayland session (%s%s) and vmodes drives only sway's ($SWAYSOCK) and GNOME's there",
                         wayland && *wayland ? "WAYLAND_DISPLAY=" : "XDG_SESSION_TYPE=",
                         wayland && *wayland ? wayland : type);
                return VMODES_DISPLAY_WAYLAND;
        }
        if (x && *x) {
                snprintf(why, size, "X display %s", x);
                return VMODES_DISPLAY_X11;
        }
        snprintf(why, size, "DISPLAY is not set, nor SWAYSOCK");
        return VMODES_DISPLAY_NONE;
}

/* The backend of this session's display server (vmodes_display_session),
 * and the environment variable that names it (NULL: none); NULL when
 * there is none vmodes drives (why says so). */
static const struct vmodes_display_ops *session_ops(const char **env, char *why, size_t size)
{
        *env = NULL;
        switch (vmodes_display_session(why, size)) {
        case VMODES_DISPLAY_X11:
                *env = "DISPLAY";
                return &vmodes_display_x11_randr;
        case VMODES_DISPLAY_SWAY:
                *env = "SWAYSOCK";
                return &vmodes_display_sway;
        case VMODES_DISPLAY_MUTTER:
                return &vmodes_display_mutter;
        case VMODES_DISPLAY_NONE:
        case VMODES_DISPLAY_WAYLAND:
                break;
        }
        return NULL;
}

int vmodes_display_open(const char *name, struct vmodes_display **out, struct vmodes_error *err)
{
        struct vmodes_display *d = calloc(1, sizeof(*d));
        int r;

        if (!d)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        /* a name given is an X display's */
        if (name) {
                d->ops = &vmodes_display_x11_randr;
        } else {
                char why[sizeof(err->msg)];
                const char *env;

                d->ops = session_ops(&env, why, sizeof(why));
                if (!d->ops) {
                        free(d);
                        return vmodes_error_set(err, -ENXIO, "%s", why);
                }
        }
        r = d->ops->open(name, &d->impl, err);
        if (r < 0) {
                free(d);
                return r;
        }
        *out = d;
        return 0;
}

void vmodes_display_free(struct vmodes_display *d)
{
        if (!d)
                return;
        d->ops->free(d->impl);
        free(d);
}

const char *vmodes_display_name(const struct vmodes_display *d)
{
        return d->ops->display_name(d->impl);
}

const char *vmodes_display_describe(const struct vmodes_display *d, char *buf, size_t size)
{
        const struct vmodes_display_ops *ops = d ? d->ops : NULL;
        const char *name = d ? vmodes_display_name(d) : NULL;
        char why[256], q[128];

        if (!d) {
                const char *env;

                ops = session_ops(&env, why, sizeof(why));
                name = env ? getenv(env) : NULL;
        }
        /* names come from the environment: quoted safely */
        if (name && *name)
                name = vmodes_excerpt(q, sizeof(q), name, strlen(name));
        if (ops == &vmodes_display_x11_randr)
                snprintf(buf, size, "the X display %s", name && *name ? name : "(none)");
        else if (ops == &vmodes_display_sway)
                snprintf(buf, size, "sway (%s)", name && *name ? name : "$SWAYSOCK not set");
        else if (ops == &vmodes_display_mutter)
                snprintf(buf, size, "GNOME's mutter");
        else
                snprintf(buf, size, "the display server");
        return buf;
}

int vmodes_display_get_fd(const struct vmodes_display *d)
{
        return d->ops->get_fd(d->impl);
}

void vmodes_display_lock(struct vmodes_display *d)
{
        if (d->ops->lock)
                d->ops->lock(d->impl);
}

int vmodes_display_unlock(struct vmodes_display *d, struct vmodes_error *err)
{
        return d->ops->unlock ? d->ops->unlock(d->impl, err) : 0;
}

void vmodes_display_set_probe(struct vmodes_display *d, bool probe)
{
        if (d->ops->set_probe)
                d->ops->set_probe(d->impl, probe);
}

int vmodes_display_query(struct vmodes_display *d, struct vmodes_layout_state *state, struct vmodes_error *err)
{
        return d->ops->query(d->impl, state, err);
}

int vmodes_display_execute(struct vmodes_display *d, const struct vmodes_layout_state *state,
                           const struct vmodes_layout_plan *plan, struct vmodes_error *err)
{
        return d->ops->execute(d->impl, state, plan, err);
}

int vmodes_display_watch(struct vmodes_display *d, struct vmodes_error *err)
{
        return d->ops->watch(d->impl, err);
}

int vmodes_display_dispatch(struct vmodes_display *d, bool *changed, struct vmodes_error *err)
{
        *changed = false;
        return d->ops->dispatch(d->impl, changed, err);
}

const char *vmodes_display_connection_name(enum vmodes_layout_connection c)
{
        switch (c) {
        case VMODES_LAYOUT_CONNECTED:
                return "connected";
        case VMODES_LAYOUT_DISCONNECTED:
                return "disconnected";
        case VMODES_LAYOUT_UNKNOWN:
                break;
        }
        return "unknown";
}

void vmodes_display_get_caps(const struct vmodes_display *d, struct vmodes_display_caps *caps)
{
        memset(caps, 0, sizeof(*caps));
        d->ops->get_caps(d->impl, caps);
}

void vmodes_display_get_stats(const struct vmodes_display *d, struct vmodes_display_stats *stats)
{
        memset(stats, 0, sizeof(*stats));
        d->ops->get_stats(d->impl, stats);
}
