/* SPDX-License-Identifier: MIT */
/*
 * EDID 1.4 blobs describing a list of modes, for Linux's
 * drm.edid_firmware= override: the kernel then offers these modes on a
 * connector whose driver reads EDID (virtio-gpu, bochs).
 *
 * Layout: the base block holds up to three detailed timing descriptors
 * (DTDs; the first is the preferred mode) in descriptor slots 0-2, unused
 * slots as dummy descriptors, and the display product name in slot 3, at
 * the same place whatever the number of modes. Further modes go into
 * CTA-861 extension blocks of six DTDs each, the first with the one
 * Video Capability Data Block edid-decode --check requires. The common
 * 60 Hz sizes are listed as established and standard timings: the
 * kernel offers them beside the detailed ones.
 *
 * A DTD carries the pixel clock in units of 10 kHz. A clock that is not a
 * multiple is refused, not rounded: the rounded clock would be another
 * refresh rate than the one the mode was computed for.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "modes/modes.h"
#include "modes/util.h"

#define BLOCK 128
#define DESCRIPTOR 18
#define BASE_DTDS 3     /* descriptor slots 0-2; slot 3 is the name */

/* Standard timings (EDID 1.4: (width / 8) - 31, then aspect in bits 7-6,
 * 00 16:10, 10 5:4, 11 16:9, and rate - 60): 1920x1200, 1920x1080,
 * 1680x1050, 1600x900, 1440x900, 1280x1024, 1280x800, 1280x720, all DMT
 * sizes at 60 Hz. */
static const uint8_t standard[16] = { 0xd1, 0x00, 0xd1, 0xc0, 0xb3, 0x00, 0xa9, 0xc0,
                                      0x95, 0x00, 0x81, 0x80, 0x81, 0x00, 0x81, 0xc0 };
#define CTA_HEADER 4
#define CTA_DTDS 6      /* (127 - 4 - 3) / 18: after the header and the VCDB */
#define NAME_MAX_BYTES 13
#define DEFAULT_NAME "vmodes"

_Static_assert(VMODES_EDID_MODES_MAX == BASE_DTDS + 3 * CTA_DTDS, "3 extension blocks at most");
_Static_assert(VMODES_EDID_SIZE_MAX == BLOCK * (1 + 3), "3 extension blocks at most");

#define CLOCK_UNIT_HZ 10000ULL
#define CLOCK_MAX_HZ (65535ULL * CLOCK_UNIT_HZ) /* 16-bit field */

/* Linux (drm_mode_detailed) skips a DTD narrower or lower than 64 or with a
 * zero sync width: such a mode would be in the blob and yet never offered. */
#define ACTIVE_MIN 64
#define SYNC_WIDTH_MIN 1

/* "VMD" in the 5-bit letters of a PNP id ('A' = 1), big-endian. */
#define PNP_ID (('V' - '@') << 10 | ('M' - '@') << 5 | ('D' - '@'))
#define MODEL_YEAR 2026

/* sRGB primaries and D65 white as the 10-bit binary fractions of EDID:
 * red 0.640 0.330, green 0.300 0.600, blue 0.150 0.060, white 0.3127 0.3290,
 * each rounded to the nearest 1/1024. */
static const uint16_t srgb[8] = { 655, 338, 307, 614, 154, 61, 320, 337 };

static size_t extension_blocks(size_t n)
{
        return n <= BASE_DTDS ? 0 : (n - BASE_DTDS + CTA_DTDS - 1) / CTA_DTDS;
}

/* How messages name a mode: its name, or WxH when it has none. */
static const char *mode_label(char *buf, size_t size, const struct vmodes_mode *m)
{
        size_t len = strnlen(m->name, sizeof(m->name));

        if (len)
                return vmodes_excerpt(buf, size, m->name, len);
        snprintf(buf, size, "%ux%u", m->hdisplay, m->vdisplay);
        return buf;
}

static int check_clock(const struct vmodes_mode *m, const char *label, struct vmodes_error *err)
{
        char clock[32];

        if (m->clock_hz % CLOCK_UNIT_HZ == 0 && m->clock_hz <= CLOCK_MAX_HZ)
                return 0;
        vmodes_format_clock(clock, sizeof(clock), m->clock_hz);
        if (m->clock_hz > CLOCK_MAX_HZ)
                return vmodes_error_set(err, -ERANGE,
                                        "mode %s: pixel clock %s MHz is above what an EDID detailed timing "
                                        "carries (0.01 to 655.35 MHz)",
                                        label, clock);
        return vmodes_error_set(err, -ERANGE,
                                "mode %s: pixel clock %s MHz is not a multiple of 0.01 MHz, the unit of an EDID "
                                "detailed timing (0.01 to 655.35 MHz in steps of 0.01 MHz)",
                                label, clock);
}

/* The DTD fields of a mode whose timings are ordered (vmodes_mode_validate_timings). */
static int check_fields(const struct vmodes_mode *m, const char *label, struct vmodes_error *err)
{
        const struct {
                const char *what;
                long value, min, max;
        } f[] = {
                { "width", m->hdisplay, ACTIVE_MIN, 4095 },
                { "horizontal blanking", m->htotal - m->hdisplay, 1, 4095 },
                { "height", m->vdisplay, ACTIVE_MIN, 4095 },
                { "vertical blanking", m->vtotal - m->vdisplay, 1, 4095 },
                { "horizontal sync offset", m->hsync_start - m->hdisplay, 0, 1023 },
                { "horizontal sync width", m->hsync_end - m->hsync_start, SYNC_WIDTH_MIN, 1023 },
                { "vertical sync offset", m->vsync_start - m->vdisplay, 0, 63 },
                { "vertical sync width", m->vsync_end - m->vsync_start, SYNC_WIDTH_MIN, 63 },
        };

        for (size_t i = 0; i < ELEMENTSOF(f); i++)
                if (f[i].value < f[i].min || f[i].value > f[i].max)
                        return vmodes_error_set(err, -ERANGE,
                                                "mode %s: %s %ld does not fit an EDID detailed timing (%ld to %ld)",
                                                label, f[i].what, f[i].value, f[i].min, f[i].max);
        return 0;
}

static int check_mode(const struct vmodes_mode *m, struct vmodes_error *err)
{
        struct vmodes_error inner = { "" };
        char label[80];
        int r;

        mode_label(label, sizeof(label), m);
        /* The DTD of an interlaced mode counts field lines, which cannot
         * carry the half line of our frame totals, and Linux reads such a
         * DTD back right only for the few CTA formats it knows; doublescan
         * has no bit at all. */
        if (m->flags & (VMODES_FLAG_INTERLACE | VMODES_FLAG_DBLSCAN))
                return vmodes_error_set(err, -EINVAL,
                                        "mode %s is %s: an EDID built here describes progressive modes only",
                                        label, m->flags & VMODES_FLAG_INTERLACE ? "interlaced" : "doublescan");
        r = vmodes_mode_validate_timings(m, &inner);
        if (r < 0)
                return vmodes_error_set(err, r, "mode %s: %s", label, inner.msg);
        r = check_clock(m, label, err);
        if (r < 0)
                return r;
        return check_fields(m, label, err);
}

int vmodes_edid_check_mode(const struct vmodes_mode *m, struct vmodes_error *err)
{
        return check_mode(m, err);
}

static int check_name(const char *name, struct vmodes_error *err)
{
        size_t len = strlen(name);
        char q[64];

        if (len > NAME_MAX_BYTES)
                return vmodes_error_set(err, -EINVAL,
                                        "EDID display name '%s' has %zu bytes, more than the %d a name "
                                        "descriptor holds",
                                        vmodes_excerpt(q, sizeof(q), name, len), len, NAME_MAX_BYTES);
        for (size_t i = 0; i < len; i++)
                if ((unsigned char)name[i] < 0x20 || (unsigned char)name[i] > 0x7e)
                        return vmodes_error_set(err, -EINVAL,
                                                "EDID display name '%s' has a byte (0x%02x) that is not printable "
                                                "ASCII (0x20 to 0x7e)",
                                                vmodes_excerpt(q, sizeof(q), name, len), (unsigned char)name[i]);
        return 0;
}

static int check_all(const struct vmodes_mode *modes, size_t n, const char *name, size_t size,
                     struct vmodes_error *err)
{
        size_t need;
        int r;

        if (n == 0 || n > VMODES_EDID_MODES_MAX)
                return vmodes_error_set(err, -EINVAL, "%zu modes: an EDID built here describes 1 to %d modes", n,
                                        VMODES_EDID_MODES_MAX);
        r = check_name(name, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = check_mode(&modes[i], err);
                if (r < 0)
                        return r;
        }
        need = BLOCK * (1 + extension_blocks(n));
        if (size < need)
                return vmodes_error_set(err, -ENOSPC,
                                        "an EDID of %zu mode%s takes %zu bytes, more than the buffer's %zu", n,
                                        n == 1 ? "" : "s", need, size);
        return 0;
}

static void put_dtd(uint8_t *d, const struct vmodes_mode *m)
{
        unsigned clock = (unsigned)(m->clock_hz / CLOCK_UNIT_HZ);
        unsigned hblank = m->htotal - m->hdisplay, vblank = m->vtotal - m->vdisplay;
        unsigned hso = m->hsync_start - m->hdisplay, hsw = m->hsync_end - m->hsync_start;
        unsigned vso = m->vsync_start - m->vdisplay, vsw = m->vsync_end - m->vsync_start;

        d[0] = clock & 0xff;
        d[1] = clock >> 8;
        d[2] = m->hdisplay & 0xff;
        d[3] = hblank & 0xff;
        d[4] = (m->hdisplay >> 8) << 4 | hblank >> 8;
        d[5] = m->vdisplay & 0xff;
        d[6] = vblank & 0xff;
        d[7] = (m->vdisplay >> 8) << 4 | vblank >> 8;
        d[8] = hso & 0xff;
        d[9] = hsw & 0xff;
        d[10] = (vso & 0xf) << 4 | (vsw & 0xf);
        d[11] = (hso >> 8) << 6 | (hsw >> 8) << 4 | (vso >> 4) << 2 | vsw >> 4;
        /* 12-14: image size 0 mm (unknown), 15-16: no borders */
        /* digital separate sync; a mode with neither polarity flag counts
         * as negative, as X and the kernel treat it */
        d[17] = 0x18 | (m->flags & VMODES_FLAG_PVSYNC ? 0x04 : 0) | (m->flags & VMODES_FLAG_PHSYNC ? 0x02 : 0);
}

/* A display descriptor: 3 zero bytes, the tag, a zero byte, 13 bytes of data. */
static void put_descriptor(uint8_t *d, uint8_t tag)
{
        memset(d, 0, DESCRIPTOR);
        d[3] = tag;
}

static void put_name(uint8_t *d, const char *name)
{
        size_t len = strlen(name);

        put_descriptor(d, 0xfc);
        memset(d + 5, 0x20, NAME_MAX_BYTES);
        memcpy(d + 5, name, len);
        if (len < NAME_MAX_BYTES)
                d[5 + len] = 0x0a;
}

static void put_checksum(uint8_t *b)
{
        uint8_t sum = 0;

        for (size_t i = 0; i < BLOCK - 1; i++)
                sum += b[i];
        b[BLOCK - 1] = (uint8_t)(0x100 - sum);
}

static void put_base(uint8_t *b, const struct vmodes_mode *modes, size_t n, const char *name, size_t ext)
{
        static const uint8_t header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };

        memcpy(b, header, sizeof(header));
        b[8] = PNP_ID >> 8;
        b[9] = PNP_ID & 0xff;
        b[10] = 0x01; /* product code 0x0001, little-endian; serial 0 */
        b[16] = 0xff; /* week 0xff: byte 17 is the model year */
        b[17] = MODEL_YEAR - 1990;
        b[18] = 1;
        b[19] = 4;
        b[20] = 0x80; /* digital input, colour depth and interface undefined */
        /* 21-22: screen size 0 x 0 cm, unknown: compositors then pick scale 1 */
        b[23] = 120;  /* gamma 2.2: (2.2 - 1) * 100 */
        /* RGB 4:4:4; sRGB is the default colour space (edid-decode fails
         * sRGB chromaticities without this bit); the preferred timing
         * includes the native format; no continuous frequency (only the
         * listed modes, no range limits) */
        b[24] = 0x06;
        b[25] = (srgb[0] & 3) << 6 | (srgb[1] & 3) << 4 | (srgb[2] & 3) << 2 | (srgb[3] & 3);
        b[26] = (srgb[4] & 3) << 6 | (srgb[5] & 3) << 4 | (srgb[6] & 3) << 2 | (srgb[7] & 3);
        for (size_t i = 0; i < 8; i++)
                b[27 + i] = (uint8_t)(srgb[i] >> 2);
        /* 35-37: established timings 640x480, 800x600 and 1024x768 at 60 Hz
         * (CTA-861 requires 640x480@60 of a sink with its extension);
         * 38-53: eight standard timings, the common DMT sizes at 60 Hz. An
         * override replaces the device's own EDID (QEMU's lists such sizes),
         * so these stay on offer beside the configured modes. */
        b[35] = 0x21;
        b[36] = 0x08;
        memcpy(b + 38, standard, sizeof(standard));
        for (size_t i = 0; i < BASE_DTDS; i++) {
                uint8_t *d = b + 54 + i * DESCRIPTOR;

                if (i < n)
                        put_dtd(d, &modes[i]);
                else
                        put_descriptor(d, 0x10); /* dummy */
        }
        put_name(b + 54 + BASE_DTDS * DESCRIPTOR, name);
        b[126] = (uint8_t)ext;
        put_checksum(b);
}

/*
 * A CTA-861 block of DTDs; the first one also holds a Video Capability
 * Data Block (edid-decode fails an EDID without one, and two of them): RGB
 * quantization selectable, every kind of format shown underscanned
 * (whole), as a virtual display shows it. Byte 3, the same in every block:
 * the underscan bit, which must agree with the VCDB; no audio; no YCbCr,
 * which the base block does not claim either (the two must agree); no
 * native DTD count, the preferred mode being the base block's.
 */
static void put_cta(uint8_t *b, const struct vmodes_mode *modes, size_t count, bool first)
{
        static const uint8_t vcdb[] = { 0x07 << 5 | 2, 0x00, 0x40 | 2 << 2 | 2 };
        size_t offset = first ? CTA_HEADER + sizeof(vcdb) : CTA_HEADER;

        b[0] = 0x02;
        b[1] = 3;
        b[2] = (uint8_t)offset;
        b[3] = 0x80;
        if (first)
                memcpy(b + CTA_HEADER, vcdb, sizeof(vcdb));
        for (size_t i = 0; i < count; i++)
                put_dtd(b + offset + i * DESCRIPTOR, &modes[i]);
        put_checksum(b);
}

int vmodes_edid_build(const struct vmodes_mode *modes, size_t n, const char *name, uint8_t *out, size_t size,
                      size_t *len, struct vmodes_error *err)
{
        size_t ext = extension_blocks(n);
        int r;

        if (!name || !*name)
                name = DEFAULT_NAME;
        r = check_all(modes, n, name, size, err);
        if (r < 0) {
                if (len)
                        *len = 0;
                return r;
        }
        memset(out, 0, BLOCK * (1 + ext));
        put_base(out, modes, n, name, ext);
        for (size_t e = 0; e < ext; e++) {
                size_t first = BASE_DTDS + e * CTA_DTDS;
                size_t count = n - first < CTA_DTDS ? n - first : CTA_DTDS;

                put_cta(out + BLOCK * (1 + e), modes + first, count, e == 0);
        }
        if (len)
                *len = BLOCK * (1 + ext);
        return 0;
}
