/* SPDX-License-Identifier: MIT */
/*
 * DRM hotplug as udevd announces it: a "change" event of a DRM card with
 * HOTPLUG=1 (a SPICE client's resize, a newly enabled head). Read from
 * udevd's netlink group in udevd's message format (a "libudev" header, then
 * the properties), without libudev. A socket filter in the kernel passes
 * only udevd's messages about the drm subsystem (the header carries a
 * MurmurHash2 of the subsystem name for this purpose, as libudev's own
 * monitors use it), so the other devices' events never wake the agent up;
 * the agent only learns that something changed and then asks X, which
 * probes the connectors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/netlink.h>

#include "agent/session/agent.h"

#define UEVENT_GROUP_UDEV 2u
#define UEVENT_BUFFER 8192
#define UDEV_PREFIX "libudev"
#define UDEV_MAGIC 0xfeedcafeu
/* offsets in udevd's message header (32-bit fields, big-endian magic and hashes) */
#define UDEV_OFF_MAGIC 8
#define UDEV_OFF_PROPERTIES 16
#define UDEV_OFF_SUBSYSTEM_HASH 24
#define UDEV_HEADER_MIN 40

struct uevent_listener {
        int fd;
        sd_event_source *source;
        uevent_fn on_hotplug;
        void *userdata;
};

uint32_t uevent_subsystem_hash(const char *s)
{
        const uint32_t m = 0x5bd1e995;
        const unsigned char *d = (const unsigned char *)s;
        size_t len = strlen(s);
        uint32_t h = (uint32_t)len;

        for (; len >= 4; d += 4, len -= 4) {
                uint32_t k = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
                k *= m;
                k ^= k >> 24;
                k *= m;
                h = h * m ^ k;
        }
        switch (len) {
        case 3:
                h ^= (uint32_t)d[2] << 16;
                /* fall through */
        case 2:
                h ^= (uint32_t)d[1] << 8;
                /* fall through */
        case 1:
                h ^= d[0];
                h *= m;
        }
        h ^= h >> 13;
        h *= m;
        return h ^ h >> 15;
}

/* Passes udevd's messages about the drm subsystem, drops everything else. */
static int attach_filter(int fd)
{
        struct sock_filter code[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, UDEV_OFF_MAGIC),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, UDEV_MAGIC, 0, 3),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, UDEV_OFF_SUBSYSTEM_HASH),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, uevent_subsystem_hash("drm"), 0, 1),
                BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
                BPF_STMT(BPF_RET | BPF_K, 0),
        };
        struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

        return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ? -errno : 0;
}

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

static uint32_t be32(const unsigned char *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One message: from udevd (root, not the kernel), well formed, a hotplug. */
static bool message_is_hotplug(const char *buf, size_t len, const struct sockaddr_nl *from, const struct msghdr *msg)
{
        const struct cmsghdr *c = CMSG_FIRSTHDR(msg);
        const struct ucred *cred = c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS
                                           ? (const struct ucred *)CMSG_DATA(c)
                                           : NULL;
        uint32_t off;

        if (!cred || cred->uid != 0 || from->nl_pid == 0 || (msg->msg_flags & MSG_TRUNC))
                return false;
        if (len < UDEV_HEADER_MIN || memcmp(buf, UDEV_PREFIX, sizeof(UDEV_PREFIX)) ||
            be32((const unsigned char *)buf + UDEV_OFF_MAGIC) != UDEV_MAGIC)
                return false;
        /* where the properties start (in the sender's byte order); they
         * run to the end of the message */
        memcpy(&off, buf + UDEV_OFF_PROPERTIES, sizeof(off));
        if (off < UDEV_HEADER_MIN || off >= len)
                return false;
        return is_hotplug(buf + off, len - off);
}

static int on_readable(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
        struct uevent_listener *l = userdata;
        char buf[UEVENT_BUFFER];
        char control[CMSG_SPACE(sizeof(struct ucred))];
        bool hotplug = false;

        for (unsigned n = 0; n < 64; n++) {
                struct sockaddr_nl from = { 0 };
                struct iovec iov = { buf, sizeof(buf) - 1 };
                struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
                                      .msg_control = control, .msg_controllen = sizeof(control) };
                ssize_t len = recvmsg(fd, &msg, MSG_DONTWAIT);

                if (len < 0)
                        break; /* EAGAIN: drained; ENOBUFS: events were lost, one probe covers them */
                buf[len] = 0;
                hotplug |= message_is_hotplug(buf, (size_t)len, &from, &msg);
        }
        if (hotplug)
                l->on_hotplug(l->userdata);
        return 0;
}

int uevent_listener_new(sd_event *event, uevent_fn on_hotplug, void *userdata, struct uevent_listener **out)
{
        struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = UEVENT_GROUP_UDEV };
        const int on = 1;
        struct uevent_listener *l = calloc(1, sizeof(*l));
        int r;

        if (!l)
                return -ENOMEM;
        l->on_hotplug = on_hotplug;
        l->userdata = userdata;
        l->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
        if (l->fd < 0 || setsockopt(l->fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0) {
                r = -errno;
                goto fail;
        }
        r = attach_filter(l->fd);
        if (r < 0)
                goto fail;
        if (bind(l->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
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
