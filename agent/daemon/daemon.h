/* SPDX-License-Identifier: MIT */
/*
 * vmodesd internals: the daemon state (daemon.c: devices, config, the files
 * it writes). Its D-Bus API (bus.h) calls these functions and hears of
 * changes through struct vmodes_daemon_notify: this header knows nothing
 * of the bus.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "agent/common/log.h"
#include "agent/core/state.h"
#include "udev/vmodes-udev.h"

struct vmodes_daemon_options {
        const char *config_path;  /* vmodes.conf */
        const char *xorg_path;    /* the xorg.conf.d file */
        const char *grub_path;    /* the GRUB drop-in for kernel-cmdline */
        const char *greeter_path; /* monitors.xml for GDM; NULL: the default when GDM is installed, "": none */
        const char *edid_dir;     /* EDID blobs of the kernel route; NULL: VMODES_EDID_FIRMWARE_DIR */
        bool load_modules;        /* load missing GPU drivers (libkmod) */
        bool monitor;             /* follow udev events */
};

/* Who hears of changes (the D-Bus API); either callback may be NULL. */
struct vmodes_daemon_notify {
        void (*config_changed)(void *userdata);  /* the config or ConfigError changed */
        void (*devices_changed)(void *userdata); /* a device came, went or changed */
        void *userdata;
};

struct vmodes_daemon {
        struct vmodes_daemon_options opt;
        sd_event *event;
        struct vmodes_daemon_notify notify;
        struct vmodes_monitor *monitor;
        struct vmodes_discovery *discovery;
        enum vmodes_head_scheme scheme;  /* X output names of the X driver in use */
        struct vmodes_config config;     /* the last good config */
        /* the event-loop iteration of the last scan: the scan is current
         * for the rest of that iteration (no second scan at start) */
        bool scanned;
        uint64_t scan_iteration;
        /* the connected connectors at the last scan, with whether each
         * shows an EDID ("Virtual-1+edid Virtual-2"): what GDM's
         * monitors.xml and the EDID route depend on */
        char connected[512];
        bool connected_changed; /* by the last scan */
        /* why the file on disk is not in use, "" if it is; while set, the
         * daemon is read-only (changes refused, no file written) */
        char config_error[1024];
};

int vmodes_daemon_new(struct vmodes_daemon **out, const struct vmodes_daemon_options *opt, sd_event *event);
void vmodes_daemon_free(struct vmodes_daemon *d);
void vmodes_daemon_set_notify(struct vmodes_daemon *d, const struct vmodes_daemon_notify *n);
/* Tell the listener that the config (or ConfigError) changed. */
void vmodes_daemon_config_changed(struct vmodes_daemon *d);

/* Load the config file. A damaged file (unreadable, not a regular file, a
 * NUL byte, empty while .old is good, a parse error) sets config_error and
 * makes the daemon read-only; the config in use stays (at start: .old when
 * it parses, else none). */
int vmodes_daemon_load_config(struct vmodes_daemon *d, bool at_start, struct vmodes_error *err);
/* Discovery, module loading, X output naming. */
int vmodes_daemon_scan(struct vmodes_daemon *d);
/* Write the X config (and the kernel drop-in, and the monitors.xml for GDM) for
 * the current config when their content differs from what is on disk, all
 * or none; -ESTALE while read-only. */
int vmodes_daemon_write_outputs(struct vmodes_daemon *d, struct vmodes_error *err);
/* Validate, then write vmodes.conf (the replaced version kept as .old), the
 * X config and the kernel drop-in as one transaction, swap in and signal;
 * on failure nothing changed (files, memory) and err names the file. */
int vmodes_daemon_commit(struct vmodes_daemon *d, const struct vmodes_config *c, struct vmodes_error *err);

/* Head name given by a caller -> canonical head name (connector name). */
int vmodes_daemon_resolve_head(struct vmodes_daemon *d, const char *name, char canon[VMODES_HEAD_NAME_MAX],
                               struct vmodes_error *err);
/* The virtual GPU a canonical head belongs to, or NULL. */
const struct vmodes_device *vmodes_daemon_head_device(struct vmodes_daemon *d, const char *head);
