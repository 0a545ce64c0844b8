/* SPDX-License-Identifier: MIT */
/*
 * GDM's login screen: the connectors of the virtual GPUs as mutter will
 * see them (the kernel's mode lists through libdrm, without a probe; the
 * EDID from sysfs), and where the monitors.xml for it goes. The file's
 * content: agent/core/monitorsxml.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "agent/core/atomic.h"
#include "agent/daemon/greeter.h"

#define SYSFS_DRM "/sys/class/drm"

int vmodes_greeter_path(const char *configured, char *path, size_t size)
{
        static const char *const users[] = { "Debian-gdm", "gdm" };

        if (configured) {
                if (!*configured)
                        return -ENOENT;
                return (size_t)snprintf(path, size, "%s", configured) < size ? 0 : -ENAMETOOLONG;
        }
        for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
                if (getpwnam(users[i]))
                        return (size_t)snprintf(path, size, "%s", VMODES_GREETER_MONITORS_PATH) < size ? 0
                                                                                                 : -ENAMETOOLONG;
        return -ENOENT;
}

/* The refresh rate mutter computes for a kernel mode. */
static double drm_refresh(const drmModeModeInfo *m)
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

static void read_edid(const char *card, struct vmodes_kms_connector *k)
{
        char path[256];
        uint8_t *edid = NULL;
        char *text = NULL;
        size_t len = 0;

        snprintf(path, sizeof(path), SYSFS_DRM "/%s-%s/edid", card, k->name);
        if (vmodes_atomic_read(path, 32768, &text, &len) == 0)
                edid = (uint8_t *)text;
        vmodes_monitorsxml_spec_from_edid(edid, len, k);
        free(text);
}

static void read_card(const struct vmodes_device *dev, struct vmodes_kms_connector *out, unsigned max, unsigned *n)
{
        int fd = open(dev->card_devnode, O_RDWR | O_CLOEXEC | O_NOCTTY);
        drmModeResPtr res;

        if (fd < 0)
                fd = open(dev->card_devnode, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return;
        res = drmModeGetResources(fd);
        for (int i = 0; res && i < res->count_connectors && *n < max; i++) {
                drmModeConnectorPtr conn = drmModeGetConnectorCurrent(fd, res->connectors[i]);
                struct vmodes_kms_connector *k = &out[*n];
                const char *type;

                if (!conn)
                        continue;
                type = drmModeGetConnectorTypeName(conn->connector_type);
                memset(k, 0, sizeof(*k));
                snprintf(k->name, sizeof(k->name), "%s-%u", type ? type : "Unknown", conn->connector_type_id);
                k->connected = conn->connection == DRM_MODE_CONNECTED;
                for (int m = 0; m < conn->count_modes && k->n_modes < VMODES_MONITORSXML_MODES_MAX; m++) {
                        const drmModeModeInfo *mi = &conn->modes[m];
                        k->modes[k->n_modes++] = (struct vmodes_kms_mode){
                                mi->hdisplay, mi->vdisplay, drm_refresh(mi), (mi->flags & DRM_MODE_FLAG_INTERLACE) != 0,
                                (mi->type & DRM_MODE_TYPE_PREFERRED) != 0,
                        };
                }
                read_edid(dev->card, k);
                drmModeFreeConnector(conn);
                (*n)++;
        }
        drmModeFreeResources(res);
        close(fd);
}

int vmodes_greeter_connectors(const struct vmodes_discovery *disc, struct vmodes_kms_connector **out, unsigned *n)
{
        struct vmodes_kms_connector *k = calloc(VMODES_GREETER_CONNECTORS_MAX, sizeof(*k));

        *n = 0;
        *out = k;
        if (!k)
                return -ENOMEM;
        for (size_t i = 0; i < vmodes_discovery_get_n_devices(disc); i++) {
                const struct vmodes_device *dev = vmodes_discovery_get_device(disc, i);
                if (dev->type && dev->card && dev->card_devnode)
                        read_card(dev, k, VMODES_GREETER_CONNECTORS_MAX, n);
        }
        return 0;
}
