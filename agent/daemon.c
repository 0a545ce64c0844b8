/* SPDX-License-Identifier: MIT */
/*
 * vmodesd state: the virtual GPUs (discovery, driver modules), the config
 * (last good, loaded completely before it is used), and the files generated
 * from it (xorg.conf.d snippet, kernel command-line drop-in).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "agent/atomic.h"
#include "agent/daemon.h"
#include "agent/kcmdline.h"
#include "agent/xorgconf.h"

static void on_device_event(struct vmodes_monitor *m, const struct vmodes_event *ev, void *userdata)
{
        struct vmodes_daemon *d = userdata;
        struct vmodes_error err;

        fprintf(stderr, SD_INFO "device event: %s %s (%s)\n", ev->action, ev->sysname, ev->subsystem);
        if (vmodes_daemon_scan(d) < 0)
                return;
        if (ev->type == VMODES_EVENT_DEVICE_ADD && vmodes_daemon_write_outputs(d, &err) < 0)
                fprintf(stderr, SD_ERR "%s\n", err.msg);
        vmodes_daemon_bus_devices_changed(d);
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
                        fprintf(stderr, SD_ERR "cannot listen to udev events: %s\n", strerror(-r));
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
        sd_bus_flush_close_unref(d->bus);
        sd_event_unref(d->event);
        free(d);
}

int vmodes_daemon_load_config(struct vmodes_daemon *d, struct vmodes_error *err)
{
        struct vmodes_config *c;
        struct vmodes_error e;
        int r;

        c = malloc(sizeof(*c));
        if (!c)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        r = vmodes_config_load(d->opt.config_path, c, &e);
        if (r == -ENOENT) {
                /* no file yet: nothing configured */
                vmodes_config_init(c);
                r = 0;
        }
        if (r == 0) {
                d->config = *c;
                d->config_error[0] = '\0';
        } else {
                snprintf(d->config_error, sizeof(d->config_error), "%s", e.msg);
                vmodes_error_set(err, r, "%s", e.msg);
        }
        free(c);
        return r;
}

static bool is_virtual_with_heads(const struct vmodes_device *dev)
{
        return dev->type && vmodes_heads_count(dev) > 0;
}

static void log_step(void *userdata, const char *step)
{
        fprintf(stderr, SD_INFO "%s\n", step);
}

static void load_modules(struct vmodes_daemon *d)
{
        struct vmodes_kmod *k = NULL;
        size_t n = vmodes_discovery_get_n_devices(d->discovery);
        int r;

        for (size_t i = 0; i < n; i++) {
                const struct vmodes_device *dev = vmodes_discovery_get_device(d->discovery, i);
                struct vmodes_module_info *info = NULL;

                if (!dev->type || dev->driver)
                        continue;
                if (!k && (r = vmodes_kmod_new(&k, NULL)) < 0) {
                        fprintf(stderr, SD_ERR "libkmod: %s\n", strerror(-r));
                        return;
                }
                r = vmodes_kmod_inspect(k, dev, &info);
                if (r < 0) {
                        fprintf(stderr, SD_ERR "%s: cannot inspect its driver module: %s\n", dev->slot, strerror(-r));
                        continue;
                }
                if (info->action == VMODES_ACTION_LOAD) {
                        fprintf(stderr, SD_NOTICE "%s (%s): loading module %s\n", dev->slot, dev->type->name,
                                info->name);
                        r = vmodes_kmod_load(k, dev, 0, log_step, NULL);
                        if (r < 0)
                                fprintf(stderr, SD_ERR "%s: loading %s failed: %s\n", dev->slot, info->name,
                                        strerror(-r));
                } else if (info->action != VMODES_ACTION_NONE)
                        fprintf(stderr, SD_WARNING "%s (%s): module %s not loaded (%s)\n", dev->slot,
                                dev->type->name, info->name, vmodes_module_action_to_string(info->action));
                vmodes_module_info_free(info);
        }
        vmodes_kmod_free(k);
}

int vmodes_daemon_scan(struct vmodes_daemon *d)
{
        size_t n;
        int r;

        r = vmodes_discovery_scan(d->discovery);
        if (r < 0) {
                fprintf(stderr, SD_ERR "device discovery failed: %s\n", strerror(-r));
                return r;
        }
        if (d->opt.load_modules) {
                load_modules(d);
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
                fprintf(stderr, SD_WARNING "%s\n", vmodes_discovery_get_error(d->discovery, i));
        return 0;
}

static int write_if_changed(const char *path, const char *text)
{
        char *old = NULL;
        int r;

        if (vmodes_atomic_read(path, 1 << 20, &old, NULL) == 0 && !strcmp(old, text)) {
                free(old);
                return 0;
        }
        free(old);
        r = vmodes_atomic_write(path, text, strlen(text), 0644, false);
        return r < 0 ? r : 1;
}

int vmodes_daemon_write_outputs(struct vmodes_daemon *d, struct vmodes_error *err)
{
        char *text = NULL;
        int r;

        r = vmodes_xorgconf_format(&d->config, d->scheme, d->opt.config_path, &text);
        if (r < 0)
                return vmodes_error_set(err, r, "cannot generate the X configuration: %s", strerror(-r));
        r = write_if_changed(d->opt.xorg_path, text);
        if (r == -ENOENT) {
                /* Debian ships no /etc/X11/xorg.conf.d: create that one folder */
                char *dir = strdup(d->opt.xorg_path), *slash = dir ? strrchr(dir, '/') : NULL;
                if (slash && slash != dir) {
                        *slash = '\0';
                        if (mkdir(dir, 0755) == 0)
                                r = write_if_changed(d->opt.xorg_path, text);
                }
                free(dir);
        }
        free(text);
        if (r < 0)
                return vmodes_error_set(err, r, "cannot write %s: %s", d->opt.xorg_path, strerror(-r));
        if (r > 0)
                fprintf(stderr, SD_INFO "wrote %s\n", d->opt.xorg_path);

        if (d->opt.grub_path && *d->opt.grub_path) {
                r = vmodes_kcmdline_write(d->opt.grub_path, &d->config);
                if (r == -ENOENT && d->config.kernel_cmdline)
                        fprintf(stderr, SD_WARNING "kernel-cmdline: no boot loader drop-in folder for %s "
                                "(GRUB's /etc/default/grub.d); add the video= options by hand\n",
                                d->opt.grub_path);
                else if (r < 0)
                        return vmodes_error_set(err, r, "cannot write %s: %s", d->opt.grub_path, strerror(-r));
                else if (r > 0)
                        fprintf(stderr, SD_NOTICE "%s %s; run update-grub to use it at the next boot\n",
                                d->config.kernel_cmdline ? "wrote" : "removed", d->opt.grub_path);
        }
        return 0;
}

int vmodes_daemon_commit(struct vmodes_daemon *d, const struct vmodes_config *c, struct vmodes_error *err)
{
        struct vmodes_error e;
        struct vmodes_config *copy;
        int r;

        if (d->config_error[0])
                return vmodes_error_set(err, -ESTALE, "%s (fix the file and reload before changing the config)",
                            d->config_error);
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
        r = vmodes_config_save(d->opt.config_path, copy);
        if (r < 0) {
                free(copy);
                return vmodes_error_set(err, r, "cannot write %s: %s", d->opt.config_path, strerror(-r));
        }
        d->config = *copy;
        free(copy);
        fprintf(stderr, SD_INFO "wrote %s\n", d->opt.config_path);
        r = vmodes_daemon_write_outputs(d, err);
        vmodes_daemon_bus_config_changed(d);
        return r;
}

int vmodes_daemon_resolve_head(struct vmodes_daemon *d, const char *name, char canon[VMODES_HEAD_NAME_MAX],
                               struct vmodes_error *err)
{
        struct vmodes_error e;
        size_t n = vmodes_discovery_get_n_devices(d->discovery);
        char known[200] = "";
        size_t klen = 0;

        if (strlen(name) >= VMODES_HEAD_NAME_MAX)
                return vmodes_error_set(err, -EINVAL, "head name of %zu bytes is too long (at most %d)", strlen(name),
                            VMODES_HEAD_NAME_MAX - 1);
        if (vmodes_config_check_head_name(name, &e) < 0)
                return vmodes_error_set(err, -EINVAL, "%s", e.msg);
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
