/* SPDX-License-Identifier: MIT */
/* Video memory of a virtual GPU and the largest framebuffer it can hold. */
#include <errno.h>
#include <string.h>

#include "udev/util.h"
#include "udev/vmodes-udev.h"

#define BPP_BYTES 4u /* every driver here scans out XRGB8888 */

static const struct { uint32_t w, h; } common_modes[] = {
        { 7680, 4320 }, { 5120, 2880 }, { 3840, 2400 }, { 3840, 2160 }, { 3440, 1440 },
        { 2560, 1600 }, { 2560, 1440 }, { 1920, 1200 }, { 1920, 1080 }, { 1680, 1050 },
        { 1600, 900 }, { 1280, 1024 }, { 1280, 800 }, { 1280, 720 }, { 1024, 768 },
        { 800, 600 }, { 640, 480 },
};

/* QXL's BARs (QEMU hw/display/qxl.c): 0 RAM (the VGA/"vgamem" surface area
 * is its first part), 1 VRAM (32-bit surfaces), 2 ROM, 3 I/O ports,
 * 4 64-bit VRAM (only with vram64_size_mb). */
static const char *const qxl_bars[VMODES_N_BARS] = { "RAM", "VRAM", "ROM", "I/O", "VRAM64", NULL };
static const char *const virtio_bars[VMODES_N_BARS] = { NULL, "MMIO", NULL, NULL, "virtio config", NULL };
static const char *const bochs_bars[VMODES_N_BARS] = { "VRAM", NULL, "MMIO", NULL, NULL, NULL };
static const char *const vmware_bars[VMODES_N_BARS] = { "I/O", "FB", "FIFO", NULL, NULL, NULL };
static const char *const cirrus_bars[VMODES_N_BARS] = { "VRAM", "MMIO", NULL, NULL, NULL, NULL };
static const char *const vbox_bars[VMODES_N_BARS] = { "VRAM", NULL, NULL, NULL, NULL, NULL };

const char *vmodes_memory_bar_name(const struct vmodes_device *dev, unsigned i)
{
        const char *const *names;

        if (!dev->type || i >= VMODES_N_BARS)
                return NULL;
        switch (dev->type->kind) {
        case VMODES_GPU_QXL: names = qxl_bars; break;
        case VMODES_GPU_VIRTIO: names = virtio_bars; break;
        case VMODES_GPU_BOCHS: names = bochs_bars; break;
        case VMODES_GPU_VMWARE: names = vmware_bars; break;
        case VMODES_GPU_CIRRUS: names = cirrus_bars; break;
        case VMODES_GPU_VBOX: names = vbox_bars; break;
        default: return NULL;
        }
        return names[i];
}

bool vmodes_memory_fits(const struct vmodes_fb_limit *limit, uint32_t width, uint32_t height,
                        unsigned copies)
{
        uint64_t need;

        if (width == 0 || height == 0)
                return false;
        if ((limit->max_width && width > limit->max_width) ||
            (limit->max_height && height > limit->max_height))
                return false;
        if (!limit->known || limit->bytes == 0)
                return true;
        need = (uint64_t)width * height * BPP_BYTES * (copies ? copies : 1);
        return need <= limit->bytes;
}

int vmodes_memory_fb_limit(const struct vmodes_device *dev, struct vmodes_fb_limit *out)
{
        struct vmodes_fb_limit l = { 0 };

        if (!dev->type)
                return -EOPNOTSUPP;
        l.max_width = dev->drm_max_width;
        l.max_height = dev->drm_max_height;

        switch (dev->type->kind) {
        case VMODES_GPU_QXL:
                if (dev->surface_area) {
                        l.bytes = dev->surface_area;
                        l.known = l.exact = true;
                        l.source = "QXL surface area (vgamem)";
                } else if (dev->have_bars && dev->bars[0].size) {
                        /* QEMU makes the RAM BAR at least twice vgamem */
                        l.bytes = dev->bars[0].size / 2;
                        l.known = true;
                        l.source = "QXL surface area (vgamem), at most half the RAM BAR";
                }
                break;
        case VMODES_GPU_VIRTIO:
                l.known = l.exact = true;
                l.source = "guest RAM (virtio-gpu has no video memory BAR)";
                break;
        case VMODES_GPU_BOCHS:
        case VMODES_GPU_VBOX:
                if (dev->have_bars && dev->bars[0].size) {
                        l.bytes = dev->bars[0].size;
                        l.known = l.exact = true;
                        l.source = "VRAM BAR";
                }
                break;
        case VMODES_GPU_VMWARE:
                if (dev->have_bars && dev->bars[1].size) {
                        l.bytes = dev->bars[1].size;
                        l.known = l.exact = true;
                        l.source = "framebuffer BAR";
                }
                break;
        case VMODES_GPU_CIRRUS:
                /* the BAR is 32 MiB, the emulated chip has 4 MiB */
                l.bytes = 4u << 20;
                l.known = l.exact = true;
                l.source = "Cirrus video memory (fixed 4 MiB)";
                break;
        case VMODES_GPU_OTHER:
                return -EOPNOTSUPP;
        }

        for (size_t i = 0; i < ELEMENTSOF(common_modes); i++)
                if (vmodes_memory_fits(&l, common_modes[i].w, common_modes[i].h, 1)) {
                        if (!l.known && i == 0)
                                break; /* nothing known: no claim */
                        l.common_width = common_modes[i].w;
                        l.common_height = common_modes[i].h;
                        break;
                }
        *out = l;
        return 0;
}
