/* SPDX-License-Identifier: MIT */
/*
 * GDM's login screen: the connectors of the virtual GPUs as mutter will
 * see them (the kernel's mode lists as the discovery read them, the EDID
 * from sysfs), and where the monitors.xml for it goes. The file's content:
 * agent/core/monitorsxml.c.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void read_edid(const char *sysname, struct vmodes_kms_connector *k)
{
        char path[256];
        char *text = NULL;
        size_t len = 0;

        snprintf(path, sizeof(path), SYSFS_DRM "/%s/edid", sysname);
        if (vmodes_atomic_read(path, 32768, &text, &len) < 0)
                len = 0;
        vmodes_monitorsxml_spec_from_edid((const uint8_t *)text, len, k);
        free(text);
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
                for (size_t c = 0; dev->type && c < dev->n_connectors && *n < VMODES_GREETER_CONNECTORS_MAX; c++) {
                        const struct vmodes_connector *vc = &dev->connectors[c];
                        struct vmodes_kms_connector *kc = &k[*n];

                        if (!vc->n_kmodes && vc->status != VMODES_CONNECTOR_CONNECTED)
                                continue;
                        snprintf(kc->name, sizeof(kc->name), "%s", vc->name);
                        kc->connected = vc->status == VMODES_CONNECTOR_CONNECTED;
                        for (size_t m = 0; m < vc->n_kmodes && kc->n_modes < VMODES_MONITORSXML_MODES_MAX; m++) {
                                const struct vmodes_connector_mode *cm = &vc->kmodes[m];
                                kc->modes[kc->n_modes++] = (struct vmodes_kms_mode){
                                        cm->width, cm->height, cm->refresh, cm->interlace, cm->preferred,
                                };
                        }
                        read_edid(vc->sysname, kc);
                        (*n)++;
                }
        }
        return 0;
}
