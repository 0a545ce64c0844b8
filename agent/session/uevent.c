/* SPDX-License-Identifier: MIT */
/*
 * DRM hotplug as the kernel reports it: a "change" uevent of a DRM card
 * with HOTPLUG=1 (a SPICE client's resize, a newly enabled head). Read from
 * the kernel's uevent netlink socket (any user may listen), so the session
 * agent needs neither libudev nor udevd; the agent only learns that
 * something changed and then asks X, which probes the connectors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "agent/session/agent.h"

#define UEVENT_GROUP_KERNEL 1u
#define UEVENT_BUFFER 8192

struct uevent_listener {
        int fd;
        sd_event_source *source;
        uevent_fn on_hotplug;
        void *userdata;
};

/* The value of KEY= in the NUL-separated properties, or NULL. */
static const char *property(const char *buf, size_t len, const char *key)
{
        size_t klen = strlen(key);

        for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
                if (!strncmp(buf + i, key, klen) && buf[i + klen] == '=')
                        return buf + i + klen + 1;
        return NULL;
}

/* "card0", not "card0-Virtual-1" (connectors) nor "renderD128". */
static bool is_card(const char *devpath)
{
        const char *name = strrchr(devpath, '/');

        name = name ? name + 1 : devpath;
        if (strncmp(name, "card", 4) || !name[4])
                return false;
        return strspn(name + 4, "0123456789") == strlen(name + 4);
}

static bool is_hotplug(const char *buf, size_t len)
{
        const char *action = property(buf, len, "ACTION"), *subsystem = property(buf, len, "SUBSYSTEM");
        const char *devpath = property(buf, len, "DEVPATH"), *hotplug = property(buf, len, "HOTPLUG");

        return action && subsystem && devpath && hotplug && !strcmp(action, "change") && !strcmp(subsystem, "drm") &&
               !strcmp(hotplug, "1") && is_card(devpath);
}

static int on_readable(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
        struct uevent_listener *l = userdata;
        char buf[UEVENT_BUFFER];
        bool hotplug = false;

        for (unsigned n = 0; n < 64; n++) {
                struct sockaddr_nl from = { 0 };
                struct iovec iov = { buf, sizeof(buf) - 1 };
                struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1 };
                ssize_t len = recvmsg(fd, &msg, MSG_DONTWAIT);

                if (len < 0)
                        break; /* EAGAIN: drained; ENOBUFS: events were lost, one probe covers them */
                if (from.nl_pid != 0 || (msg.msg_flags & MSG_TRUNC))
                        continue; /* not from the kernel */
                buf[len] = 0;
                hotplug |= is_hotplug(buf, (size_t)len);
        }
        if (hotplug)
                l->on_hotplug(l->userdata);
        return 0;
}

int uevent_listener_new(sd_event *event, uevent_fn on_hotplug, void *userdata, struct uevent_listener **out)
{
        struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = UEVENT_GROUP_KERNEL };
        struct uevent_listener *l = calloc(1, sizeof(*l));
        int r;

        if (!l)
                return -ENOMEM;
        l->on_hotplug = on_hotplug;
        l->userdata = userdata;
        l->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
        if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
                r = -errno;
                goto fail;
        }
        r = sd_event_add_io(event, &l->source, l->fd, EPOLLIN, on_readable, l);
        if (r < 0)
                goto fail;
        *out = l;
        return 0;
fail:
        uevent_listener_free(l);
        return r;
}

struct uevent_listener *uevent_listener_free(struct uevent_listener *l)
{
        if (!l)
                return NULL;
        sd_event_source_disable_unref(l->source);
        if (l->fd >= 0)
                close(l->fd);
        free(l);
        return NULL;
}
