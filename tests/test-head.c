/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of THE head-name rule (udev/heads.c through agent/common/head.h):
 * which names are head names and what the refusal says, the number at the
 * end of a name (including overflow), the kernel connector name <-> X output
 * name mapping of the qxl DDX, modesetting and the virtio-gpu and bochs
 * connectors, and finding the X output a name means on servers of every
 * naming scheme. Prints one line per named check and "N passed, N failed".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent/common/head.h"
#include "agent/common/macro.h"
#include "agent/core/state.h"
#include "tests/lib/tap.h"
#include "udev/vmodes-udev.h"

/* ---- validation ------------------------------------------------------------- */

static void test_valid(void)
{
        static const char *const good[] = {
                "Virtual-1", "Virtual-0", "DP-1", "DP-1-1", "HDMI-A-1", "eDP-1", "DVI-I-1", "qxl-0", "DUMMY15",
                "screen", "VNC-0", "XWAYLAND0", "card0-Virtual-1", "2", "GPU-0.DP-1", "a_b",
                "abcdefghijklmnopqrstuvwxyz01234", /* 31 bytes */
        };
        static const struct {
                const char *name, *why;
        } bad[] = {
                { "", "empty head name" },
                { "abcdefghijklmnopqrstuvwxyz012345", "head name of 32 bytes is too long (at most 31)" },
                { "Virtual:1",
                  "head name has a character other than letters, digits, '-', '_' and '.' (byte 8, 0x3a)" },
                { "Virtual 1",
                  "head name has a character other than letters, digits, '-', '_' and '.' (byte 8, 0x20)" },
                { "Virt/al", "head name has a character other than letters, digits, '-', '_' and '.' (byte 5, 0x2f)" },
                { "Virtu\xc3\xa9l",
                  "head name has a character other than letters, digits, '-', '_' and '.' (byte 6, 0xc3)" },
                { "Vir\"tual", "head name has a character other than letters, digits, '-', '_' and '.' (byte 4, 0x22)" },
                { "-Virtual-1", "head name starts with '-': the first character must be a letter or a digit" },
                { "_x", "head name starts with '_': the first character must be a letter or a digit" },
                { ".1", "head name starts with '.': the first character must be a letter or a digit" },
        };
        char why[256];

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                check(vmodes_head_name_valid(good[i]) && vmodes_head_name_check(good[i], why, sizeof(why)) == 0,
                      "valid: %s", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                int r = vmodes_head_name_check(bad[i].name, why, sizeof(why));

                check(r == -EINVAL && !strcmp(why, bad[i].why) && !vmodes_head_name_valid(bad[i].name),
                      "invalid #%zu: %s", i, r < 0 ? why : "accepted");
        }
        check(vmodes_head_name_check(NULL, why, sizeof(why)) == -EINVAL && !strcmp(why, "empty head name"),
              "NULL is the empty name");
        check(vmodes_head_name_check("a:b", NULL, 0) == -EINVAL, "no buffer for the reason");
        check(vmodes_head_name_check("a:b", why, 8) == -EINVAL && strlen(why) == 7, "the reason is cut to its buffer");
}

static void test_validate(void)
{
        struct vmodes_error e = { "" };

        check(vmodes_head_validate("Virtual-1", &e) == 0, "validate Virtual-1");
        check(vmodes_head_validate("Virtual:1", &e) == -EINVAL && strstr(e.msg, "(byte 8, 0x3a)"),
              "validate refuses ':' (the kernel's video= separator): %s", e.msg);
        check(vmodes_head_validate("-1", &e) == -EINVAL && strstr(e.msg, "starts with '-'"),
              "validate refuses a leading '-': %s", e.msg);
}

/* ---- the number at the end ----------------------------------------------------- */

static void test_number(void)
{
        static const struct {
                const char *name, *prefix;
                int r;
                unsigned n;
        } cases[] = {
                { "Virtual-1", "Virtual-", 0, 1 },
                { "Virtual-0", "Virtual-", 0, 0 },
                { "Virtual-42", "Virtual-", 0, 42 },
                { "Virtual-1000", "Virtual-", 0, 1000 },
                { "qxl-3", "qxl-", 0, 3 },
                { "7", "", 0, 7 },
                { "0", "", 0, 0 },
                { "Virtual-1001", "Virtual-", -ERANGE, 0 },
                { "Virtual-99999999999", "Virtual-", -ERANGE, 0 },
                { "Virtual-99999999999999999999999999999999", "Virtual-", -ERANGE, 0 },
                { "18446744073709551617", "", -ERANGE, 0 },
                { "Virtual-01", "Virtual-", -EINVAL, 0 },
                { "02", "", -EINVAL, 0 },
                { "Virtual-", "Virtual-", -EINVAL, 0 },
                { "Virtual-1x", "Virtual-", -EINVAL, 0 },
                { "Virtual-+1", "Virtual-", -EINVAL, 0 },
                { "Virtual--1", "Virtual-", -EINVAL, 0 },
                { "Virtual- 1", "Virtual-", -EINVAL, 0 },
                { "Virtual-1", "qxl-", -EINVAL, 0 },
                { "virtual-1", "Virtual-", -EINVAL, 0 },
                { "", "", -EINVAL, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                unsigned n = 12345;
                int r = vmodes_head_name_number(cases[i].name, cases[i].prefix, &n);

                check(r == cases[i].r && (r < 0 ? n == 12345 : n == cases[i].n), "number of '%s' after '%s': %d, %u",
                      cases[i].name, cases[i].prefix, r, n);
        }
}

/* ---- kernel connector name <-> X output name ----------------------------------- */

static void test_mapping(void)
{
        static const struct {
                const char *what, *connector;
                enum vmodes_head_scheme scheme;
                const char *x; /* NULL: -EOPNOTSUPP both ways */
        } cases[] = {
                { "qxl, qxl DDX (KMS)", "Virtual-1", VMODES_HEADS_KMS, "Virtual-1" },
                { "qxl, qxl DDX (UMS)", "Virtual-1", VMODES_HEADS_UMS, "qxl-0" },
                { "qxl, qxl DDX (UMS)", "Virtual-4", VMODES_HEADS_UMS, "qxl-3" },
                { "qxl, older qxl DDX", "Virtual-1", VMODES_HEADS_LEGACY, "Virtual-0" },
                { "qxl, older qxl DDX", "Virtual-4", VMODES_HEADS_LEGACY, "Virtual-3" },
                { "virtio-gpu, modesetting", "Virtual-3", VMODES_HEADS_KMS, "Virtual-3" },
                { "bochs, modesetting", "Virtual-1", VMODES_HEADS_KMS, "Virtual-1" },
                { "cirrus, modesetting", "VGA-1", VMODES_HEADS_KMS, "VGA-1" },
                { "modesetting", "HDMI-A-1", VMODES_HEADS_KMS, "HDMI-1" },
                { "modesetting", "HDMI-A-12", VMODES_HEADS_KMS, "HDMI-12" },
                { "modesetting", "HDMI-B-1", VMODES_HEADS_KMS, "HDMI-B-1" },
                { "modesetting", "Component-2", VMODES_HEADS_KMS, "CTV-2" },
                { "modesetting", "Unknown-1", VMODES_HEADS_KMS, "None-1" },
                { "modesetting", "DP-3", VMODES_HEADS_KMS, "DP-3" },
                { "modesetting", "eDP-1", VMODES_HEADS_KMS, "eDP-1" },
                { "modesetting", "DVI-I-1", VMODES_HEADS_KMS, "DVI-I-1" },
                { "dummy", "DUMMY0", VMODES_HEADS_KMS, "DUMMY0" },
                { "no UMS name", "Virtual-0", VMODES_HEADS_UMS, NULL },
                { "no UMS name", "HDMI-A-1", VMODES_HEADS_UMS, NULL },
                { "no legacy name", "DP-1", VMODES_HEADS_LEGACY, NULL },
                { "no UMS name", "Virtual-99999999999", VMODES_HEADS_UMS, NULL },
        };
        char buf[VMODES_HEAD_NAME_MAX], back[VMODES_HEAD_NAME_MAX];

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int r = vmodes_head_name_to_x(cases[i].connector, cases[i].scheme, buf, sizeof(buf));

                if (!cases[i].x) {
                        check(r == -EOPNOTSUPP, "%s: %s has no X name (%d)", cases[i].what, cases[i].connector, r);
                        continue;
                }
                check(r == 0 && !strcmp(buf, cases[i].x), "%s: connector %s is X output %s (%s)", cases[i].what,
                      cases[i].connector, cases[i].x, r == 0 ? buf : strerror(-r));
                r = vmodes_head_name_from_x(cases[i].x, cases[i].scheme, back, sizeof(back));
                check(r == 0 && !strcmp(back, cases[i].connector), "%s: X output %s is connector %s (%s)",
                      cases[i].what, cases[i].x, cases[i].connector, r == 0 ? back : strerror(-r));
        }
        check(vmodes_head_name_from_x("Virtual-1", VMODES_HEADS_UMS, buf, sizeof(buf)) == -EOPNOTSUPP,
              "Virtual-1 is no X name of the UMS scheme");
        check(vmodes_head_name_from_x("qxl-0", VMODES_HEADS_LEGACY, buf, sizeof(buf)) == -EOPNOTSUPP,
              "qxl-0 is no X name of the legacy scheme");
        check(vmodes_head_name_to_x("Virtual 1", VMODES_HEADS_KMS, buf, sizeof(buf)) == -EINVAL,
              "an invalid name maps to nothing");
        check(vmodes_head_name_from_x("a:b", VMODES_HEADS_KMS, buf, sizeof(buf)) == -EINVAL,
              "an invalid X name maps to nothing");
        check(vmodes_head_name_to_x("HDMI-A-1", VMODES_HEADS_KMS, buf, 6) == -ENOBUFS, "-ENOBUFS for a short buffer");
        check(vmodes_head_name_to_x("Virtual-1", (enum vmodes_head_scheme)7, buf, sizeof(buf)) == -EINVAL,
              "an unknown scheme");
        for (unsigned n = 1; n <= 16; n++)
                for (int s = VMODES_HEADS_KMS; s <= VMODES_HEADS_LEGACY; s++) {
                        char c[VMODES_HEAD_NAME_MAX];

                        snprintf(c, sizeof(c), "Virtual-%u", n);
                        expect(vmodes_head_name_to_x(c, (enum vmodes_head_scheme)s, buf, sizeof(buf)) == 0 &&
                               vmodes_head_name_from_x(buf, (enum vmodes_head_scheme)s, back, sizeof(back)) == 0 &&
                               !strcmp(back, c), "round trip of %s in scheme %d: %s", c, s, back);
                }
}

static void test_detect(void)
{
        const char *kms[] = { "Virtual-1", "Virtual-2" }, *ums[] = { "qxl-0", "qxl-1" };
        const char *legacy[] = { "Virtual-0", "Virtual-1" }, *dummy[] = { "DUMMY0", NULL };

        check(vmodes_heads_detect_scheme(kms, 2) == VMODES_HEADS_KMS, "detect KMS");
        check(vmodes_heads_detect_scheme(ums, 2) == VMODES_HEADS_UMS, "detect UMS");
        check(vmodes_heads_detect_scheme(legacy, 2) == VMODES_HEADS_LEGACY, "detect legacy");
        check(vmodes_heads_detect_scheme(dummy, 2) == VMODES_HEADS_KMS, "other names are KMS");
}

/* ---- the X output a name means --------------------------------------------------- */

static void test_find_output(void)
{
        static const struct {
                const char *outputs[4];
                const char *ask;
                int want; /* index, or -errno */
        } cases[] = {
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "Virtual-2", 1 },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "2", 1 },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "qxl-3", 3 },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "qxl-4", -ENOENT },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "Virtual-99999999999", -ENOENT },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "99999999999", -ENOENT },
                { { "Virtual-1", "Virtual-2", "Virtual-3", "Virtual-4" }, "Virtual:2", -EINVAL },
                { { "qxl-0", "qxl-1", "qxl-2", "qxl-3" }, "Virtual-4", 3 },
                { { "qxl-0", "qxl-1", "qxl-2", "qxl-3" }, "1", 0 },
                { { "qxl-0", "qxl-1", "qxl-2", "qxl-3" }, "qxl-7", -ENOENT },
                { { "Virtual-0", "Virtual-1", "Virtual-2", "Virtual-3" }, "qxl-0", 0 },
                { { "Virtual-0", "Virtual-1", "Virtual-2", "Virtual-3" }, "4", 3 },
                { { "Virtual-0", "Virtual-1", "Virtual-2", "Virtual-3" }, "Virtual-4", -ENOENT },
                { { "HDMI-1", "DP-1", "eDP-1" }, "HDMI-A-1", 0 },
                { { "HDMI-1", "DP-1", "eDP-1" }, "DP-1", 1 },
                { { "HDMI-1", "DP-1", "eDP-1" }, "3", 2 },
                { { "HDMI-1", "DP-1", "eDP-1" }, "HDMI-A-2", -ENOENT },
                { { "DUMMY0", "DUMMY1" }, "2", 1 },
                { { "DUMMY0", "DUMMY1" }, "Virtual-1", -ENOENT },
                { { "screen" }, "1", 0 },
                { { "screen" }, "", -EINVAL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                size_t n = 0;
                int r;

                while (n < 4 && cases[i].outputs[n])
                        n++;
                r = vmodes_head_find_output(cases[i].outputs, n, cases[i].ask);
                check(r == cases[i].want, "%s among %s...: %d", cases[i].ask, cases[i].outputs[0], r);
        }
}

/* ---- names of a device's heads ------------------------------------------------- */

static struct vmodes_connector conns[4];
static char *names[] = { "Virtual-1", "Virtual-2", "HDMI-A-1", "Component-1" };
static char *sysnames[] = { "card0-Virtual-1", "card0-Virtual-2", "card0-HDMI-A-1", "card0-Component-1" };

static void make_device(struct vmodes_device *dev, uint16_t vendor, uint16_t device, size_t n)
{
        memset(dev, 0, sizeof(*dev));
        dev->type = vmodes_gpu_classify(vendor, device);
        dev->card = "card0";
        dev->connectors = conns;
        dev->n_connectors = n;
        for (size_t i = 0; i < n; i++) {
                memset(&conns[i], 0, sizeof(conns[i]));
                conns[i].name = names[i];
                conns[i].sysname = sysnames[i];
                conns[i].head = (unsigned)i + 1;
        }
}

static void test_device(void)
{
        struct vmodes_device dev;
        char buf[VMODES_HEAD_NAME_MAX];
        unsigned h = 0;

        make_device(&dev, 0x1af4, 0x1050, 2); /* virtio-gpu */
        check(vmodes_heads_name(&dev, 2, VMODES_HEADS_KMS, buf, sizeof(buf)) == 0 && !strcmp(buf, "Virtual-2"),
              "virtio-gpu head 2 is Virtual-2");
        check(vmodes_heads_name(&dev, 1, VMODES_HEADS_UMS, buf, sizeof(buf)) == -EOPNOTSUPP,
              "virtio-gpu has no UMS names");
        check(vmodes_heads_resolve(&dev, "Virtual-99999999999", VMODES_HEADS_KMS, &h) == -ENOENT,
              "an overflowing number is no head");
        check(vmodes_heads_resolve(&dev, "99999999999", VMODES_HEADS_KMS, &h) == -ENOENT, "nor as a bare number");
        check(vmodes_heads_resolve(&dev, "Virtual:2", VMODES_HEADS_KMS, &h) == -EINVAL, "':' is not a head name");
        check(vmodes_heads_resolve(&dev, "Virtual-2", VMODES_HEADS_LEGACY, &h) == 0 && h == 2,
              "the legacy scheme is qxl's only");

        make_device(&dev, 0x1234, 0x1111, 1); /* bochs */
        check(vmodes_heads_name(&dev, 1, VMODES_HEADS_KMS, buf, sizeof(buf)) == 0 && !strcmp(buf, "Virtual-1"),
              "bochs head 1 is Virtual-1");

        /* a device with connectors modesetting names differently */
        make_device(&dev, 0x1af4, 0x1050, 4);
        check(vmodes_heads_name(&dev, 3, VMODES_HEADS_KMS, buf, sizeof(buf)) == 0 && !strcmp(buf, "HDMI-1"),
              "connector HDMI-A-1 is X output HDMI-1");
        check(vmodes_heads_resolve(&dev, "HDMI-1", VMODES_HEADS_KMS, &h) == 0 && h == 3, "HDMI-1 resolves to head 3");
        check(vmodes_heads_resolve(&dev, "HDMI-A-1", VMODES_HEADS_KMS, &h) == 0 && h == 3,
              "HDMI-A-1 resolves to head 3");
        check(vmodes_heads_resolve(&dev, "CTV-1", VMODES_HEADS_KMS, &h) == 0 && h == 4, "CTV-1 resolves to head 4");

        make_device(&dev, 0x1b36, 0x0100, 2); /* qxl */
        check(vmodes_heads_name(&dev, 2, VMODES_HEADS_UMS, buf, sizeof(buf)) == 0 && !strcmp(buf, "qxl-1"),
              "qxl head 2 is qxl-1 under UMS");
        check(vmodes_heads_name(&dev, 2, VMODES_HEADS_LEGACY, buf, sizeof(buf)) == 0 && !strcmp(buf, "Virtual-1"),
              "qxl head 2 is Virtual-1 under the older qxl DDX");
        check(vmodes_heads_resolve(&dev, "qxl-1", VMODES_HEADS_KMS, &h) == 0 && h == 2, "qxl-1 resolves to head 2");
}

int main(void)
{
        test_valid();
        test_validate();
        test_number();
        test_mapping();
        test_detect();
        test_find_output();
        test_device();
        return tap_finish();
}
