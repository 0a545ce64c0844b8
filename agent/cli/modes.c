/* SPDX-License-Identifier: MIT */
/* vmodes cvt | gtf | dmt | mode: compute and show mode timings. */

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "agent/cli/cli.h"
#include "agent/common/json.h"
#include "modes/modes.h"

enum format { FORMAT_NATIVE, FORMAT_XORG, FORMAT_XRANDR, FORMAT_JSON, FORMAT_FBSET };

/* ---- argument scanning -------------------------------------------------- */

/* A tiny option scanner: long options "--name[=value]", short options "-x",
 * and positional arguments, in any order; "-5" and "-.5" are positional
 * (negative numbers get a range error, not "unknown option"), and so is
 * everything after "--". */
struct opt {
        const char *long_name;
        char short_name;
        bool has_value;
        int id;
};

struct scan {
        int argc, i;
        char **argv;
        bool only_positional;
        /* positional arguments, collected by scan_next() */
        const char *pos[3];
        int npos, max_pos;
        const char *expected; /* "WIDTH HEIGHT [REFRESH]", for the error */
};

#define SCAN_INIT(argc_, argv_, max_pos_, expected_) \
        { .argc = (argc_), .argv = (argv_), .i = 1, .max_pos = (max_pos_), .expected = (expected_) }

/* Returns the next option's id, -1 at the end, -2 for an error already
 * reported (an unknown option, a missing value, too many arguments). */
static int scan_next(struct scan *s, const struct opt *opts, const char **value)
{
        const char *a;

        for (;;) {
                if (s->i >= s->argc)
                        return -1;
                a = s->argv[s->i++];
                *value = a;
                if (!s->only_positional && !strcmp(a, "--")) {
                        s->only_positional = true;
                        continue;
                }
                if (s->only_positional || a[0] != '-' || a[1] == 0 || (a[1] >= '0' && a[1] <= '9') ||
                    a[1] == '.') {
                        if (s->npos == s->max_pos) {
                                log_error("too many arguments: '%s' (expected %s)", cli_arg(a), s->expected);
                                return -2;
                        }
                        s->pos[s->npos++] = a;
                        continue;
                }
                break;
        }
        for (const struct opt *o = opts; o->id; o++) {
                size_t n;

                if (a[1] != '-') {
                        if (o->short_name && a[1] == o->short_name && a[2] == 0)
                                goto found;
                        continue;
                }
                if (!o->long_name)
                        continue;
                n = strlen(o->long_name);
                if (strncmp(a + 2, o->long_name, n) || (a[2 + n] != 0 && a[2 + n] != '='))
                        continue;
                if (a[2 + n] == '=') {
                        if (!o->has_value) {
                                log_error("option '--%s' takes no value", o->long_name);
                                return -2;
                        }
                        *value = a + 3 + n;
                        return o->id;
                }
        found:
                if (o->has_value) {
                        if (s->i >= s->argc) {
                                log_error("option '%s' needs a value", cli_arg(a));
                                return -2;
                        }
                        *value = s->argv[s->i++];
                } else {
                        *value = NULL;
                }
                return o->id;
        }
        log_error("unknown option '%s' (try 'vmodes %s --help')", cli_arg(a), s->argv[0]);
        return -2;
}

/* A whole number in [min, max]; the message names the argument. */
static int parse_int_arg(const char *what, const char *text, long min, long max, int *out)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(text, &end, 10);
        if (end == text || *end || text[0] == ' ' || text[0] == '+') {
                log_error("%s '%s' is not a whole number (%ld to %ld)", what, cli_arg(text), min, max);
                return -EINVAL;
        }
        if (errno == ERANGE || v < min || v > max) {
                log_error("%s %s is out of range (%ld to %ld)", what, cli_arg(text), min, max);
                return -ERANGE;
        }
        *out = (int)v;
        return 0;
}

/* Digits with at most one '.' and 3 decimals after it: a number of Hz,
 * only maybe out of range. */
static bool decimal_hz(const char *t)
{
        size_t digits = strspn(t, "0123456789");
        const char *dot = t + digits;

        if (!digits)
                return false;
        if (!*dot)
                return true;
        return *dot == '.' && strspn(dot + 1, "0123456789") == strlen(dot + 1) && strlen(dot + 1) <= 3;
}

/* A refresh rate: the rule of specs (vmodes_rate_parse), a decimal
 * number of Hz with at most 3 decimals. */
static int parse_refresh_arg(const char *text, double *out)
{
        if (vmodes_rate_parse(text, out, NULL) == 0)
                return 0;
        if (decimal_hz(text[0] == '-' ? text + 1 : text)) {
                log_error("refresh rate %s Hz is out of range (%g to %g Hz)", cli_arg(text), VMODES_REFRESH_MIN,
                          VMODES_REFRESH_MAX);
                return -ERANGE;
        }
        log_error("refresh rate '%s' is not a number of Hz with at most 3 decimals (%g to %g)", cli_arg(text),
                  VMODES_REFRESH_MIN, VMODES_REFRESH_MAX);
        return -EINVAL;
}

static int parse_format(const char *text, bool allow_fbset, enum format *out)
{
        static const struct {
                const char *name;
                enum format f;
        } names[] = {
                { "cvt", FORMAT_NATIVE },     { "gtf", FORMAT_NATIVE }, { "xorg", FORMAT_XORG },
                { "xrandr", FORMAT_XRANDR }, { "json", FORMAT_JSON },  { "fbset", FORMAT_FBSET },
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (!strcmp(text, names[i].name) && (allow_fbset || names[i].f != FORMAT_FBSET)) {
                        *out = names[i].f;
                        return 0;
                }
        log_error("unknown format '%s' (accepted: cvt, xorg, xrandr, json%s)", cli_arg(text),
                  allow_fbset ? ", fbset" : "");
        return -EINVAL;
}

/* ---- output ------------------------------------------------------------- */

static const char *method_name(enum vmodes_method m)
{
        switch (m) {
        case VMODES_METHOD_CVT:
                return "cvt";
        case VMODES_METHOD_CVT_RB1:
                return "cvt-rb1";
        case VMODES_METHOD_CVT_RB2:
                return "cvt-rb2";
        case VMODES_METHOD_CVT_RB3:
                return "cvt-rb3";
        case VMODES_METHOD_GTF:
                return "gtf";
        case VMODES_METHOD_DMT:
                return "dmt";
        case VMODES_METHOD_CUSTOM:
                return "custom";
        }
        return "unknown";
}

static struct json_object *mode_to_json(const struct vmodes_mode *m)
{
        struct json_object *o = json_object_new_object(), *flags = json_object_new_array();
        char line[256];

        json_object_object_add(o, "name", json_object_new_string(m->name));
        json_object_object_add(o, "method", json_object_new_string(method_name(m->method)));
        json_object_object_add(o, "clock_khz", json_object_new_int64((int64_t)(m->clock_hz / 1000)));
        json_object_object_add(o, "clock_hz", json_object_new_int64((int64_t)m->clock_hz));
        json_object_object_add(o, "hdisplay", json_object_new_int(m->hdisplay));
        json_object_object_add(o, "hsync_start", json_object_new_int(m->hsync_start));
        json_object_object_add(o, "hsync_end", json_object_new_int(m->hsync_end));
        json_object_object_add(o, "htotal", json_object_new_int(m->htotal));
        json_object_object_add(o, "vdisplay", json_object_new_int(m->vdisplay));
        json_object_object_add(o, "vsync_start", json_object_new_int(m->vsync_start));
        json_object_object_add(o, "vsync_end", json_object_new_int(m->vsync_end));
        json_object_object_add(o, "vtotal", json_object_new_int(m->vtotal));
        if (m->flags & VMODES_FLAG_PHSYNC)
                json_object_array_add(flags, json_object_new_string("+hsync"));
        if (m->flags & VMODES_FLAG_NHSYNC)
                json_object_array_add(flags, json_object_new_string("-hsync"));
        if (m->flags & VMODES_FLAG_PVSYNC)
                json_object_array_add(flags, json_object_new_string("+vsync"));
        if (m->flags & VMODES_FLAG_NVSYNC)
                json_object_array_add(flags, json_object_new_string("-vsync"));
        if (m->flags & VMODES_FLAG_INTERLACE)
                json_object_array_add(flags, json_object_new_string("interlace"));
        if (m->flags & VMODES_FLAG_DBLSCAN)
                json_object_array_add(flags, json_object_new_string("doublescan"));
        json_object_object_add(o, "flags", flags);
        json_object_object_add(o, "refresh_hz", json_object_new_double(vmodes_mode_refresh(m)));
        json_object_object_add(o, "hsync_khz", json_object_new_double(vmodes_mode_hfreq_khz(m)));
        if (vmodes_format_xorg(line, sizeof(line), m) == 0)
                json_object_object_add(o, "modeline", json_object_new_string(line));
        if (vmodes_format_xrandr(line, sizeof(line), m) == 0)
                json_object_object_add(o, "xrandr_newmode", json_object_new_string(line));
        return o;
}

static int print_json(struct json_object *o)
{
        int r = puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));

        json_object_put(o);
        return r < 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

/* One mode in a non-native format. */
static int print_mode(const struct vmodes_mode *m, enum format f)
{
        char buf[512] = "";
        int r = 0;

        switch (f) {
        case FORMAT_XORG:
                r = vmodes_format_xorg(buf, sizeof(buf), m);
                break;
        case FORMAT_XRANDR:
                r = vmodes_format_xrandr(buf, sizeof(buf), m);
                break;
        case FORMAT_JSON:
                return print_json(mode_to_json(m));
        case FORMAT_NATIVE:
        case FORMAT_FBSET:
                r = vmodes_format_cvt(buf, sizeof(buf), m, NULL);
                break;
        }
        if (r < 0) {
                log_error("cannot format mode '%s': %s", m->name, strerror(-r));
                return CLI_EXIT_FAILURE;
        }
        fputs(buf, stdout);
        if (f != FORMAT_NATIVE && f != FORMAT_FBSET)
                fputc('\n', stdout);
        return CLI_EXIT_OK;
}

/* ---- vmodes cvt --------------------------------------------------------- */

static void cvt_usage(FILE *f)
{
        fputs("Usage: vmodes cvt [OPTIONS] WIDTH HEIGHT [REFRESH]\n"
              "\n"
              "Compute a VESA CVT (Coordinated Video Timings) mode and print it as cvt(1)\n"
              "does: a comment with the achieved rates and an xorg.conf Modeline.\n"
              "\n"
              "  WIDTH    active width in pixels, 64 to 16384; a width that is not a\n"
              "           multiple of 8 stays exact (cvt(1) rounds it up)\n"
              "  HEIGHT   active height in lines, 48 to 16384\n"
              "  REFRESH  refresh rate in Hz, up to 3 decimals, 10 to 1000 (default 60);\n"
              "           the frame rate for interlaced modes\n"
              "\n"
              "Options:\n"
              "  -r, --reduced         reduced blanking (v1 unless --rb says otherwise)\n"
              "      --rb=1|2|3        reduced blanking version: 1 (CVT 1.1, cvt -r),\n"
              "                        2 (CVT 1.2: 80-pixel blanking, 1 kHz clock steps,\n"
              "                        any rate exactly) or 3 (CVT 2.0)\n"
              "  -i, --interlaced      an interlaced mode (standard blanking and RB v1)\n"
              "      --video-optimized RB v2: the rate times 1000/1001 (59.94 for 60)\n"
              "      --extra-hblank=N  RB v3: N more pixels of horizontal blanking (0-120,\n"
              "                        multiple of 8)\n"
              "      --vblank=US       RB v3: minimum vertical blanking in microseconds\n"
              "                        (460-10000, default 460)\n"
              "      --early-vsync     RB v3: vertical sync early in the blanking\n"
              "      --format=FORMAT   cvt (default), xorg (one Modeline line), xrandr\n"
              "                        (the arguments of xrandr --newmode) or json\n"
              "      --compat=xcvt-0.1.2\n"
              "                        reproduce libxcvt 0.1.2, the cvt of Debian 12 and\n"
              "                        Ubuntu 22.04-24.04, byte for byte: its hsync start\n"
              "                        one cell late when aligned, its 3-line minimum\n"
              "                        back porch, widths rounded up to a multiple of 8\n"
              "                        and 1360x768 turned into 1366x768\n"
              "  -v, --verbose         warn on stderr when the mode is not a CVT standard\n"
              "                        mode (aspect ratio, 50/60/75/85 Hz)\n"
              "  -h, --help            show this help\n"
              "\n"
              "Without --compat the timings follow the VESA CVT text as libxcvt 0.1.3\n"
              "does; reduced blanking follows CVT 1.2/2.0 (the pixel clock is the rate\n"
              "times the totals, rounded to the clock step).\n"
              "\n"
              "Examples:\n"
              "  vmodes cvt 2560 1440 44\n"
              "  vmodes cvt --rb=2 --format=xrandr 2560 1440 44\n"
              "  vmodes cvt --compat=xcvt-0.1.2 -r 1920 1080\n"
              "\n"
              "Exit status: 0 success, 2 bad arguments or a value out of range.\n",
              f);
}

enum {
        OPT_HELP = 1,
        OPT_REDUCED,
        OPT_RB,
        OPT_INTERLACED,
        OPT_VERBOSE,
        OPT_FORMAT,
        OPT_COMPAT,
        OPT_VIDEO,
        OPT_HBLANK,
        OPT_VBLANK,
        OPT_EARLY,
        OPT_FBMODE,
        OPT_XORGMODE,
        OPT_LIST,
        OPT_MODELINE,
};

static void cvt_verbose_warnings(const struct vmodes_cvt_info *info, double refresh)
{
        float r = (float)refresh;

        if (!info->aspect)
                fprintf(stderr, "Warning: Aspect Ratio is not CVT standard.\n");
        if (r != 50.0f && r != 60.0f && r != 75.0f && r != 85.0f)
                fprintf(stderr, "Warning: Refresh Rate %.2f is not CVT standard (50, 60, 75 or 85Hz).\n",
                        (double)r);
}

/* Long because: one switch case per option (cvt(1)'s and vmodes' own),
 * each with its range check, then the computation in order. */
int cli_cvt(int argc, char **argv)
{
        static const struct opt opts[] = {
                { "help", 'h', false, OPT_HELP },
                { "reduced", 'r', false, OPT_REDUCED },
                { "rb", 0, true, OPT_RB },
                { "interlaced", 'i', false, OPT_INTERLACED },
                { "verbose", 'v', false, OPT_VERBOSE },
                { "format", 0, true, OPT_FORMAT },
                { "compat", 0, true, OPT_COMPAT },
                { "video-optimized", 0, false, OPT_VIDEO },
                { "extra-hblank", 0, true, OPT_HBLANK },
                { "vblank", 0, true, OPT_VBLANK },
                { "early-vsync", 0, false, OPT_EARLY },
                { 0 },
        };
        struct scan s = SCAN_INIT(argc, argv, 3, "WIDTH HEIGHT [REFRESH]");
        struct vmodes_cvt_params p;
        struct vmodes_cvt_info info;
        struct vmodes_mode m;
        struct vmodes_error err;
        const char *v;
        enum format format = FORMAT_NATIVE;
        bool verbose = false, reduced = false, interlaced = false, video = false, early = false;
        int rb = 0, hblank = 0, vblank = 0, id, width, height, r;
        enum vmodes_cvt_compat compat = VMODES_CVT_VESA;
        double refresh = 0.0;
        char buf[512];

        while ((id = scan_next(&s, opts, &v)) != -1) {
                switch (id) {
                case -2:
                        return CLI_EXIT_USAGE;
                case OPT_HELP:
                        cvt_usage(stdout);
                        return CLI_EXIT_OK;
                case OPT_REDUCED:
                        reduced = true;
                        break;
                case OPT_RB:
                        if (parse_int_arg("reduced blanking version", v, 1, 3, &rb) < 0)
                                return CLI_EXIT_USAGE;
                        break;
                case OPT_INTERLACED:
                        interlaced = true;
                        break;
                case OPT_VERBOSE:
                        verbose = true;
                        break;
                case OPT_FORMAT:
                        if (parse_format(v, false, &format) < 0)
                                return CLI_EXIT_USAGE;
                        if (format == FORMAT_JSON && cli_json_load() != CLI_EXIT_OK)
                                return CLI_EXIT_FAILURE;
                        break;
                case OPT_COMPAT:
                        if (strcmp(v, "xcvt-0.1.2") && strcmp(v, "xcvt") && strcmp(v, "cvt")) {
                                log_error("unknown compatibility target '%s' (accepted: xcvt-0.1.2)", cli_arg(v));
                                return CLI_EXIT_USAGE;
                        }
                        compat = VMODES_CVT_XCVT_0_1_2;
                        break;
                case OPT_VIDEO:
                        video = true;
                        break;
                case OPT_HBLANK:
                        if (parse_int_arg("extra horizontal blanking", v, 0, 120, &hblank) < 0)
                                return CLI_EXIT_USAGE;
                        break;
                case OPT_VBLANK:
                        if (parse_int_arg("minimum vertical blanking (us)", v, 460, 10000, &vblank) < 0)
                                return CLI_EXIT_USAGE;
                        break;
                case OPT_EARLY:
                        early = true;
                        break;
                }
        }
        if (s.npos < 2) {
                log_error("missing %s (usage: vmodes cvt [OPTIONS] WIDTH HEIGHT [REFRESH])",
                          s.npos == 0 ? "WIDTH and HEIGHT" : "HEIGHT");
                return CLI_EXIT_USAGE;
        }
        if (parse_int_arg("width", s.pos[0], VMODES_WIDTH_MIN, VMODES_WIDTH_MAX, &width) < 0 ||
            parse_int_arg("height", s.pos[1], VMODES_HEIGHT_MIN, VMODES_HEIGHT_MAX, &height) < 0)
                return CLI_EXIT_USAGE;
        if (s.npos == 3 && parse_refresh_arg(s.pos[2], &refresh) < 0)
                return CLI_EXIT_USAGE;
        if (reduced && rb == 0)
                rb = 1;

        vmodes_cvt_params_init(&p, width, height, refresh);
        p.reduced = rb;
        p.interlaced = interlaced;
        p.video_optimized = video;
        p.rb3_extra_hblank = hblank;
        p.rb3_vblank_us = vblank;
        p.rb3_early_vsync = early;
        p.compat = compat;
        r = vmodes_cvt_compute(&p, &m, &info, &err);
        if (r < 0) {
                log_error("%s", err.msg);
                return CLI_EXIT_USAGE;
        }
        if (verbose)
                cvt_verbose_warnings(&info, refresh == 0.0 ? 60.0 : refresh);
        if (format != FORMAT_NATIVE)
                return print_mode(&m, format);
        r = vmodes_format_cvt(buf, sizeof(buf), &m, &info);
        if (r < 0) {
                log_error("cannot format mode: %s", strerror(-r));
                return CLI_EXIT_FAILURE;
        }
        fputs(buf, stdout);
        return CLI_EXIT_OK;
}

/* ---- vmodes gtf --------------------------------------------------------- */

static void gtf_usage(FILE *f)
{
        fputs("Usage: vmodes gtf [OPTIONS] WIDTH HEIGHT REFRESH\n"
              "\n"
              "Compute a VESA GTF (Generalized Timing Formula) mode and print it as gtf(1)\n"
              "does.\n"
              "\n"
              "  WIDTH    active width in pixels, 64 to 16384\n"
              "  HEIGHT   active height in lines, 48 to 16384\n"
              "  REFRESH  refresh rate in Hz, up to 3 decimals, 10 to 1000 (required, as\n"
              "           for gtf)\n"
              "\n"
              "Options:\n"
              "  -x, --xorgmode        print an xorg.conf Modeline (the default)\n"
              "  -f, --fbmode          print an fbset(8) mode description (with -x: both)\n"
              "      --format=FORMAT   gtf (default), xorg, xrandr, json or fbset\n"
              "      --compat=xserver-gtf\n"
              "                        compute in single precision like gtf(1) of\n"
              "                        xserver-xorg-core, for byte-identical output\n"
              "                        (width rounded to the nearest multiple of 8)\n"
              "  -v, --verbose         also print the porches and sync widths on stderr\n"
              "  -h, --help            show this help\n"
              "\n"
              "Without --compat the formula is evaluated in double precision and the\n"
              "pixel clock rounded to 1 kHz (as edid-decode does); a width that is not a\n"
              "multiple of 8 stays exact.\n"
              "\n"
              "Exit status: 0 success, 2 bad arguments or a value out of range.\n",
              f);
}

static void gtf_print_native(const struct vmodes_mode *m, const struct vmodes_gtf_info *info)
{
        printf("\n");
        printf("  # %dx%d @ %.2f Hz (GTF) hsync: %.2f kHz; pclk: %.2f MHz\n", m->hdisplay, m->vdisplay,
               info->refresh, info->hfreq_khz, info->pclk_mhz);
        printf("  Modeline \"%s\"  %.2f  %d %d %d %d  %d %d %d %d  -HSync +Vsync\n\n", m->name, info->pclk_mhz,
               m->hdisplay, m->hsync_start, m->hsync_end, m->htotal, m->vdisplay, m->vsync_start, m->vsync_end,
               m->vtotal);
}

static void gtf_print_fbset(const struct vmodes_mode *m, const struct vmodes_gtf_info *info)
{
        printf("\n");
        printf("mode \"%dx%d %.2fHz 32bit (GTF)\"\n", m->hdisplay, m->vdisplay, info->refresh);
        printf("    # PCLK: %.2f MHz, H: %.2f kHz, V: %.2f Hz\n", info->pclk_mhz, info->hfreq_khz, info->refresh);
        printf("    geometry %d %d %d %d 32\n", m->hdisplay, m->vdisplay, m->hdisplay, m->vdisplay);
        printf("    timings %d %d %d %d %d %d %d\n", (int)lrint(1000000.0 / (float)info->pclk_mhz),
               m->htotal - m->hsync_end, m->hsync_start - m->hdisplay, m->vtotal - m->vsync_end,
               m->vsync_start - m->vdisplay, m->hsync_end - m->hsync_start, m->vsync_end - m->vsync_start);
        printf("    hsync low\n");
        printf("    vsync high\n");
        printf("endmode\n\n");
}

/* Long because: one switch case per option (gtf(1)'s and vmodes' own),
 * each with its range check, then the computation in order. */
int cli_gtf(int argc, char **argv)
{
        static const struct opt opts[] = {
                { "help", 'h', false, OPT_HELP },      { "verbose", 'v', false, OPT_VERBOSE },
                { "fbmode", 'f', false, OPT_FBMODE },  { "xorgmode", 'x', false, OPT_XORGMODE },
                { "xf86mode", 0, false, OPT_XORGMODE }, { "format", 0, true, OPT_FORMAT },
                { "compat", 0, true, OPT_COMPAT },     { 0 },
        };
        struct scan s = SCAN_INIT(argc, argv, 3, "WIDTH HEIGHT REFRESH");
        struct vmodes_gtf_info info;
        struct vmodes_mode m;
        struct vmodes_error err;
        enum vmodes_gtf_compat compat = VMODES_GTF_VESA;
        enum format format = FORMAT_NATIVE;
        bool fbmode = false, xorgmode = false, verbose = false, have_format = false;
        const char *v;
        int id, width, height;
        double refresh;

        while ((id = scan_next(&s, opts, &v)) != -1) {
                switch (id) {
                case -2:
                        return CLI_EXIT_USAGE;
                case OPT_HELP:
                        gtf_usage(stdout);
                        return CLI_EXIT_OK;
                case OPT_VERBOSE:
                        verbose = true;
                        break;
                case OPT_FBMODE:
                        fbmode = true;
                        break;
                case OPT_XORGMODE:
                        xorgmode = true;
                        break;
                case OPT_FORMAT:
                        if (parse_format(v, true, &format) < 0)
                                return CLI_EXIT_USAGE;
                        if (format == FORMAT_JSON && cli_json_load() != CLI_EXIT_OK)
                                return CLI_EXIT_FAILURE;
                        have_format = true;
                        break;
                case OPT_COMPAT:
                        if (strcmp(v, "xserver-gtf") && strcmp(v, "gtf")) {
                                log_error("unknown compatibility target '%s' (accepted: xserver-gtf)", cli_arg(v));
                                return CLI_EXIT_USAGE;
                        }
                        compat = VMODES_GTF_XSERVER;
                        break;
                }
        }
        if (s.npos < 3) {
                log_error("missing %s (usage: vmodes gtf [OPTIONS] WIDTH HEIGHT REFRESH)",
                          s.npos == 0 ? "WIDTH, HEIGHT and REFRESH" : s.npos == 1 ? "HEIGHT and REFRESH" : "REFRESH");
                return CLI_EXIT_USAGE;
        }
        if (have_format && (fbmode || xorgmode)) {
                log_error("--format cannot be combined with -f/-x");
                return CLI_EXIT_USAGE;
        }
        if (parse_int_arg("width", s.pos[0], VMODES_WIDTH_MIN, VMODES_WIDTH_MAX, &width) < 0 ||
            parse_int_arg("height", s.pos[1], VMODES_HEIGHT_MIN, VMODES_HEIGHT_MAX, &height) < 0 ||
            parse_refresh_arg(s.pos[2], &refresh) < 0)
                return CLI_EXIT_USAGE;
        if (vmodes_gtf_compute(width, height, refresh, compat, &m, &info, &err) < 0) {
                log_error("%s", err.msg);
                return CLI_EXIT_USAGE;
        }
        if (verbose)
                fprintf(stderr,
                        "GTF %ux%u: hfront %d hsync %d hback %d; vfront %d vsync %d vback %d; %.6f MHz, %.3f kHz\n",
                        m.hdisplay, m.vdisplay, m.hsync_start - m.hdisplay, m.hsync_end - m.hsync_start,
                        m.htotal - m.hsync_end, m.vsync_start - m.vdisplay, m.vsync_end - m.vsync_start,
                        m.vtotal - m.vsync_end, info.pclk_mhz, info.hfreq_khz);
        if (format == FORMAT_FBSET) {
                fbmode = true;
        } else if (format != FORMAT_NATIVE) {
                return print_mode(&m, format);
        }
        if (xorgmode || !fbmode)
                gtf_print_native(&m, &info);
        if (fbmode)
                gtf_print_fbset(&m, &info);
        return CLI_EXIT_OK;
}

/* ---- vmodes dmt --------------------------------------------------------- */

static void dmt_usage(FILE *f)
{
        fputs("Usage: vmodes dmt [--format=FORMAT] --list\n"
              "       vmodes dmt [--format=FORMAT] ID | WIDTHxHEIGHT[@REFRESH][R]\n"
              "\n"
              "Show modes of the VESA DMT (Display Monitor Timings) table.\n"
              "\n"
              "  ID               a DMT id, decimal or 0x hex (0x01 to 0x58)\n"
              "  WIDTHxHEIGHT     the entry of that size nearest to REFRESH (default 60 Hz);\n"
              "                   a trailing R prefers the reduced-blanking entry\n"
              "  -l, --list       list all 88 entries\n"
              "      --format=F   cvt (default: a comment and a Modeline), xorg, xrandr, json\n"
              "  -h, --help       show this help\n"
              "\n"
              "Exit status: 0 success, 1 no such entry, 2 bad arguments.\n",
              f);
}

static void dmt_named(const struct vmodes_dmt *d, struct vmodes_mode *m)
{
        *m = d->mode;
        snprintf(m->name, sizeof(m->name), "DMT-0x%02x_%ux%u%s", d->id, m->hdisplay, m->vdisplay,
                 d->reduced ? "R" : (m->flags & VMODES_FLAG_INTERLACE) ? "i" : "");
}

static int dmt_print(const struct vmodes_dmt *d, enum format format, struct json_object *list)
{
        struct vmodes_mode m;

        dmt_named(d, &m);
        if (list) {
                struct json_object *o = mode_to_json(&m);

                json_object_object_add(o, "id", json_object_new_int(d->id));
                json_object_object_add(o, "reduced", json_object_new_boolean(d->reduced));
                json_object_array_add(list, o);
                return CLI_EXIT_OK;
        }
        return print_mode(&m, format);
}

/* Long because: one switch case per option, then the three ways of
 * naming a DMT mode (--list, an id, a size) side by side. */
int cli_dmt(int argc, char **argv)
{
        static const struct opt opts[] = {
                { "help", 'h', false, OPT_HELP },
                { "list", 'l', false, OPT_LIST },
                { "format", 0, true, OPT_FORMAT },
                { 0 },
        };
        struct scan s = SCAN_INIT(argc, argv, 1, "one ID or WIDTHxHEIGHT");
        enum format format = FORMAT_NATIVE;
        const struct vmodes_dmt *d = NULL;
        const char *arg, *v;
        bool list = false;
        int id;

        while ((id = scan_next(&s, opts, &v)) != -1) {
                switch (id) {
                case -2:
                        return CLI_EXIT_USAGE;
                case OPT_HELP:
                        dmt_usage(stdout);
                        return CLI_EXIT_OK;
                case OPT_LIST:
                        list = true;
                        break;
                case OPT_FORMAT:
                        if (parse_format(v, false, &format) < 0)
                                return CLI_EXIT_USAGE;
                        if (format == FORMAT_JSON && cli_json_load() != CLI_EXIT_OK)
                                return CLI_EXIT_FAILURE;
                        break;
                }
        }
        arg = s.npos ? s.pos[0] : NULL;
        if (list == !!arg) {
                log_error(list ? "--list takes no argument" : "missing ID or WIDTHxHEIGHT (or --list)");
                return CLI_EXIT_USAGE;
        }
        if (list) {
                struct json_object *arr = format == FORMAT_JSON ? json_object_new_array() : NULL;

                for (size_t i = 0; i < vmodes_dmt_count(); i++)
                        dmt_print(vmodes_dmt_at(i), format, arr);
                return arr ? print_json(arr) : CLI_EXIT_OK;
        }
        if (strchr(arg, 'x') && strncmp(arg, "0x", 2)) {
                struct vmodes_spec spec;
                struct vmodes_error err;
                size_t n = strlen(arg);
                bool rb = n > 0 && (arg[n - 1] == 'R' || arg[n - 1] == 'r');
                char *text = strndup(arg, rb ? n - 1 : n);
                int r;

                if (!text) {
                        log_error("out of memory");
                        return CLI_EXIT_FAILURE;
                }
                r = vmodes_spec_parse(text, &spec, &err);
                free(text);
                if (r < 0 || spec.method != VMODES_METHOD_CVT || spec.interlaced) {
                        log_error("'%s' is not WIDTHxHEIGHT[@REFRESH][R]%s%s", cli_arg(arg), err.msg[0] ? ": " : "",
                                  err.msg[0] ? err.msg : "");
                        return CLI_EXIT_USAGE;
                }
                d = vmodes_dmt_find(spec.width, spec.height, spec.refresh, rb);
                if (!d) {
                        log_error("VESA DMT has no %dx%d mode at %g Hz (see 'vmodes dmt --list')", spec.width,
                                  spec.height, spec.refresh == 0.0 ? 60.0 : spec.refresh);
                        return CLI_EXIT_FAILURE;
                }
        } else {
                char *end;
                long n;

                errno = 0;
                n = strtol(arg, &end, 0);
                if (end == arg || *end || errno || n < 1 || n > 0xff) {
                        log_error("DMT id '%s' is not a number from 0x01 to 0x58", cli_arg(arg));
                        return CLI_EXIT_USAGE;
                }
                d = vmodes_dmt_by_id((unsigned)n);
                if (!d) {
                        log_error("there is no DMT id 0x%02lx (see 'vmodes dmt --list')", n);
                        return CLI_EXIT_FAILURE;
                }
        }
        return dmt_print(d, format, NULL);
}

/* ---- vmodes mode -------------------------------------------------------- */

static void mode_usage(FILE *f)
{
        fputs("Usage: vmodes mode [--format=FORMAT] SPEC\n"
              "       vmodes mode [--format=FORMAT] --modeline 'MODELINE'\n"
              "\n"
              "Show the mode a spec or a pasted modeline describes, checked against the\n"
              "limits every vmodes command applies.\n"
              "\n"
              "SPEC is WIDTHxHEIGHT[METHOD][@RATE][i]:\n"
              "  METHOD  M  CVT, standard blanking (the default)\n"
              "          R or R1  CVT reduced blanking v1;  R2, R3  v2, v3\n"
              "          G  GTF;  D  the VESA DMT entry of that size and rate\n"
              "  RATE    Hz, up to 3 decimals, 10 to 1000 (default 60)\n"
              "  i       interlaced (M, R and D only)\n"
              "  Examples: 2560x1440  2560x1440@44  1920x1080@59.94  2560x1440R2@44\n"
              "            1920x1080R  1024x768D@75  1920x1080@60i\n"
              "\n"
              "MODELINE is either syntax, keyword and name optional:\n"
              "  Modeline \"2560x1440_44.00\"  222.75  2560 2720 2992 3424  1440 1443 1448 1479 -hsync +vsync\n"
              "  222.75 2560 2720 2992 3424 1440 1443 1448 1479 -HSync +VSync\n"
              "\n"
              "Limits: width 64-16384 (1-16384 in a modeline), height 48-16384, timings\n"
              "0-65535 in order (display <= sync start <= sync end <= total), pixel clock\n"
              "0.001-4294.967 MHz, names of letters, digits and _ . - + @ : (1-63).\n"
              "\n"
              "Options:\n"
              "      --modeline=TEXT  parse TEXT as a modeline\n"
              "      --format=F       cvt (default), xorg, xrandr or json\n"
              "  -h, --help           show this help\n"
              "\n"
              "Exit status: 0 success, 2 the spec or modeline is not valid.\n",
              f);
}

int cli_mode(int argc, char **argv)
{
        static const struct opt opts[] = {
                { "help", 'h', false, OPT_HELP },
                { "modeline", 0, true, OPT_MODELINE },
                { "format", 0, true, OPT_FORMAT },
                { 0 },
        };
        struct scan s = SCAN_INIT(argc, argv, 1, "one SPEC; quote a modeline and pass it with --modeline");
        enum format format = FORMAT_NATIVE;
        const char *spec_text, *modeline = NULL, *v;
        struct vmodes_spec spec;
        struct vmodes_error err;
        struct vmodes_mode m;
        int id;

        while ((id = scan_next(&s, opts, &v)) != -1) {
                switch (id) {
                case -2:
                        return CLI_EXIT_USAGE;
                case OPT_HELP:
                        mode_usage(stdout);
                        return CLI_EXIT_OK;
                case OPT_MODELINE:
                        modeline = v;
                        break;
                case OPT_FORMAT:
                        if (parse_format(v, false, &format) < 0)
                                return CLI_EXIT_USAGE;
                        if (format == FORMAT_JSON && cli_json_load() != CLI_EXIT_OK)
                                return CLI_EXIT_FAILURE;
                        break;
                }
        }
        spec_text = s.npos ? s.pos[0] : NULL;
        if (!!spec_text == !!modeline) {
                log_error(spec_text ? "give a SPEC or --modeline, not both" : "missing SPEC (or --modeline)");
                return CLI_EXIT_USAGE;
        }
        if (modeline) {
                if (vmodes_modeline_parse(modeline, &m, &err) < 0) {
                        log_error("%s", err.msg);
                        return CLI_EXIT_USAGE;
                }
        } else if (vmodes_spec_parse(spec_text, &spec, &err) < 0 || vmodes_spec_to_mode(&spec, &m, &err) < 0) {
                log_error("%s", err.msg);
                return CLI_EXIT_USAGE;
        }
        return print_mode(&m, format);
}
