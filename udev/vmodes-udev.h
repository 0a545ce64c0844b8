/* SPDX-License-Identifier: MIT */
/*
 * Virtual GPU discovery, kernel module handling and device events.
 *
 * Everything here reads sysfs (through libudev where it keeps udev's view:
 * drivers, modaliases, uevents; so a umockdev testbed can stand in for a
 * real machine), asks libkmod about kernel modules with modprobe's rules,
 * and opens the DRM card node only for the few facts sysfs does not carry
 * (QXL connector properties, mode_config limits).
 *
 * Objects with a lifetime are opaque and come with _new/_free.  The device
 * and connector records a discovery hands out are read-only views owned by
 * that discovery; they stay valid until the next vmodes_discovery_scan() or
 * vmodes_discovery_free().
 *
 * Functions return 0 (or a count) on success and a negative errno on failure.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Virtual GPU types (udev/gpu.c) ------------------------------------ */

enum vmodes_gpu_kind {
        VMODES_GPU_OTHER = 0, /* a display device that is not a virtual GPU */
        VMODES_GPU_QXL,
        VMODES_GPU_VIRTIO,
        VMODES_GPU_BOCHS,
        VMODES_GPU_VMWARE,
        VMODES_GPU_CIRRUS,
        VMODES_GPU_VBOX,
};

struct vmodes_gpu_type {
        enum vmodes_gpu_kind kind;
        uint16_t vendor;
        uint16_t device;
        const char *id;          /* stable short id used in JSON: "qxl", "virtio-gpu", ... */
        const char *name;        /* for people: "QXL", "virtio-gpu", ... */
        const char *module;      /* kernel module that drives it (modprobe name) */
        const char *vm_setting;  /* how the VM definition grows its memory, or NULL */
};

/* The virtual GPU type for a PCI vendor:device pair, or NULL for any other device. */
const struct vmodes_gpu_type *vmodes_gpu_classify(uint16_t vendor, uint16_t device);
/* All known types, terminated by an entry with kind VMODES_GPU_OTHER. */
const struct vmodes_gpu_type *vmodes_gpu_types(void);

/* ---- Strict sysfs value parsers (udev/sysfs.c) ------------------------- */

/* "0x1b36" -> 0x1b36: exactly "0x" and `digits` hex digits, nothing else.
 * -EINVAL for anything else (empty, truncated, not hex, trailing garbage). */
int vmodes_sysfs_parse_hex(const char *text, unsigned digits, uint32_t *out);

enum {
        VMODES_BAR_IO = 0x00000100,       /* IORESOURCE_IO */
        VMODES_BAR_MEM = 0x00000200,      /* IORESOURCE_MEM */
        VMODES_BAR_PREFETCH = 0x00002000, /* IORESOURCE_PREFETCH */
        VMODES_BAR_MEM64 = 0x00100000,    /* IORESOURCE_MEM_64 */
};

#define VMODES_N_BARS 6

struct vmodes_bar {
        uint64_t start;
        uint64_t size;  /* 0 when the BAR is not implemented */
        uint64_t flags; /* VMODES_BAR_* bits as the kernel reports them */
};

/* Parses a PCI device's sysfs `resource` file (one "start end flags" line per
 * resource) into bars[0..VMODES_N_BARS-1]. -EINVAL on malformed content. */
int vmodes_sysfs_parse_resource(const char *text, struct vmodes_bar bars[VMODES_N_BARS]);

/* Reads a whole (small) file into a NUL-terminated string, at most max bytes.
 * -EFBIG when it is longer. */
int vmodes_sysfs_read_file(const char *path, size_t max, char **out);
/* The number of bytes a (binary) sysfs attribute holds now, at most max;
 * -errno when it cannot be read. */
int vmodes_sysfs_count_bytes(const char *path, size_t max);

/* ---- Discovery (udev/discovery.c) -------------------------------------- */

enum vmodes_connector_status {
        VMODES_CONNECTOR_UNKNOWN = 0,
        VMODES_CONNECTOR_CONNECTED,
        VMODES_CONNECTOR_DISCONNECTED,
};
/* The word sysfs uses for a status ("unknown" for any other value), and
 * the status a word means (-EINVAL for another word). */
const char *vmodes_connector_status_to_string(enum vmodes_connector_status s);
int vmodes_connector_status_from_string(const char *word);

/* A mode of a connector's list as the kernel has it (libdrm). */
struct vmodes_connector_mode {
        uint16_t width, height;
        /* Hz from the timings: clock / (htotal * vtotal), x2 interlaced,
         * /2 doublescan (the rate compositors compute) */
        double refresh;
        bool interlace;
        bool preferred; /* DRM_MODE_TYPE_PREFERRED: the host's size on a virtual GPU */
        bool userdef;   /* DRM_MODE_TYPE_USERDEF: from video= on the kernel command line */
};

/* status, enabled and modes are read with VMODES_SCAN_CONNECTOR_STATE, the
 * properties and kmodes with VMODES_SCAN_DRM_NODE; otherwise they stay
 * unknown. */
struct vmodes_connector {
        char *sysname;  /* "card0-Virtual-1" */
        char *name;     /* "Virtual-1": the KMS connector name */
        char *type;     /* "Virtual" */
        unsigned type_index;   /* 1 for Virtual-1 */
        unsigned head;         /* 1-based head number on its device, 0 if not a virtual head */
        enum vmodes_connector_status status;
        int enabled;    /* 1, 0, or -1 when sysfs does not say */
        char **modes;   /* mode names as sysfs lists them, e.g. "1024x768" */
        size_t n_modes;
        /* QXL connector properties (libdrm); valid only when have_properties */
        bool have_properties;
        int64_t hotplug_mode_update; /* -1 when the connector lacks it */
        int64_t suggested_x;         /* -1 when the connector lacks it */
        int64_t suggested_y;
        /* bytes of the EDID the kernel has for it (sysfs edid: the device's
         * own or a drm.edid_firmware override), 0 when none: only drivers
         * that read an EDID (virtio-gpu, bochs; never qxl) have one, and
         * only they take an EDID override */
        size_t edid_size;
        /* the kernel's list with the timings' rates (libdrm, no probe) */
        struct vmodes_connector_mode *kmodes;
        size_t n_kmodes;
};

struct vmodes_device {
        char *syspath;
        char *slot;                  /* "0000:00:02.0" */
        uint16_t vendor, device;
        uint16_t subsystem_vendor, subsystem_device;
        uint32_t pci_class;          /* 0x030000 */
        const struct vmodes_gpu_type *type; /* NULL: not a virtual GPU */
        bool secondary;              /* class 0x0380xx: a QXL secondary head device */
        int boot_vga;                /* 1, 0, -1 unknown */
        /* The kernel driver of the GPU function and the modalias that loads
         * it. For virtio-gpu that is the virtio child device (virtio_gpu on
         * virtio:d00000010v00001AF4), whose PCI parent has virtio-pci. */
        char *driver;                /* NULL if none bound */
        char *modalias;
        char *pci_driver;            /* driver of the PCI function itself, NULL if none */
        char *pci_modalias;
        char *card;                  /* DRM card sysname "card0", NULL if none */
        char *card_devnode;          /* "/dev/dri/card0" */
        char *render_devnode;        /* "/dev/dri/renderD128" or NULL */
        struct vmodes_connector *connectors; /* sorted: type, then type_index */
        size_t n_connectors;
        struct vmodes_bar bars[VMODES_N_BARS];
        bool have_bars;
        /* QXL only: surface0 area ("vgamem") read from the device ROM (BAR 2);
         * 0 when unknown, surface_area_error then says why (-EACCES: needs root). */
        uint64_t surface_area;
        int surface_area_error;
        /* DRM mode_config limits (libdrm); 0 when unknown, drm_error says why
         * (-ENODATA: the scan did not ask, see VMODES_SCAN_DRM_NODE). */
        uint32_t drm_max_width, drm_max_height;
        int drm_error;
};

struct vmodes_discovery;

int vmodes_discovery_new(struct vmodes_discovery **out);
void vmodes_discovery_free(struct vmodes_discovery *d);
static inline void vmodes_discovery_freep(struct vmodes_discovery **d)
{
        vmodes_discovery_free(*d);
}

/* What a scan reads beyond each display device's PCI facts, memory, driver,
 * DRM card, render node and connector names (which are always read). */
enum {
        /* status, enabled and modes of every connector (sysfs) */
        VMODES_SCAN_CONNECTOR_STATE = 1 << 0,
        /* the card node (libdrm ioctls): drm_max_width/height and the QXL
         * connector properties; without it drm_error is -ENODATA */
        VMODES_SCAN_DRM_NODE = 1 << 1,
        VMODES_SCAN_FULL = VMODES_SCAN_CONNECTOR_STATE | VMODES_SCAN_DRM_NODE,
};

/* Enumerates display-class PCI devices (class 0x03xxxx). A device whose sysfs
 * attributes are malformed is left out and described in the error list; the
 * scan itself fails only when enumeration is impossible. Returns the number
 * of devices found. vmodes_discovery_scan() reads everything
 * (VMODES_SCAN_FULL); head names and the memory limit need no flag. */
int vmodes_discovery_scan(struct vmodes_discovery *d);
int vmodes_discovery_scan_flags(struct vmodes_discovery *d, unsigned flags);
size_t vmodes_discovery_get_n_devices(const struct vmodes_discovery *d);
const struct vmodes_device *vmodes_discovery_get_device(const struct vmodes_discovery *d, size_t i);
/* Number of virtual GPUs among the devices. */
size_t vmodes_discovery_get_n_virtual(const struct vmodes_discovery *d);
/* One-line descriptions of devices that could not be read. */
size_t vmodes_discovery_get_n_errors(const struct vmodes_discovery *d);
const char *vmodes_discovery_get_error(const struct vmodes_discovery *d, size_t i);

/* ---- Memory and framebuffer limits (udev/memory.c) --------------------- */

struct vmodes_fb_limit {
        /* Bytes one framebuffer may occupy at 32 bpp; 0 = not limited by
         * device memory (virtio-gpu keeps framebuffers in guest RAM). */
        uint64_t bytes;
        bool known;           /* false: nothing is known about the limit */
        bool exact;           /* false: bytes is an upper bound (the exact value needs root) */
        const char *source;   /* what bytes stands for, e.g. "QXL surface area (vgamem)" */
        uint32_t max_width;   /* driver limit, 0 unknown */
        uint32_t max_height;
        /* The largest common mode (16:9/16:10/4:3 list) that fits one head. */
        uint32_t common_width, common_height;
};

int vmodes_memory_fb_limit(const struct vmodes_device *dev, struct vmodes_fb_limit *out);
/* Does a framebuffer of width x height at 32 bpp fit? copies is the number
 * of framebuffer copies the driver keeps (the kernel qxl driver under the
 * modesetting DDX keeps one per active head; 1 otherwise). */
bool vmodes_memory_fits(const struct vmodes_fb_limit *limit, uint32_t width, uint32_t height,
                        unsigned copies);
/* Human name of BAR i of a device ("RAM", "VRAM", "ROM", ...), or NULL. */
const char *vmodes_memory_bar_name(const struct vmodes_device *dev, unsigned i);

/* ---- Heads and X output names (udev/heads.c) --------------------------- */

#include "udev/heads.h"

/* ---- Kernel modules (udev/kmod.c) -------------------------------------- */

struct vmodes_kmod_options {
        /* Prefix for every file looked at (lib/modules, modprobe.d, boot,
         * os-release, proc/cmdline), like depmod -b; NULL or "/" for the
         * running system. Tests point it at a fake tree. */
        const char *root;
        /* Kernel release whose modules count (modprobe -S); NULL: uname -r. */
        const char *kernel_release;
};

enum vmodes_module_state {
        VMODES_MODULE_UNKNOWN = 0,
        VMODES_MODULE_LOADED,      /* in the running kernel */
        VMODES_MODULE_BUILTIN,     /* built into the kernel image */
        VMODES_MODULE_AVAILABLE,   /* installed, not loaded, can be loaded */
        VMODES_MODULE_BLACKLISTED, /* a blacklist keeps udev/modprobe from loading it */
        VMODES_MODULE_DISABLED,    /* an "install <module> /bin/false" style rule */
        VMODES_MODULE_MISSING,     /* not shipped with the installed kernel */
};

enum vmodes_module_action {
        VMODES_ACTION_NONE = 0,        /* driver bound: nothing to do */
        VMODES_ACTION_LOAD,            /* load the module */
        VMODES_ACTION_REFUSE_BLACKLIST,/* would load, but the admin blacklisted it */
        VMODES_ACTION_REFUSE_MISSING,  /* no module to load */
        VMODES_ACTION_INVESTIGATE,     /* module present but device not bound */
};

struct vmodes_blacklist_entry {
        char *file;     /* NULL for the kernel command line */
        unsigned line;
        char *text;     /* the line as written */
};

struct vmodes_module_info {
        char *name;                 /* "qxl" */
        enum vmodes_module_state state;
        enum vmodes_module_action action;
        char *path;                 /* the .ko file, NULL if none */
        char *install_command;      /* a configured install command, NULL if none */
        char *options;              /* configured options, NULL if none */
        struct vmodes_blacklist_entry *blacklist;
        size_t n_blacklist;
        bool nomodeset;             /* kernel command line keeps DRM drivers off */
        char *nomodeset_arg;        /* the word that does it ("nomodeset", "qxl.modeset=0") */
};

struct vmodes_kmod;

/* The first call loads libkmod (libkmod.so.2, with dlopen): -ELIBACC when
 * it cannot be loaded, -ELIBBAD when it lacks a function. */
int vmodes_kmod_new(struct vmodes_kmod **out, const struct vmodes_kmod_options *options);
void vmodes_kmod_free(struct vmodes_kmod *k);
static inline void vmodes_kmod_freep(struct vmodes_kmod **k)
{
        vmodes_kmod_free(*k);
}
const char *vmodes_kmod_get_kernel_release(const struct vmodes_kmod *k);
const char *vmodes_kmod_get_module_dir(const struct vmodes_kmod *k);
const char *vmodes_kmod_get_root(const struct vmodes_kmod *k); /* "" for the real system */

/* What drives dev and what should happen about it. */
int vmodes_kmod_inspect(struct vmodes_kmod *k, const struct vmodes_device *dev,
                        struct vmodes_module_info **out);
void vmodes_module_info_free(struct vmodes_module_info *info);
static inline void vmodes_module_info_freep(struct vmodes_module_info **i)
{
        vmodes_module_info_free(*i);
}

enum {
        VMODES_LOAD_FORCE = 1 << 0,   /* load even when blacklisted / disabled */
        VMODES_LOAD_DRY_RUN = 1 << 1, /* report the steps, change nothing */
};

/* Called for every step: "insmod /lib/modules/.../qxl.ko" or "install <cmd>". */
typedef void (*vmodes_kmod_step_fn)(void *userdata, const char *step);

/* Loads the module for dev with modprobe semantics (dependencies, soft
 * dependencies, configured options and install commands). -EPERM without
 * root, -ECANCELED when blacklisted and not forced, -ENOENT when the module
 * is missing, otherwise what the kernel said (-ENODEV: no device accepted it,
 * e.g. under nomodeset). 0 when loaded or nothing had to be done. */
int vmodes_kmod_load(struct vmodes_kmod *k, const struct vmodes_device *dev, unsigned flags,
                     vmodes_kmod_step_fn step, void *userdata);

const char *vmodes_module_state_to_string(enum vmodes_module_state s);
const char *vmodes_module_action_to_string(enum vmodes_module_action a);

/* ---- Initramfs (udev/initramfs.c) -------------------------------------- */

struct vmodes_initramfs {
        char *image;      /* the initramfs of the running kernel, NULL: boots without */
        int included;     /* 1 yes, 0 no, -1 could not tell */
        char *checked_by; /* how included was determined, or why it could not be */
        char *generator;  /* "initramfs-tools", "dracut", "mkinitcpio", NULL unknown */
        char *fix;        /* command line(s) that add the module, NULL if unknown */
};

/* Looks for module in the initramfs of kernel kver below root (NULL = "/"),
 * with the distribution's own listing tool. */
int vmodes_initramfs_check(const char *root, const char *kver, const char *module,
                           struct vmodes_initramfs **out);
void vmodes_initramfs_free(struct vmodes_initramfs *i);
static inline void vmodes_initramfs_freep(struct vmodes_initramfs **i)
{
        vmodes_initramfs_free(*i);
}

/* ---- Device events (udev/monitor.c) ------------------------------------ */

enum vmodes_event_type {
        VMODES_EVENT_DEVICE_ADD,    /* a display PCI device or DRM card appeared / got its driver */
        VMODES_EVENT_DEVICE_REMOVE, /* ... went away / lost its driver */
        VMODES_EVENT_HOTPLUG,       /* DRM "change" with HOTPLUG=1: connectors changed */
};

struct vmodes_event {
        enum vmodes_event_type type;
        const char *syspath;
        const char *subsystem;  /* "pci" or "drm" */
        const char *sysname;    /* "0000:00:02.0", "card0" */
        const char *action;     /* the uevent action as received */
        int connector_id;       /* CONNECTOR=N of a hotplug event, -1 if absent */
};

struct vmodes_monitor;
struct sd_event;

typedef void (*vmodes_monitor_fn)(struct vmodes_monitor *m, const struct vmodes_event *ev,
                                  void *userdata);

/* Listens to udev's (post-rule) events for display PCI devices and DRM. */
int vmodes_monitor_new(struct vmodes_monitor **out, vmodes_monitor_fn cb, void *userdata);
void vmodes_monitor_free(struct vmodes_monitor *m);
static inline void vmodes_monitor_freep(struct vmodes_monitor **m)
{
        vmodes_monitor_free(*m);
}
/* Adds the monitor's fd to an sd-event loop (NULL: the thread's default loop). */
int vmodes_monitor_attach(struct vmodes_monitor *m, struct sd_event *event, int64_t priority);
/* For other loops: poll this fd for POLLIN, then call dispatch. */
int vmodes_monitor_get_fd(const struct vmodes_monitor *m);
/* Reads and reports every pending event; returns how many were reported. */
int vmodes_monitor_dispatch(struct vmodes_monitor *m);
