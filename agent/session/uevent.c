/* SPDX-License-Identifier: MIT */
/*
 * DRM hotplug as udevd announces it: a "change" event of a DRM card with
 * HOTPLUG=1 (a SPICE client's resize, a newly enabled head), through
 * libsystemd's device monitor (the session agent links libsystemd anyway;
 * libudev would add a library for the same messages). The monitor listens
 * to udevd, not to the kernel, and filters on the subsystem in the kernel,
 * so the other devices' events never wake the agent up; the agent only
 * learns that something changed and then asks X, which probes the
 * connectors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-device.h>

#include "agent/session/agent.h"

struct uevent_listener {
        sd_device_monitor *monitor;
        uevent_fn on_hotplug;
        void *userdata;
};

/* "card0", not "card0-Virtual-1" (connectors) nor "renderD128". */
static bool is_card(const char *sysname)
{
        if (strncmp(sysname, "card", 4) || !sysname[4])
                return false;
        return strspn(sysname + 4, "0123456789") == strlen(sysname + 4);
}

static int on_device(sd_device_monitor *m, sd_device *dev, void *userdata)
{
        struct uevent_listener *l = userdata;
        sd_device_action_t action;
        const char *sysname, *hotplug;

        if (sd_device_get_action(dev, &action) < 0 || action != SD_DEVICE_CHANGE)
                return 0;
        if (sd_device_get_sysname(dev, &sysname) < 0 || !is_card(sysname))
                return 0;
        if (sd_device_get_property_value(dev, "HOTPLUG", &hotplug) < 0 || strcmp(hotplug, "1"))
                return 0;
        l->on_hotplug(l->userdata);
        return 0;
}

int uevent_listener_new(sd_event *event, uevent_fn on_hotplug, void *userdata, struct uevent_listener **out)
{
        struct uevent_listener *l = calloc(1, sizeof(*l));
        int r;

        if (!l)
                return -ENOMEM;
        l->on_hotplug = on_hotplug;
        l->userdata = userdata;
        r = sd_device_monitor_new(&l->monitor);
        if (r >= 0)
                r = sd_device_monitor_filter_add_match_subsystem_devtype(l->monitor, "drm", NULL);
        if (r >= 0)
                r = sd_device_monitor_attach_event(l->monitor, event);
        if (r >= 0)
                r = sd_device_monitor_start(l->monitor, on_device, l);
        if (r < 0) {
                uevent_listener_free(l);
                return r;
        }
        *out = l;
        return 0;
}

struct uevent_listener *uevent_listener_free(struct uevent_listener *l)
{
        if (!l)
                return NULL;
        sd_device_monitor_unref(l->monitor);
        free(l);
        return NULL;
}
