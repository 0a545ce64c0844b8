/* SPDX-License-Identifier: MIT */
/*
 * vmodesd state: the virtual GPUs (discovery, driver modules), the config
 * (last good, loaded completely before it is used), and the files generated
 * from it (xorg.conf.d snippet, kernel command-line drop-in).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "agent/common/head.h"
#include "agent/common/textbuf.h"
#include "agent/core/atomic.h"
#include "agent/daemon/daemon.h"
#include "agent/daemon/greeter.h"
#include "agent/core/kcmdline.h"
#include "agent/core/xorgconf.h"

static void on_device_event(struct vmodes_monitor *m, const struct vmodes_event *ev, void *userdata)
{
        struct vmodes_daemon *d = userdata;
        struct vmodes_error err;

        log_info("device event: %s %s (%s)", ev->action, ev->sysname, ev->subsystem);
        if (vmodes_daemon_scan(d) < 0)
                return;
        /* a new device, or connectors switched on or off (a SPICE client's
         * display, a driver now reading an EDID): the files that depend on
         * them follow (GDM's monitors.xml, the EDID route) */
        if ((ev->type == VMODES_EVENT_DEVICE_ADD || (ev->type == VMODES_EVENT_HOTPLUG && d->connected_changed)) &&
            !d->config_error[0] && vmodes_daemon_write_outputs(d, &err) < 0)
                log_error("%s", err.msg);
        if (d->notify.devices_changed)
                d->notify.devices_changed(d->notify.userdata);
}

int vmodes_daemon_new(struct vmodes_daemon **out, const struct vmodes_daemon_options *opt, sd_event *event)
{
        struct vmodes_daemon *d;
        int r;

        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->opt = *opt;
        d->event = sd_event_ref(event);
        vmodes_config_init(&d->config);
        r = vmodes_discovery_new(&d->discovery);
        if (r < 0)
                goto fail;
        if (opt->monitor) {
                r = vmodes_monitor_new(&d->monitor, on_device_event, d);
                if (r < 0) {
                        log_error("cannot listen to udev events: %s", strerror(-r));
                        goto fail;
                }
                r = vmodes_monitor_attach(d->monitor, event, 0);
                if (r < 0)
                        goto fail;
        }
        *out = d;
        return 0;
fail:
        vmodes_daemon_free(d);
        return r;
}

void vmodes_daemon_free(struct vmodes_daemon *d)
{
        if (!d)
                return;
        vmodes_monitor_free(d->monitor);
        vmodes_discovery_free(d->discovery);
        sd_event_unref(d->event);
        free(d);
}

void vmodes_daemon_set_notify(struct vmodes_daemon *d, const struct vmodes_daemon_notify *n)
{
        d->notify = *n;
}

void vmodes_daemon_config_changed(struct vmodes_daemon *d)
{
        if (d->notify.config_changed)
                d->notify.config_changed(d->notify.userdata);
}

static void set_config_error(struct vmodes_daemon *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_config_error(struct vmodes_daemon *d, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vmodes_text_vformat(d->config_error, sizeof(d->config_error), fmt, ap);
        va_end(ap);
}

/* ---- the config file ------------------------------------------------------ */

/* Read and parse a config file: 0, -ENOENT (none), -ENODATA (empty file) or
 * another error with a message. Never follows a symlink or blocks on a
 * FIFO; the parser gets the length read, so a NUL byte (what a power loss
 * leaves) is damage, never the end of the text. */
static int load_file(const char *path, struct vmodes_config *c, struct vmodes_error *err)
{
        char *text = NULL;
        size_t len = 0;
        int r;

        r = vmodes_atomic_read_file(path, VMODES_CONFIG_FILE_MAX, VMODES_ATOMIC_NOFOLLOW, &text, &len);
        if (r == -ENOENT)
                return r;
        if (r == -EFBIG)
                return vmodes_error_set(err, r, "%s: larger than %d bytes", path, VMODES_CONFIG_FILE_MAX);
        if (r == -EINVAL || r == -EISDIR || r == -ELOOP)
                return vmodes_error_set(err, -EINVAL, "%s: not a regular file (%s)", path,
                                        r == -ELOOP ? "a symbolic link" : r == -EISDIR ? "a folder" : "a FIFO, socket or device");
        if (r < 0)
                return vmodes_error_set(err, r, "%s: %s", path, strerror(-r));
        if (len == 0)
                r = -ENODATA;
        else
                r = vmodes_config_parse_n(text, len, path, c, err);
        free(text);
        return r;
}

/* The previous version (.old, kept by every save) when it parses. */
static int load_old(struct vmodes_daemon *d, struct vmodes_config *c, struct vmodes_error *err)
{
        char oldpath[4096];

        if ((size_t)snprintf(oldpath, sizeof(oldpath), "%s.old", d->opt.config_path) >= sizeof(oldpath))
                return vmodes_error_set(err, -ENAMETOOLONG, "%s.old: name too long", d->opt.config_path);
        return load_file(oldpath, c, err);
}

int vmodes_daemon_load_config(struct vmodes_daemon *d, bool at_start, struct vmodes_error *err)
{
        struct vmodes_config *c, *old;
        struct vmodes_error e, eo;
        int r, ro;

        c = malloc(sizeof(*c));
        old = malloc(sizeof(*old));
        if (!c || !old) {
                free(c);
                free(old);
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        }
        r = load_file(d->opt.config_path, c, &e);
        ro = r == 0 || r == -ENOENT ? -ENOENT : load_old(d, old, &eo);
        if (r == -ENODATA && ro == 0)
                r = vmodes_error_set(&e, -EINVAL, "%s: empty file (vmodesd never writes one: a damaged file?)",
                                     d->opt.config_path);
        if (r == -ENOENT || r == -ENODATA) {
                /* no file (or an empty one and no .old): nothing configured */
                vmodes_config_init(c);
                r = 0;
        }
        if (r == 0) {
                d->config = *c;
                d->config_error[0] = '\0';
        } else if (at_start && ro == 0) {
                d->config = *old;
                set_config_error(d, "%s; serving the last good config from %s.old; changes are refused until "
                                 "the file is fixed (or restored from .old) and reloaded", e.msg, d->opt.config_path);
        } else if (at_start)
                set_config_error(d, "%s; no usable %s.old either; %s is left as it is and changes are refused "
                                 "until the file is fixed and reloaded", e.msg, d->opt.config_path, d->opt.xorg_path);
        else
                set_config_error(d, "%s; the previous config stays in use and changes are refused until the "
                                 "file is fixed and reloaded", e.msg);
        if (r < 0) {
                log_error("%s", d->config_error);
                vmodes_error_set(err, r, "%s", e.msg);
        }
        free(c);
        free(old);
        return r;
}

static bool is_virtual_with_heads(const struct vmodes_device *dev)
{
        return dev->type && vmodes_heads_count(dev) > 0;
}

static void log_step(void *userdata, const char *step)
{
        log_info("%s", step);
}

/* Load the missing drivers of the virtual GPUs: whether it tried one. */
static bool load_modules(struct vmodes_daemon *d)
{
        struct vmodes_kmod *k = NULL;
        size_t n = vmodes_discovery_get_n_devices(d->discovery);
        bool tried = false;
        int r;

        for (size_t i = 0; i < n; i++) {
                const struct vmodes_device *dev = vmodes_discovery_get_device(d->discovery, i);
                struct vmodes_module_info *info = NULL;

                if (!dev->type || dev->driver)
                        continue;
                if (!k && (r = vmodes_kmod_new(&k, NULL)) < 0) {
                        log_error("libkmod: %s", strerror(-r));
                        return false;
                }
                r = vmodes_kmod_inspect(k, dev, &info);
                if (r < 0) {
                        log_error("%s: cannot inspect its driver module: %s", dev->slot, strerror(-r));
                        continue;
                }
                if (info->action == VMODES_ACTION_LOAD) {
                        log_notice("%s (%s): loading module %s", dev->slot, dev->type->name,
                                info->name);
                        tried = true;
                        r = vmodes_kmod_load(k, dev, 0, log_step, NULL);
                        if (r < 0)
                                log_error("%s: loading %s failed: %s", dev->slot, info->name,
                                        strerror(-r));
                } else if (info->action != VMODES_ACTION_NONE)
                        log_warning("%s (%s): module %s not loaded (%s)", dev->slot,
                                dev->type->name, info->name, vmodes_module_action_to_string(info->action));
                vmodes_module_info_free(info);
        }
        vmodes_kmod_free(k);
        return tried;
}

/* Record which connectors are connected (and show an EDID) after a scan. */
static void note_connected(struct vmodes_daemon *d)
{
        char now[sizeof(d->connected)] = "", name[VMODES_HEAD_NAME_MAX + 8];

        for (size_t i = 0; i < vmodes_discovery_get_n_devices(d->discovery); i++) {
                const struct vmodes_device *dev = vmodes_discovery_get_device(d->discovery, i);

                for (size_t k = 0; dev->type && k < dev->n_connectors; k++) {
                        const struct vmodes_connector *c = &dev->connectors[k];

                        if (c->status != VMODES_CONNECTOR_CONNECTED)
                                continue;
                        snprintf(name, sizeof(name), "%s%s", c->name, c->edid_size ? "+edid" : "");
                        vmodes_text_append(now, sizeof(now), " ", name);
                }
        }
        d->connected_changed = strcmp(now, d->connected) != 0;
        memcpy(d->connected, now, sizeof(now));
}

int vmodes_daemon_scan(struct vmodes_daemon *d)
{
        size_t n;
        int r;

        r = vmodes_discovery_scan(d->discovery);
        if (r < 0) {
                log_error("device discovery failed: %s", strerror(-r));
                return r;
        }
        /* a driver just loaded changes what the devices show: read them again */
        if (d->opt.load_modules && load_modules(d)) {
                r = vmodes_discovery_scan(d->discovery);
                if (r < 0)
                        return r;
        }
        /* X output names: the qxl DDX without a kernel driver (UMS) names
         * heads qxl-N; with one (and modesetting) they are the KMS names */
        d->scheme = VMODES_HEADS_KMS;
        n = vmodes_discovery_get_n_devices(d->discovery);
        for (size_t i = 0; i < n; i++) {
                const struct vmodes_device *dev = vmodes_discovery_get_device(d->discovery, i);
                if (dev->type && dev->type->kind == VMODES_GPU_QXL && !dev->secondary) {
                        if (!dev->driver)
                                d->scheme = VMODES_HEADS_UMS;
                        break;
                }
        }
        for (size_t i = 0; i < vmodes_discovery_get_n_errors(d->discovery); i++)
                log_warning("%s", vmodes_discovery_get_error(d->discovery, i));
        d->scanned = d->event && sd_event_get_iteration(d->event, &d->scan_iteration) >= 0;
        note_connected(d);
        return 0;
}

/* The discovery as the devices are now: scanned again unless it was in
 * this event-loop iteration already. */
static int scan_current(struct vmodes_daemon *d)
{
        uint64_t it;
        int r;

        if (d->scanned && sd_event_get_iteration(d->event, &it) >= 0 && it == d->scan_iteration)
                return 0;
        r = vmodes_discovery_scan(d->discovery);
        d->scanned = r >= 0 && d->event && sd_event_get_iteration(d->event, &d->scan_iteration) >= 0;
        return r;
}

/* Stage path with text unless it holds that already: 1 staged, 0 same. */
static int stage_if_changed(struct vmodes_atomic_txn *t, const char *path, const char *text)
{
        char *cur = NULL;
        int r;

        if (vmodes_atomic_read_file(path, 1 << 20, VMODES_ATOMIC_NOFOLLOW, &cur, NULL) == 0 && !strcmp(cur, text)) {
                free(cur);
                return 0;
        }
        free(cur);
        r = vmodes_atomic_txn_write(t, path, text, strlen(text), 0644, false);
        return r < 0 ? r : 1;
}

/* Debian ships no /etc/X11/xorg.conf.d: create that one folder. */
static int make_parent(const char *path)
{
        char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
        int r = -ENOENT;

        if (slash && slash != dir) {
                *slash = '\0';
                r = mkdir(dir, 0755) < 0 ? -errno : 0;
        }
        free(dir);
        return r;
}

/* What a commit changes besides vmodes.conf. */
struct outputs {
        bool xorg, grub, greeter, edid;
        char greeter_path[PATH_MAX];
        bool greeter_removed;
};

static int stage_xorg(struct vmodes_daemon *d, const struct vmodes_config *c, struct vmodes_atomic_txn *t,
                      struct outputs *o, struct vmodes_error *err)
{
        char *text = NULL;
        int r;

        r = vmodes_xorgconf_format(c, d->scheme, d->opt.config_path, &text);
        if (r < 0)
                return vmodes_error_set(err, r, "cannot generate the X configuration: %s", strerror(-r));
        r = stage_if_changed(t, d->opt.xorg_path, text);
        if (r == -ENOENT && make_parent(d->opt.xorg_path) == 0)
                r = stage_if_changed(t, d->opt.xorg_path, text);
        free(text);
        if (r < 0)
                return vmodes_error_set(err, r, "cannot write %s: %s", d->opt.xorg_path, strerror(-r));
        o->xorg = r > 0;
        return 0;
}

/* The connector named head on the devices now, or NULL. */
static const struct vmodes_connector *find_connector(const struct vmodes_daemon *d, const char *head)
{
        for (size_t i = 0; i < vmodes_discovery_get_n_devices(d->discovery); i++) {
                const struct vmodes_device *dev = vmodes_discovery_get_device(d->discovery, i);
                for (size_t k = 0; dev->type && k < dev->n_connectors; k++)
                        if (!strcmp(dev->connectors[k].name, head))
                                return &dev->connectors[k];
        }
        return NULL;
}

/* Stage head h's EDID blob as dir/name unless it holds it already: 0, or
 * -errno (logged). */
static int stage_edid_blob(const struct vmodes_head_config *h, const char *dir, const char *name,
                           struct vmodes_atomic_txn *t, struct outputs *o)
{
        uint8_t blob[VMODES_EDID_SIZE_MAX];
        char path[PATH_MAX], skipped[512], *cur = NULL;
        struct vmodes_error err = { "" };
        size_t len = 0, cur_len = 0;
        int r;

        r = vmodes_kcmdline_edid(h, blob, sizeof(blob), &len, skipped, sizeof(skipped), &err);
        if (r < 0) {
                log_notice("%s: no EDID for the kernel (video= alone): %s", h->head, err.msg);
                return r;
        }
        if (skipped[0])
                log_notice("%s: the kernel's EDID leaves out %s", h->head, skipped);
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
                return -ENAMETOOLONG;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                r = -errno;
                log_warning("cannot make %s: %s; %s gets video= alone", dir, strerror(-r), h->head);
                return r;
        }
        if (vmodes_atomic_read_file(path, sizeof(blob), VMODES_ATOMIC_NOFOLLOW, &cur, &cur_len) == 0 &&
            cur_len == len && !memcmp(cur, blob, len)) {
                free(cur);
                return 0;
        }
        free(cur);
        r = vmodes_atomic_txn_write(t, path, blob, len, 0644, false);
        if (r < 0)
                log_warning("cannot write %s: %s; %s gets video= alone", path, strerror(-r), h->head);
        else
                o->edid = true;
        return r;
}

/* The EDID route (kcmdline.h): with kernel-cmdline, a blob for each head
 * whose connector has an EDID (the driver reads one, so it takes an
 * override) or that has a blob already (its connector may be missing or
 * without an EDID for a while: a driver still loading, a head the host
 * switched off), marked in e; blobs of vmodesd that no head needs go.
 * Never refuses: a head without a blob keeps video= alone. */
static void stage_edid(struct vmodes_daemon *d, const struct vmodes_config *c, struct vmodes_atomic_txn *t,
                       struct outputs *o, struct vmodes_kcmdline_edid *e)
{
        char names[VMODES_CONFIG_HEADS_MAX][VMODES_HEAD_NAME_MAX + 32], path[PATH_MAX];
        unsigned n = 0;
        struct dirent *de;
        DIR *dir;

        memset(e, 0, sizeof(*e));
        e->dir = d->opt.edid_dir ? d->opt.edid_dir : VMODES_EDID_FIRMWARE_DIR;
        if (c->kernel_cmdline && scan_current(d) < 0)
                log_warning("device discovery failed: the kernel's EDIDs are left as they are");
        for (unsigned i = 0; c->kernel_cmdline && i < c->n_heads && i < VMODES_CONFIG_HEADS_MAX; i++) {
                const struct vmodes_head_config *h = &c->heads[i];
                const struct vmodes_connector *conn = find_connector(d, h->head);

                if (!h->enabled || !h->n_modes || vmodes_kcmdline_edid_name(h->head, names[n], sizeof(names[n])) < 0 ||
                    !vmodes_kcmdline_edid_route(h->head, conn && conn->edid_size, e->dir))
                        continue;
                if (stage_edid_blob(h, e->dir, names[n], t, o) == 0) {
                        e->head[i] = true;
                        n++;
                }
        }
        dir = opendir(e->dir);
        while (dir && (de = readdir(dir))) {
                bool kept = false;

                if (strncmp(de->d_name, "vmodes-edid-", 12) || !strstr(de->d_name, ".bin"))
                        continue;
                for (unsigned k = 0; k < n && !kept; k++)
                        kept = !strcmp(names[k], de->d_name);
                if (!kept && (size_t)snprintf(path, sizeof(path), "%s/%s", e->dir, de->d_name) < sizeof(path) &&
                    vmodes_atomic_txn_remove(t, path) == 0)
                        o->edid = true;
        }
        if (dir)
                closedir(dir);
}

/* A head whose mode only video= brings and whose width the kernel's CVT
 * rounds gets another mode than the stored one: say so. */
static void notice_video_widths(const struct vmodes_config *c, const struct vmodes_kcmdline_edid *edid)
{
        for (unsigned i = 0; i < c->n_heads && i < VMODES_CONFIG_HEADS_MAX; i++) {
                const struct vmodes_head_config *h = &c->heads[i];
                unsigned w = vmodes_kcmdline_video_width(h);

                if (w && !edid->head[i] && w != h->modes[0].mode.hdisplay)
                        log_notice("%s: the kernel makes a %ux%u mode of video= for %ux%u (its CVT rounds the width "
                                   "down to a multiple of 8): a compositor without modes of its own (GNOME on "
                                   "Wayland, GDM's login screen) cannot show %s",
                                   h->head, w, h->modes[0].mode.vdisplay, h->modes[0].mode.hdisplay,
                                   h->modes[0].mode.vdisplay, h->modes[0].mode.name);
        }
}

static int stage_grub(struct vmodes_daemon *d, const struct vmodes_config *c, struct vmodes_atomic_txn *t,
                      struct outputs *o, struct vmodes_error *err)
{
        const char *path = d->opt.grub_path;
        struct vmodes_kcmdline_edid edid;
        char *cur = NULL, *text = NULL;
        int r;

        if (!path || !*path)
                return 0;
        stage_edid(d, c, t, o, &edid);
        r = vmodes_atomic_read_file(path, 65536, VMODES_ATOMIC_NOFOLLOW, &cur, NULL);
        if (!c->kernel_cmdline) {
                /* only a drop-in vmodesd wrote goes; anything else stays */
                bool ours = r == 0 && vmodes_kcmdline_is_ours(cur);

                free(cur);
                if (!ours) {
                        if (r != -ENOENT)
                                log_notice("%s was not written by vmodesd: left as it is", path);
                        return 0;
                }
                r = vmodes_atomic_txn_remove(t, path);
                if (r < 0)
                        return vmodes_error_set(err, r, "cannot remove %s: %s", path, strerror(-r));
                o->grub = true;
                return 0;
        }
        r = vmodes_kcmdline_format(c, &edid, &text);
        if (r == 0 && !(cur && !strcmp(cur, text))) {
                r = vmodes_atomic_txn_write(t, path, text, strlen(text), 0644, false);
                if (r == 0) {
                        r = 1;
                        notice_video_widths(c, &edid);
                }
        }
        free(cur);
        free(text);
        if (r == -ENOENT) {
                log_warning("kernel-cmdline: no boot loader drop-in folder for %s (GRUB's "
                                  "/etc/default/grub.d); add the video= options by hand", path);
                return 0;
        }
        if (r < 0)
                return vmodes_error_set(err, r, "cannot write %s: %s", path, strerror(-r));
        o->grub = r > 0;
        return 0;
}

/* The monitors.xml for GDM's login screen: written from c for the
 * connectors the kernel has now, removed when c has nothing for them (only
 * a file vmodesd wrote).
 * What cannot be staged is logged, never refused: the login screen then
 * keeps the layout it has. */
static void stage_greeter(struct vmodes_daemon *d, const struct vmodes_config *c, struct vmodes_atomic_txn *t,
                          struct outputs *o)
{
        struct vmodes_kms_connector *conn = NULL;
        struct vmodes_error err = { "" };
        char *cur = NULL, *text = NULL;
        unsigned n = 0;
        int r;

        if (vmodes_greeter_path(d->opt.greeter_path, o->greeter_path, sizeof(o->greeter_path)) < 0)
                return; /* no GDM */
        r = vmodes_atomic_read_file(o->greeter_path, 1 << 20, VMODES_ATOMIC_NOFOLLOW, &cur, NULL);
        if (r == 0 && !vmodes_monitorsxml_is_ours(cur)) {
                log_notice("%s was not written by vmodesd: left as it is", o->greeter_path);
                goto out;
        }
        if (r < 0 && r != -ENOENT) {
                log_warning("cannot read %s: %s; GDM's login screen keeps its layout", o->greeter_path, strerror(-r));
                goto out;
        }
        /* the connectors as they are now (the host may have switched a
         * display on since the last device event) */
        r = scan_current(d);
        if (r >= 0)
                r = vmodes_greeter_connectors(d->discovery, &conn, &n);
        if (r >= 0)
                r = vmodes_monitorsxml_format(c, conn, n, &text, &err);
        if (r == -ENOTSUP)
                log_notice("GDM's login screen keeps its own layout: %s", err.msg);
        else if (r < 0) {
                log_warning("GDM's login screen keeps its layout: %s", err.msg[0] ? err.msg : strerror(-r));
                goto out;
        }
        if (!text) {
                if (cur && vmodes_atomic_txn_remove(t, o->greeter_path) == 0)
                        o->greeter = o->greeter_removed = true;
                goto out;
        }
        if (cur && !strcmp(cur, text))
                goto out;
        r = vmodes_atomic_txn_write(t, o->greeter_path, text, strlen(text), 0644, false);
        if (r < 0)
                log_warning("cannot write %s: %s; GDM's login screen keeps its layout", o->greeter_path, strerror(-r));
        else
                o->greeter = true;
out:
        free(conn);
        free(cur);
        free(text);
}

static void log_outputs(struct vmodes_daemon *d, const struct vmodes_config *c, const struct outputs *o)
{
        if (o->xorg)
                log_info("wrote %s", d->opt.xorg_path);
        if (o->grub)
                log_notice("%s %s; run update-grub to use it at the next boot",
                                  c->kernel_cmdline ? "wrote" : "removed", d->opt.grub_path);
        if (o->greeter)
                log_info("%s %s (GDM's login screen)", o->greeter_removed ? "removed" : "wrote", o->greeter_path);
        if (o->edid)
                log_info("updated the EDIDs for the kernel in %s",
                         d->opt.edid_dir ? d->opt.edid_dir : VMODES_EDID_FIRMWARE_DIR);
}

/* Stage the X config and the kernel drop-in of c (and, with config_text,
 * vmodes.conf first), then make them all or none. */
static int write_all(struct vmodes_daemon *d, const struct vmodes_config *c, const char *config_text,
                     struct vmodes_error *err)
{
        struct vmodes_atomic_txn *t = NULL;
        struct outputs o = { 0 };
        const char *failed = NULL;
        int r;

        r = vmodes_atomic_txn_new(&t);
        if (r < 0)
                return vmodes_error_set(err, r, "out of memory");
        if (config_text) {
                r = vmodes_atomic_txn_write(t, d->opt.config_path, config_text, strlen(config_text), 0644, true);
                if (r < 0)
                        vmodes_error_set(err, r, "cannot write %s: %s", d->opt.config_path, strerror(-r));
        }
        if (r == 0)
                r = stage_xorg(d, c, t, &o, err);
        if (r == 0)
                r = stage_grub(d, c, t, &o, err);
        if (r == 0)
                stage_greeter(d, c, t, &o);
        if (r == 0) {
                r = vmodes_atomic_txn_commit(t, &failed);
                if (r < 0)
                        vmodes_error_set(err, r, "cannot write %s: %s (nothing was changed)",
                                         failed ? failed : d->opt.config_path, strerror(-r));
        }
        vmodes_atomic_txn_free(t);
        if (r == 0)
                log_outputs(d, c, &o);
        return r;
}

int vmodes_daemon_write_outputs(struct vmodes_daemon *d, struct vmodes_error *err)
{
        if (d->config_error[0])
                return vmodes_error_set(err, -ESTALE, "%s", d->config_error);
        return write_all(d, &d->config, NULL, err);
}

/* The file on disk must be one that loads: a damaged one is never rotated
 * over a good .old (it became damaged after it was loaded). */
static int check_file_on_disk(struct vmodes_daemon *d, struct vmodes_error *err)
{
        struct vmodes_config *c = malloc(sizeof(*c));
        struct vmodes_error e;
        int r;

        if (!c)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        r = load_file(d->opt.config_path, c, &e);
        free(c);
        if (r == 0 || r == -ENOENT)
                return 0;
        if (r == -ENODATA)
                vmodes_error_set(&e, r, "%s: empty file (a damaged file?)", d->opt.config_path);
        set_config_error(d, "%s (changed on disk since it was loaded); changes are refused until the file is "
                         "fixed and reloaded", e.msg);
        log_error("%s", d->config_error);
        vmodes_daemon_config_changed(d);
        return vmodes_error_set(err, -ESTALE, "%s", d->config_error);
}

int vmodes_daemon_commit(struct vmodes_daemon *d, const struct vmodes_config *c, struct vmodes_error *err)
{
        struct vmodes_error e;
        struct vmodes_config *copy;
        char *text = NULL;
        int r;

        if (d->config_error[0])
                return vmodes_error_set(err, -ESTALE, "%s", d->config_error);
        copy = malloc(sizeof(*copy));
        if (!copy)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        *copy = *c;
        r = vmodes_config_resolve(copy, &e);
        if (r == 0)
                r = vmodes_config_validate(copy, &e);
        if (r < 0) {
                free(copy);
                return vmodes_error_set(err, -EINVAL, "%s", e.msg);
        }
        r = check_file_on_disk(d, err);
        if (r == 0) {
                r = vmodes_config_format(copy, &text);
                if (r < 0)
                        vmodes_error_set(err, r, "cannot format the config: %s", strerror(-r));
        }
        if (r == 0)
                r = write_all(d, copy, text, err);
        free(text);
        if (r == 0) {
                d->config = *copy;
                log_info("wrote %s", d->opt.config_path);
                vmodes_daemon_config_changed(d);
        }
        free(copy);
        return r;
}

int vmodes_daemon_resolve_head(struct vmodes_daemon *d, const char *name, char canon[VMODES_HEAD_NAME_MAX],
                               struct vmodes_error *err)
{
        size_t n = vmodes_discovery_get_n_devices(d->discovery);
        char known[200] = "";
        size_t klen = 0;

        /* the one head-name rule, then the heads of the virtual GPU */
        if (vmodes_head_validate(name, err) < 0)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                const struct vmodes_device *dev = vmodes_discovery_get_device(d->discovery, i);
                unsigned head;

                if (!is_virtual_with_heads(dev))
                        continue;
                if (vmodes_heads_resolve(dev, name, VMODES_HEADS_KMS, &head) == 0 &&
                    vmodes_heads_name(dev, head, VMODES_HEADS_KMS, canon, VMODES_HEAD_NAME_MAX) == 0)
                        return 0;
                for (unsigned h = 1; h <= vmodes_heads_count(dev); h++) {
                        char hn[VMODES_HEAD_NAME_MAX];
                        if (vmodes_heads_name(dev, h, VMODES_HEADS_KMS, hn, sizeof(hn)) == 0 &&
                            klen + strlen(hn) + 3 < sizeof(known))
                                klen += (size_t)snprintf(known + klen, sizeof(known) - klen, "%s%s",
                                                         klen ? ", " : "", hn);
                }
                break; /* heads of the first virtual GPU with heads */
        }
        /* a head already in the config (its device may be gone) */
        if (vmodes_config_find_head(&d->config, name)) {
                snprintf(canon, VMODES_HEAD_NAME_MAX, "%s", name);
                return 0;
        }
        if (!klen)
                return vmodes_error_set(err, -ENOENT, "no head '%s': no virtual GPU with heads was found (see 'vmodes status')",
                            name);
        return vmodes_error_set(err, -ENOENT, "no head '%s' (heads: %s; also qxl-N, a head number, card0-Virtual-N)", name,
                    known);
}

const struct vmodes_device *vmodes_daemon_head_device(struct vmodes_daemon *d, const char *head)
{
        size_t n = vmodes_discovery_get_n_devices(d->discovery);

        for (size_t i = 0; i < n; i++) {
                const struct vmodes_device *dev = vmodes_discovery_get_device(d->discovery, i);
                unsigned h;

                if (is_virtual_with_heads(dev) && vmodes_heads_resolve(dev, head, VMODES_HEADS_KMS, &h) == 0)
                        return dev;
        }
        return NULL;
}
