/* SPDX-License-Identifier: MIT */
/* The virtual GPUs vmodes knows, by PCI vendor:device id. */
#include <stddef.h>

#include "udev/vmodes-udev.h"

static const struct vmodes_gpu_type gpu_types[] = {
        { VMODES_GPU_QXL, 0x1b36, 0x0100, "qxl", "QXL", "qxl",
          "vgamem_mb (libvirt: <model type='qxl' vgamem='...'/>)" },
        { VMODES_GPU_VIRTIO, 0x1af4, 0x1050, "virtio-gpu", "virtio-gpu", "virtio_gpu", NULL },
        { VMODES_GPU_BOCHS, 0x1234, 0x1111, "bochs", "Bochs/standard VGA", "bochs",
          "vgamem_mb (libvirt: <model type='vga' vram='...'/>)" },
        { VMODES_GPU_VMWARE, 0x15ad, 0x0405, "vmware-svga", "VMware SVGA II", "vmwgfx",
          "vgamem_mb (libvirt: <model type='vmvga' vram='...'/>)" },
        { VMODES_GPU_CIRRUS, 0x1013, 0x00b8, "cirrus", "Cirrus CLGD 5446", "cirrus",
          NULL /* fixed 4 MiB: switch the VM to QXL or virtio-gpu */ },
        { VMODES_GPU_VBOX, 0x80ee, 0xbeef, "vboxvideo", "VirtualBox Graphics Adapter", "vboxvideo",
          "the VM's video memory setting (VBoxManage modifyvm --vram)" },
        { VMODES_GPU_OTHER, 0, 0, NULL, NULL, NULL, NULL },
};

const struct vmodes_gpu_type *vmodes_gpu_types(void)
{
        return gpu_types;
}

const struct vmodes_gpu_type *vmodes_gpu_classify(uint16_t vendor, uint16_t device)
{
        for (const struct vmodes_gpu_type *t = gpu_types; t->kind != VMODES_GPU_OTHER; t++)
                if (t->vendor == vendor && t->device == device)
                        return t;
        return NULL;
}
