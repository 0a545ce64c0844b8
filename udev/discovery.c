/* SPDX-License-Identifier: MIT */
/* Enumerates display PCI devices with libudev and reads what they offer. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libudev.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "udev/vmodes-udev.h"

#define MAX_DEVICES 64
#define MAX_CONNECTORS 64
#define MAX_MODES 512
#define MAX_ERRORS 64

struct vmodes_discovery {
        struct udev *udev;
        struct vmodes_device *devices;
        size_t n_devices;
        char **errors;
        size_t n_errors;
};

static void udev_enumerate_unrefp(struct udev_enumerate **e)
{
        if (*e)
                udev_enumerate_unref(*e);
}

static void udev_device_unrefp(struct udev_device **d)
{
        if (*d)
                udev_device_unref(*d);
}

static void freep(void *p)
{
        free(*(void **)p);
}

static void closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
}

#define _cleanup_(f) __attribute__((cleanup(f)))

int vmodes_discovery_new(struct vmodes_discovery **out)
{
        struct vmodes_discovery *d;

        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->udev = udev_new();
        if (!d->udev) {
                int r = errno > 0 ? -errno : -ENOMEM;
                free(d);
                return r;
        }
        *out = d;
        return 0;
}

static void connector_clear(struct vmodes_connector *c)
{
        free(c->sysname);
        free(c->name);
        free(c->type);
        for (size_t i = 0; i < c->n_modes; i++)
                free(c->modes[i]);
        free(c->modes);
        memset(c, 0, sizeof(*c));
}

static void device_clear(struct vmodes_device *dev)
{
        free(dev->syspath);
        free(dev->slot);
        free(dev->driver);
        free(dev->modalias);
        free(dev->pci_driver);
        free(dev->pci_modalias);
        free(dev->card);
        free(dev->card_devnode);
        free(dev->render_devnode);
        for (size_t i = 0; i < dev->n_connectors; i++)
                connector_clear(&dev->connectors[i]);
        free(dev->connectors);
        memset(dev, 0, sizeof(*dev));
}

static void discovery_reset(struct vmodes_discovery *d)
{
        for (size_t i = 0; i < d->n_devices; i++)
                device_clear(&d->devices[i]);
        free(d->devices);
        d->devices = NULL;
        d->n_devices = 0;
        for (size_t i = 0; i < d->n_errors; i++)
                free(d->errors[i]);
        free(d->errors);
        d->errors = NULL;
        d->n_errors = 0;
}

void vmodes_discovery_free(struct vmodes_discovery *d)
{
        if (!d)
                return;
        discovery_reset(d);
        udev_unref(d->udev);
        free(d);
}

size_t vmodes_discovery_get_n_devices(const struct vmodes_discovery *d)
{
        return d->n_devices;
}

const struct vmodes_device *vmodes_discovery_get_device(const struct vmodes_discovery *d, size_t i)
{
        return i < d->n_devices ? &d->devices[i] : NULL;
}

size_t vmodes_discovery_get_n_virtual(const struct vmodes_discovery *d)
{
        size_t n = 0;

        for (size_t i = 0; i < d->n_devices; i++)
                if (d->devices[i].type)
                        n++;
        return n;
}

size_t vmodes_discovery_get_n_errors(const struct vmodes_discovery *d)
{
        return d->n_errors;
}

const char *vmodes_discovery_get_error(const struct vmodes_discovery *d, size_t i)
{
        return i < d->n_errors ? d->errors[i] : NULL;
}

__attribute__((format(printf, 2, 3)))
static void add_error(struct vmodes_discovery *d, const char *fmt, ...)
{
        char *msg = NULL, **n;
        va_list ap;
        int r;

        if (d->n_errors >= MAX_ERRORS)
                return;
        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return;
        n = realloc(d->errors, (d->n_errors + 1) * sizeof(*n));
        if (!n) {
                free(msg);
                return;
        }
        d->errors = n;
        d->errors[d->n_errors++] = msg;
}

/* A sysfs value quoted for an error message: printable, short. */
static void quote_value(const char *v, char *buf, size_t len)
{
        size_t o = 0;

        if (!v) {
                snprintf(buf, len, "(missing)");
                return;
        }
        if (len < 8) {
                buf[0] = '\0';
                return;
        }
        buf[o++] = '\'';
        for (; *v && o + 6 < len; v++) {
                unsigned char c = (unsigned char)*v;
                if (c == '\n')
                        o += (size_t)snprintf(buf + o, len - o, "\\n");
                else if (isprint(c) && c != '\'' && c != '\\')
                        buf[o++] = (char)c;
                else
                        o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
        }
        if (*v && o + 4 < len)
                o += (size_t)snprintf(buf + o, len - o, "...");
        buf[o++] = '\'';
        buf[o] = '\0';
}

static int read_hex_attr(struct vmodes_discovery *d, struct udev_device *u, const char *slot,
                         const char *attr, unsigned digits, bool required, uint32_t *out)
{
        const char *v = udev_device_get_sysattr_value(u, attr);
        char q[64];

        if (!v) {
                if (!required)
                        return 0;
                add_error(d, "%s: sysfs attribute '%s' is missing or unreadable", slot, attr);
                return -ENOENT;
        }
        if (vmodes_sysfs_parse_hex(v, digits, out) < 0) {
                quote_value(v, q, sizeof(q));
                add_error(d, "%s: sysfs attribute '%s' is malformed: %s (expected 0x and %u hex digits)",
                          slot, attr, q, digits);
                return -EINVAL;
        }
        return 1;
}

static char *strdup_or_null(const char *s)
{
        return s ? strdup(s) : NULL;
}

static int connector_compare(const void *a, const void *b)
{
        const struct vmodes_connector *x = a, *y = b;
        int r = strcmp(x->type, y->type);

        if (r)
                return r;
        return (x->type_index > y->type_index) - (x->type_index < y->type_index);
}

/* "card0-Virtual-1" -> name "Virtual-1", type "Virtual", index 1. */
static int split_connector_name(const char *sysname, const char *card, char **name, char **type,
                                unsigned *index)
{
        size_t cl = strlen(card);
        const char *n, *dash;
        char *end;
        unsigned long idx;

        if (strncmp(sysname, card, cl) != 0 || sysname[cl] != '-')
                return -EINVAL;
        n = sysname + cl + 1;
        dash = strrchr(n, '-');
        if (!dash || dash == n || !isdigit((unsigned char)dash[1]))
                return -EINVAL;
        errno = 0;
        idx = strtoul(dash + 1, &end, 10);
        if (errno || *end || idx == 0 || idx > 1000)
                return -EINVAL;
        *name = strdup(n);
        *type = strndup(n, (size_t)(dash - n));
        if (!*name || !*type) {
                free(*name);
                free(*type);
                return -ENOMEM;
        }
        *index = (unsigned)idx;
        return 0;
}

static int read_connector_file(const char *syspath, const char *attr, size_t max, char **out)
{
        _cleanup_(freep) char *path = NULL;

        if (asprintf(&path, "%s/%s", syspath, attr) < 0)
                return -ENOMEM;
        return vmodes_sysfs_read_file(path, max, out);
}

static void chomp(char *s)
{
        size_t l = strlen(s);

        while (l > 0 && (s[l - 1] == '\n' || s[l - 1] == ' '))
                s[--l] = '\0';
}

/* Mode names as the kernel prints them: "1920x1080" or "1920x1080i". */
static bool mode_name_valid(const char *s)
{
        size_t l = strlen(s);

        if (l == 0 || l > 32)
                return false;
        for (size_t i = 0; i < l; i++)
                if (!isgraph((unsigned char)s[i]))
                        return false;
        return isdigit((unsigned char)s[0]);
}

static int read_connector(struct vmodes_discovery *d, struct vmodes_device *dev,
                          struct udev_device *u, struct vmodes_connector *c)
{
        const char *syspath = udev_device_get_syspath(u);
        const char *sysname = udev_device_get_sysname(u);
        _cleanup_(freep) char *status = NULL, *enabled = NULL, *modes = NULL;
        char q[64];
        int r;

        r = split_connector_name(sysname, dev->card, &c->name, &c->type, &c->type_index);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                add_error(d, "%s: DRM connector name '%s' is not of the form %s-TYPE-N",
                          dev->slot, sysname, dev->card);
                return -EINVAL;
        }
        c->sysname = strdup(sysname);
        if (!c->sysname)
                return -ENOMEM;
        c->enabled = -1;
        c->hotplug_mode_update = c->suggested_x = c->suggested_y = -1;

        r = read_connector_file(syspath, "status", 64, &status);
        if (r == 0) {
                chomp(status);
                if (!strcmp(status, "connected"))
                        c->status = VMODES_CONNECTOR_CONNECTED;
                else if (!strcmp(status, "disconnected"))
                        c->status = VMODES_CONNECTOR_DISCONNECTED;
                else if (!strcmp(status, "unknown"))
                        c->status = VMODES_CONNECTOR_UNKNOWN;
                else {
                        quote_value(status, q, sizeof(q));
                        add_error(d, "%s: %s/status is malformed: %s (expected connected, disconnected or unknown)",
                                  dev->slot, sysname, q);
                }
        } else if (r != -ENOENT) {
                add_error(d, "%s: cannot read %s/status: %s", dev->slot, sysname, strerror(-r));
        }

        r = read_connector_file(syspath, "enabled", 64, &enabled);
        if (r == 0) {
                chomp(enabled);
                if (!strcmp(enabled, "enabled"))
                        c->enabled = 1;
                else if (!strcmp(enabled, "disabled"))
                        c->enabled = 0;
                else {
                        quote_value(enabled, q, sizeof(q));
                        add_error(d, "%s: %s/enabled is malformed: %s (expected enabled or disabled)",
                                  dev->slot, sysname, q);
                }
        }

        r = read_connector_file(syspath, "modes", 64 * 1024, &modes);
        if (r == 0) {
                char *save = NULL;
                for (char *line = strtok_r(modes, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                        char **n;
                        if (!mode_name_valid(line)) {
                                quote_value(line, q, sizeof(q));
                                add_error(d, "%s: %s/modes has a malformed line %s; modes ignored",
                                          dev->slot, sysname, q);
                                for (size_t i = 0; i < c->n_modes; i++)
                                        free(c->modes[i]);
                                c->n_modes = 0;
                                break;
                        }
                        if (c->n_modes >= MAX_MODES)
                                break;
                        n = realloc(c->modes, (c->n_modes + 1) * sizeof(*n));
                        if (!n)
                                return -ENOMEM;
                        c->modes = n;
                        c->modes[c->n_modes] = strdup(line);
                        if (!c->modes[c->n_modes])
                                return -ENOMEM;
                        c->n_modes++;
                }
        } else if (r == -EFBIG || r == -EINVAL) {
                add_error(d, "%s: %s/modes is malformed (%s)", dev->slot, sysname,
                          r == -EFBIG ? "too long" : "binary data");
        }
        return 0;
}

static bool is_card_sysname(const char *s)
{
        if (strncmp(s, "card", 4) != 0 || !s[4])
                return false;
        for (s += 4; *s; s++)
                if (!isdigit((unsigned char)*s))
                        return false;
        return true;
}

/* The devices of one subsystem below a PCI function. */
static int scan_children(struct vmodes_discovery *d, struct udev_device *pci, const char *subsystem,
                         struct udev_enumerate **out)
{
        _cleanup_(udev_enumerate_unrefp) struct udev_enumerate *e = NULL;
        int r;

        e = udev_enumerate_new(d->udev);
        if (!e)
                return -ENOMEM;
        if ((r = udev_enumerate_add_match_subsystem(e, subsystem)) < 0 ||
            (r = udev_enumerate_add_match_parent(e, pci)) < 0 ||
            (r = udev_enumerate_scan_devices(e)) < 0)
                return r;
        *out = e;
        e = NULL;
        return 0;
}

static int read_drm_children(struct vmodes_discovery *d, struct vmodes_device *dev,
                             struct udev_device *pci)
{
        _cleanup_(udev_enumerate_unrefp) struct udev_enumerate *e = NULL;
        struct udev_list_entry *entry;
        int r;

        r = scan_children(d, pci, "drm", &e);
        if (r < 0)
                return r;

        /* the card first: connector names carry its name as a prefix */
        udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(e)) {
                _cleanup_(udev_device_unrefp) struct udev_device *u =
                        udev_device_new_from_syspath(d->udev, udev_list_entry_get_name(entry));
                const char *sysname;

                if (!u)
                        continue;
                sysname = udev_device_get_sysname(u);
                if (is_card_sysname(sysname) && !dev->card) {
                        dev->card = strdup(sysname);
                        dev->card_devnode = strdup_or_null(udev_device_get_devnode(u));
                        if (!dev->card)
                                return -ENOMEM;
                } else if (!strncmp(sysname, "renderD", 7) && !dev->render_devnode) {
                        dev->render_devnode = strdup_or_null(udev_device_get_devnode(u));
                }
        }
        if (!dev->card)
                return 0;

        udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(e)) {
                _cleanup_(udev_device_unrefp) struct udev_device *u =
                        udev_device_new_from_syspath(d->udev, udev_list_entry_get_name(entry));
                struct vmodes_connector *n;
                const char *sysname;

                if (!u)
                        continue;
                sysname = udev_device_get_sysname(u);
                if (is_card_sysname(sysname) || strncmp(sysname, "card", 4) != 0 ||
                    !strchr(sysname, '-'))
                        continue;
                if (dev->n_connectors >= MAX_CONNECTORS)
                        break;
                n = realloc(dev->connectors, (dev->n_connectors + 1) * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                dev->connectors = n;
                memset(&n[dev->n_connectors], 0, sizeof(*n));
                r = read_connector(d, dev, u, &n[dev->n_connectors]);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        connector_clear(&n[dev->n_connectors]);
                        continue;
                }
                dev->n_connectors++;
        }
        if (dev->n_connectors > 1)
                qsort(dev->connectors, dev->n_connectors, sizeof(*dev->connectors), connector_compare);
        if (dev->type)
                for (size_t i = 0; i < dev->n_connectors; i++)
                        dev->connectors[i].head = (unsigned)i + 1;
        return 0;
}

/* The QXL ROM (BAR 2) starts with struct QXLRom: magic "QXRO" at 0x00 and
 * surface0_area_size (the "vgamem" that bounds every framebuffer) at 0x28. */
#define QXL_ROM_MAGIC 0x4f525851u
#define QXL_ROM_HEADER 0x30

static uint32_t le32(const unsigned char *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_qxl_rom(struct vmodes_device *dev)
{
        _cleanup_(freep) char *path = NULL;
        _cleanup_(closep) int fd = -1;
        unsigned char hdr[QXL_ROM_HEADER];
        struct stat st;
        ssize_t n;
        uint32_t size;

        if (asprintf(&path, "%s/resource2", dev->syspath) < 0)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        n = pread(fd, hdr, sizeof(hdr), 0);
        if (n < 0 && st.st_size >= 4096) {
                /* sysfs memory BARs can only be mapped, not read */
                void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
                if (m == MAP_FAILED)
                        return -errno;
                memcpy(hdr, m, sizeof(hdr));
                munmap(m, 4096);
                n = sizeof(hdr);
        }
        if (n < 0)
                return -errno;
        if ((size_t)n < sizeof(hdr) || le32(hdr) != QXL_ROM_MAGIC)
                return -EBADMSG;
        size = le32(hdr + 0x28);
        if (size == 0 || (dev->have_bars && dev->bars[0].size && size > dev->bars[0].size))
                return -EBADMSG;
        dev->surface_area = size;
        return 0;
}

static const char *const connector_type_names[] = {
        "Unknown", "VGA", "DVI-I", "DVI-D", "DVI-A", "Composite", "SVIDEO", "LVDS",
        "Component", "DIN", "DP", "HDMI-A", "HDMI-B", "TV", "eDP", "Virtual", "DSI",
        "DPI", "Writeback", "SPI", "USB",
};

static void read_connector_props(int fd, uint32_t conn_id, struct vmodes_connector *c)
{
        drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, conn_id, DRM_MODE_OBJECT_CONNECTOR);

        if (!props)
                return;
        c->have_properties = true;
        for (uint32_t i = 0; i < props->count_props; i++) {
                drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);
                if (!p)
                        continue;
                if (!strcmp(p->name, "hotplug_mode_update"))
                        c->hotplug_mode_update = (int64_t)props->prop_values[i];
                else if (!strcmp(p->name, "suggested X"))
                        c->suggested_x = (int64_t)props->prop_values[i];
                else if (!strcmp(p->name, "suggested Y"))
                        c->suggested_y = (int64_t)props->prop_values[i];
                drmModeFreeProperty(p);
        }
        drmModeFreeObjectProperties(props);
}

/* The facts sysfs lacks: mode_config limits and connector properties. Opening
 * the card needs the video group or root; without it they stay unknown. */
static int read_drm_node(struct vmodes_device *dev)
{
        _cleanup_(closep) int fd = -1;
        drmModeResPtr res;

        fd = open(dev->card_devnode, O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 && (errno == EACCES || errno == EPERM))
                fd = open(dev->card_devnode, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        res = drmModeGetResources(fd);
        if (!res)
                return errno > 0 ? -errno : -ENOTTY;
        dev->drm_max_width = res->max_width;
        dev->drm_max_height = res->max_height;
        for (int i = 0; i < res->count_connectors; i++) {
                drmModeConnectorPtr conn = drmModeGetConnectorCurrent(fd, res->connectors[i]);
                char name[64];

                if (!conn)
                        continue;
                snprintf(name, sizeof(name), "%s-%u",
                         conn->connector_type < sizeof(connector_type_names) / sizeof(connector_type_names[0])
                                 ? connector_type_names[conn->connector_type] : "Unknown",
                         conn->connector_type_id);
                for (size_t j = 0; j < dev->n_connectors; j++)
                        if (!strcmp(dev->connectors[j].name, name))
                                read_connector_props(fd, conn->connector_id, &dev->connectors[j]);
                drmModeFreeConnector(conn);
        }
        drmModeFreeResources(res);
        return 0;
}

static int read_virtio_child(struct vmodes_discovery *d, struct vmodes_device *dev,
                             struct udev_device *pci);

static int read_device(struct vmodes_discovery *d, struct udev_device *u, struct vmodes_device *dev)
{
        const char *slot = udev_device_get_sysname(u);
        const char *v;
        uint32_t vendor = 0, device = 0, cls = 0, sv = 0, sd = 0;
        char q[64];
        int r;

        if ((r = read_hex_attr(d, u, slot, "vendor", 4, true, &vendor)) < 0 ||
            (r = read_hex_attr(d, u, slot, "device", 4, true, &device)) < 0 ||
            (r = read_hex_attr(d, u, slot, "class", 6, true, &cls)) < 0 ||
            (r = read_hex_attr(d, u, slot, "subsystem_vendor", 4, false, &sv)) < 0 ||
            (r = read_hex_attr(d, u, slot, "subsystem_device", 4, false, &sd)) < 0)
                return r;
        if ((cls >> 16) != 0x03)
                return 0; /* not a display device after all: skip silently */

        dev->syspath = strdup(udev_device_get_syspath(u));
        dev->slot = strdup(slot);
        if (!dev->syspath || !dev->slot)
                return -ENOMEM;
        dev->vendor = (uint16_t)vendor;
        dev->device = (uint16_t)device;
        dev->subsystem_vendor = (uint16_t)sv;
        dev->subsystem_device = (uint16_t)sd;
        dev->pci_class = cls;
        dev->type = vmodes_gpu_classify(dev->vendor, dev->device);
        dev->secondary = (cls >> 8) == 0x0380;
        dev->pci_driver = strdup_or_null(udev_device_get_driver(u));
        v = udev_device_get_property_value(u, "MODALIAS");
        if (!v)
                v = udev_device_get_sysattr_value(u, "modalias");
        dev->pci_modalias = strdup_or_null(v);
        if (dev->type && dev->type->kind == VMODES_GPU_VIRTIO) {
                r = read_virtio_child(d, dev, u);
                if (r < 0)
                        return r;
        } else {
                dev->driver = strdup_or_null(dev->pci_driver);
                dev->modalias = strdup_or_null(dev->pci_modalias);
        }

        dev->boot_vga = -1;
        v = udev_device_get_sysattr_value(u, "boot_vga");
        if (v) {
                if (!strcmp(v, "1") || !strcmp(v, "0"))
                        dev->boot_vga = v[0] == '1';
                else {
                        quote_value(v, q, sizeof(q));
                        add_error(d, "%s: sysfs attribute 'boot_vga' is malformed: %s (expected 0 or 1)", slot, q);
                }
        }

        v = udev_device_get_sysattr_value(u, "resource");
        if (v) {
                if (vmodes_sysfs_parse_resource(v, dev->bars) == 0)
                        dev->have_bars = true;
                else {
                        quote_value(v, q, sizeof(q));
                        add_error(d, "%s: sysfs attribute 'resource' is malformed: %s (expected lines of 'start end flags' in hex); memory unknown",
                                  slot, q);
                }
        }

        if (dev->type && dev->type->kind == VMODES_GPU_QXL) {
                r = read_qxl_rom(dev);
                if (r == -ENOMEM)
                        return r;
                dev->surface_area_error = r;
                if (r == -EBADMSG)
                        add_error(d, "%s: the QXL ROM (resource2) does not hold a valid QXLRom header; framebuffer size unknown",
                                  slot);
        }

        r = read_drm_children(d, dev, u);
        if (r < 0)
                return r;
        if (dev->card_devnode)
                dev->drm_error = read_drm_node(dev);
        else
                dev->drm_error = -ENODEV;
        return 1;
}

/* virtio-gpu: the GPU is the virtio device below the PCI function. */
static int read_virtio_child(struct vmodes_discovery *d, struct vmodes_device *dev,
                             struct udev_device *pci)
{
        _cleanup_(udev_enumerate_unrefp) struct udev_enumerate *e = NULL;
        struct udev_list_entry *entry;
        int r;

        r = scan_children(d, pci, "virtio", &e);
        if (r < 0)
                return r;
        udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(e)) {
                _cleanup_(udev_device_unrefp) struct udev_device *u =
                        udev_device_new_from_syspath(d->udev, udev_list_entry_get_name(entry));
                const char *v;

                if (!u)
                        continue;
                dev->driver = strdup_or_null(udev_device_get_driver(u));
                v = udev_device_get_property_value(u, "MODALIAS");
                if (!v)
                        v = udev_device_get_sysattr_value(u, "modalias");
                dev->modalias = strdup_or_null(v);
                break;
        }
        return 0;
}

static int device_compare(const void *a, const void *b)
{
        const struct vmodes_device *x = a, *y = b;

        return strcmp(x->slot, y->slot);
}

int vmodes_discovery_scan(struct vmodes_discovery *d)
{
        _cleanup_(udev_enumerate_unrefp) struct udev_enumerate *e = NULL;
        struct udev_list_entry *entry;
        int r;

        discovery_reset(d);
        e = udev_enumerate_new(d->udev);
        if (!e)
                return -ENOMEM;
        if ((r = udev_enumerate_add_match_subsystem(e, "pci")) < 0 ||
            (r = udev_enumerate_add_match_sysattr(e, "class", "0x03*")) < 0 ||
            (r = udev_enumerate_scan_devices(e)) < 0)
                return r;

        udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(e)) {
                _cleanup_(udev_device_unrefp) struct udev_device *u = NULL;
                struct vmodes_device *n;

                if (d->n_devices >= MAX_DEVICES)
                        break;
                u = udev_device_new_from_syspath(d->udev, udev_list_entry_get_name(entry));
                if (!u)
                        continue;
                n = realloc(d->devices, (d->n_devices + 1) * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                d->devices = n;
                memset(&n[d->n_devices], 0, sizeof(*n));
                r = read_device(d, u, &n[d->n_devices]);
                if (r == -ENOMEM)
                        return r;
                if (r <= 0) {
                        device_clear(&n[d->n_devices]);
                        continue;
                }
                d->n_devices++;
        }
        if (d->n_devices > 1)
                qsort(d->devices, d->n_devices, sizeof(*d->devices), device_compare);
        return (int)d->n_devices;
}
