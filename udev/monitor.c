/* SPDX-License-Identifier: MIT */
/*
 * Device events for the daemon and the session agent: display PCI devices
 * (appearing, going, getting or losing a driver) and DRM cards (appearing,
 * going, and "change" with HOTPLUG=1 when connectors change -- the event a
 * SPICE client's resize or a newly enabled head produces).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libudev.h>
#include <systemd/sd-event.h>

#include "udev/vmodes-udev.h"

struct vmodes_monitor {
        struct udev *udev;
        struct udev_monitor *mon;
        sd_event_source *source;
        vmodes_monitor_fn cb;
        void *userdata;
};

int vmodes_monitor_new(struct vmodes_monitor **out, vmodes_monitor_fn cb, void *userdata)
{
        struct vmodes_monitor *m;
        int r;

        if (!cb)
                return -EINVAL;
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->cb = cb;
        m->userdata = userdata;
        m->udev = udev_new();
        if (!m->udev) {
                r = -ENOMEM;
                goto fail;
        }
        m->mon = udev_monitor_new_from_netlink(m->udev, "udev");
        if (!m->mon) {
                r = errno > 0 ? -errno : -ENOMEM;
                goto fail;
        }
        if ((r = udev_monitor_filter_add_match_subsystem_devtype(m->mon, "drm", NULL)) < 0 ||
            (r = udev_monitor_filter_add_match_subsystem_devtype(m->mon, "pci", NULL)) < 0 ||
            (r = udev_monitor_filter_add_match_subsystem_devtype(m->mon, "virtio", NULL)) < 0 ||
            (r = udev_monitor_enable_receiving(m->mon)) < 0)
                goto fail;
        *out = m;
        return 0;
fail:
        vmodes_monitor_free(m);
        return r;
}

void vmodes_monitor_free(struct vmodes_monitor *m)
{
        if (!m)
                return;
        sd_event_source_disable_unref(m->source);
        if (m->mon)
                udev_monitor_unref(m->mon);
        if (m->udev)
                udev_unref(m->udev);
        free(m);
}

int vmodes_monitor_get_fd(const struct vmodes_monitor *m)
{
        return udev_monitor_get_fd(m->mon);
}

static bool is_display_pci(struct udev_device *u)
{
        const char *cls = udev_device_get_sysattr_value(u, "class");
        const char *prop = udev_device_get_property_value(u, "PCI_CLASS");

        /* on remove the sysfs attributes are gone, the uevent properties stay */
        if (cls)
                return !strncmp(cls, "0x03", 4);
        return prop && strlen(prop) == 5 && prop[0] == '3'; /* "30000": class 0x03 */
}

static bool is_virtio_gpu(struct udev_device *u)
{
        const char *alias = udev_device_get_property_value(u, "MODALIAS");

        return alias && !strncmp(alias, "virtio:d00000010v", 17);
}

static bool is_card(const char *sysname)
{
        if (strncmp(sysname, "card", 4) != 0 || !sysname[4])
                return false;
        for (const char *p = sysname + 4; *p; p++)
                if (*p < '0' || *p > '9')
                        return false;
        return true;
}

/* Turns one udev event into zero or one vmodes event. */
static bool classify(struct udev_device *u, struct vmodes_event *ev)
{
        const char *subsystem = udev_device_get_subsystem(u);
        const char *action = udev_device_get_action(u);
        const char *sysname = udev_device_get_sysname(u);
        const char *v;

        if (!subsystem || !action || !sysname)
                return false;
        memset(ev, 0, sizeof(*ev));
        ev->syspath = udev_device_get_syspath(u);
        ev->subsystem = subsystem;
        ev->sysname = sysname;
        ev->action = action;
        ev->connector_id = -1;

        if (!strcmp(subsystem, "drm")) {
                if (!is_card(sysname))
                        return false;
                if (!strcmp(action, "add")) {
                        ev->type = VMODES_EVENT_DEVICE_ADD;
                        return true;
                }
                if (!strcmp(action, "remove")) {
                        ev->type = VMODES_EVENT_DEVICE_REMOVE;
                        return true;
                }
                if (!strcmp(action, "change")) {
                        v = udev_device_get_property_value(u, "HOTPLUG");
                        if (!v || strcmp(v, "1"))
                                return false;
                        ev->type = VMODES_EVENT_HOTPLUG;
                        v = udev_device_get_property_value(u, "CONNECTOR");
                        if (v) {
                                char *end;
                                long id;
                                errno = 0;
                                id = strtol(v, &end, 10);
                                if (!errno && *v && !*end && id >= 0 && id <= 0x7fffffff)
                                        ev->connector_id = (int)id;
                        }
                        return true;
                }
                return false;
        }
        if (!strcmp(subsystem, "pci") || !strcmp(subsystem, "virtio")) {
                if (!strcmp(subsystem, "pci") ? !is_display_pci(u) : !is_virtio_gpu(u))
                        return false;
                if (!strcmp(action, "add") || !strcmp(action, "bind")) {
                        ev->type = VMODES_EVENT_DEVICE_ADD;
                        return true;
                }
                if (!strcmp(action, "remove") || !strcmp(action, "unbind")) {
                        ev->type = VMODES_EVENT_DEVICE_REMOVE;
                        return true;
                }
        }
        return false;
}

int vmodes_monitor_dispatch(struct vmodes_monitor *m)
{
        int n = 0;

        /* the socket is non-blocking: drain it */
        for (;;) {
                struct udev_device *u = udev_monitor_receive_device(m->mon);
                struct vmodes_event ev;

                if (!u)
                        break;
                if (classify(u, &ev)) {
                        m->cb(m, &ev, m->userdata);
                        n++;
                }
                udev_device_unref(u);
                if (n >= 1024)
                        break; /* let the loop breathe; the fd stays readable */
        }
        return n;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        vmodes_monitor_dispatch(userdata);
        return 0;
}

int vmodes_monitor_attach(struct vmodes_monitor *m, struct sd_event *event, int64_t priority)
{
        sd_event *e = event;
        int r;

        if (m->source)
                return -EBUSY;
        if (!e) {
                r = sd_event_default(&e);
                if (r < 0)
                        return r;
        } else {
                sd_event_ref(e);
        }
        r = sd_event_add_io(e, &m->source, udev_monitor_get_fd(m->mon), EPOLLIN, on_io, m);
        if (r >= 0)
                r = sd_event_source_set_priority(m->source, priority);
        if (r >= 0)
                (void)sd_event_source_set_description(m->source, "vmodes-udev-monitor");
        sd_event_unref(e);
        return r < 0 ? r : 0;
}
