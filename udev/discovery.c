/* SPDX-License-Identifier: MIT */
/*
 * Enumerates display PCI devices and reads what they offer.
 *
 * Cheap on purpose (every vmodes command that touches the X session runs a
 * scan): the PCI devices are listed from /sys/bus/pci/devices with one read
 * of `class` each, a libudev device is made only for a display device, and
 * its DRM card, render node, connectors and virtio child are found by
 * listing its sysfs folder. (A libudev enumeration builds a device, and so
 * resolves a sysfs path component by component, for every PCI device and
 * for every sysfs folder below a parent it matches.) Connector state and the
 * card node's ioctls are read only when the scan asks for them.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
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

#include "udev/util.h"
#include "udev/vmodes-udev.h"

#define MAX_DEVICES 64
#define MAX_CONNECTORS 64
#define MAX_MODES 512
#define MAX_ERRORS 64
#define MAX_ENTRIES 1024

#define SYSFS_PCI_DEVICES "/sys/bus/pci/devices"

struct vmodes_discovery {
        struct udev *udev;
        unsigned flags; /* of the scan running */
        struct vmodes_device *devices;
        size_t n_devices;
        char **errors;
        size_t n_errors;
};

static void udev_device_unrefp(struct udev_device **d)
{
        if (*d)
                udev_device_unref(*d);
}


static void closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
}


static void strv_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

static void strv_freep(char ***v)
{
        strv_free(*v);
}

static int name_compare(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a sysfs folder that `keep` accepts, sorted by strcmp (the
 * order of libudev's enumerations), NULL-terminated. A missing folder is
 * an empty list. */
static int list_dir(const char *path, bool (*keep)(const char *name), char ***out)
{
        _cleanup_(strv_freep) char **v = NULL;
        size_t n = 0;
        struct dirent *de;
        DIR *dir;
        int r = 0;

        dir = opendir(path);
        if (!dir && errno != ENOENT && errno != ENOTDIR)
                return -errno;
        v = calloc(1, sizeof(*v));
        if (!v) {
                if (dir)
                        closedir(dir);
                return -ENOMEM;
        }
        while (dir && n < MAX_ENTRIES && (de = readdir(dir))) {
                char **nv;
                if (de->d_name[0] == '.' || !keep(de->d_name))
                        continue;
                nv = realloc(v, (n + 2) * sizeof(*v));
                if (!nv) {
                        r = -ENOMEM;
                        break;
                }
                v = nv;
                v[n] = strdup(de->d_name);
                v[n + 1] = NULL;
                if (!v[n]) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        if (dir)
                closedir(dir);
        if (r < 0)
                return r;
        qsort(v, n, sizeof(*v), name_compare);
        *out = v;
        v = NULL;
        return 0;
}

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
        free(c->kmodes);
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

static const char *const connector_status_names[] = {
        [VMODES_CONNECTOR_UNKNOWN] = "unknown",
        [VMODES_CONNECTOR_CONNECTED] = "connected",
        [VMODES_CONNECTOR_DISCONNECTED] = "disconnected",
};

const char *vmodes_connector_status_to_string(enum vmodes_connector_status s)
{
        return (unsigned)s < ELEMENTSOF(connector_status_names) ? connector_status_names[s] : "unknown";
}

int vmodes_connector_status_from_string(const char *word)
{
        for (unsigned i = 0; i < ELEMENTSOF(connector_status_names); i++)
                if (!strcmp(word, connector_status_names[i]))
                        return (int)i;
        return -EINVAL;
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

/* The connector's mode list ("modes", one kernel mode name per line); a
 * malformed line drops the whole list with an error. */
static int read_connector_modes(struct vmodes_discovery *d, struct vmodes_device *dev, const char *syspath,
                                const char *sysname, struct vmodes_connector *c)
{
        _cleanup_(freep) char *modes = NULL;
        char q[64];
        int r;

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

static int read_connector(struct vmodes_discovery *d, struct vmodes_device *dev, const char *syspath,
                          const char *sysname, struct vmodes_connector *c)
{
        _cleanup_(freep) char *status = NULL, *enabled = NULL, *edid = NULL;
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
        if (!(d->flags & VMODES_SCAN_CONNECTOR_STATE))
                return 0;

        r = read_connector_file(syspath, "status", 64, &status);
        if (r == 0) {
                chomp(status);
                r = vmodes_connector_status_from_string(status);
                if (r >= 0)
                        c->status = (enum vmodes_connector_status)r;
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

        /* an EDID of up to 256 blocks; absent in old kernels and test beds */
        if (asprintf(&edid, "%s/edid", syspath) < 0)
                return -ENOMEM;
        r = vmodes_sysfs_count_bytes(edid, 256 * 128);
        c->edid_size = r > 0 ? (size_t)r : 0;
        return read_connector_modes(d, dev, syspath, sysname, c);
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

/* a DRM card or render node */
static bool is_drm_entry(const char *name)
{
        return is_card_sysname(name) || !strncmp(name, "renderD", 7);
}

static bool is_connector_entry(const char *name)
{
        return !strncmp(name, "card", 4) && !is_card_sysname(name) && strchr(name, '-');
}

/* "/dev/dri/card0" from a DRM device's uevent (DEVNAME=dri/card0), as
 * libudev makes it; NULL when it has none. */
static char *devnode_of(const char *syspath)
{
        _cleanup_(freep) char *uevent = NULL;
        char *save = NULL, *node = NULL;

        if (read_connector_file(syspath, "uevent", 4096, &uevent) < 0)
                return NULL;
        for (char *line = strtok_r(uevent, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                if (!strncmp(line, "DEVNAME=", 8) && line[8]) {
                        if (asprintf(&node, "%s%s", line[8] == '/' ? "" : "/dev/", line + 8) < 0)
                                node = NULL;
                        break;
                }
        return node;
}

/* The DRM card, render node and connectors of the GPU whose sysfs folder is
 * gpu (the PCI function, or for virtio-gpu perhaps its virtio child): DRM
 * devices live in its drm/ subfolder, connectors in the card's folder. */
static int read_drm_children(struct vmodes_discovery *d, struct vmodes_device *dev, const char *gpu)
{
        _cleanup_(strv_freep) char **entries = NULL, **conns = NULL;
        _cleanup_(freep) char *drm = NULL, *card = NULL;
        const char *card_name = NULL, *render_name = NULL;
        int r;

        if (asprintf(&drm, "%s/drm", gpu) < 0)
                return -ENOMEM;
        r = list_dir(drm, is_drm_entry, &entries);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        /* the first of each, in libudev's order */
        for (size_t i = 0; entries[i]; i++) {
                if (is_card_sysname(entries[i]) && !card_name)
                        card_name = entries[i];
                else if (!strncmp(entries[i], "renderD", 7) && !render_name)
                        render_name = entries[i];
        }
        if (render_name) {
                _cleanup_(freep) char *render = NULL;
                if (asprintf(&render, "%s/%s", drm, render_name) < 0)
                        return -ENOMEM;
                dev->render_devnode = devnode_of(render);
        }
        if (!card_name)
                return 0;
        if (asprintf(&card, "%s/%s", drm, card_name) < 0)
                return -ENOMEM;
        dev->card = strdup(card_name);
        if (!dev->card)
                return -ENOMEM;
        dev->card_devnode = devnode_of(card);

        r = list_dir(card, is_connector_entry, &conns);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        for (size_t i = 0; conns[i]; i++) {
                _cleanup_(freep) char *path = NULL;
                struct vmodes_connector *n;

                if (dev->n_connectors >= MAX_CONNECTORS)
                        break;
                if (asprintf(&path, "%s/%s", card, conns[i]) < 0)
                        return -ENOMEM;
                n = realloc(dev->connectors, (dev->n_connectors + 1) * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                dev->connectors = n;
                memset(&n[dev->n_connectors], 0, sizeof(*n));
                r = read_connector(d, dev, path, conns[i], &n[dev->n_connectors]);
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

static double mode_refresh(const drmModeModeInfo *m)
{
        double num = m->clock * 1000.0, den = (double)m->htotal * m->vtotal;

        if (m->flags & DRM_MODE_FLAG_INTERLACE)
                num *= 2.0;
        if (m->flags & DRM_MODE_FLAG_DBLSCAN)
                den *= 2.0;
        if (m->vscan > 1)
                den *= m->vscan;
        return den > 0 ? num / den : 0;
}

static void read_kernel_modes(const drmModeConnector *conn, struct vmodes_connector *c)
{
        free(c->kmodes);
        c->n_kmodes = 0;
        c->kmodes = conn->count_modes > 0 ? calloc((size_t)conn->count_modes, sizeof(*c->kmodes)) : NULL;
        for (int i = 0; c->kmodes && i < conn->count_modes; i++) {
                const drmModeModeInfo *m = &conn->modes[i];
                c->kmodes[c->n_kmodes++] = (struct vmodes_connector_mode){
                        m->hdisplay, m->vdisplay, mode_refresh(m), (m->flags & DRM_MODE_FLAG_INTERLACE) != 0,
                        (m->type & DRM_MODE_TYPE_PREFERRED) != 0, (m->type & DRM_MODE_TYPE_USERDEF) != 0,
                };
        }
}

/* The facts sysfs lacks: mode_config limits, connector properties and the
 * kernel's mode lists with their timings. Opening the card needs the video
 * group or root; without it they stay unknown. The lists are the kernel's
 * as a display server sees them: while none runs, the opener is the DRM
 * master and the kernel probes the connectors in full (fbcon's own probe
 * keeps a shorter list: 6 modes on qxl against 37); under a display server
 * the kernel gives what it has from the server's last probe. */
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
                drmModeConnectorPtr conn = drmModeGetConnector(fd, res->connectors[i]);
                char name[64];

                if (!conn)
                        continue;
                snprintf(name, sizeof(name), "%s-%u",
                         conn->connector_type < ELEMENTSOF(connector_type_names)
                                 ? connector_type_names[conn->connector_type] : "Unknown",
                         conn->connector_type_id);
                for (size_t j = 0; j < dev->n_connectors; j++)
                        if (!strcmp(dev->connectors[j].name, name)) {
                                read_connector_props(fd, conn->connector_id, &dev->connectors[j]);
                                read_kernel_modes(conn, &dev->connectors[j]);
                        }
                drmModeFreeConnector(conn);
        }
        drmModeFreeResources(res);
        return 0;
}

static int read_virtio_child(struct vmodes_discovery *d, struct vmodes_device *dev,
                             struct udev_device *pci, char **gpu);

/* boot_vga and the BAR list ("resource"); a malformed value is an error
 * of the scan, not of the device. */
static void read_pci_attrs(struct vmodes_discovery *d, struct udev_device *u, struct vmodes_device *dev)
{
        const char *slot = dev->slot, *v;
        char q[64];

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
}


static int read_device(struct vmodes_discovery *d, struct udev_device *u, struct vmodes_device *dev)
{
        const char *slot = udev_device_get_sysname(u);
        _cleanup_(freep) char *gpu = NULL; /* virtio-gpu: the virtio device's sysfs folder */
        const char *v;
        uint32_t vendor = 0, device = 0, cls = 0, sv = 0, sd = 0;
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
                r = read_virtio_child(d, dev, u, &gpu);
                if (r < 0)
                        return r;
        } else {
                dev->driver = strdup_or_null(dev->pci_driver);
                dev->modalias = strdup_or_null(dev->pci_modalias);
        }

        read_pci_attrs(d, u, dev);

        if (dev->type && dev->type->kind == VMODES_GPU_QXL) {
                r = read_qxl_rom(dev);
                if (r == -ENOMEM)
                        return r;
                dev->surface_area_error = r;
                if (r == -EBADMSG)
                        add_error(d, "%s: the QXL ROM (resource2) does not hold a valid QXLRom header; framebuffer size unknown",
                                  slot);
        }

        /* virtio-gpu's card is below the PCI function with kernel 6.1,
         * below the virtio device with others */
        r = read_drm_children(d, dev, dev->syspath);
        if (r >= 0 && !dev->card && gpu)
                r = read_drm_children(d, dev, gpu);
        if (r < 0)
                return r;
        if (!dev->card_devnode)
                dev->drm_error = -ENODEV;
        else if (d->flags & VMODES_SCAN_DRM_NODE)
                dev->drm_error = read_drm_node(dev);
        else
                dev->drm_error = -ENODATA;
        return 1;
}

static bool is_virtio_entry(const char *name)
{
        if (strncmp(name, "virtio", 6) != 0 || !name[6])
                return false;
        for (name += 6; *name; name++)
                if (!isdigit((unsigned char)*name))
                        return false;
        return true;
}

/* virtio-gpu: the GPU is the virtio device below the PCI function; *gpu
 * gets its sysfs folder. */
static int read_virtio_child(struct vmodes_discovery *d, struct vmodes_device *dev,
                             struct udev_device *pci, char **gpu)
{
        _cleanup_(strv_freep) char **children = NULL;
        _cleanup_(udev_device_unrefp) struct udev_device *u = NULL;
        _cleanup_(freep) char *path = NULL;
        const char *v;
        int r;

        r = list_dir(udev_device_get_syspath(pci), is_virtio_entry, &children);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        if (!children[0])
                return 0;
        if (asprintf(&path, "%s/%s", udev_device_get_syspath(pci), children[0]) < 0)
                return -ENOMEM;
        u = udev_device_new_from_syspath(d->udev, path);
        if (!u)
                return 0;
        dev->driver = strdup_or_null(udev_device_get_driver(u));
        v = udev_device_get_property_value(u, "MODALIAS");
        if (!v)
                v = udev_device_get_sysattr_value(u, "modalias");
        dev->modalias = strdup_or_null(v);
        *gpu = strdup(udev_device_get_syspath(u));
        return *gpu ? 0 : -ENOMEM;
}

static int device_compare(const void *a, const void *b)
{
        const struct vmodes_device *x = a, *y = b;

        return strcmp(x->slot, y->slot);
}

static bool is_pci_entry(const char *name)
{
        return true;
}

/* Is the PCI device at path a display device (class 0x03xxxx, as libudev's
 * sysattr match "0x03*" sees the value: without the trailing newline)? */
static bool is_display(const char *path)
{
        _cleanup_(freep) char *file = NULL, *cls = NULL;
        size_t len;

        if (asprintf(&file, "%s/class", path) < 0 || vmodes_sysfs_read_file(file, 64, &cls) < 0)
                return false;
        len = strlen(cls);
        while (len > 0 && cls[len - 1] == '\n')
                cls[--len] = '\0';
        return fnmatch("0x03*", cls, 0) == 0;
}

int vmodes_discovery_scan_flags(struct vmodes_discovery *d, unsigned flags)
{
        _cleanup_(strv_freep) char **names = NULL;
        int r;

        discovery_reset(d);
        d->flags = flags;
        r = list_dir(SYSFS_PCI_DEVICES, is_pci_entry, &names);
        if (r < 0)
                return r;

        for (size_t i = 0; names[i]; i++) {
                _cleanup_(udev_device_unrefp) struct udev_device *u = NULL;
                _cleanup_(freep) char *path = NULL;
                struct vmodes_device *n;

                if (d->n_devices >= MAX_DEVICES)
                        break;
                if (asprintf(&path, "%s/%s", SYSFS_PCI_DEVICES, names[i]) < 0)
                        return -ENOMEM;
                if (!is_display(path))
                        continue;
                u = udev_device_new_from_syspath(d->udev, path);
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

int vmodes_discovery_scan(struct vmodes_discovery *d)
{
        return vmodes_discovery_scan_flags(d, VMODES_SCAN_FULL);
}
