/* SPDX-License-Identifier: MIT */
/*
 * Instructions per computed CVT mode: vmodes_cvt_compute() (VESA and libxcvt
 * 0.1.2 compatibility) against libxcvt_gen_mode_info(), over the same inputs.
 * Run under callgrind by tests/bench/bench-cvt.sh, which counts each loop
 * function separately (--toggle-collect) and prints the ratio.
 *
 *   bench-cvt [N]   compute N modes per implementation (default 20000)
 */
#include <stdio.h>
#include <stdlib.h>

#include <libxcvt/libxcvt.h>

#include "modes/modes.h"

struct input {
        int w, h;
        float r;
        bool reduced;
};

static volatile unsigned long sink;

/* Timings only: the same work libxcvt_gen_mode_info() does. */
__attribute__((noinline)) void bench_loop_vmodes(const struct input *in, int n, enum vmodes_cvt_compat compat);
__attribute__((noinline)) void bench_loop_vmodes(const struct input *in, int n, enum vmodes_cvt_compat compat)
{
        for (int i = 0; i < n; i++) {
                struct vmodes_cvt_params p;
                struct vmodes_mode m;

                vmodes_cvt_params_init(&p, in[i].w, in[i].h, in[i].r);
                p.reduced = in[i].reduced;
                p.compat = compat;
                if (vmodes_cvt_timings(&p, &m, NULL, NULL) == 0)
                        sink += m.htotal;
        }
}

/* Timings and the mode's name (vmodes_cvt_compute), for the record. */
__attribute__((noinline)) void bench_loop_vmodes_named(const struct input *in, int n);
__attribute__((noinline)) void bench_loop_vmodes_named(const struct input *in, int n)
{
        for (int i = 0; i < n; i++) {
                struct vmodes_cvt_params p;
                struct vmodes_mode m;

                vmodes_cvt_params_init(&p, in[i].w, in[i].h, in[i].r);
                p.reduced = in[i].reduced;
                if (vmodes_cvt_compute(&p, &m, NULL, NULL) == 0)
                        sink += m.htotal + (unsigned char)m.name[0];
        }
}

__attribute__((noinline)) void bench_loop_xcvt(const struct input *in, int n);
__attribute__((noinline)) void bench_loop_xcvt(const struct input *in, int n)
{
        for (int i = 0; i < n; i++) {
                struct libxcvt_mode_info *m = libxcvt_gen_mode_info(in[i].w, in[i].h, in[i].r, in[i].reduced, false);
                if (m) {
                        sink += m->htotal;
                        free(m);
                }
        }
}

int main(int argc, char **argv)
{
        int n = argc > 1 ? atoi(argv[1]) : 20000;
        struct input *in = calloc((size_t)n, sizeof(*in));
        unsigned seed = 1;

        if (!in || n <= 0)
                return 1;
        for (int i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                in[i].w = 640 + (int)(seed >> 8) % 480 * 8;
                seed = seed * 1103515245u + 12345u;
                in[i].h = 480 + (int)(seed >> 8) % 1700;
                seed = seed * 1103515245u + 12345u;
                in[i].reduced = (seed >> 20) % 4 == 0;
                in[i].r = in[i].reduced ? 60.0f : 24.0f + (float)((seed >> 8) % 1210) / 10.0f;
        }
        bench_loop_vmodes(in, n, VMODES_CVT_VESA);
        bench_loop_vmodes(in, n, VMODES_CVT_XCVT_0_1_2);
        bench_loop_xcvt(in, n);
        bench_loop_vmodes_named(in, n);
        printf("%d modes per implementation (%lu)\n", n, sink);
        free(in);
        return 0;
}
