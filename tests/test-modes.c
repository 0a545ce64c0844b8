/* SPDX-License-Identifier: MIT */
/* Unit tests of the modes/ library API, table-driven; no oracle needed. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "modes/modes.h"
#include "tests/lib/tap.h"

static void test_spec_roundtrip(void)
{
        static const struct {
                const char *in, *canonical;
                int w, h;
                double rate;
                enum vmodes_method method;
                bool interlaced;
        } t[] = {
                { "2560x1440", "2560x1440", 2560, 1440, 0, VMODES_METHOD_CVT, false },
                { "2560x1440@44", "2560x1440@44", 2560, 1440, 44, VMODES_METHOD_CVT, false },
                { "1920x1080@59.94", "1920x1080@59.94", 1920, 1080, 59.94, VMODES_METHOD_CVT, false },
                { "1920X1080m@60", "1920x1080@60", 1920, 1080, 60, VMODES_METHOD_CVT, false },
                { "1920x1080R", "1920x1080R", 1920, 1080, 0, VMODES_METHOD_CVT_RB1, false },
                { "1920x1080r1@120", "1920x1080R@120", 1920, 1080, 120, VMODES_METHOD_CVT_RB1, false },
                { "2560x1440R2@44", "2560x1440R2@44", 2560, 1440, 44, VMODES_METHOD_CVT_RB2, false },
                { "3840x2160R3@143.856", "3840x2160R3@143.856", 3840, 2160, 143.856, VMODES_METHOD_CVT_RB3, false },
                { "1920x1080G@50", "1920x1080G@50", 1920, 1080, 50, VMODES_METHOD_GTF, false },
                { "1024x768D@75", "1024x768D@75", 1024, 768, 75, VMODES_METHOD_DMT, false },
                { "1920x1080@60i", "1920x1080@60i", 1920, 1080, 60, VMODES_METHOD_CVT, true },
                { "1024x768Di", "1024x768Di", 1024, 768, 0, VMODES_METHOD_DMT, true },
        };

        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                struct vmodes_spec s, again;
                struct vmodes_error err = { "" };
                char buf[80];
                int r = vmodes_spec_parse(t[i].in, &s, &err);

                expect(r == 0, "parse '%s': %s", t[i].in, err.msg);
                if (r)
                        continue;
                expect(s.width == t[i].w && s.height == t[i].h && fabs(s.refresh - t[i].rate) < 1e-9 &&
                              s.method == t[i].method && s.interlaced == t[i].interlaced,
                      "parse '%s': %dx%d@%g method %d i%d", t[i].in, s.width, s.height, s.refresh, s.method,
                      s.interlaced);
                expect(vmodes_spec_format(buf, sizeof(buf), &s) == 0 && !strcmp(buf, t[i].canonical),
                      "format '%s': '%s', want '%s'", t[i].in, buf, t[i].canonical);
                expect(vmodes_spec_parse(buf, &again, &err) == 0 && again.width == s.width &&
                              again.height == s.height && again.refresh == s.refresh && again.method == s.method &&
                              again.interlaced == s.interlaced,
                      "'%s' does not parse back to the same spec", buf);
        }
}

static void test_spec_to_mode(void)
{
        static const struct {
                const char *spec, *modeline;
        } t[] = {
                { "2560x1440@44",
                  "Modeline \"2560x1440_44.00\"  222.75  2560 2720 2992 3424  1440 1443 1448 1479 -hsync +vsync" },
                { "640x480", "Modeline \"640x480_60.00\"   23.75  640 656 720 800  480 483 487 500 -hsync +vsync" },
                { "1366x768", "Modeline \"1366x768_60.00\"   85.25  1366 1440 1576 1784  768 771 781 798 -hsync +vsync" },
                { "1920x1080R", "Modeline \"1920x1080R\"  138.50  1920 1968 2000 2080  1080 1083 1088 1111 +hsync -vsync" },
                { "2560x1440R2@44",
                  "Modeline \"2560x1440R2_44.00\"  170.755  2560 2568 2600 2640  1440 1456 1464 1470 +hsync -vsync" },
                { "1920x1080G@60",
                  "Modeline \"1920x1080G_60.00\"  172.798  1920 2040 2248 2576  1080 1081 1084 1118 -hsync +vsync" },
                { "1920x1080D",
                  "Modeline \"1920x1080D_60.00\"  148.50  1920 2008 2052 2200  1080 1084 1089 1125 +hsync +vsync" },
        };

        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                struct vmodes_spec s;
                struct vmodes_mode m;
                struct vmodes_error err = { "" };
                char buf[256] = "";

                if (vmodes_spec_parse(t[i].spec, &s, &err) || vmodes_spec_to_mode(&s, &m, &err)) {
                        expect(0, "'%s': %s", t[i].spec, err.msg);
                        continue;
                }
                vmodes_format_xorg(buf, sizeof(buf), &m);
                expect(!strcmp(buf, t[i].modeline), "'%s' gives\n  %s\nwant\n  %s", t[i].spec, buf, t[i].modeline);
        }
}

static void test_modeline(void)
{
        static const char *const same[] = {
                "Modeline \"2560x1440_44.00\"  222.75  2560 2720 2992 3424  1440 1443 1448 1479 -hsync +vsync",
                "modeline \"2560x1440_44.00\" 222.75 2560 2720 2992 3424 1440 1443 1448 1479 -HSync +VSync",
                "\"2560x1440_44.00\" 222.750 2560 2720 2992 3424 1440 1443 1448 1479 -hsync +vsync",
                "2560x1440_44.00 222.75 2560 2720 2992 3424 1440 1443 1448 1479 -hsync +vsync",
                "  222.75\t2560 2720 2992 3424\n1440 1443 1448 1479 -hsync +vsync  ",
        };
        struct vmodes_mode first, m;
        struct vmodes_error err = { "" };
        char buf[256];

        expect(vmodes_modeline_parse(same[0], &first, &err) == 0, "%s", err.msg);
        expect(first.clock_hz == 222750000 && first.htotal == 3424 && first.vtotal == 1479 &&
                      first.flags == (VMODES_FLAG_NHSYNC | VMODES_FLAG_PVSYNC),
              "modeline parsed wrong");
        for (size_t i = 1; i < sizeof(same) / sizeof(same[0]); i++) {
                expect(vmodes_modeline_parse(same[i], &m, &err) == 0 && vmodes_mode_equal_timings(&first, &m),
                      "'%s': %s", same[i], err.msg);
        }
        /* a modeline without a name gets one from its size and rate */
        expect(vmodes_modeline_parse(same[4], &m, &err) == 0 && !strcmp(m.name, "2560x1440_43.99"), "name '%s'",
              m.name);
        /* xrandr form round trip */
        expect(vmodes_format_xrandr(buf, sizeof(buf), &first) == 0 &&
                      !strcmp(buf, "\"2560x1440_44.00\" 222.75 2560 2720 2992 3424 1440 1443 1448 1479 -hsync +vsync"),
              "xrandr form '%s'", buf);
        /* no truncation: a buffer too small is an error */
        expect(vmodes_format_xorg(buf, 20, &first) == -ENOSPC, "small buffer not refused");
}

static void test_clock_and_names(void)
{
        static const struct {
                uint64_t hz;
                const char *text;
        } c[] = {
                { 222750000, "222.75" }, { 170755000, "170.755" }, { 25175000, "25.175" },
                { 1000, "0.001" },       { 4294967295ULL, "4294.967295" }, { 148500000, "148.50" },
        };
        char buf[64];

        for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
                vmodes_format_clock(buf, sizeof(buf), c[i].hz);
                expect(!strcmp(buf, c[i].text), "clock %llu: '%s', want '%s'", (unsigned long long)c[i].hz, buf,
                      c[i].text);
        }
}

static void test_dmt(void)
{
        const struct vmodes_dmt *d;

        expect(vmodes_dmt_count() == 88, "%zu DMT entries", vmodes_dmt_count());
        d = vmodes_dmt_find(1920, 1200, 60, false);
        expect(d && d->id == 0x45 && !d->reduced, "1920x1200@60 standard: %#x", d ? d->id : 0);
        d = vmodes_dmt_find(1920, 1200, 60, true);
        expect(d && d->id == 0x44 && d->reduced, "1920x1200@60 RB: %#x", d ? d->id : 0);
        d = vmodes_dmt_find(1920, 1080, 0, true); /* only a standard entry exists */
        expect(d && d->id == 0x52, "1920x1080 any: %#x", d ? d->id : 0);
        d = vmodes_dmt_find(1024, 768, 43, false); /* interlaced, by its frame rate */
        expect(d && d->id == 0x0f, "1024x768i@43: %#x", d ? d->id : 0);
        expect(!vmodes_dmt_find(1024, 768, 66, false), "1024x768@66 found");
        expect(!vmodes_dmt_by_id(0x59) && vmodes_dmt_by_id(0x58), "ids");
        for (size_t i = 0; i < vmodes_dmt_count(); i++) {
                struct vmodes_mode m = vmodes_dmt_at(i)->mode;
                struct vmodes_error err;

                strcpy(m.name, "x");
                expect(vmodes_mode_validate(&m, &err) == 0, "DMT %#x invalid: %s", vmodes_dmt_at(i)->id, err.msg);
        }
}

/* The one rate notation of specs, also used for auto-fit-refresh. */
static void test_rate_parse(void)
{
        static const struct {
                const char *text;
                double hz; /* 0: refused */
                const char *msg;
        } t[] = {
                { "44", 44, NULL },
                { "59.94", 59.94, NULL },
                { "44.555", 44.555, NULL },
                { "10", 10, NULL },
                { "1000", 1000, NULL },
                { "1000.000", 1000, NULL },
                { "44.5555", 0, "refresh rate '44.5555' is not a number of Hz with at most 3 decimals (10 to 1000)" },
                { "1e2", 0, "refresh rate '1e2' is not a number of Hz with at most 3 decimals (10 to 1000)" },
                { "0x3c", 0, "refresh rate '0x3c' is not a number" },
                { "+60", 0, "refresh rate '+60' is not a number" },
                { "-60", 0, "refresh rate '-60' is not a number" },
                { "60 ", 0, "refresh rate '60 ' is not a number" },
                { " 60", 0, "refresh rate ' 60' is not a number" },
                { "60.", 0, "refresh rate '60.' is not a number" },
                { "nan", 0, "refresh rate 'nan' is not a number" },
                { "", 0, "refresh rate '' is not a number" },
                { "0", 0, "refresh rate 0 Hz is out of range (10 to 1000 Hz)" },
                { "9.999", 0, "refresh rate 9.999 Hz is out of range (10 to 1000 Hz)" },
                { "1000.001", 0, "refresh rate 1000.001 Hz is out of range" },
                { "60\xff", 0, "refresh rate '60\\xff' is not a number" },
        };

        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                struct vmodes_error err = { "" };
                double hz = -1;
                int r = vmodes_rate_parse(t[i].text, &hz, &err);

                if (t[i].hz > 0)
                        expect(r == 0 && hz == t[i].hz, "rate '%s': %d %g %s", t[i].text, r, hz, err.msg);
                else
                        expect(r < 0 && hz == -1 && !strncmp(err.msg, t[i].msg, strlen(t[i].msg)),
                              "rate '%s': %d '%s', want '%s'", t[i].text, r, err.msg, t[i].msg);
        }
}

/* Messages name the bad part precisely and quote outside text escaped. */
static void test_spec_messages(void)
{
        static const struct {
                const char *spec, *msg;
        } t[] = {
                { "1024x768@1e2", "mode spec '1024x768@1e2': refresh rate '1e2' is not a number of Hz with at most 3 decimals" },
                { "1024x768@0x3c", "mode spec '1024x768@0x3c': refresh rate '0x3c' is not a number" },
                { "1024x768@60.0.0", "mode spec '1024x768@60.0.0': refresh rate '60.0.0' is not a number" },
                { "1024x768 ", "mode spec '1024x768 ': unexpected ' ' after '1024x768' (expected" },
                { "1024x768@60 ", "mode spec '1024x768@60 ': unexpected ' ' after '1024x768@60' (expected" },
                { "1024x768\xff", "mode spec '1024x768\\xff': unexpected '\\xff' after '1024x768'" },
                { "1024x768\n", "mode spec '1024x768\\x0a': unexpected '\\x0a'" },
                { "1024\\x768", "mode spec '1024\\x5cx768': expected 'x' after the width, not '\\x5cx768'" },
                { "64x48@10", "64x48 at 10 Hz gives a pixel clock of 0 MHz, below the 0.001 MHz a mode needs at least" },
        };

        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                struct vmodes_error err = { "" };
                struct vmodes_spec s;
                struct vmodes_mode m;
                int r = vmodes_spec_parse(t[i].spec, &s, &err);

                if (r == 0)
                        r = vmodes_spec_to_mode(&s, &m, &err);
                expect(r < 0 && !strncmp(err.msg, t[i].msg, strlen(t[i].msg)), "spec '%s': '%s', want '%s'", t[i].spec,
                      err.msg, t[i].msg);
        }
}

/* Text taken for a modeline because of a blank is still a spec. */
static void test_modeline_messages(void)
{
        static const struct {
                const char *text, *msg;
        } t[] = {
                { "1024x768 ", "mode spec '1024x768 ': unexpected ' ' after the spec" },
                { "\t1024x768@60", "mode spec '\\x091024x768@60': unexpected '\\x09' before the spec" },
                { "1024x99999 ", "mode spec '1024x99999': height 99999 is out of range" },
                { "Modeline \"x\"", "modeline: the pixel clock is missing" },
                { "abc ", "modeline: the pixel clock is missing" },
                { "\"a\xff\x01\" 148.5 1920 2008 2052 2200 1080 1084 1089 1125",
                  "mode name 'a\\xff\\x01' has a character other than" },
                { "148.5 19\xc3\xa9" "20 2008 2052 2200 1080 1084 1089 1125",
                  "modeline: width '19\\xc3\\xa920' is not a whole number" },
                { "148.5 1920 2008 2052 2200 1080 1084 1089 1125 +\xffsync", "modeline: unknown flag '+\\xffsync'" },
        };

        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                struct vmodes_error err = { "" };
                struct vmodes_mode m;
                int r = vmodes_modeline_parse(t[i].text, &m, &err);

                expect(r < 0 && !strncmp(err.msg, t[i].msg, strlen(t[i].msg)), "modeline '%s': '%s', want '%s'",
                      t[i].text, err.msg, t[i].msg);
        }
}

static void test_text_helpers(void)
{
        static const struct {
                const char *text;
                size_t len, valid;
        } u[] = {
                { "plain", 5, 5 },
                { "caf\xc3\xa9", 5, 5 },
                { "\xe2\x82\xac\xf0\x9f\x98\x80", 7, 7 }, /* euro sign, emoji */
                { "a\xff", 2, 1 },
                { "a\xc3", 2, 1 },             /* cut sequence */
                { "\xc0\x80", 2, 0 },         /* overlong NUL */
                { "\xe0\x80\x80", 3, 0 },     /* overlong */
                { "\xed\xa0\x80", 3, 0 },     /* surrogate U+D800 */
                { "\xf4\x90\x80\x80", 4, 0 }, /* above U+10FFFF */
                { "ab\0cd", 5, 5 },             /* NUL is valid UTF-8; the config parser refuses it itself */
        };
        struct vmodes_error err;
        char buf[16];

        for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
                expect(vmodes_utf8_valid_prefix(u[i].text, u[i].len) == u[i].valid, "utf8 case %zu: %zu, want %zu", i,
                      vmodes_utf8_valid_prefix(u[i].text, u[i].len), u[i].valid);

        expect(!strcmp(vmodes_excerpt(buf, sizeof(buf), "a\0b\\", 4), "a\\x00b\\x5c"), "excerpt '%s'", buf);
        expect(!strcmp(vmodes_excerpt(buf, sizeof(buf), "0123456789abcdefghij", 20), "0123456789ab..."), "cut '%s'",
              buf);
        expect(!strcmp(vmodes_excerpt(buf, sizeof(buf), "0123456789abcde", 15), "0123456789abcde"), "fits '%s'", buf);
        expect(!strcmp(vmodes_excerpt(buf, sizeof(buf), "\xff\xff\xff\xff\xff", 5), "\\xff\\xff\\xff..."),
              "cut escapes '%s'", buf);
        /* the error setter never lets a message carry invalid UTF-8 or a line break */
        vmodes_error_set(&err, -EINVAL, "x '%s' y\nz \xc3\xa9", "\xff");
        expect(!strcmp(err.msg, "x '?' y?z \xc3\xa9"), "sanitized '%s'", err.msg);
        memset(buf, 'a', sizeof(buf));
        vmodes_error_set(&err, -EINVAL, "%0254d\xc3\xa9", 0); /* the 2-byte character is cut */
        expect(strlen(err.msg) == 255 && err.msg[254] == '?', "cut character: '%s'", err.msg + 250);
}

int main(void)
{
        test_spec_roundtrip();
        test_spec_to_mode();
        test_modeline();
        test_clock_and_names();
        test_dmt();
        test_rate_parse();
        test_spec_messages();
        test_modeline_messages();
        test_text_helpers();
        return tap_finish();
}
