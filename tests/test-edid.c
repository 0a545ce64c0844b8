/* SPDX-License-Identifier: MIT */
/*
 * vmodes_edid_build() (modes/edid.c), the EDID blobs for drm.edid_firmware=.
 *
 * Blobs of 1, 3, 4, 9 and 21 modes (CVT, CVT RB v1/v2, GTF, DMT and a
 * modeline without polarity flags) go through edid-decode --check (the
 * oracle, 0.1~git20220315 in Debian 12): no failure, and every DTD it
 * reports has exactly our timings, polarities and clock, in our order, the
 * first one preferred; the name descriptor shows our name. The bytes we
 * promise are checked here too (header, PNP id, block count, checksums).
 * Each refusal is checked for its errno, a one-line message naming the
 * value and the limit, *len 0 and the buffer untouched.
 *
 * Without edid-decode the checks that need it are left out and, when all
 * others pass, the test exits 77 (skipped).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "modes/modes.h"
#include "tests/lib/tap.h"

#define FILL 0xa5 /* what the output buffer holds before a call */
#define OUT_SIZE (VMODES_EDID_SIZE_MAX + 64)

/* CVT standard and RB v1 and v2, GTF, DMT, clocks in whole 10 kHz, and
 * modelines: one without polarity flags (negative in a DTD), "wide" with
 * every field past its low 8 or 4 bits, "edge" with every field at its
 * largest (4095 is also the widest mode a DTD holds). The 1-, 3-, 4- and
 * 9-mode blobs take the first ones. */
static const char *const all_modes[VMODES_EDID_MODES_MAX] = {
        "2560x1440@44",   "1920x1080R@60",  "1600x900@44",
        "1280x800@60",    "1366x768G@60",   "1024x768D@75",  "1920x1080R2@60", "1280x720@60",
        "Modeline \"wide\" 100.00 1024 1324 1624 2000 768 788 808 1100 +hsync -vsync",
        "Modeline \"nopol\" 65.00 1024 1048 1184 1344 768 771 777 806",
        "1920x1200G@50",  "1280x1024D@60",  "1440x900@60",    "1680x1050@60",  "1920x1080D@60",
        "1920x1080@60",   "2560x1600R@60",  "3840x2160R@30",  "800x600D@60",   "4095x2160R@30",
        "Modeline \"edge\" 655.35 1024 2047 3070 5119 768 831 894 4863 -hsync +vsync",
};

static char tmpdir[256];
static bool have_oracle;

static void die(const char *what, const char *msg)
{
        fprintf(stderr, "test setup: %s: %s\n", what, msg);
        exit(99);
}

/* A spec ("1920x1080R@60") or a modeline. */
static void make_mode(const char *text, struct vmodes_mode *m)
{
        struct vmodes_error e = { "" };
        struct vmodes_spec s;

        if (!strncmp(text, "Modeline", 8)) {
                if (vmodes_modeline_parse(text, m, &e) < 0)
                        die(text, e.msg);
        } else if (vmodes_spec_parse(text, &s, &e) < 0 || vmodes_spec_to_mode(&s, m, &e) < 0)
                die(text, e.msg);
}

static size_t extensions_for(size_t n)
{
        return n <= 3 ? 0 : (n - 3 + 5) / 6;
}

/* ---- what edid-decode says ------------------------------------------------- */

struct dtd {
        unsigned number, w, h, hsync, vsync;
        int hfront, hback, vfront, vback;
        char hpol, vpol;
        long khz;
};

struct report {
        bool pass;
        unsigned failures, warnings;
        char first_failure[256];
        char name[32];
        struct dtd dtd[VMODES_EDID_MODES_MAX + 1];
        size_t n_dtd;
        struct dtd preferred[2]; /* "if only Block 0 is parsed", "if ... CTA-861 Blocks are parsed" */
        size_t n_preferred;
        char common[256]; /* "640x480@60 ..." of the established and standard timings */
};

/* "DTD 4:  1280x800    59.810326 Hz   8:5     49.702 kHz     83.500000 MHz",
 * then its "Hfront ..." and "Vfront ..." lines. */
static bool parse_dtd(FILE *f, const char *line, struct dtd *d)
{
        char h[256], v[256];
        double mhz;

        if (sscanf(line, " DTD %u: %ux%u %*s Hz %*s %*s kHz %lf MHz", &d->number, &d->w, &d->h, &mhz) != 4)
                return false;
        d->khz = lround(mhz * 1000.0);
        return fgets(h, sizeof(h), f) && fgets(v, sizeof(v), f) &&
               sscanf(h, " Hfront %d Hsync %u Hback %d Hpol %c", &d->hfront, &d->hsync, &d->hback, &d->hpol) == 4 &&
               sscanf(v, " Vfront %d Vsync %u Vback %d Vpol %c", &d->vfront, &d->vsync, &d->vback, &d->vpol) == 4;
}

static void parse_line(FILE *f, const char *line, char *section, struct report *rep)
{
        const char *p = line + strspn(line, " ");
        struct dtd d = { 0 };

        if (!strncmp(line, "----------------", 16))
                *section = 0;
        else if (!strncmp(line, "Preferred Video Timing", 22))
                *section = 'P';
        else if (!strncmp(line, "Warnings:", 9))
                *section = 'W';
        else if (!strncmp(line, "Failures:", 9))
                *section = 'F';
        else if (!strncmp(p, "Established Timings", 19) || !strncmp(p, "Standard Timings", 16))
                *section = 'T';
        else if (*section == 'T' && strncmp(line, "    ", 4))
                *section = 0; /* the next item of the base block */
        else if (*section == 'T' && !strncmp(p, "DMT 0x", 6)) {
                unsigned w, h, id;
                double hz;
                size_t used = strlen(rep->common);

                if (sscanf(p, "DMT 0x%x: %ux%u %lf Hz", &id, &w, &h, &hz) == 4)
                        snprintf(rep->common + used, sizeof(rep->common) - used, "%s%ux%u@%ld", used ? " " : "", w,
                                 h, lround(hz));
        } else if (!strncmp(line, "EDID conformity: PASS", 21))
                rep->pass = true;
        else if (!strncmp(p, "Display Product Name: '", 23))
                snprintf(rep->name, sizeof(rep->name), "%.*s", (int)strcspn(p + 23, "'"), p + 23);
        else if (!strncmp(p, "DTD", 3)) {
                if (!parse_dtd(f, line, &d))
                        d.number = 0; /* matches no mode */
                if (*section == 'P' && rep->n_preferred < 2)
                        rep->preferred[rep->n_preferred++] = d;
                else if (*section != 'P' && rep->n_dtd < VMODES_EDID_MODES_MAX + 1)
                        rep->dtd[rep->n_dtd++] = d;
        } else if ((*section == 'W' || *section == 'F') && line[0] == ' ') {
                /* an item under "Block N, ...:" */
                if (*section == 'W') {
                        rep->warnings++;
                        printf("# edid-decode warning:%s", line + 1);
                } else if (rep->failures++ == 0)
                        snprintf(rep->first_failure, sizeof(rep->first_failure), "%.*s", (int)strcspn(p, "\n"), p);
        }
}

/* edid-decode --check --preferred-timings on the blob; false if it did not run. */
static bool decode(const uint8_t *blob, size_t len, struct report *rep)
{
        char path[300], cmd[400], line[512], section = 0;
        FILE *f;
        int status;

        memset(rep, 0, sizeof(*rep));
        snprintf(path, sizeof(path), "%s/edid.bin", tmpdir);
        f = fopen(path, "wb");
        if (!f || fwrite(blob, 1, len, f) != len || fclose(f) != 0)
                die(path, strerror(errno));
        snprintf(cmd, sizeof(cmd), "edid-decode --check --preferred-timings '%s' 2>&1", path);
        f = popen(cmd, "r");
        if (!f)
                die("popen", strerror(errno));
        while (fgets(line, sizeof(line), f))
                parse_line(f, line, &section, rep);
        status = pclose(f);
        unlink(path);
        return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) != 127;
}

/* The established and standard timings, as edid-decode names them. */
#define COMMON                                                                                                   \
        "640x480@60 800x600@60 1024x768@60 1920x1200@60 1920x1080@60 1680x1050@60 1600x900@60 1440x900@60 "    \
        "1280x1024@60 1280x800@60 1280x720@60"

static bool dtd_is(const struct dtd *d, const struct vmodes_mode *m)
{
        return d->w == m->hdisplay && d->h == m->vdisplay && d->w + d->hfront == m->hsync_start &&
               d->w + d->hfront + d->hsync == m->hsync_end &&
               d->w + d->hfront + d->hsync + d->hback == m->htotal && d->h + d->vfront == m->vsync_start &&
               d->h + d->vfront + d->vsync == m->vsync_end &&
               d->h + d->vfront + d->vsync + d->vback == m->vtotal &&
               d->hpol == (m->flags & VMODES_FLAG_PHSYNC ? 'P' : 'N') &&
               d->vpol == (m->flags & VMODES_FLAG_PVSYNC ? 'P' : 'N') &&
               d->khz * 1000 == (long)m->clock_hz;
}

/* ---- good blobs ------------------------------------------------------------ */

/* The bytes the header comment promises, and the checksums. */
static void check_bytes(const uint8_t *b, size_t len, size_t n, const char *name)
{
        static const uint8_t header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };
        size_t ext = extensions_for(n);
        bool sums = true;

        expect(len == 128 * (1 + ext), "%zu modes: %zu bytes", n, len);
        for (size_t k = 0; k < len / 128; k++) {
                uint8_t sum = 0;
                for (size_t i = 0; i < 128; i++)
                        sum += b[128 * k + i];
                sums = sums && sum == 0;
                if (k > 0)
                        expect(b[128 * k] == 0x02 && b[128 * k + 1] == 3, "%zu modes: block %zu is no CTA-861 rev 3",
                               n, k);
        }
        expect(sums, "%zu modes: a block's bytes do not add up to 0 mod 256", n);
        expect(!memcmp(b, header, 8) && b[8] == 0x59 && b[9] == 0xa4 && b[18] == 1 && b[19] == 4,
               "%zu modes: header, PNP id VMD or version 1.4 wrong", n);
        expect(b[126] == ext, "%zu modes: %u extension blocks, want %zu", n, b[126], ext);
        expect(b[54 + 3 * 18 + 3] == 0xfc && !memcmp(b + 54 + 3 * 18 + 5, name, strlen(name)),
               "%zu modes: no name descriptor with '%s' in slot 4", n, name);
        for (size_t i = n; i < 3; i++)
                expect(b[54 + i * 18 + 3] == 0x10, "%zu modes: descriptor slot %zu is no dummy", n, i + 1);
        for (size_t i = len; i < OUT_SIZE; i++)
                if (b[i] != FILL) {
                        expect(false, "%zu modes: byte %zu past the blob written", n, i);
                        break;
                }
}

static void check_report(const struct report *rep, const struct vmodes_mode *m, size_t n, const char *name)
{
        bool same = rep->n_dtd == n, preferred;
        size_t sections = extensions_for(n) ? 2 : 1;

        check(rep->pass && rep->failures == 0, "%zu modes: edid-decode --check passes (%u failures%s%s)", n,
              rep->failures, rep->failures ? ", first: " : "", rep->first_failure);
        for (size_t i = 0; i < rep->n_dtd && i < n; i++) {
                bool ok = rep->dtd[i].number == i + 1 && dtd_is(&rep->dtd[i], &m[i]);
                expect(ok, "%zu modes: edid-decode's DTD %zu (%ux%u, %ld kHz) is not mode %zu, %s", n, i + 1,
                       rep->dtd[i].w, rep->dtd[i].h, rep->dtd[i].khz, i + 1, m[i].name);
                same = same && ok;
        }
        check(same, "%zu modes: edid-decode reports %zu DTDs, each with our timings, polarities and clock", n,
              rep->n_dtd);
        /* one preferred timing for the base block, one more with the CTA-861 blocks */
        preferred = rep->n_preferred == sections;
        for (size_t i = 0; i < rep->n_preferred; i++)
                preferred = preferred && dtd_is(&rep->preferred[i], &m[0]);
        check(preferred, "%zu modes: the preferred timing (%zu of %zu reports) is the first mode, %s", n,
              rep->n_preferred, sections, m[0].name);
        check(!strcmp(rep->name, name), "%zu modes: display product name '%s', want '%s'", n, rep->name, name);
        check(!strcmp(rep->common, COMMON), "%zu modes: the common sizes as established and standard timings: '%s'",
              n, rep->common);
}

static void test_good(size_t n, const char *name)
{
        struct vmodes_mode m[VMODES_EDID_MODES_MAX];
        struct vmodes_error err = { "" };
        const char *shown = name && *name ? name : "vmodes";
        uint8_t out[OUT_SIZE];
        struct report rep;
        size_t len = 0;
        int r;

        for (size_t i = 0; i < n; i++)
                make_mode(all_modes[i], &m[i]);
        memset(out, FILL, sizeof(out));
        r = vmodes_edid_build(m, n, name, out, VMODES_EDID_SIZE_MAX, &len, &err);
        check(r == 0, "%zu modes named '%s': built (%s)", n, name ? name : "(null)", err.msg);
        if (r < 0)
                return;
        check_bytes(out, len, n, shown);
        if (!have_oracle)
                return;
        if (!decode(out, len, &rep)) {
                check(false, "%zu modes: edid-decode did not run", n);
                return;
        }
        check_report(&rep, m, n, shown);
}

/* ---- refusals ---------------------------------------------------------------- */

struct bad {
        const char *what;
        const char *mode;  /* after count - 1 good ones; NULL: good ones only */
        size_t count;
        const char *name;
        size_t size;       /* 0: VMODES_EDID_SIZE_MAX */
        int r;
        const char *want[2]; /* in the message */
};

static void test_bad(const struct bad *t)
{
        struct vmodes_mode m[VMODES_EDID_MODES_MAX + 1];
        struct vmodes_error err = { "" };
        uint8_t out[OUT_SIZE];
        size_t len = 12345;
        bool untouched = true, named = true;
        int r;

        for (size_t i = 0; i < t->count; i++)
                make_mode(i + 1 == t->count && t->mode ? t->mode : all_modes[i % VMODES_EDID_MODES_MAX], &m[i]);
        memset(out, FILL, sizeof(out));
        r = vmodes_edid_build(m, t->count, t->name, out, t->size ? t->size : VMODES_EDID_SIZE_MAX, &len, &err);
        for (size_t i = 0; i < sizeof(out); i++)
                untouched = untouched && out[i] == FILL;
        for (size_t i = 0; i < 2; i++)
                named = named && (!t->want[i] || strstr(err.msg, t->want[i]));
        check(r == t->r && len == 0 && untouched && named && err.msg[0] && !strchr(err.msg, '\n'),
              "%s: %s (r %d, want %d; len %zu; buffer %s)", t->what, err.msg, r, t->r, len,
              untouched ? "untouched" : "WRITTEN");
}

/* vmodes_edid_check_mode() says of one mode what vmodes_edid_build() says of it. */
static void test_check_mode(const struct bad *t)
{
        struct vmodes_mode m;
        struct vmodes_error built = { "" }, checked = { "" };
        uint8_t out[OUT_SIZE];
        int rb, rc;

        make_mode(t->mode, &m);
        rb = vmodes_edid_build(&m, 1, NULL, out, sizeof(out), NULL, &built);
        rc = vmodes_edid_check_mode(&m, &checked);
        check(rc == rb && !strcmp(built.msg, checked.msg), "%s alone: check %d '%s', build %d '%s'", t->what, rc,
              checked.msg, rb, built.msg);
}

static void test_refusals(void)
{
        static const struct bad t[] = {
                { "no mode", NULL, 0, NULL, 0, -EINVAL, { "0 modes", "1 to 21" } },
                { "22 modes", NULL, 22, NULL, 0, -EINVAL, { "22 modes", "1 to 21" } },
                { "clock not in 10 kHz, after 4 good modes",
                  "Modeline \"odd\" 100.005 1280 1328 1360 1440 800 803 809 823 +hsync -vsync", 5, NULL, 0,
                  -ERANGE, { "odd: pixel clock 100.005 MHz", "0.01 to 655.35 MHz" } },
                { "DMT 640x480@60 (25.175 MHz)", "640x480D@60", 1, NULL, 0, -ERANGE, { "25.175 MHz", "0.01 MHz" } },
                { "clock above 655.35 MHz", "3840x2160@60", 9, NULL, 0, -ERANGE, { "712.75 MHz", "655.35 MHz" } },
                { "8K: the clock first", "7680x4320@60", 1, NULL, 0, -ERANGE, { "7680x4320", "655.35 MHz" } },
                { "width 4096", "4096x2160@30", 1, NULL, 0, -ERANGE, { "width 4096", "(64 to 4095)" } },
                { "height 4096", "1280x4096R@30", 1, NULL, 0, -ERANGE, { "height 4096", "(64 to 4095)" } },
                { "height 48, which Linux ignores",
                  "Modeline \"tiny\" 10.00 640 656 720 800 48 50 52 60 -hsync +vsync", 1, NULL, 0, -ERANGE,
                  { "height 48", "(64 to 4095)" } },
                { "zero hsync width", "Modeline \"nosync\" 65.00 1024 1048 1048 1344 768 771 777 806 -hsync -vsync",
                  1, NULL, 0, -ERANGE, { "horizontal sync width 0", "(1 to 1023)" } },
                { "vsync offset 72", "Modeline \"vso\" 65.00 1024 1048 1184 1344 768 840 846 900 -hsync -vsync", 1,
                  NULL, 0, -ERANGE, { "vertical sync offset 72", "(0 to 63)" } },
                { "interlaced", "1920x1080@60i", 2, NULL, 0, -EINVAL, { "1920x1080", "is interlaced" } },
                { "doublescan", "Modeline \"dbl\" 25.20 320 336 384 400 240 245 247 263 doublescan -hsync -vsync",
                  1, NULL, 0, -EINVAL, { "dbl is doublescan", "progressive" } },
                { "name with a control byte", NULL, 1, "bad\x01name", 0, -EINVAL, { "bad\\x01name", "0x20 to 0x7e" } },
                { "name not ASCII", NULL, 1, "caf\xc3\xa9", 0, -EINVAL, { "0xc3", "0x20 to 0x7e" } },
                { "name of 14 bytes", NULL, 1, "ABCDEFGHIJKLMN", 0, -EINVAL, { "14 bytes", "the 13" } },
                { "buffer of 127 bytes", NULL, 1, NULL, 127, -ENOSPC, { "128 bytes", "127" } },
                { "4 modes in 255 bytes", NULL, 4, NULL, 255, -ENOSPC, { "256 bytes", "255" } },
                { "21 modes in 511 bytes", NULL, 21, NULL, 511, -ENOSPC, { "512 bytes", "511" } },
        };

        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                test_bad(&t[i]);
                if (t[i].mode)
                        test_check_mode(&t[i]);
        }
        for (size_t i = 0; i < VMODES_EDID_MODES_MAX; i++) {
                struct vmodes_mode m;
                struct vmodes_error err = { "" };

                make_mode(all_modes[i], &m);
                expect(vmodes_edid_check_mode(&m, &err) == 0, "%s alone is refused: %s", all_modes[i], err.msg);
        }
}

/* len may be NULL; the smallest buffer that fits is enough. */
static void test_edges(void)
{
        struct vmodes_mode m[4];
        struct vmodes_error err = { "" };
        uint8_t out[256];
        size_t len = 0;
        int r;

        for (size_t i = 0; i < 4; i++)
                make_mode(all_modes[i], &m[i]);
        check(vmodes_edid_build(m, 1, NULL, out, 128, NULL, &err) == 0, "len NULL, 128 bytes for 1 mode (%s)",
              err.msg);
        r = vmodes_edid_build(m, 4, "x", out, 256, &len, NULL);
        check(r == 0 && len == 256, "err NULL, 256 bytes for 4 modes: r %d, len %zu", r, len);
        r = vmodes_edid_build(m, 4, "x", out, 255, &len, NULL);
        check(r == -ENOSPC && len == 0, "err NULL, 255 bytes for 4 modes: r %d, len %zu", r, len);
}

int main(void)
{
        const char *base = getenv("TMPDIR");

        snprintf(tmpdir, sizeof(tmpdir), "%s/test-edid.XXXXXX", base && *base ? base : "/tmp");
        if (strchr(tmpdir, '\'') || !mkdtemp(tmpdir))
                die(tmpdir, "cannot make a temporary folder");
        have_oracle = system("command -v edid-decode >/dev/null 2>&1") == 0;
        if (!have_oracle)
                printf("# edid-decode is not installed: its checks are left out\n");
        test_good(1, NULL);
        test_good(3, "");
        test_good(4, "Virtual-1");
        test_good(9, "ABCDEFGHIJKLM");
        test_good(21, "vmodes 21 #~!");
        test_refusals();
        test_edges();
        rmdir(tmpdir);
        if (!have_oracle && !tap_failed) {
                printf("SKIP: edid-decode not installed (%u checks without it passed)\n", tap_passed);
                return 77;
        }
        return tap_finish();
}
