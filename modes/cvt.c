/* SPDX-License-Identifier: MIT */
/*
 * VESA Coordinated Video Timings.
 *
 * Standard blanking (and, in compatibility mode, reduced blanking v1) is
 * computed with the single-precision arithmetic of the CVT 1.1 spreadsheet
 * as libxcvt implements it, so that results agree with libxcvt to the last
 * 250 kHz step. VMODES_CVT_VESA applies libxcvt 0.1.3's two corrections:
 *   - the hsync start is the sync end minus the sync width rounded down to
 *     the 8-pixel cell (0.1.2 added a whole cell when it was aligned already);
 *   - the vertical back porch is at least 6 lines (0.1.2 allowed 3).
 * VMODES_CVT_XCVT_0_1_2 keeps both bugs and cvt(1)'s width handling (round a
 * width up to the next multiple of 8 and report it; 1360x768 becomes 1366x768).
 *
 * Reduced blanking v1, v2 and v3 in VESA mode follow CVT 1.2 / 2.0 in double
 * precision: the pixel clock is the requested field rate times the total
 * lines and pixels, rounded down to 0.25 MHz (v1), down to 0.001 MHz (v2) or
 * up to 0.001 MHz (v3).
 *
 * In VESA mode a width that is not a multiple of 8 keeps its exact value as
 * the active width: the timings are those of the next multiple of 8 and the
 * front porch takes the difference (RB v2 has a 1-pixel cell and needs none).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "modes/modes.h"
#include "modes/util.h"

/* CVT constants (VESA CVT 1.2 / 2.0 names in comments). */
#define CELL_GRAN 8               /* C_CELL_GRAN_RND */
#define MIN_V_PORCH 3             /* C_MIN_V_PORCH_RND */
#define MIN_V_BPORCH 6            /* C_MIN_V_BPORCH */
#define MIN_VSYNC_BP 550.0        /* C_MIN_VSYNC_BP, us */
#define RB_MIN_VBLANK 460.0       /* C_RB_MIN_V_BLANK, us */
#define CLOCK_STEP_KHZ 250        /* C_CLOCK_STEP for standard and RB v1 */

void vmodes_cvt_params_init(struct vmodes_cvt_params *p, int width, int height, double refresh)
{
        memset(p, 0, sizeof(*p));
        p->width = width;
        p->height = height;
        p->refresh = refresh;
}

/* CVT's vsync width from the aspect ratio; 0 aspect code for "custom". */
static int cvt_vsync_lines(unsigned h, unsigned v, char *aspect)
{
        char a = 0;
        int lines = 10;

        if (!(v % 3) && v * 4 / 3 == h) {
                lines = 4;
                a = '3';
        } else if (!(v % 9) && v * 16 / 9 == h) {
                lines = 5;
                a = '9';
        } else if (!(v % 10) && v * 16 / 10 == h) {
                lines = 6;
                a = 'A';
        } else if (!(v % 4) && v * 5 / 4 == h) {
                lines = 7;
                a = '4';
        } else if (!(v % 9) && v * 15 / 9 == h) {
                lines = 7;
                a = '9';
        }
        if (aspect)
                *aspect = a;
        return lines;
}

static bool cvt_rate_is_standard(float refresh)
{
        return refresh == 50.0f || refresh == 60.0f || refresh == 75.0f || refresh == 85.0f;
}

static int cvt_check_params(const struct vmodes_cvt_params *p, struct vmodes_error *err)
{
        int r;

        r = vmodes_check_int(err, "width", p->width, VMODES_WIDTH_MIN, VMODES_WIDTH_MAX, NULL);
        if (r < 0)
                return r;
        r = vmodes_check_int(err, "height", p->height, VMODES_HEIGHT_MIN, VMODES_HEIGHT_MAX, NULL);
        if (r < 0)
                return r;
        if (p->refresh != 0.0) {
                r = vmodes_check_refresh(err, p->refresh);
                if (r < 0)
                        return r;
        }
        if (p->reduced < 0 || p->reduced > 3)
                return vmodes_error_set(err, -EINVAL,
                                        "reduced blanking version %d is out of range (0 for none, 1, 2 or 3)",
                                        p->reduced);
        if (p->interlaced && p->reduced > 1)
                return vmodes_error_set(err, -EINVAL,
                                        "interlace is defined for standard blanking and reduced blanking v1 only, not v%d",
                                        p->reduced);
        if (p->video_optimized && p->reduced != 2)
                return vmodes_error_set(err, -EINVAL,
                                        "the video-optimized rate (x 1000/1001) exists for reduced blanking v2 only");
        if (p->reduced != 3 && (p->rb3_extra_hblank || p->rb3_vblank_us || p->rb3_early_vsync))
                return vmodes_error_set(err, -EINVAL,
                                        "extra blanking and early vsync exist for reduced blanking v3 only");
        if (p->rb3_extra_hblank < 0 || p->rb3_extra_hblank > 120 || p->rb3_extra_hblank % 8)
                return vmodes_error_set(err, -EINVAL,
                                        "extra horizontal blanking %d is out of range (0 to 120 pixels in steps of 8)",
                                        p->rb3_extra_hblank);
        if (p->rb3_vblank_us != 0 && (p->rb3_vblank_us < 460 || p->rb3_vblank_us > 10000))
                return vmodes_error_set(err, -EINVAL,
                                        "minimum vertical blanking %d us is out of range (460 to 10000 us)",
                                        p->rb3_vblank_us);
        if (p->compat == VMODES_CVT_XCVT_0_1_2 && p->reduced > 1)
                return vmodes_error_set(err, -EINVAL,
                                        "libxcvt 0.1.2 knows no reduced blanking v%d; drop the compatibility switch",
                                        p->reduced);
        if (p->compat == VMODES_CVT_XCVT_0_1_2 && p->reduced == 1 &&
            /* cvt(1)'s own test, on its single-precision rate */
            (float)(p->refresh == 0.0 ? 60.0 : p->refresh) / 60.0 !=
                    floor((float)(p->refresh == 0.0 ? 60.0 : p->refresh) / 60.0))
                return vmodes_error_set(err, -EINVAL,
                                        "refresh %g Hz: cvt's reduced blanking needs a multiple of 60 Hz (60, 120, 180, ...)",
                                        p->refresh);
        return 0;
}

/* Mode name: cvt's forms where cvt has one, "WxH<method>_<rate>" otherwise. */
static void cvt_name(struct vmodes_mode *m, int width, int height, double refresh,
                     int reduced, bool interlaced)
{
        static const char *const method[] = { "", "R", "R2", "R3" };

        vmodes_mode_name(m->name, sizeof(m->name), (unsigned)width, (unsigned)height, method[reduced],
                         reduced == 1 && refresh == 60.0 ? 0.0 : refresh, 0, interlaced ? "i" : "");
}

/*
 * The CVT 1.1 spreadsheet in libxcvt's single-precision arithmetic. Each
 * float temporary mirrors a float variable of that implementation, so that
 * the rounding of every intermediate value is the same. Long because: it
 * is the spreadsheet's steps in their order, one after the other, which
 * is how it is checked against the standard; split, the float
 * temporaries would travel between functions.
 */
static int cvt_single(const struct vmodes_cvt_params *p, int width, bool fixed,
                      struct vmodes_mode *m, struct vmodes_cvt_info *info, struct vmodes_error *err)
{
        const bool reduced = p->reduced == 1;
        const bool interlaced = p->interlaced;
        float vrefresh = p->refresh == 0.0 ? 60.0f : (float)p->refresh;
        float vfield_rate = interlaced ? vrefresh * 2 : vrefresh;
        unsigned hdisplay = (unsigned)(width - width % CELL_GRAN);
        unsigned vdisplay = (unsigned)p->height;
        int vdisplay_rnd = interlaced ? p->height / 2 : p->height;
        float interlace = interlaced ? 0.5f : 0.0f;
        int vsync = cvt_vsync_lines(hdisplay, vdisplay, NULL);
        float hperiod;
        long htotal, hsync_start, hsync_end, vtotal;
        uint64_t dot_clock;

        if (!reduced) {
                int vsync_bp, hblank;
                float hblank_percentage;

                hperiod = ((float)(1000000.0 / vfield_rate - MIN_VSYNC_BP)) /
                          (vdisplay_rnd + MIN_V_PORCH + interlace);
                if (!(hperiod > 0.0f))
                        goto too_fast;
                vsync_bp = (int)(MIN_VSYNC_BP / hperiod) + 1;
                if (vsync_bp < vsync + (fixed ? MIN_V_BPORCH : MIN_V_PORCH))
                        vsync_bp = vsync + (fixed ? MIN_V_BPORCH : MIN_V_PORCH);
                vtotal = (long)(vdisplay_rnd + vsync_bp + interlace + MIN_V_PORCH);

                /* C' = 30, M' = 300: blanking duty cycle in percent. */
                hblank_percentage = (float)(30 - 300 * hperiod / 1000.0);
                if (hblank_percentage < 20)
                        hblank_percentage = 20;
                hblank = (int)(hdisplay * hblank_percentage / (100.0 - hblank_percentage));
                hblank -= hblank % (2 * CELL_GRAN);

                htotal = (long)hdisplay + hblank;
                hsync_end = (long)hdisplay + hblank / 2;
                if (fixed) {
                        long hsync_w = htotal * 8 / 100;
                        hsync_start = hsync_end - (hsync_w - hsync_w % CELL_GRAN);
                } else {
                        hsync_start = hsync_end - htotal * 8 / 100;
                        hsync_start += CELL_GRAN - hsync_start % CELL_GRAN;
                }
        } else {
                int vbi_lines;

                hperiod = ((float)(1000000.0 / vfield_rate - RB_MIN_VBLANK)) / vdisplay_rnd;
                if (!(hperiod > 0.0f))
                        goto too_fast;
                vbi_lines = (int)((float)RB_MIN_VBLANK / hperiod + 1);
                if (vbi_lines < 3 + vsync + MIN_V_BPORCH)
                        vbi_lines = 3 + vsync + MIN_V_BPORCH;
                vtotal = (long)(vdisplay_rnd + interlace + vbi_lines);
                htotal = (long)hdisplay + 160;
                hsync_end = (long)hdisplay + 80;
                hsync_start = hsync_end - 32;
        }

        if (htotal > VMODES_TIMING_MAX || vtotal * (interlaced ? 2 : 1) > VMODES_TIMING_MAX)
                return vmodes_error_set(err, -ERANGE,
                                        "%dx%d at %g Hz needs %ld x %ld total pixels, more than the %d a mode can have",
                                        p->width, p->height, (double)vrefresh, htotal, vtotal * (interlaced ? 2 : 1),
                                        VMODES_TIMING_MAX);

        dot_clock = (uint64_t)(htotal * 1000.0 / hperiod);
        dot_clock -= dot_clock % CLOCK_STEP_KHZ;
        if (dot_clock * 1000 > VMODES_CLOCK_HZ_MAX || dot_clock == 0)
                return vmodes_error_clock(err, p->width, p->height, vrefresh, dot_clock * 1000);

        m->clock_hz = dot_clock * 1000;
        m->htotal = (uint16_t)htotal;
        m->hsync_start = (uint16_t)hsync_start;
        m->hsync_end = (uint16_t)hsync_end;
        m->hdisplay = (uint16_t)hdisplay;
        m->vdisplay = (uint16_t)vdisplay;
        m->vsync_start = (uint16_t)(vdisplay + (unsigned)MIN_V_PORCH);
        m->vsync_end = (uint16_t)(m->vsync_start + vsync);
        m->vtotal = (uint16_t)vtotal;
        if (info) {
                float hsync = (float)dot_clock / (float)htotal;
                float refresh = (float)(1000.0 * (float)dot_clock / (float)(htotal * vtotal));

                info->hfreq_khz = hsync;
                info->refresh = refresh;
        }
        if (interlaced)
                m->vtotal *= 2;
        m->flags = reduced ? VMODES_FLAG_PHSYNC | VMODES_FLAG_NVSYNC : VMODES_FLAG_NHSYNC | VMODES_FLAG_PVSYNC;
        if (interlaced)
                m->flags |= VMODES_FLAG_INTERLACE;
        return 0;

too_fast:
        return vmodes_error_set(err, -ERANGE,
                                "refresh %g Hz is too high for CVT%s%s: the field period must exceed the %g us blanking",
                                (double)vrefresh, reduced ? " reduced blanking" : "",
                                interlaced ? " interlaced" : "", reduced ? RB_MIN_VBLANK : MIN_VSYNC_BP);
}

/* Reduced blanking v1/v2/v3 after CVT 1.2 / 2.0, double precision. */
static int cvt_reduced(const struct vmodes_cvt_params *p, int width,
                       struct vmodes_mode *m, struct vmodes_cvt_info *info, struct vmodes_error *err)
{
        const int rb = p->reduced;
        const bool interlaced = p->interlaced;
        double refresh = p->refresh == 0.0 ? 60.0 : p->refresh;
        double field_rate = interlaced ? refresh * 2 : refresh;
        double cell = rb == 2 ? 1 : CELL_GRAN;
        double h_pixels = floor(width / cell) * cell;
        double v_lines = interlaced ? floor(p->height / 2.0) : p->height;
        double interlace = interlaced ? 0.5 : 0.0;
        double min_vblank = RB_MIN_VBLANK;
        double h_blank = rb == 1 ? 160 : 80;
        double v_fporch_min = rb == 1 ? 3 : 1;
        double multiplier = (rb == 2 && p->video_optimized) ? 1000.0 / 1001.0 : 1.0;
        double clock_step = rb == 1 ? 0.25 : 0.001;
        double h_period, vbi_lines, min_vbi, v_blank, total_v, total_px, freq, pixel_freq;
        double v_sync, v_bporch, h_fporch;
        uint64_t clock_hz;

        if (rb == 3) {
                h_blank += p->rb3_extra_hblank;
                if (p->rb3_vblank_us > 0)
                        min_vblank = p->rb3_vblank_us;
        }
        v_sync = rb == 1 ? cvt_vsync_lines((unsigned)h_pixels, (unsigned)p->height, NULL) : 8;
        v_bporch = MIN_V_BPORCH;

        h_period = (1000000.0 / field_rate - min_vblank) / v_lines;
        if (!(h_period > 0.0))
                return vmodes_error_set(err, -ERANGE,
                                        "refresh %g Hz is too high for reduced blanking: the field period must exceed the %g us blanking",
                                        refresh, min_vblank);
        vbi_lines = floor(min_vblank / h_period) + 1;
        min_vbi = v_fporch_min + v_sync + v_bporch;
        v_blank = vbi_lines < min_vbi ? min_vbi : vbi_lines;
        total_v = v_blank + v_lines + interlace;
        if (rb == 3 && p->rb3_early_vsync) {
                v_bporch = floor(vbi_lines / 2.0);
                if (v_blank - v_bporch - v_sync < v_fporch_min)
                        v_bporch = v_blank - v_sync - v_fporch_min;
        }
        total_px = h_blank + h_pixels;
        if (total_px > VMODES_TIMING_MAX || total_v * (interlaced ? 2 : 1) > VMODES_TIMING_MAX)
                return vmodes_error_set(err, -ERANGE,
                                        "%dx%d at %g Hz needs %.0f x %.0f total pixels, more than the %d a mode can have",
                                        p->width, p->height, refresh, total_px, total_v * (interlaced ? 2 : 1),
                                        VMODES_TIMING_MAX);
        freq = field_rate * total_v * total_px * multiplier;
        if (rb == 3)
                pixel_freq = ceil(freq / 1000000.0 / clock_step) * clock_step;
        else
                pixel_freq = floor(freq / 1000000.0 / clock_step) * clock_step;
        /* pixel_freq is a multiple of the step in MHz: round to whole Hz. */
        clock_hz = (uint64_t)llround(pixel_freq * 1000000.0);
        if (clock_hz > VMODES_CLOCK_HZ_MAX || clock_hz < VMODES_CLOCK_HZ_MIN)
                return vmodes_error_clock(err, p->width, p->height, refresh, clock_hz);

        h_fporch = rb == 1 ? h_blank / 2 - 32 : 8;
        m->clock_hz = clock_hz;
        m->hdisplay = (uint16_t)h_pixels;
        m->hsync_start = (uint16_t)(h_pixels + h_fporch);
        m->hsync_end = (uint16_t)(m->hsync_start + 32);
        m->htotal = (uint16_t)total_px;
        m->vdisplay = (uint16_t)p->height;
        /* RB v1 has a fixed front porch and a back porch that takes the rest
         * of the blanking; v2 and v3 a fixed back porch and the front porch. */
        m->vsync_start = (uint16_t)(p->height + (rb == 1 ? v_fporch_min : v_blank - v_bporch - v_sync));
        m->vsync_end = (uint16_t)(m->vsync_start + v_sync);
        m->vtotal = (uint16_t)(interlaced ? 2 * floor(total_v) : total_v);
        m->flags = VMODES_FLAG_PHSYNC | VMODES_FLAG_NVSYNC;
        if (interlaced)
                m->flags |= VMODES_FLAG_INTERLACE;
        if (info) {
                info->hfreq_khz = (double)clock_hz / total_px / 1000.0;
                info->refresh = (double)clock_hz / (total_px * total_v);
        }
        return 0;
}

/* The width the timings are made for: the requested one rounded up to the
 * character cell (RB v2 has a 1-pixel cell). */
static int cvt_timing_width(const struct vmodes_cvt_params *p)
{
        int width = p->width;

        if (p->reduced != 2 && width % CELL_GRAN)
                width += CELL_GRAN - width % CELL_GRAN;
        return width;
}

int vmodes_cvt_timings(const struct vmodes_cvt_params *p, struct vmodes_mode *out,
                       struct vmodes_cvt_info *info, struct vmodes_error *err)
{
        struct vmodes_cvt_info i;
        const bool compat = p->compat == VMODES_CVT_XCVT_0_1_2;
        int width, r;

        r = cvt_check_params(p, err);
        if (r < 0)
                return r;
        width = cvt_timing_width(p); /* in range now: no overflow */

        out->name[0] = 0;
        if (p->reduced == 0 || compat)
                r = cvt_single(p, width, !compat, out, &i, err);
        else
                r = cvt_reduced(p, width, out, &i, err);
        if (r < 0)
                return r;

        if (compat) {
                /* cvt(1): the rounded width is the mode's width, and the
                 * "FWXGA" fix-up turns 1360x768 into 1366x768. */
                if (out->hdisplay == 1360 && out->vdisplay == 768) {
                        out->hdisplay = 1366;
                        out->hsync_start--;
                        out->hsync_end--;
                }
        } else {
                out->hdisplay = (uint16_t)p->width;
        }
        out->method = (enum vmodes_method)(VMODES_METHOD_CVT + p->reduced);

        if (info) {
                double refresh = p->refresh == 0.0 ? 60.0 : p->refresh;

                /* The label describes the timings: the aspect of the width they were made for. */
                cvt_vsync_lines((unsigned)width, (unsigned)p->height, &i.aspect);
                i.is_standard = i.aspect != 0 && cvt_rate_is_standard((float)refresh) &&
                                (compat || p->reduced < 2);
                *info = i;
        }
        /* A safety net: the arithmetic above keeps every value in range. */
        return vmodes_mode_validate_timings(out, err);
}

int vmodes_cvt_compute(const struct vmodes_cvt_params *p, struct vmodes_mode *out,
                       struct vmodes_cvt_info *info, struct vmodes_error *err)
{
        struct vmodes_mode m;
        double refresh = p->refresh == 0.0 ? 60.0 : p->refresh;
        int r;

        r = vmodes_cvt_timings(p, &m, info, err);
        if (r < 0)
                return r;
        if (p->compat == VMODES_CVT_XCVT_0_1_2)
                vmodes_mode_name(m.name, sizeof(m.name), (unsigned)cvt_timing_width(p), (unsigned)p->height,
                                 p->reduced ? "R" : "", p->reduced ? 0.0 : (double)(float)refresh, 2, "");
        else
                cvt_name(&m, p->width, p->height, refresh, p->reduced, p->interlaced);
        *out = m;
        return 0;
}
