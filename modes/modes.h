/* SPDX-License-Identifier: MIT */
/*
 * vmodes mode-timing library: VESA CVT (standard, reduced blanking v1/v2/v3),
 * GTF, the DMT table, mode names, modeline formatting and parsing.
 *
 * Pure: no I/O, no globals, no allocation, no dependencies beyond libc/libm.
 * Every function that can fail returns 0 or a negative errno (-EINVAL for a
 * value out of range or a syntax error, -ERANGE for a result that does not fit
 * the limits below) and, when given a struct vmodes_error, fills it with one
 * line naming the bad value and the accepted range.
 *
 * Limits (VMODES_*_MIN/MAX below) keep every result meaningful: all timing
 * values fit RandR's 16-bit fields and the pixel clock fits its 32-bit Hz
 * field, so nothing is ever wrapped or truncated.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMODES_WIDTH_MIN 64
#define VMODES_WIDTH_MAX 16384
#define VMODES_HEIGHT_MIN 48
#define VMODES_HEIGHT_MAX 16384
#define VMODES_REFRESH_MIN 10.0   /* Hz */
#define VMODES_REFRESH_MAX 1000.0 /* Hz */
#define VMODES_TIMING_MAX 65535   /* RandR/DRM 16-bit timing fields */
#define VMODES_CLOCK_HZ_MIN 1000ULL         /* 0.001 MHz */
#define VMODES_CLOCK_HZ_MAX 4294967295ULL   /* RandR's 32-bit dotClock in Hz */
#define VMODES_NAME_MAX 64                  /* bytes, including the NUL */

/* Mode flags; the values match RandR's RR_* mode flags. */
enum vmodes_flag {
        VMODES_FLAG_PHSYNC = 1 << 0,
        VMODES_FLAG_NHSYNC = 1 << 1,
        VMODES_FLAG_PVSYNC = 1 << 2,
        VMODES_FLAG_NVSYNC = 1 << 3,
        VMODES_FLAG_INTERLACE = 1 << 4,
        VMODES_FLAG_DBLSCAN = 1 << 5,
};

/* How a mode's timings were made. */
enum vmodes_method {
        VMODES_METHOD_CVT,     /* CVT standard blanking */
        VMODES_METHOD_CVT_RB1, /* CVT reduced blanking v1 */
        VMODES_METHOD_CVT_RB2, /* CVT reduced blanking v2 */
        VMODES_METHOD_CVT_RB3, /* CVT reduced blanking v3 */
        VMODES_METHOD_GTF,     /* VESA GTF (default secondary curve off) */
        VMODES_METHOD_DMT,     /* a VESA DMT table entry */
        VMODES_METHOD_CUSTOM,  /* given as a modeline */
};

/* One display mode. Vertical values of interlaced modes count frame lines,
 * as X modelines do. */
struct vmodes_mode {
        uint64_t clock_hz;
        uint16_t hdisplay, hsync_start, hsync_end, htotal;
        uint16_t vdisplay, vsync_start, vsync_end, vtotal;
        uint32_t flags; /* enum vmodes_flag */
        enum vmodes_method method;
        char name[VMODES_NAME_MAX];
};

/* A one-line, human-readable reason for a failure. */
struct vmodes_error {
        char msg[256];
};

/* Fill err (if any) with a formatted one-line message; return r. For
 * callers that report their own errors through struct vmodes_error. The
 * message is always valid UTF-8 on one line: a control byte or a byte that
 * is not part of valid UTF-8 becomes '?' (quote outside text with
 * vmodes_excerpt() first, which says what the bytes were). */
int vmodes_error_set(struct vmodes_error *err, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Outside text made safe to quote in a message: the len bytes at text
 * (which may hold NULs) with printable ASCII kept and every other byte,
 * and the backslash, written as \xHH; cut with "..." so that it fits in
 * size bytes (size >= 8). Returns buf. */
const char *vmodes_excerpt(char *buf, size_t size, const char *text, size_t len);
/* The length of the longest prefix of the len bytes at s that is valid
 * UTF-8 (strict: no overlong forms, no surrogates, nothing above
 * U+10FFFF); len when all of it is. */
size_t vmodes_utf8_valid_prefix(const char *s, size_t len);

/* ---- mode.c: derived values, names, output formats ------------------------ */

/* Refresh rate as X reports it (field rate for interlaced modes), Hz. */
double vmodes_mode_refresh(const struct vmodes_mode *m);
/* Line rate, kHz. */
double vmodes_mode_hfreq_khz(const struct vmodes_mode *m);
/* Check every field against the limits above and the ordering
 * display <= sync_start <= sync_end <= total. */
int vmodes_mode_validate(const struct vmodes_mode *m, struct vmodes_error *err);
/* The same checks, the name excepted. */
int vmodes_mode_validate_timings(const struct vmodes_mode *m, struct vmodes_error *err);
/* Same timings and flags (names ignored). */
bool vmodes_mode_equal_timings(const struct vmodes_mode *a, const struct vmodes_mode *b);

/* Pixel clock in MHz as text: two decimals when the clock is a multiple of
 * 10 kHz (like cvt), else three or as many as needed. */
void vmodes_format_clock(char *buf, size_t size, uint64_t clock_hz);

/* `Modeline "name"  clock  h... v... flags` (an xorg.conf line, no newline). */
int vmodes_format_xorg(char *buf, size_t size, const struct vmodes_mode *m);
/* The arguments of `xrandr --newmode` (quoted name first, no newline). */
int vmodes_format_xrandr(char *buf, size_t size, const struct vmodes_mode *m);
struct vmodes_cvt_info;
/* cvt(1)'s two lines: a "# WxH R Hz (CVT ...) hsync: ...; pclk: ..." comment
 * and a Modeline, each ending in a newline. info (may be NULL) supplies the
 * rates as the computation reported them and the CVT standard label. */
int vmodes_format_cvt(char *buf, size_t size, const struct vmodes_mode *m,
                      const struct vmodes_cvt_info *info);

/* ---- cvt.c: VESA Coordinated Video Timings --------------------------------- */

enum vmodes_cvt_compat {
        VMODES_CVT_VESA = 0,       /* the VESA text (as libxcvt 0.1.3 for standard blanking) */
        VMODES_CVT_XCVT_0_1_2 = 1, /* libxcvt 0.1.2 and its cvt(1), bugs included */
};

struct vmodes_cvt_params {
        int width, height;  /* requested active size */
        double refresh;     /* requested rate in Hz (frame rate when interlaced); 0 = 60 */
        int reduced;        /* 0 standard blanking, 1, 2 or 3: reduced blanking version */
        bool interlaced;    /* standard blanking and RB v1 only */
        bool video_optimized; /* RB v2: refresh * 1000/1001 */
        int rb3_extra_hblank; /* RB v3: extra horizontal blanking, 0..120 in steps of 8 */
        int rb3_vblank_us;    /* RB v3: minimum vertical blanking in us, 0 = 460, else >= 460 */
        bool rb3_early_vsync; /* RB v3: vsync early in the blanking */
        enum vmodes_cvt_compat compat;
};

/* What cvt(1) prints about a mode beside its timings. */
struct vmodes_cvt_info {
        double refresh;  /* the achieved rate as computed (field rate when interlaced) */
        double hfreq_khz;
        bool is_standard;   /* a CVT standard aspect ratio and rate */
        char aspect;        /* '3', '9', 'A', '4' or 0: CVT aspect code */
};

void vmodes_cvt_params_init(struct vmodes_cvt_params *p, int width, int height, double refresh);
/* The mode with its name (cvt's names where cvt has them, see README). */
int vmodes_cvt_compute(const struct vmodes_cvt_params *p, struct vmodes_mode *out,
                       struct vmodes_cvt_info *info, struct vmodes_error *err);
/* The same timings without a name (out->name is empty): for callers that
 * compare or apply timings and name modes themselves. */
int vmodes_cvt_timings(const struct vmodes_cvt_params *p, struct vmodes_mode *out,
                       struct vmodes_cvt_info *info, struct vmodes_error *err);

/* ---- gtf.c: VESA Generalized Timing Formula -------------------------------- */

enum vmodes_gtf_compat {
        VMODES_GTF_VESA = 0,  /* the VESA GTF text in double precision */
        VMODES_GTF_XSERVER = 1, /* gtf(1) from xserver-xorg-core: single precision */
};

struct vmodes_gtf_info {
        double refresh;   /* requested rate (gtf(1) prints it) */
        double hfreq_khz;
        double pclk_mhz;  /* unrounded pixel clock */
};

int vmodes_gtf_compute(int width, int height, double refresh,
                       enum vmodes_gtf_compat compat, struct vmodes_mode *out,
                       struct vmodes_gtf_info *info, struct vmodes_error *err);

/* ---- dmt.c: the VESA DMT table --------------------------------------------- */

struct vmodes_dmt {
        uint8_t id;
        bool reduced; /* reduced blanking entry */
        struct vmodes_mode mode;
};

size_t vmodes_dmt_count(void);
const struct vmodes_dmt *vmodes_dmt_at(size_t i);
const struct vmodes_dmt *vmodes_dmt_by_id(unsigned id);
/* The entry of that size whose rate is nearest to refresh (within 0.5 Hz; a
 * refresh of 0 means 60 Hz); prefer_reduced picks the RB entry when both
 * exist. NULL when there is none. */
const struct vmodes_dmt *vmodes_dmt_find(int width, int height, double refresh, bool prefer_reduced);

/* ---- spec.c: user mode specs ----------------------------------------------- */

/*
 * Grammar (case-insensitive letters):
 *   SPEC   := WIDTH "x" HEIGHT [METHOD] ["@" RATE] ["i"]
 *   METHOD := "M" (CVT, the default) | "R" | "R1" (CVT reduced blanking v1)
 *           | "R2" | "R3" (CVT reduced blanking v2, v3) | "G" (GTF) | "D" (DMT)
 *   RATE   := decimal number of Hz, up to 3 decimals; default 60
 * Examples: 2560x1440  2560x1440@44  1920x1080@59.94  1920x1080R  2560x1440R2@44
 *           1920x1080@60i  1024x768D@75
 */
struct vmodes_spec {
        int width, height;
        double refresh;      /* 0 when none was given */
        enum vmodes_method method;
        bool interlaced;
};

int vmodes_spec_parse(const char *text, struct vmodes_spec *out, struct vmodes_error *err);
/* A refresh rate as specs write it, the whole text: a decimal number of Hz
 * with at most 3 decimals ("44", "59.94"; no sign, exponent, hex or
 * spaces), VMODES_REFRESH_MIN to VMODES_REFRESH_MAX. *hz is only written on
 * success. */
int vmodes_rate_parse(const char *text, double *hz, struct vmodes_error *err);
/* Compute the mode a spec describes (CVT/GTF/DMT). */
int vmodes_spec_to_mode(const struct vmodes_spec *spec, struct vmodes_mode *out, struct vmodes_error *err);
/* Canonical text of a spec, e.g. "2560x1440R2@44". */
int vmodes_spec_format(char *buf, size_t size, const struct vmodes_spec *spec);

/* ---- modeline.c: pasted modelines ------------------------------------------ */

/*
 * Accepts either syntax, with or without the keyword and the name:
 *   Modeline "2560x1440_44.00"  222.75  2560 2720 2992 3424  1440 1443 1448 1479 -hsync +vsync
 *   "2560x1440_44.00"  222.75  2560 2720 2992 3424  1440 1443 1448 1479 -hsync +vsync
 *   222.75 2560 2720 2992 3424 1440 1443 1448 1479 -HSync +VSync
 * Flags: +hsync -hsync +vsync -vsync interlace doublescan (any case).
 * A missing name becomes WxH_R.RR.
 */
int vmodes_modeline_parse(const char *text, struct vmodes_mode *out, struct vmodes_error *err);

/* ---- edid.c: EDID 1.4 blobs for drm.edid_firmware= ------------------------- */

/* Modes an EDID built by vmodes_edid_build() describes at most: 3 detailed
 * timings in the base block and 6 in each of up to 3 CTA-861 extensions. */
#define VMODES_EDID_MODES_MAX (3 + 6 * 3)
/* Bytes of the largest such EDID (a base block and 3 extensions). */
#define VMODES_EDID_SIZE_MAX (128 * 4)

/*
 * An EDID 1.4 blob listing modes[0..n-1] as detailed timings, modes[0] the
 * preferred one, for Linux's drm.edid_firmware= override: the base block
 * (PNP id "VMD", digital, RGB, sRGB, image size unknown) with up to 3
 * modes and a display product name descriptor holding name (printable
 * ASCII, at most 13 bytes; NULL or "" means "vmodes"), the other modes in
 * CTA-861 extension blocks. The base block also lists the common 60 Hz
 * sizes (640x480, 800x600, 1024x768 established; 1920x1200, 1920x1080,
 * 1680x1050, 1600x900, 1440x900, 1280x1024, 1280x800, 1280x720 standard),
 * which the kernel offers too.
 * Writes 128 * (1 + extension blocks) bytes, at most VMODES_EDID_SIZE_MAX,
 * to out and that count to *len (len may be NULL).
 *
 * Everything is checked before anything is written. -EINVAL: n outside
 * 1..VMODES_EDID_MODES_MAX, a bad name, an interlaced or doublescan mode.
 * -ERANGE: a clock that is not a multiple of 10 kHz or is above 655.35 MHz
 * (never rounded: that would change the refresh rate), a width or height
 * outside 64..4095, a blanking, porch or sync width beyond its DTD field,
 * a zero sync width (Linux ignores such DTDs and those below 64 pixels).
 * -ENOSPC: size too small. On failure out is left untouched and
 * *len is set to 0.
 */
int vmodes_edid_build(const struct vmodes_mode *modes, size_t n, const char *name, uint8_t *out, size_t size,
                      size_t *len, struct vmodes_error *err);
/* Whether vmodes_edid_build() can describe mode m as a detailed timing: 0,
 * or its -EINVAL or -ERANGE with the same message. */
int vmodes_edid_check_mode(const struct vmodes_mode *m, struct vmodes_error *err);
