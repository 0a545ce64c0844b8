/* SPDX-License-Identifier: MIT */
/*
 * GDM's monitors.xml as vmodesd writes it (agent/core/monitorsxml.c):
 * connectors built by hand as the kernel lists them for qxl, configs parsed
 * from vmodes.conf text. Checked: mutter's monitor names from an EDID (and
 * "unknown" without one); the layout, primary and exact kernel rates in the
 * file; a stored mode the kernel does not list refused with the list; a
 * head turned off under <disabled>; no file when no connected head is
 * configured; XML escaping.
 *
 * With `--format CONFIG` it prints the file for the connectors described on
 * stdin instead ("connector NAME VENDOR PRODUCT SERIAL", then "mode W H HZ
 * [preferred]" lines): tests/test-gnome-mutter.py gives that file to a real
 * mutter.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/core/monitorsxml.h"
#include "tests/lib/tap.h"

static struct vmodes_kms_connector conn[4];

static void die(const char *what, const char *msg)
{
        fprintf(stderr, "test setup: %s: %s\n", what, msg);
        exit(99);
}

static void config(struct vmodes_config *c, const char *text)
{
        struct vmodes_error e;

        if (vmodes_config_parse(text, "test.conf", c, &e) < 0)
                die("config", e.msg);
}

static void add_mode(struct vmodes_kms_connector *k, unsigned w, unsigned h, double hz, bool preferred)
{
        k->modes[k->n_modes++] = (struct vmodes_kms_mode){ w, h, hz, false, preferred };
}

/* n qxl heads, all connected: the host's preferred size first, then some
 * of the driver's list with the rates the kernel's timings give */
static void qxl(unsigned n)
{
        memset(conn, 0, sizeof(conn));
        for (unsigned i = 0; i < n; i++) {
                struct vmodes_kms_connector *k = &conn[i];
                snprintf(k->name, sizeof(k->name), "Virtual-%u", i + 1);
                vmodes_monitorsxml_spec_from_edid(NULL, 0, k);
                k->connected = true;
                add_mode(k, 1024, 768, 59.920224, true);
                add_mode(k, 1920, 1080, 60.000, false);
                add_mode(k, 1280, 800, 59.810326, false);
                add_mode(k, 1280, 720, 59.855, false);
        }
}

static char *format(const char *text, int *r, struct vmodes_error *e)
{
        struct vmodes_config *c = calloc(1, sizeof(*c));
        char *out = NULL;

        if (!c)
                die("config", "out of memory");
        config(c, text);
        *r = vmodes_monitorsxml_format(c, conn, 4, &out, e);
        free(c);
        return out;
}

static void test_edid(void)
{
        uint8_t edid[128] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
        struct vmodes_kms_connector k;

        vmodes_monitorsxml_spec_from_edid(NULL, 0, &k);
        check(!strcmp(k.vendor, "unknown") && !strcmp(k.product, "unknown") && !strcmp(k.serial, "unknown"),
              "no EDID: unknown, unknown, unknown (%s, %s, %s)", k.vendor, k.product, k.serial);
        /* QEMU's: PNP id RHT, product code 0x1234, a name descriptor */
        edid[8] = ('R' - '@') << 2 | ('H' - '@') >> 3;
        edid[9] = (('H' - '@') & 7) << 5 | ('T' - '@');
        edid[10] = 0x34;
        edid[11] = 0x12;
        memcpy(edid + 54 + 18, "\0\0\0\xfc\0QEMU Monitor\n", 18);
        vmodes_monitorsxml_spec_from_edid(edid, sizeof(edid), &k);
        check(!strcmp(k.vendor, "RHT") && !strcmp(k.product, "QEMU Monitor") && !strcmp(k.serial, "0x00000000"),
              "EDID: the PNP id, the name descriptor, the serial number (%s, %s, %s)", k.vendor, k.product,
              k.serial);
        memset(edid + 54 + 18, 0, 18);
        memcpy(edid + 54 + 36, "\0\0\0\xff\0ABC123\n     ", 18);
        edid[12] = 0x78;
        edid[13] = 0x56;
        vmodes_monitorsxml_spec_from_edid(edid, sizeof(edid), &k);
        check(!strcmp(k.product, "0x1234") && !strcmp(k.serial, "ABC123"),
              "EDID without a name: the product code; a serial descriptor (%s, %s)", k.product, k.serial);
        edid[0] = 1;
        vmodes_monitorsxml_spec_from_edid(edid, sizeof(edid), &k);
        check(!strcmp(k.vendor, "unknown"), "a broken EDID header: unknown (%s)", k.vendor);
}

static void test_layout(void)
{
        struct vmodes_error e = { "" };
        char *x;
        int r;

        qxl(2);
        x = format("[head Virtual-1]\nmode = 1280x800@60\n[head Virtual-2]\nmode = 1920x1080@60\n"
                   "position = left-of Virtual-1\nprimary = true\n",
                   &r, &e);
        check(r == 0 && x, "two heads: a file (%d %s)", r, e.msg);
        check(x && strstr(x, VMODES_MONITORSXML_MARKER), "the file has the marker");
        check(x && vmodes_monitorsxml_is_ours(x) && !vmodes_monitorsxml_is_ours("<monitors version=\"2\"/>"),
              "is_ours tells the files apart");
        check(x && strstr(x, "<x>1920</x>\n      <y>0</y>\n      <scale>1</scale>\n      <monitor>\n"
                             "        <monitorspec>\n          <connector>Virtual-1</connector>\n"
                             "          <vendor>unknown</vendor>\n          <product>unknown</product>\n"
                             "          <serial>unknown</serial>\n"),
              "Virtual-1 right of Virtual-2, not primary, mutter's names");
        check(x && strstr(x, "<width>1280</width>\n          <height>800</height>\n          <rate>59.810326</rate>"),
              "Virtual-1: CVT's 1280x800@60 is the kernel's 1280x800 at its exact rate");
        check(x && strstr(x, "<x>0</x>\n      <y>0</y>\n      <scale>1</scale>\n      <primary>yes</primary>\n"
                             "      <monitor>\n        <monitorspec>\n          <connector>Virtual-2</connector>"),
              "Virtual-2 at 0,0, primary");
        check(x && !strstr(x, "<disabled>"), "nothing disabled");
        free(x);

        /* one head off, the other the primary */
        x = format("[head Virtual-1]\nmode = 1024x768@60\n[head Virtual-2]\nenabled = false\n", &r, &e);
        check(r == 0 && x && strstr(x, "<disabled>\n      <monitorspec>\n        <connector>Virtual-2</connector>") &&
                      strstr(x, "<primary>yes</primary>") && strstr(x, "<rate>59.920224</rate>"),
              "a head off: under <disabled>; the other primary (%d %s)", r, e.msg);
        free(x);
}

static void test_refused(void)
{
        struct vmodes_error e = { "" };
        char *x;
        int r;

        qxl(1);
        x = format("[head Virtual-1]\nmode = 2560x1440@44\n", &r, &e);
        check(r == -ENOTSUP && !x, "a mode the kernel does not list: -ENOTSUP, no file (%d)", r);
        check(strstr(e.msg, "Virtual-1: the kernel lists no 2560x1440 mode at 43.99 Hz") &&
                      strstr(e.msg, "1024x768@59.920") && strstr(e.msg, "kernel-cmdline"),
              "the message names the head, the mode, the list and the way: %s", e.msg);
        /* 1280x720 at 50 Hz: the size is listed, the rate is not */
        x = format("[head Virtual-1]\nmode = 1280x720@50\n", &r, &e);
        check(r == -ENOTSUP && !x, "a listed size at another rate: refused (%d %s)", r, e.msg);
}

static void test_nothing(void)
{
        struct vmodes_error e = { "" };
        char *x;
        int r;

        qxl(1);
        x = format("[head Virtual-3]\nmode = 1920x1080@60\n", &r, &e);
        check(r == 0 && !x, "only heads that are not connected: no file (%d)", r);
        x = format("", &r, &e);
        check(r == 0 && !x, "an empty configuration: no file (%d)", r);
        /* a relation to a head that is not connected becomes auto */
        x = format("[head Virtual-1]\nmode = 1920x1080@60\nposition = right-of Virtual-2\n", &r, &e);
        check(r == 0 && x && strstr(x, "<x>0</x>") && strstr(x, "<width>1920</width>"),
              "right of a head that is not connected: at 0,0 (%d %s)", r, e.msg);
        free(x);
}

static void test_escaping(void)
{
        struct vmodes_error e = { "" };
        char *x;
        int r;

        qxl(1);
        snprintf(conn[0].product, sizeof(conn[0].product), "A&B <C>");
        x = format("[head Virtual-1]\nmode = 1920x1080@60\n", &r, &e);
        check(r == 0 && x && strstr(x, "<product>A&amp;B &lt;C&gt;</product>"), "XML escaping of the names");
        free(x);
}

/* --format CONFIG: the file for the connectors on stdin. */
static int format_main(const char *path)
{
        struct vmodes_config *c = calloc(1, sizeof(*c));
        struct vmodes_kms_connector *k = NULL;
        struct vmodes_error e = { "" };
        unsigned n = 0, w, h;
        char line[512], *x = NULL;
        double hz;
        int r;

        if (!c || vmodes_config_load(path, c, &e) < 0) {
                fprintf(stderr, "%s\n", e.msg);
                return 2;
        }
        memset(conn, 0, sizeof(conn));
        while (fgets(line, sizeof(line), stdin)) {
                char pref[16] = "";
                if (!strncmp(line, "connector ", 10) && n < 4) {
                        k = &conn[n++];
                        k->connected = true;
                        if (sscanf(line + 10, "%31s %63s %63s %63s", k->name, k->vendor, k->product, k->serial) != 4)
                                die("stdin", line);
                } else if (k && sscanf(line, "mode %u %u %lf %15s", &w, &h, &hz, pref) >= 3 &&
                           k->n_modes < VMODES_MONITORSXML_MODES_MAX)
                        add_mode(k, w, h, hz, !strcmp(pref, "preferred"));
        }
        r = vmodes_monitorsxml_format(c, conn, n, &x, &e);
        free(c);
        if (r < 0) {
                fprintf(stderr, "%s\n", e.msg);
                return 1;
        }
        fputs(x ? x : "", stdout);
        free(x);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc == 3 && !strcmp(argv[1], "--format"))
                return format_main(argv[2]);
        test_edid();
        test_layout();
        test_refused();
        test_nothing();
        test_escaping();
        return tap_finish();
}
