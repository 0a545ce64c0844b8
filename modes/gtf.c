/* SPDX-License-Identifier: MIT */
/*
 * VESA Generalized Timing Formula, vertical-refresh input, default curve
 * (C = 40, M = 600, K = 128, J = 20), no margins.
 *
 * VMODES_GTF_VESA computes in double precision and rounds the pixel clock to
 * 1 kHz. VMODES_GTF_XSERVER repeats gtf(1)'s single-precision steps so that
 * its output can be compared byte for byte; its width is the requested width
 * rounded to the nearest multiple of 8, as gtf(1) prints it.
 *
 * In VESA mode a width that is not a multiple of 8 stays the active width;
 * the timings are those of the next multiple of 8 (see cvt.c).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "modes/modes.h"
#include "modes/util.h"

#define CELL_GRAN 8.0
#define MIN_PORCH 1
#define V_SYNC_RQD 3
#define H_SYNC_PERCENT 8.0
#define MIN_VSYNC_PLUS_BP 550.0
#define C_PRIME 30.0  /* ((C - J) * K / 256) + J */
#define M_PRIME 300.0 /* K / 256 * M */

struct gtf_result {
        double h_pixels, h_sync_start, h_sync_end, h_total;
        double v_lines, v_sync_start, v_sync_end, v_total;
        double pixel_freq, h_freq; /* MHz, kHz */
};

/* gtf(1)'s steps, each float variable a float here too. */
static bool gtf_single(int width, int height, float freq, struct gtf_result *out)
{
        float h_pixels_rnd = (float)(rint((float)width / CELL_GRAN) * CELL_GRAN);
        float v_lines_rnd = (float)rint((float)height);
        float v_field_rate_rqd = freq;
        float interlace = 0.0f;
        float h_period_est, vsync_plus_bp, total_v_lines, v_field_rate_est, h_period;
        float total_active_pixels, ideal_duty_cycle, h_blank, total_pixels, pixel_freq, h_freq;
        float h_sync, h_front_porch, v_odd_front_porch_lines;

        h_period_est = (float)(((1.0 / v_field_rate_rqd) - (MIN_VSYNC_PLUS_BP / 1000000.0)) /
                               (v_lines_rnd + (2 * 0.0f) + MIN_PORCH + interlace) * 1000000.0);
        if (!(h_period_est > 0.0f))
                return false;
        vsync_plus_bp = (float)rint(MIN_VSYNC_PLUS_BP / h_period_est);
        total_v_lines = v_lines_rnd + 0.0f + 0.0f + vsync_plus_bp + interlace + MIN_PORCH;
        v_field_rate_est = (float)(1.0 / h_period_est / total_v_lines * 1000000.0);
        h_period = h_period_est / (v_field_rate_rqd / v_field_rate_est);
        total_active_pixels = h_pixels_rnd + 0.0f + 0.0f;
        ideal_duty_cycle = (float)(C_PRIME - (M_PRIME * h_period / 1000.0));
        h_blank = (float)(rint(total_active_pixels * ideal_duty_cycle / (100.0 - ideal_duty_cycle) /
                               (2.0 * CELL_GRAN)) *
                          (2.0 * CELL_GRAN));
        total_pixels = total_active_pixels + h_blank;
        pixel_freq = total_pixels / h_period;
        h_freq = (float)(1000.0 / h_period);
        h_sync = (float)(rint(H_SYNC_PERCENT / 100.0 * total_pixels / CELL_GRAN) * CELL_GRAN);
        h_front_porch = (float)((h_blank / 2.0) - h_sync);
        v_odd_front_porch_lines = MIN_PORCH + interlace;

        out->h_pixels = (int)h_pixels_rnd;
        out->h_sync_start = (int)(h_pixels_rnd + h_front_porch);
        out->h_sync_end = (int)(h_pixels_rnd + h_front_porch + h_sync);
        out->h_total = (int)total_pixels;
        out->v_lines = (int)v_lines_rnd;
        out->v_sync_start = (int)(v_lines_rnd + v_odd_front_porch_lines);
        out->v_sync_end = (int)(v_lines_rnd + v_odd_front_porch_lines + V_SYNC_RQD);
        out->v_total = (int)total_v_lines;
        out->pixel_freq = pixel_freq;
        out->h_freq = h_freq;
        return true;
}

/* The VESA GTF text in double precision. */
static bool gtf_double(int width, int height, double freq, struct gtf_result *out)
{
        double h_pixels = ceil(width / CELL_GRAN) * CELL_GRAN;
        double v_lines = height;
        double h_period_est, v_sync_bp, total_v, v_field_rate_est, h_period, duty, h_blank, total_px;
        double h_sync;

        h_period_est = ((1.0 / freq) - MIN_VSYNC_PLUS_BP / 1000000.0) / (v_lines + MIN_PORCH) * 1000000.0;
        if (!(h_period_est > 0.0))
                return false;
        v_sync_bp = round(MIN_VSYNC_PLUS_BP / h_period_est);
        total_v = v_lines + v_sync_bp + MIN_PORCH;
        v_field_rate_est = 1.0 / h_period_est / total_v * 1000000.0;
        h_period = h_period_est / (freq / v_field_rate_est);
        duty = C_PRIME - (M_PRIME * h_period / 1000.0);
        h_blank = round(h_pixels * duty / (100.0 - duty) / (2 * CELL_GRAN)) * 2 * CELL_GRAN;
        total_px = h_pixels + h_blank;
        h_sync = round(H_SYNC_PERCENT / 100.0 * total_px / CELL_GRAN) * CELL_GRAN;

        out->h_pixels = h_pixels;
        out->h_sync_start = h_pixels + h_blank / 2.0 - h_sync;
        out->h_sync_end = h_pixels + h_blank / 2.0;
        out->h_total = total_px;
        out->v_lines = v_lines;
        out->v_sync_start = v_lines + MIN_PORCH;
        out->v_sync_end = v_lines + MIN_PORCH + V_SYNC_RQD;
        out->v_total = total_v;
        out->pixel_freq = total_px / h_period;
        out->h_freq = 1000.0 / h_period;
        return true;
}

int vmodes_gtf_compute(int width, int height, double refresh, enum vmodes_gtf_compat compat,
                       struct vmodes_mode *out, struct vmodes_gtf_info *info, struct vmodes_error *err)
{
        struct vmodes_mode m = { 0 };
        struct gtf_result g;
        bool ok;
        int r;

        r = vmodes_check_int(err, "width", width, VMODES_WIDTH_MIN, VMODES_WIDTH_MAX, NULL);
        if (r < 0)
                return r;
        r = vmodes_check_int(err, "height", height, VMODES_HEIGHT_MIN, VMODES_HEIGHT_MAX, NULL);
        if (r < 0)
                return r;
        r = vmodes_check_refresh(err, refresh);
        if (r < 0)
                return r;

        if (compat == VMODES_GTF_XSERVER)
                ok = gtf_single(width, height, (float)refresh, &g);
        else
                ok = gtf_double(width, height, refresh, &g);
        if (!ok)
                return vmodes_error_set(err, -ERANGE,
                                        "refresh %g Hz is too high for GTF: the frame period must exceed the %g us blanking",
                                        refresh, MIN_VSYNC_PLUS_BP);
        if (g.h_total > VMODES_TIMING_MAX || g.v_total > VMODES_TIMING_MAX)
                return vmodes_error_set(err, -ERANGE,
                                        "%dx%d at %g Hz needs %.0f x %.0f total pixels, more than the %d a mode can have",
                                        width, height, refresh, g.h_total, g.v_total, VMODES_TIMING_MAX);

        /* At low line rates the GTF duty cycle falls below the sync width
         * (GTF has no 20% floor as CVT has): the front porch turns negative. */
        if (g.h_sync_start < g.h_pixels || g.h_total <= g.h_pixels || g.h_sync_end > g.h_total)
                return vmodes_error_set(err, -ERANGE,
                                        "GTF has no valid timing for %dx%d at %g Hz: at a line rate of %.2f kHz its "
                                        "blanking formula gives a negative porch (use CVT: vmodes cvt)",
                                        width, height, refresh, g.h_freq);
        m.clock_hz = (uint64_t)llround(g.pixel_freq * 1000.0) * 1000;
        if (m.clock_hz < VMODES_CLOCK_HZ_MIN || m.clock_hz > VMODES_CLOCK_HZ_MAX)
                return vmodes_error_clock(err, width, height, refresh, m.clock_hz);
        m.hdisplay = (uint16_t)(compat == VMODES_GTF_XSERVER ? g.h_pixels : width);
        m.hsync_start = (uint16_t)g.h_sync_start;
        m.hsync_end = (uint16_t)g.h_sync_end;
        m.htotal = (uint16_t)g.h_total;
        m.vdisplay = (uint16_t)g.v_lines;
        m.vsync_start = (uint16_t)g.v_sync_start;
        m.vsync_end = (uint16_t)g.v_sync_end;
        m.vtotal = (uint16_t)g.v_total;
        m.flags = VMODES_FLAG_NHSYNC | VMODES_FLAG_PVSYNC;
        m.method = VMODES_METHOD_GTF;
        if (compat == VMODES_GTF_XSERVER)
                vmodes_mode_name(m.name, sizeof(m.name), m.hdisplay, m.vdisplay, "", (double)(float)refresh, 2, "");
        else
                vmodes_mode_name(m.name, sizeof(m.name), (unsigned)width, (unsigned)height, "G", refresh, 0, "");
        r = vmodes_mode_validate(&m, err);
        if (r < 0)
                return r;
        *out = m;
        if (info) {
                info->refresh = compat == VMODES_GTF_XSERVER ? (double)(float)refresh : refresh;
                info->hfreq_khz = g.h_freq;
                info->pclk_mhz = g.pixel_freq;
        }
        return 0;
}
