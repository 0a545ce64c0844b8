/* SPDX-License-Identifier: MIT */
/* Unit tests of the pure parts of udev/: classification, strict sysfs
 * parsers, head names in every X scheme, framebuffer limits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/tap.h"
#include "udev/vmodes-udev.h"


static void test_classify(void)
{
        static const struct { uint16_t v, d; enum vmodes_gpu_kind kind; const char *module; } cases[] = {
                { 0x1b36, 0x0100, VMODES_GPU_QXL, "qxl" },
                { 0x1af4, 0x1050, VMODES_GPU_VIRTIO, "virtio_gpu" },
                { 0x1234, 0x1111, VMODES_GPU_BOCHS, "bochs" },
                { 0x15ad, 0x0405, VMODES_GPU_VMWARE, "vmwgfx" },
                { 0x1013, 0x00b8, VMODES_GPU_CIRRUS, "cirrus" },
                { 0x80ee, 0xbeef, VMODES_GPU_VBOX, "vboxvideo" },
        };
        for (size_t i = 0; i < (sizeof(cases) / sizeof(cases[0])); i++) {
                const struct vmodes_gpu_type *t = vmodes_gpu_classify(cases[i].v, cases[i].d);
                expect_true(t && t->kind == cases[i].kind && !strcmp(t->module, cases[i].module));
        }
        expect_true(vmodes_gpu_classify(0x8086, 0x46a6) == NULL);  /* Intel iGPU */
        expect_true(vmodes_gpu_classify(0x1b36, 0x0101) == NULL);  /* another Red Hat device */
        expect_true(vmodes_gpu_classify(0x1af4, 0x1000) == NULL);  /* virtio-net */
}

static void test_parse_hex(void)
{
        uint32_t v = 0;

        expect_true(vmodes_sysfs_parse_hex("0x1b36", 4, &v) == 0 && v == 0x1b36);
        expect_true(vmodes_sysfs_parse_hex("0x1B36\n", 4, &v) == 0 && v == 0x1b36);
        expect_true(vmodes_sysfs_parse_hex("0x030000", 6, &v) == 0 && v == 0x030000);
        v = 7;
        expect_true(vmodes_sysfs_parse_hex("0x1b", 4, &v) == -EINVAL && v == 7);
        expect_true(vmodes_sysfs_parse_hex("0x1b366", 4, &v) == -EINVAL);
        expect_true(vmodes_sysfs_parse_hex("1b36", 4, &v) == -EINVAL);
        expect_true(vmodes_sysfs_parse_hex("0xzz36", 4, &v) == -EINVAL);
        expect_true(vmodes_sysfs_parse_hex("", 4, &v) == -EINVAL);
        expect_true(vmodes_sysfs_parse_hex("0x1b3 ", 4, &v) == -EINVAL);
        expect_true(vmodes_sysfs_parse_hex(NULL, 4, &v) == -EINVAL);
}

static void test_parse_resource(void)
{
        struct vmodes_bar b[VMODES_N_BARS];
        const char *qxl =
                "0x00000000f4000000 0x00000000f7ffffff 0x0000000000040200\n"
                "0x00000000f8000000 0x00000000fbffffff 0x0000000000040200\n"
                "0x00000000fc070000 0x00000000fc071fff 0x0000000000040200\n"
                "0x000000000000c040 0x000000000000c05f 0x0000000000040101\n"
                "0x0000000800000000 0x000000080fffffff 0x000000000014220c\n"
                "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
                "0x00000000fc060000 0x00000000fc06ffff 0x0000000000046200\n";

        expect_true(vmodes_sysfs_parse_resource(qxl, b) == 0);
        expect_true(b[0].size == 64u << 20 && b[1].size == 64u << 20 && b[2].size == 8192);
        expect_true(b[3].size == 32 && (b[3].flags & VMODES_BAR_IO));
        expect_true(b[4].size == 256u << 20 && (b[4].flags & VMODES_BAR_MEM64) && (b[4].flags & VMODES_BAR_PREFETCH));
        expect_true(b[5].size == 0);
        /* five lines: cut short */
        expect_true(vmodes_sysfs_parse_resource("0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n", b) == -EINVAL);
        expect_true(vmodes_sysfs_parse_resource("0x10 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n", b) == -EINVAL);
        expect_true(vmodes_sysfs_parse_resource("0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0xg 0x0\n", b) == -EINVAL);
        expect_true(vmodes_sysfs_parse_resource("0x0 0x0\n", b) == -EINVAL);
        expect_true(vmodes_sysfs_parse_resource("", b) == -EINVAL);
        expect_true(vmodes_sysfs_parse_resource("0x00000000000000000 0x0 0x0\n", b) == -EINVAL); /* 17 digits */
}

static struct vmodes_connector conns[4];
static char *names[4] = { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" };
static char *sysnames[4] = { "card0-Virtual-1", "card0-Virtual-2", "card0-Virtual-3", "card0-Virtual-4" };

static void make_device(struct vmodes_device *dev, const struct vmodes_gpu_type *type, size_t n)
{
        memset(dev, 0, sizeof(*dev));
        dev->type = type;
        dev->card = "card0";
        dev->connectors = conns;
        dev->n_connectors = n;
        for (size_t i = 0; i < n; i++) {
                conns[i].name = names[i];
                conns[i].sysname = sysnames[i];
                conns[i].type = "Virtual";
                conns[i].type_index = (unsigned)i + 1;
                conns[i].head = (unsigned)i + 1;
        }
}

static void test_heads(void)
{
        struct vmodes_device qxl, virtio, bare;
        char buf[32];
        unsigned h = 0;
        const char *ums[] = { "qxl-0", "qxl-1" }, *legacy[] = { "Virtual-0", "Virtual-1" }, *kms[] = { "Virtual-1", "Virtual-2" };

        make_device(&qxl, vmodes_gpu_classify(0x1b36, 0x0100), 4);
        expect_true(vmodes_heads_count(&qxl) == 4);
        expect_true(vmodes_heads_name(&qxl, 1, VMODES_HEADS_KMS, buf, sizeof(buf)) == 0 && !strcmp(buf, "Virtual-1"));
        expect_true(vmodes_heads_name(&qxl, 4, VMODES_HEADS_UMS, buf, sizeof(buf)) == 0 && !strcmp(buf, "qxl-3"));
        expect_true(vmodes_heads_name(&qxl, 2, VMODES_HEADS_LEGACY, buf, sizeof(buf)) == 0 && !strcmp(buf, "Virtual-1"));
        expect_true(vmodes_heads_name(&qxl, 5, VMODES_HEADS_KMS, buf, sizeof(buf)) == -ENOENT);
        expect_true(vmodes_heads_name(&qxl, 0, VMODES_HEADS_KMS, buf, sizeof(buf)) == -ENOENT);
        expect_true(vmodes_heads_name(&qxl, 1, VMODES_HEADS_KMS, buf, 4) == -ENOBUFS);

        expect_true(vmodes_heads_detect_scheme(ums, 2) == VMODES_HEADS_UMS);
        expect_true(vmodes_heads_detect_scheme(legacy, 2) == VMODES_HEADS_LEGACY);
        expect_true(vmodes_heads_detect_scheme(kms, 2) == VMODES_HEADS_KMS);
        expect_true(vmodes_heads_detect_scheme(NULL, 0) == VMODES_HEADS_KMS);

        expect_true(vmodes_heads_resolve(&qxl, "Virtual-2", VMODES_HEADS_KMS, &h) == 0 && h == 2);
        expect_true(vmodes_heads_resolve(&qxl, "Virtual-2", VMODES_HEADS_LEGACY, &h) == 0 && h == 3);
        expect_true(vmodes_heads_resolve(&qxl, "Virtual-0", VMODES_HEADS_LEGACY, &h) == 0 && h == 1);
        expect_true(vmodes_heads_resolve(&qxl, "Virtual-0", VMODES_HEADS_KMS, &h) == -ENOENT);
        expect_true(vmodes_heads_resolve(&qxl, "qxl-3", VMODES_HEADS_KMS, &h) == 0 && h == 4);
        expect_true(vmodes_heads_resolve(&qxl, "qxl-4", VMODES_HEADS_UMS, &h) == -ENOENT);
        expect_true(vmodes_heads_resolve(&qxl, "3", VMODES_HEADS_KMS, &h) == 0 && h == 3);
        expect_true(vmodes_heads_resolve(&qxl, "0", VMODES_HEADS_KMS, &h) == -ENOENT);
        expect_true(vmodes_heads_resolve(&qxl, "card0-Virtual-4", VMODES_HEADS_KMS, &h) == 0 && h == 4);
        expect_true(vmodes_heads_resolve(&qxl, "card1-Virtual-4", VMODES_HEADS_KMS, &h) == -ENOENT);
        expect_true(vmodes_heads_resolve(&qxl, "Virtual-5", VMODES_HEADS_KMS, &h) == -ENOENT);
        expect_true(vmodes_heads_resolve(&qxl, "Virtual-01", VMODES_HEADS_KMS, &h) == -ENOENT);
        expect_true(vmodes_heads_resolve(&qxl, "HDMI-1", VMODES_HEADS_KMS, &h) == -ENOENT);
        expect_true(vmodes_heads_resolve(&qxl, "Virtual 1", VMODES_HEADS_KMS, &h) == -EINVAL);
        expect_true(vmodes_heads_resolve(&qxl, "", VMODES_HEADS_KMS, &h) == -EINVAL);
        expect_true(vmodes_heads_resolve(&qxl, "screen", VMODES_HEADS_KMS, &h) == -EINVAL);

        make_device(&virtio, vmodes_gpu_classify(0x1af4, 0x1050), 2);
        expect_true(vmodes_heads_name(&virtio, 1, VMODES_HEADS_UMS, buf, sizeof(buf)) == -EOPNOTSUPP);
        expect_true(vmodes_heads_resolve(&virtio, "qxl-0", VMODES_HEADS_KMS, &h) == -ENOENT);

        /* no kernel driver: the X server is the only witness of the heads */
        make_device(&bare, vmodes_gpu_classify(0x1b36, 0x0100), 0);
        expect_true(vmodes_heads_count(&bare) == 0);
        expect_true(vmodes_heads_resolve(&bare, "qxl-2", VMODES_HEADS_UMS, &h) == 0 && h == 3);
        expect_true(vmodes_heads_resolve(&bare, "Virtual-0", VMODES_HEADS_LEGACY, &h) == 0 && h == 1);
}

static void test_memory(void)
{
        struct vmodes_device dev;
        struct vmodes_fb_limit l;

        make_device(&dev, vmodes_gpu_classify(0x1b36, 0x0100), 4);
        dev.have_bars = true;
        dev.bars[0].size = 64u << 20;
        dev.surface_area = 16u << 20;
        dev.drm_max_width = dev.drm_max_height = 8192;
        expect_true(vmodes_memory_fb_limit(&dev, &l) == 0 && l.known && l.exact && l.bytes == 16u << 20);
        expect_true(l.common_width == 2560 && l.common_height == 1600);
        expect_true(vmodes_memory_fits(&l, 2560, 1600, 1));
        expect_true(!vmodes_memory_fits(&l, 2560, 1640, 1));
        /* modesetting + kernel qxl: one copy per active head (DESIGN.md) */
        expect_true(vmodes_memory_fits(&l, 1792, 1024, 2));
        expect_true(!vmodes_memory_fits(&l, 3584, 1440, 2));
        expect_true(!vmodes_memory_fits(&l, 9000, 100, 1)); /* driver limit */
        expect_true(!vmodes_memory_fits(&l, 0, 100, 1));

        dev.surface_area = 0; /* ROM unreadable without root */
        expect_true(vmodes_memory_fb_limit(&dev, &l) == 0 && l.known && !l.exact && l.bytes == 32u << 20);

        make_device(&dev, vmodes_gpu_classify(0x1af4, 0x1050), 1);
        expect_true(vmodes_memory_fb_limit(&dev, &l) == 0 && l.known && l.bytes == 0);
        expect_true(vmodes_memory_fits(&l, 7680, 4320, 4));

        make_device(&dev, vmodes_gpu_classify(0x1013, 0x00b8), 1);
        expect_true(vmodes_memory_fb_limit(&dev, &l) == 0 && l.bytes == 4u << 20);
        expect_true(l.common_width == 1280 && l.common_height == 800);

        make_device(&dev, NULL, 0);
        expect_true(vmodes_memory_fb_limit(&dev, &l) == -EOPNOTSUPP);
}

int main(void)
{
        test_classify();
        test_parse_hex();
        test_parse_resource();
        test_heads();
        test_memory();
        return tap_finish();
}
