/* SPDX-License-Identifier: MIT */
/*
 * vmodes status: what virtual GPU this guest has, whether its driver is in,
 * what heads and memory it offers, and why the resolution may be wrong.
 *
 * Everything is gathered into one JSON object first; the text output is
 * rendered from that object, so both always say the same.
 */

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/cli/cli.h"
#include "agent/client/client.h"
#include "agent/common/json.h"
#include "agent/core/kcmdline.h"
#include "agent/core/layout.h"
#include "agent/display/display.h"
#include "udev/vmodes-udev.h"

/* exit codes of `vmodes status` (documented in its --help) */
enum {
        STATUS_OK = 0,
        STATUS_NO_VIRTUAL_GPU = 1,
        STATUS_USAGE = 2,
        STATUS_NOT_WORKING = 3,
};


static void json_putp(json_object **o)
{
        if (*o)
                json_object_put(*o);
}


struct options {
        bool json;
        bool load;
        bool force;
        bool dry_run;
        bool no_x;
        const char *root;
        const char *kernel;
};

static void help(void)
{
        printf("Usage: vmodes status [OPTIONS]\n"
               "\n"
               "Show what this virtual machine offers for display and why a resolution\n"
               "may be wrong: its virtual GPUs (QXL, virtio-gpu, Bochs/standard VGA,\n"
               "VMware SVGA, Cirrus, VirtualBox), the kernel driver and module state of\n"
               "each, their DRM connectors (heads) with status and modes, the names X\n"
               "gives those heads, the video memory and the largest framebuffer it holds,\n"
               "whether the driver is in the initramfs, and whether spice-vdagent is\n"
               "installed and running, and whether the kernel lists the stored modes\n"
               "(GNOME on Wayland and GDM's login screen can show only those; the\n"
               "kernel-cmdline option adds them at the next boot: one per head on qxl,\n"
               "all the head's modes through an EDID on virtio-gpu and bochs). Problems\n"
               "come last, each with the command or setting that fixes it. Works as a normal\n"
               "user; reading the QXL ROM (the exact vgamem size), the kernel's mode\n"
               "rates (the DRM card) and loading a module may need root.\n"
               "\n"
               "Options:\n"
               "  --json            print one JSON object instead of text\n"
               "  --load-module     load the kernel module of every virtual GPU that has\n"
               "                    no driver, with modprobe's rules (dependencies,\n"
               "                    options and install commands from modprobe.d), then\n"
               "                    show the status; needs root. A blacklisted or\n"
               "                    disabled module is not loaded.\n"
               "  --force           with --load-module: load it even when blacklisted\n"
               "  --dry-run         with --load-module: print the steps, change nothing\n"
               "                    (no root needed)\n"
               "  --root=DIR        look for kernel modules, modprobe.d, /boot and\n"
               "                    os-release below DIR, like depmod -b (devices still\n"
               "                    come from this system's sysfs)\n"
               "  --kernel=RELEASE  consider the modules of kernel RELEASE instead of the\n"
               "                    running one (uname -r), like modprobe -S\n"
               "  --no-x            do not ask the X server (even when DISPLAY is set)\n"
               "  -h, --help        show this help\n"
               "\n"
               "X output names: a head is a DRM connector of a virtual GPU. With a kernel\n"
               "driver the qxl and modesetting X drivers name head N \"Virtual-N\"; the\n"
               "qxl X driver without a kernel driver names it \"qxl-(N-1)\", older qxl\n"
               "X driver releases \"Virtual-(N-1)\". Every vmodes command accepts any of\n"
               "these names, the DRM name (card0-Virtual-N) or the bare head number N.\n"
               "\n"
               "Exit status:\n"
               "  0  a virtual GPU was found and its kernel driver is bound\n"
               "  1  no virtual GPU was found (or the devices could not be read)\n"
               "  2  usage error\n"
               "  3  a virtual GPU was found but its kernel driver is not bound (see the\n"
               "     problems listed; with --load-module: loading did not help)\n"
               "\n"
               "Examples:\n"
               "  vmodes status\n"
               "  sudo vmodes status --load-module\n"
               "  vmodes status --load-module --dry-run\n"
               "  vmodes status --json | jq '.devices[].connectors'\n");
}

/* ---- small JSON helpers -------------------------------------------------- */

static void add_str(json_object *o, const char *key, const char *v)
{
        json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

static void add_int(json_object *o, const char *key, int64_t v)
{
        json_object_object_add(o, key, json_object_new_int64(v));
}

static void add_bool(json_object *o, const char *key, bool v)
{
        json_object_object_add(o, key, json_object_new_boolean(v));
}

static const char *get_str(json_object *o, const char *key)
{
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !v ||
            !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static int64_t get_int(json_object *o, const char *key, int64_t def)
{
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !v)
                return def;
        return json_object_get_int64(v);
}

static bool get_bool(json_object *o, const char *key)
{
        json_object *v;

        return o && json_object_object_get_ex(o, key, &v) && v && json_object_get_boolean(v);
}

static json_object *get_obj(json_object *o, const char *key)
{
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v))
                return NULL;
        return v;
}

__attribute__((format(printf, 4, 5)))
static void add_problem(json_object *problems, const char *device, const char *fix, const char *fmt, ...)
{
        json_object *p = json_object_new_object();
        char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        add_str(p, "device", device);
        add_str(p, "message", msg ? msg : "(out of memory)");
        add_str(p, "fix", fix);
        json_object_array_add(problems, p);
        free(msg);
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        return s;
}

static void format_size(uint64_t bytes, char *buf, size_t len)
{
        if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0)
                snprintf(buf, len, "%" PRIu64 " GiB", bytes >> 30);
        else if (bytes >= (1ull << 20) && bytes % (1ull << 20) == 0)
                snprintf(buf, len, "%" PRIu64 " MiB", bytes >> 20);
        else if (bytes >= 1024 && bytes % 1024 == 0)
                snprintf(buf, len, "%" PRIu64 " KiB", bytes >> 10);
        else
                snprintf(buf, len, "%" PRIu64 " bytes", bytes);
}

/* ---- X ------------------------------------------------------------------- */

/* A server that goes away while vmodes talks to it is not working: the
 * report stops there (exit status 3, as for a server that hangs). */
static void x_lost(int ret, const struct vmodes_error *err)
{
        if (ret != -ECONNRESET)
                return;
        log_error("%s", err->msg);
        exit(STATUS_NOT_WORKING);
}

/* The X session's outputs, through the display seam (agent/display/display.h). */
static json_object *query_x(const struct options *o)
{
        json_object *x = json_object_new_object(), *outputs;
        char why[256];
        enum vmodes_display_kind kind = vmodes_display_session(why, sizeof(why));
        const char *display = kind == VMODES_DISPLAY_SWAY     ? getenv("SWAYSOCK")
                              : kind == VMODES_DISPLAY_X11    ? getenv("DISPLAY")
                              : kind == VMODES_DISPLAY_MUTTER ? getenv("WAYLAND_DISPLAY")
                                                              : NULL;
        _cleanup_(vmodes_display_freep) struct vmodes_display *r = NULL;
        _cleanup_(freep) struct vmodes_layout_state *st = NULL;
        struct vmodes_error err = { "" };
        int ret;

        add_str(x, "display", display);
        add_str(x, "backend", kind == VMODES_DISPLAY_SWAY     ? "sway"
                              : kind == VMODES_DISPLAY_X11    ? "x11"
                              : kind == VMODES_DISPLAY_MUTTER ? "mutter"
                                                              : NULL);
        if (o->no_x || kind <= VMODES_DISPLAY_WAYLAND) {
                add_bool(x, "reachable", false);
                add_str(x, "reason", o->no_x ? "not asked (--no-x)" : why);
                return x;
        }
        cli_x_deadline_set_exit(STATUS_NOT_WORKING);
        /* bounded (vmodes(1), VMODES_X_TIMEOUT): the caller clears the
         * bound once r is closed, which waits for the server too */
        if (cli_x_deadline(VMODES_DEADLINE_CONNECT, NULL) != CLI_EXIT_OK) {
                add_bool(x, "reachable", false);
                add_str(x, "reason", "VMODES_X_TIMEOUT is not valid");
                return x;
        }
        ret = vmodes_display_open(NULL, &r, &err);
        cli_x_deadline(VMODES_DEADLINE_QUERY, r);
        x_lost(ret, &err);
        if (ret == -ENXIO || ret == -ENOMEM) {
                add_bool(x, "reachable", false);
                add_str(x, "reason", "cannot open the display");
                return x;
        }
        add_bool(x, "reachable", true);
        st = calloc(1, sizeof(*st));
        if (ret == 0 && st)
                ret = vmodes_display_query(r, st, &err);
        x_lost(ret, &err);
        if (ret < 0 || !st) {
                add_str(x, "reason", ret == -EOPNOTSUPP ? "the X server lacks RandR 1.2" : st ? err.msg : "out of memory");
                return x;
        }
        add_int(x, "max_width", (int)st->max_width);
        add_int(x, "max_height", (int)st->max_height);
        add_int(x, "width", (int)st->width);
        add_int(x, "height", (int)st->height);
        outputs = json_object_new_array();
        json_object_object_add(x, "outputs", outputs);
        for (unsigned i = 0; i < st->n_outputs; i++) {
                const struct vmodes_layout_output *lo = &st->outputs[i];
                const struct vmodes_layout_crtc *c = lo->crtc ? vmodes_layout_crtc_by_id(st, lo->crtc) : NULL;
                json_object *out = json_object_new_object();

                add_str(out, "name", lo->name);
                add_str(out, "connection", vmodes_display_connection_name(lo->connection));
                if (c && c->mode) {
                        char geo[64];
                        snprintf(geo, sizeof(geo), "%ux%u+%d+%d", c->width, c->height, c->x, c->y);
                        add_str(out, "geometry", geo);
                }
                json_object_array_add(outputs, out);
        }
        return x;
}

/* ---- spice-vdagent -------------------------------------------------------- */

static bool program_installed(const char *root, const char *name)
{
        static const char *const dirs[] = { "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin",
                                            "/usr/local/sbin" };

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_(freep) char *p = xasprintf("%s%s/%s", root, dirs[i], name);
                if (p && access(p, X_OK) == 0)
                        return true;
        }
        return false;
}

static bool process_running(const char *name)
{
        DIR *d = opendir("/proc");
        struct dirent *de;
        bool found = false;

        if (!d)
                return false;
        while (!found && (de = readdir(d))) {
                char path[300], comm[64] = "";
                FILE *f;

                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
                f = fopen(path, "re");
                if (!f)
                        continue;
                if (fgets(comm, sizeof(comm), f)) {
                        comm[strcspn(comm, "\n")] = '\0';
                        found = !strcmp(comm, name);
                }
                fclose(f);
        }
        closedir(d);
        return found;
}

static json_object *query_vdagent(const char *root)
{
        json_object *o = json_object_new_object();

        add_bool(o, "installed", program_installed(root, "spice-vdagent") ||
                                 program_installed(root, "spice-vdagentd"));
        add_bool(o, "daemon_running", process_running("spice-vdagentd"));
        add_bool(o, "session_agent_running", process_running("spice-vdagent"));
        return o;
}

/* ---- devices -------------------------------------------------------------- */


/* Long because: one JSON field per line, in the order of the report
 * (vmodes status --json documents it); split, the order would be lost. */
static json_object *device_json(const struct vmodes_device *dev)
{
        json_object *d = json_object_new_object(), *drm, *mem, *bars, *conns;
        char buf[64];

        add_str(d, "slot", dev->slot);
        snprintf(buf, sizeof(buf), "%04x", dev->vendor);
        add_str(d, "vendor", buf);
        snprintf(buf, sizeof(buf), "%04x", dev->device);
        add_str(d, "device", buf);
        snprintf(buf, sizeof(buf), "%06x", dev->pci_class);
        add_str(d, "class", buf);
        add_bool(d, "virtual", dev->type != NULL);
        add_str(d, "kind", dev->type ? dev->type->id : NULL);
        add_str(d, "name", dev->type ? dev->type->name : "not a virtual GPU");
        add_str(d, "role", dev->secondary ? "secondary" : "primary");
        json_object_object_add(d, "boot_vga", dev->boot_vga < 0 ? NULL : json_object_new_boolean(dev->boot_vga));
        add_str(d, "driver", dev->driver);
        add_str(d, "pci_driver", dev->pci_driver);
        add_str(d, "modalias", dev->modalias);

        drm = json_object_new_object();
        add_str(drm, "card", dev->card);
        add_str(drm, "devnode", dev->card_devnode);
        add_str(drm, "render_devnode", dev->render_devnode);
        if (dev->drm_max_width) {
                add_int(drm, "max_width", dev->drm_max_width);
                add_int(drm, "max_height", dev->drm_max_height);
        }
        if (dev->card_devnode && dev->drm_error)
                add_str(drm, "properties_unavailable", strerror(-dev->drm_error));
        json_object_object_add(d, "drm", drm);

        mem = json_object_new_object();
        bars = json_object_new_array();
        for (unsigned i = 0; dev->have_bars && i < VMODES_N_BARS; i++) {
                json_object *b;
                if (!dev->bars[i].size)
                        continue;
                b = json_object_new_object();
                add_int(b, "index", i);
                add_str(b, "name", vmodes_memory_bar_name(dev, i));
                add_int(b, "size", (int64_t)dev->bars[i].size);
                add_str(b, "type", dev->bars[i].flags & VMODES_BAR_IO ? "io" : "memory");
                add_bool(b, "64bit", dev->bars[i].flags & VMODES_BAR_MEM64);
                add_bool(b, "prefetchable", dev->bars[i].flags & VMODES_BAR_PREFETCH);
                json_object_array_add(bars, b);
        }
        json_object_object_add(mem, "bars", dev->have_bars ? bars : NULL);
        if (!dev->have_bars)
                json_object_put(bars);
        if (dev->type && dev->type->kind == VMODES_GPU_QXL) {
                if (dev->surface_area)
                        add_int(mem, "surface_area", (int64_t)dev->surface_area);
                else {
                        json_object_object_add(mem, "surface_area", NULL);
                        add_str(mem, "surface_area_unknown",
                                dev->surface_area_error == -EACCES || dev->surface_area_error == -EPERM
                                        ? "reading the QXL ROM needs root"
                                        : strerror(-dev->surface_area_error));
                }
        }
        if (dev->type) {
                struct vmodes_fb_limit l;
                json_object *fb = json_object_new_object();

                if (vmodes_memory_fb_limit(dev, &l) == 0 && l.known) {
                        json_object_object_add(fb, "bytes", l.bytes ? json_object_new_int64((int64_t)l.bytes) : NULL);
                        add_bool(fb, "exact", l.exact);
                        add_str(fb, "source", l.source);
                        if (l.bytes)
                                add_int(fb, "pixels", (int64_t)(l.bytes / 4));
                        if (l.max_width) {
                                add_int(fb, "max_width", l.max_width);
                                add_int(fb, "max_height", l.max_height);
                        }
                        if (l.common_width) {
                                snprintf(buf, sizeof(buf), "%ux%u", l.common_width, l.common_height);
                                add_str(fb, "largest_common_mode", buf);
                        }
                        add_str(fb, "vm_setting", dev->type->vm_setting);
                } else {
                        json_object_put(fb);
                        fb = NULL;
                }
                json_object_object_add(mem, "framebuffer", fb);
        }
        json_object_object_add(d, "memory", mem);

        conns = json_object_new_array();
        for (size_t i = 0; i < dev->n_connectors; i++) {
                const struct vmodes_connector *c = &dev->connectors[i];
                json_object *cj = json_object_new_object(), *modes = json_object_new_array(), *names;

                add_str(cj, "name", c->name);
                add_str(cj, "sysname", c->sysname);
                json_object_object_add(cj, "head", c->head ? json_object_new_int(c->head) : NULL);
                add_str(cj, "status", vmodes_connector_status_to_string(c->status));
                json_object_object_add(cj, "enabled", c->enabled < 0 ? NULL : json_object_new_boolean(c->enabled));
                for (size_t m = 0; m < c->n_modes; m++)
                        json_object_array_add(modes, json_object_new_string(c->modes[m]));
                json_object_object_add(cj, "modes", modes);
                if (c->have_properties) {
                        json_object *p = json_object_new_object();
                        if (c->hotplug_mode_update >= 0)
                                add_int(p, "hotplug_mode_update", c->hotplug_mode_update);
                        if (c->suggested_x >= 0)
                                add_int(p, "suggested_x", c->suggested_x);
                        if (c->suggested_y >= 0)
                                add_int(p, "suggested_y", c->suggested_y);
                        json_object_object_add(cj, "properties", p);
                }
                if (c->head) {
                        static const struct { enum vmodes_head_scheme s; const char *key; } schemes[] = {
                                { VMODES_HEADS_KMS, "kms" }, { VMODES_HEADS_UMS, "ums" },
                                { VMODES_HEADS_LEGACY, "legacy" },
                        };
                        names = json_object_new_object();
                        for (size_t s = 0; s < 3; s++)
                                if (vmodes_heads_name(dev, c->head, schemes[s].s, buf, sizeof(buf)) == 0)
                                        add_str(names, schemes[s].key, buf);
                        json_object_object_add(cj, "x_names", names);
                }
                json_object_array_add(conns, cj);
        }
        json_object_object_add(d, "connectors", conns);
        return d;
}

static json_object *module_json(const struct vmodes_module_info *m)
{
        json_object *o = json_object_new_object(), *bl = json_object_new_array();

        add_str(o, "name", m->name);
        add_str(o, "state", vmodes_module_state_to_string(m->state));
        add_str(o, "action", vmodes_module_action_to_string(m->action));
        add_str(o, "path", m->path);
        add_str(o, "options", m->options);
        add_str(o, "install_command", m->install_command);
        for (size_t i = 0; i < m->n_blacklist; i++) {
                json_object *e = json_object_new_object();
                add_str(e, "file", m->blacklist[i].file ? m->blacklist[i].file : "kernel command line");
                json_object_object_add(e, "line", m->blacklist[i].file ? json_object_new_int((int)m->blacklist[i].line) : NULL);
                add_str(e, "text", m->blacklist[i].text);
                json_object_array_add(bl, e);
        }
        json_object_object_add(o, "blacklisted_by", bl);
        add_str(o, "nomodeset", m->nomodeset ? m->nomodeset_arg : NULL);
        return o;
}

static void module_problems(json_object *problems, const struct vmodes_device *dev,
                            const struct vmodes_module_info *m, const char *kver, const char *module_dir)
{
        _cleanup_(freep) char *fix = NULL;

        switch (m->action) {
        case VMODES_ACTION_NONE:
                return;
        case VMODES_ACTION_LOAD:
                add_problem(problems, dev->slot,
                            "sudo vmodes status --load-module (the vmodes udev rule and modules-load.d file load it at boot)",
                            "%s has no kernel driver: module %s is installed but not loaded, so the guest runs on the "
                            "firmware framebuffer (about 1024x768) and no custom mode can help",
                            dev->type->name, m->name);
                return;
        case VMODES_ACTION_REFUSE_MISSING:
                fix = xasprintf("install a kernel that ships %s (Debian: linux-image-amd64 rather than "
                                "linux-image-cloud-amd64; Ubuntu: linux-modules-extra-%s)", m->name, kver);
                add_problem(problems, dev->slot, fix,
                            "%s has no kernel driver and kernel %s has no module %s (not in %s)",
                            dev->type->name, kver, m->name, module_dir);
                return;
        case VMODES_ACTION_REFUSE_BLACKLIST:
                for (size_t i = 0; i < m->n_blacklist; i++) {
                        free(fix);
                        if (m->blacklist[i].file)
                                fix = xasprintf("remove or comment out line %u of %s ('%s'), then rebuild the initramfs "
                                                "if it carries modprobe.d; to load it once anyway: "
                                                "sudo vmodes status --load-module --force",
                                                m->blacklist[i].line, m->blacklist[i].file, m->blacklist[i].text);
                        else
                                fix = xasprintf("remove '%s' from the kernel command line (GRUB_CMDLINE_LINUX* in "
                                                "/etc/default/grub, then update-grub or grub2-mkconfig)",
                                                m->blacklist[i].text);
                        add_problem(problems, dev->slot, fix, "%s has no kernel driver: module %s is %s by %s%s%u",
                                    dev->type->name, m->name,
                                    m->state == VMODES_MODULE_DISABLED ? "disabled" : "blacklisted",
                                    m->blacklist[i].file ? m->blacklist[i].file : "the kernel command line",
                                    m->blacklist[i].file ? ":" : "", m->blacklist[i].file ? m->blacklist[i].line : 0);
                }
                if (m->n_blacklist == 0)
                        add_problem(problems, dev->slot, "sudo vmodes status --load-module --force",
                                    "%s has no kernel driver: module %s is blacklisted", dev->type->name, m->name);
                return;
        case VMODES_ACTION_INVESTIGATE:
                if (m->nomodeset) {
                        fix = xasprintf("remove '%s' from the kernel command line (GRUB_CMDLINE_LINUX_DEFAULT in "
                                        "/etc/default/grub, then update-grub; Fedora: grubby --update-kernel=ALL "
                                        "--remove-args=%s)", m->nomodeset_arg, m->nomodeset_arg);
                        add_problem(problems, dev->slot, fix,
                                    "%s has no kernel driver: '%s' on the kernel command line keeps %s from binding",
                                    dev->type->name, m->nomodeset_arg, m->name);
                } else {
                        fix = xasprintf("journalctl -k | grep -i %s", m->name);
                        add_problem(problems, dev->slot, fix,
                                    "%s has no kernel driver although module %s is %s: the driver refused the device",
                                    dev->type->name, m->name, vmodes_module_state_to_string(m->state));
                }
                return;
        }
}

static void memory_notes(json_object *problems, const struct vmodes_device *dev)
{
        struct vmodes_fb_limit l;

        if (vmodes_memory_fb_limit(dev, &l) < 0 || !l.known || !l.bytes || !l.exact)
                return;
        /* below 1920x1200 on one head is a limit people hit at once */
        if (!vmodes_memory_fits(&l, 1920, 1200, 1)) {
                char sz[32];
                _cleanup_(freep) char *fix = NULL;

                format_size(l.bytes, sz, sizeof(sz));
                fix = dev->type->vm_setting ? xasprintf("raise %s in the VM definition", dev->type->vm_setting)
                                            : xasprintf("switch the VM to a QXL or virtio-gpu display device");
                add_problem(problems, dev->slot, fix,
                            "%s video memory (%s) holds no framebuffer of 1920x1200: the largest common mode is %ux%u",
                            dev->type->name, sz, l.common_width, l.common_height);
        }
}

static void x_names_for_outputs(json_object *x, const struct vmodes_discovery *disc)
{
        json_object *outputs = get_obj(x, "outputs");
        const char *names[64];
        size_t n = 0;
        enum vmodes_head_scheme scheme;

        if (!outputs)
                return;
        for (size_t i = 0; i < json_object_array_length(outputs) && n < 64; i++)
                names[n++] = get_str(json_object_array_get_idx(outputs, i), "name");
        scheme = vmodes_heads_detect_scheme(names, n);
        add_str(x, "scheme", scheme == VMODES_HEADS_UMS ? "ums" : scheme == VMODES_HEADS_LEGACY ? "legacy" : "kms");
        for (size_t i = 0; i < json_object_array_length(outputs); i++) {
                json_object *out = json_object_array_get_idx(outputs, i);
                const char *name = get_str(out, "name");
                bool matched = false;

                for (size_t dn = 0; name && dn < vmodes_discovery_get_n_devices(disc) && !matched; dn++) {
                        const struct vmodes_device *dev = vmodes_discovery_get_device(disc, dn);
                        unsigned head;
                        /* bare numbers are user input, never X output names */
                        if (!dev->type || name[strspn(name, "0123456789")] == '\0')
                                continue;
                        if (vmodes_heads_resolve(dev, name, scheme, &head) == 0) {
                                add_str(out, "device", dev->slot);
                                add_int(out, "head", head);
                                matched = true;
                        }
                }
                if (!matched) {
                        add_str(out, "device", NULL);
                        json_object_object_add(out, "head", NULL);
                }
        }
}

/* ---- loading ---------------------------------------------------------------- */

static void print_step(void *userdata, const char *step)
{
        const char *module = userdata;

        printf("%s: %s\n", module, step);
}

/* Returns true if something was loaded (a rescan is due). */
static bool load_modules(const struct options *o, struct vmodes_kmod *k, struct vmodes_discovery *disc,
                         bool *failed)
{
        bool loaded = false;

        for (size_t i = 0; i < vmodes_discovery_get_n_devices(disc); i++) {
                const struct vmodes_device *dev = vmodes_discovery_get_device(disc, i);
                _cleanup_(vmodes_module_info_freep) struct vmodes_module_info *m = NULL;
                unsigned flags = (o->force ? VMODES_LOAD_FORCE : 0) | (o->dry_run ? VMODES_LOAD_DRY_RUN : 0);
                int r;

                if (!dev->type || dev->driver)
                        continue;
                r = vmodes_kmod_inspect(k, dev, &m);
                if (r < 0) {
                        log_error("%s: cannot look up the module for %s: %s", dev->slot, dev->type->name, strerror(-r));
                        *failed = true;
                        continue;
                }
                /* stdout and stderr in order when both go to one terminal */
                fflush(stdout);
                r = vmodes_kmod_load(k, dev, flags, print_step, m->name);
                fflush(stdout);
                switch (r) {
                case 0:
                        if (o->dry_run)
                                fprintf(o->json ? stderr : stdout, "%s: dry run, nothing loaded\n", m->name);
                        else {
                                fprintf(o->json ? stderr : stdout, "%s: loaded for %s at %s\n", m->name,
                                        dev->type->name, dev->slot);
                                loaded = true;
                        }
                        break;
                case -EPERM:
                        log_error("loading kernel module %s needs root: run 'sudo vmodes status --load-module'",
                                  m->name);
                        *failed = true;
                        break;
                case -ECANCELED:
                        log_error("not loading %s: it is %s%s%s (see the problems below; --force overrides)", m->name,
                                  m->state == VMODES_MODULE_DISABLED ? "disabled" : "blacklisted",
                                  m->n_blacklist && m->blacklist[0].file ? " in " : "",
                                  m->n_blacklist && m->blacklist[0].file ? m->blacklist[0].file : "");
                        *failed = true;
                        break;
                case -ENOENT:
                        log_error("cannot load %s: kernel %s has no such module", m->name,
                                  vmodes_kmod_get_kernel_release(k));
                        *failed = true;
                        break;
                case -EALREADY:
                        log_error("%s is already in the kernel but did not bind to %s", m->name, dev->slot);
                        *failed = true;
                        break;
                case -ENODEV:
                        if (m->nomodeset)
                                log_error("not loading %s: '%s' on the kernel command line keeps it from binding", m->name,
                                          m->nomodeset_arg);
                        else
                                log_error("loading %s: no device accepted it", m->name);
                        *failed = true;
                        break;
                default:
                        log_error("loading %s failed: %s", m->name, strerror(-r));
                        *failed = true;
                        break;
                }
        }
        return loaded;
}

/* ---- the report ------------------------------------------------------------ */

/* The connector of a virtual GPU named `name`, or NULL. */
static const struct vmodes_connector *find_connector(const struct vmodes_discovery *disc, const char *name,
                                                    const struct vmodes_device **dev)
{
        for (size_t i = 0; i < vmodes_discovery_get_n_devices(disc); i++) {
                *dev = vmodes_discovery_get_device(disc, i);
                for (size_t c = 0; (*dev)->type && c < (*dev)->n_connectors; c++)
                        if (!strcmp((*dev)->connectors[c].name, name))
                                return &(*dev)->connectors[c];
        }
        return NULL;
}

/* Whether the kernel's command line has a video= option for connector name. */
static bool cmdline_has_video(const char *name)
{
        _cleanup_(freep) char *want = xasprintf("video=%s:", name);
        char line[4096] = "";
        FILE *f = fopen("/proc/cmdline", "re");

        if (f) {
                if (!fgets(line, sizeof(line), f))
                        line[0] = '\0';
                fclose(f);
        }
        return want && strstr(line, want);
}

/* One stored head mode against the kernel's list of its connector: what
 * GNOME on Wayland, GDM's greeter and other compositors without modes of
 * their own can show (X and sway make any mode). */
static json_object *stored_mode_json(const struct vmodes_discovery *disc, const struct vmodes_config *cfg,
                                     const struct vmodes_head_config *h)
{
        const struct vmodes_mode *m = &h->modes[0].mode;
        const struct vmodes_device *dev = NULL;
        const struct vmodes_connector *c = find_connector(disc, h->head, &dev);
        double rate = vmodes_mode_refresh(m), tol = VMODES_LAYOUT_KERNEL_RATE_TOLERANCE_MHZ / 1000.0;
        json_object *j = json_object_new_object();
        const struct vmodes_connector_mode *best = NULL;
        unsigned vw; /* the width of the mode video= brings */
        bool edid;

        add_str(j, "head", h->head);
        add_str(j, "mode", m->name);
        for (size_t i = 0; c && i < c->n_kmodes; i++) {
                const struct vmodes_connector_mode *k = &c->kmodes[i];
                if (k->width == m->hdisplay && k->height == m->vdisplay && !k->interlace &&
                    (!best || fabs(k->refresh - rate) < fabs(best->refresh - rate)))
                        best = k;
        }
        if (best && fabs(best->refresh - rate) > tol)
                best = NULL;
        if (!c || (!c->n_kmodes && dev && dev->drm_error < 0)) {
                json_object_object_add(j, "listed", NULL);
                add_str(j, "why", !c ? "no connector of that name" : "the kernel's list could not be read (DRM card)");
                return j;
        }
        /* the kernel route: an EDID override where the driver reads one */
        edid = vmodes_kcmdline_edid_route(h->head, c->edid_size, NULL);
        vw = vmodes_kcmdline_video_width(h);
        add_str(j, "route", edid ? "edid" : "video");
        json_object_object_add(j, "listed", json_object_new_boolean(best != NULL));
        if (best) {
                _cleanup_(freep) char *km = xasprintf("%ux%u@%.3f", best->width, best->height, best->refresh);
                add_str(j, "kernel_mode", km);
        } else if (!edid && vw && vw != m->hdisplay)
                add_str(j, "why", "video= cannot bring it: the kernel's CVT rounds its width down to a multiple of 8 "
                                  "(a width that is one, or a virtual GPU that reads an EDID, such as virtio-gpu)");
        else if (cmdline_has_video(h->head))
                add_str(j, "why", "the kernel has a video= option for it but dropped the mode (too large for the "
                                  "device's memory?)");
        else if (cfg->kernel_cmdline && edid)
                add_str(j, "why", "listed after the next boot: kernel-cmdline writes video= and an EDID with "
                                  "all the head's modes for it (/etc/default/grub.d/vmodes.cfg; run update-grub)");
        else if (cfg->kernel_cmdline)
                add_str(j, "why", "listed after the next boot: kernel-cmdline writes video= for it "
                                  "(/etc/default/grub.d/vmodes.cfg; run update-grub)");
        else
                add_str(j, "why", "needs kernel-cmdline = true ([general] in vmodes.conf) and a reboot");
        return j;
}

/* The stored modes against the kernel's lists (NULL without a stored
 * config that names a head). */
static json_object *stored_modes_json(const struct vmodes_discovery *disc)
{
        _cleanup_(freep) struct vmodes_config *cfg = calloc(1, sizeof(*cfg));
        struct vmodes_error err = { "" };
        json_object *a;
        char note[256];
        bool from_file;

        if (!cfg || vmodes_stored_config(cfg, &from_file, note, sizeof(note), &err) < 0 || !cfg->n_heads)
                return NULL;
        a = json_object_new_array();
        for (unsigned i = 0; i < cfg->n_heads; i++)
                if (cfg->heads[i].n_modes)
                        json_object_array_add(a, stored_mode_json(disc, cfg, &cfg->heads[i]));
        return a;
}

/* Long because: the report's sections (devices, modules, X, vdagent,
 * stored modes, problems) in their order, each a few lines sharing the problem list. */
static json_object *build_report(const struct options *o, struct vmodes_kmod *k, struct vmodes_discovery *disc)
{
        json_object *report = json_object_new_object(), *devices = json_object_new_array();
        json_object *problems = json_object_new_array(), *errors = json_object_new_array(), *x;
        const char *kver = vmodes_kmod_get_kernel_release(k);
        const char *root = vmodes_kmod_get_root(k);
        char *checked_modules[16];
        size_t n_checked = 0;
        bool any_qxl = false;

        add_int(report, "version", 1);
        add_str(report, "kernel", kver);
        for (size_t i = 0; i < vmodes_discovery_get_n_errors(disc); i++)
                json_object_array_add(errors, json_object_new_string(vmodes_discovery_get_error(disc, i)));

        for (size_t i = 0; i < vmodes_discovery_get_n_devices(disc); i++) {
                const struct vmodes_device *dev = vmodes_discovery_get_device(disc, i);
                _cleanup_(vmodes_module_info_freep) struct vmodes_module_info *m = NULL;
                json_object *dj = device_json(dev);
                int r;

                json_object_array_add(devices, dj);
                if (!dev->type)
                        continue;
                any_qxl |= dev->type->kind == VMODES_GPU_QXL;
                r = vmodes_kmod_inspect(k, dev, &m);
                if (r < 0) {
                        _cleanup_(freep) char *e = xasprintf("%s: cannot look up the kernel module for %s: %s",
                                                             dev->slot, dev->type->name, strerror(-r));
                        if (e)
                                json_object_array_add(errors, json_object_new_string(e));
                        json_object_object_add(dj, "module", NULL);
                        continue;
                }
                json_object_object_add(dj, "module", module_json(m));
                module_problems(problems, dev, m, kver, vmodes_kmod_get_module_dir(k));
                memory_notes(problems, dev);

                /* initramfs: once per module, only for modules that are modules */
                if (m->state != VMODES_MODULE_BUILTIN && m->state != VMODES_MODULE_MISSING) {
                        bool seen = false;
                        for (size_t c = 0; c < n_checked; c++)
                                seen |= !strcmp(checked_modules[c], m->name);
                        if (!seen && n_checked < 16) {
                                _cleanup_(vmodes_initramfs_freep) struct vmodes_initramfs *ir = NULL;
                                json_object *ij = json_object_new_object(), *all;

                                checked_modules[n_checked++] = strdup(m->name);
                                if (vmodes_initramfs_check(root, kver, m->name, &ir) == 0) {
                                        add_str(ij, "module", m->name);
                                        add_str(ij, "image", ir->image);
                                        json_object_object_add(ij, "included",
                                                               ir->included < 0 ? NULL : json_object_new_boolean(ir->included));
                                        add_str(ij, "checked_by", ir->checked_by);
                                        add_str(ij, "generator", ir->generator);
                                        add_str(ij, "fix", ir->fix);
                                        if (ir->image && ir->included == 0)
                                                add_problem(problems, dev->slot, ir->fix,
                                                            "%s is not in the initramfs %s: early boot runs on the "
                                                            "firmware framebuffer%s",
                                                            m->name, ir->image,
                                                            ir->generator && !strcmp(ir->generator, "dracut")
                                                                    ? " and a host-only image may never load it"
                                                                    : "");
                                }
                                if (!json_object_object_get_ex(report, "initramfs", &all)) {
                                        all = json_object_new_array();
                                        json_object_object_add(report, "initramfs", all);
                                }
                                json_object_array_add(all, ij);
                        }
                }
        }
        for (size_t c = 0; c < n_checked; c++)
                free(checked_modules[c]);
        json_object_object_add(report, "devices", devices);

        x = query_x(o);
        cli_x_deadline_clear();
        x_names_for_outputs(x, disc);
        json_object_object_add(report, "x", x);

        json_object *va = query_vdagent(root);
        if (any_qxl && !get_bool(va, "installed"))
                add_problem(problems, NULL, "install spice-vdagent (Debian/Ubuntu: apt install spice-vdagent)",
                            "spice-vdagent is not installed: the guest will not learn the SPICE client's window size "
                            "or enable heads the client opens");
        else if (any_qxl && !get_bool(va, "daemon_running"))
                add_problem(problems, NULL, "sudo systemctl enable --now spice-vdagentd",
                            "spice-vdagent is installed but spice-vdagentd is not running");
        json_object_object_add(report, "spice_vdagent", va);
        json_object_object_add(report, "stored_modes", stored_modes_json(disc));
        json_object_object_add(report, "problems", problems);
        json_object_object_add(report, "errors", errors);
        return report;
}

/* ---- text rendering --------------------------------------------------------- */

static const char *or_dash(const char *s)
{
        return s && *s ? s : "-";
}

/* The label of the display line ("X display", "sway"), as wide as the others. */
static const char *display_label(json_object *x)
{
        const char *backend = get_str(x, "backend");

        return !backend || !strcmp(backend, "x11") ? "X display  " : !strcmp(backend, "sway") ? "sway       " : "GNOME      ";
}

static void print_modes(json_object *modes)
{
        size_t n = modes ? json_object_array_length(modes) : 0, shown = 0, width = 0;

        if (n == 0) {
                printf("-");
                return;
        }
        for (size_t i = 0; i < n; i++) {
                const char *m = json_object_get_string(json_object_array_get_idx(modes, i));
                if (width + strlen(m) > 40 && shown > 0)
                        break;
                printf("%s%s", shown ? " " : "", m);
                width += strlen(m) + 1;
                shown++;
        }
        if (shown < n)
                printf(" (+%zu more)", n - shown);
}

/* Long because: one printed line per field of a device, in the order
 * of the text report. */
static void print_device(json_object *d)
{
        json_object *drm = get_obj(d, "drm"), *mem = get_obj(d, "memory"), *mod = get_obj(d, "module");
        json_object *conns = get_obj(d, "connectors"), *bars = get_obj(mem, "bars"), *fb = get_obj(mem, "framebuffer");
        const char *driver = get_str(d, "driver");
        json_object *boot = get_obj(d, "boot_vga");
        char sz[32];

        printf("%s at %s (PCI %s:%s, class %s%s%s)\n", get_str(d, "name"), get_str(d, "slot"), get_str(d, "vendor"),
               get_str(d, "device"), get_str(d, "class"), !strcmp(get_str(d, "role"), "secondary") ? ", secondary head device" : "",
               boot && json_object_get_boolean(boot) ? ", boot display" : "");

        if (driver)
                printf("  driver      %s, bound", driver);
        else
                printf("  driver      none bound");
        if (get_str(d, "pci_driver") && (!driver || strcmp(get_str(d, "pci_driver"), driver)))
                printf(" (PCI function: %s)", get_str(d, "pci_driver"));
        if (mod) {
                printf("; module %s %s", get_str(mod, "name"), get_str(mod, "state"));
                if (strcmp(get_str(mod, "action"), "none"))
                        printf(" -> %s", get_str(mod, "action"));
        }
        printf("\n");
        if (get_str(drm, "card"))
                printf("  DRM card    %s (%s)%s%s\n", get_str(drm, "card"), or_dash(get_str(drm, "devnode")),
                       get_str(drm, "render_devnode") ? ", render node " : "", get_str(drm, "render_devnode") ? get_str(drm, "render_devnode") : "");
        else
                printf("  DRM card    none\n");

        if (bars && json_object_array_length(bars)) {
                bool first = true;
                printf("  memory     ");
                for (size_t i = 0; i < json_object_array_length(bars); i++) {
                        json_object *b = json_object_array_get_idx(bars, i);
                        if (!strcmp(get_str(b, "type"), "io"))
                                continue;
                        format_size((uint64_t)get_int(b, "size", 0), sz, sizeof(sz));
                        printf("%s %s %s (BAR%" PRId64 ")", first ? "" : ",", or_dash(get_str(b, "name")), sz,
                               get_int(b, "index", 0));
                        first = false;
                }
                printf("\n");
        } else if (get_obj(d, "virtual") && get_bool(d, "virtual")) {
                printf("  memory      unknown (no readable PCI resource file)\n");
        }
        if (get_obj(mem, "surface_area") || get_str(mem, "surface_area_unknown")) {
                if (get_int(mem, "surface_area", 0) > 0) {
                        format_size((uint64_t)get_int(mem, "surface_area", 0), sz, sizeof(sz));
                        printf("  vgamem      %s (from the QXL ROM)\n", sz);
                } else {
                        printf("  vgamem      unknown: %s\n", get_str(mem, "surface_area_unknown"));
                }
        }
        if (fb) {
                if (get_int(fb, "bytes", 0) > 0) {
                        format_size((uint64_t)get_int(fb, "bytes", 0), sz, sizeof(sz));
                        printf("  framebuffer %s%s (%s): largest common mode %s", get_bool(fb, "exact") ? "" : "at most ", sz,
                               get_str(fb, "source"), or_dash(get_str(fb, "largest_common_mode")));
                } else {
                        printf("  framebuffer in %s", get_str(fb, "source"));
                }
                if (get_int(fb, "max_width", 0))
                        printf(", driver limit %" PRId64 "x%" PRId64, get_int(fb, "max_width", 0), get_int(fb, "max_height", 0));
                printf("\n");
        }

        if (conns && json_object_array_length(conns)) {
                printf("  heads       %zu\n", json_object_array_length(conns));
                printf("    %-4s %-14s %-12s %-7s %-16s %s\n", "HEAD", "CONNECTOR", "STATUS", "ENABLED", "X NAMES", "MODES");
                for (size_t i = 0; i < json_object_array_length(conns); i++) {
                        json_object *c = json_object_array_get_idx(conns, i), *names = get_obj(c, "x_names");
                        json_object *en = get_obj(c, "enabled"), *props = get_obj(c, "properties");
                        char xn[64] = "-", head[16] = "-";

                        if (get_obj(c, "head"))
                                snprintf(head, sizeof(head), "%" PRId64, get_int(c, "head", 0));
                        if (names && get_str(names, "ums"))
                                snprintf(xn, sizeof(xn), "%s/%s", get_str(names, "kms"), get_str(names, "ums"));
                        else if (names)
                                snprintf(xn, sizeof(xn), "%s", or_dash(get_str(names, "kms")));
                        printf("    %-4s %-14s %-12s %-7s %-16s ", head, get_str(c, "name"), get_str(c, "status"),
                               en ? (json_object_get_boolean(en) ? "yes" : "no") : "?", xn);
                        print_modes(get_obj(c, "modes"));
                        printf("\n");
                        if (props && (get_obj(props, "hotplug_mode_update") || get_obj(props, "suggested_x")))
                                printf("         hotplug_mode_update=%" PRId64 " suggested X=%" PRId64 " Y=%" PRId64 "\n",
                                       get_int(props, "hotplug_mode_update", -1), get_int(props, "suggested_x", -1),
                                       get_int(props, "suggested_y", -1));
                }
        } else if (get_bool(d, "virtual")) {
                printf("  heads       unknown: no DRM connectors without a kernel driver\n");
        }
}

/* The stored modes against the kernel's lists. */
static void print_stored(json_object *stored)
{
        if (!stored || !json_object_array_length(stored))
                return;
        printf("\nStored modes in the kernel's lists (GNOME on Wayland and GDM's login screen show only those):\n");
        for (size_t i = 0; i < json_object_array_length(stored); i++) {
                json_object *s = json_object_array_get_idx(stored, i), *listed = get_obj(s, "listed");
                printf("  %-12s %-18s ", get_str(s, "head"), get_str(s, "mode"));
                if (listed && json_object_get_boolean(listed))
                        printf("listed (%s)\n", get_str(s, "kernel_mode"));
                else
                        printf("%s: %s\n", listed ? "not listed" : "unknown", get_str(s, "why"));
        }
}

static void print_text(json_object *r)
{
        json_object *devices = get_obj(r, "devices"), *x = get_obj(r, "x"), *va = get_obj(r, "spice_vdagent");
        json_object *problems = get_obj(r, "problems"), *initramfs = get_obj(r, "initramfs");
        size_t n_virtual = 0, n_other = 0;

        for (size_t i = 0; i < json_object_array_length(devices); i++) {
                json_object *d = json_object_array_get_idx(devices, i);
                if (!get_bool(d, "virtual"))
                        continue;
                if (n_virtual++)
                        printf("\n");
                print_device(d);
        }
        if (n_virtual == 0)
                printf("No virtual GPU found (kernel %s).\n", get_str(r, "kernel"));
        for (size_t i = 0; i < json_object_array_length(devices); i++) {
                json_object *d = json_object_array_get_idx(devices, i);
                if (get_bool(d, "virtual"))
                        continue;
                if (!n_other++)
                        printf("\nOther display devices (not virtual GPUs, left alone):\n");
                printf("  %s  PCI %s:%s class %s, driver %s\n", get_str(d, "slot"), get_str(d, "vendor"), get_str(d, "device"),
                       get_str(d, "class"), or_dash(get_str(d, "driver")));
        }

        printf("\n");
        if (get_bool(x, "reachable") && get_obj(x, "outputs")) {
                json_object *outs = get_obj(x, "outputs");
                printf("%s %s: screen %" PRId64 "x%" PRId64 " (max %" PRId64 "x%" PRId64 "), outputs:\n",
                       display_label(x), get_str(x, "display"), get_int(x, "width", 0), get_int(x, "height", 0), get_int(x, "max_width", 0),
                       get_int(x, "max_height", 0));
                for (size_t i = 0; i < json_object_array_length(outs); i++) {
                        json_object *out = json_object_array_get_idx(outs, i);
                        char head[48] = "not a virtual GPU head";
                        if (get_obj(out, "head"))
                                snprintf(head, sizeof(head), "head %" PRId64 " of %s", get_int(out, "head", 0), get_str(out, "device"));
                        printf("  %-12s %-12s %-22s %s\n", get_str(out, "name"), get_str(out, "connection"),
                               or_dash(get_str(out, "geometry")), head);
                }
        } else {
                printf("%s %s (%s)\n", display_label(x), or_dash(get_str(x, "display")), or_dash(get_str(x, "reason")));
        }
        printf("spice-vdagent %s; spice-vdagentd %s; session agent %s\n",
               get_bool(va, "installed") ? "installed" : "not installed",
               get_bool(va, "daemon_running") ? "running" : "not running",
               get_bool(va, "session_agent_running") ? "running" : "not running");
        for (size_t i = 0; initramfs && i < json_object_array_length(initramfs); i++) {
                json_object *ir = json_object_array_get_idx(initramfs, i), *inc = get_obj(ir, "included");
                if (!get_str(ir, "image"))
                        printf("initramfs   none for this kernel (%s is loaded from the root file system)\n", get_str(ir, "module"));
                else if (inc)
                        printf("initramfs   %s %s %s (%s)\n", get_str(ir, "image"), json_object_get_boolean(inc) ? "contains" : "lacks",
                               get_str(ir, "module"), get_str(ir, "checked_by"));
                else
                        printf("initramfs   %s: %s %s\n", get_str(ir, "image"), get_str(ir, "module"), get_str(ir, "checked_by"));
        }

        print_stored(get_obj(r, "stored_modes"));

        if (problems && json_object_array_length(problems)) {
                printf("\nProblems:\n");
                for (size_t i = 0; i < json_object_array_length(problems); i++) {
                        json_object *p = json_object_array_get_idx(problems, i);
                        printf("  * %s%s%s\n", get_str(p, "device") ? get_str(p, "device") : "",
                               get_str(p, "device") ? ": " : "", get_str(p, "message"));
                        if (get_str(p, "fix"))
                                printf("    fix: %s\n", get_str(p, "fix"));
                }
        } else if (n_virtual) {
                printf("\nNo problems found.\n");
        }
}

static int exit_code(const struct vmodes_discovery *disc)
{
        bool unbound = false;

        if (vmodes_discovery_get_n_virtual(disc) == 0)
                return STATUS_NO_VIRTUAL_GPU;
        for (size_t i = 0; i < vmodes_discovery_get_n_devices(disc); i++) {
                const struct vmodes_device *dev = vmodes_discovery_get_device(disc, i);
                if (dev->type && !dev->driver)
                        unbound = true;
        }
        return unbound ? STATUS_NOT_WORKING : STATUS_OK;
}

/* Long because: one switch case per option with its check, then the
 * steps of the report (modules, discovery, loading, printing) in order. */
int cli_status(int argc, char **argv)
{
        enum { OPT_JSON = 0x100, OPT_LOAD, OPT_FORCE, OPT_DRY_RUN, OPT_ROOT, OPT_KERNEL, OPT_NO_X };
        static const struct option longopts[] = {
                { "json", no_argument, NULL, OPT_JSON },
                { "load-module", no_argument, NULL, OPT_LOAD },
                { "force", no_argument, NULL, OPT_FORCE },
                { "dry-run", no_argument, NULL, OPT_DRY_RUN },
                { "root", required_argument, NULL, OPT_ROOT },
                { "kernel", required_argument, NULL, OPT_KERNEL },
                { "no-x", no_argument, NULL, OPT_NO_X },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(vmodes_discovery_freep) struct vmodes_discovery *disc = NULL;
        _cleanup_(vmodes_kmod_freep) struct vmodes_kmod *k = NULL;
        _cleanup_(json_putp) json_object *report = NULL;
        struct vmodes_kmod_options ko = {};
        struct options o = {};
        bool load_failed = false;
        int c, r;

        opterr = 0;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
                switch (c) {
                case OPT_JSON: o.json = true; break;
                case OPT_LOAD: o.load = true; break;
                case OPT_FORCE: o.force = true; break;
                case OPT_DRY_RUN: o.dry_run = true; break;
                case OPT_ROOT: o.root = optarg; break;
                case OPT_KERNEL: o.kernel = optarg; break;
                case OPT_NO_X: o.no_x = true; break;
                case 'h':
                        help();
                        return STATUS_OK;
                case ':':
                        log_error("status: option '%s' needs a value (try 'vmodes status --help')", cli_arg(argv[optind - 1]));
                        return STATUS_USAGE;
                default:
                        if (optopt > 0 && optopt < 0x100)
                                log_error("status: unknown option '-%s' (try 'vmodes status --help')",
                                          cli_arg((char[]){ (char)optopt, 0 }));
                        else
                                log_error("status: unknown option '%s' (try 'vmodes status --help')",
                                          cli_arg(argv[optind - 1]));
                        return STATUS_USAGE;
                }
        }
        if (optind < argc) {
                log_error("status: unexpected argument '%s' (try 'vmodes status --help')", cli_arg(argv[optind]));
                return STATUS_USAGE;
        }
        if ((o.force || o.dry_run) && !o.load) {
                log_error("status: --%s only makes sense with --load-module", o.force ? "force" : "dry-run");
                return STATUS_USAGE;
        }
        if (o.root && (!*o.root || access(o.root, F_OK) < 0)) {
                const char *why = *o.root ? strerror(errno) : "empty path";
                log_error("status: --root '%s': %s", cli_arg(o.root), why);
                return STATUS_USAGE;
        }
        if (o.kernel && (!*o.kernel || strchr(o.kernel, '/') || strlen(o.kernel) > 64)) {
                log_error("status: --kernel '%s' is not a kernel release (1 to 64 characters, no '/')",
                          cli_arg(o.kernel));
                return STATUS_USAGE;
        }

        if (cli_json_load() != CLI_EXIT_OK)
                return STATUS_NO_VIRTUAL_GPU; /* as when libkmod cannot be set up */
        ko.root = o.root;
        ko.kernel_release = o.kernel;
        r = vmodes_kmod_new(&k, &ko);
        if (r < 0) {
                log_error("cannot set up libkmod: %s", strerror(-r));
                return STATUS_NO_VIRTUAL_GPU;
        }
        r = vmodes_discovery_new(&disc);
        if (r >= 0)
                r = vmodes_discovery_scan(disc);
        if (r < 0) {
                log_error("cannot enumerate PCI devices through udev: %s", strerror(-r));
                return STATUS_NO_VIRTUAL_GPU;
        }

        if (o.load && load_modules(&o, k, disc, &load_failed)) {
                r = vmodes_discovery_scan(disc);
                if (r < 0) {
                        log_error("cannot enumerate PCI devices through udev: %s", strerror(-r));
                        return STATUS_NO_VIRTUAL_GPU;
                }
        }

        for (size_t i = 0; i < vmodes_discovery_get_n_errors(disc); i++)
                log_error("%s", vmodes_discovery_get_error(disc, i));

        report = build_report(&o, k, disc);
        if (o.json)
                printf("%s\n", json_object_to_json_string_ext(report, JSON_C_TO_STRING_PRETTY |
                                                                              JSON_C_TO_STRING_NOSLASHESCAPE));
        else
                print_text(report);
        if (fflush(stdout) != 0) {
                log_error("cannot write the status: %s", strerror(errno));
                return STATUS_NO_VIRTUAL_GPU;
        }
        return exit_code(disc);
}
