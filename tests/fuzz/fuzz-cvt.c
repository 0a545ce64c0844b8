/* SPDX-License-Identifier: MIT */
/* libFuzzer target: CVT and GTF with arbitrary parameters. Whatever goes in,
 * the result is an error or a valid mode (no wrapped numbers). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modes/modes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct {
                int32_t width, height;
                double refresh;
                uint8_t reduced, flags;
                int16_t hblank, vblank;
        } in;
        struct vmodes_cvt_params p;
        struct vmodes_cvt_info info;
        struct vmodes_gtf_info ginfo;
        struct vmodes_mode m;
        struct vmodes_error err;
        char buf[512];

        if (size < sizeof(in))
                return 0;
        memcpy(&in, data, sizeof(in));
        vmodes_cvt_params_init(&p, in.width, in.height, in.refresh);
        p.reduced = in.reduced % 5;
        p.interlaced = in.flags & 1;
        p.video_optimized = in.flags & 2;
        p.rb3_early_vsync = in.flags & 4;
        p.compat = (in.flags & 8) ? VMODES_CVT_XCVT_0_1_2 : VMODES_CVT_VESA;
        p.rb3_extra_hblank = in.hblank;
        p.rb3_vblank_us = in.vblank;
        if (vmodes_cvt_compute(&p, &m, &info, &err) == 0) {
                if (vmodes_mode_validate(&m, &err) != 0 || vmodes_format_cvt(buf, sizeof(buf), &m, &info) != 0)
                        abort();
                if (!isfinite(info.refresh) || info.refresh <= 0)
                        abort();
        } else if (!err.msg[0]) {
                abort(); /* every failure explains itself */
        }
        if (vmodes_gtf_compute(in.width, in.height, in.refresh, (in.flags & 16) ? VMODES_GTF_XSERVER : VMODES_GTF_VESA,
                               &m, &ginfo, &err) == 0) {
                if (vmodes_mode_validate(&m, &err) != 0)
                        abort();
        }
        return 0;
}
