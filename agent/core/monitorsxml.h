/* SPDX-License-Identifier: MIT */
/*
 * GNOME's monitors.xml for GDM's login screen. GDM's greeter is a
 * gnome-shell of its own (on Wayland or Xorg) that reads monitors.xml from
 * the home of GDM's user; mutter takes a configuration of that file when it
 * names exactly the monitors connected, each by its monitor spec
 * (connector, vendor, product, serial) and each lit one with a mode the
 * kernel lists for it (size, and refresh within 0.001 Hz of the rate mutter
 * computes from the kernel's timings). mutter makes no modes: a stored mode
 * the kernel does not list cannot be in the file (kernel-cmdline and a
 * reboot bring it).
 *
 * Pure: the caller reads the connectors (agent/daemon/greeter.c); tests
 * build them by hand and give the file to a real mutter.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/core/state.h"

/* Inside every file vmodesd writes: a monitors.xml without it is somebody
 * else's (the greeter's own, or an administrator's) and is left alone. */
#define VMODES_MONITORSXML_MARKER "<!-- written by vmodesd"

#define VMODES_MONITORSXML_SPEC_MAX 64    /* bytes of a vendor, product or serial */
#define VMODES_MONITORSXML_MODES_MAX 256  /* modes of a connector */

/* A mode as the kernel lists it for a connector. */
struct vmodes_kms_mode {
        unsigned width, height;
        double refresh;  /* Hz as mutter computes it: clock / (htotal * vtotal), x2 interlaced, /2 doublescan */
        bool interlace;
        bool preferred;
};

/* A connector of the virtual GPU as the kernel has it. */
struct vmodes_kms_connector {
        char name[VMODES_HEAD_NAME_MAX];  /* "Virtual-1" */
        /* mutter's names of the monitor (vmodes_monitorsxml_spec_from_edid) */
        char vendor[VMODES_MONITORSXML_SPEC_MAX], product[VMODES_MONITORSXML_SPEC_MAX],
                serial[VMODES_MONITORSXML_SPEC_MAX];
        bool connected;
        unsigned n_modes;
        struct vmodes_kms_mode modes[VMODES_MONITORSXML_MODES_MAX];
};

/* mutter's vendor, product and serial of a monitor from its EDID (len
 * bytes, NULL or short: none): the PNP id; the product name descriptor,
 * else the product code as 0x%04x; the serial descriptor, else the serial
 * number as 0x%08x. Without an EDID all three are "unknown". */
void vmodes_monitorsxml_spec_from_edid(const uint8_t *edid, size_t len, struct vmodes_kms_connector *c);

/* The file for config c over the n connectors: *text (malloc'd), or NULL
 * when c configures none of the connected ones (no file is needed then).
 * -ENOTSUP when a head's mode is not one the kernel lists (err names the
 * head, the mode and the ones listed), other errors of the layout planner
 * (agent/core/layout.h) as it gives them. */
int vmodes_monitorsxml_format(const struct vmodes_config *c, const struct vmodes_kms_connector *conn, unsigned n,
                              char **text, struct vmodes_error *err);

/* Whether a monitors.xml is one vmodesd wrote (it has the marker). */
bool vmodes_monitorsxml_is_ours(const char *text);
